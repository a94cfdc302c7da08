"""Writes shared by all apps: e-mail."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation


def email_enqueue(*, to: list[str] | str, template: str, context: dict, language: str = "de") -> None:
    """Render ``<template>_subject.txt`` and ``<template>_body.txt`` and queue the e-mail for the task worker."""
    from .tasks import email_send

    recipients = [to] if isinstance(to, str) else list(to)
    recipients = [address for address in recipients if address]
    if not recipients:
        return
    context = {"brand": settings.EINBLICK, **context}
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}_body.txt", context)
    email_send.enqueue(to=recipients, subject=subject, body=body)


def email_deliver(*, to: list[str], subject: str, body: str) -> int:
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to, fail_silently=False)
