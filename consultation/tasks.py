"""Celery tasks of the consultation app: thin, idempotent, taking ids and calling services."""

from celery import shared_task

# --- Delegation: submission receipt ---------------------------------------------------------------


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=5 * 60)
def reply_receipt_send(self, submission_id: int) -> bool:
    """E-mail the delegation the receipt of one submission with the reply as PDF (sent once per submission)."""
    from smtplib import SMTPException

    from .services.receipts import reply_receipt_send as reply_receipt_send_service

    try:
        return reply_receipt_send_service(submission_id=submission_id)
    except (SMTPException, OSError) as exc:
        if self.request.is_eager:
            raise
        raise self.retry(exc=exc) from exc
