"""Word documents: the comparative reports (from ``documents.document_view``) and any ``sections.Document``.

What a Secretariat officer expects of a document to table: A4 pages, the document symbol in the running header,
"n / N" page numbers (PAGE and NUMPAGES fields) in the footer, a cover (committee, title, symbol, date, meeting,
classification), a real table of contents field (Word fills in its page numbers on opening: ``w:updateFields``),
numbered headings in the Heading 1–3 styles, tables and figures with numbered captions (SEQ fields) and charts
with alt text, the edition's language in the styles and the core properties. Texts are only ever stored as XML
character data, never parsed as markup.

Why not python-docx's ``add_paragraph``/``cell.text`` for the body: on a compilation of 39 replies of several
paragraphs to 23 questions they cost 7.3 s of CPU, because each call looks the section properties up from the
body's first child (quadratic in the number of paragraphs) and stores a text one character at a time. ``_Writer``
appends the same paragraph, run and table elements directly before the section properties, one text node per
line, and resolves each style name once: the same document in a fraction of the time.
"""

from __future__ import annotations

import copy
import datetime
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .charts import bar_chart_png
from .sections import Block, BulletList, Document, DocumentMeta, Paragraph, Section, Table

CHOICE_TYPES = ("single_choice", "multiple_choice")
# Characters that XML 1.0 cannot hold (tab, line feed and carriage return are allowed).
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# A4 in twentieths of a point, margins of 2.5 cm (2 cm at the foot), header and footer 1.25 cm from the edge.
A4_TWIPS = (11906, 16838)
MARGINS_TWIPS = {"top": 1418, "right": 1418, "bottom": 1134, "left": 1418, "header": 709, "footer": 709, "gutter": 0}
TEXT_WIDTH_TWIPS = A4_TWIPS[0] - MARGINS_TWIPS["left"] - MARGINS_TWIPS["right"]
LANGUAGE_TAGS = {"en": "en-GB", "fr": "fr-FR"}
HEADER_FILL = "D9E2F3"
MATRIX_COLUMNS_PER_TABLE = 10  # on a landscape A4 page, with the Party column repeated
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV")


def xml_text(value: Any) -> str:
    """``value`` as text a Word document can store: exactly what was written, less XML's illegal characters."""
    return _XML_ILLEGAL.sub("", "" if value is None else str(value))


def _el(tag: str, **attributes: str) -> Any:
    """A WordprocessingML element with ``w:`` attributes (``val="x"`` → ``w:val="x"``)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), value)
    return element


def _sub(parent: Any, tag: str, **attributes: str) -> Any:
    element = _el(tag, **attributes)
    parent.append(element)
    return element


def run_element(text: str, *, bold: bool = False, italic: bool = False) -> Any:
    """One run holding ``text``: one text node per line, line feeds as ``w:br`` (spaces kept)."""
    from docx.oxml.ns import qn

    run = _el("w:r")
    if bold or italic:
        properties = _sub(run, "w:rPr")
        if bold:
            _sub(properties, "w:b")
        if italic:
            _sub(properties, "w:i")
    for index, line in enumerate(xml_text(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")):
        if index:
            _sub(run, "w:br")
        node = _sub(run, "w:t")
        node.text = line
        node.set(qn("xml:space"), "preserve")
    return run


def _field_runs(instruction: str, result: str = "") -> list[Any]:
    """A complex field (begin, instruction, separate, cached result, end) as runs of a paragraph."""
    from docx.oxml.ns import qn

    begin = _el("w:r")
    _sub(begin, "w:fldChar", fldCharType="begin", dirty="true")
    code = _el("w:r")
    node = _sub(code, "w:instrText")
    node.text = f" {instruction} "
    node.set(qn("xml:space"), "preserve")
    separate = _el("w:r")
    _sub(separate, "w:fldChar", fldCharType="separate")
    end = _el("w:r")
    _sub(end, "w:fldChar", fldCharType="end")
    return [begin, code, separate, run_element(result), end]


def _paragraphs(text: str) -> list[str]:
    """Paragraphs split on blank lines (single line feeds stay line breaks within a paragraph)."""
    text = xml_text(text).replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    return [block for block in re.split(r"\n\s*\n", text) if block.strip()]


def edition_date(value: datetime.date | None, language: str) -> str:
    """``3 December 2026`` / ``3 décembre 2026``: the month written out, in the edition's language."""
    if value is None:
        return ""
    with translation.override(language):
        return formats.date_format(value, "j F Y")


