"""Background tasks of talks. Tasks take ids, load objects and call a service."""

from django_tasks import task

from . import services


@task()
def allocation_run_task(*, run_id: int) -> str:
    """One allocation run (queued by ``services.allocation_start``)."""
    run = services.allocation_execute(run_id=run_id)
    return run.status if run else "skipped"
