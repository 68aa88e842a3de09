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

The package, by responsibility: ``cells`` (values as cells and back), ``workbook`` (the download), ``checks``
(stage 1), ``parser`` (stage 2), ``preview`` (stage 3: the changes and conflicts), ``storage`` (the preview
kept in the session between the two requests) and ``importer`` (the confirmation); ``common`` holds the
format marks and the refusals they share. The Word round trip adds ``docx_form`` (the questionnaire as a Word
form) and ``docx_parser`` (its stages 1 and 2, then the same stage 3, preview and confirmation).
Callers import from the package.
"""

from .cells import cell_to_value, value_to_cell
from .checks import MAX_ZIP_ENTRIES, OLE_MAGIC, xlsx_container_check
from .common import META_SHEET, WORKBOOK_FORMAT, ImportNotApplied, ImportRefused
from .docx_form import DOCX_FORMAT, docx_mark, questionnaire_form_docx
from .docx_parser import docx_container_check, docx_import_preview, is_docx_upload, upload_import_preview
from .importer import ImportResult, offline_import_apply
from .parser import REQUIRED_COLUMNS, offline_import_preview
from .preview import MAX_REPORTED_ERRORS, FieldChange, ImportPreview, ItemChange, RowError
from .storage import (
    MAX_PREVIEWS_PER_SESSION,
    PREVIEW_TIMEOUT_SECONDS,
    SESSION_KEY,
    import_preview_discard,
    import_preview_load,
    import_preview_store,
)
from .workbook import offline_workbook_export, reply_rows

__all__ = [
    "DOCX_FORMAT",
    "MAX_PREVIEWS_PER_SESSION",
    "MAX_REPORTED_ERRORS",
    "MAX_ZIP_ENTRIES",
    "META_SHEET",
    "OLE_MAGIC",
    "PREVIEW_TIMEOUT_SECONDS",
    "REQUIRED_COLUMNS",
    "SESSION_KEY",
    "WORKBOOK_FORMAT",
    "FieldChange",
    "ImportNotApplied",
    "ImportPreview",
    "ImportRefused",
    "ImportResult",
    "ItemChange",
    "RowError",
    "cell_to_value",
    "docx_container_check",
    "docx_import_preview",
    "docx_mark",
    "import_preview_discard",
    "import_preview_load",
    "import_preview_store",
    "is_docx_upload",
    "offline_import_apply",
    "offline_import_preview",
    "offline_workbook_export",
    "questionnaire_form_docx",
    "reply_rows",
    "upload_import_preview",
    "value_to_cell",
    "xlsx_container_check",
]
