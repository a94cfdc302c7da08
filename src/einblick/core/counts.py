"""Counting without a database write per request. Page views (insights) and booth visits are collected in the
process and written in batches by a background thread every ``EINBLICK_COUNT_FLUSH_SECONDS`` (and when the process
ends), so a page served from the page cache costs no database query at all. ``0`` writes at once (tests, and the
safe choice for a process that may be killed at any moment — a killed process loses at most that many seconds of
counts, never anything a person typed).

A *kind* of count registers a writer: ``register("hit", write_hits)``; ``add("hit", row)`` queues a row;
``flush()`` hands each kind's rows to its writer."""

import atexit
import logging
import threading
from collections import defaultdict
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, connection

logger = logging.getLogger(__name__)

_writers: dict[str, Callable[[list], None]] = {}
_rows: dict[str, list] = defaultdict(list)
_lock = threading.Lock()
_thread: threading.Thread | None = None
MAX_ROWS = 50_000  # a database away for long: drop the oldest rather than grow without end


def register(kind: str, writer: Callable[[list], None]) -> None:
    _writers[kind] = writer


def interval() -> float:
    return float(getattr(settings, "EINBLICK_COUNT_FLUSH_SECONDS", 0))


def add(kind: str, row) -> None:
    if interval() <= 0:
        _write(kind, [row])
        return
    with _lock:
        rows = _rows[kind]
        rows.append(row)
        if len(rows) > MAX_ROWS:
            del rows[: len(rows) - MAX_ROWS]
    _ensure_thread()


def pending(kind: str) -> int:
    with _lock:
        return len(_rows.get(kind, ()))


def flush() -> int:
    """Write everything queued; rows whose write failed are queued again. Returns how many were written."""
    with _lock:
        batches = {kind: rows[:] for kind, rows in _rows.items() if rows}
        _rows.clear()
    written = 0
    for kind, rows in batches.items():
        if _write(kind, rows):
            written += len(rows)
        else:
            with _lock:
                _rows[kind][:0] = rows
    return written


def _write(kind: str, rows: list) -> bool:
    try:
        _writers[kind](rows)
        return True
    except Exception:  # counting must never break a page; the database may be restarting
        logger.warning("counts: could not write %d %s row(s)", len(rows), kind, exc_info=True)
        return False


def _loop() -> None:
    while True:
        threading.Event().wait(max(interval(), 1))
        try:
            close_old_connections()
            flush()
        finally:
            connection.close()


def _ensure_thread() -> None:
    global _thread
    if _thread is not None and _thread.is_alive():
        return
    with _lock:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_loop, name="einblick-counts", daemon=True)
            _thread.start()


atexit.register(flush)
