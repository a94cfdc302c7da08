"""Bookkeeping of the task worker: heartbeats (so the tasks of a killed worker run again) and the e-mails already
sent by a task (so running it again sends nothing twice). Neither holds personal data."""

from django.db import models


class WorkerBeat(models.Model):
    """The last sign of life of a task worker (``python -m einblick worker``)."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.worker_id


class SentMail(models.Model):
    """An e-mail task that has delivered its message: the task's id, nothing about the message."""

    key = models.CharField(max_length=64, primary_key=True)
    sent_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return self.key
