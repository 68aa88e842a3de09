"""Reads about invitations and delegations, each in a fixed number of queries."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.models import DelegationMembership, Invitation


class InvitationInvalid(ValidationError):
    """A link that cannot be used; ``code`` says why (unknown, expired, revoked, used)."""


INVALID_MESSAGES = {
    "unknown": _("This invitation link is not valid. Check that you copied the whole link from the e-mail."),
    "expired": _("This invitation has expired. Ask the person who invited you to send a new one."),
    "revoked": _("This invitation has been withdrawn. Ask the person who invited you for a new one."),
    "used": _("This invitation has already been used. Sign in with your e-mail address and password."),
}


def invitation_token_hash(token: str) -> str:
    """Only this hash is stored, so the database never holds a usable link."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def invitation_for_token(*, token: str, for_update: bool = False) -> Invitation:
    """The invitation a link points to, if it can still be accepted; else ``InvitationInvalid`` with the reason."""
    if for_update:
        # Lock the invitation row only (PostgreSQL cannot lock the nullable side of the joins of select_related).
        queryset = Invitation.objects.select_for_update(of=("self",)).select_related("party", "invited_by")
    else:
        queryset = Invitation.objects.select_related("party", "invited_by")
    invitation = queryset.filter(token_hash=invitation_token_hash(token or "")).first()
    if invitation is None:
        raise InvitationInvalid(INVALID_MESSAGES["unknown"], code="unknown")
    if invitation.accepted_at is not None:
        raise InvitationInvalid(INVALID_MESSAGES["used"], code="used")
    if invitation.revoked_at is not None:
        raise InvitationInvalid(INVALID_MESSAGES["revoked"], code="revoked")
    if invitation.expires_at <= timezone.now():
        raise InvitationInvalid(INVALID_MESSAGES["expired"], code="expired")
    return invitation


def invitation_state(invitation: Invitation) -> str:
    """pending, accepted, revoked or expired, for display."""
    if invitation.accepted_at:
        return "accepted"
    if invitation.revoked_at:
        return "revoked"
    if invitation.expires_at <= timezone.now():
        return "expired"
    return "pending"


def invitation_list_for(*, user: Any) -> QuerySet[Invitation]:
    """The invitations this person may see: all for the Secretariat, their own Party's for a head."""
    roles = access.roles_of(user)
    queryset = Invitation.objects.select_related("party", "invited_by", "accepted_user", "revoked_by").order_by(
        "-created_at", "-id"
    )
    if roles.is_secretariat:
        return queryset
    if roles.is_head:
        return queryset.filter(party_id=roles.party_id)
    return queryset.none()


def delegation_members_for(*, user: Any) -> QuerySet[DelegationMembership]:
    """The delegation members this person manages: their own Party's for a head, none otherwise (the Secretariat
    manages people in the admin)."""
    roles = access.roles_of(user)
    if not roles.is_head:
        return DelegationMembership.objects.none()
    return (
        DelegationMembership.objects.filter(party_id=roles.party_id)
        .select_related("user", "party")
        .order_by("-role", "user__last_name", "user__email")
    )
