"""Background tasks of events."""

from django_tasks import task

from . import services


@task()
def events_sweep_task() -> list[int]:
    """The minute sweep: expired holds (the waiting list moves up), then the reminders of tomorrow's events."""
    return list(services.sweep())
