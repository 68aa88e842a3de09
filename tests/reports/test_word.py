"""Word documents to table: page set-up, running header and footer fields, cover, contents field, styles,
captions, core properties and the edition's language, read back with python-docx and the package's XML."""

from __future__ import annotations

import datetime
import io
import re
import zipfile

from docx import Document as open_docx

from reports.sections import BulletList, Document, DocumentMeta, Paragraph, Section, Table
from reports.word import document_docx

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def sample(language: str = "en") -> Document:
    return Document(
        meta=DocumentMeta(
            title="Implementation report" if language == "en" else "Rapport de mise en œuvre",
            language=language,
            subtitle="Second monitoring round",
            symbol="T-ES(2025)07",
            date=datetime.date(2026, 12, 3),
            meeting="45th meeting, Strasbourg",
            classification="public",
        ),
        sections=(
            Section(
                key="intro",
                title="Introduction",
                blocks=(
                    Paragraph("The Committee adopted the report.\n\nIt covers 39 Parties.\nAnd two observers."),
                    Paragraph("We amended Act 12/2023.", style="quote"),
                    Paragraph("Figures as of 1 December.", style="note"),
                    BulletList(items=("First step", "Second step"), numbered=True),
                ),
            ),
            Section(
                key="findings",
                title="Findings",
                subsections=(
                    Section(
                        key="findings-1",
                        title="Criminal law",
                        blocks=(
                            Table(caption="Parties by position", header=("Position", "Parties"), rows=(("Yes", "3"),)),
                            BulletList(items=("Belgium", "France")),
                        ),
                        subsections=(Section(key="deep", title="Article 20"),),
                    ),
                ),
            ),
        ),
        annexes=(Section(key="profiles", title="Country profiles", blocks=(Paragraph("One per Party."),)),),
    )


def parts(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist() if name.endswith(".xml")}


def footer_xml(xml: dict[str, str]) -> str:
    return "".join(text for name, text in xml.items() if name.startswith("word/footer"))


def header_xml(xml: dict[str, str]) -> str:
    return "".join(text for name, text in xml.items() if name.startswith("word/header"))


def test_generic_document_is_a4_with_symbol_header_page_fields_cover_and_contents():
    data = document_docx(sample())
    xml = parts(data)
    document = xml["word/document.xml"]
    assert re.search(r'<w:pgSz w:w="11906" w:h="16838"', document)
    assert "<w:titlePg/>" in document  # no running header or footer on the cover
    assert re.search(r"<w:instrText[^>]*> PAGE </w:instrText>", footer_xml(xml))
    assert re.search(r"<w:instrText[^>]*> NUMPAGES </w:instrText>", footer_xml(xml))
    assert "T-ES(2025)07" in header_xml(xml)
    assert re.search(r'<w:instrText[^>]*> TOC \\o "1-3" \\h', document)
    assert '<w:updateFields w:val="true"/>' in xml["word/settings.xml"]

    docx = open_docx(io.BytesIO(data))
    paragraphs = [(p.style.name, p.text) for p in docx.paragraphs]
    cover = paragraphs[: paragraphs.index(("TOC Heading", "Contents"))]
    assert ("Cover Line", "T-ES(2025)07") in cover
    assert ("Cover Line", "3 December 2026") in cover
    assert ("Title", "Implementation report") in cover
    assert ("Subtitle", "Second monitoring round") in cover
    assert ("Cover Line", "Meeting: 45th meeting, Strasbourg") in cover
    assert ("Note", "Symbol: T-ES(2025)07 · Date: 3 December 2026 · Classification: Public") in cover
    headings = [(style, text) for style, text in paragraphs if style.startswith("Heading")]
    assert headings == [
        ("Heading 1", "1. Introduction"),
        ("Heading 1", "2. Findings"),
        ("Heading 2", "2.1 Criminal law"),
        ("Heading 3", "2.1.1 Article 20"),
        ("Heading 1", "Annex I – Country profiles"),
    ]
    # The contents field's cached entries are the headings, level by level.
    toc = [(style, text) for style, text in paragraphs if re.fullmatch(r"TOC \d", style)]
    assert toc == [(f"TOC {style[-1]}", text) for style, text in headings]
    assert ("Normal", "It covers 39 Parties.\nAnd two observers.") in paragraphs
    assert ("Quote", "We amended Act 12/2023.") in paragraphs
    assert ("Note", "Figures as of 1 December.") in paragraphs
    assert [text for style, text in paragraphs if style == "List Number"] == ["First step", "Second step"]
    assert [text for style, text in paragraphs if style == "List Bullet"] == ["Belgium", "France"]
    assert ("Caption", "Table 1: Parties by position") in paragraphs
    assert re.search(r"<w:instrText[^>]*> SEQ Table \\\* ARABIC </w:instrText>", document)
    table = docx.tables[0]
    assert [[cell.text for cell in row.cells] for row in table.rows] == [["Position", "Parties"], ["Yes", "3"]]
    assert table.rows[0]._tr.trPr.find(f"{W}tblHeader") is not None

    properties = docx.core_properties
    assert properties.title == "Implementation report"
    assert properties.subject == "T-ES(2025)07"
    assert properties.language == "en-GB"
    assert properties.created == datetime.datetime(2026, 12, 3, tzinfo=datetime.UTC)
    assert properties.author == "Lanzarote Committee"
    assert 'w:lang w:val="en-GB"' in xml["word/styles.xml"]


