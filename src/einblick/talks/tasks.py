"""Background tasks of talks. Tasks take ids, load objects and call a service."""

from django_tasks import task

from . import services
from .models import Talk


@task()
def allocation_run_task(*, run_id: int) -> str:
    """One allocation run (queued by ``services.allocation_start``)."""
    run = services.allocation_execute(run_id=run_id)
    return run.status if run else "skipped"


@task()
def hold_expire_task(*, talk_id: int) -> bool:
    """Release a seat offered from the waiting list when its time to accept has passed (queued for then)."""
    talk = Talk.objects.filter(pk=talk_id).first()
    return bool(talk and services.hold_release(talk=talk, expired=True))


@task()
def talks_sweep_task() -> list[int]:
    """The minute sweep: expired seat offers, then reminders."""
    return list(services.sweep())
