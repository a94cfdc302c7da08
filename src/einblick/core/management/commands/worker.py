"""``python -m einblick worker``: the task worker (``db_worker`` with a heartbeat, see ``core/worker.py``)."""

from django.core.management.base import CommandError
from django_tasks_db.management.commands import db_worker

from einblick.core.worker import LeasedWorker


class Command(db_worker.Command):
    help = "Run the task worker (re-queues the tasks of workers that died)"

    def handle(self, *, verbosity, queue_name, exclude_queues, worker_id, reload, **options):
        self.configure_logging(verbosity)
        excluded = exclude_queues.split(",") if exclude_queues else []
        queues = queue_name.split(",")
        if excluded and "*" not in queues:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = LeasedWorker(
            queue_names=queues,
            excluded_queue_names=excluded,
            worker_id=worker_id,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
        )
        worker.configure_signals()
        worker.run()
