"""``make demo``: build a public edition of a report and publish it on the public site, without a worker.

    python manage.py publish_public_report --consultation emerging-technologies-2024
    python manage.py publish_public_report --consultation emerging-technologies-2024 --scope theme:generative-ai

The edition counts only the published replies, without what was marked not for publication (``reports.audience``).
It is built in this process, as ``build_reports`` builds the Committee's reports, then published by the first
Secretariat account (audited). Running it again while a published edition of the scope is on the site changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import GlobalRole, User
from consultation.models import Consultation
from reports.models import Audience, ReportVersion
from reports.selectors.scopes import ScopeInvalid, scope_parse

from ...errors import PublicationError
from ...services.editions import public_edition_build_now, public_edition_publish


class Command(BaseCommand):
    help = "Build a public edition of a report (published replies only) and publish it on the public site."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--consultation", default="emerging-technologies-2024", help="The consultation's slug.")
        parser.add_argument("--scope", default="overview", help="overview, article:N or theme:CODE.")

    def handle(self, *args: Any, **options: Any) -> None:
        consultation = Consultation.objects.filter(slug=options["consultation"]).first()
        if consultation is None:
            self.stdout.write(f"No consultation {options['consultation']}: no public report.")
            return
        try:
            scope = scope_parse(consultation=consultation, text=options["scope"])
        except ScopeInvalid as error:
            raise CommandError(str(error)) from error
        on_site = ReportVersion.objects.filter(
            report__consultation=consultation,
            report__scope_kind=scope.kind,
            report__scope_key=scope.key,
            audience=Audience.PUBLIC,
            published_at__isnull=False,
            withdrawn_at__isnull=True,
        ).first()
        if on_site is not None:
            self.stdout.write(f"{scope.label}: public edition {on_site.number} is on the public site already.")
            return
        secretariat = User.objects.filter(roles__role=GlobalRole.SECRETARIAT, is_active=True).order_by("pk").first()
        try:
            run = public_edition_build_now(consultation=consultation, scope=scope, user=secretariat)
            if run.status != "done":
                raise CommandError(f"{scope.label}: the public build failed – {run.error}")
            version = public_edition_publish(consultation=consultation, version_id=run.version.pk, user=secretariat)
        except PublicationError as error:
            raise CommandError(str(error)) from error
        replied = version.data.get("participation", {}).get("replied_count", 0) if version.data else 0
        self.stdout.write(
            f"{scope.label}: public edition {version.number} published ({replied} published replies counted)."
        )
