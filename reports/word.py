"""The report as a Word document, written from the same view as every other format (``documents.document_view``).

Real Heading 1–3 styles (so Word builds a table of contents), tables whose header row repeats on every page, and
PNG charts with their alt text. Texts are only ever stored as XML character data.

Why not python-docx's ``add_paragraph``/``cell.text`` for the body: on a compilation of 39 replies of several
paragraphs to 23 questions they cost 7.3 s of CPU, because each call looks the section properties up from the
body's first child (quadratic in the number of paragraphs) and stores a text one character at a time. ``_Body``
appends the same paragraph and run elements directly before the section properties, one text node per run, and
resolves each style name once: the same document in a fraction of the time.
"""

from __future__ import annotations

import io
import re
from typing import Any

from .charts import bar_chart_png

CHOICE_TYPES = ("single_choice", "multiple_choice")
# Characters that XML 1.0 cannot hold (tab, line feed and carriage return are allowed).
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value: Any) -> str:
    """``value`` as text a Word document can store: exactly what was written, less XML's illegal characters."""
    return _XML_ILLEGAL.sub("", "" if value is None else str(value))


class _Body:
    """Appends paragraphs to the document's body, before its section properties, without python-docx's per-call
    look-ups."""

    def __init__(self, document: Any) -> None:
        self.document = document
        self.body = document.element.body
        self.section = self.body.sectPr
        self.style_ids: dict[str, str] = {}

    def style_id(self, name: str) -> str:
        if name not in self.style_ids:
            self.style_ids[name] = self.document.styles[name].style_id
        return self.style_ids[name]

    def append(self, element: Any) -> None:
        if self.section is not None:
            self.section.addprevious(element)
        else:
            self.body.append(element)

    def paragraph(self, text: str = "", *, style: str | None = None, bold: bool = False) -> Any:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        paragraph = OxmlElement("w:p")
        if style:
            properties = OxmlElement("w:pPr")
            style_element = OxmlElement("w:pStyle")
            style_element.set(qn("w:val"), self.style_id(style))
            properties.append(style_element)
            paragraph.append(properties)
        if text:
            paragraph.append(run_element(text, bold=bold))
        self.append(paragraph)
        return paragraph

    def heading(self, text: str, level: int) -> Any:
        return self.paragraph(text, style="Title" if level == 0 else f"Heading {level}")


def run_element(text: str, *, bold: bool = False) -> Any:
    """One run holding ``text`` in a single text node (spaces kept)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = OxmlElement("w:r")
    if bold:
        properties = OxmlElement("w:rPr")
        properties.append(OxmlElement("w:b"))
        run.append(properties)
    node = OxmlElement("w:t")
    node.text = xml_text(text)
    node.set(qn("xml:space"), "preserve")
    run.append(node)
    return run


def _cell(cell: Any, text: str, *, bold: bool = False) -> None:
    if text:
        cell._tc.p_lst[0].append(run_element(text, bold=bold))


def _table(body: _Body, header: list[str], rows: list[list[Any]]) -> None:
    """A grid table whose header row repeats on every page it spans."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    table = body.document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    head = table.rows[0]
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    head._tr.get_or_add_trPr().append(repeat)
    for cell, text in zip(head.cells, header, strict=True):
        _cell(cell, str(text), bold=True)
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            _cell(cell, "" if value is None else str(value))
    body.paragraph()


def _picture(body: _Body, png: bytes, *, alt: str) -> None:
    """The chart as an inline picture in a paragraph of its own, titled and described by ``alt``."""
    from docx.shared import Inches
    from docx.text.paragraph import Paragraph

    paragraph = body.paragraph()
    shape = Paragraph(paragraph, body.document._body).add_run().add_picture(io.BytesIO(png), width=Inches(6))
    shape._inline.docPr.set("descr", xml_text(alt))
    shape._inline.docPr.set("title", xml_text(alt))


