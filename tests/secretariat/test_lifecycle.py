"""Consultation lifecycle: create, duplicate with carry-over, open/close/archive, extend, reopen; pages and admin."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from consultation.models import (
    Answer,
    AnswerChoice,
    AnswerRevision,
    AnswerValue,
    Consultation,
    Field,
    Item,
    Option,
    Response,
)
from consultation.services import lifecycle
from consultation.services.answers import response_get_or_create
from consultation.services.responses import response_submit
from tests import factories as f
from tests.access.helpers import login_with_mfa
from tests.secretariat.conftest import save

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(world):
    """France submitted both items; Germany drafted one."""
    genai, robot = world.items
    fr = response_get_or_create(consultation=world.consultation, party=world.party_a)
    save(fr, genai, {"position": "yes", "explanation": "Criminal Code, art. 227-23."}, world.member_a)
    save(fr, robot, {"position": "partially"}, world.member_a)
    response_submit(response=fr, user=world.head_a)
    de = response_get_or_create(consultation=world.consultation, party=world.party_b)
    save(de, genai, {"explanation": "Draft bill of 2025."}, world.member_b)
    return world


def _snapshot(consultation):
    return {
        "items": list(Item.objects.filter(consultation=consultation).values_list("code", "theme__code", "order")),
        "answers": list(
            Answer.objects.filter(response__consultation=consultation)
            .order_by("id")
            .values_list("response__party__iso2", "item__code", "data", "version")
        ),
        "responses": list(
            Response.objects.filter(consultation=consultation).order_by("id").values_list("party__iso2", "status")
        ),
        "choices": AnswerChoice.objects.filter(answer__response__consultation=consultation).count(),
    }


def test_duplicate_with_carry_over_copies_items_and_starts_each_party_from_its_answers(answered):
    world = answered
    before = _snapshot(world.consultation)
    new = lifecycle.consultation_duplicate(
        source=world.consultation,
        user=world.secretariat,
        slug="world-consultation-2027",
        title_en="World consultation, second round",
        closes_on=timezone.localdate() + datetime.timedelta(days=60),
        carry_over=True,
    )
    assert (new.status, new.previous, new.title_fr) == ("draft", world.consultation, "")
    assert [(c, t) for c, t, _o in _snapshot(new)["items"]] == [("GENAI-01", "generative-ai"), ("ROBOT-01", "robotics")]
    new_genai = Item.objects.get(consultation=new, code="GENAI-01")
    assert sorted(new_genai.articles.values_list("number", flat=True)) == [20, 21]
    assert new_genai.text_fr == world.items[0].text_fr
    assert list(Field.objects.filter(item=new_genai).values_list("key", "type", "required")) == [
        ("position", "single_choice", True),
        ("explanation", "text", False),
    ]
    assert list(Option.objects.filter(field__item=new_genai).values_list("key", "label_fr")) == [
        ("yes", "Oui"),
        ("partially", "Partiellement"),
        ("no", "Non"),
    ]
    replies = {r.party.iso2: r for r in Response.objects.filter(consultation=new)}
    assert {iso: r.status for iso, r in replies.items()} == {"FR": "draft", "DE": "draft"}
    fr_answers = {a.item.code: a for a in Answer.objects.filter(response=replies["FR"])}
    assert fr_answers["GENAI-01"].data == {"position": "yes", "explanation": "Criminal Code, art. 227-23."}
    assert fr_answers["ROBOT-01"].data == {"position": "partially"}
    assert {(a.version, a.is_answered, a.is_complete) for a in fr_answers.values()} == {(1, True, True)}
    de_answer = Answer.objects.get(response=replies["DE"])
    assert (de_answer.data, de_answer.is_complete) == ({"explanation": "Draft bill of 2025."}, False)
    revision = AnswerRevision.objects.get(answer=fr_answers["GENAI-01"])
    assert (revision.version, revision.source, revision.created_by) == (1, "carry-over", world.secretariat)
    choice = AnswerChoice.objects.get(answer=fr_answers["GENAI-01"])
    assert (choice.option.key, choice.option.field.item) == ("yes", new_genai)
    assert AnswerValue.objects.get(answer=fr_answers["GENAI-01"]).text == "Criminal Code, art. 227-23."
    # The earlier round is unchanged.
    assert _snapshot(world.consultation) == before
    event = AuditEvent.objects.get(event_type="consultation.duplicated")
    assert (event.consultation, event.extra["carried_answers"]) == (new, 3)


def test_duplicate_costs_queries_per_batch_not_per_row(answered):
    """Bulk writes: the query count grows only with the database's batch limit (999 variables on SQLite)."""
    from benchmarks.state_of_play import synthetic_consultation

    def count(source, slug):
        with CaptureQueriesContext(connection) as ctx:
            lifecycle.consultation_duplicate(
                source=source, user=answered.secretariat, slug=slug, title_en=slug, carry_over=True
            )
        return len(ctx.captured_queries)

    small = count(answered.consultation, "small-copy")
    big_source = synthetic_consultation(slug="big", parties=48, items=230, answered_parties=10)
    big = count(big_source, "big-copy")
    copied = Answer.objects.filter(response__consultation__slug="big-copy").count()
    assert copied == Answer.objects.filter(response__consultation=big_source).count() > 1500
    rows_written = copied * 3 + 230 * 6  # answers, revisions, typed rows; items, fields, options
    assert small <= 30
    assert big < small + rows_written / 50


