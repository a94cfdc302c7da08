"""Background tasks of the core app. Tasks take plain values and call a service."""

from django_tasks import task

from . import services


@task(takes_context=True)
def email_send(context, *, to: list[str], subject: str, body: str) -> int:
    # The task's id makes a second run (the worker died after sending) send nothing again.
    return services.email_deliver(to=to, subject=subject, body=body, key=str(context.task_result.id))
