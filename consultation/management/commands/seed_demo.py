from django.core.management.base import BaseCommand, CommandError

from consultation.demo import (
    DEMO_PASSWORD,
    demo_accounts_create,
    demo_consultation_open,
    demo_replies_create,
    demo_teamwork_create,
)
from consultation.models import Consultation


class Command(BaseCommand):
    help = "Create demo accounts for every role and sample replies (marked as demo data). Safe to run twice."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--consultation", default="emerging-technologies-2024")

    def handle(self, *args, **options) -> None:
        consultation = Consultation.objects.filter(slug=options["consultation"]).first()
        if consultation is None:
            raise CommandError(f"No consultation '{options['consultation']}': run load_background_paper first.")
        accounts = demo_accounts_create()
        demo_consultation_open(consultation=consultation)
        replies = demo_replies_create(consultation=consultation)
        teamwork = demo_teamwork_create(consultation=consultation)
        self.stdout.write(self.style.SUCCESS("Demo data ready (every demo text answer starts with [Demo data])."))
        self.stdout.write(f"Replies: {', '.join(f'{iso2} {state}' for iso2, state in replies.items())}")
        if teamwork:
            self.stdout.write("Teamwork: Germany's draft has assigned items and an internal comment thread (GENAI-02).")
        self.stdout.write("")
        self.stdout.write(f"Demo log-ins (password for all: {DEMO_PASSWORD}):")
        for account, created in accounts:
            self.stdout.write(f"  {account.email:<34} {account.description}{'' if created else '  (existing)'}")
