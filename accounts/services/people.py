"""Accounts, delegation memberships and global roles: the writes behind invitations, the admin and seed_demo."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts import access
from accounts.models import (
    DelegationMembership,
    DelegationRole,
    GlobalRole,
    OrganisationMembership,
    RoleAssignment,
    User,
)

from .audit import audit_record


class MembershipConflict(ValidationError):
    """The person already belongs to another Party's delegation (a person has at most one)."""


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    first_name: str,
    last_name: str,
    preferred_language: str = "en",
    acting_user: Any = None,
    request: HttpRequest | None = None,
) -> User:
    """Create an account whose e-mail address is already verified: it only ever comes from an invitation link
    (which proved the address) or from the Secretariat's own tools, never from open sign-up."""
    from allauth.account.models import EmailAddress

    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(_("An account with the address %(email)s already exists.") % {"email": email})
    user = User.objects.create_user(
        email=email,
        password=password,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        preferred_language=preferred_language,
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    audit_record(event_type="account.created", actor=acting_user, object_repr=email, request=request)
    return user


@transaction.atomic
def membership_set(
    *,
    user: User,
    party: Any,
    role: str,
    acting_user: Any = None,
    request: HttpRequest | None = None,
) -> DelegationMembership:
    """Attach the person to a Party's delegation as member or head, or change their role in it.

    Refused (``MembershipConflict``) when the person already belongs to another Party: moving someone between
    delegations is a deliberate two-step act (remove, then invite), never a side effect.
    """
    if role not in DelegationRole.values:
        raise ValidationError(_("Unknown delegation role: %(role)s.") % {"role": role})
    membership = DelegationMembership.objects.select_for_update().filter(user=user).first()
    if membership is not None and membership.party_id != party.pk:
        raise MembershipConflict(
            _("%(email)s already belongs to the delegation of %(party)s; a person can belong to one delegation only.")
            % {"email": user.email, "party": membership.party}
        )
    previous_role = membership.role if membership else None
    if membership is None:
        membership = DelegationMembership.objects.create(user=user, party=party, role=role)
    elif membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    if previous_role != role:
        audit_record(
            event_type="membership.changed",
            actor=acting_user,
            party=party,
            object_repr=user.email,
            request=request,
            extra={"role": role, "previous_role": previous_role},
        )
    access.forget_roles(user)
    return membership


@transaction.atomic
def organisation_membership_set(
    *,
    user: User,
    organisation: Any,
    acting_user: Any = None,
    request: HttpRequest | None = None,
) -> OrganisationMembership:
    """Make the person a member of a stakeholder organisation (with the ``stakeholder`` role); idempotent.

    Refused for a member of a national delegation or of another organisation: an organisation's comments on a
    State's reply must never come from an account that can also write that State's reply.
    """
    if DelegationMembership.objects.filter(user=user).exists():
        raise MembershipConflict(
            _("%(email)s belongs to a national delegation and cannot also speak for an organisation.")
            % {"email": user.email}
        )
    membership = OrganisationMembership.objects.select_for_update().filter(user=user).first()
    if membership is not None and membership.organisation_id != organisation.pk:
        raise MembershipConflict(
            _("%(email)s already belongs to %(organisation)s; a person can speak for one organisation only.")
            % {"email": user.email, "organisation": membership.organisation}
        )
    if membership is None:
        membership = OrganisationMembership.objects.create(user=user, organisation=organisation)
        audit_record(
            event_type="organisation.member_added",
            actor=acting_user,
            object_repr=user.email,
            request=request,
            extra={"organisation": organisation.pk},
        )
    role_grant(user=user, role=GlobalRole.STAKEHOLDER, acting_user=acting_user, request=request)
    access.forget_roles(user)
    return membership


@transaction.atomic
def membership_remove(
    *,
    membership: DelegationMembership,
    acting_user: Any = None,
    request: HttpRequest | None = None,
) -> None:
    """Take a person out of their delegation; the account stays (it may hold other roles), their access to the
    Party's replies ends at their next request because roles are read from the database on every request."""
    user, party, role = membership.user, membership.party, membership.role
    membership.delete()
    audit_record(
        event_type="membership.removed",
        actor=acting_user,
        party=party,
        object_repr=user.email,
        request=request,
        extra={"previous_role": role},
    )
    access.forget_roles(user)


@transaction.atomic
def role_grant(
    *,
    user: User,
    role: str,
    acting_user: Any = None,
    request: HttpRequest | None = None,
) -> RoleAssignment:
    """Give a person the Secretariat or Committee role (idempotent).

    Secretariat members are also made staff, so that they can read the audit log in the admin; what they see
    there is still decided by ``accounts.access``.
    """
    if role not in GlobalRole.values:
        raise ValidationError(_("Unknown role: %(role)s.") % {"role": role})
    assignment, created = RoleAssignment.objects.get_or_create(user=user, role=role)
    if role == GlobalRole.SECRETARIAT and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    if created:
        audit_record(
            event_type="role.granted", actor=acting_user, object_repr=user.email, request=request, extra={"role": role}
        )
    access.forget_roles(user)
    return assignment


@transaction.atomic
def role_revoke(
    *,
    user: User,
    role: str,
    acting_user: Any = None,
    request: HttpRequest | None = None,
) -> None:
    """Withdraw a Secretariat or Committee role (no-op when the person does not hold it)."""
    deleted, _count = RoleAssignment.objects.filter(user=user, role=role).delete()
    if role == GlobalRole.SECRETARIAT and user.is_staff and not user.is_superuser:
        user.is_staff = False
        user.save(update_fields=["is_staff"])
    if deleted:
        audit_record(
            event_type="role.revoked", actor=acting_user, object_repr=user.email, request=request, extra={"role": role}
        )
    access.forget_roles(user)


@transaction.atomic
def user_deactivate(*, user: User, acting_user: Any = None, request: HttpRequest | None = None) -> None:
    """Close an account: it can no longer sign in, and every open session of it ends at its next request
    (``accounts.middleware.SessionSecurityMiddleware``)."""
    from allauth.usersessions.models import UserSession

    user.is_active = False
    user.save(update_fields=["is_active"])
    for session in UserSession.objects.filter(user=user):
        session.end()
    audit_record(event_type="account.deactivated", actor=acting_user, object_repr=user.email, request=request)
    access.forget_roles(user)


def user_language_set(*, user: User, language: str) -> bool:
    """Remember the interface language a person chose; False (nothing written) for an unknown or unchanged one."""
    from django.conf import settings

    if language not in dict(settings.LANGUAGES) or language == user.preferred_language:
        return False
    User.objects.filter(pk=user.pk).update(preferred_language=language)
    user.preferred_language = language
    return True
