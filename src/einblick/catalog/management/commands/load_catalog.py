from django.core.management.base import BaseCommand

from einblick.catalog.importers import catalog_load


class Command(BaseCommand):
    help = (
        "Create or update the occupational fields and the profession catalogue from the shipped data files."
    )

    def handle(self, **options):
        self.stdout.write(f"professions: {catalog_load()} loaded")
