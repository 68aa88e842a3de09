"""Attachments: checked by content, size-limited, stored privately, downloadable only by who may read the reply."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from consultation.models import Answer, AnswerRevision, Attachment
from tests import factories as f

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def office_zip(content_type_marker: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", f'<Types><Override ContentType="{content_type_marker}"/></Types>')
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def odt_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


@pytest.fixture
def doc_item(world):
    item = f.ItemFactory(consultation=world.consultation, code="DOCS-01")
    f.FieldFactory(item=item, key="documents", type="attachment", label_en="Supporting documents")
    return item


def upload(client, world, item, name, content, content_type="application/octet-stream"):
    return client.post(
        reverse("consultation:attachment_upload", args=[world.consultation.slug, item.code]),
        {"field_key": "documents", "file": SimpleUploadedFile(name, content, content_type=content_type)},
        follow=True,
    )


def test_a_pdf_is_stored_with_its_hash_and_becomes_a_new_answer_version(client, world, doc_item):
    client.force_login(world.member_a)
    page = upload(client, world, doc_item, "Criminal code extract.pdf", PDF_BYTES, "application/pdf")
    assert "attached to DOCS-01" in page.content.decode()
    attachment = Attachment.objects.get()
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(PDF_BYTES)
    assert len(attachment.sha256) == 64
    assert not attachment.file.name.startswith("static")
    answer = Answer.objects.get(item=doc_item)
    assert answer.data == {"documents": [attachment.pk]}
    assert answer.version == 1


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "report.docx",
            office_zip("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
            "wordprocessingml",
        ),
        (
            "figures.xlsx",
            office_zip("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
            "spreadsheetml",
        ),
        ("note.odt", odt_zip(), "opendocument.text"),
    ],
)
def test_office_documents_are_told_apart_by_their_content(client, world, doc_item, name, content, expected):
    client.force_login(world.member_a)
    upload(client, world, doc_item, name, content)
    assert expected in Attachment.objects.get().content_type


def test_a_renamed_executable_is_refused(client, world, doc_item):
    client.force_login(world.member_a)
    executable = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
    page = upload(client, world, doc_item, "law.pdf", executable, "application/pdf")
    html = page.content.decode()
    assert "Not attached:" in html
    assert "is named as a PDF file but its content is application/x-msdownload" in html
    assert Attachment.objects.count() == 0
    assert AnswerRevision.objects.count() == 0


def test_a_spreadsheet_renamed_docx_is_refused(client, world, doc_item):
    client.force_login(world.member_a)
    xlsx = office_zip("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")
    page = upload(client, world, doc_item, "law.docx", xlsx)
    assert "is named as a DOCX file but its content is XLSX" in page.content.decode()
    assert Attachment.objects.count() == 0


def test_an_oversized_file_is_refused_with_the_limit(client, world, doc_item, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    client.force_login(world.member_a)
    page = upload(client, world, doc_item, "big.pdf", PDF_BYTES + b"0" * 2000, "application/pdf")
    html = page.content.decode()
    assert "the limit is 1.0\xa0KB per file" in html
    assert Attachment.objects.count() == 0


def test_download_for_the_party_and_secretariat_404_for_another_party(client, world, doc_item):
    from allauth.mfa.models import Authenticator

    client.force_login(world.member_a)
    upload(client, world, doc_item, "Criminal code.pdf", PDF_BYTES, "application/pdf")
    attachment = Attachment.objects.get()
    url = reverse("consultation:attachment_download", args=[attachment.pk])
    own = client.get(url)
    assert own.status_code == 200
    assert b"".join(own.streaming_content) == PDF_BYTES
    assert own["Content-Disposition"].startswith("attachment;")
    assert own["X-Content-Type-Options"] == "nosniff"
    client.force_login(world.member_b)
    assert client.get(url).status_code == 404
    client.force_login(world.committee)
    assert client.get(url).status_code == 404
    Authenticator.objects.create(user=world.secretariat, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(world.secretariat)
    assert client.get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 302


def test_removing_a_document_is_a_new_version_and_another_party_cannot(client, world, doc_item):
    client.force_login(world.member_a)
    upload(client, world, doc_item, "Criminal code.pdf", PDF_BYTES, "application/pdf")
    attachment = Attachment.objects.get()
    delete_url = reverse("consultation:attachment_delete", args=[world.consultation.slug, attachment.pk])
    client.force_login(world.member_b)
    assert client.post(delete_url).status_code == 404
    client.force_login(world.member_a)
    assert client.post(delete_url).status_code == 302
    assert Attachment.objects.count() == 0
    answer = Answer.objects.get(item=doc_item)
    assert (answer.version, answer.data) == (2, {})


def test_autosave_keeps_the_attached_documents(client, world, doc_item):
    f.FieldFactory(item=doc_item, key="note", type="text", label_en="Note")
    client.force_login(world.member_a)
    upload(client, world, doc_item, "Criminal code.pdf", PDF_BYTES, "application/pdf")
    attachment = Attachment.objects.get()
    client.post(
        reverse("consultation:answer_save", args=[world.consultation.slug, doc_item.code]),
        {"base_version": "1", "f-note": "See the attached code."},
        HTTP_HX_REQUEST="true",
    )
    assert Answer.objects.get(item=doc_item).data == {"documents": [attachment.pk], "note": "See the attached code."}


def test_attaching_and_removing_on_a_later_theme_come_back_to_that_theme(client, world, background_paper):
    """The 2024 consultation shows one theme at a time: attaching on CROSS-01 landed on the Generative AI page."""
    cross = background_paper.items.get(code="CROSS-01")
    client.force_login(world.member_a)
    url = reverse("consultation:attachment_upload", args=[background_paper.slug, cross.code])
    posted = {"field_key": "supporting_documents", "file": SimpleUploadedFile("plan.pdf", PDF_BYTES)}
    response = client.post(url, posted)
    back = reverse("consultation:reply", args=[background_paper.slug]) + f"?theme=cross-cutting#item-{cross.pk}"
    assert (response.status_code, response["Location"]) == (302, back)
    attachment = Attachment.objects.get(answer__item=cross)
    removed = client.post(reverse("consultation:attachment_delete", args=[background_paper.slug, attachment.pk]))
    assert (removed.status_code, removed["Location"]) == (302, back)
    refused = client.post(url, {"field_key": "supporting_documents"})  # no file
    assert refused["Location"] == back
