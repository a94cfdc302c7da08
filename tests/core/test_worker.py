"""The task worker's heartbeat: tasks of a dead worker run again (at most N times), e-mails are not sent twice."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from einblick.core import services, worker
from einblick.core.models import SentMail, WorkerBeat
from einblick.core.tasks import email_send

pytestmark = pytest.mark.django_db


def _running(worker_ids, started_seconds_ago=120):
    result = email_send.enqueue(to=["a@example.org"], subject="Hallo", body="Text")
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - timedelta(seconds=started_seconds_ago),
        worker_ids=worker_ids,
    )
    return DBTaskResult.objects.get(pk=result.id)


def test_a_task_of_a_dead_worker_is_queued_again(settings):
    settings.EINBLICK_WORKER_LEASE_SECONDS = 30
    WorkerBeat.objects.create(worker_id="dead", seen_at=timezone.now() - timedelta(minutes=5))
    lost = _running(["dead"])
    assert worker.recover_lost_tasks() == (1, 0)
    lost.refresh_from_db()
    assert lost.status == TaskResultStatus.READY
    assert lost.started_at is None
    assert DBTaskResult.objects.ready().filter(pk=lost.pk).exists()


def test_a_task_of_a_living_worker_is_left_alone():
    WorkerBeat.objects.create(worker_id="alive", seen_at=timezone.now())
    busy = _running(["alive"], started_seconds_ago=3600)  # a long task: its worker still beats
    assert worker.recover_lost_tasks() == (0, 0)
    busy.refresh_from_db()
    assert busy.status == TaskResultStatus.RUNNING


def test_a_task_just_claimed_is_not_taken_for_lost():
    fresh = _running(["no-beat-yet"], started_seconds_ago=1)
    assert worker.recover_lost_tasks() == (0, 0)
    fresh.refresh_from_db()
    assert fresh.status == TaskResultStatus.RUNNING


def test_a_task_lost_too_often_fails(settings):
    settings.EINBLICK_WORKER_MAX_ATTEMPTS = 3
    lost = _running(["w1", "w2", "w3"])
    assert worker.recover_lost_tasks() == (0, 1)
    lost.refresh_from_db()
    assert lost.status == TaskResultStatus.FAILED
    assert "3 times" in lost.traceback


def test_a_second_run_of_an_email_task_sends_nothing(run_tasks):
    result = email_send.enqueue(to=["a@example.org"], subject="Bestätigung", body="Du bist dabei.")
    assert run_tasks() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"].startswith(f"<{result.id}@")
    # The worker died after sending, before the task was marked done: another worker runs it again.
    DBTaskResult.objects.filter(pk=result.id).update(status=TaskResultStatus.READY)
    assert run_tasks() == 1
    assert len(mail.outbox) == 1
    assert SentMail.objects.filter(key=str(result.id)).count() == 1


def test_email_without_key_is_sent_each_time():
    services.email_deliver(to=["a@example.org"], subject="S", body="B")
    services.email_deliver(to=["a@example.org"], subject="S", body="B")
    assert len(mail.outbox) == 2
    assert not SentMail.objects.exists()


def test_housekeeping_forgets_old_beats_and_marks():
    WorkerBeat.objects.create(worker_id="old", seen_at=timezone.now() - timedelta(days=2))
    WorkerBeat.objects.create(worker_id="new", seen_at=timezone.now())
    SentMail.objects.create(key="old")
    SentMail.objects.filter(key="old").update(sent_at=timezone.now() - timedelta(days=40))
    SentMail.objects.create(key="new")
    worker.housekeeping()
    assert list(WorkerBeat.objects.values_list("worker_id", flat=True)) == ["new"]
    assert list(SentMail.objects.values_list("key", flat=True)) == ["new"]


def test_the_worker_survives_a_database_that_is_away_for_a_moment(monkeypatch):
    from django.db import OperationalError
    from django_tasks_db.management.commands.db_worker import Worker

    calls = []

    def flaky_run(self):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(Worker, "run", flaky_run)
    monkeypatch.setattr(worker.LeasedWorker, "_heartbeat", lambda self: None)
    monkeypatch.setattr(worker, "RETRY_SECONDS", 0)
    # the worker closes its broken connection; here that would be the test's own (and its transaction)
    monkeypatch.setattr(worker.connection, "close", lambda: None)
    leased = worker.LeasedWorker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=True,
        max_tasks=None,
        worker_id="flaky",
        excluded_queue_names=[],
    )
    leased.run()
    assert len(calls) == 2  # gave up on nothing: ran again after the error
    assert (
        leased.worker_id != "flaky"
    )  # a task it ran may be stuck "running" under the old id: that one stops
    assert leased.startup_delay is False
    assert not WorkerBeat.objects.filter(worker_id=leased.worker_id).exists()  # signed off at the end
