"""The report as an Excel workbook, written from the same view as every other format (``documents.document_view``).

Texts are stored as text cells (never formulas), numbers as numbers.
"""

from __future__ import annotations

import io
import re
from typing import Any

from .word import xml_text

CHOICE_TYPES = ("single_choice", "multiple_choice")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def append_row(worksheet: Any, values: list[Any]) -> None:
    """Append one row; every text is stored as a text cell, never a formula.

    openpyxl would turn a text beginning with ``=`` into a formula. Such cells (and every text a spreadsheet
    could evaluate once someone edits it: ``+``, ``-``, ``@``) are typed as text and carry the "quote prefix"
    style, so Excel and LibreOffice show the text as typed and never evaluate it; nothing is added to the text.
    """
    row = [xml_text(v) if isinstance(v, str) else v for v in values]  # what XML (a cell) can hold
    worksheet.append(row)
    for column, value in enumerate(row, start=1):
        if isinstance(value, str) and value.startswith(_FORMULA_START):
            cell = worksheet.cell(row=worksheet.max_row, column=column)
            cell.data_type = "s"
            cell.quotePrefix = True


def sheet_title(name: str, used: set[str]) -> str:
    """A valid, unique sheet name of at most 31 characters."""
    base = _SHEET_FORBIDDEN.sub(" ", name).strip("'")[:31] or "Sheet"
    title, counter = base, 2
    while title.lower() in used:
        suffix = f" ({counter})"
        title = base[: 31 - len(suffix)] + suffix
        counter += 1
    used.add(title.lower())
    return title


def report_xlsx(view: dict[str, Any]) -> bytes:
    """One sheet per table: participation, items, each field's figures or compilation, the matrix."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    L = view["L"]
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()

    def sheet(name: str, header: list[str], rows: list[list[Any]], *, caption: str = "") -> None:
        worksheet = workbook.create_sheet(sheet_title(name, used))
        if caption:
            append_row(worksheet, [caption])
            worksheet.append([])
        append_row(worksheet, header)
        for cell in worksheet[worksheet.max_row]:
            cell.font = Font(bold=True)
        for row in rows:
            append_row(worksheet, row)
        worksheet.freeze_panes = worksheet.cell(row=worksheet.max_row - len(rows) + 1, column=1)

    participation = view["participation"]
    sheet(
        "Participation",
        [L["party"], L["participation"]],
        [[name, "✓"] for name in participation["replied_names"]]
        + [[name, "–"] for name in participation["not_replied_names"]]
        + ([[], [L["under_revision_note"]]] if participation["under_revision"] else []),
        caption=f"{view['title']} – {L['cutoff']}: {view['cutoff']}",
    )
    sheet(
        "Items",
        [L["item"], L["theme"], L["articles"], L["replying"]],
        [
            [i["code"], i["theme_label"], ", ".join(str(a["number"]) for a in i["articles"]), i["replying"]]
            for i in view["items"]
        ],
    )
    for item in view["items"]:
        for field in item["fields"]:
            name = f"{item['code']} {field['key']}"
            caption = f"{item['code']} – {field['label']}"
            kind = field["type"]
            if kind in CHOICE_TYPES:
                sheet(
                    name,
                    [L["option"], L["count"], L["percent"], L["parties"]],
                    [[o["label"], o["count"], o["percent"], ", ".join(o["parties"])] for o in field["options"]],
                    caption=caption,
                )
            elif kind == "ranking":
                sheet(
                    name,
                    [L["option"], L["mean_rank"], L["median_rank"], *[f"{L['rank']} {r}" for r in field["ranks"]]],
                    [[o["label"], o["mean"], o["median"], *o["distribution"]] for o in field["options"]],
                    caption=caption,
                )
            elif kind == "number":
                sheet(
                    name,
                    [L["party"], L["value"]],
                    [[v["party"], float(v["value"])] for v in field["values"]]
                    + [
                        [L["total"], float(field["stats"]["total"]) if field["stats"]["total"] else None],
                        [L["median"], float(field["stats"]["median"]) if field["stats"]["median"] else None],
                        [L["minimum"], float(field["stats"]["min"]) if field["stats"]["min"] else None],
                        [L["maximum"], float(field["stats"]["max"]) if field["stats"]["max"] else None],
                    ],
                    caption=caption,
                )
            elif kind == "text":
                sheet(
                    name,
                    [L["party"], L["language"], L["compilation"]],
                    [[a["party"], a["language"], a["text"]] for a in field["answers"]],
                    caption=caption,
                )
            elif kind == "legal_references":
                sheet(
                    name,
                    [L["party"], L["instrument"], L["provision"], L["link"]],
                    [[r["party"], r["instrument"], r["provision"], r["url"]] for r in field["references"]],
                    caption=caption,
                )
    if view["matrix"]["columns"]:
        sheet(
            "Matrix",
            [L["party"], *view["matrix"]["columns"]],
            [[row["party"], *[(c["label"] if c else "") for c in row["cells"]]] for row in view["matrix"]["rows"]],
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
