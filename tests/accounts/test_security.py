"""Rate limits, the admin log-in through allauth, session lifetime, CSRF, and the audit trail of log-ins."""

from __future__ import annotations

import time

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, DelegationMembership, Invitation
from accounts.receivers import SESSION_STARTED_KEY
from accounts.services import user_deactivate
from tests import factories as f
from tests.access.helpers import login_with_mfa
from tests.access.world import invitation_pending_a

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"
TOO_MANY = "Too many failed login attempts"


def attempt(client, email, password, *, next_url=""):
    url = LOGIN_URL + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"login": email, "password": password})


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_five_failures_on_one_account_lock_it_even_with_the_right_password(client, world):
    for _ in range(5):
        response = attempt(client, world.member_a.email, "wrong-password-000")
        assert response.status_code == 200
        assert TOO_MANY not in response.content.decode()
    response = attempt(client, world.member_a.email, f.PASSWORD)
    assert response.status_code == 200
    assert TOO_MANY in response.content.decode()
    assert not signed_in(client)
    # Another account from the same address is not locked by this one's failures.
    assert attempt(client, world.member_b.email, f.PASSWORD).status_code == 302
    assert AuditEvent.objects.filter(event_type="login.failure", object_repr=world.member_a.email).count() == 5
    assert AuditEvent.objects.filter(event_type="login.rate_limited", object_repr=world.member_a.email).count() == 1


def test_failures_from_one_address_do_not_lock_the_owner_out_from_another(world):
    """Five wrong passwords locked the account against everyone, its owner too: the lock is per (account, address)."""
    attacker, owner = Client(REMOTE_ADDR="203.0.113.9"), Client(REMOTE_ADDR="192.0.2.10")
    for _ in range(5):
        attempt(attacker, world.member_a.email, "wrong-password-000")
    assert TOO_MANY in attempt(attacker, world.member_a.email, f.PASSWORD).content.decode()
    assert not signed_in(attacker)
    assert attempt(owner, world.member_a.email, f.PASSWORD).status_code == 302
    assert signed_in(owner)


def test_ten_failures_from_one_ip_in_a_minute_block_every_account(client, world):
    for n in range(10):
        assert TOO_MANY not in attempt(client, f"nobody{n}@example.org", "wrong-password-000").content.decode()
    response = attempt(client, world.member_a.email, f.PASSWORD)
    assert TOO_MANY in response.content.decode()
    assert not signed_in(client)
    # Another address is not affected.
    other = Client(REMOTE_ADDR="192.0.2.10")
    assert attempt(other, world.member_a.email, f.PASSWORD).status_code == 302


def test_login_failure_is_audited_with_the_ip(world):
    client = Client(REMOTE_ADDR="203.0.113.7")
    attempt(client, world.member_a.email, "wrong-password-000")
    event = AuditEvent.objects.get(event_type="login.failure")
    assert (event.object_repr, event.ip_address, event.actor) == (world.member_a.email, "203.0.113.7", None)
    attempt(client, world.member_a.email, f.PASSWORD)
    event = AuditEvent.objects.get(event_type="login.success")
    assert (event.actor, event.ip_address) == (world.member_a, "203.0.113.7")