def report_docx(view: dict[str, Any]) -> bytes:
    """The report as DOCX bytes."""
    from docx import Document

    L = view["L"]
    document = Document()
    document.core_properties.title = xml_text(view["title"])[:255]  # the property holds at most 255 characters
    document.core_properties.author = L["committee"]
    body = _Body(document)
    body.heading(view["title"], 0)
    body.paragraph(view["consultation_title"])
    body.paragraph(f"{L['cutoff']}: {view['cutoff']}. {L['cutoff_note']}")

    participation = view["participation"]
    body.heading(L["participation"], 1)
    body.paragraph(f"{L['replying']}: {participation['replied_count']} / {participation['asked_count']}")
    body.heading(f"{L['replied']} ({participation['replied_count']})", 2)
    body.paragraph(", ".join(participation["replied_names"]) or "–")
    if participation["under_revision"]:
        body.paragraph(L["under_revision_note"])
        for entry in participation["under_revision"]:
            body.paragraph(f"{L['under_revision']} {entry['since']}: {entry['party']}", style="List Bullet")
    body.heading(f"{L['not_replied']} ({len(participation['not_replied_names'])})", 2)
    body.paragraph(", ".join(participation["not_replied_names"]) or "–")

    body.heading(L["summary"], 1)
    _table(
        body,
        [L["item"], L["theme"], L["articles"], L["replying"]],
        [
            [i["code"], i["theme_label"], ", ".join(str(a["number"]) for a in i["articles"]), i["replying"]]
            for i in view["items"]
        ],
    )
    for item in view["items"]:
        body.heading(item["heading"], 1)
        body.paragraph(item["text_en"])
        if item["text_fr"] != item["text_en"]:
            body.paragraph(item["text_fr"])
        if item["article_labels"]:
            body.paragraph("; ".join(item["article_labels"]))
        for field in item["fields"]:
            body.heading(field["label"], 2)
            _field(body, field, L)
    if view["matrix"]["columns"]:
        body.heading(L["matrix"], 1)
        _table(
            body,
            [L["party"], *view["matrix"]["columns"]],
            [[row["party"], *[(c["label"] if c else "–") for c in row["cells"]]] for row in view["matrix"]["rows"]],
        )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _field(body: _Body, field: dict[str, Any], L: dict[str, str]) -> None:
    kind = field["type"]
    if kind in CHOICE_TYPES:
        spec = field["chart"]
        png = bar_chart_png(labels=spec["labels"], values=spec["values"], xlabel=spec["xlabel"])
        _picture(body, png, alt=spec["title"])
        _table(
            body,
            [L["option"], L["count"], L["percent"], L["parties"]],
            [[o["label"], o["count"], f"{o['percent']:.1f} %", ", ".join(o["parties"])] for o in field["options"]],
        )
    elif kind == "ranking":
        _table(
            body,
            [L["option"], L["mean_rank"], L["median_rank"], *[f"{L['rank']} {r}" for r in field["ranks"]]],
            [[o["label"], o["mean"], o["median"], *o["distribution"]] for o in field["options"]],
        )
    elif kind == "number":
        stats = field["stats"]
        _table(
            body,
            [L["statistic"], L["value"]],
            [
                [L["reporting"], stats["count"]],
                [L["total"], stats["total"]],
                [L["median"], stats["median"]],
                [L["minimum"], stats["min"]],
                [L["maximum"], stats["max"]],
            ],
        )
        _table(body, [L["party"], L["value"]], [[v["party"], v["value"]] for v in field["values"]])
    elif kind == "text":
        if not field["answers"]:
            body.paragraph(L["no_replies"])
        for answer in field["answers"]:
            body.heading(answer["party"], 3)
            for paragraph in answer["text"].split("\n"):
                body.paragraph(paragraph)
    elif kind == "legal_references":
        if not field["references"]:
            body.paragraph(L["no_replies"])
            return
        _table(
            body,
            [L["party"], L["instrument"], L["provision"], L["link"]],
            [[r["party"], r["instrument"], r["provision"], r["url"]] for r in field["references"]],
        )
