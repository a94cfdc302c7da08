"""Background tasks of the fair. Tasks take ids, load objects and call a service."""

from django_tasks import task

from . import services


@task()
def agenda_reminder_task(*, item_id: int) -> bool:
    """The reminder of one agenda entry, queued with ``run_after`` = 15 minutes before the session."""
    return services.agenda_reminder_send(item_id=item_id, reschedule=True)


@task()
def agenda_reminders_sweep() -> int:
    """Every reminder due now (queued each minute by ``python -m einblick send_reminders --enqueue``)."""
    return services.agenda_reminders_send()


@task()
def plan_run_task(*, run_id: int) -> str:
    """One programme planner run (queued by ``services.plan_run_start``)."""
    run = services.plan_run_execute(run_id=run_id)
    return run.status if run else "skipped"
