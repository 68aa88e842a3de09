"""The submission receipt: an e-mail to the Party's delegation with the submitted reply attached as PDF.

Queued by ``response_submit`` once the submission is committed, sent by a Celery task. Sending is
idempotent per ``ResponseSubmission``: the submission row is locked, and a ``reply.receipt_sent``
audit row, written in the same transaction as the send, means a redelivered task sends nothing.
The PDF shows the submission's frozen snapshot, not the answers as they may be after a reopening.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from accounts.selectors.links import platform_base_url

logger = logging.getLogger(__name__)

RECEIPT_EVENT = "reply.receipt_sent"


def reply_receipt_enqueue(*, submission_id: int, base_url: str | None = None) -> bool:
    """Queue the receipt (called on commit); a broker outage is logged and never fails the submission."""
    from ..tasks import reply_receipt_send as reply_receipt_send_task

    try:
        # No publish retries: with the broker down the submission's response must not wait; the sweep resends.
        reply_receipt_send_task.apply_async(args=[submission_id], kwargs={"base_url": base_url}, retry=False)
        return True
    except Exception:  # broker down, or the eager task failed: the submission itself stands
        logger.warning("Could not queue the receipt of submission %s", submission_id, exc_info=True)
        return False


def receipt_recipients(*, party_id: int) -> list[str]:
    """The active heads and members of the Party's delegation, heads first."""
    from accounts.models import DelegationMembership

    return list(
        DelegationMembership.objects.filter(party_id=party_id, user__is_active=True)
        .order_by("role", "user__email")  # "head" sorts before "member"
        .values_list("user__email", flat=True)
    )


@transaction.atomic
def reply_receipt_send(*, submission_id: int, base_url: str | None = None) -> bool:
    """Send the receipt of one submission, once; False if it was already sent or nobody can receive it.

    ``base_url``: the platform's address as the submitting request reached it (links follow ``PLATFORM_BASE_URL``
    when it is configured, see ``platform_base_url``); the sweep, which has no request, passes none."""
    from django.core.mail import EmailMessage
    from django.template.loader import render_to_string
    from django.utils import translation

    from accounts.models import AuditEvent
    from accounts.services import audit_record

    from ..documents import PDF_CONTENT_TYPE, receipt_filename, receipt_pdf, receipt_time
    from ..models import ResponseSubmission
    from ..selectors.receipts import receipt_get

    submission = (
        ResponseSubmission.objects.select_for_update(of=("self",))  # PostgreSQL: no FOR UPDATE on nullable joins
        .select_related("response__party", "response__consultation", "submitted_by")
        .get(pk=submission_id)
    )
    if AuditEvent.objects.filter(event_type=RECEIPT_EVENT, extra__submission_id=submission_id).exists():
        return False
    response = submission.response
    party = response.party
    recipients = receipt_recipients(party_id=party.pk)
    if not recipients:
        logger.warning("Submission %s: the delegation of %s has no active member to receive it", submission_id, party)
        return False
    with translation.override(party.preferred_language or settings.LANGUAGE_CODE):
        receipt = receipt_get(response=response, sequence=submission.sequence)
        if receipt is None:  # cannot happen: the submission row is locked above
            return False
        pdf = receipt_pdf(receipt)
        context = {
            "party": party,
            "consultation": response.consultation,
            "submission": submission,
            "submitted_on": receipt_time(submission.submitted_at),
            "submitted_by": receipt.submitted_by,
            "digest": receipt.digest_groups,
            "items_answered": receipt.items_answered,
            "items_total": receipt.items_total,
            "link": (base_url or platform_base_url())
            + reverse("consultation:receipt", kwargs={"slug": response.consultation.slug}),
        }
        subject = " ".join(render_to_string("emails/reply_receipt_subject.txt", context).split())
        body = render_to_string("emails/reply_receipt_body.txt", context)
        filename = receipt_filename(receipt)
    message = EmailMessage(subject=subject, body=body, to=recipients)
    message.attach(filename, pdf, PDF_CONTENT_TYPE)
    message.send(fail_silently=False)
    audit_record(
        event_type=RECEIPT_EVENT,
        party=party,
        consultation=response.consultation,
        object_repr=str(submission),
        extra={"submission_id": submission_id, "recipients": len(recipients), "language": party.preferred_language},
    )
    return True


def reply_receipts_sweep(*, window_hours: int = 48, grace_minutes: int = 5) -> int:
    """Send the receipts that were never sent (broker down at submission, worker crash); the number sent.

    Looks at submissions between ``window_hours`` and ``grace_minutes`` old, so the normal path (queued on
    commit) has its chance first; sending stays idempotent if both run at once.
    """
    import datetime

    from django.utils import timezone

    from accounts.models import AuditEvent

    from ..models import ResponseSubmission

    now = timezone.now()
    since = now - datetime.timedelta(hours=window_hours)
    sent_ids = set(
        AuditEvent.objects.filter(event_type=RECEIPT_EVENT, created_at__gte=since).values_list(
            "extra__submission_id", flat=True
        )
    )
    pending = (
        ResponseSubmission.objects.filter(
            submitted_at__gte=since, submitted_at__lte=now - datetime.timedelta(minutes=grace_minutes)
        )
        .exclude(pk__in=[pk for pk in sent_ids if isinstance(pk, int)])
        .values_list("pk", flat=True)
    )
    sent = 0
    for submission_id in list(pending):
        try:
            sent += bool(reply_receipt_send(submission_id=submission_id))
        except Exception:  # one failing receipt (mail server) must not stop the others; retried next sweep
            logger.warning("Receipt of submission %s not sent", submission_id, exc_info=True)
    return sent
