"""Invitations: the only way in. Links are one-time, expire, can be revoked; refusals create nothing."""

from __future__ import annotations

import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, DelegationMembership, Invitation, RoleAssignment, User
from accounts.selectors.invitations import invitation_token_hash
from accounts.services.invitations import invitation_create, invitation_revoke
from tests import factories as f

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Strasbourg-convention-2007"


def accept_url(token: str) -> str:
    return reverse("accounts:invitation_accept", args=[token])


def new_account_form(**overrides) -> dict:
    data = {
        "first_name": "Claire",
        "last_name": "Martin",
        "preferred_language": "fr",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    data.update(overrides)
    return data


def invite_member_of_a(world, email="new.member@fr.example"):
    return invitation_create(email=email, role="member", party=world.party_a, invited_by=world.head_a)


def test_head_invites_member_mail_holds_a_link_whose_hash_only_is_stored(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = invite_member_of_a(world)
    assert len(token) >= 43  # 32 random bytes, URL-safe base64
    assert invitation.token_hash == invitation_token_hash(token)
    assert token not in invitation.token_hash
    assert (invitation.expires_at - invitation.created_at) == datetime.timedelta(days=14)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.member@fr.example"]
    assert f"/invitations/accept/{token}/" in message.body
    sent = AuditEvent.objects.get(event_type="invitation.sent")
    assert (sent.actor, sent.party, sent.object_repr) == (world.head_a, world.party_a, "new.member@fr.example")


def test_accepting_creates_a_verified_account_bound_to_the_party_and_signs_in(world, client):
    invitation, token = invite_member_of_a(world)
    response = client.post(accept_url(token), new_account_form())
    assert response.status_code == 302
    user = User.objects.get(email="new.member@fr.example")
    assert (user.first_name, user.last_name, user.preferred_language) == ("Claire", "Martin", "fr")
    assert user.check_password(NEW_PASSWORD)
    assert EmailAddress.objects.filter(user=user, email=user.email, verified=True, primary=True).count() == 1
    membership = DelegationMembership.objects.get(user=user)
    assert (membership.party, membership.role) == (world.party_a, "member")
    invitation.refresh_from_db()
    assert invitation.accepted_user == user
    assert invitation.accepted_at is not None
    assert int(client.session["_auth_user_id"]) == user.pk
    events = list(AuditEvent.objects.filter(object_repr=user.email).values_list("event_type", flat=True))
    assert {"invitation.accepted", "account.created", "membership.changed"} <= set(events)


def test_reused_link_is_refused_and_creates_nothing(world, client):
    _invitation, token = invite_member_of_a(world)
    assert client.post(accept_url(token), new_account_form()).status_code == 302
    client.logout()
    response = client.post(accept_url(token), new_account_form(first_name="Other"))
    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    assert User.objects.filter(email="new.member@fr.example").count() == 1
    assert User.objects.get(email="new.member@fr.example").first_name == "Claire"


def test_expired_link_is_refused_with_a_clear_message(world, client):
    invitation, token = invite_member_of_a(world)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    for response in (client.get(accept_url(token)), client.post(accept_url(token), new_account_form())):
        assert response.status_code == 410
        assert "This invitation has expired" in response.content.decode()
    assert not User.objects.filter(email="new.member@fr.example").exists()


def test_revoked_link_is_refused(world, client):
    invitation, token = invite_member_of_a(world)
    invitation_revoke(invitation=invitation, acting_user=world.head_a)
    response = client.post(accept_url(token), new_account_form())
    assert response.status_code == 410
    assert "This invitation has been withdrawn" in response.content.decode()
    assert not User.objects.filter(email="new.member@fr.example").exists()
    assert AuditEvent.objects.filter(event_type="invitation.revoked", actor=world.head_a).count() == 1


@pytest.mark.parametrize("mangle", [lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), lambda t: t[:20], lambda t: "x"])
def test_tampered_link_is_refused(world, client, mangle):
    _invitation, token = invite_member_of_a(world)
    response = client.post(accept_url(mangle(token)), new_account_form())
    assert response.status_code == 404
    assert "This invitation link is not valid" in response.content.decode()
    assert not User.objects.filter(email="new.member@fr.example").exists()


def test_weak_or_mismatched_password_creates_nothing(world, client):
    invitation, token = invite_member_of_a(world)
    response = client.post(accept_url(token), new_account_form(password1="short", password2="short"))
    assert response.status_code == 400
    assert "This password is too short" in response.content.decode()
    response = client.post(accept_url(token), new_account_form(password2=NEW_PASSWORD + "x"))
    assert response.status_code == 400
    assert "The two passwords do not match" in response.content.decode()
    assert not User.objects.filter(email="new.member@fr.example").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_member_cannot_invite_anyone(world):
    with pytest.raises(PermissionDenied):
        invitation_create(email="x@fr.example", role="member", party=world.party_a, invited_by=world.member_a)
    assert Invitation.objects.count() == 0


def test_head_cannot_invite_into_another_party_or_grant_head(world, client):
    with pytest.raises(PermissionDenied):
        invitation_create(email="x@de.example", role="member", party=world.party_b, invited_by=world.head_a)
    with pytest.raises(PermissionDenied):
        invitation_create(email="x@fr.example", role="head", party=world.party_a, invited_by=world.head_a)
    with pytest.raises(PermissionDenied):
        invitation_create(email="x@coe.example", role="secretariat", party=None, invited_by=world.head_a)
    # Through the page: the form offers only "member" of the head's own Party.
    from tests.access.helpers import login_with_mfa

    login_with_mfa(client, world.head_a)
    response = client.post(
        reverse("accounts:invitations"), {"email": "x@de.example", "role": "head", "party": world.party_b.pk}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Select a valid choice" in body
    assert Invitation.objects.count() == 0


def test_secretariat_invites_a_head_through_the_page(world, client, django_capture_on_commit_callbacks):
    from tests.access.helpers import login_with_mfa

    login_with_mfa(client, world.secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:invitations"), {"email": "Head.New@BE.example", "role": "head", "party": f.party("BE").pk}
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.party.iso2) == ("head.new@be.example", "head", "BE")
    assert mail.outbox[0].to == ["head.new@be.example"]
    token = re.search(r"/invitations/accept/([A-Za-z0-9_-]+)/", mail.outbox[0].body).group(1)
    assert invitation.token_hash == invitation_token_hash(token)


def test_pending_invitation_blocks_a_duplicate(world):
    invite_member_of_a(world)
    with pytest.raises(ValidationError, match="already has a pending invitation"):
        invite_member_of_a(world)


def test_existing_account_without_delegation_gets_the_membership(world, client):
    _invitation, token = invitation_create(
        email=world.committee.email, role="head", party=world.party_b, invited_by=world.secretariat
    )
    response = client.get(accept_url(token))
    assert "An account with this address already exists" in response.content.decode()
    response = client.post(accept_url(token), {"password": "wrong-password-123"})
    assert response.status_code == 400
    assert not DelegationMembership.objects.filter(user=world.committee).exists()
    response = client.post(accept_url(token), {"password": f.PASSWORD})
    assert (response.status_code, response["Location"]) == (302, accept_url(token))  # the log-in is complete
    assert client.get(accept_url(token))["Location"] == reverse("home")
    membership = DelegationMembership.objects.get(user=world.committee)
    assert (membership.party, membership.role) == (world.party_b, "head")
    assert RoleAssignment.objects.filter(user=world.committee, role="committee").exists()


def test_existing_account_of_another_delegation_is_refused(world):
    with pytest.raises(ValidationError, match="already belongs to the delegation of Germany"):
        invitation_create(email=world.member_b.email, role="member", party=world.party_a, invited_by=world.head_a)
    assert Invitation.objects.count() == 0


def test_existing_account_joining_another_delegation_at_acceptance_is_refused(world, client):
    """The person joined another delegation between the invitation and its acceptance."""
    user = f.UserFactory(email="later@example.org")
    _invitation, token = invitation_create(
        email=user.email, role="member", party=world.party_a, invited_by=world.secretariat
    )
    DelegationMembership.objects.create(user=user, party=world.party_b, role="member")
    response = client.post(accept_url(token), {"password": f.PASSWORD})
    assert response.status_code == 400
    assert "already belongs to the delegation of Germany" in response.content.decode()
    assert DelegationMembership.objects.get(user=user).party == world.party_b


def test_acceptance_is_rate_limited_per_ip(world, client):
    for _ in range(20):
        assert client.get(accept_url("no-such-token")).status_code == 404
    response = client.get(accept_url("no-such-token"))
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


def test_head_removes_a_member_but_not_another_head_nor_another_party(world, client):
    from tests.access.helpers import login_with_mfa

    login_with_mfa(client, world.head_a)
    other_head = f.delegate(world.party_a, role="head", email="head2.a@fr.example")
    membership_b = world.member_b.membership
    assert client.post(reverse("accounts:member_remove", args=[membership_b.pk])).status_code == 404
    assert client.post(reverse("accounts:member_remove", args=[other_head.membership.pk])).status_code == 404
    response = client.post(reverse("accounts:member_remove", args=[world.member_a.membership.pk]))
    assert response.status_code == 302
    assert not DelegationMembership.objects.filter(user=world.member_a).exists()
    assert DelegationMembership.objects.filter(user=world.member_b).exists()
    removed = AuditEvent.objects.get(event_type="membership.removed")
    assert (removed.actor, removed.party, removed.object_repr) == (world.head_a, world.party_a, world.member_a.email)


def test_existing_account_password_guessing_on_the_link_hits_the_login_limits(world, client):
    _invitation, token = invitation_create(
        email=world.committee.email, role="member", party=world.party_a, invited_by=world.secretariat
    )
    for _ in range(5):
        response = client.post(accept_url(token), {"password": "wrong-password-123"})
        assert "This password is not correct" in response.content.decode()
    response = client.post(accept_url(token), {"password": f.PASSWORD})
    assert response.status_code == 400
    assert "Too many failed login attempts" in response.content.decode()
    assert not DelegationMembership.objects.filter(user=world.committee).exists()
    assert AuditEvent.objects.filter(event_type="login.failure", object_repr=world.committee.email).count() == 5


def test_someone_else_signed_in_gets_a_403_page_and_the_refusal_is_recorded(world, client):
    invitation, token = invite_member_of_a(world)
    client.force_login(world.member_b)
    response = client.get(accept_url(token))
    assert response.status_code == 403
    denial = AuditEvent.objects.get(event_type="access.denied")
    assert (denial.actor, denial.path, denial.extra["reason"]) == (
        world.member_b,
        accept_url(token),
        "invitation.other_user",
    )
    assert denial.object_repr == f"accounts.Invitation:{invitation.pk}"
    assert not User.objects.filter(email="new.member@fr.example").exists()


@pytest.mark.parametrize(("inviter", "first", "second"), [("head_a", "fr", "en"), ("secretariat", "en", "fr")])
def test_the_invitation_mail_speaks_both_languages_the_partys_first(
    world, django_capture_on_commit_callbacks, inviter, first, second
):
    """The invitee has no account, so no language yet: the mail was in one language only (English for a global
    role or an English-speaking Party). It now holds both, the Party's (or the inviter's) first, the same link."""
    party, role = (world.party_a, "member") if inviter == "head_a" else (None, "committee")
    with django_capture_on_commit_callbacks(execute=True):
        _invitation, token = invitation_create(
            email="new@coe.example", role=role, party=party, invited_by=getattr(world, inviter)
        )
    message = mail.outbox[0]
    texts = {
        "en": ("You are invited to the Lanzarote Consultations platform", "Invitation to the Lanzarote"),
        "fr": ("Vous êtes invité(e) sur la plateforme Lanzarote Consultations", "Invitation sur la plateforme"),
    }
    body, subject = message.body, message.subject
    assert body.index(texts[first][0]) < body.index(texts[second][0])
    assert subject.index(texts[first][1]) < subject.index(texts[second][1])
    assert " / " in subject
    assert body.count(f"/invitations/accept/{token}/") == 2


def test_an_existing_account_gets_the_role_only_after_its_second_factor(world, client):
    """The invitation was consumed and the role granted as soon as the password passed, before the code."""
    from tests.access.helpers import enrol_totp
    from tests.e2e.conftest import totp_code_now

    secret = enrol_totp(world.committee)
    invitation, token = invitation_create(
        email=world.committee.email, role="head", party=world.party_b, invited_by=world.secretariat
    )
    response = client.post(accept_url(token), {"password": f.PASSWORD})
    assert (response.status_code, response["Location"]) == (302, reverse("mfa_authenticate"))
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not DelegationMembership.objects.filter(user=world.committee).exists()
    # A wrong code: still nothing granted, and the link still works.
    client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert not DelegationMembership.objects.filter(user=world.committee).exists()

    done = client.post(reverse("mfa_authenticate"), {"code": totp_code_now(secret)}, follow=True)
    assert int(client.session["_auth_user_id"]) == world.committee.pk
    membership = DelegationMembership.objects.get(user=world.committee)
    assert (membership.party, membership.role) == (world.party_b, "head")
    invitation.refresh_from_db()
    assert invitation.accepted_user == world.committee
    assert "The invitation is accepted: your account has its new role." in done.content.decode()
