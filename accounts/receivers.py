"""allauth's and Django's authentication signals feed the audit trail (security events only, no business flow)."""

from __future__ import annotations

import time
from typing import Any

from allauth.account.signals import password_changed, password_reset, user_logged_in, user_logged_out
from allauth.mfa.signals import authentication_failed, authenticator_added, authenticator_removed
from django.contrib.auth.signals import user_logged_in as django_user_logged_in
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from .services import audit_record

SESSION_STARTED_KEY = "accounts.session_started_at"


@receiver(user_logged_in)
def _audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(event_type="login.success", actor=user, object_repr=user.email, request=request)


@receiver(django_user_logged_in)
def _stamp_session_start(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """The absolute session lifetime counts from the log-in (see SessionSecurityMiddleware)."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_STARTED_KEY] = time.time()


@receiver(user_login_failed)
def _audit_login_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    email = str(credentials.get("email") or credentials.get("username") or "")[:255]
    audit_record(event_type="login.failure", object_repr=email, request=request)


@receiver(user_logged_out)
def _audit_logout(sender: Any, request: Any, user: Any = None, **kwargs: Any) -> None:
    if user is not None:
        audit_record(event_type="logout", actor=user, object_repr=user.email, request=request)


@receiver(password_changed)
def _audit_password_changed(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(event_type="password.changed", actor=user, object_repr=user.email, request=request)


@receiver(password_reset)
def _audit_password_reset(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(event_type="password.reset", actor=user, object_repr=user.email, request=request)


@receiver(authenticator_added)
def _audit_mfa_added(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    audit_record(
        event_type="mfa.enrolled",
        actor=user,
        object_repr=user.email,
        request=request,
        extra={"type": authenticator.type},
    )


@receiver(authenticator_removed)
def _audit_mfa_removed(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    audit_record(
        event_type="mfa.removed",
        actor=user,
        object_repr=user.email,
        request=request,
        extra={"type": authenticator.type},
    )


@receiver(authentication_failed)
def _audit_mfa_failed(sender: Any, request: Any, user: Any, authenticator: Any = None, **kwargs: Any) -> None:
    audit_record(
        event_type="mfa.failure",
        object_repr=user.email,
        request=request,
        extra={"type": getattr(authenticator, "type", "")},
    )
