"""Import stage 1: refuse, before any XML is parsed, what is not a plain, reasonably sized XLSX workbook."""

from __future__ import annotations

import io
import re
import zipfile
import zlib

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from .common import ImportRefused, _max_rows

MAX_ZIP_ENTRIES = 200
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DANGEROUS_XML = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def _max_uncompressed_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_UNCOMPRESSED_BYTES", 50 * 1024 * 1024)


# An exported sheet has a header and one row per field, of at most this many columns (the export writes ten).
MAX_COLUMNS = 16
# A shared text (<si>) or a cell (<c>) of any part, whatever its prefix: counted before openpyxl loads the file.
_SHARED_STRING_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s>/]")
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s>/]")


def _max_cells() -> int:
    """The most cells (and so shared texts) an upload may hold: a full sheet of ``_max_rows`` rows and a header."""
    return (_max_rows() + 1) * MAX_COLUMNS


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
