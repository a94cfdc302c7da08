"""Rate limits of the API: a fixed window per client in Django's cache (shared by all nodes when Redis is set).

Anonymous clients are counted per IP address (IPv6 per /64 network), clients with a valid API key per key.
Limits come from the settings ``EINBLICK_API_RATE_ANON`` and ``EINBLICK_API_RATE_TOKEN``, e.g. ``"120/minute"``;
an empty value or ``0`` switches the limit off.
"""

import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from ninja.errors import Throttled

PERIODS = {"s": 1, "second": 1, "m": 60, "minute": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}
DEFAULT_ANON = "120/minute"
DEFAULT_TOKEN = "1200/minute"


@dataclass(frozen=True)
class Rate:
    requests: int
    seconds: int


def parse_rate(text: str | None) -> Rate | None:
    """``"120/minute"``, ``"10/second"``, ``"5000/hour"``, ``"120/m"`` or ``"120"`` (per minute); None when off."""
    text = str(text or "").strip().lower()
    if not text:
        return None
    number, _, unit = text.partition("/")
    try:
        count = int(number)
    except ValueError:
        raise ImproperlyConfigured(f"API rate {text!r}: expected e.g. '120/minute'") from None
    if count <= 0:
        return None
    unit = unit.strip() or "minute"
    if unit not in PERIODS and unit.endswith("s") and unit[:-1] in PERIODS:
        unit = unit[:-1]
    if unit not in PERIODS:
        raise ImproperlyConfigured(f"API rate {text!r}: the period must be second, minute, hour or day")
    return Rate(count, PERIODS[unit])


def rate_anon() -> Rate | None:
    return parse_rate(getattr(settings, "EINBLICK_API_RATE_ANON", DEFAULT_ANON))


def rate_token() -> Rate | None:
    return parse_rate(getattr(settings, "EINBLICK_API_RATE_TOKEN", DEFAULT_TOKEN))


def client_address(request) -> str:
    """The client's address; behind a trusted proxy (EINBLICK_BEHIND_PROXY) the last X-Forwarded-For entry."""
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        address = next((part for part in reversed(forwarded) if part), address)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


@dataclass
class Usage:
    limit: int
    remaining: int
    reset: int


def hit(request, token=None) -> Usage | None:
    """Count one request of the client; raises ``Throttled`` (429) when the client is over its limit."""
    if token is not None:
        rate, ident = rate_token(), f"key:{token.pk}"
    else:
        rate, ident = rate_anon(), f"ip:{client_address(request)}"
    if rate is None:
        return None
    now = time.time()
    window = int(now // rate.seconds)
    key = f"api:rate:{ident}:{rate.seconds}:{window}"
    cache.add(key, 0, rate.seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # the entry expired between add and incr
        cache.set(key, 1, rate.seconds + 1)
        count = 1
    reset = max(1, int((window + 1) * rate.seconds - now + 0.999))
    if count > rate.requests:
        raise Throttled(wait=reset)
    return Usage(limit=rate.requests, remaining=rate.requests - count, reset=reset)
