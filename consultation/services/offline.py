"""The offline round trip: the questionnaire as an XLSX pre-filled with the reply, and its re-import.

Delegations collect input from several ministries in Excel. The download has one row per item and
field; the upload is checked in three stages, each bounded so that a hostile file costs little:

1. the container (``xlsx_container_check``): size, a real ZIP holding ``xl/workbook.xml``, not an
   encrypted OLE file, at most ``MAX_ZIP_ENTRIES`` entries and ``IMPORT_MAX_UNCOMPRESSED_BYTES``
   declared uncompressed bytes (``zipfile`` never inflates past the declared size), and no XML entry
   declaring a DOCTYPE or entity (XXE, billion laughs), all before any XML is parsed;
2. the sheet, streamed with openpyxl in read-only mode (at most ``IMPORT_MAX_ROWS`` rows): headers,
   item codes, field keys, options, formulas, versions; each problem is reported with its row,
   column and cause;
3. the values, validated per item with the same ``answer_data_clean`` the web form uses.

The preview lists what would change per item (old → new) and the conflicts: answers changed online
since the download (the file's ``answer_version`` is older than the answer's). A conflict is
resolved per item ("keep online" or "take file"); nothing is overwritten without that choice.
Confirming saves every change through ``answers_save_section`` in one transaction, or nothing.

Why not ``defusedxml.defuse_stdlib()``: it patches the standard library for the whole process.
openpyxl already parses with defusedxml's ``iterparse`` and lxml's ``resolve_entities=False`` when
those are installed (they are), and stage 1 refuses any DOCTYPE before openpyxl reads a byte.
"""

from __future__ import annotations

import datetime
import io
import re
import secrets
import time
import zipfile
import zlib
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from ..answer_values import AnswerInvalid, answer_data_clean
from ..models import Answer, AnswerRevision, Field, FieldType, Item, Response
from ..resources import ReplyRow, ReplyRowResource
from ..selectors.offline import FieldValue, ReplyDocument, questionnaire_items
from .answers import ReplyLocked, SectionChange, SectionConflict, answers_save_section, response_get_or_create
from .responses import reply_audit

WORKBOOK_FORMAT = "lanzarote-offline-1"
META_SHEET = "_meta"
REQUIRED_COLUMNS = ("item_code", "field_key", "value", "answer_version")
MAX_ZIP_ENTRIES = 200
MAX_REPORTED_ERRORS = 200
PREVIEW_TIMEOUT_SECONDS = 60 * 60
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MULTIPLE_SEPARATOR = ";"
RANKING_SEPARATOR = ">"
REFERENCE_SEPARATOR = "|"
_DANGEROUS_XML = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_ILLEGAL_XML_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
COLUMN_WIDTHS = {
    "item_code": 12,
    "theme": 18,
    "question": 60,
    "field_key": 18,
    "field_label": 32,
    "field_type": 16,
    "required": 10,
    "allowed_options": 40,
    "value": 60,
    "answer_version": 10,
}


def _max_uncompressed_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_UNCOMPRESSED_BYTES", 50 * 1024 * 1024)


def _max_rows() -> int:
    return getattr(settings, "IMPORT_MAX_ROWS", 5000)


# An exported sheet has a header and one row per field, of at most this many columns (the export writes ten).
MAX_COLUMNS = 16
# A shared text (<si>) or a cell (<c>) of any part, whatever its prefix: counted before openpyxl loads the file.
_SHARED_STRING_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s>/]")
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s>/]")


def _max_cells() -> int:
    """The most cells (and so shared texts) an upload may hold: a full sheet of ``_max_rows`` rows and a header."""
    return (_max_rows() + 1) * MAX_COLUMNS


def _time_budget_seconds() -> float:
    return float(getattr(settings, "IMPORT_TIME_BUDGET_SECONDS", 2.5))


class ImportRefused(Exception):
    """The uploaded file is not a workbook this import can read; nothing was parsed or written."""


class ImportNotApplied(Exception):
    """Confirming the import wrote nothing; the message says why (errors, a new conflict, a locked reply)."""


# --- Encoding values in cells ------------------------------------------------------------------


def _xml_safe(text: str) -> str:
    """Drop the control characters XML (and so XLSX and DOCX) cannot hold."""
    return _ILLEGAL_XML_CHARS.sub("", text)


