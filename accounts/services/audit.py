"""The audit trail: every other service records into it, inside its own transaction."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from accounts.models import AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address as allauth sees it (so trusted-proxy settings apply to audit and rate limits alike)."""
    if request is None:
        return None
    from allauth.account.adapter import get_adapter
    from django.core.exceptions import PermissionDenied

    try:
        return get_adapter(request).get_client_ip(request) or None
    except PermissionDenied:
        return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    event_type: str,
    actor: Any = None,
    party: Any = None,
    consultation: Any = None,
    object_repr: str = "",
    request: HttpRequest | None = None,
    extra: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit row; called inside the caller's transaction so it commits or rolls back with it."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEvent.objects.create(
        event_type=event_type,
        actor=actor,
        party=party,
        consultation=consultation,
        object_repr=object_repr[:255],
        ip_address=client_ip(request),
        path=(request.get_full_path()[:500] if request is not None else ""),
        extra=extra or {},
    )
