"""Reminders: the right Parties get the right e-mail on the right day, once, in their language."""

from __future__ import annotations

import datetime
import smtplib
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from consultation.models import Reminder, Response
from consultation.services.answers import response_get_or_create
from consultation.services.reminders import reminders_send_due
from consultation.services.responses import response_submit
from consultation.tasks import reminders_send_due as reminders_send_due_task
from tests.secretariat.conftest import save

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
OPENS = datetime.date(2027, 1, 4)
CLOSES = datetime.date(2027, 3, 31)


def at(day: datetime.date, hour: int = 8):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=PARIS), tick=False)


@pytest.fixture
def dated(world):
    """The world consultation with fixed dates; only France and Germany have delegations to write to."""
    world.consultation.opens_on, world.consultation.closes_on = OPENS, CLOSES
    world.consultation.save()
    return world


def _by_party(messages):
    return {tuple(m.to): m for m in messages}


def test_fourteen_days_before_the_deadline_each_delegation_gets_one_email_in_its_language(dated, settings):
    settings.PLATFORM_BASE_URL = "https://lanzarote.example"
    with at(CLOSES - datetime.timedelta(days=14)):
        reminders_send_due_task.delay()
    assert len(mail.outbox) == 2
    messages = _by_party(mail.outbox)
    french = messages[("head.a@fr.example",)]
    assert french.cc == ["member.a@fr.example"]
    assert dated.consultation.title_fr in french.subject
    assert "31 mars 2027" in french.body  # dates in French for France (preferred_language = fr)
    assert "0 of 2 items answered" in french.body or "0 sur 2" in french.body
    german = messages[("head.b@de.example",)]
    assert german.cc == ["member.b@de.example"]
    assert dated.consultation.title_en in german.subject
    assert "31 March 2027" in german.body
    assert "0 of 2 items answered, 0 of 2 with every required field complete" in german.body
    assert "Open your reply: https://lanzarote.example/consultations/world-consultation/" in german.body
    reminder = Reminder.objects.get(party=dated.party_a)
    assert (reminder.kind, reminder.deadline, reminder.status, reminder.attempts) == ("d-14", CLOSES, "sent", 1)
    assert (reminder.language, reminder.recipients) == (
        "fr",
        {"to": ["head.a@fr.example"], "cc": ["member.a@fr.example"]},
    )
    # Every other active Party is recorded too, without a contact to write to.
    assert Reminder.objects.filter(kind="d-14", status="failed").count() == 45


def test_a_second_run_the_same_day_sends_nothing_again(dated):
    day = CLOSES - datetime.timedelta(days=7)
    with at(day):
        first = reminders_send_due()
        with at(day, hour=18):
            second = reminders_send_due()
    assert (first.sent, second.sent, second.created) == (2, 0, 0)
    assert len(mail.outbox) == 2
    assert Reminder.objects.filter(party__in=[dated.party_a, dated.party_b], kind="d-7").count() == 2


def test_no_reminder_between_offsets_and_none_to_a_party_that_submitted(dated):
    with at(CLOSES - datetime.timedelta(days=10)):
        assert reminders_send_due().created == 0
    with at(CLOSES - datetime.timedelta(days=3)):
        reply = response_get_or_create(consultation=dated.consultation, party=dated.party_a)
        for item in dated.items:
            save(reply, item, {"position": "yes"}, dated.member_a)
        response_submit(response=reply, user=dated.head_a)
    with at(CLOSES - datetime.timedelta(days=1)):
        run = reminders_send_due()
    assert run.sent_to == ["DE"]
    assert [m.to for m in mail.outbox] == [["head.b@de.example"]]
    assert not Reminder.objects.filter(party=dated.party_a).exists()


def test_the_day_after_the_deadline_is_overdue_and_an_extension_moves_the_dates(dated):
    Response.objects.create(
        consultation=dated.consultation, party=dated.party_b, extended_until=CLOSES + datetime.timedelta(days=10)
    )
    with at(CLOSES + datetime.timedelta(days=1)):
        run = reminders_send_due()
    assert run.sent_to == ["FR"]
    assert "Overdue" in mail.outbox[0].subject or "retard" in mail.outbox[0].subject.lower()
    assert Reminder.objects.get(party=dated.party_a).kind == "overdue"
    with at(CLOSES + datetime.timedelta(days=3)):  # Germany's own deadline is 7 days away
        run = reminders_send_due()
    assert run.sent_to == ["DE"]
    assert Reminder.objects.get(party=dated.party_b).deadline == CLOSES + datetime.timedelta(days=10)
    assert Reminder.objects.get(party=dated.party_b).kind == "d-7"