def value_to_cell(*, item_field: Field, value: Any, attachments: list[str] | None = None) -> Any:
    """A canonical answer value as a readable cell: keys, "; " lists, " > " rankings, reference lines."""
    if value in (None, "", [], {}):
        return None
    kind = item_field.type
    if kind == FieldType.SINGLE_CHOICE:
        return str(value)
    if kind == FieldType.MULTIPLE_CHOICE:
        return f"{MULTIPLE_SEPARATOR} ".join(value)
    if kind == FieldType.RANKING:
        return f" {RANKING_SEPARATOR} ".join(value)
    if kind == FieldType.NUMBER:
        number = Decimal(str(value))
        digits = len(number.as_tuple().digits)
        if digits > 15:  # beyond a spreadsheet's double precision: keep the exact text
            return str(value)
        return int(number) if number == number.to_integral_value() else number
    if kind == FieldType.LEGAL_REFERENCES:
        lines = []
        for row in value:
            parts = [row.get("instrument", ""), row.get("provision", ""), row.get("url", "")]
            while parts and not parts[-1]:
                parts.pop()
            lines.append(f" {REFERENCE_SEPARATOR} ".join(parts))
        return "\n".join(lines)
    if kind == FieldType.ATTACHMENT:
        return f"{MULTIPLE_SEPARATOR} ".join(attachments or [])
    return str(value)


def _allowed_options_text(item_field: Field, options: list) -> str:
    if item_field.type in (FieldType.SINGLE_CHOICE, FieldType.MULTIPLE_CHOICE, FieldType.RANKING):
        listed = "; ".join(f"{option.key} = {option.label}" for option in options)
        if item_field.type == FieldType.MULTIPLE_CHOICE:
            return _("%(options)s (several keys separated by “;”)") % {"options": listed}
        if item_field.type == FieldType.RANKING:
            return _("%(options)s (every key once, most important first, separated by “>”)") % {"options": listed}
        return listed
    if item_field.type == FieldType.LEGAL_REFERENCES:
        return _("One reference per line: instrument | provision | link")
    if item_field.type == FieldType.NUMBER:
        return _("A number") + (f" ({item_field.unit})" if item_field.unit else "")
    if item_field.type == FieldType.ATTACHMENT:
        return _("Read-only: add files on the platform")
    if item_field.max_length:
        return _("Text, at most %(limit)d characters") % {"limit": item_field.max_length}
    return _("Text")


def _cell_to_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)


class _CellError(ValueError):
    pass


def _resolve_option(raw: str, item_field: Field, options: list) -> str:
    text = raw.strip()
    keys = [option.key for option in options]
    if text in keys:
        return text
    folded = text.casefold()
    for option in options:
        spellings = {option.key.casefold(), (option.label_en or "").casefold(), (option.label_fr or "").casefold()}
        if folded in spellings:
            return option.key
    raise _CellError(
        _("“%(value)s” is not an allowed option for “%(field)s”. Allowed: %(keys)s.")
        % {"value": text, "field": item_field.label, "keys": ", ".join(keys)}
    )


