import asyncio
import logging
import time
import uuid

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from einblick.catalog import selectors as catalog

logger = logging.getLogger(__name__)


def home(request):
    return render(request, "core/home.html", catalog.home_overview())


READY_CHECK_SECONDS = 5  # a check slower than this counts as failed


@never_cache
def healthz(request):
    """Liveness: the process answers. No database, no Redis — a restart would not fix those (see /readyz)."""
    return JsonResponse({"status": "ok"})


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache() -> None:
    client = getattr(cache, "_cache", None)
    if hasattr(client, "get_client"):
        # Django's Redis cache: ask Redis itself — the fail-soft cache (core/cache.py) turns errors into misses
        client.get_client(write=True).ping()
        return
    key = f"einblick:readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    if cache.get(key) != "1":
        raise RuntimeError("cache lost a value")
    cache.delete(key)


async def _check_channel_layer(layer) -> None:
    if hasattr(layer, "connection") and hasattr(layer, "ring_size"):  # channels_redis: ping every shard
        for index in range(layer.ring_size):
            await layer.connection(index).ping()
    else:  # any other shared layer: a message it must accept (it expires unread)
        await layer.send(f"einblick.readyz.{uuid.uuid4().hex}", {"type": "readyz"})


def _ready_checks():
    """(name, coroutine function) of what this installation depends on: the database always; the cache and the
    channel layer when they are shared services (Redis), not the in-process defaults of a single machine."""
    checks = [("database", sync_to_async(_check_database))]
    backend = settings.CACHES["default"]["BACKEND"]
    if not backend.endswith(("LocMemCache", "DummyCache")):
        checks.append(("cache", sync_to_async(_check_cache)))
    from channels.layers import InMemoryChannelLayer, get_channel_layer

    layer = get_channel_layer()
    if layer is not None and not isinstance(layer, InMemoryChannelLayer):
        checks.append(("channel_layer", lambda: _check_channel_layer(layer)))
    return checks


@never_cache
async def readyz(request):
    """Readiness: may this process get traffic? 200 when every service it needs answers, else 503. The body names
    each check with ok, the time it took and — on failure — only the kind of error (details go to the log)."""
    results = {}
    for name, check in _ready_checks():
        started = time.perf_counter()
        try:
            await asyncio.wait_for(check(), READY_CHECK_SECONDS)
        except Exception as error:
            error_name = "timeout" if isinstance(error, TimeoutError) else type(error).__name__
            logger.warning("readiness check %s failed: %s", name, error_name, exc_info=True)
            results[name] = {"ok": False, "error": error_name}
        else:
            results[name] = {"ok": True}
        results[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    ready = all(result["ok"] for result in results.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": results}, status=200 if ready else 503
    )


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def safety(request):
    """For parents and teachers: what pupils can and cannot do on Einblick, what is stored, how to report."""
    return render(
        request,
        "core/safety.html",
        {
            "consent_age": settings.EINBLICK.get("CONSENT_AGE", 16),
            "retention_months": settings.EINBLICK["PUPIL_RETENTION_MONTHS"],
        },
    )