def test_without_carry_over_no_reply_is_created(answered):
    new = lifecycle.consultation_duplicate(
        source=answered.consultation, user=answered.secretariat, slug="copy", title_en="Copy"
    )
    assert Item.objects.filter(consultation=new).count() == 2
    assert not Response.objects.filter(consultation=new).exists()


def test_a_used_address_and_bad_dates_are_refused_with_a_clear_message(world):
    with pytest.raises(lifecycle.LifecycleError, match="already used"):
        lifecycle.consultation_create(user=world.secretariat, slug="world-consultation", title_en="Again")
    with pytest.raises(lifecycle.LifecycleError, match="on or after the opening date"):
        lifecycle.consultation_create(
            user=world.secretariat,
            slug="later",
            title_en="Later",
            opens_on=datetime.date(2027, 5, 1),
            closes_on=datetime.date(2027, 4, 1),
        )
    assert not Consultation.objects.filter(slug="later").exists()


def test_open_close_archive_are_validated_and_audited(world):
    draft = lifecycle.consultation_create(user=world.secretariat, slug="round-3", title_en="Round 3")
    with pytest.raises(lifecycle.LifecycleError, match="Set a closing date"):
        lifecycle.consultation_open(consultation=draft, user=world.secretariat)
    draft.closes_on = timezone.localdate() + datetime.timedelta(days=20)
    draft.save()
    with pytest.raises(lifecycle.LifecycleError, match="Add at least one item"):
        lifecycle.consultation_open(consultation=draft, user=world.secretariat)
    f.position_item(draft, code="NEW-01")
    with pytest.raises(lifecycle.LifecycleError, match="Close the consultation before archiving"):
        lifecycle.consultation_archive(consultation=world.consultation, user=world.secretariat)
    opened = lifecycle.consultation_open(consultation=draft, user=world.secretariat)
    assert (opened.status, opened.opens_on) == ("open", timezone.localdate())
    assert lifecycle.consultation_close(consultation=opened, user=world.secretariat).status == "closed"
    assert lifecycle.consultation_archive(consultation=opened, user=world.secretariat).status == "archived"
    assert list(AuditEvent.objects.filter(consultation=draft).order_by("id").values_list("event_type", flat=True)) == [
        "consultation.created",
        "consultation.opened",
        "consultation.closed",
        "consultation.archived",
    ]


