"""Celery tasks of the reports app: thin, idempotent, taking ids and calling services.

The names are part of the contract with ``consultation.events`` and the beat schedule.
"""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError, InterfaceError, OperationalError

DB_RETRY_COUNTDOWN = 15


@shared_task(
    bind=True,
    name="reports.tasks.report_run_execute",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=5,
)
def report_run_execute(self, run_id: int) -> None:
    """Build one report run; redelivery and retries are safe (the service locks and checks the run)."""
    from reports.services.builds import report_run_execute as execute

    try:
        execute(run_id=run_id)
    except (OperationalError, InterfaceError, DatabaseError) as exc:
        if self.request.is_eager:
            raise
        raise self.retry(exc=exc, countdown=DB_RETRY_COUNTDOWN) from exc


@shared_task(
    bind=True,
    name="reports.tasks.report_runs_execute",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=5,
)
def report_runs_execute(self, run_ids: list[int]) -> None:
    """Build several runs whose figures are aggregated together (build all, refresh, sweep)."""
    from reports.services.builds import report_runs_execute as execute

    try:
        execute(run_ids=run_ids)
    except DatabaseError as exc:
        if self.request.is_eager:
            raise
        raise self.retry(exc=exc, countdown=DB_RETRY_COUNTDOWN) from exc


@shared_task(bind=True, name="reports.tasks.reports_refresh_consultation", acks_late=True)
def reports_refresh_consultation(self, consultation_id: int) -> None:
    """After a submission or reopening (sent with a countdown): rebuild the consultation's stale reports.

    Debounced: if replies changed again since this task was sent, the task sent for that change builds.
    Applied in-process (eager, under the test settings only), it builds at once.
    """
    from reports.services.refresh import reports_refresh_after_change

    reports_refresh_after_change(consultation_id=consultation_id, debounce=not self.request.is_eager)


@shared_task(name="reports.tasks.reports_sweep_stale", acks_late=True)
def reports_sweep_stale() -> None:
    """Every minute (beat): rebuild what is stale and resend builds that never reached a worker."""
    from reports.services.refresh import reports_sweep_stale as sweep

    sweep()


@shared_task(name="reports.tasks.report_version_render", acks_late=True)
def report_version_render(version_id: int) -> None:
    """Write a version's editions again after the Secretariat changed its cover (idempotent)."""
    from .services.builds import report_version_render as render

    render(version_id=version_id)
