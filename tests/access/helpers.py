"""Helpers shared by the access tests: signing in an actor the way the matrix does."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from accounts import access


def enrol_totp(user) -> str:
    """Give the person a real TOTP authenticator (as allauth's activation does) and return its secret."""
    secret = generate_totp_secret()
    Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
    TOTP.activate(user, secret)
    return secret


def login_with_mfa(client, user) -> None:
    """``force_login``, after enrolling TOTP for the roles that must have it, so the enrolment redirect does not
    stand between the test and the page."""
    if access.requires_mfa(user):
        enrol_totp(user)
    client.force_login(user)
