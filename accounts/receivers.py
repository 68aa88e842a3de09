"""allauth's signals feed the audit trail (log-in success and failure, MFA changes)."""

from __future__ import annotations

from typing import Any

from allauth.account.signals import user_logged_in
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from .services import audit_record


@receiver(user_logged_in)
def _audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(event_type="login.success", actor=user, object_repr=user.email, request=request)


@receiver(user_login_failed)
def _audit_login_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    email = str(credentials.get("email") or credentials.get("username") or "")[:255]
    audit_record(event_type="login.failure", object_repr=email, request=request)
