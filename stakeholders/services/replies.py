"""An organisation's own reply to the questionnaire: one free text per question, then submitted once."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import access
from accounts.services.audit import audit_record
from consultation.answer_values import control_character_error
from consultation.models import Consultation, Item
from consultation.services.responses import consultation_data_changed

from ..errors import StakeholderError
from ..models import ContributionStatus, StakeholderAnswer, StakeholderInvitation, StakeholderReply
from .comments import MAX_COMMENT_LENGTH


def _open_invitation(*, user: Any, consultation: Consultation) -> StakeholderInvitation:
    organisation_id = access.roles_of(user).organisation_id
    invitation = StakeholderInvitation.objects.filter(
        consultation=consultation, organisation_id=organisation_id
    ).first()
    allowed = access.can_comment_as_stakeholder(
        user, invited=invitation is not None, open_for_comments=bool(invitation and invitation.is_open())
    )
    if not allowed or invitation is None:
        raise StakeholderError(
            _("Your organisation cannot reply to this consultation (not invited, or past the deadline).")
        )
    if not invitation.may_reply:
        raise StakeholderError(
            _("Your organisation is invited to comment on the Parties' replies, not to reply itself.")
        )
    return invitation


@transaction.atomic
def stakeholder_answers_save(
    *, consultation: Consultation, texts: dict[int, str], language: str, user: Any, request: Any = None
) -> StakeholderReply:
    """Save the organisation's answers (item id → text) as a draft; a blank text removes that answer."""
    invitation = _open_invitation(user=user, consultation=consultation)
    reply, _created = StakeholderReply.objects.select_for_update().get_or_create(
        consultation=consultation, organisation_id=invitation.organisation_id
    )
    if reply.status == ContributionStatus.SUBMITTED:
        raise StakeholderError(_("Your organisation's reply was submitted and can no longer be changed."))
    items = {item.pk: item for item in Item.objects.filter(consultation=consultation, pk__in=list(texts))}
    unknown = set(texts) - set(items)
    if unknown:
        raise StakeholderError(_("Some answers are for questions that are not in this consultation."))
    now = timezone.now()
    for item_id, raw in texts.items():
        text = (raw or "").strip()
        problem = control_character_error(text)
        if problem:
            raise StakeholderError(f"{items[item_id].code}: {problem}")
        if len(text) > MAX_COMMENT_LENGTH:
            raise StakeholderError(
                _("%(code)s: the answer is %(length)s characters long; the limit is %(limit)s.")
                % {"code": items[item_id].code, "length": len(text), "limit": MAX_COMMENT_LENGTH}
            )
        if not text:
            StakeholderAnswer.objects.filter(reply=reply, item_id=item_id).delete()
            continue
        StakeholderAnswer.objects.update_or_create(
            reply=reply,
            item_id=item_id,
            defaults={"text": text, "language": language, "updated_at": now, "updated_by": user},
        )
    audit_record(
        event_type="stakeholders.reply_saved",
        actor=user,
        consultation=consultation,
        object_repr=str(reply),
        request=request,
        extra={"reply": reply.pk, "items": sorted(texts)},
    )
    return reply


@transaction.atomic
def stakeholder_reply_submit(*, consultation: Consultation, user: Any, request: Any = None) -> StakeholderReply:
    invitation = _open_invitation(user=user, consultation=consultation)
    reply = (
        StakeholderReply.objects.select_for_update()
        .filter(consultation=consultation, organisation_id=invitation.organisation_id)
        .first()
    )
    if reply is None or not reply.answers.exists():
        raise StakeholderError(_("Answer at least one question before submitting your organisation's reply."))
    if reply.status == ContributionStatus.SUBMITTED:
        raise StakeholderError(_("Your organisation's reply has already been submitted."))
    reply.status = ContributionStatus.SUBMITTED
    reply.submitted_at = timezone.now()
    reply.submitted_by = user
    reply.save(update_fields=["status", "submitted_at", "submitted_by"])
    audit_record(
        event_type="stakeholders.reply_submitted",
        actor=user,
        consultation=consultation,
        object_repr=str(reply),
        request=request,
        extra={"reply": reply.pk},
    )
    consultation_data_changed(consultation_id=consultation.pk)
    return reply


@transaction.atomic
def stakeholder_reply_publication_set(
    *, reply: StakeholderReply, publish: bool, user: Any, request: Any = None
) -> StakeholderReply:
    if not access.can_manage_stakeholders(user):
        raise StakeholderError(_("Only the Secretariat publishes what organisations send."))
    reply = StakeholderReply.objects.select_for_update().get(pk=reply.pk)
    if reply.status != ContributionStatus.SUBMITTED:
        raise StakeholderError(_("A reply still in draft cannot be published."))
    if publish == (reply.published_at is not None):
        return reply
    reply.published_at = timezone.now() if publish else None
    reply.published_by = user if publish else None
    reply.save(update_fields=["published_at", "published_by"])
    audit_record(
        event_type="stakeholders.reply_published" if publish else "stakeholders.reply_withdrawn",
        actor=user,
        consultation=reply.consultation,
        object_repr=str(reply),
        request=request,
        extra={"reply": reply.pk},
    )
    consultation_data_changed(consultation_id=reply.consultation_id)
    return reply
