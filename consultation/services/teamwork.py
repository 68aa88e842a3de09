"""The delegation's teamwork on its reply: who answers which item by when, internal comments, who is editing.

All of it is internal to the delegation: the rules in ``accounts.access`` (``can_view_teamwork`` and the ones
built on it) keep it from the Secretariat, the Committee and other delegations, and no report, export or document
reads these tables. Writes are atomic and audited; e-mails (an assignment, a mention) are written as
``TeamNotice`` rows in the same transaction and sent after commit (``services.notices``).
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import access
from accounts.services import audit_record

from ..answer_values import control_character_error
from ..models import (
    EditingPresence,
    Item,
    ItemAssignment,
    ItemComment,
    ItemWorkStatus,
    Response,
    TeamNoticeKind,
)
from .notices import team_notice_create

COMMENT_MAX_LENGTH = 4000
# How far ahead a due date may be set: beyond this it is a typing error (year 2205), not a plan.
DUE_DATE_MAX_DAYS_AHEAD = 3 * 365
MENTION = re.compile(r"@([^\W_][\w.\-']*)", re.UNICODE)


class TeamworkRefused(Exception):
    """The change is not allowed or not valid; ``errors`` maps form fields to messages (nothing was written)."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__(" ".join(errors.values()))


def _audit(event_type: str, *, response: Response, user: Any, item: Item, request: Any = None, **extra: Any) -> None:
    audit_record(
        event_type=event_type,
        actor=user,
        party=response.party,
        consultation=response.consultation,
        object_repr=f"{response} – {item.code}",
        request=request,
        extra=extra,
    )


@transaction.atomic
def item_assignment_set(
    *,
    response: Response,
    item: Item,
    assignee: Any | None,
    due_on: datetime.date | None,
    status: str,
    user: Any,
    request: Any = None,
    today: datetime.date | None = None,
) -> ItemAssignment:
    """Assign an item of the reply to a colleague of the delegation (or to nobody), with a due date and the
    internal status; the new assignee is e-mailed after commit. Raises ``TeamworkRefused`` on bad input."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if status not in ItemWorkStatus.values:
        errors["status"] = _("Choose one of the listed statuses.")
    if assignee is not None and not access.can_be_assigned(assignee, response):
        errors["assignee"] = _("Items can only be assigned to members of your delegation.")
    if due_on is not None and due_on > today + datetime.timedelta(days=DUE_DATE_MAX_DAYS_AHEAD):
        errors["due_on"] = _("The due date is more than three years ahead: check the year.")
    if item.consultation_id != response.consultation_id:
        errors["item"] = _("This question belongs to another consultation.")
    if errors:
        raise TeamworkRefused(errors)
    response = Response.objects.select_for_update().select_related("consultation", "party").get(pk=response.pk)
    assignment = ItemAssignment.objects.select_for_update().filter(response=response, item=item).first()
    previous_assignee_id = assignment.assignee_id if assignment else None
    if assignment is None:
        assignment = ItemAssignment(response=response, item=item)
    before = (assignment.assignee_id, assignment.due_on, assignment.status) if assignment.pk else None
    after = (assignee.pk if assignee else None, due_on, status)
    if before == after:
        return assignment
    assignment.assignee = assignee
    assignment.due_on = due_on
    assignment.status = status
    assignment.updated_at = timezone.now()
    assignment.updated_by = user if getattr(user, "is_authenticated", False) else None
    assignment.save()
    _audit(
        "item.assigned",
        response=response,
        user=user,
        item=item,
        request=request,
        assignee=assignment.assignee_id,
        previous_assignee=previous_assignee_id,
        due_on=due_on.isoformat() if due_on else None,
        status=status,
    )
    assignee_changed = assignment.assignee_id != previous_assignee_id
    due_changed = before is None or before[1] != due_on
    if assignee is not None and (assignee_changed or due_changed):
        team_notice_create(
            kind=TeamNoticeKind.ASSIGNED,
            recipient=assignee,
            actor=user,
            response=response,
            item=item,
            details={"due_on": due_on.isoformat() if due_on else None, "status": status},
        )
    return assignment


def _handle_part(text: str) -> str:
    return "-".join((text or "").strip().lower().split())


def mention_handles(*, colleagues: list[Any]) -> dict[str, Any]:
    """Each colleague's handles (lower case) for @mentions: the first name when it is unique in the delegation,
    first.last, and the e-mail's local part."""
    counts: dict[str, int] = {}
    for person in colleagues:
        first = _handle_part(person.first_name)
        counts[first] = counts.get(first, 0) + 1
    handles: dict[str, Any] = {}
    for person in colleagues:
        handles[person.email.split("@", 1)[0].lower()] = person
    for person in colleagues:
        first, last = _handle_part(person.first_name), _handle_part(person.last_name)
        if first and last:
            handles[f"{first}.{last}"] = person
        if first and counts[first] == 1:
            handles[first] = person
    return handles


