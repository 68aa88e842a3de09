"""The comparative report's PDF, typeset with Typst: metadata, A4 pages, "n / N" page numbers, fonts, notes."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from reports import documents
from reports.selectors.scopes import scope_parse
from reports.services.builds import report_build_now
from tests.reports.conftest import opened

pytestmark = pytest.mark.django_db

A4 = (595.28, 841.89)


def built(dataset, text):
    scope = scope_parse(consultation=dataset.consultation, text=text)
    run = report_build_now(consultation=dataset.consultation, scope=scope, formats=["pdf"])
    assert run.status == "done", run.error
    return run.version


def view_of(version):
    data = version.data
    return documents.document_view(data, language="en", version=version.number)


def page_texts(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def test_the_report_pdf_has_its_title_language_a4_pages_and_page_numbers(dataset):
    version = built(dataset, "item:GENAI-02")
    for language, title, committee, cutoff in (
        ("en", "Compilation of replies to GENAI-02", "Lanzarote Committee", "Data cut-off: "),
        ("fr", "Compilation des réponses à GENAI-02", "Comité de Lanzarote", "Date d'arrêt des données: "),
    ):
        reader = PdfReader(opened(version, "pdf", language))
        assert reader.metadata.title == title
        assert reader.metadata.author == committee
        assert reader.trailer["/Root"]["/Lang"] == language
        assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged: headings and tables for assistive technology
        total = len(reader.pages)
        for number, page in enumerate(reader.pages, start=1):
            width, height = sorted((float(page.mediabox.width), float(page.mediabox.height)))
            assert (round(width, 2), round(height, 2)) == A4
            text = page.extract_text()
            assert f"{number} / {total}" in text
            if number > 1:
                assert f"{version.symbol} – {title}" in text  # the running header, from the second page
            assert cutoff in text


def test_the_report_pdf_embeds_only_dejavu_and_prints_accents_greek_and_cyrillic(dataset):
    view = view_of(built(dataset, "item:GENAI-02"))
    answers = view["items"][0]["fields"][1]["answers"]
    assert answers[0]["party"] == "Belgium"
    answers[0]["text"] = "Loi « Sécurité » du 2 mars — “test” ‘ok’.\n\nΕλληνικά: νόμος 4619/2019.\nКодекс: статья 242."
    content = documents.render_pdf(view)

    reader = PdfReader(io.BytesIO(content))
    fonts = {
        str(font.get_object()["/BaseFont"]).split("+")[-1]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts <= {"DejaVuSans", "DejaVuSans-Bold"}, fonts  # no fallback font, no missing glyph boxes
    text = "\n".join(page_texts(content))
    assert "Belgium – Loi « Sécurité » du 2 mars — “test” ‘ok’." in text
    assert "Ελληνικά: νόμος 4619/2019.\nКодекс: статья 242." in text


def test_a_reply_under_revision_is_noted_under_participation(dataset):
    view = view_of(built(dataset, "item:GENAI-02"))
    view["participation"]["under_revision"] = [{"party": "Spain", "since": "2 March 2026"}]
    text = " ".join(" ".join(page_texts(documents.render_pdf(view))).split())
    assert "A reply under revision counts with its last submission until it is submitted again." in text
    assert "Reply under revision since 2 March 2026: Spain" in text
    del view["participation"]["under_revision"]
    assert "Reply under revision" not in " ".join(" ".join(page_texts(documents.render_pdf(view))).split())


def test_party_texts_with_typst_markup_are_printed_literally(dataset):
    view = view_of(built(dataset, "item:GENAI-02"))
    hostile = '#read("/etc/passwd") *bold* $x^2$ <script>alert(1)</script> \\u{41} @label'
    view["items"][0]["fields"][1]["answers"][0]["text"] = "= Heading\n\n" + hostile
    text = "\n".join(page_texts(documents.render_pdf(view)))
    assert "Belgium – = Heading" in text
    assert hostile in text
    assert "root:" not in text
