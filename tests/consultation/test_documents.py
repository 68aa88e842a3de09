"""The reply as DOCX and PDF: title page, bilingual headings, item codes, articles, answers and legal references;
answer texts printed as text, never interpreted, Typst markup included; the typesetter reads no file."""

from __future__ import annotations

import datetime
import io
import urllib.request
import zipfile
from unittest import mock

import docx
import pypdf
import pytest
from django.utils import timezone, translation

from consultation import documents
from consultation.documents import bilingual
from consultation.models import Answer
from consultation.selectors.offline import reply_document_get
from consultation.services.answers import answer_save, response_get_or_create
from tests.consultation.offline_world import all_types_item

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script><img src="http://169.254.169.254/latest"> =HYPERLINK("http://evil.example","x")'


@pytest.fixture
def reply(world):
    world.tech = all_types_item(world.consultation)
    response = response_get_or_create(consultation=world.consultation, party=world.party_a)
    answer_save(
        response=response,
        item=world.items[0],
        data={"position": "partially", "explanation": HOSTILE},
        base_version=0,
        user=world.member_a,
    )
    answer_save(
        response=response,
        item=world.tech,
        data={
            "position": "yes",
            "measures": ["law", "training"],
            "priorities": ["detection", "prevention", "prosecution"],
            "explanation": "Two ministries contributed.",
            "cases": "12.5",
            "references": [
                {"instrument": "Criminal Code", "provision": "Art. 227-23", "url": "https://www.legifrance.gouv.fr/"},
                {"instrument": "Law 2024-449", "provision": "", "url": ""},
            ],
        },
        base_version=0,
        user=world.member_a,
    )
    return response


def document_of(reply, **kwargs):
    return reply_document_get(consultation=reply.consultation, party=reply.party, response=reply, **kwargs)


def read_docx(content: bytes):
    return docx.Document(io.BytesIO(content))


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def test_the_docx_has_a_title_page_and_word_headings_per_theme_item_and_field(world, reply):
    book = read_docx(documents.reply_docx(document_of(reply)))
    paragraphs = [(p.style.name, p.text) for p in book.paragraphs]

    assert paragraphs[:4] == [
        ("Title", bilingual("Reply")),
        ("Subtitle", f"{world.consultation.title_en} / {world.consultation.title_fr}"),
        ("Normal", "France"),
        ("Normal", "Draft for internal clearance"),
    ]
    headings = [(style, text) for style, text in paragraphs if style.startswith("Heading")]
    assert headings == [
        ("Heading 1", "Generative Ai / Generative Ai (fr)"),
        ("Heading 2", "GENAI-01"),
        ("Heading 3", "Position"),
        ("Heading 3", "Explanation"),
        ("Heading 1", "Robotics / Robotics (fr)"),
        ("Heading 2", "ROBOT-01"),
        ("Heading 3", "Position"),
        ("Heading 3", "Explanation"),
        ("Heading 1", "Internet of Things / Internet des objets"),
        ("Heading 2", "TECH-01"),
        ("Heading 3", "Position"),
        ("Heading 3", "Measures in force"),
        ("Heading 3", "Priorities"),
        ("Heading 3", "Explanation"),
        ("Heading 3", "Cases recorded in 2023"),
        ("Heading 3", "Legal basis"),
        ("Heading 3", "Supporting document"),
    ]
    texts = [text for _style, text in paragraphs]
    assert f"{bilingual('Articles')}: 20, 21" in texts
    assert f"{bilingual('Question')}: {world.items[0].text_en}" in texts
    start = texts.index("TECH-01")
    assert texts[start + 2 :] == [
        "Position",
        "Yes",
        "Measures in force",
        "Legislation",
        "Training",
        "Priorities",
        "1. Detection",
        "2. Prevention",
        "3. Prosecution",
        "Explanation",
        "Two ministries contributed.",
        "Cases recorded in 2023",
        "12.5 cases",
        "Legal basis",
        "Supporting document",
        bilingual("No answer"),
    ]
    [table] = book.tables
    assert [[cell.text for cell in row.cells] for row in table.rows] == [
        [bilingual("Instrument"), bilingual("Provision"), bilingual("Link")],
        ["Criminal Code", "Art. 227-23", "https://www.legifrance.gouv.fr/"],
        ["Law 2024-449", "", ""],
    ]
    assert (
        "TOC"
        in zipfile.ZipFile(io.BytesIO(documents.reply_docx(document_of(reply)))).read("word/document.xml").decode()
    )


