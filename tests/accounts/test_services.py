"""The account writes seed_demo, the admin and the invitation pages rely on."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError

from accounts import access
from accounts.models import AuditEvent, DelegationMembership, RoleAssignment
from accounts.services import (
    MembershipConflict,
    membership_remove,
    membership_set,
    role_grant,
    role_revoke,
    user_create,
)
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_user_create_gives_a_verified_primary_address_allauth_accepts(client):
    user = user_create(
        email=" Claire.Martin@Justice.example ",
        password="Lanzarote-article-23-2024",
        first_name="Claire",
        last_name="Martin",
        preferred_language="fr",
    )
    assert (user.email, user.preferred_language, user.is_staff) == ("claire.martin@justice.example", "fr", False)
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == ("claire.martin@justice.example", True, True)
    response = client.post("/accounts/login/", {"login": user.email, "password": "Lanzarote-article-23-2024"})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk
    with pytest.raises(ValidationError, match="already exists"):
        user_create(email="CLAIRE.MARTIN@justice.example", password=None, first_name="C", last_name="M")


def test_membership_set_creates_changes_and_refuses_another_party(world):
    user = f.UserFactory(email="delegate@fr.example")
    membership_set(user=user, party=world.party_a, role="member", acting_user=world.secretariat)
    membership_set(user=user, party=world.party_a, role="head", acting_user=world.secretariat)
    membership_set(user=user, party=world.party_a, role="head", acting_user=world.secretariat)  # no change
    membership = DelegationMembership.objects.get(user=user)
    assert (membership.party, membership.role) == (world.party_a, "head")
    changes = AuditEvent.objects.filter(event_type="membership.changed", object_repr=user.email).order_by("id")
    assert [(e.extra["previous_role"], e.extra["role"]) for e in changes] == [(None, "member"), ("member", "head")]
    with pytest.raises(MembershipConflict, match="already belongs to the delegation of France"):
        membership_set(user=user, party=world.party_b, role="member")
    assert DelegationMembership.objects.get(user=user).party == world.party_a
    with pytest.raises(ValidationError, match="Unknown delegation role"):
        membership_set(user=user, party=world.party_a, role="secretariat")


def test_membership_remove_ends_access_to_the_party(world):
    assert access.roles_of(world.member_a).party_id == world.party_a.pk
    membership_remove(membership=world.member_a.membership, acting_user=world.head_a)
    assert access.roles_of(world.member_a).has_delegation is False
    assert AuditEvent.objects.filter(event_type="membership.removed", actor=world.head_a).count() == 1


def test_role_grant_is_idempotent_and_makes_the_secretariat_staff(world):
    user = f.UserFactory(email="officer@coe.example")
    role_grant(user=user, role="secretariat")
    role_grant(user=user, role="secretariat")
    role_grant(user=user, role="committee")
    assert sorted(RoleAssignment.objects.filter(user=user).values_list("role", flat=True)) == [
        "committee",
        "secretariat",
    ]
    user.refresh_from_db()
    assert user.is_staff is True
    assert AuditEvent.objects.filter(event_type="role.granted", object_repr=user.email).count() == 2
    role_revoke(user=user, role="secretariat")
    user.refresh_from_db()
    assert user.is_staff is False
    assert access.roles_of(user).is_committee is True
    with pytest.raises(ValidationError, match="Unknown role"):
        role_grant(user=user, role="head")
