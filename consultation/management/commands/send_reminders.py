"""Send the reminders due today: the same service Celery beat runs daily (for brokerless setups and cron)."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from consultation.services.reminders import reminders_send_due


class Command(BaseCommand):
    help = "Create and send the reminders due today (idempotent: safe to run several times a day)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Act as if today were this date (YYYY-MM-DD), e.g. to catch up.")

    def handle(self, *args, **options):
        today = timezone.localdate()
        if options.get("date"):
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"--date must be YYYY-MM-DD, not {options['date']!r}") from exc
        run = reminders_send_due(today=today)
        self.stdout.write(
            f"{today.isoformat()}: {run.created} reminder(s) created, {run.sent} sent"
            + (f" ({', '.join(run.sent_to)})" if run.sent_to else "")
            + f", {run.failed} failed, {run.no_contact} without a delegation contact."
        )
        if run.failed:
            raise CommandError(f"{run.failed} reminder(s) could not be sent; they will be retried at the next run.")
