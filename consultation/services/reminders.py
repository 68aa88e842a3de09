"""Reminders: the machine chases the Parties that have not submitted, and remembers every e-mail.

``reminders_send_due`` is what Celery beat (daily) and ``manage.py send_reminders`` both run. For each
open consultation and each active Party whose reply is not submitted, the Party's own deadline
(``extended_until`` or the closing date) decides whether a reminder is due today: at each offset of
``REMINDER_OFFSETS_DAYS`` before it, and on the day after it ("overdue"). Only a Party that still has a question
to answer is due: one put to it (``consultation.selectors.addressees``) that its reply has not answered. A Party
asked none of the consultation's items (a follow-up round whose every item is addressed to some Parties), or one
that has answered every item put to it, gets no automatic reminder (the Secretariat can still remind the latter by
hand, see ``reminders_send_manual``). The ``Reminder`` row is
unique per (consultation, Party, kind, deadline), so running the job twice creates nothing twice;
only a successful send marks a reminder ``sent``, and a failed one is retried by later runs up to
``REMINDER_MAX_ATTEMPTS``.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import DelegationMembership, DelegationRole
from accounts.selectors.links import platform_base_url
from accounts.services import audit_record

from ..models import (
    Answer,
    Consultation,
    ConsultationStatus,
    Item,
    Party,
    Reminder,
    ReminderKind,
    ReminderStatus,
    Response,
    ResponseStatus,
)

logger = logging.getLogger(__name__)

DEFAULT_OFFSETS = (14, 7, 1)
DEFAULT_MAX_ATTEMPTS = 5
MISSING_LISTED = 10  # questions still to answer named in a reminder; the rest are counted
SENT, FAILED, NO_CONTACT, SKIPPED = "sent", "failed", "no-contact", "skipped"


class ReminderRefused(Exception):
    """A manual reminder cannot be sent (nothing selected, consultation not open)."""


@dataclass
class ReminderRun:
    """What one run did, for the command's output, the task's log and the tests."""

    created: int = 0
    sent: int = 0
    failed: int = 0
    no_contact: int = 0
    sent_to: list[str] = field(default_factory=list)


def reminder_offsets() -> list[int]:
    return sorted({int(n) for n in getattr(settings, "REMINDER_OFFSETS_DAYS", DEFAULT_OFFSETS)}, reverse=True)


def reminder_max_attempts() -> int:
    return int(getattr(settings, "REMINDER_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


def reminder_kind_for(*, deadline: datetime.date, today: datetime.date) -> str | None:
    """The kind of automatic reminder due today for this deadline, or None."""
    days_left = (deadline - today).days
    if days_left in reminder_offsets():
        return f"d-{days_left}"
    if days_left == -1:
        return ReminderKind.OVERDUE
    return None


# --- Mail to a delegation ---------------------------------------------------------------------


def party_recipients(*, party: Party) -> tuple[list[str], list[str]]:
    """To: the head(s) of delegation; Cc: the members. Without a head, the members are addressed directly."""
    heads: list[str] = []
    members: list[str] = []
    for email, role in (
        DelegationMembership.objects.filter(party=party, user__is_active=True)
        .order_by("user__email")
        .values_list("user__email", "role")
    ):
        (heads if role == DelegationRole.HEAD else members).append(email)
    if not heads:
        return members, []
    return heads, members


def reply_link(*, consultation: Consultation, base_url: str | None = None) -> str:
    """The absolute link to the delegation's reply page (the Party is always the reader's own)."""
    base = base_url or platform_base_url()
    for name, kwargs in (("consultation:reply", {"slug": consultation.slug}), ("consultation:home", {})):
        try:
            return base + reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return f"{base}/consultations/{consultation.slug}/"


def party_mail_send(
    *,
    party: Party,
    template_prefix: str,
    context: dict[str, Any],
    consultation: Consultation,
    fail_silently: bool = False,
    base_url: str | None = None,
) -> bool:
    """Render ``<prefix>_subject.txt`` / ``<prefix>_body.txt`` in the Party's language and send it.

    Returns False when the delegation has nobody to write to; raises the mail server's error unless
    ``fail_silently``.
    """
    to, cc = party_recipients(party=party)
    if not to:
        return False
    with translation.override(party.preferred_language or settings.LANGUAGE_CODE):
        context = {
            **context,
            "party": party,
            "consultation": consultation,
            "link": reply_link(consultation=consultation, base_url=base_url),
            "platform_name": settings.PLATFORM_NAME,
        }
        subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", context).split())
        body = render_to_string(f"{template_prefix}_body.txt", context)
    message = EmailMultiAlternatives(subject=subject, body=body, to=to, cc=cc)
    try:
        message.send()
    except Exception:
        if not fail_silently:
            raise
        logger.exception("Could not send %s to %s", template_prefix, party.iso2)
        return False
    return True


# --- Progress shown in a reminder --------------------------------------------------------------


def reply_progress(*, consultation: Consultation, party: Party) -> dict[str, Any]:
    """Items answered and items complete out of the items put to the Party, and the first of those it has still to
    answer (``missing``: codes in questionnaire order, at most ``MISSING_LISTED``; ``more``: how many others).
    Three queries; an answer to an item not put to the Party counts nowhere."""
    from ..selectors.addressees import addressed_q, items_for_party

    put_to = items_for_party(Item.objects.filter(consultation=consultation), party_id=party.pk)
    total = put_to.count()
    counts = (
        Answer.objects.filter(response__consultation=consultation, response__party=party)
        .filter(addressed_q("item", "response__party_id"))
        .aggregate(
            answered=Count("id", filter=Q(is_answered=True)),
            complete=Count("id", filter=Q(is_answered=True, is_complete=True)),
        )
    )
    answered = counts["answered"] or 0
    answered_here = Answer.objects.filter(item_id=OuterRef("pk"), response__party=party, is_answered=True)
    missing = list(
        put_to.filter(~Exists(answered_here)).order_by("order", "code").values_list("code", flat=True)[:MISSING_LISTED]
    )
    return {
        "total": total,
        "answered": answered,
        "complete": counts["complete"] or 0,
        "missing": missing,
        "more": max(0, total - answered - len(missing)),
    }


def asked_anything(*, consultation_id: int | OuterRef, party_id: OuterRef) -> Exists:
    """``EXISTS`` an item of the consultation put to the Party: a Party asked none of a follow-up round's questions
    has nothing to submit and is never reminded. ``party_id`` (and ``consultation_id`` if not a plain id) refer to the
    query this condition filters (``OuterRef("pk")`` over Parties, ``OuterRef("party_id")`` over reminders)."""
    from ..selectors.addressees import items_for_party

    return Exists(items_for_party(Item.objects.filter(Q(consultation_id=consultation_id)), party_id=party_id))


# --- Delivery ----------------------------------------------------------------------------------


def reminder_deliver(*, reminder_id: int, base_url: str | None = None) -> str:
    """Send one reminder unless it was sent already; only a successful send marks it sent.

    Returns ``SENT``, ``FAILED`` (kept for a later run), ``NO_CONTACT`` or ``SKIPPED`` (already sent).

    The row is locked while sending, so two concurrent runs never send the same reminder twice.
    """
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update().select_related("consultation", "party").filter(pk=reminder_id).first()
        )
        if reminder is None or reminder.status == ReminderStatus.SENT:
            return SKIPPED
        party, consultation = reminder.party, reminder.consultation
        to, cc = party_recipients(party=party)
        reminder.attempts += 1
        if not to:
            # Nobody to write to: recorded (the Party page shows it) but not retried until someone joins.
            reminder.status = ReminderStatus.FAILED
            reminder.attempts = max(reminder.attempts, reminder_max_attempts())
            reminder.last_error = _("The delegation has no contact to write to.")
            reminder.save(update_fields=["attempts", "status", "last_error"])
            return NO_CONTACT
        progress = reply_progress(consultation=consultation, party=party)
        today = timezone.localdate()
        context = {
            "reminder": reminder,
            "kind": reminder.kind,
            "overdue": reminder.kind == ReminderKind.OVERDUE or today > reminder.deadline,
            "manual": reminder.kind == ReminderKind.MANUAL,
            "deadline": reminder.deadline,
            "days_left": (reminder.deadline - today).days,
            "progress": progress,
        }
        try:
            party_mail_send(
                party=party,
                template_prefix="emails/reminder",
                context=context,
                consultation=consultation,
                base_url=base_url,
            )
        except Exception as exc:  # the mail server refused or is down: keep it for the next run
            logger.warning("Reminder %s to %s failed: %s", reminder.pk, party.iso2, exc)
            reminder.status = ReminderStatus.FAILED
            reminder.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            reminder.save(update_fields=["attempts", "status", "last_error"])
            return FAILED
        reminder.status = ReminderStatus.SENT
        reminder.sent_at = timezone.now()
        reminder.recipients = {"to": to, "cc": cc}
        reminder.language = party.preferred_language
        reminder.last_error = ""
        reminder.save(update_fields=["attempts", "status", "sent_at", "recipients", "language", "last_error"])
        return SENT


def _due_parties(*, consultation: Consultation) -> QuerySet[Any]:
    # Rows typed Any: Parties annotated with ``reply_extended_until``, which the stubs cannot see.
    """Active Parties asked at least one item whose reply is not submitted, with their own deadline (one query: a
    LEFT JOIN and an ``EXISTS``). A reply with every item answered is still due: only the head's submission counts."""
    return (
        Party.objects.filter(is_active=True)
        .annotate(reply=FilteredRelation("responses", condition=Q(responses__consultation=consultation)))
        .filter(Q(reply__id__isnull=True) | ~Q(reply__status=ResponseStatus.SUBMITTED))
        .filter(asked_anything(consultation_id=consultation.pk, party_id=OuterRef("pk")))
        .annotate(reply_extended_until=F("reply__extended_until"))
        .order_by("iso2")
    )


