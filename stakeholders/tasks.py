"""Celery tasks of the stakeholders app: thin, idempotent, taking ids and calling services."""

from celery import shared_task


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=5 * 60)
def stakeholder_comment_notice_send(self, comment_id: int) -> bool:
    """Tell the Party's delegation that an organisation commented on its reply (sent once per comment)."""
    from smtplib import SMTPException

    from .services.notices import stakeholder_comment_notice_send as send

    try:
        return send(comment_id=comment_id)
    except (SMTPException, OSError) as exc:
        if self.request.is_eager:
            raise
        raise self.retry(exc=exc) from exc
