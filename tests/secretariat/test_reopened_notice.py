"""The reopening notice is a Celery task queued once the reopening is committed (it was sent inside the Secretariat's
request, which waited for the mail server), sent once per reopening, with links to the address the request came to."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import AuditEvent
from consultation import tasks
from consultation.models import Response
from consultation.services import lifecycle
from consultation.services.answers import response_get_or_create
from consultation.services.responses import response_submit
from tests.access.helpers import login_with_mfa
from tests.secretariat.conftest import save

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(world):
    """France submitted both items."""
    genai, robot = world.items
    fr = response_get_or_create(consultation=world.consultation, party=world.party_a)
    save(fr, genai, {"position": "yes", "explanation": "Criminal Code, art. 227-23."}, world.member_a)
    save(fr, robot, {"position": "partially"}, world.member_a)
    response_submit(response=fr, user=world.head_a)
    return world


def reply_of(world):
    return Response.objects.get(consultation=world.consultation, party=world.party_a)


def test_the_notice_is_queued_on_commit_not_sent_in_the_request(
    answered, monkeypatch, django_capture_on_commit_callbacks
):
    world = answered
    queued = []
    monkeypatch.setattr(
        tasks.reopened_notice_send, "apply_async", lambda args, kwargs, retry: queued.append((args, kwargs, retry))
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        lifecycle.response_reopen_and_notify(response=reply_of(world), user=world.secretariat, reason="Add 2025.")
    assert queued == []  # nothing before the commit
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert queued == [([reply_of(world).pk], {"base_url": "http://127.0.0.1:8000"}, False)]
    assert mail.outbox == []  # the worker sends it


def test_the_notice_goes_once_per_reopening(answered, django_capture_on_commit_callbacks):
    world = answered
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.response_reopen_and_notify(response=reply_of(world), user=world.secretariat, reason="Add 2025.")
    assert len(mail.outbox) == 1
    # A retried or repeated task finds the notice of this reopening sent.
    assert tasks.reopened_notice_send.apply(args=[reply_of(world).pk]).get() is False
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(event_type="reply.reopened_notice_sent").count() == 1
    # Submitted and reopened again: a new reopening, a new notice.
    response_submit(response=reply_of(world), user=world.head_a)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.response_reopen_and_notify(response=reply_of(world), user=world.secretariat, reason="And 2026.")
    assert [m.subject for m in mail.outbox].count(mail.outbox[0].subject) == 2
    assert "And 2026." in mail.outbox[-1].body


def test_no_notice_once_the_reply_is_submitted_again(answered, monkeypatch, django_capture_on_commit_callbacks):
    """The worker ran late (broker outage): the delegation already resubmitted; telling them it is reopened is wrong."""
    world = answered
    monkeypatch.setattr(tasks.reopened_notice_send, "apply_async", lambda **kwargs: None)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.response_reopen_and_notify(response=reply_of(world), user=world.secretariat, reason="Add 2025.")
    response_submit(response=reply_of(world), user=world.head_a)
    mail.outbox.clear()
    assert tasks.reopened_notice_send.apply(args=[reply_of(world).pk]).get() is False
    assert mail.outbox == []


def test_a_broker_outage_leaves_the_reopening_in_place(
    client, answered, monkeypatch, django_capture_on_commit_callbacks
):
    world = answered

    def broker_down(**kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.reopened_notice_send, "apply_async", broker_down)
    login_with_mfa(client, world.secretariat)
    url = reverse("secretariat:reopen_reply", kwargs={"slug": world.consultation.slug, "iso2": "FR"})
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(url, {"reason": "Add 2025."})
    assert page.status_code == 302
    assert reply_of(world).status == "reopened"
    assert mail.outbox == []


def test_the_receipt_links_to_the_address_the_submission_came_to(
    answered, settings, django_capture_on_commit_callbacks
):
    """The worker has no request: the receipt linked to http://127.0.0.1:8000 unless PLATFORM_BASE_URL was set."""
    from django.test import RequestFactory

    world = answered
    settings.PLATFORM_BASE_URL = ""
    settings.ALLOWED_HOSTS = ["consult.example.org"]
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.response_reopen_and_notify(response=reply_of(world), user=world.secretariat, reason="Add 2025.")
    mail.outbox.clear()
    request = RequestFactory().post("/", secure=True, HTTP_HOST="consult.example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response_submit(response=reply_of(world), user=world.head_a, request=request)
    (receipt,) = mail.outbox
    assert f"https://consult.example.org/consultations/{world.consultation.slug}/receipt/" in receipt.body
    assert "8000" not in receipt.body
