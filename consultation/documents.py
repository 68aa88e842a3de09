"""A Party's reply as documents: DOCX (python-docx) and PDF (a Typst template → ``typeset_pdf``).

Ministries circulate a draft for internal clearance, and the submission receipt carries the
submitted reply: both come from a ``ReplyDocument`` (``consultation.selectors.offline``), so every
format shows the same values. Texts are the active language's (item texts, labels); headings are
bilingual, English / French. Answer texts are only ever inserted as text: python-docx escapes
them as XML character data and the PDF template receives them as JSON data, never as markup, so
markup, scripts and formulas in an answer are printed, never interpreted.
"""

from __future__ import annotations

import datetime
import io
import re
from typing import Any

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .models import FieldType
from .selectors.offline import ReplyDocument, reply_document_get
from .selectors.receipts import Receipt
from .typesetting import typeset_pdf

_ILLEGAL_XML_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_CONTENT_TYPE = "application/pdf"

# Fixed headings, shown in both languages (translated centrally in locale/).
HEADINGS = {
    "reply": gettext_noop("Reply"),
    "questionnaire": gettext_noop("Questionnaire"),
    "articles": gettext_noop("Articles"),
    "question": gettext_noop("Question"),
    "guidance": gettext_noop("Guidance"),
    "legal_references": gettext_noop("Legal references"),
    "instrument": gettext_noop("Instrument"),
    "provision": gettext_noop("Provision"),
    "link": gettext_noop("Link"),
    "contents": gettext_noop("Contents"),
    "no_answer": gettext_noop("No answer"),
    "options": gettext_noop("Options"),
    "receipt": gettext_noop("Receipt of submission"),
    "submitted_on": gettext_noop("Submitted on"),
    "submitted_by": gettext_noop("Submitted by"),
    "submission_number": gettext_noop("Submission number"),
    "items_answered": gettext_noop("Items answered"),
    "digest": gettext_noop("Digest of the submitted content (SHA-256)"),
    "answer_here": gettext_noop("Your answer"),
}


def bilingual(message: str) -> str:
    """``message`` in English and French ("Articles / Articles" is shown once)."""
    versions = []
    for language in ("en", "fr"):
        with translation.override(language):
            text = _(message)
        if text not in versions:
            versions.append(text)
    return " / ".join(versions)


def bilingual_pair(english: str, french: str) -> str:
    """A model text's two columns, e.g. a theme's ``name_en`` and ``name_fr``."""
    english, french = (english or "").strip(), (french or "").strip()
    if not french or french == english:
        return english
    if not english:
        return french
    return f"{english} / {french}"


def headings() -> dict[str, str]:
    return {key: bilingual(message) for key, message in HEADINGS.items()}


def _clean(text: Any) -> str:
    return _ILLEGAL_XML_CHARS.sub("", str(text))


def status_line(document: ReplyDocument) -> str:
    """ "Draft for internal clearance" or "Submitted on <date>" (in the active language)."""
    if document.is_submitted:
        return _("Submitted on %(date)s") % {
            "date": formats.date_format(timezone.localtime(document.submitted_at), "DATE_FORMAT")
        }
    return _("Draft for internal clearance")


def document_context(document: ReplyDocument, *, reading_copy: bool = False) -> dict[str, Any]:
    """What the PDF template shows; every value is plain data, escaped by the template."""
    return {
        "document": document,
        "reading_copy": reading_copy,
        "labels": headings(),
        "title": bilingual(HEADINGS["questionnaire" if reading_copy else "reply"]),
        "consultation_title": bilingual_pair(document.consultation.title_en, document.consultation.title_fr),
        "party_name": bilingual_pair(document.party.name_en, document.party.name_fr),
        "status_line": status_line(document),
        "generated_on": formats.date_format(timezone.localtime(document.generated_at), "DATETIME_FORMAT"),
        "sections": [
            {
                "heading": bilingual_pair(section.theme.name_en, section.theme.name_fr),
                "items": [
                    {
                        "entry": entry,
                        "articles": ", ".join(str(article.number) for article in entry.articles),
                        "fields": [
                            {
                                "label": fv.field.label,
                                "is_references": fv.field.type == FieldType.LEGAL_REFERENCES,
                                "is_ranking": fv.field.type == FieldType.RANKING,
                                "kind": fv.field.type,
                                "suggested_words": fv.field.suggested_words,
                                "references": fv.references,
                                "lines": fv.display_lines,
                                "options": [
                                    {"label": option.label, "chosen": _chosen(fv.value, option.key)}
                                    for option in fv.options
                                ],
                            }
                            for fv in entry.fields
                        ],
                    }
                    for entry in section.items
                ],
            }
            for section in document.themes
        ],
    }