def number_heading(numbers: Sequence[int], title: str) -> str:
    """``"2.1 Title"`` (``"2. Title"`` at the first level)."""
    if not numbers:
        return title
    label = ".".join(str(n) for n in numbers)
    return f"{label}. {title}" if len(numbers) == 1 else f"{label} {title}"


class _Writer:
    """One Word document being written: page set-up, styles, running header and footer, body, captions."""

    def __init__(self, meta: DocumentMeta) -> None:
        from docx import Document as new_document

        self.meta = meta
        self.document = new_document()
        self.body = self.document.element.body
        self.section_properties = self.body.sectPr
        self.style_ids: dict[str, str] = {}
        self.tables = 0
        self.figures = 0
        self.bookmarks = 0
        self.headings: list[tuple[int, str, str]] = []  # (level, text, bookmark) for the contents' cached result
        self.toc_paragraph: Any = None
        self.text_width = TEXT_WIDTH_TWIPS
        self._page_setup()
        self._styles()
        self._header_footer()
        self._properties()
        self._settings()

    # --- set-up --------------------------------------------------------------------------------------------

    def _page_setup(self) -> None:
        from docx.oxml.ns import qn

        properties = self.section_properties
        size = properties.find(qn("w:pgSz"))
        size.set(qn("w:w"), str(A4_TWIPS[0]))
        size.set(qn("w:h"), str(A4_TWIPS[1]))
        margins = properties.find(qn("w:pgMar"))
        for side, value in MARGINS_TWIPS.items():
            margins.set(qn(f"w:{side}"), str(value))
        title_page = properties.find(qn("w:titlePg"))
        if title_page is None:
            properties.append(_el("w:titlePg"))  # no running header or footer on the cover

    def _styles(self) -> None:
        from docx.enum.style import WD_STYLE_TYPE
        from docx.oxml.ns import qn
        from docx.shared import Pt, RGBColor

        styles = self.document.styles
        tag = LANGUAGE_TAGS.get(self.meta.language, self.meta.language)
        lang = styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:lang"))
        lang.set(qn("w:val"), tag)
        lang.set(qn("w:eastAsia"), tag)
        normal = styles["Normal"]
        normal.font.name = "Calibri"
        normal.font.size = Pt(10.5)
        normal.paragraph_format.space_after = Pt(6)
        for name, size in (("Title", 24), ("Subtitle", 14), ("Heading 1", 15), ("Heading 2", 12.5), ("Heading 3", 11)):
            styles[name].font.size = Pt(size)
        styles["Heading 4"].font.size = Pt(10.5)
        for name in ("Heading 1", "Heading 2", "Heading 3", "Heading 4"):
            styles[name].paragraph_format.keep_with_next = True
        styles["Caption"].font.size = Pt(9)
        note = styles.add_style("Note", WD_STYLE_TYPE.PARAGRAPH)
        note.base_style = styles["Normal"]
        note.font.size = Pt(9)
        note.font.italic = True
        note.font.color.rgb = RGBColor(0x4A, 0x55, 0x68)
        cover = styles.add_style("Cover Line", WD_STYLE_TYPE.PARAGRAPH)
        cover.base_style = styles["Normal"]
        cover.font.size = Pt(11)
        cover.paragraph_format.space_after = Pt(2)
        for level in (1, 2, 3):
            toc = styles.add_style(f"TOC {level}", WD_STYLE_TYPE.PARAGRAPH)
            toc.base_style = styles["Normal"]
            toc.paragraph_format.left_indent = Pt(14 * (level - 1))
            toc.paragraph_format.space_after = Pt(2)
            toc.element.set(qn("w:styleId"), f"TOC{level}")  # the id Word's TOC field writes its entries with
        cell = styles.add_style("Table Text", WD_STYLE_TYPE.PARAGRAPH)
        cell.base_style = styles["Normal"]
        cell.font.size = Pt(9)
        cell.paragraph_format.space_after = Pt(0)

    def _header_footer(self) -> None:
        section = self.document.sections[0]
        section.header.is_linked_to_previous = False
        header = section.header.paragraphs[0]
        header.style = self.document.styles["Header"]
        header._p.get_or_add_pPr().append(_el("w:jc", val="right"))
        header._p.append(run_element(self.meta.symbol or self.meta.title))
        footer = section.footer.paragraphs[0]
        footer.style = self.document.styles["Footer"]
        footer._p.get_or_add_pPr().append(_el("w:jc", val="center"))
        for run in [*_field_runs("PAGE", "1"), run_element(" / "), *_field_runs("NUMPAGES", "1")]:
            footer._p.append(run)

    def _properties(self) -> None:
        properties = self.document.core_properties
        properties.title = xml_text(self.meta.title)[:255]  # a core property holds at most 255 characters
        properties.subject = xml_text(self.meta.symbol)[:255]
        properties.language = LANGUAGE_TAGS.get(self.meta.language, self.meta.language)
        with translation.override(self.meta.language):
            properties.author = _("Lanzarote Committee")
            properties.category = self.classification_label()
        moment = (
            datetime.datetime.combine(self.meta.date, datetime.time(), tzinfo=datetime.UTC)
            if self.meta.date
            else datetime.datetime.now(datetime.UTC).replace(microsecond=0)
        )
        properties.created = moment
        properties.modified = moment
        properties.last_modified_by = properties.author
        properties.revision = 1

    def _settings(self) -> None:
        """``w:updateFields``: Word refreshes the contents and page fields when the document is opened."""
        from docx.oxml.ns import qn

        settings = self.document.settings.element
        update = _el("w:updateFields", val="true")
        compat = settings.find(qn("w:compat"))
        if compat is not None:
            compat.addprevious(update)  # the schema's place: just before w:compat
        else:
            settings.append(update)

    # --- texts ---------------------------------------------------------------------------------------------

    def classification_label(self) -> str:
        return _("Public") if self.meta.classification == "public" else _("Restricted")

    def style_id(self, name: str) -> str:
        if name not in self.style_ids:
            self.style_ids[name] = self.document.styles[name].style_id
        return self.style_ids[name]

    def append(self, element: Any) -> None:
        if self.section_properties is not None:
            self.section_properties.addprevious(element)
        else:
            self.body.append(element)

    def paragraph(
        self,
        text: str = "",
        *,
        style: str | None = None,
        bold: bool = False,
        italic: bool = False,
        align: str | None = None,
        keep_next: bool = False,
    ) -> Any:
        paragraph = _el("w:p")
        if style or align or keep_next:
            properties = _sub(paragraph, "w:pPr")
            if style:
                _sub(properties, "w:pStyle", val=self.style_id(style))
            if keep_next:
                _sub(properties, "w:keepNext")
            if align:
                _sub(properties, "w:jc", val=align)
        if text:
            paragraph.append(run_element(text, bold=bold, italic=italic))
        self.append(paragraph)
        return paragraph

    def text(self, text: str, *, style: str | None = None) -> None:
        """A text of several paragraphs (blank lines between them), each in ``style``."""
        for block in _paragraphs(text):
            self.paragraph(block, style=style)

    def landscape(self) -> None:
        """From here to the end, A4 landscape pages (a wide table's annex): the portrait section closes with the
        paragraph written here, the document's last section turns; header and footer carry on."""
        from docx.oxml.ns import qn

        portrait = copy.deepcopy(self.section_properties)
        paragraph = self.paragraph()
        _sub(paragraph, "w:pPr").append(portrait)
        properties = self.section_properties
        size = properties.find(qn("w:pgSz"))
        size.set(qn("w:w"), str(A4_TWIPS[1]))
        size.set(qn("w:h"), str(A4_TWIPS[0]))
        size.set(qn("w:orient"), "landscape")
        title_page = properties.find(qn("w:titlePg"))
        if title_page is not None:
            properties.remove(title_page)
        self.text_width = A4_TWIPS[1] - MARGINS_TWIPS["left"] - MARGINS_TWIPS["right"]

    def page_break(self) -> None:
        paragraph = self.paragraph()
        run = _sub(paragraph, "w:r")
        _sub(run, "w:br", type="page")

    def heading(self, text: str, level: int) -> Any:
        """A Heading 1–4 paragraph (deeper levels use Heading 4), bookmarked for the contents' entries (levels 1–3:
        a reply's Party heading is level 4, in the navigation pane but not in the contents)."""
        from docx.oxml.ns import qn

        level = max(1, min(level, 4))
        paragraph = self.paragraph(style=f"Heading {level}")
        self.bookmarks += 1
        name = f"_Toc{self.bookmarks:08d}"
        start = _sub(paragraph, "w:bookmarkStart", id=str(self.bookmarks), name=name)
        start.set(qn("w:name"), name)
        paragraph.append(run_element(text))
        _sub(paragraph, "w:bookmarkEnd", id=str(self.bookmarks))
        self.headings.append((level, xml_text(text), name))
        return paragraph

    def title(self, text: str, *, style: str = "Title") -> None:
        """A cover line in the Title or Subtitle style (not in the contents)."""
        self.paragraph(text, style=style)

    def bullets(self, items: Iterable[str], *, numbered: bool = False) -> None:
        style = "List Number" if numbered else "List Bullet"
        num_id = self._restarted_numbering(style) if numbered else None
        for item in items:
            paragraph = self.paragraph(item, style=style)
            if num_id is not None:
                numbering = _el("w:numPr")
                _sub(numbering, "w:ilvl", val="0")
                _sub(numbering, "w:numId", val=str(num_id))
                paragraph.pPr.append(numbering)

    def _restarted_numbering(self, style: str) -> int | None:
        """A new numbering instance of ``style``'s list that starts again at 1 (each numbered list counts alone)."""
        from docx.oxml.ns import qn

        num_pr = self.document.styles[style].element.find(qn("w:pPr") + "/" + qn("w:numPr"))
        if num_pr is None:
            return None
        style_num_id = num_pr.find(qn("w:numId")).get(qn("w:val"))
        numbering = self.document.part.numbering_part.element
        for num in numbering.findall(qn("w:num")):
            if num.get(qn("w:numId")) == style_num_id:
                abstract_id = int(num.find(qn("w:abstractNumId")).get(qn("w:val")))
                new = numbering.add_num(abstract_id)
                override = new.add_lvlOverride(ilvl=0)
                override.add_startOverride(1)
                return int(new.numId)
        return None

    # --- captions, tables, figures -------------------------------------------------------------------------

    def caption(self, kind: str, text: str) -> None:
        """``Table 3: text`` / ``Figure 2: text`` in the Caption style, numbered by a SEQ field."""
        label = pgettext("caption", "Table") if kind == "Table" else pgettext("caption", "Figure")
        if kind == "Table":
            self.tables += 1
            number = self.tables
        else:
            self.figures += 1
            number = self.figures
        paragraph = self.paragraph(style="Caption", keep_next=kind == "Table")
        paragraph.append(run_element(f"{label} "))
        for run in _field_runs(f"SEQ {kind} \\* ARABIC", str(number)):
            paragraph.append(run)
        if text:
            paragraph.append(run_element(pgettext("caption", ": %(text)s") % {"text": text}))

    def table(
        self,
        header: Sequence[Any],
        rows: Iterable[Sequence[Any]],
        *,
        caption: str = "",
        widths: Sequence[int] | None = None,
    ) -> None:
        """A full-width grid table whose header row repeats on every page it spans; ``widths`` are relative."""
        if caption:
            self.caption("Table", caption)
        columns = len(header)
        weights = list(widths) if widths else [1] * columns
        total = sum(weights)
        twips = [max(400, self.text_width * weight // total) for weight in weights]
        table = _el("w:tbl")
        properties = _sub(table, "w:tblPr")
        _sub(properties, "w:tblStyle", val=self.style_id("Table Grid"))
        _sub(properties, "w:tblW", w="5000", type="pct")
        _sub(properties, "w:tblLayout", type="fixed")
        _sub(properties, "w:tblLook", val="04A0", firstRow="1", lastRow="0", firstColumn="1", lastColumn="0")
        grid = _sub(table, "w:tblGrid")
        for width in twips:
            _sub(grid, "w:gridCol", w=str(width))
        cell_style = self.style_id("Table Text")

        def row_element(values: Sequence[Any], *, head: bool) -> Any:
            row = _el("w:tr")
            row_properties = _sub(row, "w:trPr")
            _sub(row_properties, "w:cantSplit")
            if head:
                _sub(row_properties, "w:tblHeader")
            for width, value in zip(twips, values, strict=True):
                cell = _sub(row, "w:tc")
                cell_properties = _sub(cell, "w:tcPr")
                _sub(cell_properties, "w:tcW", w=str(width), type="dxa")
                if head:
                    _sub(cell_properties, "w:shd", val="clear", color="auto", fill=HEADER_FILL)
                paragraph = _sub(cell, "w:p")
                _sub(_sub(paragraph, "w:pPr"), "w:pStyle", val=cell_style)
                text = "" if value is None else str(value)
                if text:
                    paragraph.append(run_element(text, bold=head))
            return row

        table.append(row_element(list(header), head=True))
        for values in rows:
            table.append(row_element(list(values), head=False))
        self.append(table)
        self.paragraph()

    def figure(self, png: bytes, *, caption: str, alt: str) -> None:
        """A picture in a paragraph of its own (alt text in ``docPr``'s title and description), captioned."""
        from docx.shared import Inches
        from docx.text.paragraph import Paragraph as DocxParagraph

        paragraph = self.paragraph(keep_next=True)
        shape = DocxParagraph(paragraph, self.document._body).add_run().add_picture(io.BytesIO(png), width=Inches(6))
        shape._inline.docPr.set("descr", xml_text(alt))
        shape._inline.docPr.set("title", xml_text(alt))
        self.caption("Figure", caption)

    # --- cover, contents, generic sections -----------------------------------------------------------------

    def cover(self, *, kicker: str = "") -> None:
        """Symbol, date and classification at the top right, then the committee, the title and the meeting."""
        meta = self.meta
        if meta.symbol:
            self.paragraph(meta.symbol, style="Cover Line", bold=True, align="right")
        if meta.date:
            self.paragraph(edition_date(meta.date, meta.language), style="Cover Line", align="right")
        self.paragraph(self.classification_label(), style="Cover Line", italic=True, align="right")
        for _line in range(4):
            self.paragraph()
        self.paragraph(_("Lanzarote Committee"), style="Cover Line", bold=True)
        self.paragraph(
            _(
                "Committee of the Parties to the Council of Europe Convention on the Protection of Children "
                "against Sexual Exploitation and Sexual Abuse"
            ),
            style="Note",
        )
        if kicker:
            self.paragraph(kicker, style="Cover Line")
        self.paragraph()
        self.title(meta.title)
        if meta.subtitle:
            self.title(meta.subtitle, style="Subtitle")
        if meta.meeting:
            self.paragraph(_("Meeting: %(meeting)s") % {"meeting": meta.meeting}, style="Cover Line")
        details = []
        if meta.symbol:
            details.append(_("Symbol: %(symbol)s") % {"symbol": meta.symbol})
        if meta.date:
            details.append(_("Date: %(date)s") % {"date": edition_date(meta.date, meta.language)})
        details.append(_("Classification: %(classification)s") % {"classification": self.classification_label()})
        self.paragraph(" · ".join(details), style="Note")
        self.page_break()

    def contents(self) -> None:
        """The contents heading and a TOC field (levels 1–3, entries as hyperlinks); its cached result is
        filled in at the end with the headings written, so a reader that does not update fields still lists
        them (Word replaces it, with page numbers, on opening)."""
        self.paragraph(_("Contents"), style="TOC Heading")
        self.toc_paragraph = self.paragraph()
        self.page_break()

    def finish_contents(self) -> None:
        from docx.oxml.ns import qn

        if self.toc_paragraph is None:
            return
        anchor = self.toc_paragraph
        begin, code, separate, _result, end = _field_runs('TOC \\o "1-3" \\h \\z \\u')
        entries = []
        for level, text, bookmark in self.headings:
            if level > 3:
                continue
            entry = _el("w:p")
            _sub(_sub(entry, "w:pPr"), "w:pStyle", val=f"TOC{level}")
            link = _sub(entry, "w:hyperlink", anchor=bookmark, history="1")
            link.set(qn("w:anchor"), bookmark)
            link.append(run_element(text))
            entries.append(entry)
        if not entries:
            entries.append(_el("w:p"))
        # The field opens in the first entry's paragraph and closes in the last one's, as Word writes it.
        first, last = entries[0], entries[-1]
        properties = first.find(qn("w:pPr"))
        position = 1 if properties is not None else 0
        for offset, run in enumerate((begin, code, separate)):
            first.insert(position + offset, run)
        last.append(end)
        for entry in entries:
            anchor.addprevious(entry)
        anchor.getparent().remove(anchor)
        self.toc_paragraph = None

    def blocks(self, blocks: Iterable[Block]) -> None:
        for block in blocks:
            if isinstance(block, Paragraph):
                style = {"quote": "Quote", "note": "Note"}.get(block.style)
                self.text(block.text, style=style)
            elif isinstance(block, BulletList):
                self.bullets(block.items, numbered=block.numbered)
            elif isinstance(block, Table):
                self.table(block.header, block.rows, caption=block.caption)

    def section(self, section: Section, numbers: Sequence[int]) -> None:
        self.heading(number_heading(numbers, section.title), len(numbers))
        self.blocks(section.blocks)
        for index, subsection in enumerate(section.subsections, start=1):
            self.section(subsection, [*numbers, index])

    def annex(self, section: Section, index: int, *, new_page: bool = True) -> None:
        """``Annex II – Title`` on a new page, its subsections numbered from 1 under it."""
        if new_page:
            self.page_break()
        label = _("Annex %(number)s") % {"number": ROMAN[index - 1] if index <= len(ROMAN) else index}
        self.heading(f"{label} – {section.title}", 1)
        self.blocks(section.blocks)
        for number, subsection in enumerate(section.subsections, start=1):
            self.section(subsection, [number])

    def save(self) -> bytes:
        self.finish_contents()
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()


def document_docx(doc: Document) -> bytes:
    """Any ``sections.Document`` (implementation report, compliance report...) as a Word document to table:
    cover, contents, numbered sections, annexes, all fixed texts in the document's language."""
    with translation.override(doc.meta.language):
        writer = _Writer(doc.meta)
        writer.cover()
        writer.contents()
        for index, section in enumerate(doc.sections, start=1):
            writer.section(section, [index])
        for index, section in enumerate(doc.annexes, start=1):
            writer.annex(section, index)
        return writer.save()


# --- the comparative report ---------------------------------------------------------------------------------


def _report_meta(view: dict[str, Any]) -> DocumentMeta:
    meta = view.get("meta")
    if isinstance(meta, DocumentMeta):
        return meta
    return DocumentMeta(title=view["title"], language=view.get("language", "en"))


def report_docx(view: dict[str, Any]) -> bytes:
    """The report as DOCX bytes: cover, contents, participation, one numbered section per question (full text,
    articles, figures with captions, every reply in full), the extra sections, the annexes."""
    meta = _report_meta(view)
    with translation.override(meta.language):
        writer = _Writer(meta)
        _report_body(writer, view)
        return writer.save()


def _report_body(writer: _Writer, view: dict[str, Any]) -> None:
    L = view["L"]
    writer.cover(kicker=view.get("consultation_title", ""))
    writer.contents()
    number = 0

    def next_number() -> list[int]:
        nonlocal number
        number += 1
        return [number]

    participation = view["participation"]
    writer.heading(number_heading(next_number(), L["participation"]), 1)
    writer.paragraph(f"{L['cutoff']}: {view['cutoff']}. {L['cutoff_note']}", style="Note")
    writer.paragraph(f"{L['replying']}: {participation['replied_count']} / {participation['asked_count']}")
    writer.paragraph(f"{L['replied']} ({participation['replied_count']})", bold=True, keep_next=True)
    writer.paragraph(", ".join(participation["replied_names"]) or "–")
    if participation["under_revision"]:
        writer.paragraph(L["under_revision_note"], style="Note")
        writer.bullets(
            f"{L['under_revision']} {entry['since']}: {entry['party']}" for entry in participation["under_revision"]
        )
    writer.paragraph(f"{L['not_replied']} ({len(participation['not_replied_names'])})", bold=True, keep_next=True)
    writer.paragraph(", ".join(participation["not_replied_names"]) or "–")

    if view.get("overview"):
        writer.heading(number_heading(next_number(), L["overview"]), 1)
        writer.table(
            [L["item"], L["replying"], L["positions"], L["cited_instruments"]],
            [[r["code"], r["replying"], r["positions"], r["instruments"]] for r in view["overview"]],
            caption=L["overview"],
            widths=[2, 2, 6, 6],
        )
    writer.heading(number_heading(next_number(), L["summary"]), 1)
    writer.table(
        [L["item"], L["theme"], L["articles"], L["replying"]],
        [
            [i["code"], i["theme_label"], ", ".join(str(a["number"]) for a in i["articles"]), i["replying"]]
            for i in view["items"]
        ],
        caption=L["summary"],
        widths=[2, 4, 3, 2],
    )
    for item in view["items"]:
        numbers = next_number()
        writer.heading(number_heading(numbers, item["heading"]), 1)
        if "text" in item:  # one edition: the question in its language
            writer.text(item["text"], style="Quote")
        else:
            writer.text(item["text_en"], style="Quote")
            if item["text_fr"] != item["text_en"]:
                writer.text(item["text_fr"], style="Quote")
        if item["article_labels"]:
            writer.paragraph(L["articles"], bold=True, keep_next=True)
            writer.bullets(item["article_labels"])
        for article in item["articles"]:
            if article.get("text"):  # article reports quote the article
                writer.paragraph(f"{L.get('article_text', '')} – {article['label']}", bold=True, keep_next=True)
                writer.text(article["text"], style="Quote")
        if "asked_parties" in item:  # put to some Parties only: counted against those asked
            writer.paragraph(item["replying_text"], style="Note")
        for index, field in enumerate(item["fields"], start=1):
            writer.heading(number_heading([*numbers, index], field["label"]), 2)
            _field(writer, item, field, L)
        if item.get("attachments"):
            writer.heading(number_heading([*numbers, len(item["fields"]) + 1], L["attachments"]), 2)
            writer.table(
                [L["party"], L["file"], L["size"]],
                [[a["party"], a["name"], a["size"]] for a in item["attachments"]],
                caption=f"{item['code']} – {L['attachments']}",
                widths=[3, 6, 2],
            )
    legal = view.get("legal") or {}
    if legal.get("by_instrument") or legal.get("by_article"):
        writer.heading(number_heading(next_number(), L["legal_references"]), 1)
        if legal.get("by_instrument"):
            writer.table(
                [L["instrument"], L["references"], L["citing_parties"], L["parties"]],
                [[e["instrument"], e["references"], e["parties_count"], e["parties"]] for e in legal["by_instrument"]],
                caption=L["references_by_instrument"],
                widths=[5, 2, 2, 6],
            )
        if legal.get("by_article"):
            writer.table(
                [L["articles"], L["references"], L["citing_parties"], L["parties"]],
                [[e["label"], e["references"], e["parties_count"], e["parties"]] for e in legal["by_article"]],
                caption=L["references_by_article"],
                widths=[5, 2, 2, 6],
            )
    for section in view.get("extra_sections", ()):
        writer.section(section, next_number())
    annexes = 0
    if view.get("profiles"):
        annexes += 1
        writer.annex(Section(key="profiles", title=L["profiles"]), annexes)
        writer.paragraph(L["profile_note"], style="Note")
        for index, profile in enumerate(view["profiles"], start=1):
            writer.heading(number_heading([index], profile["party"]), 2)
            for entry in profile["items"]:
                writer.heading(entry["heading"], 4)  # navigable, not in the contents
                for fld in entry["fields"]:
                    writer.paragraph(fld["label"], bold=True, keep_next=True)
                    for line in fld["lines"]:
                        writer.text(line, style=None if fld["answered"] else "Note")
    status = view.get("status")
    matrix = view["matrix"]
    if status:
        matrix = {
            "columns": status["columns"],
            "rows": [{"party": r["party"], "cells": [{"label": c} for c in r["cells"]]} for r in status["rows"]],
        }
    if matrix["columns"]:
        annexes += 1
        writer.landscape()
        title = L["status_table"] if status else L["matrix"]
        writer.annex(Section(key="matrix", title=title), annexes, new_page=False)  # the section starts one
        if status:
            writer.paragraph(L["status_note"], style="Note")
            if status.get("legend"):
                writer.paragraph(status["legend"], style="Note")
        columns = matrix["columns"]
        for start in range(0, len(columns), MATRIX_COLUMNS_PER_TABLE):
            stop = min(start + MATRIX_COLUMNS_PER_TABLE, len(columns))
            part = f" ({start + 1}–{stop} / {len(columns)})" if len(columns) > MATRIX_COLUMNS_PER_TABLE else ""
            writer.table(
                [L["party"], *columns[start:stop]],
                [
                    [row["party"], *[(c["label"] if c else "–") for c in row["cells"][start:stop]]]
                    for row in matrix["rows"]
                ],
                caption=title + part,
                widths=[3, *[2] * (stop - start)],
            )


def _field(writer: _Writer, item: dict[str, Any], field: dict[str, Any], L: dict[str, str]) -> None:
    kind = field["type"]
    if kind in CHOICE_TYPES:
        spec = field["chart"]
        png = bar_chart_png(labels=spec["labels"], values=spec["values"], xlabel=spec["xlabel"])
        writer.figure(png, caption=f"{spec['title']} ({L['replying']}: {field['replying']})", alt=_chart_alt(spec))
        writer.table(
            [L["option"], L["count"], field.get("percent_label", L["percent"]), L["parties"]],
            [[o["label"], o["count"], f"{o['percent']:.1f} %", ", ".join(o["parties"])] for o in field["options"]],
            caption=f"{item['code']} – {field['label']} ({L['replying']}: {field['replying']})",
            widths=[8, 3, 4, 9],
        )
    elif kind == "ranking":
        writer.table(
            [
                L["option"],
                L["mean_rank"],
                L["median_rank"],
                *[f"{L['rank']} {r}" for r in field["ranks"]],
                L["ranked_first"],
            ],
            [
                [
                    o["label"],
                    _rank(o["mean"], 2),
                    _rank(o["median"], 1),
                    *o["distribution"],
                    ", ".join(o["first"]) or "–",
                ]
                for o in field["options"]
            ],
            caption=f"{item['code']} – {field['label']} ({L['replying']}: {field.get('replying', '–')})",
            widths=[6, 2, 2, *[2 for _r in field["ranks"]], 6],
        )
    elif kind == "number":
        stats = field["stats"]
        unit = f" ({field['unit']})" if field.get("unit") else ""
        writer.table(
            [L["statistic"], L["value"] + unit],
            [
                [L["reporting"], stats["count"]],
                [L["total"], stats["total"] or "–"],
                [L["median"], stats["median"] or "–"],
                [L["minimum"], stats["min"] or "–"],
                [L["maximum"], stats["max"] or "–"],
            ],
            caption=f"{item['code']} – {field['label']}",
        )
        writer.table(
            [L["party"], L["value"] + unit],
            [[v["party"], v["value"]] for v in field["values"]],
            caption=f"{item['code']} – {field['label']}: {L['party']}",
        )
    elif kind == "text":
        if not field["answers"]:
            writer.paragraph(L["no_replies"], style="Note")
        for answer in field["answers"]:
            writer.heading(answer["party"], 4)
            if answer.get("language_note"):
                writer.paragraph(f"({answer['language_note']})", style="Note")
            writer.text(answer["text"])
    elif kind == "legal_references":
        if not field["references"]:
            writer.paragraph(L["no_replies"], style="Note")
            return
        writer.table(
            [L["party"], L["instrument"], L["provision"], L["link"]],
            [[r["party"], r["instrument"], r["provision"], r["url"]] for r in field["references"]],
            caption=f"{item['code']} – {field['label']}",
            widths=[3, 4, 3, 4],
        )


def _rank(value: float | None, places: int) -> str:
    return "–" if value is None else f"{value:.{places}f}"


def _chart_alt(spec: dict[str, Any]) -> str:
    """The chart's title and every bar's value, so a screen reader hears what the picture shows."""
    bars = "; ".join(f"{label}: {value:g}" for label, value in zip(spec["labels"], spec["values"], strict=True))
    return f"{spec['title']}. {spec['xlabel']}: {bars}"
