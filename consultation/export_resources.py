"""The columns of the answers export, declared once with django-import-export.

One exported row is one Party × item × field. The rows are plain dicts built by
``consultation.services.exports``; this resource names the columns (headers) and turns each row into
its cells, for every format (XLSX, CSV, JSON).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from import_export import fields, resources

EXPORT_COLUMNS = (
    ("party", _("Party code")),
    ("party_name", _("Party")),
    ("item", _("Item code")),
    ("theme", _("Theme")),
    ("articles", _("Articles")),
    ("field", _("Field")),
    ("field_type", _("Field type")),
    ("value", _("Value")),
    ("language", _("Language")),
    ("state", _("State")),
    ("submitted_at", _("Submitted at")),
)


class AnswerExportResource(resources.Resource):
    """Column definitions for the answers export (rows are dicts keyed by the column keys)."""

    party = fields.Field(attribute="party", column_name="party")
    party_name = fields.Field(attribute="party_name", column_name="party_name")
    item = fields.Field(attribute="item", column_name="item")
    theme = fields.Field(attribute="theme", column_name="theme")
    articles = fields.Field(attribute="articles", column_name="articles")
    field = fields.Field(attribute="field", column_name="field")
    field_type = fields.Field(attribute="field_type", column_name="field_type")
    value = fields.Field(attribute="value", column_name="value")
    language = fields.Field(attribute="language", column_name="language")
    state = fields.Field(attribute="state", column_name="state")
    submitted_at = fields.Field(attribute="submitted_at", column_name="submitted_at")

    class Meta:
        export_order = [key for key, _label in EXPORT_COLUMNS]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._export_fields = self.get_export_fields()

    def row_cells(self, row: dict[str, Any]) -> list[Any]:
        """The cells of one row, in column order (the export fields are resolved once, not per row)."""
        return [self.export_field(f, row) for f in self._export_fields]
