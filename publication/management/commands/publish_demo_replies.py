"""``make demo``: publish the demo consultation's submitted replies so the public site has content."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from accounts.models import GlobalRole, User
from consultation.models import Consultation, Party, SubmittedAnswer

from ...errors import PublicationError
from ...services.publish import publication_publish_party


class Command(BaseCommand):
    help = "Publish every submitted reply of a consultation not yet published as submitted (demo data)."

    def add_arguments(self, parser):
        parser.add_argument("--consultation", default="emerging-technologies-2024")

    def handle(self, *args, **options):
        consultation = Consultation.objects.filter(slug=options["consultation"]).first()
        if consultation is None:
            self.stdout.write(f"No consultation {options['consultation']}: nothing published.")
            return
        secretariat = User.objects.filter(roles__role=GlobalRole.SECRETARIAT, is_active=True).order_by("pk").first()
        parties = Party.objects.filter(
            pk__in=SubmittedAnswer.objects.filter(consultation=consultation).values("party_id")
        ).order_by("name_en")
        published = []
        for party in parties:
            try:
                publication_publish_party(consultation=consultation, party=party, user=secretariat)
            except PublicationError:
                continue  # already published as submitted
            published.append(party.iso2)
        self.stdout.write(f"Published replies: {', '.join(published) or 'none new'}.")
