"""The submission receipt: one e-mail per submission to the delegation, in the Party's language, with the
submitted reply attached as PDF."""

from __future__ import annotations

import datetime
import io
from unittest import mock

import pypdf
import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import AuditEvent
from consultation.models import Response, ResponseSubmission
from consultation.selectors.receipts import receipt_get, submission_digest
from consultation.services.answers import answer_save, response_get_or_create
from consultation.services.receipts import reply_receipt_send, reply_receipts_sweep
from consultation.services.responses import response_reopen, response_submit
from consultation.tasks import reply_receipt_send as reply_receipt_send_task
from tests import factories as f
from tests.access.helpers import login_with_mfa

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def complete_reply(world):
    response = response_get_or_create(consultation=world.consultation, party=world.party_a)
    for item, explanation in zip(world.items, ["Criminal Code, art. 227-23.", "Bill 1234 pending."], strict=True):
        answer_save(
            response=response,
            item=item,
            data={"position": "yes", "explanation": explanation},
            base_version=0,
            user=world.member_a,
        )
    return response


def test_submitting_emails_the_delegation_a_receipt_with_the_reply_as_pdf(
    world, complete_reply, django_capture_on_commit_callbacks
):
    world.party_a.preferred_language = "en"
    world.party_a.save()
    f.delegate(world.party_a, role="member", email="second.member@fr.example")
    with django_capture_on_commit_callbacks(execute=True):
        submission = response_submit(response=complete_reply, user=world.head_a)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["head.a@fr.example", "member.a@fr.example", "second.member@fr.example"]
    assert message.subject == f"Receipt: reply of France to “{world.consultation.title_en}” submitted"
    assert "Submission number: 1" in message.body
    assert "http://" in message.body
    assert f"/consultations/{world.consultation.slug}/receipt/" in message.body
    assert f"Digest of the submitted content (SHA-256): {submission_digest(snapshot=submission.snapshot)[:8]} " in (
        message.body
    )
    assert "Items answered: 2 of 2" in message.body
    [(filename, content, content_type)] = message.attachments
    assert (filename, content_type) == (f"reply-fr-{world.consultation.slug}-1.pdf", "application/pdf")
    text = pdf_text(content)
    assert "Submitted on" in text
    assert "Criminal Code, art. 227-23." in text
    assert "Bill 1234 pending." in text
    assert AuditEvent.objects.filter(event_type="reply.receipt_sent", extra__submission_id=submission.pk).count() == 1


def test_the_receipt_is_in_the_partys_preferred_language(world, complete_reply, django_capture_on_commit_callbacks):
    world.party_a.preferred_language = "fr"
    world.party_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        response_submit(response=complete_reply, user=world.head_a)

    [message] = mail.outbox
    assert world.consultation.title_fr in message.subject
    text = pdf_text(message.attachments[0][1])
    assert world.items[0].text_fr.split(",")[0] in text  # the French item texts
    assert world.items[0].text_en.split(",")[0] not in text


def test_the_receipt_is_sent_once_per_submission_even_when_the_task_runs_again(world, complete_reply):
    submission = response_submit(response=complete_reply, user=world.head_a)

    assert reply_receipt_send_task.apply(args=[submission.pk]).get() is True
    assert reply_receipt_send_task.apply(args=[submission.pk]).get() is False
    assert reply_receipt_send(submission_id=submission.pk) is False

    assert len(mail.outbox) == 1


def test_the_pdf_shows_the_submitted_snapshot_not_later_edits(world, complete_reply):
    first = response_submit(response=complete_reply, user=world.head_a)
    response_reopen(response=complete_reply, user=world.secretariat, reason="Please add the 2023 figures.")
    reopened = Response.objects.get(pk=complete_reply.pk)
    answer_save(
        response=reopened,
        item=world.items[1],
        data={"position": "no", "explanation": "Bill 1234 was withdrawn."},
        base_version=1,
        user=world.member_a,
    )

    reply_receipt_send(submission_id=first.pk)

    text = pdf_text(mail.outbox[0].attachments[0][1])
    assert "Bill 1234 pending." in text
    assert "withdrawn" not in text


def test_a_broker_outage_never_undoes_the_submission(world, complete_reply, django_capture_on_commit_callbacks):
    with mock.patch.object(reply_receipt_send_task, "apply_async", side_effect=OSError("broker unreachable")):
        with django_capture_on_commit_callbacks(execute=True):
            response_submit(response=complete_reply, user=world.head_a)

    assert Response.objects.get(pk=complete_reply.pk).status == "submitted"
    assert ResponseSubmission.objects.filter(response=complete_reply).count() == 1
    assert mail.outbox == []


def test_the_sweep_sends_a_receipt_that_could_not_be_queued_and_only_once(
    world, complete_reply, django_capture_on_commit_callbacks, time_machine
):
    with mock.patch.object(reply_receipt_send_task, "apply_async", side_effect=OSError("broker unreachable")):
        with django_capture_on_commit_callbacks(execute=True):
            response_submit(response=complete_reply, user=world.head_a)
    assert reply_receipts_sweep() == 0  # too recent: the normal path may still deliver it

    time_machine.move_to(timezone.now() + datetime.timedelta(minutes=10))

    assert reply_receipts_sweep() == 1
    assert reply_receipts_sweep() == 0
    assert len(mail.outbox) == 1


