"""Background tasks of the insights."""

from django_tasks import task

from . import rollup


@task()
def rollup_task() -> int:
    """Recount the days since the last rollup (and delete expired raw page views), then compute the dashboard's
    presets; returns the rows written."""
    from .selectors import warm_reports

    rows = rollup.rollup().rows
    warm_reports()
    return rows
