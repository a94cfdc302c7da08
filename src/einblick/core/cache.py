"""The Redis cache, made to fail soft: while Redis restarts, a read is a miss and a write is skipped (rate limits
count nothing for those seconds: fail open), instead of every page that touches the cache answering 500. Errors are logged,
at most once every 10 seconds per process."""

import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError, ResponseError, TimeoutError

logger = logging.getLogger(__name__)
FAILURES = (
    ConnectionError,
    TimeoutError,
    ResponseError,
    OSError,
)  # ResponseError: e.g. OOM when Redis is full
_last_report = 0.0


def _report(operation: str, error: Exception) -> None:
    global _last_report
    now = time.monotonic()
    if now - _last_report > 10:
        _last_report = now
        logger.warning("cache unavailable (%s): %s", operation, error)


def _soft(name: str, fallback):
    method = getattr(RedisCache, name)

    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except FAILURES as error:
            _report(name, error)
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    wrapper.__name__ = name
    wrapper.__doc__ = method.__doc__
    return wrapper


class ResilientRedisCache(RedisCache):
    get = _soft("get", lambda key, default=None, version=None: default)
    get_many = _soft("get_many", {})
    set = _soft("set", None)
    add = _soft("add", True)  # "added": rate limits and once-per-day marks fail open, nothing is refused
    set_many = _soft("set_many", lambda data, *args, **kwargs: list(data))
    touch = _soft("touch", False)
    delete = _soft("delete", False)
    delete_many = _soft("delete_many", None)
    has_key = _soft("has_key", False)
    incr = _soft("incr", lambda key, delta=1, version=None: delta)
