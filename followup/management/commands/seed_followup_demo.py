from django.core.management.base import BaseCommand, CommandError

from consultation.models import Consultation
from followup.demo import follow_up_demo_create


class Command(BaseCommand):
    help = "After seed_monitoring_demo: adopted recommendations, their follow-up round with replies and assessments, "
    "and a second round of the consultation with France's changes."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--consultation", default="emerging-technologies-2024")

    def handle(self, *args, **options) -> None:
        consultation = Consultation.objects.filter(slug=options["consultation"]).first()
        if consultation is None:
            raise CommandError(f"No consultation '{options['consultation']}': run load_background_paper first.")
        outcome = follow_up_demo_create(consultation=consultation)
        if not outcome["follow_up"]:
            self.stdout.write("Follow-up demo already present.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Follow-up demo ready: follow-up round /consultations/{outcome['follow_up']}/, compliance grid "
                f"/follow-up/{consultation.slug}/compliance/, second round /follow-up/{outcome['second_round']}/changes/."
            )
        )
