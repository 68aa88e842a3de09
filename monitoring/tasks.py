"""Celery tasks of the monitoring app: thin and idempotent, taking ids and calling services (celery ships no
types, hence the ignored decorator)."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import DatabaseError

DB_RETRY_COUNTDOWN = 15


@shared_task(  # type: ignore[untyped-decorator]
    bind=True,
    name="monitoring.tasks.implementation_report_build",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=5,
)
def implementation_report_build(self: Any, report_id: int) -> None:
    """Build both editions of one implementation report; redelivery is safe (the service locks and checks it)."""
    from monitoring.services.implementation import implementation_report_execute

    try:
        implementation_report_execute(report_id=report_id)
    except DatabaseError as exc:
        if self.request.is_eager:
            raise
        raise self.retry(exc=exc, countdown=DB_RETRY_COUNTDOWN) from exc
