"""What the export and the import share: the workbook's format marks, the row limit and the two refusals."""

from __future__ import annotations

from django.conf import settings

WORKBOOK_FORMAT = "lanzarote-offline-1"
META_SHEET = "_meta"


def _max_rows() -> int:
    return getattr(settings, "IMPORT_MAX_ROWS", 5000)


class ImportRefused(Exception):
    """The uploaded file is not a workbook this import can read; nothing was parsed or written."""


class ImportNotApplied(Exception):
    """Confirming the import wrote nothing; the message says why (errors, a new conflict, a locked reply)."""
