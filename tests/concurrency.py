"""Many requests at the same moment, each in its own thread with its own database connection (PostgreSQL tests of
limited places: talks, events). SQLite serialises writers and would prove nothing."""

import threading
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import connection


def _gate(threads: int) -> threading.BoundedSemaphore:
    """At most this many threads hold a connection at the same moment, so that the tests also run on a server with
    the default max_connections = 100 (the rest: this suite's own connections)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        max_connections = int(cursor.fetchone()[0])
    return threading.BoundedSemaphore(max(2, min(threads, max_connections - 20)))


def run_at_once(attempts: list[Callable], describe: Callable = lambda result: "ok") -> list[str]:
    """Start one thread per callable and release them together through a barrier. Returns each one's outcome:
    ``describe(result)``, the code of a ValidationError, or the name of any other exception (a deadlock or an
    IntegrityError must show up in the asserts)."""
    barrier = threading.Barrier(len(attempts))
    gate = _gate(len(attempts))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(attempt):
        try:
            barrier.wait(timeout=60)
            with gate:
                try:
                    outcome = describe(attempt())
                except ValidationError as exc:
                    outcome = exc.error_list[0].code or "refused"
                except Exception as exc:
                    outcome = type(exc).__name__
                finally:
                    connection.close()
            with lock:
                outcomes.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(attempt,)) for attempt in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(thread.is_alive() for thread in threads), "an attempt hung"
    return outcomes
