"""Background tasks of the core app. Tasks take plain values and call a service."""

from django_tasks import task

from . import services


@task()
def email_send(*, to: list[str], subject: str, body: str) -> int:
    return services.email_deliver(to=to, subject=subject, body=body)