def test_extend_a_partys_deadline(world):
    until = world.consultation.closes_on + datetime.timedelta(days=15)
    reply = lifecycle.response_extend_deadline(
        consultation=world.consultation, party=world.party_b, until=until, user=world.secretariat
    )
    assert (reply.extended_until, reply.status) == (until, "draft")
    event = AuditEvent.objects.get(event_type="reply.extended")
    assert (event.party, event.extra) == (world.party_b, {"until": until.isoformat(), "previous": None})
    with pytest.raises(lifecycle.LifecycleError, match="after the consultation's closing date"):
        lifecycle.response_extend_deadline(
            consultation=world.consultation, party=world.party_b, until=world.consultation.closes_on, user=None
        )


def test_a_submitted_reply_cannot_be_extended_but_can_be_reopened_with_notice(
    answered, django_capture_on_commit_callbacks
):
    world = answered
    with pytest.raises(lifecycle.LifecycleError, match="reopen it first"):
        lifecycle.response_extend_deadline(
            consultation=world.consultation,
            party=world.party_a,
            until=world.consultation.closes_on + datetime.timedelta(days=5),
            user=world.secretariat,
        )
    reply = Response.objects.get(consultation=world.consultation, party=world.party_a)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.response_reopen_and_notify(
            response=reply, user=world.secretariat, reason="Please add the 2025 statistics."
        )
    reply.refresh_from_db()
    assert (reply.status, reply.reopen_reason) == ("reopened", "Please add the 2025 statistics.")
    (message,) = mail.outbox
    assert (message.to, message.cc) == (["head.a@fr.example"], ["member.a@fr.example"])
    assert "Please add the 2025 statistics." in message.body


def test_pages_create_duplicate_open_and_extend(client, answered):
    world = answered
    login_with_mfa(client, world.secretariat)
    response = client.post(
        reverse("secretariat:consultation_duplicate", kwargs={"slug": world.consultation.slug}),
        {"slug": "world-2", "title_en": "World 2", "carry_over": "on", "closes_on": "2099-01-31"},
    )
    assert response.status_code == 302
    new = Consultation.objects.get(slug="world-2")
    assert Answer.objects.filter(response__consultation=new).count() == 3
    opened = client.post(reverse("secretariat:consultation_open", kwargs={"slug": "world-2"}), follow=True)
    assert "The consultation is open to the Parties." in opened.content.decode()
    until = new.closes_on + datetime.timedelta(days=7)
    client.post(
        reverse("secretariat:extend_deadline", kwargs={"slug": "world-2", "iso2": "DE"}), {"until": until.isoformat()}
    )
    assert Response.objects.get(consultation=new, party=world.party_b).extended_until == until
    refused = client.post(
        reverse("secretariat:consultation_create"), {"slug": "world-2", "title_en": "Duplicate address"}
    )
    assert "already used by another consultation" in refused.content.decode()


def test_admin_actions_call_the_services_and_items_are_read_only_once_open(client, answered):
    world = answered
    login_with_mfa(client, world.admin)
    changelist = reverse("admin:consultation_consultation_changelist")
    client.post(
        changelist,
        {"action": "duplicate_with_answers", "_selected_action": [world.consultation.pk]},
    )
    new = Consultation.objects.get(previous=world.consultation)
    assert (new.slug, new.status) == ("world-consultation-round-2", "draft")
    assert Answer.objects.filter(response__consultation=new).count() == 3
    client.post(changelist, {"action": "close_selected", "_selected_action": [world.consultation.pk]})
    world.consultation.refresh_from_db()
    assert world.consultation.status == "closed"
    assert AuditEvent.objects.filter(event_type="consultation.closed", actor=world.admin).count() == 1
    item = world.items[0]
    page = client.get(reverse("admin:consultation_item_change", args=[item.pk]))
    assert page.status_code == 200
    assert 'name="text_en"' not in page.content.decode()  # read-only: the consultation is not a draft
    draft_item = Item.objects.get(consultation=new, code="GENAI-01")
    editable = client.get(reverse("admin:consultation_item_change", args=[draft_item.pk]))
    assert 'name="text_en"' in editable.content.decode()
