"""Writes shared by all apps: e-mail."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, send_mail
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


def email_deliver(*, to: list[str], subject: str, body: str, key: str = "") -> int:
    """Send one e-mail. With ``key`` (the id of the task sending it) at most once per key: a second run of the same
    task — its worker died after sending — finds the mark and sends nothing. (A worker killed in the instant between
    handing the message to the mail server and writing the mark can still send it twice; the fixed Message-ID lets
    mail programs recognise the copy.)"""
    from .models import SentMail

    if not key:
        return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to, fail_silently=False)
    if SentMail.objects.filter(key=key).exists():
        return 0
    host = urlsplit(settings.EINBLICK["BASE_URL"]).hostname or "localhost"
    message = EmailMessage(
        subject, body, settings.DEFAULT_FROM_EMAIL, to, headers={"Message-ID": f"<{key}@{host}>"}
    )
    sent = message.send(fail_silently=False)
    SentMail.objects.get_or_create(key=key)
    return sent