# --- The receipt page and its PDF ----------------------------------------------------------------------------------


def test_the_digest_is_sha256_of_the_canonical_snapshot_and_changes_with_any_answer():
    snapshot = {"GENAI-01": {"data": {"explanation": "Loi n° 2024-1"}, "version": 2, "language": "fr"}}
    same_reordered = {"GENAI-01": {"language": "fr", "version": 2, "data": {"explanation": "Loi n° 2024-1"}}}
    changed = {"GENAI-01": {"data": {"explanation": "Loi n° 2024-2"}, "version": 2, "language": "fr"}}

    import hashlib

    expected = hashlib.sha256(
        '{"GENAI-01":{"data":{"explanation":"Loi n° 2024-1"},"language":"fr","version":2}}'.encode()
    ).hexdigest()
    assert submission_digest(snapshot=snapshot) == expected
    assert submission_digest(snapshot=same_reordered) == expected
    assert submission_digest(snapshot=changed) != expected


def test_submitting_leads_the_head_to_the_receipt_page(client, world, complete_reply):
    login_with_mfa(client, world.head_a)
    page = client.post(f"/consultations/{world.consultation.slug}/submit/", {"confirm": "on"}, follow=True)

    assert page.redirect_chain[-1][0] == f"/consultations/{world.consultation.slug}/receipt/"
    submission = ResponseSubmission.objects.get(response=complete_reply)
    html = page.content.decode()
    assert "Receipt of submission" in html
    assert world.head_a.display_name in html
    digest = submission_digest(snapshot=submission.snapshot)
    assert " ".join(digest[i : i + 8] for i in range(0, 64, 8)) in html
    assert "2 of 2" in html
    assert f'datetime="{timezone.localtime(submission.submitted_at).isoformat()}"' in html
    assert "(Europe/Paris, " in html


def test_a_member_sees_the_receipt_in_french_with_the_date_in_french(client, world, complete_reply):
    submission = response_submit(response=complete_reply, user=world.head_a)
    ResponseSubmission.objects.filter(pk=submission.pk).update(
        submitted_at=datetime.datetime(2026, 12, 3, 19, 5, tzinfo=datetime.UTC)
    )
    world.member_a.preferred_language = "fr"
    world.member_a.save()
    client.force_login(world.member_a)

    html = client.get(f"/consultations/{world.consultation.slug}/receipt/").content.decode()

    assert "Accusé de réception" in html
    assert "3 décembre 2026 20:05 (Europe/Paris, 19:05 UTC)" in html
    assert "2 sur 2" in html


def test_the_receipt_pdf_can_be_downloaded_at_any_time_and_shows_that_submission(client, world, complete_reply):
    first = response_submit(response=complete_reply, user=world.head_a)
    response_reopen(response=complete_reply, user=world.secretariat, reason="Please add the 2023 figures.")
    answer_save(
        response=Response.objects.get(pk=complete_reply.pk),
        item=world.items[1],
        data={"position": "no", "explanation": "Bill 1234 was withdrawn."},
        base_version=1,
        user=world.member_a,
    )
    second = response_submit(response=Response.objects.get(pk=complete_reply.pk), user=world.head_a)
    client.force_login(world.member_a)
    url = f"/consultations/{world.consultation.slug}/receipt.pdf"

    latest = client.get(url)
    earlier = client.get(url + "?sequence=1")

    assert latest["Content-Disposition"] == f'attachment; filename="reply-fr-{world.consultation.slug}-2.pdf"'
    text = pdf_text(latest.content)
    assert "Receipt of submission" in text
    assert submission_digest(snapshot=second.snapshot)[:8] in text
    assert "withdrawn" in text
    old_text = pdf_text(earlier.content)
    assert submission_digest(snapshot=first.snapshot)[:8] in old_text
    assert "Bill 1234 pending." in old_text
    assert "withdrawn" not in old_text
    page = client.get(f"/consultations/{world.consultation.slug}/receipt/?sequence=1").content.decode()
    assert "the reply was submitted again since (submission 2)" in page
    assert client.get(url + "?sequence=3").status_code == 404
    assert client.get(url + "?sequence=x").status_code == 404


def test_no_receipt_before_submission_and_none_for_another_party(client, world, complete_reply):
    response_submit(response=complete_reply, user=world.head_a)
    client.force_login(world.member_b)  # Germany has not submitted: its own receipt does not exist

    assert client.get(f"/consultations/{world.consultation.slug}/receipt/").status_code == 404
    assert client.get(f"/consultations/{world.consultation.slug}/receipt.pdf").status_code == 404


def test_the_receipt_counts_answered_items_in_a_constant_number_of_queries(world, complete_reply):
    response_submit(response=complete_reply, user=world.head_a)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        receipt = receipt_get(response=complete_reply)
    assert (receipt.items_answered, receipt.items_total, receipt.sequence) == (2, 2, 1)
    assert len(queries) == 3
