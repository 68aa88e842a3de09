"""django-import-export resources of the offline round trip.

``ReplyRowResource`` describes the columns of the questionnaire spreadsheet (one row per item and
field) and turns a reply into a ``tablib.Dataset`` with ``export()``. The workbook itself is then
written with openpyxl (``consultation.services.offline``), because tablib's XLSX writer cannot set
what the round trip needs: cells forced to text (an answer starting with ``=`` must never become a
formula), a frozen bold header, column widths, drop-down lists, locked read-only columns and a
hidden sheet with the export's identity.

Import does not go through ``Resource.import_data``: that machinery maps one row to one model
instance, while here several rows (one per field) make up one ``Answer`` that must be validated as
a whole, versioned and compared with what changed online since the download. The resource still
names the columns, so headers are read with the same definitions (in English and French) that
wrote them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets


class RawWidget(widgets.Widget):
    """Hands values over unchanged, so numbers stay numbers and texts stay exact."""

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        return value


@dataclass
class ReplyRow:
    """One row of the spreadsheet: one field of one item, with its current value encoded for a cell."""

    item_code: str
    theme: str
    question: str
    field_key: str
    field_label: str
    field_type: str
    required: str
    allowed_options: str
    value: Any
    answer_version: int
    value_keys: Any = None
    importable: bool = True


def _column(attribute: str, header: Any) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=header, widget=RawWidget(), readonly=True)


class ReplyRowResource(resources.Resource):
    """The columns of the offline questionnaire, in order; headers follow the active language."""

    item_code = _column("item_code", _("Item code"))
    theme = _column("theme", _("Theme"))
    question = _column("question", _("Question"))
    field_key = _column("field_key", _("Field key"))
    field_label = _column("field_label", _("Field"))
    field_type = _column("field_type", _("Field type"))
    required = _column("required", _("Required"))
    allowed_options = _column("allowed_options", _("Allowed options"))
    value = _column("value", _("Value"))
    answer_version = _column("answer_version", _("Answer version"))
    # Hidden in the workbook: the chosen options' keys, so a cell of labels reads back exactly whatever the
    # language it was written in (the import accepts labels in English or French, or keys, in "Value").
    value_keys = _column("value_keys", _("Option keys (do not edit)"))

    class Meta:
        fields = (
            "item_code",
            "theme",
            "question",
            "field_key",
            "field_label",
            "field_type",
            "required",
            "allowed_options",
            "value",
            "answer_version",
            "value_keys",
        )
        export_order = fields

    @classmethod
    def column_keys(cls) -> list[str]:
        return list(cls.Meta.fields)

    @classmethod
    def header_aliases(cls) -> dict[str, str]:
        """Every accepted spelling of each header (the key itself, English, French) → column key."""
        aliases: dict[str, str] = {}
        resource = cls()
        for key in cls.Meta.fields:
            column = resource.fields[key]
            aliases[key.casefold()] = key
            for language in ("en", "fr"):
                with translation.override(language):
                    aliases[str(column.column_name).strip().casefold()] = key
        return aliases
