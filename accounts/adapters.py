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

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        """The key of ``login_failed``'s per-key limit (5 failures in 5 minutes): the account *and* the client
        address, so failures from one address never lock the owner out from another (they locked the account
        against everyone, its owner too). The per-address limit (10 a minute, every account) stays as it is."""
        return f"{super()._get_login_attempts_cache_key(request, **credentials)}:{self.get_client_ip(request)}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        user = context.get("user")
        language = getattr(user, "preferred_language", None)
        if not language:
            return super().send_mail(template_prefix, email, context)
        with translation.override(language):
            return super().send_mail(template_prefix, email, context)
