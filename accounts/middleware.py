"""Per-user language, session lifetime and account state, and MFA enrolment for the roles that must have it."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from . import access
from .receivers import SESSION_STARTED_KEY
from .services import audit_record, user_language_set


def is_htmx(request: HttpRequest) -> bool:
    """An htmx request (read from the header: this runs before django-htmx's middleware)."""
    return request.headers.get("HX-Request") == "true"


class UserLanguageMiddleware:
    """A signed-in person's remembered language wins over the browser's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        if user.preferred_language:
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = user.preferred_language
        response = self.get_response(request)
        if request.method == "POST" and request.path == reverse("set_language"):
            # The language switch in the header: remember the choice, or the preference would override it.
            user_language_set(user=user, language=request.POST.get("language", ""))
        return response


class SessionSecurityMiddleware:
    """End a session at the next request when its account was deactivated (or deleted), and when it is older than
    ``SESSION_ABSOLUTE_SECONDS`` however active it was. The idle timeout is the session cookie age, renewed on
    every request (``SESSION_SAVE_EVERY_REQUEST``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is None or user is None:
            return self.get_response(request)
        if not user.is_authenticated:
            if SESSION_KEY in session:
                # Django's backends refuse inactive or deleted accounts: the session is worthless, drop it entirely.
                session.flush()
            return self.get_response(request)
        started = session.get(SESSION_STARTED_KEY)
        now = time.time()
        if started is None:
            session[SESSION_STARTED_KEY] = now
        elif now - float(started) > settings.SESSION_ABSOLUTE_SECONDS:
            audit_record(event_type="session.expired", actor=user, object_repr=user.email, request=request)
            logout(request)
            messages.info(request, _("Your session has expired. Please sign in again."))
            target = f"{reverse('account_login')}?next={request.path}"
            if is_htmx(request):
                # An autosave must not swap the log-in page into a form: send the whole page there instead.
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return redirect(target)
        return self.get_response(request)


SESSION_RENEWED_KEY = "accounts.session_renewed_at"


class SessionActivityMiddleware:
    """Renew a signed-in session's idle timeout, and allauth's "last seen" of the session, at most once a
    ``SESSION_RENEW_SECONDS``.

    Saving the session on every request (``SESSION_SAVE_EVERY_REQUEST``) and allauth's per-request activity
    tracking cost two committed writes per page and per autosave; renewing once a minute keeps the idle timeout
    exact to the minute for a fraction of that. Replaces ``allauth.usersessions``' middleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated and session.session_key:
            now = time.time()
            renewed = session.get(SESSION_RENEWED_KEY)
            if renewed is None or now - float(renewed) >= settings.SESSION_RENEW_SECONDS:
                session[SESSION_RENEWED_KEY] = now  # a modified session is saved with a fresh expiry
                if settings.USERSESSIONS_TRACK_ACTIVITY:
                    from allauth.usersessions.models import UserSession

                    UserSession.objects.create_from_request(request)
        return self.get_response(request)


# Paths a person who must enrol can still reach: allauth's pages (log-out, MFA enrolment, password), static files,
# the language switch, the public landing page and invitation links.
MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/invitations/accept/")


class MFARequiredMiddleware:
    """Send Secretariat, heads of delegation and administrators to TOTP enrolment, from every other page, until
    they enrol. Demo accounts are spared only when both ``DEBUG`` and ``DEMO_MODE`` are on (never in production,
    whose settings force both off)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._must_enrol(request):
            target = reverse("mfa_activate_totp")
            if is_htmx(request):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            messages.warning(
                request,
                _("Your role requires two-factor authentication. Set up an authenticator app to continue."),
            )
            return redirect(target)
        return self.get_response(request)

    @staticmethod
    def _must_enrol(request: HttpRequest) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        if request.path == "/" or request.path.startswith(MFA_EXEMPT_PREFIXES):
            return False
        if is_demo_account_spared(user):
            return False
        if not access.requires_mfa(user):
            return False
        return not user_has_mfa(user)


def is_demo_account_spared(user) -> bool:
    """Only demo accounts (seed_demo's e-mail domain), only with DEBUG and DEMO_MODE both on."""
    if not settings.DEBUG:
        return False
    if not getattr(settings, "DEMO_MODE", False):
        return False
    from consultation.demo import DEMO_DOMAIN

    return user.email.lower().endswith(f"@{DEMO_DOMAIN}")


def user_has_mfa(user) -> bool:
    """TOTP or a security key; recovery codes alone do not count."""
    from allauth.mfa.models import Authenticator

    return (
        Authenticator.objects.filter(user=user)
        .filter(type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN])
        .exists()
    )