def test_admin_login_goes_through_allauth(client, world):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)
    # Credentials posted to the admin's own form are not checked there: no way around allauth's limits.
    response = client.post("/admin/login/?next=/admin/", {"username": world.admin.email, "password": f.PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)
    assert not signed_in(client)


def test_admin_login_is_rate_limited(client, world):
    for _ in range(5):
        attempt(client, world.admin.email, "wrong-password-000", next_url="/admin/")
    response = attempt(client, world.admin.email, f.PASSWORD, next_url="/admin/")
    assert TOO_MANY in response.content.decode()
    assert not signed_in(client)


def test_admin_without_mfa_is_sent_to_enrolment(client, world):
    response = attempt(client, world.admin.email, f.PASSWORD, next_url="/admin/")
    assert response.status_code == 302
    response = client.get("/admin/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/2fa/totp/activate/")


def test_secretariat_reads_the_audit_log_in_the_admin_but_not_other_models(client, world):
    from accounts.services import role_grant

    role_grant(user=world.secretariat, role="secretariat")  # the service makes the Secretariat staff
    login_with_mfa(client, world.secretariat)
    assert client.get("/admin/accounts/auditevent/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 403
    login_with_mfa(client, world.committee)
    assert client.get("/admin/accounts/auditevent/").status_code == 302  # not staff: back to log-in


def test_session_ends_after_the_absolute_lifetime(client, world, settings):
    settings.SESSION_ABSOLUTE_SECONDS = 3600
    attempt(client, world.member_a.email, f.PASSWORD)
    assert client.get("/home/").status_code == 302
    session = client.session
    session[SESSION_STARTED_KEY] = time.time() - 3601
    session.save()
    old_key = session.session_key
    response = client.get("/invitations/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)
    assert not signed_in(client)
    assert not Session.objects.filter(session_key=old_key).exists()
    assert AuditEvent.objects.filter(event_type="session.expired", actor=world.member_a).count() == 1


def test_idle_timeout_is_eight_hours_renewed_at_most_once_a_minute(settings, world, client):
    from django.contrib.sessions.models import Session

    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    client.force_login(world.member_a)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client.get("/consultations/")
        key = client.session.session_key
        first_expiry = Session.objects.get(session_key=key).expire_date
        clock.shift(30)
        client.get("/consultations/")
        assert Session.objects.get(session_key=key).expire_date == first_expiry
        clock.shift(31)
        client.get("/consultations/")
        assert (Session.objects.get(session_key=key).expire_date - first_expiry).total_seconds() == 61
        clock.shift(settings.SESSION_COOKIE_AGE + 1)
        client.get("/consultations/")
        assert not signed_in(client)


def test_deactivated_account_loses_every_session_at_the_next_request(world):
    first, second = Client(), Client(REMOTE_ADDR="192.0.2.20")
    for client in (first, second):
        attempt(client, world.member_a.email, f.PASSWORD)
        assert signed_in(client)
    keys = [first.session.session_key, second.session.session_key]
    user_deactivate(user=world.member_a, acting_user=world.secretariat)
    assert not Session.objects.filter(session_key__in=keys).exists()
    for client in (first, second):
        response = client.get("/invitations/")
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN_URL)
        assert not signed_in(client)
    assert AuditEvent.objects.filter(event_type="account.deactivated", actor=world.secretariat).count() == 1


def test_deactivated_account_session_is_flushed_even_without_usersessions(client, world):
    client.force_login(world.member_a)
    key = client.session.session_key
    world.member_a.is_active = False
    world.member_a.save(update_fields=["is_active"])
    client.get("/")
    assert not Session.objects.filter(session_key=key).exists()


def test_logout_destroys_the_server_session(client, world):
    attempt(client, world.member_a.email, f.PASSWORD)
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    client.post(reverse("account_logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert AuditEvent.objects.filter(event_type="logout", actor=world.member_a).count() == 1


# --- CSRF: every state-changing view of accounts refuses a POST without the token -------------------


def test_invitation_create_refuses_without_csrf(world):
    client = Client(enforce_csrf_checks=True)
    login_with_mfa(client, world.head_a)
    response = client.post(reverse("accounts:invitations"), {"email": "x@fr.example", "role": "member"})
    assert response.status_code == 403
    assert Invitation.objects.count() == 0


def test_invitation_revoke_refuses_without_csrf(world):
    invitation, _token = invitation_pending_a(world)
    client = Client(enforce_csrf_checks=True)
    login_with_mfa(client, world.head_a)
    assert client.post(reverse("accounts:invitation_revoke", args=[invitation.pk])).status_code == 403
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_member_remove_refuses_without_csrf(world):
    client = Client(enforce_csrf_checks=True)
    login_with_mfa(client, world.head_a)
    response = client.post(reverse("accounts:member_remove", args=[world.member_a.membership.pk]))
    assert response.status_code == 403
    assert DelegationMembership.objects.filter(user=world.member_a).exists()


def test_invitation_accept_refuses_without_csrf(world):
    _invitation, token = invitation_pending_a(world)
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("accounts:invitation_accept", args=[token]),
        {
            "first_name": "Claire",
            "last_name": "Martin",
            "preferred_language": "en",
            "password1": "Strasbourg-convention-2007",
            "password2": "Strasbourg-convention-2007",
        },
    )
    assert response.status_code == 403
    from accounts.models import User

    assert not User.objects.filter(email="invitee.a@fr.example").exists()


def test_login_refuses_without_csrf(world):
    client = Client(enforce_csrf_checks=True)
    assert attempt(client, world.member_a.email, f.PASSWORD).status_code == 403
    assert not signed_in(client)


def test_an_expired_session_sends_htmx_requests_to_log_in_with_a_header(client, world, settings):
    settings.SESSION_ABSOLUTE_SECONDS = 60
    client.force_login(world.member_a)
    session = client.session
    session[SESSION_STARTED_KEY] = time.time() - 61
    session.save()
    response = client.post("/consultations/", headers={"hx-request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(LOGIN_URL)
    assert not signed_in(client)


def test_password_reset_requests_are_rate_limited_per_address(client, world):
    from django.core import mail

    for _ in range(5):
        assert client.post(reverse("account_reset_password"), {"email": world.member_a.email}).status_code == 302
    response = client.post(reverse("account_reset_password"), {"email": world.member_a.email})
    assert response.status_code == 429
    assert len(mail.outbox) == 5
