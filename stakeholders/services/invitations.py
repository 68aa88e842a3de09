"""The Secretariat invites organisations to a consultation (and the people who speak for them)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organisation
from accounts.services.audit import audit_record
from consultation.models import Consultation

from ..errors import StakeholderError
from ..models import StakeholderInvitation


@transaction.atomic
def stakeholder_invitation_set(
    *,
    consultation: Consultation,
    organisation: Organisation,
    deadline: datetime.date,
    may_reply: bool,
    user: Any,
    request: Any = None,
) -> StakeholderInvitation:
    """Invite the organisation to the consultation, or change its deadline; audited."""
    if consultation.status == "draft":
        raise StakeholderError(_("The consultation is not open yet: publish it before inviting organisations."))
    if consultation.opens_on and deadline < consultation.opens_on:
        raise StakeholderError(_("The deadline cannot be before the consultation opens."))
    invitation, created = StakeholderInvitation.objects.select_for_update().get_or_create(
        consultation=consultation,
        organisation=organisation,
        defaults={"deadline": deadline, "may_reply": may_reply, "invited_by": user},
    )
    if not created:
        invitation.deadline = deadline
        invitation.may_reply = may_reply
        invitation.save(update_fields=["deadline", "may_reply"])
    audit_record(
        event_type="stakeholders.invited" if created else "stakeholders.invitation_changed",
        actor=user,
        consultation=consultation,
        object_repr=organisation.name,
        request=request,
        extra={"organisation": organisation.pk, "deadline": deadline.isoformat(), "may_reply": may_reply},
    )
    return invitation


@transaction.atomic
def organisation_create(
    *, name: str, kind: str, country: Any, website: str, user: Any, request: Any = None
) -> Organisation:
    """Register an organisation (names are unique, compared without case)."""
    name = " ".join((name or "").split())
    if not name:
        raise StakeholderError(_("Enter the organisation's name."))
    if Organisation.objects.filter(name__iexact=name).exists():
        raise StakeholderError(_("An organisation named %(name)s already exists.") % {"name": name})
    organisation = Organisation.objects.create(name=name, kind=kind, country=country, website=website or "")
    audit_record(
        event_type="organisation.created",
        actor=user,
        object_repr=name,
        request=request,
        extra={"organisation": organisation.pk, "kind": kind},
    )
    return organisation
