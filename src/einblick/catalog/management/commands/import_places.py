from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from einblick.catalog.importers import places_import_csv


class Command(BaseCommand):
    help = (
        "Import GeoNames postal codes (CSV: zipcode, place, community, community_code, latitude, longitude)."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv_path", type=Path)
        parser.add_argument(
            "--districts",
            default="",
            help="comma-separated district keys (community_code) to import, e.g. 03454",
        )

    def handle(self, csv_path: Path, districts: str, **options):
        if not csv_path.exists():
            raise CommandError(f"{csv_path} does not exist")
        codes = {code.strip() for code in districts.split(",") if code.strip()} or None
        report = places_import_csv(csv_path, district_codes=codes)
        self.stdout.write(
            f"places: {report.created} created, {report.updated} updated, {report.skipped} skipped"
        )
