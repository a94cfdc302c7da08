"""Background tasks of the Digital-Tandem."""

from django_tasks import task

from . import services


@task()
def tandem_sweep_task() -> int:
    """Reminders of overdue tandem steps (each step once)."""
    return services.steps_remind()
