"""Send the reminders that are due (run every minute by cron or a systemd timer, see docs/operations.md)."""

from django.core.management.base import BaseCommand

from einblick.events import services as events_services
from einblick.events.tasks import events_sweep_task
from einblick.fair import services
from einblick.fair.tasks import agenda_reminders_sweep
from einblick.talks import services as talks_services
from einblick.talks.tasks import talks_sweep_task
from einblick.tandem import services as tandem_services
from einblick.tandem.tasks import tandem_sweep_task


class Command(BaseCommand):
    help = (
        "Queue the e-mail reminders of bookmarked sessions starting within 15 minutes and of talks starting soon, "
        "and of events tomorrow, and of overdue tandem steps, and release places from waiting lists that were not accepted in time. Each reminder is sent once, "
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
            talks_sweep_task.enqueue()
            events_sweep_task.enqueue()
            tandem_sweep_task.enqueue()
            self.stdout.write("Reminder sweep queued.")
            return
        count = services.agenda_reminders_send()
        expired, talks = talks_services.sweep()
        self.stdout.write(f"{count} reminder(s) queued for sending.")
        self.stdout.write(f"{talks} talk reminder(s) queued, {expired} seat offer(s) expired.")
        held, events = events_services.sweep()
        self.stdout.write(f"{events} event reminder(s) queued, {held} kept place(s) expired.")
        steps = tandem_services.steps_remind()
        self.stdout.write(f"{steps} tandem(s) reminded of overdue steps.")
