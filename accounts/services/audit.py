"""Writes about people: the audit trail first, since every other service records into it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .models import AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    event_type: str,
    actor: Any = None,
    party: Any = None,
    consultation: Any = None,
    object_repr: str = "",
    request: HttpRequest | None = None,
    extra: dict | None = None,
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
