"""Recount the insights' daily figures (run every 15 minutes by cron or a systemd timer, see docs/operations.md)."""

from datetime import date

from django.core.management.base import BaseCommand

from einblick.insights.rollup import rollup


class Command(BaseCommand):
    help = (
        "Recount the daily figures of the insights from the raw page views and the pillars' tables (by default "
        "the days since the last run), then delete raw page views older than EINBLICK_INSIGHTS_RAW_DAYS."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", type=date.fromisoformat, help="first day (YYYY-MM-DD)")
        parser.add_argument("--to", dest="last", type=date.fromisoformat, help="last day (YYYY-MM-DD)")

    def handle(self, *args, first=None, last=None, **options):
        done = rollup(first=first, last=last)
        from einblick.insights.selectors import warm_reports

        warm_reports()  # the dashboard's presets are ready before anyone asks
        self.stdout.write(
            f"Counted {done.first_day}…{done.last_day}: {done.rows} row(s); {done.deleted_hits} raw page view(s) deleted."
        )
