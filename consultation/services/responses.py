"""A reply's workflow: ready for sign-off, official submission, reopening by the Secretariat."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors.links import platform_base_url
from accounts.services import audit_record

from ..events import reports_refresh_enqueue
from ..models import Answer, Consultation, Response, ResponseStatus, ResponseSubmission
from .answers import ReplyLocked, reply_lock_reason, response_missing_required
from .confidentiality import ReplyMarks, reply_marks_apply
from .receipts import reply_receipt_enqueue
from .submitted import submitted_answers_replace


class SubmissionIncomplete(Exception):
    """Required fields are still empty; ``missing`` lists them (item and field)."""

    def __init__(self, missing: list[dict[str, Any]]) -> None:
        self.missing = missing
        super().__init__(
            _("%(count)d required answers are missing: %(list)s")
            % {
                "count": len(missing),
                "list": ", ".join(f"{m['item'].code} – {m['field'].label}" for m in missing[:10]),
            }
        )


class InvalidTransition(Exception):
    """The reply is not in a state that allows this step."""


def reply_audit(event_type: str, *, response: Response, user: Any, request: Any = None, **extra: Any) -> None:
    """One audit row about a Party's reply, in the caller's transaction."""
    audit_record(
        event_type=event_type,
        actor=user,
        party=response.party,
        consultation=response.consultation,
        object_repr=str(response),
        request=request,
        extra=extra,
    )


def _locked(response: Response) -> Response:
    return Response.objects.select_for_update().select_related("consultation", "party").get(pk=response.pk)


def consultation_data_changed(*, consultation_id: int) -> None:
    """What the reports show changed (a submission, a reply now under revision, a Party no longer asked):
    raise the consultation's data version, which marks its reports stale, and queue the debounced rebuild once
    the caller's transaction commits."""
    Consultation.objects.filter(pk=consultation_id).update(data_version=F("data_version") + 1)
    transaction.on_commit(lambda: reports_refresh_enqueue(consultation_id=consultation_id))


@transaction.atomic
def response_mark_ready(*, response: Response, user: Any, request: Any = None) -> Response:
    """A member tells the head of delegation the reply is ready for sign-off."""
    response = _locked(response)
    reason = reply_lock_reason(response=response)
    if reason:
        raise ReplyLocked(reason)
    if response.status == ResponseStatus.READY:
        raise InvalidTransition(_("The reply is already marked ready for sign-off."))
    response.status = ResponseStatus.READY
    response.ready_at = timezone.now()
    response.ready_by = user
    response.save(update_fields=["status", "ready_at", "ready_by"])
    reply_audit("reply.ready", response=response, user=user, request=request)
    return response


def response_snapshot(*, response: Response) -> dict[str, Any]:
    """The reply's content as submitted: every answer's value, version and language, by item code."""
    rows = Answer.objects.filter(response=response).values("item__code", "data", "version", "language")
    return {
        row["item__code"]: {"data": row["data"], "version": row["version"], "language": row["language"]} for row in rows
    }


@transaction.atomic
def response_submit(
    *, response: Response, user: Any, request: Any = None, marks: ReplyMarks | None = None
) -> ResponseSubmission:
    """The head of delegation's official submission: complete, before the deadline, then locked.

    ``marks`` are the head's "not for publication" choices made on the sign-off page (``None``: keep the marks
    already recorded, the consultation's default for what was never decided); they are recorded and copied with
    the submission, all or nothing (``MarksInvalid`` before anything is written).
    """
    response = _locked(response)
    reason = reply_lock_reason(response=response)
    if reason:
        raise ReplyLocked(reason)
    missing = response_missing_required(response=response)
    if missing:
        raise SubmissionIncomplete(missing)
    counts = reply_marks_apply(response=response, marks=marks or ReplyMarks(answers={}, attachments={}))
    now = timezone.now()
    response.status = ResponseStatus.SUBMITTED
    response.submitted_at = now
    response.submitted_by = user
    response.save(update_fields=["status", "submitted_at", "submitted_by"])
    sequence = ResponseSubmission.objects.filter(response=response).count() + 1
    submission = ResponseSubmission.objects.create(
        response=response,
        sequence=sequence,
        submitted_at=now,
        submitted_by=user,
        snapshot=response_snapshot(response=response),
    )
    submitted_answers_replace(response=response, submission=submission)
    reply_audit("reply.submitted", response=response, user=user, request=request, sequence=sequence, **counts)
    consultation_data_changed(consultation_id=response.consultation_id)
    # The delegation's receipt (with the submitted reply as PDF), once the submission is committed.
    base_url = platform_base_url(request=request)
    transaction.on_commit(lambda: reply_receipt_enqueue(submission_id=submission.pk, base_url=base_url), robust=True)
    return submission


@transaction.atomic
def response_reopen(*, response: Response, user: Any, reason: str, request: Any = None) -> Response:
    """The Secretariat reopens a submitted reply; the reason is kept and shown to the delegation."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidTransition(_("Give the reason for reopening the reply."))
    response = _locked(response)
    if response.status != ResponseStatus.SUBMITTED:
        raise InvalidTransition(_("Only a submitted reply can be reopened."))
    response.status = ResponseStatus.REOPENED
    response.reopened_at = timezone.now()
    response.reopen_reason = reason
    response.save(update_fields=["status", "reopened_at", "reopen_reason"])
    reply_audit("reply.reopened", response=response, user=user, request=request, reason=reason)
    consultation_data_changed(consultation_id=response.consultation_id)
    return response
