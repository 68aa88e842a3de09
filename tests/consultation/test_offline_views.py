"""The offline pages over HTTP: downloads of one's own reply, upload → preview → confirm, refusals."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from consultation.models import AnswerRevision
from consultation.selectors.offline import reply_document_get
from consultation.services.answers import answer_save, response_get_or_create
from consultation.services.offline import offline_workbook_export
from tests import factories as f
from tests.consultation.offline_world import answers_of, set_value, to_bytes, workbook

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def reply(world):
    response = response_get_or_create(consultation=world.consultation, party=world.party_a)
    answer_save(
        response=response,
        item=world.items[0],
        data={"position": "yes", "explanation": "Criminal Code, art. 227-23."},
        base_version=0,
        user=world.member_a,
    )
    return response


def url(name: str, world, **kwargs) -> str:
    return reverse(f"offline:{name}", kwargs={"slug": world.consultation.slug, **kwargs})


def upload(client, world, content: bytes, name: str = "filled.xlsx"):
    return client.post(url("xlsx_import", world), {"workbook": SimpleUploadedFile(name, content, content_type=XLSX)})


def test_a_member_downloads_the_questionnaire_prefilled_with_their_partys_answers(client, world, reply):
    client.force_login(world.member_a)
    response = client.get(url("xlsx_export", world))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == 'attachment; filename="questionnaire-fr-world-consultation.xlsx"'
    assert "no-store" in response["Cache-Control"]
    rows = list(workbook(response.content).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[3], r[8], r[9]) for r in rows] == [
        ("GENAI-01", "position", "Yes", 1),
        ("GENAI-01", "explanation", "Criminal Code, art. 227-23.", 1),
        ("ROBOT-01", "position", None, 0),
        ("ROBOT-01", "explanation", None, 0),
    ]


def test_party_b_downloads_its_own_reply_never_party_as(client, world, reply):
    other = response_get_or_create(consultation=world.consultation, party=world.party_b)
    answer_save(response=other, item=world.items[0], data={"position": "no"}, base_version=0, user=world.member_b)
    client.force_login(world.member_b)
    response = client.get(url("xlsx_export", world))
    rows = list(workbook(response.content).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[3], r[8]) for r in rows[:2]] == [("GENAI-01", "position", "No"), ("GENAI-01", "explanation", None)]
    assert response["Content-Disposition"] == 'attachment; filename="questionnaire-de-world-consultation.xlsx"'
    pdf = client.get(url("reply_pdf", world))
    assert pdf["Content-Type"] == "application/pdf"
    assert b"227-23" not in pdf.content


def test_the_documents_download_with_their_types_and_names(client, world, reply):
    client.force_login(world.member_a)
    docx_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    for name, content_type, filename in [
        ("questionnaire_docx", docx_type, "questionnaire-fr-world-consultation.docx"),
        ("reply_docx", docx_type, "reply-fr-world-consultation.docx"),
        ("reply_pdf", "application/pdf", "reply-fr-world-consultation.pdf"),
    ]:
        response = client.get(url(name, world))
        assert (response.status_code, response["Content-Type"]) == (200, content_type)
        assert response["Content-Disposition"] == f'attachment; filename="{filename}"'


def test_upload_preview_and_confirm_save_the_changes(client, world, reply):
    client.force_login(world.member_a)
    book = workbook(client.get(url("xlsx_export", world)).content)
    set_value(book.worksheets[0], "GENAI-01", "position", "no")
    set_value(book.worksheets[0], "ROBOT-01", "position", "partially")
    content = to_bytes(book)

    response = upload(client, world, content)
    assert response.status_code == 302
    preview_url = response["Location"]
    page = client.get(preview_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "File “filled.xlsx”: 4 answers read. Nothing has been saved yet." in html
    assert html.count('class="diff-del"') == 2
    assert answers_of(reply)["GENAI-01"][0] == 1  # nothing saved by the preview

    done = client.post(preview_url + "confirm/", {"action": "confirm"})

    assert done.status_code == 302
    assert done["Location"] == url("index", world)
    assert answers_of(reply) == {
        "GENAI-01": (2, {"position": "no", "explanation": "Criminal Code, art. 227-23."}),
        "ROBOT-01": (1, {"position": "partially"}),
    }
    messages = [str(m) for m in done.wsgi_request._messages]
    assert messages == ["Import done: 2 answers saved (GENAI-01, ROBOT-01)."]
    assert client.get(preview_url).status_code == 404  # the preview is used up


def test_a_conflict_is_resolved_by_the_persons_choice(client, world, reply):
    client.force_login(world.member_a)
    book = workbook(client.get(url("xlsx_export", world)).content)
    answer_save(response=reply, item=world.items[0], data={"position": "partially"}, base_version=1, user=world.head_a)
    set_value(book.worksheets[0], "GENAI-01", "position", "no")
    preview_url = upload(client, world, to_bytes(book))["Location"]
    html = client.get(preview_url).content.decode()
    assert "Changed online since your download" in html
    assert 'name="conflict-GENAI-01" value="keep" checked' in html

    client.post(preview_url + "confirm/", {"action": "confirm", "conflict-GENAI-01": "take"})

    assert answers_of(reply)["GENAI-01"] == (3, {"position": "no"})


def test_a_file_with_errors_shows_them_and_cannot_be_confirmed(client, world, reply):
    client.force_login(world.member_a)
    book = workbook(client.get(url("xlsx_export", world)).content)
    set_value(book.worksheets[0], "GENAI-01", "position", "maybe")
    set_value(book.worksheets[0], "ROBOT-01", "position", "no")
    preview_url = upload(client, world, to_bytes(book))["Location"]
    html = client.get(preview_url).content.decode()
    assert "1 problem to correct" in html
    assert "“maybe” is not an allowed option for “Position”. Allowed: yes, partially, no." in html
    before = AnswerRevision.objects.count()

    done = client.post(preview_url + "confirm/", {"action": "confirm"})

    assert [str(m) for m in done.wsgi_request._messages] == [
        "The file has errors; correct them and upload it again. Nothing was saved."
    ]
    assert AnswerRevision.objects.count() == before


def test_a_refused_file_is_explained_on_the_upload_page(client, world, reply):
    client.force_login(world.member_a)
    response = upload(client, world, b"%PDF-1.7 not a workbook", name="answers.xlsx")
    assert response.status_code == 400
    assert "The file is not an XLSX workbook." in response.content.decode()


def test_an_upload_over_the_limit_is_refused_by_the_form(client, world, reply, settings):
    settings.IMPORT_MAX_BYTES = 2048
    client.force_login(world.member_a)
    response = upload(client, world, b"x" * 4096)
    assert response.status_code == 400
    assert "The file is 4 KB; the limit is 2 KB." in response.content.decode()


def test_a_preview_belongs_to_the_person_who_uploaded_it(client, world, reply):
    client.force_login(world.member_a)
    preview_url = upload(client, world, client.get(url("xlsx_export", world)).content)["Location"]
    colleague = f.delegate(world.party_a, role="member", email="colleague.a@fr.example")
    client.force_login(colleague)
    assert client.get(preview_url).status_code == 404
    assert client.post(preview_url + "confirm/", {"action": "confirm"}).status_code == 404


def test_cancelling_discards_the_preview(client, world, reply):
    client.force_login(world.member_a)
    preview_url = upload(client, world, client.get(url("xlsx_export", world)).content)["Location"]
    done = client.post(preview_url + "confirm/", {"action": "cancel"})
    assert [str(m) for m in done.wsgi_request._messages] == ["The import was cancelled; nothing was saved."]
    assert client.get(preview_url).status_code == 404


def test_a_submitted_reply_refuses_uploads(client, world, reply):
    reply.status = "submitted"
    reply.submitted_at = reply.created_at
    reply.save()
    client.force_login(world.member_a)
    page = client.get(url("index", world)).content.decode()
    assert "The reply has been submitted; the Secretariat can reopen it." in page
    response = upload(client, world, b"anything")
    assert response.status_code == 403


def test_the_export_reads_the_whole_questionnaire_in_a_constant_number_of_queries(
    world, background_paper, django_assert_max_num_queries
):
    small = response_get_or_create(consultation=world.consultation, party=world.party_a)
    large = response_get_or_create(consultation=background_paper, party=world.party_a)
    for response in (small, large):
        with django_assert_max_num_queries(6):
            document = reply_document_get(consultation=response.consultation, party=world.party_a, response=response)
            content = offline_workbook_export(document=document)
        assert workbook(content).worksheets[0].max_row > 1


def test_a_preview_expires_after_an_hour(client, world, reply, time_machine):
    client.force_login(world.member_a)
    preview_url = upload(client, world, client.get(url("xlsx_export", world)).content)["Location"]
    assert client.get(preview_url).status_code == 200
    time_machine.move_to(timezone.now() + datetime.timedelta(minutes=61))
    assert client.get(preview_url).status_code == 404


def _with_part(content: bytes, name: str, change) -> bytes:
    """The same workbook with one part's bytes changed by ``change``."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            target.writestr(entry.filename, change(data) if entry.filename == name else data)
    return out.getvalue()