def reminders_create_due(*, today: datetime.date) -> int:
    """Create today's automatic reminder rows (idempotent: the unique constraint refuses duplicates)."""
    created = 0
    consultations = Consultation.objects.filter(status=ConsultationStatus.OPEN, closes_on__isnull=False)
    for consultation in consultations:
        for party in _due_parties(consultation=consultation):
            deadline = party.reply_extended_until or consultation.closes_on
            if deadline is None:  # the query keeps only consultations with a closing date
                continue
            kind = reminder_kind_for(deadline=deadline, today=today)
            if kind is None:
                continue
            try:
                with transaction.atomic():
                    _, was_created = Reminder.objects.get_or_create(
                        consultation=consultation,
                        party=party,
                        kind=kind,
                        deadline=deadline,
                        defaults={"language": party.preferred_language},
                    )
            except IntegrityError:  # a concurrent run created it first
                was_created = False
            created += int(was_created)
    return created


def _pending_reminders() -> list[tuple[int, str]]:
    """Unsent reminders still worth sending (id, Party code): consultation open, reply not submitted, attempts left,
    and for an automatic one, something put to the Party."""
    submitted = set(
        Response.objects.filter(
            status=ResponseStatus.SUBMITTED, consultation__status=ConsultationStatus.OPEN
        ).values_list("consultation_id", "party_id")
    )
    rows = (
        Reminder.objects.filter(
            status__in=[ReminderStatus.PENDING, ReminderStatus.FAILED],
            attempts__lt=reminder_max_attempts(),
            consultation__status=ConsultationStatus.OPEN,
        )
        .filter(
            Q(kind=ReminderKind.MANUAL)
            | Q(asked_anything(consultation_id=OuterRef("consultation_id"), party_id=OuterRef("party_id")))
        )
        .order_by("created_at", "id")
        .values_list("id", "consultation_id", "party_id", "party__iso2")
    )
    return [(rid, iso2) for rid, cid, pid, iso2 in rows if (cid, pid) not in submitted]


