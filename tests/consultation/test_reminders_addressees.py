"""Reminders with items put to some Parties only: a Party is reminded only of the items put to it, a Party with
asked nothing at all gets no reminder, a Party with every question put to it answered is still reminded to submit,
and the mail counts and names only the questions asked."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from consultation.models import ItemAddressee, Party, Reminder
from consultation.services import reminders
from consultation.services.answers import answer_save, response_get_or_create
from consultation.services.reminders import ReminderRefused, reminders_send_due, reminders_send_manual
from tests import factories as f
from tests.access.helpers import login_with_mfa

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
CLOSES = datetime.date(2027, 3, 31)
ACTIVE_PARTIES = 47


def at(day: datetime.date, hour: int = 8):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=PARIS), tick=False)


def save(reply, item, data, user):
    current = reply.answers.filter(item=item).values_list("version", flat=True).first() or 0
    return answer_save(response=reply, item=item, data=data, base_version=current, user=user)


@pytest.fixture
def dated(world):
    """The world consultation closing on 31 March 2027 (France and Germany have delegations to write to), with
    ROBOT-01 put to Germany only and a third item, FOLLOW-01, put to France only; GENAI-01 is put to every Party."""
    world.consultation.opens_on, world.consultation.closes_on = datetime.date(2027, 1, 4), CLOSES
    world.consultation.save()
    _genai, robot = world.items
    world.follow = f.position_item(world.consultation, code="FOLLOW-01")
    ItemAddressee.objects.create(item=robot, party=world.party_b)
    ItemAddressee.objects.create(item=world.follow, party=world.party_a)
    return world


def _mail_to(address: str):
    [message] = [m for m in mail.outbox if m.to == [address]]
    return message


def test_a_party_with_every_question_put_to_it_answered_is_still_reminded_to_submit(dated):
    genai, _robot = dated.items
    fr = response_get_or_create(consultation=dated.consultation, party=dated.party_a)
    save(fr, genai, {"position": "yes"}, dated.member_a)
    save(fr, dated.follow, {"position": "no"}, dated.member_a)  # France has answered both items put to it

    with at(CLOSES - datetime.timedelta(days=7)):
        run = reminders_send_due()

    assert run.sent_to == ["DE", "FR"]  # answered is not submitted: only the head's submission counts
    french = _mail_to("head.a@fr.example").body
    assert "2 of 2 items answered" in french or "2 sur 2" in french
    assert "ROBOT-01" not in french  # left unanswered by France, but put to Germany only
    assert "GENAI-01" not in french  # nothing named as still to answer
    assert Reminder.objects.filter(kind="d-7").count() == ACTIVE_PARTIES


def test_the_mail_counts_and_names_only_the_questions_put_to_the_party(dated):
    _genai, robot = dated.items
    fr = response_get_or_create(consultation=dated.consultation, party=dated.party_a)
    save(fr, robot, {"position": "yes"}, dated.member_a)  # before ROBOT-01 was put to Germany only: counts nowhere
    de = response_get_or_create(consultation=dated.consultation, party=dated.party_b)
    save(de, robot, {"explanation": "A bill is before Parliament."}, dated.member_b)  # answered, not complete
    dated.party_a.preferred_language = "en"
    dated.party_a.save(update_fields=["preferred_language"])

    with at(CLOSES - datetime.timedelta(days=14)):
        run = reminders_send_due()

    assert run.sent_to == ["DE", "FR"]
    french = _mail_to("head.a@fr.example").body
    assert "Progress so far: 0 of 2 items answered, 0 of 2 with every required field complete." in french
    assert "Questions still to answer: GENAI-01, FOLLOW-01" in french
    assert "ROBOT-01" not in french
    german = _mail_to("head.b@de.example").body
    assert "Progress so far: 1 of 2 items answered, 0 of 2 with every required field complete." in german
    assert "Questions still to answer: GENAI-01\n" in german
    assert "FOLLOW-01" not in german
    assert "more)" not in german


def test_the_mail_names_the_first_questions_and_counts_the_others(dated, monkeypatch):
    monkeypatch.setattr(reminders, "MISSING_LISTED", 1)
    progress = reminders.reply_progress(consultation=dated.consultation, party=dated.party_a)
    assert progress == {"total": 2, "answered": 0, "complete": 0, "missing": ["GENAI-01"], "more": 1}
    with at(CLOSES - datetime.timedelta(days=1)):
        reminders_send_due()
    assert "Questions still to answer: GENAI-01 (and 1 more)" in _mail_to("head.b@de.example").body


@pytest.fixture
def follow_up_round(world):
    """An open consultation whose only item is put to France and Germany: nobody else is asked anything."""
    consultation = f.ConsultationFactory(slug="follow-up-round", closes_on=CLOSES)
    item = f.position_item(consultation, code="REC-01")
    ItemAddressee.objects.bulk_create([ItemAddressee(item=item, party=p) for p in (world.party_a, world.party_b)])
    Reminder.objects.all().delete()
    world.consultation.status = "closed"  # only the follow-up round is open
    world.consultation.save(update_fields=["status"])
    return consultation


def test_parties_asked_none_of_the_items_are_never_reminded(world, follow_up_round):
    with at(CLOSES - datetime.timedelta(days=1)):
        run = reminders_send_due()
    assert run.created == 2
    assert set(Reminder.objects.values_list("party__iso2", flat=True)) == {"FR", "DE"}
    assert sorted(m.to[0] for m in mail.outbox) == ["head.a@fr.example", "head.b@de.example"]
    assert "0 of 1 items answered" in mail.outbox[0].body or "0 sur 1" in mail.outbox[0].body


def test_a_manual_reminder_leaves_out_a_party_asked_nothing(
    client, world, follow_up_round, django_capture_on_commit_callbacks
):
    albania = Party.objects.get(iso2="AL")
    with pytest.raises(ReminderRefused, match="are asked none of the questions"):
        reminders_send_manual(consultation=follow_up_round, parties=[albania], user=world.secretariat)
    assert not Reminder.objects.exists()

    login_with_mfa(client, world.secretariat)
    url = reverse("secretariat:send_reminders", kwargs={"slug": follow_up_round.slug})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"parties": ["DE", "AL"]}, follow=True)
    page = response.content.decode()
    # (The mails go out when the captured on-commit callbacks run, after the page's message is written.)
    assert "Left out, asked none of the questions: Albania." in page
    assert list(Reminder.objects.values_list("party__iso2", "kind")) == [("DE", "manual")]
    assert [m.to for m in mail.outbox] == [["head.b@de.example"]]


def test_a_manual_reminder_reaches_a_party_with_everything_answered(
    world, follow_up_round, django_capture_on_commit_callbacks
):
    """The Secretariat may remind a Party with every question answered to submit (a reply waiting for its head's
    sign-off, or reopened for a correction), as the daily run does."""
    reply = response_get_or_create(consultation=follow_up_round, party=world.party_a)
    save(reply, follow_up_round.items.get(), {"position": "yes"}, world.member_a)
    with at(CLOSES - datetime.timedelta(days=1)):
        run = reminders_send_due()
    assert run.sent_to == ["DE", "FR"]
    with django_capture_on_commit_callbacks(execute=True):
        result = reminders_send_manual(consultation=follow_up_round, parties=[world.party_a], user=world.secretariat)
    assert [r.party for r in result.reminders] == [world.party_a]
    assert "1 of 1 items answered" in mail.outbox[-1].body or "1 sur 1" in mail.outbox[-1].body