@pytest.mark.parametrize(
    "change",
    [
        lambda xml: xml.replace(b"ROBOT-01", b"ROBOT&#0;-01"),  # a NUL: no XML may hold one
        lambda xml: xml.replace(b"ROBOT-01", b"ROBOT\x00-01"),
        lambda xml: xml[: len(xml) // 2],  # cut in the middle
        lambda xml: xml.replace(b"</sheetData>", b"</sheetDta>"),
    ],
    ids=["nul-reference", "nul-byte", "truncated", "mismatched-tag"],
)
def test_malformed_sheet_xml_is_refused_clearly_and_creates_no_reply(client, world, reply, change):
    """It gave a 500; and an upload refused for a Party that had no reply yet still created an empty reply row."""
    from consultation.models import Response

    client.force_login(world.member_b)  # Germany: no reply yet
    content = client.get(url("xlsx_export", world)).content
    assert b"ROBOT-01" in zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    response = upload(client, world, _with_part(content, "xl/worksheets/sheet1.xml", change))
    assert response.status_code == 400
    assert (
        "The workbook part xl/worksheets/sheet1.xml is not well-formed XML: Excel never writes such a file. "
        "Save it again from Excel as .xlsx." in response.content.decode()
    )
    assert not Response.objects.filter(party=world.party_b).exists()


def test_a_preview_with_errors_creates_no_reply_and_a_confirmed_one_does(client, world, reply):
    from consultation.models import Response

    client.force_login(world.member_b)
    book = workbook(client.get(url("xlsx_export", world)).content)
    set_value(book.worksheets[0], "GENAI-01", "position", "maybe")
    preview_url = upload(client, world, to_bytes(book))["Location"]
    assert "1 problem to correct" in client.get(preview_url).content.decode()
    refused = client.post(preview_url + "confirm/", {"action": "confirm"}, follow=True)
    assert "The file has errors; correct them and upload it again. Nothing was saved." in refused.content.decode()
    assert not Response.objects.filter(party=world.party_b).exists()

    set_value(book.worksheets[0], "GENAI-01", "position", "no")
    preview_url = upload(client, world, to_bytes(book))["Location"]
    assert not Response.objects.filter(party=world.party_b).exists()  # a preview writes nothing
    done = client.post(preview_url + "confirm/", {"action": "confirm"})
    assert [str(m) for m in done.wsgi_request._messages] == ["Import done: 1 answers saved (GENAI-01)."]
    created = Response.objects.get(party=world.party_b)
    assert answers_of(created) == {"GENAI-01": (1, {"position": "no"})}