def _chosen(value: Any, key: str) -> bool:
    if isinstance(value, list):
        return key in value
    return value == key


def pdf_data(document: ReplyDocument, *, reading_copy: bool = False) -> dict[str, Any]:
    """What ``consultation/offline/reply.typ`` prints: the document context as plain strings and lists."""
    context = document_context(document, reading_copy=reading_copy)
    return {
        "lang": translation.get_language() or "en",
        "reading_copy": reading_copy,
        "labels": context["labels"],
        "title": context["title"],
        "document_title": f"{context['title']} – {context['party_name']}",
        "consultation_title": context["consultation_title"],
        "party_name": context["party_name"],
        "status_line": context["status_line"],
        "generated_on": context["generated_on"],
        "sections": [
            {
                "heading": section["heading"],
                "items": [
                    {
                        "code": item["entry"].item.code,
                        "articles": item["articles"],
                        "question": item["entry"].item.text or "",
                        "guidance": (item["entry"].item.guidance or "") if reading_copy else "",
                        "fields": [
                            {
                                "label": field["label"],
                                "show_options": bool(reading_copy and field["options"] and not field["is_ranking"]),
                                "options": [
                                    {"label": option["label"], "chosen": option["chosen"]}
                                    for option in field["options"]
                                ],
                                "references": [
                                    {
                                        "instrument": str(reference.get("instrument") or ""),
                                        "provision": str(reference.get("provision") or ""),
                                        "url": str(reference.get("url") or ""),
                                    }
                                    for reference in (field["references"] if field["is_references"] else [])
                                ],
                                "lines": [str(line) for line in field["lines"]],
                                "kind": str(field["kind"]),
                                "suggested_words": field["suggested_words"] or 0,
                            }
                            for field in item["fields"]
                        ],
                    }
                    for item in section["items"]
                ],
            }
            for section in context["sections"]
        ],
    }


def reply_pdf(document: ReplyDocument, *, reading_copy: bool = False) -> bytes:
    """The reply as PDF, typeset from the platform's own Typst template with the reply as JSON data."""
    return typeset_pdf(template="consultation/offline/reply.typ", data=pdf_data(document, reading_copy=reading_copy))


def blank_questionnaire_pdf(document: ReplyDocument) -> bytes:
    """The questionnaire with nothing filled in, as PDF for the ministries: every question in full, options as
    boxes to tick, and room to write under each free text (more where the Committee suggests a longer answer)."""
    data = pdf_data(document, reading_copy=True)
    data["blank"] = True
    data["party_name"] = ""
    data["document_title"] = data["title"]
    data["status_line"] = _("Blank questionnaire for national consultation")
    data["labels"]["answer_here"] = bilingual(HEADINGS["answer_here"])
    return typeset_pdf(template="consultation/offline/reply.typ", data=data)


def blank_filename(document: ReplyDocument, *, extension: str) -> str:
    """``questionnaire-emerging-technologies-2024-fr.pdf``: the language in the name, the Party never."""
    return f"questionnaire-{document.consultation.slug}-{translation.get_language() or 'en'}.{extension}"


def receipt_time(moment: Any) -> str:
    """The moment in the platform's time zone, named, then in UTC: "3 December 2026 20:15 (Europe/Paris, 19:15 UTC)"."""
    local = timezone.localtime(moment)
    when = formats.date_format(local, "DATETIME_FORMAT")
    utc = formats.time_format(moment.astimezone(datetime.UTC), "H:i")
    return f"{when} ({timezone.get_current_timezone_name()}, {utc} UTC)"


def receipt_pdf(receipt: Receipt) -> bytes:
    """The receipt as PDF: when, by whom, the digest, then the submitted reply itself (from its snapshot)."""
    response = receipt.response
    document = reply_document_get(
        consultation=response.consultation,
        party=response.party,
        response=response,
        snapshot=receipt.submission.snapshot,
        submitted_at=receipt.submitted_at,
        submission_sequence=receipt.sequence,
    )
    data = pdf_data(document)
    data["title"] = bilingual(HEADINGS["receipt"])
    data["document_title"] = f"{data['title']} – {data['party_name']}"
    data["receipt"] = {
        "rows": [
            [bilingual(HEADINGS["submitted_on"]), receipt_time(receipt.submitted_at)],
            [bilingual(HEADINGS["submitted_by"]), receipt.submitted_by or "–"],
            [bilingual(HEADINGS["submission_number"]), str(receipt.sequence)],
            [
                bilingual(HEADINGS["items_answered"]),
                _("%(answered)d of %(total)d") % {"answered": receipt.items_answered, "total": receipt.items_total},
            ],
            [bilingual(HEADINGS["digest"]), receipt.digest_groups],
        ]
    }
    return typeset_pdf(template="consultation/offline/reply.typ", data=data)