def cell_to_value(*, item_field: Field, options: list, value: Any) -> Any:
    """Read a cell back into the canonical shape ``answer_data_clean`` expects; None when blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    kind = item_field.type
    if kind == FieldType.SINGLE_CHOICE:
        return _resolve_option(_cell_to_text(value), item_field, options)
    if kind in (FieldType.MULTIPLE_CHOICE, FieldType.RANKING):
        separator = MULTIPLE_SEPARATOR if kind == FieldType.MULTIPLE_CHOICE else RANKING_SEPARATOR
        parts = [part for part in _cell_to_text(value).split(separator) if part.strip()]
        return [_resolve_option(part, item_field, options) for part in parts]
    if kind == FieldType.NUMBER:
        if isinstance(value, bool):
            raise _CellError(_("“%(value)s” is not a number.") % {"value": value})
        if isinstance(value, int | float | Decimal):
            return _cell_to_text(value) if isinstance(value, float) else str(value)
        return _cell_to_text(value).strip()
    if kind == FieldType.LEGAL_REFERENCES:
        rows = []
        for number, line in enumerate(_cell_to_text(value).replace("\r\n", "\n").split("\n"), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split(REFERENCE_SEPARATOR)]
            if len(parts) > 3:
                raise _CellError(
                    _("Line %(line)d has more than three parts; write “instrument | provision | link”.")
                    % {"line": number}
                )
            parts += [""] * (3 - len(parts))
            rows.append({"instrument": parts[0], "provision": parts[1], "url": parts[2]})
        return rows
    return _cell_to_text(value)


# --- Export --------------------------------------------------------------------------------------


def reply_rows(*, document: ReplyDocument) -> list[ReplyRow]:
    """One ``ReplyRow`` per item and field, in questionnaire order, values encoded for cells."""
    rows = []
    for section in document.themes:
        for entry in section.items:
            for field_value in entry.fields:
                item_field = field_value.field
                rows.append(
                    ReplyRow(
                        item_code=entry.item.code,
                        theme=section.theme.name,
                        question=entry.item.text,
                        field_key=item_field.key,
                        field_label=item_field.label,
                        field_type=item_field.get_type_display(),
                        required=_("yes") if item_field.required else _("no"),
                        allowed_options=_allowed_options_text(item_field, field_value.options),
                        value=value_to_cell(
                            item_field=item_field, value=field_value.value, attachments=field_value.attachments
                        ),
                        answer_version=entry.version,
                        importable=item_field.type != FieldType.ATTACHMENT,
                    )
                )
    return rows


def _set_text(cell: Any, value: Any) -> None:
    """Write ``value``; a text is always stored as text, so “=HYPERLINK(...)” never becomes a formula."""
    if isinstance(value, str):
        cell.value = _xml_safe(value)
        cell.data_type = "s"
        if value[:1] in ("=", "+", "-", "@"):
            cell.quotePrefix = True  # Excel keeps it text even after the cell is edited
    else:
        cell.value = value


def offline_workbook_export(*, document: ReplyDocument) -> bytes:
    """The questionnaire pre-filled with the reply, as XLSX bytes (headers in the active language)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    rows = reply_rows(document=document)
    dataset = ReplyRowResource().export(queryset=rows)
    keys = ReplyRowResource.column_keys()
    value_column = keys.index("value") + 1

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Answers")[:31]
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DCE6F1")
    for column, header in enumerate(dataset.headers, start=1):
        cell = sheet.cell(row=1, column=column)
        _set_text(cell, header)
        cell.font = header_font
        cell.fill = header_fill
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    for column, key in enumerate(keys, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = COLUMN_WIDTHS[key]
    sheet.freeze_panes = "A2"

    validations: dict[str, DataValidation] = {}
    wrap = Alignment(vertical="top", wrap_text=True)
    for index, (row, values) in enumerate(zip(rows, dataset, strict=True), start=2):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=index, column=column)
            _set_text(cell, value)
            cell.alignment = wrap
        value_cell = sheet.cell(row=index, column=value_column)
        value_cell.protection = Protection(locked=not row.importable)
    # Drop-down lists for single choices: one validation per distinct list of keys.
    for index, entry_field in enumerate(_fields_in_order(document), start=2):
        item_field, options = entry_field
        if item_field.type != FieldType.SINGLE_CHOICE:
            continue
        option_keys = [option.key for option in options]
        formula = '"' + ",".join(option_keys) + '"'
        if len(formula) > 255 or any("," in key for key in option_keys):
            continue
        if formula not in validations:
            validation = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True)
            validation.error = _("Choose one of: %(keys)s") % {"keys": ", ".join(option_keys)}
            validations[formula] = validation
            sheet.add_data_validation(validation)
        validations[formula].add(sheet.cell(row=index, column=value_column))
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    sheet.protection.autoFilter = False
    sheet.protection.sort = False
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(keys))}{max(len(rows) + 1, 2)}"

    meta = workbook.create_sheet(META_SHEET)
    for key, value in (
        ("format", WORKBOOK_FORMAT),
        ("consultation", document.consultation.slug),
        ("party", document.party.iso2),
        ("exported_at", timezone.now().isoformat()),
    ):
        meta.append([key, value])
    meta.sheet_state = "hidden"
    meta.protection.sheet = True

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _fields_in_order(document: ReplyDocument) -> list[tuple[Field, list]]:
    return [(fv.field, fv.options) for entry in document.items for fv in entry.fields]


# --- Import: stage 1, the container ---------------------------------------------------------------


