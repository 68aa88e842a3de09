from django.core.management.base import BaseCommand
from django.db import transaction

from consultation.reference import reference_data_load


class Command(BaseCommand):
    help = "Update the Convention's chapters and articles and the Parties from the project's data files."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            changed = reference_data_load()
        self.stdout.write(
            f"Reference data: {changed['chapters']} chapters, {changed['articles']} articles, "
            f"{changed['parties']} Parties created or updated."
        )
