"""The download: the questionnaire pre-filled with the reply, as a protected XLSX workbook."""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from ...models import Field, FieldType
from ...resources import ReplyRow, ReplyRowResource
from ...selectors.offline import ReplyDocument
from .cells import _allowed_options_text, _xml_safe, keys_to_cell, value_to_cell
from .common import META_SHEET, WORKBOOK_FORMAT

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
    "value_keys": 18,
}


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
                        value_keys=keys_to_cell(item_field=item_field, value=field_value.value),
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
    sheet.column_dimensions[get_column_letter(keys.index("value_keys") + 1)].hidden = True

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
        option_labels = [option.label for option in options]
        formula = '"' + ",".join(option_labels) + '"'
        if len(formula) > 255 or any("," in label or '"' in label for label in option_labels):
            continue
        if formula not in validations:
            validation = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True)
            validation.error = _("Choose one of: %(keys)s") % {"keys": "; ".join(option_labels)}
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


def _fields_in_order(document: ReplyDocument) -> list[tuple[Field, list[Any]]]:
    return [(fv.field, fv.options) for entry in document.items for fv in entry.fields]
