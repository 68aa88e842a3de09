from django.core.management.base import BaseCommand, CommandError

from consultation.demo import DEMO_PASSWORD
from consultation.models import Consultation
from stakeholders.demo import FACILITATOR_EMAIL, NGO_EMAIL, stakeholders_demo_create


class Command(BaseCommand):
    help = "After seed_demo: an NGO invited to comment (with comments and a reply) and a facilitator's contributions."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--consultation", default="emerging-technologies-2024")

    def handle(self, *args, **options) -> None:
        consultation = Consultation.objects.filter(slug=options["consultation"]).first()
        if consultation is None:
            raise CommandError(f"No consultation '{options['consultation']}': run load_background_paper first.")
        outcome = stakeholders_demo_create(consultation=consultation)
        if outcome["comments"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Stakeholders demo ready: {outcome['comments']} comments, {outcome['children']} children's groups."
                )
            )
        else:
            self.stdout.write("Stakeholders demo already present.")
        self.stdout.write(f"  {NGO_EMAIL:<34} Stakeholder organisation (NGO) (password: {DEMO_PASSWORD})")
        self.stdout.write(
            f"  {FACILITATOR_EMAIL:<34} Facilitator of children's participation (password: {DEMO_PASSWORD})"
        )
