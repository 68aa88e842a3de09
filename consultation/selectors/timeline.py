"""One Party's reply seen by the Secretariat: its timeline and its contacts (the answers are shown with the
workspace's ``reply_readonly_context``).

A fixed number of queries: the reply, the contacts, the invitations, the first edit, the audit
events of the reply and the reminders.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from accounts.models import AuditEvent, DelegationMembership, DelegationRole, Invitation

from ..models import AnswerRevision, Consultation, Party, Reminder, Response, ResponseStatus

TIMELINE_EVENTS = ("reply.ready", "reply.submitted", "reply.reopened", "reply.extended")


@dataclass
class TimelineEntry:
    at: datetime.datetime
    kind: str
    label: str
    who: str = ""
    detail: str = ""


def _who(user: Any) -> str:
    return user.display_name if user is not None else ""


def party_reply(*, consultation: Consultation, party: Party) -> Response | None:
    return (
        Response.objects.select_related("consultation", "party", "last_activity_by", "submitted_by", "ready_by")
        .filter(consultation=consultation, party=party)
        .first()
    )


def party_contacts(*, party: Party) -> list[DelegationMembership]:
    """The delegation: heads first, then members, by name."""
    contacts = list(DelegationMembership.objects.filter(party=party).select_related("user"))
    contacts.sort(key=lambda m: (m.role != DelegationRole.HEAD, m.user.last_name.casefold(), m.user.email))
    return contacts


def party_timeline(*, consultation: Consultation, party: Party, response: Response | None) -> list[TimelineEntry]:
    """Invitations, first edit, sign-off, submissions, reopenings (with reasons), extensions, reminders."""
    entries: list[TimelineEntry] = []
    for invitation in Invitation.objects.filter(party=party).select_related("invited_by", "accepted_user"):
        entries.append(
            TimelineEntry(
                invitation.created_at,
                "invitation",
                _("Invitation sent to %(email)s (%(role)s)")
                % {"email": invitation.email, "role": invitation.get_role_display()},
                _who(invitation.invited_by),
            )
        )
        if invitation.accepted_at:
            entries.append(
                TimelineEntry(
                    invitation.accepted_at,
                    "invitation-accepted",
                    _("Invitation accepted by %(email)s") % {"email": invitation.email},
                    _who(invitation.accepted_user),
                )
            )
    if response is not None:
        first = (
            AnswerRevision.objects.filter(answer__response=response)
            .order_by("created_at", "id")
            .select_related("created_by")
            .first()
        )
        if first is not None:
            entries.append(
                TimelineEntry(first.created_at, "first-edit", _("First answer saved"), _who(first.created_by))
            )
    labels = {
        "reply.ready": _("Marked ready for sign-off"),
        "reply.submitted": _("Submitted"),
        "reply.reopened": _("Reopened by the Secretariat"),
        "reply.extended": _("Deadline extended"),
    }
    for event in AuditEvent.objects.filter(
        party=party, consultation=consultation, event_type__in=TIMELINE_EVENTS
    ).select_related("actor"):
        detail = ""
        if event.event_type == "reply.reopened":
            detail = _("Reason: %(reason)s") % {"reason": event.extra.get("reason", "")}
        elif event.event_type == "reply.extended":
            detail = _("New deadline: %(date)s") % {"date": event.extra.get("until", "")}
        elif event.event_type == "reply.submitted" and event.extra.get("sequence", 1) > 1:
            detail = _("Submission no. %(n)s") % {"n": event.extra["sequence"]}
        entries.append(
            TimelineEntry(event.created_at, event.event_type, labels[event.event_type], _who(event.actor), detail)
        )
    for reminder in Reminder.objects.filter(consultation=consultation, party=party).select_related("sent_by"):
        if reminder.status == "sent":
            label = _("Reminder sent: %(kind)s") % {"kind": reminder.get_kind_display() or reminder.kind}
            at = reminder.sent_at or reminder.created_at
            detail = (
                ", ".join((reminder.recipients or {}).get("to", [])) if isinstance(reminder.recipients, dict) else ""
            )
        else:
            label = _("Reminder not sent (%(status)s): %(kind)s") % {
                "status": reminder.get_status_display(),
                "kind": reminder.get_kind_display() or reminder.kind,
            }
            at = reminder.created_at
            detail = reminder.last_error
        entries.append(TimelineEntry(at, f"reminder-{reminder.status}", label, _who(reminder.sent_by), detail))
    entries.sort(key=lambda e: e.at)
    return entries


def reply_is_overdue(*, response: Response | None, consultation: Consultation, today: datetime.date) -> bool:
    status = response.status if response else None
    deadline = (response.extended_until if response else None) or consultation.closes_on
    return status != ResponseStatus.SUBMITTED and deadline is not None and today > deadline
