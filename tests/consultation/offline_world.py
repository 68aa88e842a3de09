"""Builders shared by the offline round-trip, document and receipt tests: an item with every field type, and
helpers to read and edit an exported workbook."""

from __future__ import annotations

import io
from typing import Any

import openpyxl

from consultation.models import Answer
from tests import factories as f

VALUE_COLUMN = "I"
VERSION_COLUMN = "J"


def all_types_item(consultation, *, code: str = "TECH-01"):
    """An item with one field of each type (the text limited to 200 characters)."""
    item = f.ItemFactory(
        consultation=consultation,
        code=code,
        theme=f.ThemeFactory(code="iot", name_en="Internet of Things", name_fr="Internet des objets"),
        text_en="Which measures address connected devices?",
        text_fr="Quelles mesures visent les appareils connectés ?",
        guidance_en="Cite the relevant legislation.",
        order=50,
    )
    position = f.FieldFactory(
        item=item,
        key="position",
        type="single_choice",
        required=True,
        order=1,
        label_en="Position",
        label_fr="Position",
    )
    for order, (key, en, fr) in enumerate(f.POSITION_OPTIONS, start=1):
        f.OptionFactory(field=position, key=key, label_en=en, label_fr=fr, order=order)
    measures = f.FieldFactory(
        item=item,
        key="measures",
        type="multiple_choice",
        order=2,
        label_en="Measures in force",
        label_fr="Mesures en vigueur",
    )
    for order, (key, en) in enumerate([("law", "Legislation"), ("policy", "Policy"), ("training", "Training")], 1):
        f.OptionFactory(field=measures, key=key, label_en=en, label_fr=f"{en} (fr)", order=order)
    priorities = f.FieldFactory(
        item=item, key="priorities", type="ranking", order=3, label_en="Priorities", label_fr="Priorités"
    )
    for order, (key, en) in enumerate(
        [("prevention", "Prevention"), ("detection", "Detection"), ("prosecution", "Prosecution")], 1
    ):
        f.OptionFactory(field=priorities, key=key, label_en=en, label_fr=f"{en} (fr)", order=order)
    f.FieldFactory(
        item=item,
        key="explanation",
        type="text",
        order=4,
        max_length=200,
        label_en="Explanation",
        label_fr="Explication",
    )
    f.FieldFactory(
        item=item,
        key="cases",
        type="number",
        order=5,
        unit="cases",
        min_value=0,
        label_en="Cases recorded in 2023",
        label_fr="Affaires enregistrées en 2023",
    )
    f.FieldFactory(
        item=item, key="references", type="legal_references", order=6, label_en="Legal basis", label_fr="Base juridique"
    )
    f.FieldFactory(
        item=item,
        key="evidence",
        type="attachment",
        order=7,
        label_en="Supporting document",
        label_fr="Document justificatif",
    )
    return item


def workbook(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


def row_of(sheet, code: str, key: str) -> int:
    """The spreadsheet row of an item's field."""
    for row in range(2, sheet.max_row + 1):
        if sheet[f"A{row}"].value == code and sheet[f"D{row}"].value == key:
            return row
    raise AssertionError(f"no row for {code}/{key}")


def set_value(sheet, code: str, key: str, value: Any) -> int:
    row = row_of(sheet, code, key)
    sheet[f"{VALUE_COLUMN}{row}"] = value
    return row


def to_bytes(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def answers_of(response) -> dict[str, tuple[int, dict]]:
    """Every answer of the reply: item code → (version, data)."""
    return {a.item.code: (a.version, a.data) for a in Answer.objects.filter(response=response).select_related("item")}