def mention_handle(*, person: Any, handles: dict[str, Any]) -> str:
    """The shortest handle naming ``person`` (as the comment form suggests it)."""
    names = sorted((h for h, p in handles.items() if p.pk == person.pk), key=len)
    return names[0] if names else person.email.split("@", 1)[0].lower()


def mentions_parse(*, body: str, handles: dict[str, Any]) -> list[Any]:
    """The colleagues a comment names with ``@handle`` (case-insensitive), once each, in order of appearance."""
    found: dict[int, Any] = {}
    for match in MENTION.finditer(body):
        handle = match.group(1).rstrip(".-'").lower()
        person = handles.get(handle)
        if person is not None:
            found.setdefault(person.pk, person)
    return list(found.values())


def _colleagues(party_id: int) -> list[Any]:
    from accounts.models import User

    return list(User.objects.filter(membership__party_id=party_id, is_active=True).order_by("first_name", "email"))


@transaction.atomic
def item_comment_add(*, response: Response, item: Item, author: Any, body: str, request: Any = None) -> ItemComment:
    """Add an internal comment to an item; every colleague it @mentions is e-mailed after commit."""
    body = (body or "").strip()
    errors: dict[str, str] = {}
    if not body:
        errors["body"] = _("Write a comment first.")
    elif len(body) > COMMENT_MAX_LENGTH:
        errors["body"] = _("A comment holds at most %(max)d characters (this one has %(count)d).") % {
            "max": COMMENT_MAX_LENGTH,
            "count": len(body),
        }
    else:
        problem = control_character_error(body)
        if problem:
            errors["body"] = problem
    if item.consultation_id != response.consultation_id:
        errors["item"] = _("This question belongs to another consultation.")
    if errors:
        raise TeamworkRefused(errors)
    response = Response.objects.select_related("consultation", "party").get(pk=response.pk)
    mentioned = mentions_parse(body=body, handles=mention_handles(colleagues=_colleagues(response.party_id)))
    comment = ItemComment.objects.create(response=response, item=item, author=author, body=body)
    if mentioned:
        comment.mentions.set(mentioned)
    _audit(
        "item.comment_added",
        response=response,
        user=author,
        item=item,
        request=request,
        comment=comment.pk,
        mentions=[p.pk for p in mentioned],
    )
    for person in mentioned:
        team_notice_create(
            kind=TeamNoticeKind.MENTIONED,
            recipient=person,
            actor=author,
            response=response,
            item=item,
            details={"comment": comment.pk},
        )
    return comment


@transaction.atomic
def item_comment_resolve(*, comment: ItemComment, user: Any, resolved: bool = True, request: Any = None) -> ItemComment:
    """Mark a comment resolved (or open again); resolving twice changes nothing."""
    comment = ItemComment.objects.select_for_update().select_related("item").get(pk=comment.pk)
    if (comment.resolved_at is not None) == resolved:
        return comment
    comment.resolved_at = timezone.now() if resolved else None
    comment.resolved_by = user if resolved else None
    comment.save(update_fields=["resolved_at", "resolved_by"])
    response = Response.objects.select_related("consultation", "party").get(pk=comment.response_id)
    _audit(
        "item.comment_resolved" if resolved else "item.comment_reopened",
        response=response,
        user=user,
        item=comment.item,
        request=request,
        comment=comment.pk,
    )
    return comment


def presence_beat(*, response: Response, user: Any, item: Item | None, now: datetime.datetime | None = None) -> None:
    """Record which item the person has open in the editor now (``None``: none). Not audited: it is a heartbeat,
    every few seconds, and says nothing about the reply's content."""
    now = now or timezone.now()
    if item is not None and item.consultation_id != response.consultation_id:
        raise ValueError("The item belongs to another consultation.")
    if item is None:
        EditingPresence.objects.filter(response=response, user=user).delete()
        return
    EditingPresence.objects.update_or_create(response=response, user=user, defaults={"item": item, "seen_at": now})
