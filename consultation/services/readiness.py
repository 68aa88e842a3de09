"""Ready means ready: an edit to a reply marked ready for sign-off returns it to draft and tells the heads.

Called by every answer write (``answer_save``, hence autosave, restores and documents; ``answers_save_section``,
hence the page's "Save all" and the Word and Excel imports) inside its transaction, with the reply row locked.
The reply keeps ``ready_at`` (when it was last marked ready), so the review page can list what changed since;
``ready_reset_at`` and ``ready_reset_by`` say when and by whom it went back to draft.
"""

from __future__ import annotations

import datetime
from typing import Any

from accounts.services import audit_record

from ..models import Response, ResponseStatus, TeamNoticeKind


def reply_ready_reset(*, response: Response, user: Any, item_codes: list[str], now: datetime.datetime) -> bool:
    """If the (locked) reply is marked ready, put it back to draft, audit it and notify the heads; True if it was."""
    from accounts.models import DelegationMembership, DelegationRole

    from .notices import team_notice_create

    if response.status != ResponseStatus.READY:
        return False
    editor = user if getattr(user, "is_authenticated", False) else None
    Response.objects.filter(pk=response.pk).update(
        status=ResponseStatus.DRAFT, ready_reset_at=now, ready_reset_by=editor
    )
    response.status = ResponseStatus.DRAFT
    response.ready_reset_at = now
    response.ready_reset_by = editor
    audit_record(
        event_type="reply.ready_reset",
        actor=editor,
        party=response.party,
        consultation=response.consultation,
        object_repr=str(response),
        extra={"items": item_codes, "ready_at": response.ready_at.isoformat() if response.ready_at else None},
    )
    heads = DelegationMembership.objects.filter(
        party_id=response.party_id, role=DelegationRole.HEAD, user__is_active=True
    ).select_related("user")
    for membership in heads:
        team_notice_create(
            kind=TeamNoticeKind.READY_RESET,
            recipient=membership.user,
            actor=editor,
            response=response,
            details={"items": item_codes},
        )
    return True
