"""Organisations' comments and replies, children's contributions: rules, refusals, audit and notices."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import AuditEvent
from consultation.models import Consultation
from stakeholders.errors import StakeholderError
from stakeholders.models import ChildrenContribution, StakeholderComment, StakeholderReply
from stakeholders.services.children import children_contribution_save
from stakeholders.services.comments import (
    stakeholder_comment_publication_set,
    stakeholder_comment_save,
    stakeholder_comment_submit,
)
from stakeholders.services.replies import stakeholder_answers_save, stakeholder_reply_submit

pytestmark = pytest.mark.django_db


def _comment(w, *, party=None, item=None, text="Section 184b lacks a definition of generated material.", user=None):
    return stakeholder_comment_save(
        consultation=w.consultation,
        party=party or w.party_b,
        item=item if item is not None else w.items[0],
        text=text,
        language="en",
        user=user or w.ngo,
    )


def test_comment_is_a_draft_then_submitted_and_transmitted_to_the_party(ngo_world, django_capture_on_commit_callbacks):
    w = ngo_world
    comment = _comment(w)
    assert comment.status == "draft"
    assert comment.organisation == w.organisation
    version = Consultation.objects.get(pk=w.consultation.pk).data_version
    with django_capture_on_commit_callbacks(execute=True):
        stakeholder_comment_submit(comment=comment, user=w.ngo)
    comment.refresh_from_db()
    assert comment.status == "submitted"
    assert comment.notified_at is not None
    assert Consultation.objects.get(pk=w.consultation.pk).data_version == version + 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["head.b@de.example", "member.b@de.example"]
    assert "Child Rights Network" in message.subject
    assert "GENAI-01" in message.body
    assert "/stakeholders/world-consultation/comments-on-our-reply/" in message.body
    assert list(
        AuditEvent.objects.filter(event_type__startswith="stakeholders.comment").values_list("event_type", flat=True)
    ) == ["stakeholders.comment_transmitted", "stakeholders.comment_submitted", "stakeholders.comment_drafted"]


def test_notice_is_sent_once_even_if_the_task_runs_again(ngo_world, django_capture_on_commit_callbacks):
    from stakeholders.services.notices import stakeholder_comment_notice_send

    w = ngo_world
    with django_capture_on_commit_callbacks(execute=True):
        comment = stakeholder_comment_submit(comment=_comment(w), user=w.ngo)
    assert stakeholder_comment_notice_send(comment_id=comment.pk) is False
    assert len(mail.outbox) == 1


def test_the_notice_is_in_the_partys_language(ngo_world, django_capture_on_commit_callbacks):
    w = ngo_world
    w.party_b.preferred_language = "fr"
    w.party_b.save(update_fields=["preferred_language"])
    with django_capture_on_commit_callbacks(execute=True):
        stakeholder_comment_submit(comment=_comment(w), user=w.ngo)
    assert "a commenté votre réponse" in mail.outbox[0].subject


def test_a_party_without_submitted_reply_cannot_be_commented_on(ngo_world):
    w = ngo_world
    with pytest.raises(StakeholderError, match="France has not submitted a reply yet"):
        _comment(w, party=w.party_a)
    assert not StakeholderComment.objects.exists()


def test_an_organisation_not_invited_cannot_comment(ngo_world):
    with pytest.raises(StakeholderError, match="not invited"):
        _comment(ngo_world, user=ngo_world.other_ngo)


def test_after_the_deadline_nothing_is_accepted(ngo_world):
    w = ngo_world
    comment = _comment(w)
    w.invitation.deadline = timezone.localdate() - datetime.timedelta(days=1)
    w.invitation.save(update_fields=["deadline"])
    with pytest.raises(StakeholderError, match="deadline for comments on this consultation has passed"):
        stakeholder_comment_submit(comment=comment, user=w.ngo)
    assert StakeholderComment.objects.get(pk=comment.pk).status == "draft"


@pytest.mark.parametrize(
    ("text", "message"),
    [("   ", "Write the comment"), ("a\x00b", "invisible control character"), ("x" * 20_001, "limit is 20000")],
)
def test_bad_comment_texts_are_refused_with_the_reason(ngo_world, text, message):
    with pytest.raises(StakeholderError, match=message):
        _comment(ngo_world, text=text)


def test_submitted_comment_can_no_longer_change(ngo_world):
    w = ngo_world
    comment = stakeholder_comment_submit(comment=_comment(w), user=w.ngo)
    with pytest.raises(StakeholderError, match="can no longer be changed"):
        stakeholder_comment_save(
            consultation=w.consultation,
            party=w.party_b,
            item=None,
            text="New",
            language="en",
            user=w.ngo,
            comment=comment,
        )


def test_only_the_secretariat_publishes_and_only_submitted_comments(ngo_world):
    w = ngo_world
    draft = _comment(w)
    with pytest.raises(StakeholderError, match="draft comment cannot be published"):
        stakeholder_comment_publication_set(comment=draft, publish=True, user=w.secretariat)
    submitted = stakeholder_comment_submit(comment=draft, user=w.ngo)
    with pytest.raises(StakeholderError, match="Only the Secretariat"):
        stakeholder_comment_publication_set(comment=submitted, publish=True, user=w.committee)
    published = stakeholder_comment_publication_set(comment=submitted, publish=True, user=w.secretariat)
    assert published.published_at is not None
    assert published.published_by == w.secretariat
    withdrawn = stakeholder_comment_publication_set(comment=published, publish=False, user=w.secretariat)
    assert withdrawn.published_at is None
    events = AuditEvent.objects.filter(
        event_type__in=["stakeholders.comment_published", "stakeholders.comment_withdrawn"]
    )
    assert events.count() == 2


def test_organisation_reply_saved_then_submitted(ngo_world):
    w = ngo_world
    first, second = w.items
    reply = stakeholder_answers_save(
        consultation=w.consultation,
        texts={first.pk: "Our helpline data show a rise in reports.", second.pk: ""},
        language="en",
        user=w.ngo,
    )
    assert [(a.item_id, a.text) for a in reply.answers.all()] == [
        (first.pk, "Our helpline data show a rise in reports.")
    ]
    stakeholder_reply_submit(consultation=w.consultation, user=w.ngo)
    assert StakeholderReply.objects.get(pk=reply.pk).status == "submitted"
    with pytest.raises(StakeholderError, match="can no longer be changed"):
        stakeholder_answers_save(consultation=w.consultation, texts={first.pk: "x"}, language="en", user=w.ngo)


def test_an_empty_organisation_reply_cannot_be_submitted(ngo_world):
    with pytest.raises(StakeholderError, match="Answer at least one question"):
        stakeholder_reply_submit(consultation=ngo_world.consultation, user=ngo_world.ngo)


def test_comment_only_invitation_refuses_a_reply(ngo_world):
    w = ngo_world
    w.invitation.may_reply = False
    w.invitation.save(update_fields=["may_reply"])
    with pytest.raises(StakeholderError, match="to comment on the Parties' replies, not to reply"):
        stakeholder_answers_save(consultation=w.consultation, texts={w.items[0].pk: "x"}, language="en", user=w.ngo)


def _contribution(w, **overrides):
    values = {
        "consultation": w.consultation,
        "theme": w.items[0].theme,
        "party": w.party_a,
        "age_band": "14_17",
        "setting": "school",
        "children_count": 12,
        "views": "They want platforms to explain reporting tools in plain words.",
        "language": "en",
        "gathered_on": timezone.localdate(),
        "user": w.facilitator,
    }
    values.update(overrides)
    return children_contribution_save(**values)


def test_facilitator_records_a_group_without_personal_data(ngo_world):
    contribution = _contribution(ngo_world)
    assert contribution.children_count == 12
    assert contribution.facilitator == ngo_world.facilitator
    assert AuditEvent.objects.filter(event_type="children.contribution_recorded").count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"views": "Contact anna@example.org for details"}, "e-mail address"),
        ({"views": "Call +33 6 12 34 56 78"}, "telephone number"),
        ({"children_count": 0}, "between 1 and 500"),
        ({"children_count": 501}, "between 1 and 500"),
        ({"children_count": "twelve"}, "whole number"),
        ({"age_band": "adults"}, "age band"),
    ],
)
def test_contribution_refusals_say_why(ngo_world, overrides, message):
    with pytest.raises(StakeholderError, match=message):
        _contribution(ngo_world, **overrides)
    assert not ChildrenContribution.objects.exists()


def test_only_facilitators_record_and_only_their_own_change(ngo_world):
    w = ngo_world
    with pytest.raises(StakeholderError, match="Only facilitators"):
        _contribution(w, user=w.ngo)
    contribution = _contribution(w)
    from tests import factories as f

    other = f.facilitator_user(email="other.facilitator@coe.example")
    with pytest.raises(StakeholderError, match="Only the facilitator who recorded"):
        _contribution(w, user=other, contribution=contribution)
