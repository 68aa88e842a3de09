"""The questionnaire as a Word form: the reply (or a blank questionnaire) that ministries fill in and upload back.

Ministries draft in Word. The file is an ordinary A4 document (a heading per theme and item, the full question,
guidance, a table per item with one answer box per field) that also reads back exactly:

- each answer row's first cell holds a hidden mark, ``⟦lzr|ITEM|FIELD|VERSION⟧`` (hidden text: Word keeps it
  through edits and copies but neither shows nor prints it), naming the item, the field and the answer version
  the file was made from, so an answer changed online since is a conflict, as in the spreadsheet;
- the document's identifier (``dc:identifier``) names the format, the consultation and the Party
  (``lanzarote-docx-1|<slug>|<ISO2>``; no Party for the blank questionnaire, which any delegation may fill);
- the answer cell holds the value as the spreadsheet cell does, one paragraph per line: texts as written,
  choices as ``☐``/``☒`` boxes in front of each option's label, rankings as ``1. label`` lines, legal references as
  ``instrument | provision | link`` lines. ``docx_parser`` reads it back.
"""

from __future__ import annotations

import io
from typing import Any

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from ...answer_values import number_rule
from ...documents import HEADINGS, _clean, bilingual, bilingual_pair
from ...models import FieldType
from ...selectors.offline import FieldValue, ReplyDocument
from .cells import REFERENCE_SEPARATOR, value_to_cell

DOCX_FORMAT = "lanzarote-docx-1"
MARK_OPEN, MARK_CLOSE = "⟦lzr|", "⟧"
CHECKED, UNCHECKED = "☒", "☐"


def docx_mark(*, item_code: str, field_key: str, version: int) -> str:
    """The hidden mark of one answer row."""
    return f"{MARK_OPEN}{item_code}|{field_key}|{version}{MARK_CLOSE}"


def docx_identifier(document: ReplyDocument, *, blank: bool) -> str:
    return "|".join((DOCX_FORMAT, document.consultation.slug, "" if blank else document.party.iso2))


def _answer_lines(field_value: FieldValue) -> list[str]:
    """The answer box's paragraphs: what the reader changes in Word."""
    item_field = field_value.field
    kind = item_field.type
    if kind in (FieldType.SINGLE_CHOICE, FieldType.MULTIPLE_CHOICE):
        chosen = field_value.value if isinstance(field_value.value, list) else [field_value.value]
        return [f"{CHECKED if option.key in chosen else UNCHECKED} {option.label}" for option in field_value.options]
    if kind == FieldType.RANKING:
        ranked = list(field_value.value or [])
        by_key = {option.key: option for option in field_value.options}
        ordered = [by_key[key] for key in ranked if key in by_key]
        ordered += [option for option in field_value.options if option.key not in ranked]
        return [
            f"{index}. {option.label}" if ranked else f"__ {option.label}"
            for index, option in enumerate(ordered, start=1)
        ]
    if kind == FieldType.ATTACHMENT:
        return list(field_value.attachments)
    cell = value_to_cell(item_field=item_field, value=field_value.value)
    return [] if cell is None else str(cell).split("\n")


def _hint(field_value: FieldValue) -> str:
    kind = field_value.field.type
    if kind == FieldType.SINGLE_CHOICE:
        return _("Tick one box: replace ☐ by ☒ (or type x before the option).")
    if kind == FieldType.MULTIPLE_CHOICE:
        return _("Tick every box that applies: replace ☐ by ☒ (or type x before the option).")
    if kind == FieldType.RANKING:
        return _("Number every option, 1 being the most important (e.g. “1. Prevention”).")
    if kind == FieldType.LEGAL_REFERENCES:
        return _("One reference per line: instrument %(separator)s provision %(separator)s link") % {
            "separator": REFERENCE_SEPARATOR
        }
    if kind == FieldType.NUMBER:
        rule = number_rule(field_value.field)
        return f"{rule} ({field_value.field.unit})" if field_value.field.unit else rule
    if kind == FieldType.ATTACHMENT:
        return _("Read-only: add files on the platform")
    if field_value.field.suggested_words:
        return _("Suggested length: about %(words)d words") % {"words": field_value.field.suggested_words}
    return ""


