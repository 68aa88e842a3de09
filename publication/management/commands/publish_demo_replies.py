"""``make demo``: publish the demo consultation's submitted replies so the public site has content.

To show a corrected reply on the public site, the demo also runs one correction through the real services once:
the Secretariat reopens Portugal's reply, a legal reference gains its link, the reply is submitted again and
published as version 2 (version 1 stays cited). Running it again changes nothing.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from accounts.models import GlobalRole, User
from consultation.models import Answer, Consultation, FieldType, Party, Response, SubmittedAnswer
from consultation.services.answers import answer_save
from consultation.services.responses import response_reopen, response_submit

from ...errors import PublicationError
from ...models import Publication
from ...services.publish import publication_publish_party

CORRECTED_PARTY = "PT"
CORRECTED_URL = "https://www.pgdlisboa.pt/"


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
        if self._correct(consultation, secretariat):
            self.stdout.write(f"{CORRECTED_PARTY}: corrected reply published as version 2.")

    def _correct(self, consultation: Consultation, secretariat: User | None) -> bool:
        party = Party.objects.filter(iso2=CORRECTED_PARTY).first()
        reply = Response.objects.filter(consultation=consultation, party=party, status="submitted").first()
        if reply is None or Publication.objects.filter(consultation=consultation, party=party).count() != 1:
            return False
        answer = (
            Answer.objects.filter(response=reply, item__fields__type=FieldType.LEGAL_REFERENCES)
            .select_related("item")
            .order_by("item__order")
            .first()
        )
        if answer is None:
            return False
        field = answer.item.fields.get(type=FieldType.LEGAL_REFERENCES)
        rows = [dict(row, url=row.get("url") or CORRECTED_URL) for row in answer.data.get(field.key) or []]
        response_reopen(
            response=reply, user=secretariat, reason="[Demo data] The delegation asked to add a link to its reference."
        )
        reply.refresh_from_db()
        answer_save(
            response=reply,
            item=answer.item,
            data={**answer.data, field.key: rows},
            base_version=answer.version,
            user=None,
            language=answer.language,
            source="demo",
        )
        response_submit(response=reply, user=None)
        publication_publish_party(consultation=consultation, party=party, user=secretariat)
        return True
