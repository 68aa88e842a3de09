"""Build comparative reports in this process, without a worker (the same service the Celery task runs).

    python manage.py build_reports --consultation emerging-technologies-2024
    python manage.py build_reports --consultation emerging-technologies-2024 --scope article:20 --format pdf
    python manage.py build_reports --consultation emerging-technologies-2024 --scope overview --publish
    python manage.py build_reports --consultation emerging-technologies-2024 --scope overview --missing

Without ``--scope`` it builds the overview and every article and theme report of the consultation. ``--missing``
skips the scopes that already have a version, so running ``make run`` again adds no new versions.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from consultation.models import Consultation
from reports.models import ScopeKind
from reports.selectors.reports import scope_labels_built, scopes_by_consultation
from reports.selectors.scopes import ScopeInvalid, scope_parse
from reports.services.builds import FORMATS, ReportError, report_version_publish, reports_build_now


class Command(BaseCommand):
    help = "Build comparative reports (overview, articles, themes, items) without a Celery worker."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--consultation", required=True, help="The consultation's slug.")
        parser.add_argument(
            "--scope",
            action="append",
            default=[],
            help="overview, article:N, theme:CODE, item:CODE or article_theme:N:CODE (repeatable). "
            "Default: the overview and every article and theme.",
        )
        parser.add_argument(
            "--format", action="append", default=[], choices=FORMATS, help="Only these formats (repeatable)."
        )
        parser.add_argument(
            "--publish", action="store_true", help="Publish each new version to the Committee once it is built."
        )
        parser.add_argument(
            "--missing", action="store_true", help="Only the scopes that have no version yet (skip the others)."
        )

    def handle(self, *args, **options) -> None:
        consultation = Consultation.objects.filter(slug=options["consultation"]).first()
        if consultation is None:
            raise CommandError(f"No consultation with the slug “{options['consultation']}”.")
        try:
            scopes = [scope_parse(consultation=consultation, text=text) for text in options["scope"]]
        except ScopeInvalid as error:
            raise CommandError(str(error)) from error
        if not scopes:
            scopes = [
                scope
                for scope in scopes_by_consultation(consultation_ids=[consultation.pk])[consultation.pk]
                if scope.kind in (ScopeKind.OVERVIEW, ScopeKind.ARTICLE, ScopeKind.THEME)
            ]
        if options["missing"]:
            built = scope_labels_built(consultation_id=consultation.pk)
            for scope in scopes:
                if scope.label in built:
                    self.stdout.write(f"{scope.label}: has a version already, skipped")
            scopes = [scope for scope in scopes if scope.label not in built]
            if not scopes:
                self.stdout.write("Every report asked for has a version already: nothing to build.")
                return
        started = time.perf_counter()
        runs = reports_build_now(consultation=consultation, scopes=scopes, formats=options["format"])
        failures = 0
        for run in runs:
            if run.status != "done":
                failures += 1
                self.stderr.write(f"{run.report.scope}: failed – {run.error}")
                continue
            version = run.version
            files = ", ".join(
                document.file.name for document in version.documents.exclude(file="").order_by("language", "format")
            )
            published = ""
            if options["publish"]:
                try:
                    report_version_publish(version=version, user=None)
                except ReportError as error:  # the replies changed during the build: publish it from the site
                    failures += 1
                    self.stderr.write(f"{run.report.scope}: version {version.number} not published – {error}")
                else:
                    published = ", published"
            self.stdout.write(f"{run.report.scope}: version {version.number} ({files}){published}")
        self.stdout.write(f"{len(runs)} report(s) in {time.perf_counter() - started:.1f} s")
        if failures:
            raise CommandError(f"{failures} of {len(scopes)} reports failed.")
