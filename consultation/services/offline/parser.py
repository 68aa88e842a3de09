"""Import stage 2: the sheet streamed with openpyxl in read-only mode, each problem named by row and column."""

from __future__ import annotations

import io
import time
import zipfile
import zlib
from collections.abc import Sequence
from typing import Any
from xml.etree import ElementTree

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from ...answer_values import fields_with_specifications
from ...models import FieldType, Response
from ...resources import ReplyRowResource
from ...selectors.offline import questionnaire_items
from .cells import _cell_to_text
from .checks import xlsx_container_check
from .common import META_SHEET, ImportRefused, _max_rows
from .preview import ImportPreview, _compare, _FileItem

REQUIRED_COLUMNS = ("item_code", "field_key", "value", "answer_version")


class _PartNotXml(Exception):
    """A named workbook part (not the sheet of answers) is not well-formed XML."""

    def __init__(self, part: str) -> None:
        super().__init__(part)
        self.part = part


def _time_budget_seconds() -> float:
    return float(getattr(settings, "IMPORT_TIME_BUDGET_SECONDS", 2.5))


def _open_workbook(content: bytes) -> Any:
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds for damaged parts
        raise ImportRefused(
            _("The workbook could not be read (%(cause)s). Save it again from Excel as .xlsx.")
            % {"cause": exc.__class__.__name__}
        ) from exc


def _header_map(header: Sequence[Any], preview: ImportPreview) -> dict[str, int] | None:
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


def _cell(row: Sequence[Any], index: int | None) -> Any:
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
    except (_PartNotXml, ElementTree.ParseError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
        # The sheet is parsed while its rows are read: a part that is no XML (a NUL, a cut, a wrong tag).
        part = (exc.part if isinstance(exc, _PartNotXml) else "") or _sheet_part(workbook)
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

    items = {item.code: item for item in questionnaire_items(consultation=consultation, party_id=response.party_id)}
    fields_of = {
        code: {f.key: f for f in fields_with_specifications(list(item.fields.all()))} for code, item in items.items()
    }

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
        if "value_keys" in columns:
            entry.keys[key] = _cell(values, columns["value_keys"])
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
        raise _PartNotXml(getattr(sheet, "_worksheet_path", "")) from exc  # named in the refusal
    if meta.get("consultation") and meta["consultation"] != response.consultation.slug:
        preview.add_error(
            None,
            "",
            _("This file was exported for another consultation (%(slug)s).") % {"slug": meta["consultation"]},
        )
    if meta.get("party") and meta["party"] != response.party.iso2:
        preview.add_error(None, "", _("This file was exported for another Party's reply."))
