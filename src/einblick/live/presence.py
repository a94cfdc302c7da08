"""Viewer counts: approximate, cheap, and shared by all server processes.

Each process knows its own connections per session. Every ``VIEWER_SECONDS`` (aligned to the clock, so all processes
tick at about the same moment) it adds its count to a counter in the cache for the current time window — one cache
call per process and session, not per connection. The count shown is the larger of the last complete window and the
current one (so nobody joining or leaving makes the number jump about). Counters expire by themselves; a crashed
process simply stops adding. With the in-memory cache (one process) the counter is that process's own count.

One process per window stores the number as a ``ViewerSample`` every ``SAMPLE_SECONDS`` (a cache ``add`` decides
which), for the exhibitors' statistics (``selectors.session_stats``).
"""

import asyncio
import contextlib
import logging
import time
from collections import defaultdict

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache

from . import services

logger = logging.getLogger(__name__)
REJOIN_SECONDS = 300  # connections renew their group membership this often, and at once after a Redis restart


def _window_seconds() -> int:
    return settings.LIVE_QA["VIEWER_SECONDS"] or 10


class Presence:
    def __init__(self):
        self.rooms: dict[int, set] = defaultdict(set)
        self.estimates: dict[int, int] = {}
        self.reported: dict[int, tuple[int, int]] = {}  # session -> (window, count added)
        self.task: asyncio.Task | None = None
        self.rejoined_at = time.monotonic()
        self.redis_run_ids: list | None = None

    def join(self, session_id: int, consumer) -> None:
        self.rooms[session_id].add(consumer)
        self._ensure_ticker()

    def leave(self, session_id: int, consumer) -> None:
        room = self.rooms.get(session_id)
        if room is not None:
            room.discard(consumer)
            if not room:
                del self.rooms[session_id]

    def local(self, session_id: int) -> int:
        return len(self.rooms.get(session_id, ()))

    def estimate(self, session_id: int) -> int:
        return max(self.estimates.get(session_id, 0), self.local(session_id))

    def _ensure_ticker(self) -> None:
        seconds = settings.LIVE_QA["VIEWER_SECONDS"]
        if seconds <= 0:
            return
        loop = asyncio.get_running_loop()
        if self.task is None or self.task.done() or self.task.get_loop() is not loop:
            self.task = loop.create_task(self._run(seconds))

    async def _run(self, seconds: int) -> None:
        while self.rooms:
            await asyncio.sleep(seconds - time.time() % seconds + 0.25)
            try:
                await self.tick()
            except Exception:  # the ticker must survive a cache or database outage
                logger.warning("live Q&A: viewer count failed", exc_info=True)
            if await self._channel_layer_restarted() or time.monotonic() - self.rejoined_at >= REJOIN_SECONDS:
                await self.rejoin()

    async def _channel_layer_restarted(self) -> bool:
        """Whether the channel layer's Redis started anew since the last tick (its ``run_id`` changed): then the
        groups are gone and the connections must join again at once. False for other layers and while Redis is
        away (the tick after it is back notices)."""
        layer = get_channel_layer()
        if layer is None or not hasattr(layer, "connection"):
            return False
        try:
            run_ids = []
            for index in range(getattr(layer, "ring_size", 1)):
                info = await layer.connection(index).info("server")
                run_ids.append(info.get("run_id"))
        except Exception:
            return False
        restarted = self.redis_run_ids is not None and run_ids != self.redis_run_ids
        self.redis_run_ids = run_ids
        return restarted

    async def rejoin(self) -> int:
        """Add this process's connections to their session groups again. Group membership lives in Redis: after a
        Redis restart a connection that stayed open would otherwise hear nothing more (``group_add`` of a member
        only renews it). Returns how many were added; on failure (Redis still away) the next tick tries again."""
        layer = get_channel_layer()
        if layer is None:
            return 0
        added = 0
        try:
            for consumers in list(self.rooms.values()):
                for consumer in list(consumers):
                    if getattr(consumer, "joined", False):
                        await layer.group_add(consumer.group, consumer.channel_name)
                        added += 1
        except Exception:
            logger.warning("live Q&A: could not renew group membership", exc_info=True)
            self.redis_run_ids = (
                None  # the tick after the next one compares afresh; REJOIN_SECONDS is the backstop
            )
            self.rejoined_at = 0.0  # … and tries again at the next tick
            return added
        self.rejoined_at = time.monotonic()
        return added

    async def tick(self) -> dict[int, int]:
        """Report this process's counts, read the shared ones, push changed numbers to the local viewers."""
        counts = {sid: len(consumers) for sid, consumers in self.rooms.items() if consumers}
        if not counts:
            return {}
        estimates = await database_sync_to_async(self._report)(counts)
        for sid, count in estimates.items():
            changed = self.estimates.get(sid) != count
            self.estimates[sid] = count
            if changed:
                for consumer in list(self.rooms.get(sid, ())):
                    with contextlib.suppress(Exception):  # a closing connection
                        await consumer.send_viewers(count)
        return estimates

    def _report(self, counts: dict[int, int]) -> dict[int, int]:
        seconds = _window_seconds()
        now = time.time()
        window = int(now // seconds)
        estimates = {}
        for sid, local in counts.items():
            key = f"live:viewers:{sid}:{window}"
            last_window, added = self.reported.get(sid, (None, 0))
            if last_window != window:
                cache.add(key, 0, timeout=seconds * 3)
                total = cache.incr(key, local)
                self.reported[sid] = (window, local)
            elif local > added:  # more connections since this window's report
                total = cache.incr(key, local - added)
                self.reported[sid] = (window, local)
            else:
                total = cache.get(key) or local
            previous = cache.get(f"live:viewers:{sid}:{window - 1}") or 0
            estimates[sid] = max(previous, total)
            sample_seconds = settings.LIVE_QA["SAMPLE_SECONDS"]
            if sample_seconds > 0 and cache.add(
                f"live:sample:{sid}:{int(now // sample_seconds)}", 1, timeout=sample_seconds * 2
            ):
                services.viewer_sample_record(session_id=sid, count=estimates[sid])
        return estimates


tracker = Presence()