def test_french_edition_has_its_fixed_texts_and_language_in_french():
    data = document_docx(sample("fr"))
    docx = open_docx(io.BytesIO(data))
    texts = [p.text for p in docx.paragraphs]
    assert "Sommaire" in texts
    assert "3 décembre 2026" in texts
    assert "Comité de Lanzarote" in texts
    assert "Réunion : 45th meeting, Strasbourg" in texts
    assert "Symbole : T-ES(2025)07 · Date : 3 décembre 2026 · Classification : Public" in texts
    assert "Annexe I – Country profiles" in texts
    assert "Tableau 1 : Parties by position" in texts
    assert not {"Contents", "Lanzarote Committee", "Annex I – Country profiles"} & set(texts)
    assert docx.core_properties.language == "fr-FR"
    assert docx.core_properties.author == "Comité de Lanzarote"
    assert 'w:lang w:val="fr-FR"' in parts(data)["word/styles.xml"]


def test_numbered_lists_each_start_at_one():
    doc = Document(
        meta=DocumentMeta(title="T", language="en"),
        sections=(
            Section(
                key="s",
                title="S",
                blocks=(BulletList(items=("a", "b"), numbered=True), BulletList(items=("c",), numbered=True)),
            ),
        ),
    )
    docx = open_docx(io.BytesIO(document_docx(doc)))
    numbered = [p for p in docx.paragraphs if p.style.name == "List Number"]
    ids = [p._p.pPr.numPr.numId.val for p in numbered]
    assert ids[0] == ids[1] != ids[2]  # the second list restarts


def test_report_docx_has_captioned_charts_with_alt_text_replies_and_a_landscape_annex(dataset):
    from reports.selectors.scopes import scope_parse
    from reports.services.builds import report_build_now

    scope = scope_parse(consultation=dataset.consultation, text="item:GENAI-02")
    run = report_build_now(consultation=dataset.consultation, scope=scope, formats=["docx"])
    assert run.status == "done", run.error
    data = next(iter(_docx_files(run.version)))
    xml = parts(data)
    document = xml["word/document.xml"]
    assert re.search(r'<w:pgSz w:w="11906" w:h="16838"', document)
    assert re.search(r'<w:pgSz w:w="16838" w:h="11906" w:orient="landscape"', document)  # the matrix annex
    assert re.search(r'<w:instrText[^>]*> TOC \\o "1-3" \\h', document)
    assert re.search(r"<w:instrText[^>]*> NUMPAGES </w:instrText>", footer_xml(xml))
    docx = open_docx(io.BytesIO(data))
    (shape,) = docx.inline_shapes
    alt = shape._inline.docPr.get("descr")
    assert alt.startswith("GENAI-02 – Position")
    assert alt.endswith(": Yes: 3; Partially: 2; No: 1")
    paragraphs = [(p.style.name, p.text) for p in docx.paragraphs]
    captions = [text for style, text in paragraphs if style == "Caption"]
    assert captions[:2] == ["Table 1: Overview", "Table 2: Items covered"]
    assert captions[2].startswith("Figure 1: GENAI-02 – Position")
    assert captions[3].startswith("Table 3: GENAI-02 – Position")
    assert ("Heading 4", "Netherlands") in paragraphs  # each reply under its Party, outside the contents
    assert ("Normal", "Policy statement of NL on synthetic images.") in paragraphs
    assert ("TOC 4", "Netherlands") not in paragraphs
    assert not [text for style, text in paragraphs if style == "TOC 3"]
    headings = [text for style, text in paragraphs if style == "Heading 1"]
    assert headings[:3] == ["1. Participation", "2. Overview", "3. Items covered"]
    assert headings[-2:] == ["Annex I – Country profiles", "Annex II – Replies at a glance"]
    profiles = [text for style, text in paragraphs if style == "Heading 2" and text[0].isdigit() and "." in text[:3]]
    assert profiles[-6:] == ["1. Belgium", "2. France", "3. Germany", "4. Italy", "5. Netherlands", "6. Spain"]


def _docx_files(version):
    if getattr(version, "docx", None):
        yield version.docx.read()
    for document in getattr(version, "documents", None).all() if hasattr(version, "documents") else []:
        if document.format == "docx" and document.language == "en":
            yield document.file.read()
