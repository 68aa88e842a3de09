"""Round "no change" with documents: the earlier answer's documents are copied as new stored files of the new answer
(same bytes and name), and a document missing from storage refuses the whole confirmation, nothing written."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from consultation.models import Answer, AnswerRevision, Attachment, Item, Response
from consultation.services.answers import AnswerConflict, answer_save, response_get_or_create
from consultation.services.attachments import AttachmentSourceMissing, attachment_add
from consultation.services.lifecycle import consultation_duplicate, consultation_open
from consultation.services.responses import response_submit
from consultation.services.rounds import answer_confirm_unchanged
from tests import factories as f

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n% Criminal Code, art. 227-23\ntrailer << >>\n%%EOF\n"
NAME = "Criminal code extract.pdf"


@pytest.fixture
def rounds(world, settings, tmp_path):
    """Round 1: GENAI-01 also takes documents; France submits its position with one PDF. Round 2 is duplicated with
    carry-over (which leaves the documents behind) and opened."""
    settings.MEDIA_ROOT = tmp_path
    genai, robot = world.items
    f.FieldFactory(item=genai, key="evidence", type="attachment", label_en="Evidence", order=3)
    reply = response_get_or_create(consultation=world.consultation, party=world.party_a)
    upload = SimpleUploadedFile(NAME, PDF_BYTES, content_type="application/pdf")
    world.source = attachment_add(response=reply, item=genai, field_key="evidence", upload=upload, user=world.member_a)
    answer_save(
        response=reply,
        item=genai,
        data={"position": "yes", "explanation": "The Criminal Code covers it.", "evidence": [world.source.pk]},
        base_version=1,
        user=world.member_a,
    )
    answer_save(response=reply, item=robot, data={"position": "no"}, base_version=0, user=world.member_a)
    response_submit(response=reply, user=world.head_a)
    new = consultation_duplicate(
        source=world.consultation,
        user=world.secretariat,
        slug="world-round-2",
        title_en="World consultation, round 2",
        closes_on=timezone.localdate() + datetime.timedelta(days=30),
        carry_over=True,
    )
    consultation_open(consultation=new, user=world.secretariat)
    world.round2 = new
    world.item2 = Item.objects.get(consultation=new, code="GENAI-01")
    world.reply2 = Response.objects.get(consultation=new, party=world.party_a)
    world.media = tmp_path
    return world


def _stored_files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_round_no_change_copies_the_documents_as_new_files_of_the_new_answer(rounds):
    carried = Answer.objects.get(response=rounds.reply2, item=rounds.item2)
    assert "evidence" not in carried.data  # the carry-over leaves documents behind

    answer = answer_confirm_unchanged(
        response=rounds.reply2, item=rounds.item2, base_version=carried.version, user=rounds.member_a
    )

    [copy] = Attachment.objects.filter(answer=answer)
    assert answer.data == {
        "position": "yes",
        "explanation": "The Criminal Code covers it.",
        "evidence": [copy.pk],
    }
    assert (answer.version, copy.answer_id, copy.field.item_id) == (2, carried.pk, rounds.item2.pk)
    assert (copy.original_name, copy.content_type, copy.size) == (NAME, "application/pdf", len(PDF_BYTES))
    assert copy.sha256 == rounds.source.sha256
    assert copy.uploaded_by == rounds.member_a
    assert copy.confidential is None  # this round's sign-off decides
    assert copy.file.name != rounds.source.file.name  # a file of its own
    with copy.file.open("rb") as handle:
        assert handle.read() == PDF_BYTES
    rounds.source.refresh_from_db()
    assert rounds.source.answer.response.consultation == rounds.consultation  # the earlier document is untouched
    assert len(_stored_files(rounds.media)) == 2
    revision = AnswerRevision.objects.get(answer=answer, version=2)
    assert (revision.source, revision.data["evidence"]) == ("confirmed", [copy.pk])
    event = AuditEvent.objects.get(event_type="reply.answer_confirmed_unchanged")
    assert event.extra["documents_copied"] == [copy.pk]


def test_round_no_change_twice_copies_nothing_twice(rounds):
    first = answer_confirm_unchanged(response=rounds.reply2, item=rounds.item2, base_version=1, user=rounds.member_a)
    again = answer_confirm_unchanged(
        response=rounds.reply2, item=rounds.item2, base_version=first.version, user=rounds.member_a
    )
    assert again.version == 3
    assert Attachment.objects.filter(answer=again).count() == 1
    assert again.data["evidence"] == first.data["evidence"]
    assert len(_stored_files(rounds.media)) == 2


def test_round_no_change_with_a_document_missing_from_storage_is_refused_and_writes_nothing(rounds):
    default_storage.delete(rounds.source.file.name)
    before = (Answer.objects.get(response=rounds.reply2, item=rounds.item2).version, AnswerRevision.objects.count())

    with pytest.raises(AttachmentSourceMissing, match=f"The document “{NAME}” is no longer in storage"):
        answer_confirm_unchanged(response=rounds.reply2, item=rounds.item2, base_version=1, user=rounds.member_a)

    answer = Answer.objects.get(response=rounds.reply2, item=rounds.item2)
    assert (answer.version, AnswerRevision.objects.count()) == before
    assert "evidence" not in answer.data
    assert not Attachment.objects.filter(answer=answer).exists()
    assert not AuditEvent.objects.filter(event_type="reply.answer_confirmed_unchanged").exists()
    assert _stored_files(rounds.media) == []


def test_round_no_change_refused_after_copying_removes_the_copied_files(rounds):
    with pytest.raises(AnswerConflict):
        answer_confirm_unchanged(response=rounds.reply2, item=rounds.item2, base_version=0, user=rounds.member_a)
    assert not Attachment.objects.filter(answer__response=rounds.reply2).exists()
    assert _stored_files(rounds.media) == [rounds.source.file.name]


def test_round_no_change_page_says_why_a_missing_document_stops_it(rounds, client):
    default_storage.delete(rounds.source.file.name)
    client.force_login(rounds.member_a)
    url = reverse("consultation:answer_no_change", args=[rounds.round2.slug, "GENAI-01"])

    page = client.post(url, {"base_version": "1"}, follow=True)

    assert page.status_code == 200
    text = page.content.decode()
    assert f"Not confirmed: The document “{NAME}” is no longer in storage, so it cannot be copied." in text
    assert Answer.objects.get(response=rounds.reply2, item=rounds.item2).version == 1
