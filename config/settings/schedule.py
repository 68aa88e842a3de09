"""Celery beat schedule: periodic jobs call the same services as the management commands."""

from celery.schedules import crontab

CELERY_BEAT_SCHEDULE = {
    # Daily reminders before and after consultation deadlines (08:00 Strasbourg time, Europe/Paris).
    "send-reminders": {"task": "consultation.tasks.reminders_send_due", "schedule": crontab(hour=8, minute=0)},
    # Rebuild reports whose data changed but whose rebuild was not queued (broker down, crash).
    "sweep-stale-reports": {"task": "reports.tasks.reports_sweep_stale", "schedule": 60.0},
    # Submission receipts that could not be queued when the reply was submitted (broker down, crash).
    "sweep-unsent-receipts": {"task": "consultation.tasks.reply_receipts_sweep", "schedule": 600.0},
}
