"""The delegation's teamwork: assignments, internal comments with mentions, presence, and "ready means ready"."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from consultation.models import (
    EditingPresence,
    ItemAssignment,
    ItemComment,
    Response,
    TeamNotice,
)
from consultation.selectors.teamwork import PRESENCE_TTL_SECONDS
from consultation.services.answers import answer_save, response_get_or_create
from consultation.services.exports import answers_export_write, export_filters_clean
from consultation.services.responses import response_mark_ready
from consultation.services.teamwork import (
    TeamworkRefused,
    item_assignment_set,
    item_comment_add,
    item_comment_resolve,
    mention_handles,
    mentions_parse,
    presence_beat,
)
from tests import factories as f
from tests.access.helpers import enrol_totp

pytestmark = pytest.mark.django_db


@pytest.fixture
def reply(world):
    return response_get_or_create(consultation=world.consultation, party=world.party_a)


def htmx_post(client, url, data):
    return client.post(url, data, HTTP_HX_REQUEST="true")


def team_url(world, name, item=None, **extra):
    args = [world.consultation.slug] + ([item.code] if item is not None else [])
    return reverse(f"consultation:{name}", args=args, kwargs=extra or None)


# --- Assignments ---------------------------------------------------------------------------------


def test_a_member_assigns_an_item_to_the_head_who_is_mailed_in_french_on_commit(
    client, world, reply, django_capture_on_commit_callbacks
):
    world.head_a.preferred_language = "fr"
    world.head_a.first_name, world.head_a.last_name = "Sophie", "Bernard"
    world.head_a.save()
    client.force_login(world.member_a)
    item = world.items[0]
    due = timezone.localdate() + datetime.timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        page = htmx_post(
            client,
            team_url(world, "item_assign", item),
            {"assignee": world.head_a.pk, "due_on": due.isoformat(), "status": "drafting"},
        )
    assert page.status_code == 200
    html = page.content.decode()
    assert "Assigned to Sophie Bernard" in html
    assert f'id="team-bar-{item.pk}" hx-swap-oob="true"' in html
    assignment = ItemAssignment.objects.get()
    assert (assignment.assignee, assignment.due_on, assignment.status) == (world.head_a, due, "drafting")
    assert AuditEvent.objects.filter(event_type="item.assigned", actor=world.member_a).count() == 1
    [message] = mail.outbox
    assert message.to == ["head.a@fr.example"]
    assert message.subject == "GENAI-01 vous est attribuée"
    assert "Statut interne : En rédaction" in message.body
    assert f"/consultations/{world.consultation.slug}/items/GENAI-01/team/" in message.body
    assert TeamNotice.objects.get().sent_at is not None
    # The same assignment again sends nothing more; a status change alone mails nobody either.
    with django_capture_on_commit_callbacks(execute=True):
        item_assignment_set(
            response=reply, item=item, assignee=world.head_a, due_on=due, status="drafting", user=world.member_a
        )
        item_assignment_set(
            response=reply, item=item, assignee=world.head_a, due_on=due, status="legal_check", user=world.member_a
        )
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(event_type="item.assigned").count() == 2


def test_nothing_is_mailed_when_the_assignment_is_rolled_back(world, reply, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):  # noqa: PT012
        with transaction.atomic():
            item_assignment_set(
                response=reply,
                item=world.items[0],
                assignee=world.head_a,
                due_on=None,
                status="todo",
                user=world.member_a,
            )
            raise RuntimeError("the request failed after the assignment")
    assert mail.outbox == []
    assert not ItemAssignment.objects.exists()


def test_items_are_assigned_only_to_members_of_the_delegation(client, world, reply):
    with pytest.raises(TeamworkRefused) as refused:
        item_assignment_set(
            response=reply,
            item=world.items[0],
            assignee=world.member_b,
            due_on=None,
            status="todo",
            user=world.head_a,
        )
    assert refused.value.errors == {"assignee": "Items can only be assigned to members of your delegation."}
    outsider = f.secretariat_user(email="clerk@coe.example")
    with pytest.raises(TeamworkRefused):
        item_assignment_set(
            response=reply, item=world.items[0], assignee=outsider, due_on=None, status="todo", user=world.head_a
        )
    # Through the form, a colleague of another delegation is not even a choice.
    client.force_login(world.member_a)
    page = htmx_post(
        client, team_url(world, "item_assign", world.items[0]), {"assignee": world.member_b.pk, "status": "todo"}
    )
    assert page.status_code == 422
    assert "Select a valid choice." in page.content.decode()
    assert not ItemAssignment.objects.exists()


def test_a_due_date_centuries_ahead_and_an_unknown_status_are_refused(world, reply):
    with pytest.raises(TeamworkRefused) as refused:
        item_assignment_set(
            response=reply,
            item=world.items[0],
            assignee=None,
            due_on=datetime.date(2205, 1, 1),
            status="maybe",
            user=world.head_a,
        )
    assert set(refused.value.errors) == {"status", "due_on"}
    assert not ItemAssignment.objects.exists()


def test_assignments_show_on_home_and_review_with_a_my_items_filter(
    client, world, reply, django_assert_max_num_queries
):
    item_assignment_set(
        response=reply,
        item=world.items[1],
        assignee=world.member_a,
        due_on=datetime.date(2026, 12, 20),
        status="legal_check",
        user=world.head_a,
    )
    item_assignment_set(
        response=reply, item=world.items[0], assignee=world.head_a, due_on=None, status="done", user=world.head_a
    )
    client.force_login(world.member_a)
    client.get(reverse("consultation:home"))
    with django_assert_max_num_queries(19):  # 17 before the teamwork, 2 for the person's items and the counts
        home = client.get(reverse("consultation:home")).content.decode()
    assert "ROBOT-01" in home
    assert "For legal check" in home
    assert "due 20 December 2026" in home
    assert "To do 0 · Drafting 0 · For legal check 1 · Done 1" in home
    review_url = reverse("consultation:review", args=[world.consultation.slug])
    everything = client.get(review_url).content.decode()
    assert everything.count("ws-readonly__item") == 2
    mine = client.get(review_url, {"mine": "1"}).content.decode()
    assert mine.count("ws-readonly__item") == 1
    assert "ROBOT-01" in mine
    assert "My item (1)" in mine


# --- Internal comments ---------------------------------------------------------------------------


def test_mentions_name_colleagues_by_first_name_full_name_or_mail(world):
    world.member_a.first_name, world.member_a.last_name = "Julien", "Moreau"
    world.head_a.first_name, world.head_a.last_name = "Sophie", "Bernard"
    other_julien = f.delegate(world.party_a, email="j.martin@fr.example", first_name="Julien", last_name="Martin")
    handles = mention_handles(colleagues=[world.member_a, world.head_a, other_julien])
    assert "julien" not in handles  # two Juliens: the first name alone names nobody
    found = mentions_parse(body="@julien.moreau and @Sophie, see @j.martin. Not @julien or @member.b", handles=handles)
    assert found == [world.member_a, world.head_a, other_julien]


def test_a_mention_mails_the_colleague_in_their_language_on_commit_and_never_the_author(
    client, world, reply, django_capture_on_commit_callbacks
):
    world.member_a.preferred_language = "fr"
    world.member_a.first_name = "Julien"
    world.member_a.save()
    world.head_a.first_name, world.head_a.last_name = "Sophie", "Bernard"
    world.head_a.save()
    enrol_totp(world.head_a)
    client.force_login(world.head_a)
    body = "@Julien please check the 2023 figures of the ministry of justice. @Sophie noted."
    with django_capture_on_commit_callbacks(execute=True):
        page = htmx_post(client, team_url(world, "item_comment", world.items[0]), {"body": body})
    assert page.status_code == 200
    assert "Comment added." in page.content.decode()
    comment = ItemComment.objects.get()
    assert list(comment.mentions.all()) == [world.member_a, world.head_a]
    [message] = mail.outbox  # the author mentioned herself: no mail to her
    assert message.to == ["member.a@fr.example"]
    assert message.subject == "Sophie Bernard vous a mentionné dans un commentaire sur GENAI-01"
    assert "2023 figures" not in message.body  # the comment stays on the platform
    assert AuditEvent.objects.filter(event_type="item.comment_added").count() == 1


def test_an_empty_or_control_character_comment_is_refused_with_a_clear_message(client, world):
    client.force_login(world.member_a)
    url = team_url(world, "item_comment", world.items[0])
    empty = htmx_post(client, url, {"body": "   "})
    assert empty.status_code == 422
    assert "Write a comment first." in empty.content.decode()
    nul = htmx_post(client, url, {"body": "Figures\x00 2023"})
    assert nul.status_code == 422
    assert "Null characters are not allowed." in nul.content.decode()
    bell = htmx_post(client, url, {"body": "Figures\x07 2023"})
    assert bell.status_code == 422
    assert "invisible control character" in bell.content.decode()
    assert not ItemComment.objects.exists()


def test_a_comment_is_resolved_and_reopened_by_a_colleague(client, world, reply):
    comment = item_comment_add(response=reply, item=world.items[0], author=world.member_a, body="Cite the 2024 act.")
    enrol_totp(world.head_a)
    client.force_login(world.head_a)
    url = reverse("consultation:comment_resolve", args=[world.consultation.slug, comment.pk])
    page = htmx_post(client, url, {})
    assert page.status_code == 200
    assert "Comment resolved." in page.content.decode()
    comment.refresh_from_db()
    assert comment.resolved_by == world.head_a
    assert comment.resolved_at is not None
    again = item_comment_resolve(comment=comment, user=world.member_a)  # resolving twice changes nothing
    assert again.resolved_by == world.head_a
    htmx_post(client, url, {"reopen": "1"})
    comment.refresh_from_db()
    assert comment.resolved_at is None
    events = AuditEvent.objects.filter(event_type__in=["item.comment_resolved", "item.comment_reopened"])
    assert list(events.order_by("pk").values_list("event_type", flat=True)) == [
        "item.comment_resolved",
        "item.comment_reopened",
    ]


def test_internal_comments_and_assignments_never_reach_the_secretariat_or_the_exports(client, world, reply):
    from consultation.services.responses import response_submit

    for item in world.items:
        answer_save(
            response=reply,
            item=item,
            data={"position": "yes", "explanation": "Art. 227-23."},
            base_version=0,
            user=world.member_a,
        )
    item_comment_add(response=reply, item=world.items[0], author=world.member_a, body="SECRET-TEAM-NOTE")
    item_assignment_set(
        response=reply,
        item=world.items[0],
        assignee=world.member_a,
        due_on=None,
        status="legal_check",
        user=world.head_a,
    )
    response_submit(response=reply, user=world.head_a)
    for fmt in ("json", "csv", "xlsx"):
        out = io.BytesIO()
        filters = export_filters_clean({"state": "all"})
        assert answers_export_write(consultation=world.consultation, format=fmt, filters=filters, out=out) == 4
        assert b"SECRET-TEAM-NOTE" not in out.getvalue()
        assert b"legal_check" not in out.getvalue()
        assert b"For legal check" not in out.getvalue()
    enrol_totp(world.secretariat)
    client.force_login(world.secretariat)
    page = client.get(reverse("secretariat:party", args=[world.consultation.slug, "FR"]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Art. 227-23." in html  # the reply itself is there
    assert "SECRET-TEAM-NOTE" not in html
    assert "For legal check" not in html
    assert client.get(team_url(world, "item_team", world.items[0])).status_code == 404
    assert "SECRET-TEAM-NOTE" not in json.dumps(reply.submissions.get().snapshot)


# --- Presence ------------------------------------------------------------------------------------


def test_a_colleague_sees_who_is_editing_a_question_until_the_heartbeat_stops(client, world, reply):
    world.member_a.first_name, world.member_a.last_name = "Lukas", "Schmidt"
    world.member_a.save()
    first, second = world.items
    client.force_login(world.member_a)
    url = reverse("consultation:presence", args=[world.consultation.slug])
    own = client.post(url, {"editing": first.code, "items": f"{first.pk},{second.pk}"})
    assert own.status_code == 200
    assert "is editing" not in own.content.decode()  # nobody else, and never oneself
    enrol_totp(world.head_a)
    client.force_login(world.head_a)
    seen = client.post(url, {"editing": "", "items": f"{first.pk},{second.pk}"}).content.decode()
    assert (
        f'<span class="ws-presence" id="presence-{first.pk}" hx-swap-oob="true"><span class="ws-presence__who">'
        "Lukas Schmidt is editing this question</span></span>" in seen
    )
    assert f'id="presence-{second.pk}" hx-swap-oob="true"></span>' in seen
    page = client.get(reverse("consultation:reply", args=[world.consultation.slug])).content.decode()
    assert "Lukas Schmidt is editing this question" in page
    assert 'id="ws-presence-beat"' in page
    EditingPresence.objects.update(seen_at=timezone.now() - datetime.timedelta(seconds=PRESENCE_TTL_SECONDS + 1))
    stale = client.post(url, {"items": str(first.pk)}).content.decode()
    assert "is editing" not in stale
    presence_beat(response=reply, user=world.member_a, item=None)
    assert not EditingPresence.objects.filter(user=world.member_a).exists()


# --- Ready means ready ---------------------------------------------------------------------------


def test_an_edit_after_ready_returns_the_reply_to_draft_tells_the_head_and_the_review_lists_it(
    client, world, reply, django_capture_on_commit_callbacks
):
    second_head = f.delegate(world.party_a, role="head", email="head.two@fr.example")
    answer_save(response=reply, item=world.items[0], data={"position": "yes"}, base_version=0, user=world.member_a)
    answer_save(response=reply, item=world.items[1], data={"position": "no"}, base_version=0, user=world.member_a)
    response_mark_ready(response=reply, user=world.member_a)
    client.force_login(world.member_a)
    ready_page = client.get(reverse("consultation:reply", args=[world.consultation.slug])).content.decode()
    assert "Any change to an answer now returns the reply to draft" in ready_page
    with django_capture_on_commit_callbacks(execute=True):
        saved = htmx_post(
            client,
            reverse("consultation:answer_save", args=[world.consultation.slug, world.items[1].code]),
            {"base_version": "1", "f-position": "partially"},
        )
    assert saved.status_code == 200
    reply.refresh_from_db()
    assert (reply.status, reply.ready_reset_by) == ("draft", world.member_a)
    assert reply.ready_reset_at is not None
    event = AuditEvent.objects.get(event_type="reply.ready_reset")
    assert event.extra["items"] == ["ROBOT-01"]
    assert sorted(m.to[0] for m in mail.outbox) == ["head.a@fr.example", "head.two@fr.example"]
    assert mail.outbox[0].subject == f"The reply to “{world.consultation.title_en}” is back to draft"
    assert "Changed: ROBOT-01" in mail.outbox[0].body
    enrol_totp(world.head_a)
    client.force_login(world.head_a)
    review = client.get(reverse("consultation:review", args=[world.consultation.slug])).content.decode()
    assert "Back to draft after a change." in review
    assert "Changed since it was marked ready" in review
    assert review.count("Changed since the reply was marked ready for sign-off") == 1
    assert f'<a href="#ro-item-{world.items[1].pk}">ROBOT-01</a>' in review
    assert second_head.pk  # both heads were told
    # A second edit while in draft changes nothing more; marking ready again clears the list.
    answer_save(response=reply, item=world.items[0], data={"position": "no"}, base_version=1, user=world.head_a)
    assert AuditEvent.objects.filter(event_type="reply.ready_reset").count() == 1
    response_mark_ready(response=Response.objects.get(pk=reply.pk), user=world.head_a)
    review = client.get(reverse("consultation:review", args=[world.consultation.slug])).content.decode()
    assert "Changed since it was marked ready" not in review
    assert "Back to draft after a change." not in review


def test_a_section_save_after_ready_also_returns_the_reply_to_draft(client, world, reply):
    answer_save(response=reply, item=world.items[0], data={"position": "yes"}, base_version=0, user=world.member_a)
    response_mark_ready(response=reply, user=world.member_a)
    client.force_login(world.member_a)
    pk = world.items[0].pk
    page = client.post(
        reverse("consultation:section_save", args=[world.consultation.slug]),
        {f"i{pk}-base_version": "1", f"i{pk}-f-position": "no", f"i{pk}-_language": "en"},
    )
    assert page.status_code == 302
    reply.refresh_from_db()
    assert reply.status == "draft"
    assert AuditEvent.objects.get(event_type="reply.ready_reset").extra["items"] == ["GENAI-01"]
