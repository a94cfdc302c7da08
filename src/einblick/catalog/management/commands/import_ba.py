from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from einblick.catalog.ba.reasons import reason_text
from einblick.catalog.ba.services import offers_import_ba
from einblick.catalog.models import OfferImport


class Command(BaseCommand):
    help = (
        "Import apprenticeship and dual-study offers from the job search of the Bundesagentur für Arbeit "
        "(runs now, not in the worker). With --file, recorded search pages (JSON) are read instead of the API."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--wo", default=None, help=f"postal code or town (default {settings.EINBLICK_BA_WO})"
        )
        parser.add_argument(
            "--umkreis", type=int, default=None, help=f"radius in km (default {settings.EINBLICK_BA_UMKREIS})"
        )
        parser.add_argument(
            "--pages",
            type=int,
            default=None,
            help=f"at most this many pages (default {settings.EINBLICK_BA_PAGES})",
        )
        parser.add_argument(
            "--file",
            dest="files",
            action="append",
            type=Path,
            default=[],
            help="a recorded search page (JSON, v4 or v6 shape); repeat for several pages",
        )

    def handle(self, wo, umkreis, pages, files, **options):
        missing = [str(path) for path in files if not path.is_file()]
        if missing:
            raise CommandError(f"not found: {', '.join(missing)}")
        if files:
            # Without --wo an offline import covers all BA offers: those missing from the files expire.
            offer_import = offers_import_ba(
                pages=[path.read_bytes() for path in files],
                labels=[path.name for path in files],
                wo=wo or "",
                umkreis=umkreis if wo else None,
            )
        else:
            try:
                offer_import = offers_import_ba(
                    wo=wo or settings.EINBLICK_BA_WO,
                    umkreis=umkreis if umkreis is not None else settings.EINBLICK_BA_UMKREIS,
                    max_pages=pages,
                )
            except Exception as error:
                raise CommandError(f"import failed: {error}") from error
        report = offer_import.report or {}
        for note in report.get("notes", []):
            self.stderr.write(reason_text(note["reason"], note.get("detail", "")))
        for problem in report.get("problems", []):
            self.stdout.write(
                f"  {problem['ref']}: {reason_text(problem['reason'], problem.get('detail', ''))}"
            )
        for row in report.get("unmapped", []):
            self.stdout.write(f"  unmapped: {row['title']} ({row['count']}x)")
        self.stdout.write(
            f"import {offer_import.pk} {offer_import.status}: {offer_import.new} new, {offer_import.updated} updated, "
            f"{offer_import.expired} expired, {offer_import.unmapped} unmapped, {offer_import.rejected} rejected"
        )
        if offer_import.status == OfferImport.Status.FAILED:
            raise CommandError("import failed")