def xlsx_container_check(*, content: bytes) -> None:
    """Refuse, before any XML is parsed, what is not a plain, reasonably sized XLSX workbook."""
    limit = settings.IMPORT_MAX_BYTES
    if not content:
        raise ImportRefused(_("The file is empty."))
    if len(content) > limit:
        raise ImportRefused(
            _("The file is %(size)s bytes; the limit is %(limit)s bytes.") % {"size": len(content), "limit": limit}
        )
    if content.startswith(OLE_MAGIC):
        raise ImportRefused(
            _(
                "The file is password-protected or in the old Excel 97-2003 format. Remove the password and "
                "save it as an Excel workbook (.xlsx)."
            )
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportRefused(
            _("The file is not an XLSX workbook. Save it from Excel as “Excel Workbook (.xlsx)”.")
        ) from exc
    with archive:
        names = {entry.filename for entry in entries}
        if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
            raise ImportRefused(_("The file is a ZIP archive but not an XLSX workbook (no xl/workbook.xml)."))
        if len(entries) > MAX_ZIP_ENTRIES:
            raise ImportRefused(
                _("The workbook holds %(count)d parts; at most %(max)d are accepted.")
                % {"count": len(entries), "max": MAX_ZIP_ENTRIES}
            )
        if any(entry.flag_bits & 0x1 for entry in entries):
            raise ImportRefused(_("The workbook is encrypted. Remove the password and save it again."))
        total = sum(entry.file_size for entry in entries)
        if total > _max_uncompressed_bytes():
            raise ImportRefused(
                _("The workbook unpacks to %(size)d MB; at most %(max)d MB are accepted.")
                % {"size": total // (1024 * 1024), "max": _max_uncompressed_bytes() // (1024 * 1024)}
            )
        for entry in entries:
            if not entry.filename.endswith((".xml", ".rels", ".vml")):
                continue
            if _declares_doctype(archive, entry):
                raise ImportRefused(
                    _("The workbook part %(name)s declares a DOCTYPE or entities, which Excel never writes.")
                    % {"name": entry.filename}
                )
        _check_counts(archive, [entry for entry in entries if entry.filename.endswith(".xml")])


def _check_counts(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> None:
    """Refuse a workbook with more shared texts or cells than a full questionnaire sheet, before openpyxl loads
    them all (2.9 million empty shared texts fit in 131 KB and took a worker's whole time limit). Counting stops
    at the limit, so a hostile part is not read to its end."""
    limit = _max_cells()
    strings = cells = 0
    for entry in entries:
        strings, cells = _count_tags(archive, entry, strings=strings, cells=cells, limit=limit)
        if strings > limit:
            message = _(
                "The workbook holds over %(max)s shared texts, more than a questionnaire ever needs. Save the "
                "exported file again from Excel, without extra sheets or columns."
            )
        elif cells > limit:
            message = _(
                "The workbook holds over %(max)s cells, more than a questionnaire ever needs. Save the exported "
                "file again from Excel, without extra sheets or columns."
            )
        else:
            continue
        raise ImportRefused(message % {"max": number_format(limit, force_grouping=True)})


def _count_tags(
    archive: zipfile.ZipFile, entry: zipfile.ZipInfo, *, strings: int, cells: int, limit: int
) -> tuple[int, int]:
    """The running counts of shared texts and cells after one more part, streamed (a tag cut between two chunks
    is counted once); stops reading once either passes ``limit``."""
    carry = b""
    try:
        with archive.open(entry) as stream:
            while chunk := stream.read(64 * 1024):
                data = carry + chunk
                cut = data.rfind(b"<", max(0, len(data) - 32))
                cut = len(data) if cut == -1 else cut
                strings += len(_SHARED_STRING_TAG.findall(data, 0, cut))
                cells += len(_CELL_TAG.findall(data, 0, cut))
                carry = data[cut:]
                if strings > limit or cells > limit:
                    return strings, cells
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError, zlib.error) as exc:
        raise ImportRefused(_("The workbook part %(name)s is damaged.") % {"name": entry.filename}) from exc
    return strings + len(_SHARED_STRING_TAG.findall(carry)), cells + len(_CELL_TAG.findall(carry))


def _declares_doctype(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> bool:
    tail = b""
    try:
        with archive.open(entry) as stream:
            while chunk := stream.read(64 * 1024):
                if _DANGEROUS_XML.search(tail + chunk):
                    return True
                tail = chunk[-16:]
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise ImportRefused(_("The workbook part %(name)s is damaged.") % {"name": entry.filename}) from exc
    return False


# --- Import: stages 2 and 3 ------------------------------------------------------------------------


@dataclass
class RowError:
    row: int | None
    column: str
    message: str


@dataclass
class FieldChange:
    key: str
    label: str
    old: list[str]
    new: list[str]
    rows: list[int] = field(default_factory=list)


@dataclass
class ItemChange:
    item_id: int
    item_code: str
    question: str
    file_version: int
    online_version: int
    conflict: bool
    data: dict[str, Any]
    fields: list[FieldChange]


@dataclass
class ImportPreview:
    """What confirming would do; kept server-side between the upload and the confirmation."""

    filename: str
    rows_read: int = 0
    unchanged_items: int = 0
    changes: list[ItemChange] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    @property
    def conflicts(self) -> list[ItemChange]:
        return [change for change in self.changes if change.conflict]

    @property
    def plain_changes(self) -> list[ItemChange]:
        return [change for change in self.changes if not change.conflict]

    @property
    def has_errors(self) -> bool:
        return self.error_count > 0

    def add_error(self, row: int | None, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(row=row, column=column, message=message))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportPreview:
        preview = cls(
            filename=data["filename"],
            rows_read=data["rows_read"],
            unchanged_items=data["unchanged_items"],
            error_count=data["error_count"],
        )
        preview.errors = [RowError(**error) for error in data["errors"]]
        preview.changes = [
            ItemChange(**{**change, "fields": [FieldChange(**fc) for fc in change["fields"]]})
            for change in data["changes"]
        ]
        return preview


@dataclass
class _FileItem:
    item: Item
    raw: dict[str, Any] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    versions: set[int] = field(default_factory=set)
    first_row: int = 0


def _open_workbook(content: bytes):
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds for damaged parts
        raise ImportRefused(
            _("The workbook could not be read (%(cause)s). Save it again from Excel as .xlsx.")
            % {"cause": exc.__class__.__name__}
        ) from exc


def _header_map(header: tuple, preview: ImportPreview) -> dict[str, int] | None:
    aliases = ReplyRowResource.header_aliases()
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        value = getattr(cell, "value", None)
        if value is None:
            continue
        key = aliases.get(str(value).strip().casefold())
        if key and key not in columns:
            columns[key] = index
    missing = [key for key in REQUIRED_COLUMNS if key not in columns]
    for key in missing:
        column_name = ReplyRowResource().fields[key].column_name
        preview.add_error(
            1, str(column_name), _("The required column “%(column)s” is missing.") % {"column": column_name}
        )
    return None if missing else columns


def _cell(row: tuple, index: int | None) -> Any:
    if index is None or index >= len(row):
        return None
    return row[index]


def offline_import_preview(*, response: Response, content: bytes, filename: str = "") -> ImportPreview:
    """Read and validate an uploaded workbook against the reply; writes nothing.

    Raises ``ImportRefused`` when the file itself is unacceptable; every problem inside the sheet
    is collected in ``preview.errors`` with its row and column.
    """
    preview = ImportPreview(filename=filename[:200])
    deadline = time.monotonic() + _time_budget_seconds()
    xlsx_container_check(content=content)
    workbook = _open_workbook(content)
    try:
        _read_sheet(workbook=workbook, response=response, preview=preview, deadline=deadline)
    except (ElementTree.ParseError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
        # The sheet is parsed while its rows are read: a part that is no XML (a NUL, a cut, a wrong tag).
        part = getattr(exc, "part", None) or _sheet_part(workbook)
        raise ImportRefused(
            _(
                "The workbook part %(name)s is not well-formed XML: Excel never writes such a file. Save it again "
                "from Excel as .xlsx."
            )
            % {"name": part}
        ) from exc
    finally:
        workbook.close()
    return preview


def _sheet_part(workbook: Any) -> str:
    """The path in the archive of the sheet of answers (read-only worksheets know it)."""
    sheets = [name for name in workbook.sheetnames if name != META_SHEET]
    return getattr(workbook[sheets[0]], "_worksheet_path", "") if sheets else ""


def _past_deadline(deadline: float | None) -> None:
    """Refuse the file once reading it has taken the time budget (``IMPORT_TIME_BUDGET_SECONDS``)."""
    if deadline is not None and time.monotonic() > deadline:
        raise ImportRefused(
            _(
                "The workbook took more than %(seconds)s seconds to read and was set aside. Save the exported file "
                "again from Excel, without extra sheets or columns."
            )
            % {"seconds": number_format(_time_budget_seconds(), decimal_pos=1)}
        )


def _read_sheet(*, workbook: Any, response: Response, preview: ImportPreview, deadline: float | None = None) -> None:
    consultation = response.consultation
    sheets = [name for name in workbook.sheetnames if name != META_SHEET]
    if not sheets:
        preview.add_error(None, "", _("The workbook has no sheet of answers."))
        return
    if len(sheets) > 1:
        for name in sheets[1:]:
            preview.add_error(
                None,
                "",
                _("Unexpected sheet “%(name)s”: remove it; the file must hold only the exported sheet.")
                % {"name": name},
            )
        return
    if META_SHEET in workbook.sheetnames:
        _check_meta(workbook[META_SHEET], response=response, preview=preview)
        if preview.has_errors:
            return

    items = {item.code: item for item in questionnaire_items(consultation=consultation)}
    fields_of = {code: {f.key: f for f in item.fields.all()} for code, item in items.items()}

    sheet = workbook[sheets[0]]
    # Stream the rows actually present: a declared dimension may be wrong (too small hides rows, too large
    # pads with a million empty ones).
    sheet.reset_dimensions()
    rows = sheet.iter_rows()
    header = next(rows, None)
    if header is None:
        preview.add_error(None, "", _("The sheet is empty."))
        return
    columns = _header_map(header, preview)
    if columns is None:
        return
    column_names = {key: str(ReplyRowResource().fields[key].column_name) for key in ReplyRowResource.column_keys()}
    file_items: dict[str, _FileItem] = {}
    max_rows = _max_rows()
    for row_number, row in enumerate(rows, start=2):
        _past_deadline(deadline)
        if row_number > max_rows + 1:
            # The file is refused as a whole: its other problems would only bury this one.
            preview.errors, preview.error_count, preview.rows_read = [], 0, 0
            preview.add_error(
                row_number,
                "",
                _("The sheet has more than %(max)d rows; the questionnaire needs %(needed)d. Remove the extra rows.")
                % {"max": max_rows, "needed": sum(len(fs) for fs in fields_of.values())},
            )
            return
        values = [getattr(cell, "value", None) for cell in row]
        if all(value is None or (isinstance(value, str) and not value.strip()) for value in values):
            continue
        preview.rows_read += 1
        bad_cell = False
        for key, index in columns.items():
            cell = _cell(row, index)
            if cell is not None and getattr(cell, "data_type", None) in ("f", "e"):
                preview.add_error(
                    row_number,
                    column_names[key],
                    _("Formulas and error values are not accepted: type the value itself."),
                )
                bad_cell = True
        if bad_cell:
            continue
        code = _cell_to_text(_cell(values, columns["item_code"]) or "").strip()
        key = _cell_to_text(_cell(values, columns["field_key"]) or "").strip()
        if code not in items:
            preview.add_error(
                row_number,
                column_names["item_code"],
                _("Unknown item code “%(code)s”.") % {"code": code} if code else _("The item code is empty."),
            )
            continue
        if key not in fields_of[code]:
            preview.add_error(
                row_number,
                column_names["field_key"],
                _("Item %(code)s has no field “%(key)s”.") % {"code": code, "key": key},
            )
            continue
        entry = file_items.setdefault(code, _FileItem(item=items[code], first_row=row_number))
        if key in entry.rows:
            preview.add_error(
                row_number,
                column_names["field_key"],
                _("%(code)s / %(key)s already appears on row %(row)d.")
                % {"code": code, "key": key, "row": entry.rows[key]},
            )
            continue
        entry.rows[key] = row_number
        raw_version = _cell(values, columns["answer_version"])
        try:
            version = int(raw_version) if raw_version not in (None, "") else 0
            if version < 0 or (isinstance(raw_version, float) and not raw_version.is_integer()):
                raise ValueError
        except (TypeError, ValueError):
            preview.add_error(
                row_number,
                column_names["answer_version"],
                _("“%(value)s” is not a version number; keep the exported value.") % {"value": raw_version},
            )
            continue
        entry.versions.add(version)
        if fields_of[code][key].type == FieldType.ATTACHMENT:
            continue  # read-only in the spreadsheet: files are added on the platform
        entry.raw[key] = _cell(values, columns["value"])
    _past_deadline(deadline)
    _compare(response=response, file_items=file_items, preview=preview, column_names=column_names)


def _check_meta(sheet: Any, *, response: Response, preview: ImportPreview) -> None:
    meta: dict[str, str] = {}
    try:
        for index, row in enumerate(sheet.iter_rows(values_only=True)):
            if index > 20:
                break
            if len(row) >= 2 and row[0] is not None:
                meta[str(row[0])] = "" if row[1] is None else str(row[1])
    except ElementTree.ParseError as exc:
        exc.part = getattr(sheet, "_worksheet_path", "")  # named in the refusal
        raise
    if meta.get("consultation") and meta["consultation"] != response.consultation.slug:
        preview.add_error(
            None,
            "",
            _("This file was exported for another consultation (%(slug)s).") % {"slug": meta["consultation"]},
        )
    if meta.get("party") and meta["party"] != response.party.iso2:
        preview.add_error(None, "", _("This file was exported for another Party's reply."))


def _same_cell(raw: Any, encoded: Any) -> bool:
    """Whether a cell still holds what the export wrote (numbers compared as numbers, texts as written)."""
    blank_raw = raw is None or (isinstance(raw, str) and not raw.strip())
    if encoded is None or blank_raw:
        return encoded is None and blank_raw
    if isinstance(raw, int | float | Decimal) and isinstance(encoded, int | float | Decimal):
        return Decimal(str(raw)) == Decimal(str(encoded))
    if isinstance(encoded, str):
        encoded = _xml_safe(encoded)
    return str(raw).replace("\r\n", "\n").strip() == str(encoded).replace("\r\n", "\n").strip()


def _decode_item(
    *,
    entry: _FileItem,
    by_key: dict[str, Field],
    known: tuple[dict, ...],
    preview: ImportPreview,
    column_names: dict[str, str],
) -> dict[str, Any] | None:
    """The item's values read from the file; None if a cell cannot be read (each such cell reported).

    A cell still holding exactly what the export wrote for a known value (at the download, or online now)
    keeps that value as is, so an untouched cell round-trips whatever it contains (a “|” in a provision,
    a character XML cannot hold).
    """
    values: dict[str, Any] = {}
    failed = False
    for key, raw in entry.raw.items():
        item_field = by_key[key]
        same = [
            data[key]
            for data in known
            if key in data and _same_cell(raw, value_to_cell(item_field=item_field, value=data[key]))
        ]
        if same:
            values[key] = same[0]
            continue
        try:
            values[key] = cell_to_value(item_field=item_field, options=list(item_field.options.all()), value=raw)
        except _CellError as exc:
            preview.add_error(entry.rows[key], column_names["value"], str(exc))
            failed = True
    return None if failed else values


def _display(item_field: Field, options: list, value: Any) -> list[str]:
    return FieldValue(field=item_field, value=value, options=options).display_lines


def _compare(
    *, response: Response, file_items: dict[str, _FileItem], preview: ImportPreview, column_names: dict[str, str]
) -> None:
    """Validate each item's values and compare them with the export-time and the current answers."""
    online = {
        row["item_id"]: row
        for row in Answer.objects.filter(
            response_id=response.pk, item__in=[e.item for e in file_items.values()]
        ).values("id", "item_id", "data", "version")
    }
    wanted_versions = {v for entry in file_items.values() for v in entry.versions if v > 0}
    revisions = {
        (row["answer__item_id"], row["version"]): row["data"]
        for row in AnswerRevision.objects.filter(answer__response_id=response.pk, version__in=wanted_versions).values(
            "answer__item_id", "version", "data"
        )
    }
    for code, entry in file_items.items():
        item = entry.item
        fields = list(item.fields.all())
        by_key = {f.key: f for f in fields}
        if len(entry.versions) > 1:
            preview.add_error(
                entry.first_row,
                column_names["answer_version"],
                _("The rows of %(code)s carry different versions (%(versions)s); keep the exported values.")
                % {"code": code, "versions": ", ".join(str(v) for v in sorted(entry.versions))},
            )
            continue
        file_version = next(iter(entry.versions), 0)
        current = online.get(item.pk) or {"data": {}, "version": 0}
        if file_version > current["version"]:
            preview.add_error(
                entry.first_row,
                column_names["answer_version"],
                _("Version %(file)d is newer than the reply's (%(online)d): this file is not a download of this reply.")
                % {"file": file_version, "online": current["version"]},
            )
            continue
        if file_version == current["version"]:
            base = current["data"]
        elif file_version == 0:
            base = {}
        else:
            base = revisions.get((item.pk, file_version), {})
        values = _decode_item(
            entry=entry, by_key=by_key, known=(base, current["data"]), preview=preview, column_names=column_names
        )
        if values is None:
            continue
        present = {key: value for key, value in values.items() if value is not None}
        if all(present.get(key) == current["data"].get(key) for key in values):
            # The file keeps the online answer as it is: nothing to save, so nothing to check again (an answer
            # saved before a newer check, e.g. a control character, must not block the import of the others).
            preview.unchanged_items += 1
            continue
        try:
            clean = answer_data_clean(fields=fields, data=present)
        except AnswerInvalid as exc:
            for key, message in exc.errors.items():
                preview.add_error(entry.rows.get(key, entry.first_row), column_names["value"], message)
            continue
        file_values = {key: clean.get(key) for key in values}
        changed = [key for key, value in file_values.items() if value != base.get(key)]
        changed = [key for key in changed if file_values[key] != current["data"].get(key)]
        if not changed:
            preview.unchanged_items += 1
            continue
        new_data = {**current["data"], **{key: file_values[key] for key in changed}}
        new_data = {key: value for key, value in new_data.items() if value not in (None, "", [], {})}
        options = {key: list(f.options.all()) for key, f in by_key.items()}
        preview.changes.append(
            ItemChange(
                item_id=item.pk,
                item_code=code,
                question=item.text,
                file_version=file_version,
                online_version=current["version"],
                conflict=file_version < current["version"],
                data=new_data,
                fields=[
                    FieldChange(
                        key=key,
                        label=by_key[key].label,
                        old=_display(by_key[key], options[key], current["data"].get(key)),
                        new=_display(by_key[key], options[key], file_values[key]),
                        rows=[entry.rows[key]],
                    )
                    for key in changed
                ],
            )
        )


# --- Keeping the preview between the two requests --------------------------------------------------


SESSION_KEY = "offline_import_previews"
MAX_PREVIEWS_PER_SESSION = 3


def import_preview_store(*, session: Any, preview: ImportPreview, user: Any, response: Response) -> str:
    """Keep the validated preview in the person's session (server-side, shared by every worker) for an hour.

    The session, not a process-local cache, so the confirmation finds it whichever worker serves it; at most
    ``MAX_PREVIEWS_PER_SESSION`` are kept, the oldest dropped first.
    """
    token = secrets.token_urlsafe(24)
    previews = dict(session.get(SESSION_KEY) or {})
    previews[token] = {
        "user_id": user.pk,
        "consultation_id": response.consultation_id,
        "response_id": response.pk,  # None: the Party had no reply yet
        "created": timezone.now().timestamp(),
        "preview": preview.to_dict(),
    }
    newest = sorted(previews.items(), key=lambda entry: entry[1]["created"])[-MAX_PREVIEWS_PER_SESSION:]
    session[SESSION_KEY] = dict(newest)
    return token


def import_preview_load(*, session: Any, token: str, user: Any, response: Response) -> ImportPreview | None:
    """The stored preview if it belongs to this person and reply and is less than an hour old; else None."""
    stored = (session.get(SESSION_KEY) or {}).get(token)
    if not stored or stored.get("user_id") != user.pk or stored.get("consultation_id") != response.consultation_id:
        return None
    if stored.get("response_id") not in (None, response.pk):  # None: read before the reply existed
        return None
    if timezone.now().timestamp() - stored["created"] > PREVIEW_TIMEOUT_SECONDS:
        return None
    return ImportPreview.from_dict(stored["preview"])


def import_preview_discard(*, session: Any, token: str) -> None:
    previews = dict(session.get(SESSION_KEY) or {})
    if previews.pop(token, None) is not None:
        session[SESSION_KEY] = previews


# --- Confirmation ---------------------------------------------------------------------------------


@dataclass
class ImportResult:
    saved: list[str]
    kept_online: list[str]


@transaction.atomic
def offline_import_apply(
    *, response: Response, preview: ImportPreview, take_file: set[str], user: Any, request: Any = None
) -> ImportResult:
    """Save every change of the preview (and each conflict the person chose to take from the file)
    in one transaction through ``answers_save_section``, which validates again; all or nothing.

    Raises ``ImportNotApplied`` when the preview has errors, an answer changed since the preview,
    a value is no longer valid, or the reply is locked.
    """
    if preview.has_errors:
        raise ImportNotApplied(_("The file has errors; correct them and upload it again. Nothing was saved."))
    if response.pk is None:  # the Party's first answers: its reply row is created now, with them
        response = response_get_or_create(consultation=response.consultation, party=response.party)
    items = {item.pk: item for item in Item.objects.filter(pk__in=[c.item_id for c in preview.changes])}
    saved, kept, section = [], [], []
    for change in preview.changes:
        if change.conflict and change.item_code not in take_file:
            kept.append(change.item_code)
            continue
        item = items.get(change.item_id)
        if item is None or item.consultation_id != response.consultation_id:
            raise ImportNotApplied(_("Item %(code)s no longer exists.") % {"code": change.item_code})
        section.append(SectionChange(item=item, data=change.data, base_version=change.online_version))
        saved.append(change.item_code)
    try:
        answers_save_section(
            response=response,
            changes=section,
            user=user,
            language=getattr(user, "preferred_language", "en") or "en",
            source="import",
            note=(_("Imported from %(file)s") % {"file": preview.filename})[:255],
        )
    except SectionConflict as exc:
        current = exc.conflicts[0]
        raise ImportNotApplied(
            _(
                "%(code)s was changed online after the preview (now version %(version)d). Nothing was saved; upload the file again."
            )
            % {"code": current.item.code, "version": current.version}
        ) from exc
    except AnswerInvalid as exc:
        raise ImportNotApplied(
            _("A value is no longer valid (%(errors)s). Nothing was saved.") % {"errors": exc}
        ) from exc
    except ReplyLocked as exc:
        raise ImportNotApplied(str(exc)) from exc
    reply_audit(
        "reply.imported",
        response=response,
        user=user,
        request=request,
        file=preview.filename,
        saved=saved,
        kept_online=kept,
    )
    return ImportResult(saved=saved, kept_online=kept)
