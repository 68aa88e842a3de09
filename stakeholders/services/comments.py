"""Organisations' comments on the Parties' submitted replies.

A comment is a draft until the organisation submits it; once submitted it is transmitted to the Party
concerned (e-mail to its delegation, sent by a Celery task on commit) and read by the Committee; the
Secretariat decides when it is published. Only submitted replies can be commented on, and only before the
organisation's deadline for the consultation.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import access
from accounts.services.audit import audit_record
from consultation.answer_values import control_character_error
from consultation.models import Consultation, Item, Party, ResponseSubmission
from consultation.services.responses import consultation_data_changed

from ..errors import StakeholderError
from ..models import ContributionStatus, StakeholderComment, StakeholderInvitation

logger = logging.getLogger(__name__)
MAX_COMMENT_LENGTH = 20_000


def _invitation(*, user: Any, consultation: Consultation) -> StakeholderInvitation:
    organisation_id = access.roles_of(user).organisation_id
    invitation = StakeholderInvitation.objects.filter(
        consultation=consultation, organisation_id=organisation_id
    ).first()
    allowed = access.can_comment_as_stakeholder(
        user, invited=invitation is not None, open_for_comments=bool(invitation and invitation.is_open())
    )
    if not allowed:
        if invitation is not None:
            raise StakeholderError(
                _("The deadline for comments on this consultation has passed (%(date)s).")
                % {"date": invitation.deadline.isoformat()}
            )
        raise StakeholderError(_("Your organisation is not invited to comment on this consultation."))
    return invitation


def _clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise StakeholderError(_("Write the comment before saving it."))
    if len(text) > MAX_COMMENT_LENGTH:
        raise StakeholderError(
            _("The comment is %(length)s characters long; the limit is %(limit)s.")
            % {"length": len(text), "limit": MAX_COMMENT_LENGTH}
        )
    problem = control_character_error(text)
    if problem:
        raise StakeholderError(problem)
    return text


def party_has_submitted(*, consultation: Consultation, party: Party) -> bool:
    return ResponseSubmission.objects.filter(response__consultation=consultation, response__party=party).exists()


@transaction.atomic
def stakeholder_comment_save(
    *,
    consultation: Consultation,
    party: Party,
    item: Item | None,
    text: str,
    language: str,
    user: Any,
    comment: StakeholderComment | None = None,
    request: Any = None,
) -> StakeholderComment:
    """Write or change a draft comment of the user's organisation."""
    invitation = _invitation(user=user, consultation=consultation)
    text = _clean_text(text)
    if item is not None and item.consultation_id != consultation.pk:
        raise StakeholderError(_("This question is not part of the consultation."))
    if not party_has_submitted(consultation=consultation, party=party):
        raise StakeholderError(_("%(party)s has not submitted a reply yet.") % {"party": party.name})
    now = timezone.now()
    if comment is None:
        comment = StakeholderComment.objects.create(
            consultation=consultation,
            organisation_id=invitation.organisation_id,
            party=party,
            item=item,
            text=text,
            language=language,
            author=user,
            created_at=now,
            updated_at=now,
        )
        event = "stakeholders.comment_drafted"
    else:
        comment = StakeholderComment.objects.select_for_update().get(pk=comment.pk)
        if comment.organisation_id != invitation.organisation_id:
            raise StakeholderError(_("This comment belongs to another organisation."))
        if comment.status != ContributionStatus.DRAFT:
            raise StakeholderError(
                _("This comment was submitted on %(date)s and can no longer be changed.")
                % {"date": timezone.localtime(comment.submitted_at).date().isoformat()}
            )
        comment.text, comment.language, comment.updated_at = text, language, now
        comment.save(update_fields=["text", "language", "updated_at"])
        event = "stakeholders.comment_changed"
    audit_record(
        event_type=event,
        actor=user,
        party=party,
        consultation=consultation,
        object_repr=str(comment),
        request=request,
        extra={"comment": comment.pk},
    )
    return comment


@transaction.atomic
def stakeholder_comment_delete(*, comment: StakeholderComment, user: Any, request: Any = None) -> None:
    invitation = _invitation(user=user, consultation=comment.consultation)
    comment = StakeholderComment.objects.select_for_update().get(pk=comment.pk)
    if comment.organisation_id != invitation.organisation_id or comment.status != ContributionStatus.DRAFT:
        raise StakeholderError(_("Only your organisation's draft comments can be deleted."))
    audit_record(
        event_type="stakeholders.comment_deleted",
        actor=user,
        party=comment.party,
        consultation=comment.consultation,
        object_repr=str(comment),
        request=request,
        extra={"comment": comment.pk},
    )
    comment.delete()


@transaction.atomic
def stakeholder_comment_submit(*, comment: StakeholderComment, user: Any, request: Any = None) -> StakeholderComment:
    """Submit a draft: it reaches the Party concerned (e-mail on commit) and the Committee."""
    invitation = _invitation(user=user, consultation=comment.consultation)
    comment = StakeholderComment.objects.select_for_update().get(pk=comment.pk)
    if comment.organisation_id != invitation.organisation_id:
        raise StakeholderError(_("This comment belongs to another organisation."))
    if comment.status == ContributionStatus.SUBMITTED:
        raise StakeholderError(_("This comment has already been submitted."))
    comment.status = ContributionStatus.SUBMITTED
    comment.submitted_at = timezone.now()
    comment.save(update_fields=["status", "submitted_at"])
    audit_record(
        event_type="stakeholders.comment_submitted",
        actor=user,
        party=comment.party,
        consultation=comment.consultation,
        object_repr=str(comment),
        request=request,
        extra={"comment": comment.pk},
    )
    consultation_data_changed(consultation_id=comment.consultation_id)
    comment_id = comment.pk
    transaction.on_commit(lambda: stakeholder_comment_notice_enqueue(comment_id=comment_id))
    return comment


def stakeholder_comment_notice_enqueue(*, comment_id: int) -> bool:
    """Queue the e-mail to the Party's delegation; a broker outage is logged (the sweep sends it later)."""
    from ..tasks import stakeholder_comment_notice_send

    try:
        stakeholder_comment_notice_send.apply_async(args=[comment_id], retry=False)
        return True
    except Exception:
        logger.warning("Could not queue the notice of stakeholder comment %s", comment_id, exc_info=True)
        return False


@transaction.atomic
def stakeholder_comment_publication_set(
    *, comment: StakeholderComment, publish: bool, user: Any, request: Any = None
) -> StakeholderComment:
    """Publish a submitted comment, or withdraw its publication; audited either way."""
    if not access.can_manage_stakeholders(user):
        raise StakeholderError(_("Only the Secretariat publishes what organisations send."))
    comment = StakeholderComment.objects.select_for_update().get(pk=comment.pk)
    if comment.status != ContributionStatus.SUBMITTED:
        raise StakeholderError(_("A draft comment cannot be published."))
    if publish == (comment.published_at is not None):
        return comment
    comment.published_at = timezone.now() if publish else None
    comment.published_by = user if publish else None
    comment.save(update_fields=["published_at", "published_by"])
    audit_record(
        event_type="stakeholders.comment_published" if publish else "stakeholders.comment_withdrawn",
        actor=user,
        party=comment.party,
        consultation=comment.consultation,
        object_repr=str(comment),
        request=request,
        extra={"comment": comment.pk},
    )
    consultation_data_changed(consultation_id=comment.consultation_id)
    return comment