def reminders_send_due(*, today: datetime.date | None = None) -> ReminderRun:
    """Create the reminders due today and send every unsent one; safe to run any number of times."""
    today = today or timezone.localdate()
    run = ReminderRun(created=reminders_create_due(today=today))
    for reminder_id, iso2 in _pending_reminders():
        outcome = reminder_deliver(reminder_id=reminder_id)
        if outcome == SENT:
            run.sent += 1
            run.sent_to.append(iso2)
        elif outcome == FAILED:
            run.failed += 1
        elif outcome == NO_CONTACT:
            run.no_contact += 1
    return run


@dataclass
class ManualReminders:
    """What a manual reminder request did: the reminders written, and the Parties left out and why."""

    reminders: list[Reminder]
    submitted: list[Party]
    no_contact: list[Party]
    not_asked: list[Party] = field(default_factory=list)  # none of the consultation's items is put to them


@transaction.atomic
def reminders_send_manual(
    *, consultation: Consultation, parties: list[Party], user: Any, request: Any = None
) -> ManualReminders:
    """The Secretariat reminds the selected Parties now.

    Parties that have submitted, Parties asked none of the items and Parties with nobody to write to are left out
    (and named). A Party that has answered every item put to it but not submitted is reminded when the Secretariat
    chooses it (a reopened reply to correct, a reply waiting for its head's sign-off), though the daily run leaves
    it alone. The rows are written in this transaction and sent once it commits.
    """
    if consultation.status != ConsultationStatus.OPEN:
        raise ReminderRefused(_("Reminders can be sent only while the consultation is open."))
    if not parties:
        raise ReminderRefused(_("Select at least one Party to remind."))
    submitted_ids = set(
        Response.objects.filter(
            consultation=consultation, party__in=parties, status=ResponseStatus.SUBMITTED
        ).values_list("party_id", flat=True)
    )
    with_contacts = set(
        DelegationMembership.objects.filter(party__in=parties, user__is_active=True).values_list("party_id", flat=True)
    )
    extended = dict(
        Response.objects.filter(consultation=consultation, party__in=parties, extended_until__isnull=False).values_list(
            "party_id", "extended_until"
        )
    )
    from ..selectors.addressees import items_for_party

    asked = set(
        Party.objects.filter(pk__in=[p.pk for p in parties])
        .filter(Exists(items_for_party(Item.objects.filter(consultation=consultation), party_id=OuterRef("pk"))))
        .values_list("pk", flat=True)
    )
    today = timezone.localdate()
    result = ManualReminders(reminders=[], submitted=[], no_contact=[])
    for party in parties:
        if party.pk in submitted_ids:
            result.submitted.append(party)
        elif party.pk not in asked:
            result.not_asked.append(party)
        elif party.pk not in with_contacts:
            result.no_contact.append(party)
        else:
            result.reminders.append(
                Reminder(
                    consultation=consultation,
                    party=party,
                    kind=ReminderKind.MANUAL,
                    deadline=extended.get(party.pk) or consultation.closes_on or today,
                    language=party.preferred_language,
                    sent_by=user if getattr(user, "is_authenticated", False) else None,
                )
            )
    if not result.reminders:
        if result.submitted and not (result.no_contact or result.not_asked):
            raise ReminderRefused(_("Every selected Party has already submitted its reply."))
        if result.not_asked:
            raise ReminderRefused(
                _(
                    "No reminder sent: the selected Parties have submitted, are asked none of the questions, or have"
                    " no delegation contact yet."
                )
            )
        raise ReminderRefused(
            _("No reminder sent: the selected Parties have submitted or have no delegation contact yet.")
        )
    Reminder.objects.bulk_create(result.reminders)
    audit_record(
        event_type="reminder.manual",
        actor=user,
        consultation=consultation,
        object_repr=f"consultation:{consultation.slug}",
        request=request,
        extra={
            "parties": [r.party.iso2 for r in result.reminders],
            "left_out_submitted": [p.iso2 for p in result.submitted],
            "left_out_no_contact": [p.iso2 for p in result.no_contact],
            "left_out_not_asked": [p.iso2 for p in result.not_asked],
        },
    )
    ids = [r.pk for r in result.reminders]
    base_url = platform_base_url(request=request)
    transaction.on_commit(lambda: [reminder_deliver(reminder_id=pk, base_url=base_url) for pk in ids])
    return result
