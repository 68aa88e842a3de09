"""Keeping the preview between the upload and the confirmation, in the person's session."""

from __future__ import annotations

import secrets
from typing import Any

from django.utils import timezone

from ...models import Response
from .preview import ImportPreview

PREVIEW_TIMEOUT_SECONDS = 60 * 60
SESSION_KEY = "offline_import_previews"
MAX_PREVIEWS_PER_SESSION = 3


def import_preview_store(*, session: Any, preview: ImportPreview, user: Any, response: Response) -> str:
    """Keep the validated preview in the person's session (server-side, shared by every worker) for an hour.

    The session, not a process-local cache, so the confirmation finds it whichever worker serves it; at most
    ``MAX_PREVIEWS_PER_SESSION`` are kept, the oldest dropped first.
    """
    token = secrets.token_urlsafe(24)
    previews = dict(session.get(SESSION_KEY) or {})
    previews[token] = {
        "user_id": user.pk,
        "consultation_id": response.consultation_id,
        "response_id": response.pk,  # None: the Party had no reply yet
        "created": timezone.now().timestamp(),
        "preview": preview.to_dict(),
    }
    newest = sorted(previews.items(), key=lambda entry: entry[1]["created"])[-MAX_PREVIEWS_PER_SESSION:]
    session[SESSION_KEY] = dict(newest)
    return token


def import_preview_load(*, session: Any, token: str, user: Any, response: Response) -> ImportPreview | None:
    """The stored preview if it belongs to this person and reply and is less than an hour old; else None."""
    stored = (session.get(SESSION_KEY) or {}).get(token)
    if not stored or stored.get("user_id") != user.pk or stored.get("consultation_id") != response.consultation_id:
        return None
    if stored.get("response_id") not in (None, response.pk):  # None: read before the reply existed
        return None
    if timezone.now().timestamp() - stored["created"] > PREVIEW_TIMEOUT_SECONDS:
        return None
    return ImportPreview.from_dict(stored["preview"])


def import_preview_discard(*, session: Any, token: str) -> None:
    previews = dict(session.get(SESSION_KEY) or {})
    if previews.pop(token, None) is not None:
        session[SESSION_KEY] = previews
