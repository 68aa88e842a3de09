"""In a real browser with a virtual authenticator: add a security key, then sign in with it."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator

from tests import factories as f
from tests.e2e.conftest import MAIN_SUBMIT, login, logout

pytestmark = pytest.mark.e2e


@pytest.fixture
def virtual_authenticator(page):
    """Chromium's built-in virtual security key (DevTools protocol), so no hardware and no network are needed."""
    session = page.context.new_cdp_session(page)
    session.send("WebAuthn.enable")
    session.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return session


@pytest.mark.django_db(transaction=True)
def test_member_adds_a_security_key_and_signs_in_with_it(page, live_server, world, settings, virtual_authenticator):
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True  # the live server speaks http on localhost
    user = world.member_a
    login(page, live_server, user.email, f.PASSWORD)
    page.goto(f"{live_server.url}/accounts/2fa/webauthn/add/")
    page.wait_for_url(re.compile(r"/accounts/reauthenticate/"))
    page.fill("input[name=password]", f.PASSWORD)
    page.locator(MAIN_SUBMIT).first.click()
    page.wait_for_url(re.compile(r"/accounts/2fa/webauthn/add/"))
    page.fill("input[name=name]", "Office key")
    page.locator("#mfa_webauthn_add").click()
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN).count() == 1

    logout(page, live_server)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", f.PASSWORD)
    page.locator(MAIN_SUBMIT).first.click()
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    page.locator("#mfa_webauthn_authenticate").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)
    assert page.locator(".whoami__name").inner_text() == user.display_name
