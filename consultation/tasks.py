"""Celery tasks of the consultation app: thin, idempotent, taking ids and calling services."""

# --- Secretariat: reminders and exports ---------------------------------------------------------

from celery import shared_task


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=15 * 60)
def reminders_send_due(self) -> dict:
    """Daily (beat): create and send the reminders due today; retried later if the mail server failed."""
    from django.utils import timezone

    from .services.reminders import reminders_send_due as reminders_send_due_service

    run = reminders_send_due_service(today=timezone.localdate())
    if run.failed and not self.request.is_eager:
        raise self.retry()
    return {"created": run.created, "sent": run.sent, "failed": run.failed}


@shared_task(acks_late=True)
def export_job_run(job_id: int) -> None:
    """Build a queued answers export (idempotent: a finished job is not rebuilt)."""
    from .services.exports import export_job_run as export_job_run_service

    export_job_run_service(job_id=job_id)


# --- Delegation: submission receipt ---------------------------------------------------------------


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=5 * 60)
def reply_receipt_send(self, submission_id: int, base_url: str | None = None) -> bool:
    """E-mail the delegation the receipt of one submission with the reply as PDF (sent once per submission)."""
    from smtplib import SMTPException

    from .services.receipts import reply_receipt_send as reply_receipt_send_service

    try:
        return reply_receipt_send_service(submission_id=submission_id, base_url=base_url)
    except (SMTPException, OSError) as exc:
        if self.request.is_eager:
            raise
        raise self.retry(exc=exc) from exc


@shared_task(acks_late=True)
def reply_receipts_sweep() -> int:
    """Periodic (beat): send the submission receipts that were never sent; idempotent."""
    from .services.receipts import reply_receipts_sweep as reply_receipts_sweep_service

    return reply_receipts_sweep_service()


# --- Delegation: reopening notice -----------------------------------------------------------------


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=5 * 60)
def reopened_notice_send(self, response_id: int, base_url: str | None = None) -> bool:
    """E-mail the delegation that the Secretariat reopened its reply, and why (sent once per reopening)."""
    from smtplib import SMTPException

    from .services.lifecycle import reopened_notice_send as reopened_notice_send_service

    try:
        return reopened_notice_send_service(response_id=response_id, base_url=base_url)
    except (SMTPException, OSError) as exc:
        if self.request.is_eager:
            raise
        raise self.retry(exc=exc) from exc


# --- Delegation: teamwork notices -------------------------------------------------------------------


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=5 * 60)
def team_notice_send(self, notice_id: int) -> bool:
    """E-mail one teamwork notice (an assignment, a mention, a reply back to draft); sent once per notice."""
    from smtplib import SMTPException

    from .services.notices import team_notice_send as team_notice_send_service

    try:
        return team_notice_send_service(notice_id=notice_id)
    except (SMTPException, OSError) as exc:
        if self.request.is_eager:
            raise
        raise self.retry(exc=exc) from exc
