"""Rate limits of the live Q&A in the cache (Redis when configured, so they hold across server processes).

If the cache cannot be reached the limits let the action through (and log it): the word filter and the moderators
still apply, and a Redis outage should not silence a whole fair.
"""

import contextlib
import logging
import math
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)


def cooldown(key: str, seconds: int) -> int:
    """0 when the action may happen now (and starts the cooldown); otherwise the seconds left to wait."""
    if seconds <= 0:
        return 0
    cache_key = f"live:cooldown:{key}"
    try:
        until = time.time() + seconds
        if cache.add(cache_key, until, timeout=seconds):
            return 0
        left = (cache.get(cache_key) or until) - time.time()
    except Exception:  # any cache failure
        logger.warning("live Q&A: cache unavailable, rate limit %s not applied", key, exc_info=True)
        return 0
    return max(1, math.ceil(left))


def within(key: str, limit: int, seconds: int) -> bool:
    """True while at most ``limit`` actions happened in the current window of ``seconds`` (fixed windows)."""
    if limit <= 0 or seconds <= 0:
        return True
    cache_key = f"live:window:{key}:{int(time.time() // seconds)}"
    try:
        cache.add(cache_key, 0, timeout=seconds * 2)
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.set(cache_key, 1, timeout=seconds * 2)
            count = 1
    except Exception:  # any cache failure
        logger.warning("live Q&A: cache unavailable, rate limit %s not applied", key, exc_info=True)
        return True
    return count <= limit


def release(key: str) -> None:
    """Undo a cooldown started for an action that did not happen after all."""
    with contextlib.suppress(Exception):
        cache.delete(f"live:cooldown:{key}")
