from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from einblick.core.demo import DEMO_LOGINS, DEMO_PASSWORD, demo_build, is_empty


class Command(BaseCommand):
    help = "Load the demo region (fictional companies and people; real professions, towns and postal codes)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="only when the database holds no data yet"
        )
        parser.add_argument(
            "--reset", action="store_true", help="flush the database first (deletes everything!)"
        )
        parser.add_argument("--seed", type=int, default=42)

    def handle(self, if_empty: bool, reset: bool, seed: int, **options):
        if reset:
            from django.core.management import call_command

            call_command("flush", interactive=False, verbosity=0)
        elif not is_empty():
            if if_empty:
                self.stdout.write("Database already has data: demo region not loaded.")
                return
            raise CommandError(
                "The database is not empty. Use --reset to replace everything with the demo region."
            )
        counts = demo_build(seed=seed)
        self.stdout.write(self.style.SUCCESS(f"Demo region loaded ({connection.vendor}): {counts}"))
        self.stdout.write(f"Logins (password {DEMO_PASSWORD}): " + ", ".join(u for _, u in DEMO_LOGINS))
