"""In a real browser: accept an invitation, choose a password, enrol TOTP, sign out, sign in with a code."""

from __future__ import annotations

import re

import pytest

from accounts.services.invitations import invitation_accept_url, invitation_create
from tests.e2e.conftest import login, logout, totp_code_now

pytestmark = pytest.mark.e2e

PASSWORD = "Strasbourg-convention-2007"


@pytest.mark.django_db(transaction=True)
def test_new_head_of_delegation_accepts_enrols_totp_and_signs_in_again(page, live_server, world, settings):
    settings.MFA_TOTP_TOLERANCE = 1  # real codes; a neighbouring period is accepted so no wait for a fresh one
    settings.PLATFORM_BASE_URL = live_server.url
    _invitation, token = invitation_create(
        email="new.head@fr.example", role="head", party=world.party_a, invited_by=world.secretariat
    )
    page.goto(invitation_accept_url(token))
    assert page.locator("h1").inner_text() == "Accept the invitation"
    assert "France" in page.locator(".account-summary").inner_text()
    page.fill("input[name=first_name]", "Claire")
    page.fill("input[name=last_name]", "Martin")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.get_by_role("button", name="Create my account").click()

    # A head of delegation must enrol: every page leads to enrolment, which first asks for the password again.
    page.wait_for_url(re.compile(r"/accounts/reauthenticate/"))
    page.fill("input[name=password]", PASSWORD)
    page.locator("form.account-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/"))
    assert page.locator("img.account-qr").is_visible()
    secret = page.locator("#authenticator_secret").input_value()
    enrol_code = totp_code_now(secret)
    page.fill("input[name=code]", enrol_code)
    page.locator("form.account-form button[type=submit]").click()
    page.wait_for_url(lambda url: "/2fa/totp/activate/" not in url)

    page.goto(f"{live_server.url}/home/")
    assert "/2fa/totp/activate/" not in page.url
    assert page.locator(".whoami__name").inner_text() == "Claire Martin"

    logout(page, live_server)
    login(page, live_server, "new.head@fr.example", PASSWORD, totp_secret=secret, totp_avoid=enrol_code)
    assert "/accounts/" not in page.url
    assert page.locator(".whoami__name").inner_text() == "Claire Martin"
    assert "France" in page.locator(".whoami__role").inner_text()


@pytest.mark.django_db(transaction=True)
def test_a_used_link_shows_a_clear_message(page, live_server, world):
    _invitation, token = invitation_create(
        email="new.member@fr.example", role="member", party=world.party_a, invited_by=world.head_a
    )
    from django.utils import timezone

    from accounts.models import Invitation

    Invitation.objects.update(accepted_at=timezone.now())
    page.goto(f"{live_server.url}/invitations/accept/{token}/")
    assert "already been used" in page.locator(".message--error").inner_text()
