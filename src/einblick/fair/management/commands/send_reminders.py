"""Send the agenda reminders that are due (run every minute by cron or a systemd timer, see docs/operations.md)."""

from django.core.management.base import BaseCommand

from einblick.fair import services
from einblick.fair.tasks import agenda_reminders_sweep


class Command(BaseCommand):
    help = (
        "Queue the e-mail reminders of bookmarked sessions starting within 15 minutes. Each reminder is sent once, "
        "however often this runs. Run it every minute."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="only queue the sweep as a task for the worker instead of running it in this process",
        )

    def handle(self, *args, enqueue: bool = False, **options):
        if enqueue:
            agenda_reminders_sweep.enqueue()
            self.stdout.write("Reminder sweep queued.")
            return
        count = services.agenda_reminders_send()
        self.stdout.write(f"{count} reminder(s) queued for sending.")
