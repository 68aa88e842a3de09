"""All codings of a consultation as an Excel workbook: one row per coding (Party, item, field, code, quote)."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook

from consultation.models import Consultation

from .models import Coding

FORMULA_START = ("=", "+", "-", "@")
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
HEADERS = ("Party", "ISO", "Item", "Field", "Code", "Quote", "Start", "End", "Answer version", "Needs review")


def codings_xlsx(*, consultation: Consultation) -> bytes:
    """The workbook's bytes. A quote a spreadsheet could evaluate (starting with =, +, - or @) is typed as text
    with the quote-prefix style, so it shows exactly as the Party wrote it and is never run as a formula."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Codings"
    sheet.append(HEADERS)
    codings = (
        Coding.objects.with_review()
        .filter(consultation=consultation)
        .select_related("party", "item", "field", "code")
        .order_by("party__name_en", "item__order", "field__order", "start", "code__name_en")
    )
    for coding in codings:
        row = [
            coding.party.name_en,
            coding.party.iso2,
            coding.item.code,
            coding.field.key if coding.field is not None else "(whole answer)",
            coding.code.name_en,
            coding.quote,
            coding.start,
            coding.end,
            coding.answer_version,
            "yes" if coding.needs_review else "",
        ]
        sheet.append([ILLEGAL.sub("", v) if isinstance(v, str) else v for v in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                cell.data_type = "s"
                cell.quotePrefix = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
