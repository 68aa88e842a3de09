"""The Word round trip's upload: a filled questionnaire form (``docx_form``) read back into an ``ImportPreview``.

The same three stages as the spreadsheet, and the same preview, row errors, conflicts and confirmation:

1. the container (``docx_container_check``), before any XML is parsed: size, a real ZIP holding
   ``word/document.xml``, no encryption, at most ``MAX_ZIP_ENTRIES`` parts and ``IMPORT_MAX_UNCOMPRESSED_BYTES``
   unpacked, no DOCTYPE or entity, **no macros** (a ``.docm``, a ``vbaProject`` part, a macro-enabled content
   type), **no external relationship** (``TargetMode="External"``: a remote template, image, frame or object
   Word would fetch when the file is opened) other than plain hyperlinks, which are never fetched and which Word
   makes by itself from a typed web address; and at most as many table cells and paragraphs as a questionnaire
   needs, counted by streaming before python-docx loads the document;
2. the document, read with python-docx within the time budget (``IMPORT_TIME_BUDGET_SECONDS``): every table row
   whose first cell holds a hidden mark ``⟦lzr|ITEM|FIELD|VERSION⟧`` is an answer box; its paragraphs become the
   value, in the spreadsheet cell's format (option keys, "; " lists, " > " rankings, reference lines);
3. the values, compared and validated by ``preview._compare``, exactly as for a spreadsheet.

A problem is named by its answer box (numbered in document order) and the item and field it belongs to.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
import zlib
from typing import Any

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from ...answer_values import fields_with_specifications
from ...models import FieldType, Response
from ...selectors.offline import questionnaire_items
from .cells import MULTIPLE_SEPARATOR, RANKING_SEPARATOR, _CellError, _resolve_option
from .checks import MAX_ZIP_ENTRIES, OLE_MAGIC, _declares_doctype, _max_cells, _max_uncompressed_bytes
from .common import ImportRefused
from .docx_form import DOCX_FORMAT, MARK_CLOSE, MARK_OPEN
from .parser import _past_deadline, _time_budget_seconds, offline_import_preview
from .preview import ImportPreview, _compare, _FileItem

_MARK = re.compile(re.escape(MARK_OPEN) + r"([^|⟧]{1,40})\|([^|⟧]{1,80})\|(\d{1,9})" + re.escape(MARK_CLOSE))
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>", re.IGNORECASE)
_EXTERNAL = re.compile(rb"""TargetMode\s*=\s*["']External["']""", re.IGNORECASE)
_TYPE = re.compile(rb"""\bType\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
_CELL_TAG = re.compile(rb"<w:tc[\s>/]")
_PARAGRAPH_TAG = re.compile(rb"<w:p[\s>/]")
_CHECKED = re.compile(r"^\s*(?:[☒☑✓✔✗✘■]|\[\s*[xX✓]\s*\]|[xX](?=\s))\s*")
_UNCHECKED = re.compile(r"^\s*(?:[☐□]|\[\s*\])\s*")
_RANK = re.compile(r"^\s*(?:(\d{1,3})\s*[.)]?|_+)?\s*(.*?)\s*$")
DOCX_EXTENSIONS = (".docx", ".docm", ".dotx", ".dotm")


def is_docx_upload(*, content: bytes, filename: str = "") -> bool:
    """Whether an upload is meant as a Word document (by its name, or a ZIP holding ``word/document.xml``)."""
    if filename.lower().endswith(DOCX_EXTENSIONS):
        return True
    if not content.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def docx_container_check(*, content: bytes, filename: str = "") -> None:
    """Refuse, before any XML is parsed, what is not a plain, reasonably sized Word document without macros or
    external content."""
    limit = settings.IMPORT_MAX_BYTES
    if not content:
        raise ImportRefused(_("The file is empty."))
    if len(content) > limit:
        raise ImportRefused(
            _("The file is %(size)s bytes; the limit is %(limit)s bytes.") % {"size": len(content), "limit": limit}
        )
    if filename.lower().endswith((".docm", ".dotm")):
        raise ImportRefused(_macro_message())
    if content.startswith(OLE_MAGIC):
        raise ImportRefused(
            _(
                "The file is password-protected or in the old Word 97-2003 format (.doc). Remove the password and "
                "save it as a Word document (.docx)."
            )
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportRefused(
            _("The file is not a Word document. Save it from Word as “Word Document (.docx)”.")
        ) from exc
    with archive:
        names = {entry.filename for entry in entries}
        if "word/document.xml" not in names or "[Content_Types].xml" not in names:
            raise ImportRefused(_("The file is a ZIP archive but not a Word document (no word/document.xml)."))
        if len(entries) > MAX_ZIP_ENTRIES:
            raise ImportRefused(
                _("The document holds %(count)d parts; at most %(max)d are accepted.")
                % {"count": len(entries), "max": MAX_ZIP_ENTRIES}
            )
        if any(entry.flag_bits & 0x1 for entry in entries):
            raise ImportRefused(_("The document is encrypted. Remove the password and save it again."))
        if sum(entry.file_size for entry in entries) > _max_uncompressed_bytes():
            raise ImportRefused(
                _("The document unpacks to %(size)d MB; at most %(max)d MB are accepted.")
                % {
                    "size": sum(entry.file_size for entry in entries) // (1024 * 1024),
                    "max": _max_uncompressed_bytes() // (1024 * 1024),
                }
            )
        if any("vbaproject" in name.lower() or "vbadata" in name.lower() for name in names):
            raise ImportRefused(_macro_message())
        for entry in entries:
            if not entry.filename.endswith((".xml", ".rels", ".vml")):
                continue
            if _declares_doctype(archive, entry):
                raise ImportRefused(
                    _("The document part %(name)s declares a DOCTYPE or entities, which Word never writes.")
                    % {"name": entry.filename}
                )
        if b"macroenabled" in _read(archive, "[Content_Types].xml").lower():
            raise ImportRefused(_macro_message())
        for entry in entries:
            if entry.filename.endswith(".rels"):
                _check_relationships(_read(archive, entry.filename), part=entry.filename)
        _check_counts(archive)


def _macro_message() -> str:
    return _(
        "The document contains macros (a macro-enabled .docm file). Macros are never accepted: save it from Word "
        "as “Word Document (.docx)”, which removes them, and upload it again."
    )


def _read(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        return archive.read(name)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError, zlib.error) as exc:
        raise ImportRefused(_("The document part %(name)s is damaged.") % {"name": name}) from exc


def _check_relationships(data: bytes, *, part: str) -> None:
    """Refuse any relationship to content outside the file, but plain hyperlinks (Word never fetches them)."""
    for relationship in _RELATIONSHIP.findall(data):
        if not _EXTERNAL.search(relationship):
            continue
        found = _TYPE.search(relationship)
        kind = found.group(1).decode("utf-8", "replace").rsplit("/", 1)[-1] if found else ""
        if kind == "hyperlink":
            continue
        raise ImportRefused(
            _(
                "The document links to external content (%(kind)s, in %(part)s) that Word would fetch when it is "
                "opened. Such links are never accepted: remove them (or save the answers in the downloaded form) "
                "and upload it again."
            )
            % {"kind": kind or _("unknown"), "part": part}
        )


def _check_counts(archive: zipfile.ZipFile) -> None:
    """Refuse a document with more table cells or paragraphs than a questionnaire ever needs, counted by
    streaming before python-docx builds its tree (stops at the limit)."""
    limit = _max_cells()
    cells = paragraphs = 0
    carry = b""
    try:
        with archive.open("word/document.xml") as stream:
            while chunk := stream.read(64 * 1024):
                data = carry + chunk
                cut = data.rfind(b"<", max(0, len(data) - 16))
                cut = len(data) if cut == -1 else cut
                cells += len(_CELL_TAG.findall(data, 0, cut))
                paragraphs += len(_PARAGRAPH_TAG.findall(data, 0, cut))
                carry = data[cut:]
                if cells > limit or paragraphs > 4 * limit:
                    break
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError, zlib.error) as exc:
        raise ImportRefused(_("The document part %(name)s is damaged.") % {"name": "word/document.xml"}) from exc
    if cells > limit or paragraphs > 4 * limit:
        raise ImportRefused(
            _(
                "The document holds over %(max)s table cells or paragraphs, more than a questionnaire ever needs. "
                "Upload the downloaded form with your answers, without added tables."
            )
            % {"max": number_format(limit, force_grouping=True)}
        )


def _open_document(content: bytes) -> Any:
    from docx import Document

    try:
        return Document(io.BytesIO(content))
    except Exception as exc:  # python-docx and lxml raise many kinds for damaged parts
        raise ImportRefused(
            _("The document could not be read (%(cause)s). Save it again from Word as .docx.")
            % {"cause": exc.__class__.__name__}
        ) from exc


def docx_import_preview(*, response: Response, content: bytes, filename: str = "") -> ImportPreview:
    """Read and validate an uploaded Word form against the reply; writes nothing (like ``offline_import_preview``).

    Raises ``ImportRefused`` when the file itself is unacceptable; every problem inside it is collected in
    ``preview.errors``, named by answer box, item and field.
    """
    preview = ImportPreview(filename=filename[:200], source="docx")
    deadline = time.monotonic() + _time_budget_seconds()
    docx_container_check(content=content, filename=filename)
    document = _open_document(content)
    _past_deadline(deadline)
    _check_identity(document, response=response, preview=preview)
    if preview.has_errors:
        return preview
    items = {
        item.code: item for item in questionnaire_items(consultation=response.consultation, party_id=response.party_id)
    }
    fields_of = {
        code: {f.key: f for f in fields_with_specifications(list(item.fields.all()))} for code, item in items.items()
    }
    where: dict[int, str] = {}
    file_items: dict[str, _FileItem] = {}
    box = 0
    for table in document.tables:
        for row in table.rows:
            _past_deadline(deadline)
            cells = row.cells
            if not cells:
                continue
            found = _MARK.search(cells[0].text)
            if found is None:
                continue
            box += 1
            preview.rows_read += 1
            code, key, version = found.group(1), found.group(2), int(found.group(3))
            where[box] = code
            if code not in items:
                preview.add_error(box, code, _("Unknown item code “%(code)s”.") % {"code": code})
                continue
            item_field = fields_of[code].get(key)
            if item_field is None:
                preview.add_error(box, code, _("Item %(code)s has no field “%(key)s”.") % {"code": code, "key": key})
                continue
            where[box] = f"{code} – {item_field.label}"
            if len(cells) < 2 or cells[-1]._tc is cells[0]._tc:
                preview.add_error(box, where[box], _("The answer box was merged or removed; keep the table as it is."))
                continue
            entry = file_items.setdefault(code, _FileItem(item=items[code], first_row=box))
            if key in entry.rows:
                preview.add_error(
                    box,
                    where[box],
                    _("%(code)s / %(key)s already appears in answer box %(row)d.")
                    % {"code": code, "key": key, "row": entry.rows[key]},
                )
                continue
            entry.rows[key] = box
            entry.versions.add(version)
            if item_field.type == FieldType.ATTACHMENT:
                continue  # read-only in the form: files are added on the platform
            lines = [paragraph.text for paragraph in cells[-1].paragraphs]
            try:
                entry.raw[key] = _lines_to_cell(item_field, lines)
            except _CellError as exc:
                preview.add_error(box, where[box], str(exc))
                entry.raw.pop(key, None)
    if not box and not preview.has_errors:
        preview.add_error(
            None,
            "",
            _(
                "The document holds no answer box of the platform's questionnaire. Download the Word form from "
                "“Work offline”, answer in it and upload that file."
            ),
        )
        return preview
    _past_deadline(deadline)
    _compare(
        response=response,
        file_items=file_items,
        preview=preview,
        column_names={"item_code": "", "answer_version": "", "value": ""},
    )
    for error in preview.errors:  # name the item and field of every problem, as the boxes carry no visible number
        if not error.column and error.row in where:
            error.column = where[error.row]
    return preview


def _check_identity(document: Any, *, response: Response, preview: ImportPreview) -> None:
    identifier = (document.core_properties.identifier or "").strip()
    if not identifier.startswith(DOCX_FORMAT + "|"):
        return  # another Word may drop the identifier: the hidden marks still name every answer
    parts = [*identifier.split("|"), "", ""][:3]
    if parts[1] and parts[1] != response.consultation.slug:
        preview.add_error(
            None, "", _("This file was exported for another consultation (%(slug)s).") % {"slug": parts[1]}
        )
    if parts[2] and parts[2] != response.party.iso2:
        preview.add_error(None, "", _("This file was exported for another Party's reply."))


def _lines_to_cell(item_field: Any, lines: list[str]) -> str | None:
    """An answer box's paragraphs as the spreadsheet cell would hold them (None when the box is empty)."""
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    while lines and not lines[0].strip():
        lines = lines[1:]
    if not lines:
        return None
    kind = item_field.type
    options = list(item_field.options.all()) if item_field.pk else []
    if kind in (FieldType.SINGLE_CHOICE, FieldType.MULTIPLE_CHOICE):
        chosen = []
        for line in lines:
            checked = _CHECKED.match(line)
            if checked is None:
                continue
            label = line[checked.end() :].strip()
            if label:
                chosen.append(_resolve_option(label, item_field, options))
        if not chosen:
            return None
        if kind == FieldType.SINGLE_CHOICE and len(set(chosen)) > 1:
            raise _CellError(
                _("Only one box may be ticked for “%(field)s”; %(count)d are.")
                % {"field": item_field.label, "count": len(set(chosen))}
            )
        return f"{MULTIPLE_SEPARATOR} ".join(dict.fromkeys(chosen))
    if kind == FieldType.RANKING:
        ranks: list[tuple[int, str]] = []
        unranked = 0
        for line in lines:
            if not line.strip():
                continue
            match = _RANK.match(_UNCHECKED.sub("", line))
            number, label = (match.group(1), match.group(2)) if match else (None, line.strip())
            key = _resolve_option(label, item_field, options)
            if number is None:
                unranked += 1
            else:
                ranks.append((int(number), key))
        if not ranks:
            return None
        if unranked or sorted(rank for rank, _key in ranks) != list(range(1, len(ranks) + 1)):
            raise _CellError(
                _("Number every option of “%(field)s” once, from 1 to %(count)d.")
                % {"field": item_field.label, "count": len(options)}
            )
        return f" {RANKING_SEPARATOR} ".join(key for _rank, key in sorted(ranks))
    return "\n".join(line.rstrip() for line in lines)


def upload_import_preview(*, response: Response, content: bytes, filename: str = "") -> ImportPreview:
    """The preview of an upload on the "Work offline" page: a Word form or a spreadsheet, told apart by content."""
    if is_docx_upload(content=content, filename=filename):
        return docx_import_preview(response=response, content=content, filename=filename)
    return offline_import_preview(response=response, content=content, filename=filename)