def test_a_failing_mail_server_is_retried_and_only_a_real_send_marks_sent(dated, monkeypatch):
    def refuse(self, fail_silently=False):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    day = CLOSES - datetime.timedelta(days=1)
    with monkeypatch.context() as patch:
        patch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
        with at(day):
            failed = reminders_send_due()
    assert (failed.sent, failed.failed) == (0, 2)
    reminder = Reminder.objects.get(party=dated.party_b)
    assert (reminder.status, reminder.attempts, reminder.sent_at) == ("failed", 1, None)
    assert "Connection unexpectedly closed" in reminder.last_error
    with at(day, hour=9):
        retried = reminders_send_due()
    assert (retried.created, retried.sent) == (0, 2)
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts, reminder.last_error) == ("sent", 2, "")
    assert len(mail.outbox) == 2


def test_the_command_does_the_same_job(dated, capsys):
    with at(CLOSES - datetime.timedelta(days=14)):
        call_command("send_reminders")
        call_command("send_reminders")
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("2027-03-17: 47 reminder(s) created, 2 sent (DE, FR)")
    assert out[1].startswith("2027-03-17: 0 reminder(s) created, 0 sent")
    assert len(mail.outbox) == 2


def test_offsets_come_from_the_settings(dated, settings):
    settings.REMINDER_OFFSETS_DAYS = [3]
    with at(CLOSES - datetime.timedelta(days=14)):
        assert reminders_send_due().created == 0
    with at(CLOSES - datetime.timedelta(days=3)):
        assert reminders_send_due().sent_to == ["DE", "FR"]
    assert set(Reminder.objects.values_list("kind", flat=True)) == {"d-3"}


def test_the_secretariat_reminds_selected_parties_by_hand(
    secretariat_client, world, django_capture_on_commit_callbacks
):
    reply = response_get_or_create(consultation=world.consultation, party=world.party_a)
    for item in world.items:
        save(reply, item, {"position": "no"}, world.member_a)
    response_submit(response=reply, user=world.head_a)
    url = reverse("secretariat:send_reminders", kwargs={"slug": world.consultation.slug})
    with django_capture_on_commit_callbacks(execute=True):
        response = secretariat_client.post(url, {"parties": ["FR", "DE"]}, follow=True)
    assert response.status_code == 200
    assert [m.to for m in mail.outbox] == [["head.b@de.example"]]
    manual = Reminder.objects.get(kind="manual")
    assert (manual.party, manual.status, manual.sent_by) == (world.party_b, "sent", world.secretariat)
    # (In tests the e-mails go out when the captured on-commit callbacks run, after the message is written.)
    assert "Left out, already submitted: France." in response.content.decode()
    empty = secretariat_client.post(url, {}, follow=True)
    assert "Select at least one Party to remind." in empty.content.decode()


def test_french_subjects_are_plain_text_not_html_escaped(dated, django_capture_on_commit_callbacks):
    """A subject is no HTML page: "contre l'exploitation" arrived as "contre l&#x27;exploitation"."""
    from consultation.services.lifecycle import response_reopen_and_notify
    from consultation.services.reminders import reminders_send_manual

    dated.consultation.title_fr = "Protection des enfants contre l'exploitation & les abus"
    dated.consultation.save()
    reply = response_get_or_create(consultation=dated.consultation, party=dated.party_a)
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send_manual(consultation=dated.consultation, parties=[dated.party_a], user=dated.secretariat)
    for item in dated.items:
        save(reply, item, {"position": "yes"}, dated.member_a)
    response_submit(response=reply, user=dated.head_a)
    with django_capture_on_commit_callbacks(execute=True):
        response_reopen_and_notify(response=reply, user=dated.secretariat, reason="Ajoutez l'article 20 & 21.")
    subjects = [m.subject for m in mail.outbox]
    assert subjects[0] == (
        "Rappel : « Protection des enfants contre l'exploitation & les abus » – réponse attendue pour le 31 mars 2027"
    )
    assert all("&#x27;" not in s and "&amp;" not in s for s in subjects), subjects
    assert len([s for s in subjects if "contre l'exploitation & les abus" in s]) == len(subjects) >= 2
    assert "Ajoutez l'article 20 & 21." in mail.outbox[-1].body
