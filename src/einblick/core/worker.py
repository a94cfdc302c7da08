"""The task worker: django-tasks' database worker plus a heartbeat, so that a task whose worker died (killed,
machine lost) runs again on another worker instead of staying "running" for ever.

Every worker writes its id and the time to ``WorkerBeat`` every ``lease / 3`` seconds from a thread of its own (also
while a long task runs). A running task whose worker has not been seen for ``EINBLICK_WORKER_LEASE_SECONDS`` is put
back in the queue by whichever worker notices first (a conditional UPDATE: one of them wins); after
``EINBLICK_WORKER_MAX_ATTEMPTS`` lost runs it is marked failed. Tasks therefore run at least once: a task whose
effect must not happen twice checks for it itself (e-mails: ``core.services.email_deliver`` with the task's id).
"""

import contextlib
import logging
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections, connection
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from .models import SentMail, WorkerBeat

logger = logging.getLogger(__name__)
SENT_MAIL_DAYS = 30
RETRY_SECONDS = 2  # after a database error the worker tries again this soon


def lease_seconds() -> float:
    return float(getattr(settings, "EINBLICK_WORKER_LEASE_SECONDS", 30))


def beat(worker_id: str) -> None:
    WorkerBeat.objects.update_or_create(worker_id=worker_id, defaults={"seen_at": timezone.now()})


def recover_lost_tasks(now=None) -> tuple[int, int]:
    """Re-queue running tasks whose worker is gone; fail those lost too often. Returns (requeued, failed)."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    cutoff = now - timedelta(seconds=lease_seconds())
    alive = set(WorkerBeat.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True))
    max_attempts = int(getattr(settings, "EINBLICK_WORKER_MAX_ATTEMPTS", 3))
    requeued = failed = 0
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff)
    for pk, worker_ids, started_at in running.values_list("pk", "worker_ids", "started_at"):
        if worker_ids and worker_ids[-1] in alive:
            continue
        same = DBTaskResult.objects.filter(pk=pk, status=TaskResultStatus.RUNNING, started_at=started_at)
        if len(worker_ids) >= max_attempts:
            outcome = "failed"
            done = same.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path="einblick.core.worker.WorkerLost",
                traceback=f"The worker died {len(worker_ids)} times while running this task.",
            )
            failed += done
        else:
            outcome = "re-queued"
            done = same.update(status=TaskResultStatus.READY, started_at=None)
            requeued += done
        if done:
            logger.warning("task %s: worker %s lost, %s", pk, worker_ids[-1:], outcome)
    return requeued, failed


def housekeeping(now=None) -> None:
    now = now or timezone.now()
    WorkerBeat.objects.filter(seen_at__lt=now - timedelta(days=1)).delete()
    SentMail.objects.filter(sent_at__lt=now - timedelta(days=SENT_MAIL_DAYS)).delete()


class LeasedWorker(Worker):
    """``db_worker``'s loop with a heartbeat thread that also recovers the tasks of dead workers."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._stop = threading.Event()
        self._beats = 0

    def _heartbeat(self) -> None:
        every = max(lease_seconds() / 3, 0.2)
        while not self._stop.is_set():
            try:
                close_old_connections()
                beat(self.worker_id)
                recover_lost_tasks()
                if self._beats % 1000 == 0:
                    housekeeping()
                self._beats += 1
            except Exception:  # the database may be away for a moment (restart): try again next beat
                logger.warning("worker heartbeat failed", exc_info=True)
                connection.close()
            self._stop.wait(every)
        connection.close()

    def run(self) -> None:
        self._wait_for_database()
        beat(self.worker_id)  # before the first claim, so nobody takes our tasks for lost
        thread = threading.Thread(target=self._heartbeat, name="einblick-worker-heartbeat", daemon=True)
        thread.start()
        try:
            while self.running:
                try:
                    super().run()
                    return
                except (OperationalError, InterfaceError) as error:
                    # db_worker's loop gives up on any database error but a locked SQLite file: the database
                    # restarting or out of connections for a moment must not end the worker
                    logger.warning(
                        "worker: database unavailable (%s), trying again in %s s", error, RETRY_SECONDS
                    )
                    connection.close()
                    self.startup_delay = False
                    # A task it was running may have stayed "running" (the database could not be told the end):
                    # under a new id the old one stops beating, and that task runs again after the lease.
                    self.worker_id = get_random_string(32)
                    time.sleep(RETRY_SECONDS)
        finally:
            self._stop.set()
            with contextlib.suppress(Exception):
                WorkerBeat.objects.filter(worker_id=self.worker_id).delete()

    def _wait_for_database(self) -> None:
        while True:
            try:
                connection.ensure_connection()
                return
            except (OperationalError, InterfaceError) as error:
                logger.warning("worker: database unavailable (%s), waiting", error)
                connection.close()
                time.sleep(RETRY_SECONDS)
