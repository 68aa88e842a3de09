"""Absolute links for e-mails."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

# Where `make run` serves the platform: the base of links in mails sent with no request and no configured URL.
LOCAL_BASE_URL = "http://127.0.0.1:8000"


def platform_base_url(*, request: HttpRequest | None = None) -> str:
    """The base of the links a mail carries, without a trailing slash.

    ``PLATFORM_BASE_URL`` when it is configured (it must be in production: scheduled reminders and the Celery
    worker have no request); otherwise the scheme and host the request came to (a host ``ALLOWED_HOSTS``
    accepted), so a platform reached at another host or port does not send links to 127.0.0.1:8000; otherwise
    ``LOCAL_BASE_URL``.
    """
    configured = (getattr(settings, "PLATFORM_BASE_URL", "") or "").rstrip("/")
    if configured:
        return configured
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return LOCAL_BASE_URL