def test_the_reading_copy_lists_every_option_and_the_guidance(world, reply):
    book = read_docx(documents.reply_docx(document_of(reply), reading_copy=True))
    texts = [p.text for p in book.paragraphs]
    assert texts[0] == bilingual("Questionnaire")
    start = texts.index("TECH-01")
    assert texts[start + 3 : start + 13] == [
        "Position",
        "☒ Yes",
        "☐ Partially",
        "☐ No",
        "Measures in force",
        "☒ Legislation",
        "☐ Policy",
        "☒ Training",
        "Priorities",
        "1. Detection",
    ]
    assert f"{bilingual('Guidance')}: Cite the relevant legislation." in texts


def test_a_submitted_reply_says_when(world, reply):
    submitted = timezone.make_aware(datetime.datetime(2026, 3, 2, 10, 30))
    book = read_docx(documents.reply_docx(document_of(reply, submitted_at=submitted)))
    assert book.paragraphs[3].text == "Submitted on March 2, 2026"


def test_answer_texts_are_escaped_in_the_docx(reply):
    content = documents.reply_docx(document_of(reply))
    assert HOSTILE in [p.text for p in read_docx(content).paragraphs]
    xml = zipfile.ZipFile(io.BytesIO(content)).read("word/document.xml").decode()
    assert "<script>" not in xml
    assert '&lt;script&gt;alert("x")&lt;/script&gt;&lt;img src=' in xml
    assert "<w:fldSimple" in xml  # the table of contents is the only field
    assert xml.count("<w:fldSimple") == 1
    assert "HYPERLINK" not in xml.replace('=HYPERLINK("http://evil.example","x")', "")


def test_the_pdf_shows_the_answers_and_prints_markup_as_text(world, reply):
    with mock.patch.object(urllib.request.OpenerDirector, "open", side_effect=AssertionError("no fetch")) as fetch:
        content = documents.reply_pdf(document_of(reply))
    fetch.assert_not_called()  # the <img> of the answer was text, not an image to fetch
    text = pdf_text(content)
    assert "Draft for internal clearance" in text
    assert "Internet of Things / Internet des objets" in text
    assert "GENAI-01" in text
    assert f"{bilingual('Articles')}: 20, 21" in text
    assert "1. Detection" in text
    assert "12.5 cases" in text
    assert "Criminal Code Art. 227-23 https://www.legifrance.gouv.fr/" in text.replace("\n", " ")
    # The whole hostile answer is printed as text (compared without the line breaks the layout adds).
    assert "".join(HOSTILE.split()) in "".join(text.split())


def test_the_pdf_follows_the_active_language_for_item_texts(world, reply):
    with translation.override("fr"):
        text = pdf_text(documents.reply_pdf(document_of(reply)))
    assert "Quelles mesures visent les appareils connectés ?" in text


TYPST_HOSTILE = (
    '#read("/etc/passwd") #image("/etc/passwd") #include "/etc/hostname" *bold* _em_ $x^2$ \\u{41} '
    '<script>x</script> =SUM(A1) @ref `raw` #import "@preview/cetz:0.3.0": *'
)


def test_typst_markup_in_an_answer_is_printed_literally_and_reads_no_file(world, reply):
    saved = answer_save(
        response=reply,
        item=world.items[0],
        data={"position": "partially", "explanation": "= Heading\n" + TYPST_HOSTILE},
        base_version=1,
        user=world.member_a,
    )
    # Saves refuse control characters now; an answer saved before that check may still hold some.
    Answer.objects.filter(pk=saved.pk).update(
        data={**saved.data, "explanation": saved.data["explanation"] + "\x07\x1b"}
    )
    text = pdf_text(documents.reply_pdf(document_of(reply)))
    assert "= Heading" in text.splitlines()
    # Printed as typed (the control characters dropped), compared without the line breaks the layout adds.
    assert "".join(TYPST_HOSTILE.split()) in "".join(text.split())
    assert "root:" not in text
