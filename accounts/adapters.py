"""allauth adapter: sign-up is closed (accounts come only from invitations), refused log-ins are audited, and
allauth's e-mails go out in the person's own language."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """allauth refuses the attempt before checking the password once the rate limit is reached; record it."""
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            from .services import audit_record

            email = str(credentials.get("email") or "")[:255]
            audit_record(event_type="login.rate_limited", object_repr=email, request=request)
            raise

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        user = context.get("user")
        language = getattr(user, "preferred_language", None)
        if not language:
            return super().send_mail(template_prefix, email, context)
        with translation.override(language):
            return super().send_mail(template_prefix, email, context)
