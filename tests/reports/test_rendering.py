"""The generic entry point other apps typeset their documents with (implementation and compliance reports)."""

import datetime
import io

from pypdf import PdfReader

from reports import sections as s
from reports.rendering import document_html, document_pdf

A4 = (595.28, 841.89)


def sample(language="en"):
    return s.Document(
        meta=s.DocumentMeta(
            title="Implementation report" if language == "en" else "Rapport de mise en œuvre",
            language=language,
            subtitle="Article 20",
            symbol="T-ES(2026)03",
            date=datetime.date(2026, 12, 3),
            meeting="46th plenary meeting",
            classification="public",
        ),
        sections=(
            s.Section(
                key="findings",
                title="Findings",
                blocks=(
                    s.Paragraph(text="Most Parties criminalise it. #not-markup *x*"),
                    s.Paragraph(text="As written by a Party.", style="quote"),
                    s.BulletList(items=("first", "second"), numbered=True),
                ),
                subsections=(s.Section(key="findings-a", title="Solicitation"),),
            ),
            s.Section(
                key="recommendations",
                title="Recommendations",
                blocks=(
                    s.Table(
                        caption="Who",
                        header=("Party", "Recommendation"),
                        rows=(("Austria", "Amend the code"),),
                        links=(("/parties/at/", ""),),
                    ),
                ),
            ),
        ),
        annexes=(s.Section(key="profiles", title="Country profiles", blocks=(s.Paragraph(text="Austria – yes"),)),),
    )


def test_document_pdf_has_cover_contents_numbered_sections_annex_and_page_numbers():
    reader = PdfReader(io.BytesIO(document_pdf(sample())))
    assert reader.metadata.title == "Implementation report"
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    total = len(pages)
    cover = pages[0]
    for text in ("T-ES(2026)03", "3 December 2026", "46th plenary meeting", "Public", "English edition"):
        assert text in cover, text
    contents = pages[1]
    assert "Contents" in contents
    assert "1 Findings" in contents
    assert "2 Recommendations" in contents
    assert "Annex I – Country profiles" in contents
    body = " ".join(pages[2:])
    assert "1 Findings" in body
    assert "1.1 Solicitation" in body
    assert "2 Recommendations" in body
    assert "#not-markup *x*" in body
    assert "Annex I – Country profiles" in body
    for number, (page, text) in enumerate(zip(reader.pages, pages, strict=True), start=1):
        assert f"Page {number} / {total}" in text
        width, height = sorted((float(page.mediabox.width), float(page.mediabox.height)))
        assert (round(width, 2), round(height, 2)) == A4


def test_document_pdf_in_french_prints_french_fixed_texts():
    reader = PdfReader(io.BytesIO(document_pdf(sample("fr"))))
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    for french in ("Sommaire", "3 décembre 2026", "Édition française", "Annexe I – Country profiles", "Cote"):
        assert french in text, french
    for english in ("Contents", "December", "English edition", "Symbol"):
        assert english not in text, english


def test_document_html_has_the_cover_contents_sections_and_links():
    html = document_html(sample())
    assert '<article class="report-doc" lang="en">' in html
    assert "T-ES(2026)03" in html
    assert "3 December 2026" in html
    assert 'href="#section-findings"' in html
    assert 'id="section-findings"' in html
    assert '<a href="/parties/at/">Austria</a>' in html
    assert "Annex I – Country profiles" in html
    assert "#not-markup *x*" in html
