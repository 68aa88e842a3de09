"""The dashboard and the per-Party page: what they show, and their query counts."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.services.invitations import invitation_create
from consultation.services import lifecycle
from consultation.services.reminders import reminders_send_manual
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_dashboard_lists_each_consultation_with_its_reply_counts(secretariat_client, world, play):
    page = secretariat_client.get(reverse("secretariat:dashboard")).content.decode()
    assert world.consultation.title in page
    assert '<td class="num">5 / 47</td>' in page  # replies started
    assert '<td class="num">1</td>' in page  # submitted
    assert '<td class="num">2 %</td>' in page


def test_the_dashboard_counts_every_item_of_a_consultation(secretariat_client, world, background_paper):
    """The item model's default ordering must not leak into the GROUP BY (it counted 1 per row, not 23)."""
    from consultation.selectors.state_of_play import consultations_overview

    counts = {row["consultation"].slug: row["items"] for row in consultations_overview()}
    assert counts == {background_paper.slug: 23, world.consultation.slug: 2}
    page = secretariat_client.get(reverse("secretariat:dashboard")).content.decode()
    assert '<td class="num">23</td>' in page


def test_the_party_page_shows_the_timeline_contacts_and_the_reply(
    secretariat_client, world, play, django_capture_on_commit_callbacks
):
    invitation_create(email="expert@fr.example", role="member", party=world.party_a, invited_by=world.head_a)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.response_reopen_and_notify(response=play.fr, user=world.secretariat, reason="Add the 2025 figures.")
        reminders_send_manual(consultation=world.consultation, parties=[world.party_a], user=world.secretariat)
    until = world.consultation.closes_on + datetime.timedelta(days=9)
    lifecycle.response_extend_deadline(
        consultation=world.consultation, party=world.party_a, until=until, user=world.secretariat
    )
    url = reverse("secretariat:party", kwargs={"slug": world.consultation.slug, "iso2": "FR"})
    with CaptureQueriesContext(connection) as ctx:
        response = secretariat_client.get(url)
    page = response.content.decode()
    labels = [
        "First answer saved",
        "Submitted",
        "Invitation sent to expert@fr.example (Delegation member)",
        "Reopened by the Secretariat",
        "Reason: Add the 2025 figures.",
        "Reminder sent: Sent by the Secretariat",
        f"New deadline: {until.isoformat()}",
    ]
    timeline = page[page.index('class="sop-timeline"') :]
    positions = [timeline.index(label) for label in labels]
    assert positions == sorted(positions)  # in the order they happened
    assert "head.a@fr.example" in page
    assert "member.a@fr.example" in page
    assert "Criminal Code, art. 227-22." in page  # the read-only reply
    assert "Reopen the reply" not in page  # it is reopened already
    assert "Extend the deadline" in page
    assert len(mail.outbox) == 2  # the reopening notice and the reminder
    assert len(ctx.captured_queries) <= 40


def test_a_party_that_has_not_started_has_an_empty_page_and_can_be_extended(secretariat_client, world):
    url = reverse("secretariat:party", kwargs={"slug": world.consultation.slug, "iso2": "AL"})
    page = secretariat_client.get(url).content.decode()
    assert "The Party has not started its reply." in page
    assert "Nobody has joined this delegation yet." in page
    assert "Extend the deadline" in page
    assert secretariat_client.get(url.replace("/AL/", "/QQ/")).status_code == 404


def test_reopening_from_the_party_page_needs_a_reason_and_tells_the_delegation(
    secretariat_client, world, play, django_capture_on_commit_callbacks
):
    url = reverse("secretariat:reopen_reply", kwargs={"slug": world.consultation.slug, "iso2": "FR"})
    refused = secretariat_client.post(url, {"reason": "   "}, follow=True)
    assert "Give the reason for reopening the reply." in refused.content.decode()
    play.fr.refresh_from_db()
    assert play.fr.status == "submitted"
    with django_capture_on_commit_callbacks(execute=True):
        done = secretariat_client.post(url, {"reason": "Article 23 figures are missing."}, follow=True)
    assert "The reply of France is reopened; the delegation is told why." in done.content.decode()
    play.fr.refresh_from_db()
    assert (play.fr.status, play.fr.reopen_reason) == ("reopened", "Article 23 figures are missing.")
    (notice,) = mail.outbox
    assert "Article 23 figures are missing." in notice.body


def test_an_extension_before_the_closing_date_is_refused_with_the_reason(secretariat_client, world):
    url = reverse("secretariat:extend_deadline", kwargs={"slug": world.consultation.slug, "iso2": "DE"})
    page = secretariat_client.post(url, {"until": world.consultation.closes_on.isoformat()}, follow=True)
    closes = world.consultation.closes_on.isoformat()
    assert f"The new deadline must be after the consultation&#x27;s closing date ({closes})." in page.content.decode()
    bad = secretariat_client.post(url, {"until": "soon"}, follow=True)
    assert "Enter the new deadline as a date." in bad.content.decode()


def test_mail_links_follow_the_request_host_unless_the_platform_url_is_configured(
    secretariat_client, world, play, settings, django_capture_on_commit_callbacks
):
    """Links pointed at http://127.0.0.1:8000 whatever the host the platform was reached at."""
    settings.PLATFORM_BASE_URL = ""
    settings.ALLOWED_HOSTS = ["consult.example.org"]
    host = {"HTTP_HOST": "consult.example.org", "secure": True}
    slug = world.consultation.slug
    with django_capture_on_commit_callbacks(execute=True):
        secretariat_client.post(reverse("secretariat:send_reminders", args=[slug]), {"parties": ["DE"]}, **host)
        secretariat_client.post(
            reverse("secretariat:reopen_reply", kwargs={"slug": slug, "iso2": "FR"}), {"reason": "Add 2025."}, **host
        )
        secretariat_client.post(
            reverse("accounts:invitations"),
            {"email": "head@be.example", "role": "head", "party": f.party("BE").pk},
            **host,
        )
    assert len(mail.outbox) == 3
    reminder, reopened, invitation = mail.outbox
    assert f"https://consult.example.org/consultations/{slug}/" in reminder.body
    assert f"https://consult.example.org/consultations/{slug}/" in reopened.body
    assert "https://consult.example.org/invitations/accept/" in invitation.body
    assert "8000" not in reminder.body + reopened.body + invitation.body
    # Configured, it wins (the Celery worker and the scheduled reminders have no request).
    settings.PLATFORM_BASE_URL = "https://lanzarote.coe.example/"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        secretariat_client.post(reverse("secretariat:send_reminders", args=[slug]), {"parties": ["DE"]}, **host)
    assert f"https://lanzarote.coe.example/consultations/{slug}/" in mail.outbox[0].body


def test_french_pages_write_dates_in_full(secretariat_client, world, play):
    """The month is written out as French writes it ("3 décembre 2026"), not abbreviated and capitalised ("3 Déc")."""
    world.secretariat.preferred_language = "fr"
    world.secretariat.save()
    world.consultation.opens_on, world.consultation.closes_on = datetime.date(2026, 9, 1), datetime.date(2026, 12, 3)
    world.consultation.save()
    dashboard = secretariat_client.get(reverse("secretariat:dashboard")).content.decode()
    assert "<td>1 septembre 2026</td>" in dashboard
    assert "<td>3 décembre 2026</td>" in dashboard
    matrix = secretariat_client.get(reverse("secretariat:state_of_play", args=[world.consultation.slug]))
    html = matrix.content.decode()
    assert "<td>3 décembre 2026</td>" in html
    assert "Déc" not in dashboard + html
