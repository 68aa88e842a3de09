"""MFA: required for the Secretariat, heads of delegation and administrators; real TOTP codes, no bypass."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from accounts.models import AuditEvent
from tests import factories as f
from tests.access.helpers import enrol_totp
from tests.e2e.conftest import totp_code_now, totp_secret_of

pytestmark = pytest.mark.django_db

ENROL_URL = "/accounts/2fa/totp/activate/"


@pytest.fixture
def totp_tolerance_one(settings):
    """Accept the neighbouring periods' codes, so a test that signs in twice need not wait 30 s for a fresh code.
    The codes are still real ones computed from the stored secret."""
    settings.MFA_TOTP_TOLERANCE = 1


def password_login(client, user):
    return client.post(reverse("account_login"), {"login": user.email, "password": f.PASSWORD})


@pytest.mark.parametrize(
    "path", ["/home/", "/consultations/", "/secretariat/", "/reports/", "/invitations/", "/admin/"]
)
def test_head_without_mfa_is_sent_to_enrolment_from_every_page(client, world, path):
    client.force_login(world.head_a)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == ENROL_URL


@pytest.mark.parametrize("actor", ["secretariat", "admin"])
def test_secretariat_and_admin_must_enrol_too(client, world, actor):
    client.force_login(getattr(world, actor))
    response = client.get("/home/")
    assert (response.status_code, response["Location"]) == (302, ENROL_URL)


@pytest.mark.parametrize("actor", ["member_a", "committee"])
def test_members_and_committee_are_not_forced(client, world, actor):
    client.force_login(getattr(world, actor))
    response = client.get("/home/")
    assert response.get("Location") != ENROL_URL


def test_the_enrolment_page_says_why(client, world):
    client.force_login(world.head_a)
    response = client.get("/home/", follow=True)
    assert "Your role requires two-factor authentication" in response.content.decode()


def test_head_without_mfa_reaches_the_enrolment_page_the_logout_and_the_landing(client, world):
    client.force_login(world.head_a)
    assert client.get("/").status_code == 200
    assert client.get(reverse("account_logout")).status_code == 200
    assert client.get(reverse("mfa_index")).status_code == 200


def test_htmx_requests_are_redirected_with_a_header(client, world):
    client.force_login(world.head_a)
    response = client.get("/home/", headers={"hx-request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == ENROL_URL


def test_demo_accounts_skip_enrolment_only_with_debug_and_demo_mode(client, world, settings):
    demo_head = f.delegate(world.party_a, role="head", email="head.fr@lanzarote.example")
    client.force_login(demo_head)
    settings.DEBUG, settings.DEMO_MODE = True, False
    assert client.get("/home/")["Location"] == ENROL_URL
    settings.DEBUG, settings.DEMO_MODE = False, True
    assert client.get("/home/")["Location"] == ENROL_URL
    settings.DEBUG, settings.DEMO_MODE = True, True
    assert client.get("/home/").get("Location") != ENROL_URL
    # A real (non-demo) head is never spared, even in demo mode.
    client.force_login(world.head_a)
    assert client.get("/home/")["Location"] == ENROL_URL


def test_production_settings_turn_demo_mode_off():
    import ast
    from pathlib import Path

    tree = ast.parse((Path(__file__).resolve().parents[2] / "config" / "settings" / "production.py").read_text())
    assigned = {
        target.id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    assert ast.literal_eval(assigned["DEBUG"]) is False
    assert ast.literal_eval(assigned["DEMO_MODE"]) is False


@pytest.mark.usefixtures("totp_tolerance_one")
def test_enrolment_with_a_real_code_then_login_asks_for_the_code(client, world, django_capture_on_commit_callbacks):
    head = world.head_a
    password_login(client, head)
    client.post(reverse("account_reauthenticate"), {"password": f.PASSWORD})
    page = client.get(ENROL_URL)
    assert page.status_code == 200
    secret = client.session["mfa.totp.secret"]
    response = client.post(ENROL_URL, {"code": "000000" if totp_code_now(secret) != "000000" else "111111"})
    assert response.status_code == 200  # wrong code: the form again
    assert not Authenticator.objects.filter(user=head, type="totp").exists()
    code = totp_code_now(secret)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ENROL_URL, {"code": code})
    assert response.status_code == 302
    assert totp_secret_of(head) == secret
    enrolled = AuditEvent.objects.get(event_type="mfa.enrolled", extra__type="totp")
    assert enrolled.actor == head
    assert enrolled.ip_address == "127.0.0.1"
    # The consultation pages are reachable now.
    assert client.get("/home/").get("Location") != ENROL_URL

    client.post(reverse("account_logout"))
    response = password_login(client, head)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # not signed in before the second factor
    response = client.post(reverse("mfa_authenticate"), {"code": "123456" if code != "123456" else "654321"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(event_type="mfa.failure", object_repr=head.email).count() == 1
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code_now(secret, avoid=code)})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == head.pk


def test_a_code_cannot_be_replayed(client, world):
    secret = enrol_totp(world.head_a)
    code = totp_code_now(secret)
    password_login(client, world.head_a)
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    client.post(reverse("account_logout"))
    password_login(client, world.head_a)
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.usefixtures("totp_tolerance_one")
def test_removing_totp_is_audited(client, world, django_capture_on_commit_callbacks):
    secret = enrol_totp(world.member_a)
    password_login(client, world.member_a)
    first = totp_code_now(secret)
    assert client.post(reverse("mfa_authenticate"), {"code": first}).status_code == 302
    response = client.get(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302  # allauth asks for the password again before an MFA change
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert client.post(reverse("account_reauthenticate"), {"password": f.PASSWORD}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=world.member_a, type="totp").exists()
    assert AuditEvent.objects.filter(event_type="mfa.removed", actor=world.member_a, extra__type="totp").count() == 1
