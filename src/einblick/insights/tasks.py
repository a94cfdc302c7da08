"""Background tasks of the insights."""

from django_tasks import task

from . import rollup


@task()
def rollup_task() -> int:
    """Recount the days since the last rollup (and delete expired raw page views); returns the rows written."""
    return rollup.rollup().rows