def receipt_filename(receipt: Receipt) -> str:
    """``reply-fr-emerging-technologies-2024-2.pdf``: the submitted reply, number ``sequence``, with its receipt."""
    response = receipt.response
    return f"reply-{response.party.iso2.lower()}-{response.consultation.slug}-{receipt.sequence}.pdf"


def reply_docx(document: ReplyDocument, *, reading_copy: bool = False) -> bytes:
    """The reply as DOCX, with Word heading styles (Heading 1 theme, 2 item, 3 field) for a table of contents.

    ``reading_copy`` adds what a ministry needs to answer offline: guidance and every listed option
    (☒ chosen / ☐ not chosen).
    """
    from docx import Document
    from docx.enum.text import WD_BREAK
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    context = document_context(document, reading_copy=reading_copy)
    labels = context["labels"]
    doc = Document()
    doc.core_properties.title = _clean(f"{context['title']} – {context['party_name']}")[:255]
    doc.core_properties.author = "Lanzarote Committee platform"

    doc.add_paragraph(_clean(context["title"]), style="Title")
    doc.add_paragraph(_clean(context["consultation_title"]), style="Subtitle")
    doc.add_paragraph().add_run(_clean(context["party_name"])).bold = True
    doc.add_paragraph(_clean(context["status_line"]))
    doc.add_paragraph(_clean(context["generated_on"]))

    # A table-of-contents field: Word fills it in from the headings ("Update field").
    doc.add_paragraph(_clean(labels["contents"]), style="TOC Heading" if "TOC Heading" in doc.styles else None)
    toc = doc.add_paragraph()
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), 'TOC \\o "1-3" \\h \\z \\u')
    toc._p.append(field)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    for section in context["sections"]:
        doc.add_heading(_clean(section["heading"]), level=1)
        for item in section["items"]:
            entry = item["entry"]
            doc.add_heading(_clean(entry.item.code), level=2)
            if item["articles"]:
                paragraph = doc.add_paragraph()
                paragraph.add_run(_clean(labels["articles"]) + ": ").bold = True
                paragraph.add_run(_clean(item["articles"]))
            paragraph = doc.add_paragraph()
            paragraph.add_run(_clean(labels["question"]) + ": ").bold = True
            paragraph.add_run(_clean(entry.item.text))
            if reading_copy and entry.item.guidance:
                paragraph = doc.add_paragraph()
                paragraph.add_run(_clean(labels["guidance"]) + ": ").bold = True
                paragraph.add_run(_clean(entry.item.guidance)).italic = True
            for field_view in item["fields"]:
                doc.add_heading(_clean(field_view["label"]), level=3)
                if reading_copy and field_view["options"] and not field_view["is_ranking"]:
                    for option in field_view["options"]:
                        mark = "☒" if option["chosen"] else "☐"
                        doc.add_paragraph(_clean(f"{mark} {option['label']}"))
                    continue
                if field_view["is_references"] and field_view["references"]:
                    table = doc.add_table(rows=1, cols=3)
                    table.style = "Table Grid"
                    for cell, key in zip(table.rows[0].cells, ("instrument", "provision", "link"), strict=True):
                        cell.text = _clean(labels[key])
                        for run in cell.paragraphs[0].runs:
                            run.bold = True
                    for reference in field_view["references"]:
                        cells = table.add_row().cells
                        cells[0].text = _clean(reference["instrument"])
                        cells[1].text = _clean(reference["provision"])
                        cells[2].text = _clean(reference["url"])
                    continue
                if not field_view["lines"]:
                    doc.add_paragraph(_clean(labels["no_answer"])).runs[0].italic = True
                    continue
                for line in field_view["lines"]:
                    doc.add_paragraph(_clean(line))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def reply_filename(document: ReplyDocument, *, extension: str, reading_copy: bool = False) -> str:
    """``reply-fr-emerging-technologies-2024.docx``: ASCII only, safe in a Content-Disposition header."""
    prefix = "questionnaire" if reading_copy else "reply"
    suffix = f"-{document.submission_sequence}" if document.submission_sequence else ""
    return f"{prefix}-{document.party.iso2.lower()}-{document.consultation.slug}{suffix}.{extension}"
