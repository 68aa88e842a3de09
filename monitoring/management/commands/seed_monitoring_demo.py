from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from consultation.demo import DEMO_PASSWORD
from consultation.models import Consultation
from monitoring.demo import RAPPORTEUR_EMAIL, monitoring_demo_create
from monitoring.errors import MonitoringError
from monitoring.models import ImplementationReport
from monitoring.services.implementation import implementation_report_request


class Command(BaseCommand):
    help = (
        "After seed_demo: a rapporteur, a small codebook and a few coded passages of the demo replies, a final "
        "item, an adopted recommendation, and a first build of the implementation report (queued for the worker)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--consultation", default="emerging-technologies-2024")

    def handle(self, *args: Any, **options: Any) -> None:
        consultation = Consultation.objects.filter(slug=options["consultation"]).first()
        if consultation is None:
            raise CommandError(f"No consultation '{options['consultation']}': run load_background_paper first.")
        outcome = monitoring_demo_create(consultation=consultation)
        if outcome["items"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Analysis demo ready: {outcome['items']} items assigned, {outcome['codings']} passages coded."
                )
            )
        else:
            self.stdout.write("Analysis demo already present.")
        if not ImplementationReport.objects.filter(consultation=consultation).exists():
            try:
                report = implementation_report_request(consultation=consultation, user=None)
                self.stdout.write(f"Implementation report build {report.number} queued (the worker builds it).")
            except MonitoringError as error:
                self.stdout.write(f"No implementation report build: {error}")
        self.stdout.write(f"  {RAPPORTEUR_EMAIL:<34} Committee member, rapporteur (password: {DEMO_PASSWORD})")