def _shade(cell: Any, colour: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().append(shading)


def questionnaire_form_docx(document: ReplyDocument, *, blank: bool = False) -> bytes:
    """The questionnaire as an A4 Word form, pre-filled with the reply (or blank), that reads back exactly."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Mm, Pt, RGBColor

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(2)
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(10.5)

    title = bilingual(HEADINGS["questionnaire"])
    party = "" if blank else bilingual_pair(document.party.name_en, document.party.name_fr)
    properties = doc.core_properties
    properties.title = _clean(f"{title} – {party}" if party else title)[:255]
    properties.author = "Lanzarote Committee platform"
    properties.identifier = docx_identifier(document, blank=blank)
    properties.language = translation.get_language() or "en"

    doc.add_paragraph(_clean(title), style="Title")
    doc.add_paragraph(
        _clean(bilingual_pair(document.consultation.title_en, document.consultation.title_fr)), style="Subtitle"
    )
    if party:
        doc.add_paragraph().add_run(_clean(party)).bold = True
    doc.add_paragraph(
        _("Blank questionnaire for national consultation")
        if blank
        else _("Draft for internal clearance: reply as on %(date)s")
        % {"date": formats.date_format(timezone.localtime(document.generated_at), "DATETIME_FORMAT")}
    )
    guide = doc.add_paragraph()
    guide.add_run(_("How to answer: ")).bold = True
    guide.add_run(
        _(
            "write in the shaded “Your answer” boxes only; keep the tables as they are (do not add, remove or merge "
            "rows). Then upload this file on the platform, under “Work offline”: you will see every change before "
            "anything is saved. Answers changed on the platform in the meantime are shown side by side for you to "
            "choose."
        )
    )

    for theme_section in document.themes:
        doc.add_heading(_clean(bilingual_pair(theme_section.theme.name_en, theme_section.theme.name_fr)), level=1)
        for entry in theme_section.items:
            item = entry.item
            doc.add_heading(_clean(item.code), level=2)
            articles = ", ".join(str(article.number) for article in entry.articles)
            if articles:
                paragraph = doc.add_paragraph()
                paragraph.add_run(_clean(bilingual(HEADINGS["articles"])) + ": ").bold = True
                paragraph.add_run(articles)
            doc.add_paragraph(_clean(item.text))
            if item.guidance:
                paragraph = doc.add_paragraph()
                paragraph.add_run(_clean(item.guidance)).italic = True
            table = doc.add_table(rows=0, cols=2)
            table.style = "Table Grid"
            table.autofit = False
            for field_value in entry.fields:
                cells = table.add_row().cells
                cells[0].width, cells[1].width = Cm(5.5), Cm(11.5)
                label = cells[0].paragraphs[0]
                label.add_run(_clean(field_value.field.label)).bold = True
                if field_value.field.required:
                    label.add_run(" *")
                mark = label.add_run(
                    docx_mark(item_code=item.code, field_key=field_value.field.key, version=entry.version)
                )
                mark.font.hidden = True
                mark.font.size = Pt(1)
                hint = _hint(field_value)
                if hint:
                    run = cells[0].add_paragraph().add_run(_clean(hint))
                    run.italic = True
                    run.font.size = Pt(8.5)
                    run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
                lines = _answer_lines(field_value)
                box = cells[1]
                box.paragraphs[0].text = _clean(lines[0]) if lines else ""
                for line in lines[1:]:
                    box.add_paragraph(_clean(line))
                if field_value.field.type == FieldType.TEXT and not lines:
                    for _blank in range(3):  # room to write
                        box.add_paragraph("")
                if field_value.field.type != FieldType.ATTACHMENT:
                    _shade(box, "F2F5FA")
            doc.add_paragraph()
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
