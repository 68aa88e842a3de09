"""Invitations: the only way accounts come into existence (sign-up is closed)."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import access
from accounts.models import (
    DelegationMembership,
    GlobalRole,
    Invitation,
    InvitationRole,
    OrganisationMembership,
    RoleAssignment,
    User,
)
from accounts.selectors.invitations import invitation_for_token, invitation_token_hash
from accounts.selectors.links import platform_base_url

from .audit import audit_record
from .people import MembershipConflict, membership_set, organisation_membership_set, role_grant, user_create

DELEGATION_ROLES = ("member", "head")


def invitation_expiry_days() -> int:
    return int(getattr(settings, "INVITATION_EXPIRY_DAYS", 14))


def _check_invitee(*, email: str, role: str, party: Any, organisation: Any = None) -> None:
    """Refuse, with the reason, an invitation that could never be accepted."""
    existing = User.objects.filter(email__iexact=email).first()
    if Invitation.objects.filter(
        email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).exists():
        raise ValidationError(
            _("%(email)s already has a pending invitation. Revoke it first to send a new one.") % {"email": email},
            code="pending",
        )
    if existing is None:
        return
    if role in DELEGATION_ROLES:
        membership = DelegationMembership.objects.filter(user=existing).select_related("party").first()
        if membership is not None and membership.party_id != party.pk:
            raise ValidationError(
                _(
                    "%(email)s already belongs to the delegation of %(party)s; a person can belong to one delegation only."
                )
                % {"email": email, "party": membership.party},
                code="other_delegation",
            )
        if membership is not None and membership.role == role:
            raise ValidationError(
                _("%(email)s already has this role in the delegation.") % {"email": email}, code="already"
            )
    elif role == GlobalRole.STAKEHOLDER:
        if DelegationMembership.objects.filter(user=existing).exists():
            raise ValidationError(
                _("%(email)s belongs to a national delegation and cannot also speak for an organisation.")
                % {"email": email},
                code="delegation",
            )
        other = OrganisationMembership.objects.filter(user=existing).exclude(organisation=organisation).first()
        if other is not None:
            raise ValidationError(
                _("%(email)s already belongs to %(organisation)s; a person can speak for one organisation only.")
                % {"email": email, "organisation": other.organisation},
                code="other_organisation",
            )
        if OrganisationMembership.objects.filter(user=existing, organisation=organisation).exists():
            raise ValidationError(_("%(email)s already has this role.") % {"email": email}, code="already")
    elif RoleAssignment.objects.filter(user=existing, role=role).exists():
        raise ValidationError(_("%(email)s already has this role.") % {"email": email}, code="already")


@transaction.atomic
def invitation_create(
    *,
    email: str,
    role: str,
    party: Any = None,
    organisation: Any = None,
    invited_by: User,
    request: HttpRequest | None = None,
) -> tuple[Invitation, str]:
    """Record an invitation and e-mail its one-time link (after commit). Returns the invitation and the raw token,
    which is never stored: only its SHA-256 hash is."""
    email = User.objects.normalize_email(email or "").strip().lower()
    if role not in InvitationRole.values:
        raise ValidationError(_("Choose a valid role."), code="role")
    if role in DELEGATION_ROLES and party is None:
        raise ValidationError(_("Choose the Party of the delegation."), code="party")
    if role not in DELEGATION_ROLES:
        party = None
    if role == GlobalRole.STAKEHOLDER and organisation is None:
        raise ValidationError(_("Choose the organisation the person speaks for."), code="organisation")
    if role != GlobalRole.STAKEHOLDER:
        organisation = None
    if not access.can_invite(invited_by, role=role, party_id=party.pk if party else None):
        raise PermissionDenied(_("You may not invite someone with this role for this Party."))
    _check_invitee(email=email, role=role, party=party, organisation=organisation)
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation = Invitation.objects.create(
        email=email,
        party=party,
        organisation=organisation,
        role=role,
        token_hash=invitation_token_hash(token),
        invited_by=invited_by,
        created_at=now,
        expires_at=now + datetime.timedelta(days=invitation_expiry_days()),
    )
    audit_record(
        event_type="invitation.sent",
        actor=invited_by,
        party=party,
        object_repr=email,
        request=request,
        extra={"invitation": invitation.pk, "role": role, "organisation": organisation.pk if organisation else None},
    )
    language = party.preferred_language if party is not None else getattr(invited_by, "preferred_language", "en")
    base_url = platform_base_url(request=request)
    transaction.on_commit(
        lambda: invitation_send_mail(invitation=invitation, token=token, language=language, base_url=base_url)
    )
    return invitation, token


# Between the two languages of a mail.
MAIL_LANGUAGE_SEPARATOR = "\n\n" + "-" * 40 + "\n\n"


def invitation_accept_url(token: str, base_url: str | None = None) -> str:
    return (base_url or platform_base_url()) + reverse("accounts:invitation_accept", args=[token])


def invitation_send_mail(
    *, invitation: Invitation, token: str, language: str = "en", base_url: str | None = None
) -> None:
    """The e-mail with the link, in both languages: the invitee has no account yet, so no language of their own.
    The Party's language (the inviter's for global roles) comes first, then the other one."""
    context = {
        "invitation": invitation,
        "accept_url": invitation_accept_url(token, base_url),
        "expiry_days": invitation_expiry_days(),
        "platform_name": settings.PLATFORM_NAME,
        "inviter": invitation.invited_by,
    }
    languages = sorted((code for code, _name in settings.LANGUAGES), key=lambda code: code != language)
    subjects, bodies = [], []
    for code in languages:
        with translation.override(code):
            context["role_label"] = invitation.get_role_display()
            subjects.append(render_to_string("accounts/email/invitation_subject.txt", context).strip())
            bodies.append(render_to_string("accounts/email/invitation_message.txt", context).strip())
    send_mail(
        " / ".join(subjects),
        MAIL_LANGUAGE_SEPARATOR.join(bodies) + "\n",
        settings.DEFAULT_FROM_EMAIL,
        [invitation.email],
    )


def _grant(*, invitation: Invitation, user: User, request: HttpRequest | None) -> None:
    if invitation.role in DELEGATION_ROLES:
        membership_set(user=user, party=invitation.party, role=invitation.role, acting_user=user, request=request)
    elif invitation.role == GlobalRole.STAKEHOLDER:
        organisation_membership_set(user=user, organisation=invitation.organisation, acting_user=user, request=request)
    else:
        role_grant(user=user, role=GlobalRole(invitation.role), acting_user=user, request=request)


def _mark_accepted(*, invitation: Invitation, user: User, request: HttpRequest | None, new_account: bool) -> None:
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = user
    invitation.save(update_fields=["accepted_at", "accepted_user"])
    audit_record(
        event_type="invitation.accepted",
        actor=user,
        party=invitation.party,
        object_repr=invitation.email,
        request=request,
        extra={"invitation": invitation.pk, "role": invitation.role, "new_account": new_account},
    )


@transaction.atomic
def invitation_accept_new(
    *,
    token: str,
    first_name: str,
    last_name: str,
    password: str,
    preferred_language: str = "en",
    request: HttpRequest | None = None,
) -> User:
    """Create the account the invitation is for (address verified by the link), with its Party and role.

    Everything happens in one transaction: an invalid link, a weak password or a conflict leaves no account.
    """
    invitation = invitation_for_token(token=token, for_update=True)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ValidationError(
            _("An account with this address already exists: confirm with its password instead."), code="exists"
        )
    if not first_name.strip() or not last_name.strip():
        raise ValidationError(_("Enter your first and last name."), code="name")
    candidate = User(email=invitation.email, first_name=first_name, last_name=last_name)
    password_validation.validate_password(password, user=candidate)
    user = user_create(
        email=invitation.email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        preferred_language=preferred_language,
        request=request,
    )
    _grant(invitation=invitation, user=user, request=request)
    _mark_accepted(invitation=invitation, user=user, request=request, new_account=True)
    return user


def invitation_accept_existing_check(*, token: str, user: User) -> None:
    """Raise what ``invitation_accept_existing`` would refuse, writing nothing: the accept page asks it once the
    password is right, so a refusal shows on the form, before the log-in (the role itself waits for the log-in
    to complete, second factor included)."""
    _refuse_existing(invitation=invitation_for_token(token=token), user=user)


def _refuse_existing(*, invitation: Invitation, user: User) -> None:
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(_("This invitation was sent to another e-mail address."), code="email")
    if not user.is_active:
        raise ValidationError(_("This account is closed. Contact the Secretariat."), code="inactive")
    if invitation.role in DELEGATION_ROLES:
        membership = DelegationMembership.objects.filter(user=user).select_related("party").first()
        if membership is not None and membership.party_id != invitation.party_id:
            raise MembershipConflict(
                _(
                    "%(email)s already belongs to the delegation of %(party)s; a person can belong to one "
                    "delegation only."
                )
                % {"email": user.email, "party": membership.party}
            )


@transaction.atomic
def invitation_accept_existing(*, token: str, user: User, request: HttpRequest | None = None) -> User:
    """Add the invitation's membership or role to an account that already exists, once it has signed in (second
    factor included). Refused when the person belongs to another delegation."""
    invitation = invitation_for_token(token=token, for_update=True)
    _refuse_existing(invitation=invitation, user=user)
    _grant(invitation=invitation, user=user, request=request)
    _mark_accepted(invitation=invitation, user=user, request=request, new_account=False)
    return user


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, acting_user: User, request: HttpRequest | None = None) -> None:
    """Withdraw a pending invitation: its link stops working at once."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been accepted; it cannot be revoked."), code="used")
    if invitation.revoked_at is not None:
        raise ValidationError(_("This invitation has already been revoked."), code="revoked")
    invitation.revoked_at = timezone.now()
    invitation.revoked_by = acting_user
    invitation.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        event_type="invitation.revoked",
        actor=acting_user,
        party=invitation.party,
        object_repr=invitation.email,
        request=request,
        extra={"invitation": invitation.pk, "role": invitation.role},
    )
