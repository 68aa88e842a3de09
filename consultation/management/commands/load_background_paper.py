from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from consultation.loader import BACKGROUND_PAPER_PATH, ConsultationFileError, background_paper_load


class Command(BaseCommand):
    help = "Load or update the 2024 emerging-technologies consultation from its curated data file."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--file", type=Path, default=BACKGROUND_PAPER_PATH, help="YAML file to load.")

    def handle(self, *args, **options) -> None:
        try:
            result = background_paper_load(path=options["file"])
        except ConsultationFileError as exc:
            raise CommandError(str(exc)) from exc
        consultation = result.consultation
        if not result.changed:
            self.stdout.write(f"{consultation.slug}: already up to date ({consultation.items.count()} items).")
            return
        created = ", ".join(f"{n} {k}" for k, n in result.created.items())
        updated = ", ".join(f"{n} {k}" for k, n in result.updated.items())
        self.stdout.write(self.style.SUCCESS(f"{consultation.slug}: created {created}; updated {updated}."))
