"""The page cache of the public pages thousands open at once (programme with "now live", session, booth,
exhibitors, profession).

A page is served from the cache (Redis in production) only to a visitor who brings nothing personal: no session
cookie and no other cookie but the CSRF and language cookies — that visitor sees the same page as every other one.
Logged-in pupils, teachers and companies (their agenda, their name, their drafts) always get a freshly rendered page.
A hit costs two cache round trips (generation, page; the booth page one more for its visit mark) and **no
database query**: the CSRF token in the page's forms is put in per
visitor, and what the view counts (page views for insights, booth visits) is queued in the process
(``core/counts.py``) and written in batches.

Invalidation: every key contains a *generation*; editing anything a public page shows (a session, a fair, a booth, a
company, a profession, an offer …, see ``WATCHED``) sets a new generation when the transaction commits, so the next
request renders afresh. Pages that change with the clock (a session goes live) are kept only until the next start
or end that changes them (``expires_in``), and at most ``EINBLICK_PAGE_CACHE_SECONDS``. A cache that is down is a
miss (``core/cache.py``).
"""

import functools
import hashlib
import logging
import re
import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

logger = logging.getLogger(__name__)
GENERATION_KEY = "pagecache:generation"
CSRF_PLACEHOLDER = "\x00csrf\x00"
CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
HEADER = "X-Einblick-Cache"
TRACKING_PREFIXES = ("utm_", "mc_", "pk_")
TRACKING_PARAMS = {"fbclid", "gclid", "msclkid", "igshid", "ref", "src"}
# Models whose rows public pages show; saving or deleting one starts a new generation.
WATCHED = (
    "fair.Fair",
    "fair.FairDay",
    "fair.Stage",
    "fair.Exhibitor",
    "fair.Session",
    "fair.BoothMaterial",
    "catalog.Field",
    "catalog.Profession",
    "catalog.Company",
    "catalog.Site",
    "catalog.Contact",
    "catalog.Offer",
)


def seconds() -> int:
    return int(getattr(settings, "EINBLICK_PAGE_CACHE_SECONDS", 0))


def generation() -> str:
    value = cache.get(GENERATION_KEY)
    if value is None:
        value = secrets.token_hex(4)
        if not cache.add(GENERATION_KEY, value, None):
            value = cache.get(GENERATION_KEY) or value
    return value


def _new_generation() -> None:
    cache.set(GENERATION_KEY, secrets.token_hex(4), None)


def invalidate() -> None:
    """Start a new generation once the current transaction commits (at once outside one) — once per transaction,
    however many rows it saves (an import of a thousand offers is one cache write)."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(func is _new_generation for _, func, _ in connection.run_on_commit):
        return
    transaction.on_commit(_new_generation)


def _on_change(sender, **kwargs) -> None:
    invalidate()


def _on_booth_question(sender, instance, **kwargs) -> None:
    """A new question is not shown on the booth: only answering or hiding one changes the page."""
    if instance.status != instance.Status.OPEN:
        invalidate()


def connect_signals() -> None:
    from django.apps import apps

    for label in WATCHED:
        model = apps.get_model(label)
        post_save.connect(_on_change, sender=model, dispatch_uid=f"pagecache-save-{label}")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"pagecache-delete-{label}")
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(
                _on_change, sender=through, dispatch_uid=f"pagecache-m2m-{label}-{field.name}"
            )
    question = apps.get_model("fair.BoothQuestion")
    post_save.connect(_on_booth_question, sender=question, dispatch_uid="pagecache-save-fair.BoothQuestion")
    post_delete.connect(
        _on_booth_question, sender=question, dispatch_uid="pagecache-delete-fair.BoothQuestion"
    )


def _anonymous(request) -> bool:
    allowed = {settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME}
    return (
        request.method in ("GET", "HEAD")
        and set(request.COOKIES) <= allowed
        and "Authorization" not in request.headers
        and len(request.get_full_path()) <= 1000
    )


def _is_tracking(name: str) -> bool:
    return name.startswith(TRACKING_PREFIXES) or name in TRACKING_PARAMS


def _page_key(request, params: tuple[str, ...]) -> str | None:
    """The page's identity: path plus the view's own parameters, sorted; tracking parameters of shared links
    (``utm_*``, ``fbclid`` …) do not count. None — not cached — for any other parameter (an unknown parameter
    must not make a new cache entry: shared links, or somebody filling the cache on purpose)."""
    names = set(request.GET)
    if any(name not in params and not _is_tracking(name) for name in names):
        return None
    pairs = sorted((name, value) for name in names & set(params) for value in request.GET.getlist(name))
    return request.path + "?" + urlencode(pairs)


def _key(page: str, generation_value: str) -> str:
    digest = hashlib.sha256(page.encode()).hexdigest()[:32]
    return f"pagecache:{generation_value}:{get_language()}:{digest}"


def expires_in(request, seconds_left: float | None) -> None:
    """A view tells the cache its page changes by itself in ``seconds_left`` (e.g. a session goes live)."""
    if seconds_left is not None:
        current = getattr(request, "_pagecache_ttl", None)
        request._pagecache_ttl = seconds_left if current is None else min(current, seconds_left)


def on_hit(request, name: str, *args) -> None:
    """Remember a side effect of the view (counting) to repeat for every visitor served from the cache:
    ``name`` is a function registered with ``effect``."""
    effects = getattr(request, "_pagecache_effects", None)
    if effects is not None:
        effects.append((name, args))


_effects: dict = {}


def effect(name: str):
    def decorator(function):
        _effects[name] = function
        return function

    return decorator


def _storable(request, response) -> bool:
    if response.status_code != 200 or response.streaming or response.has_header("Cache-Control"):
        return False
    if set(response.cookies) - {settings.CSRF_COOKIE_NAME}:
        return False
    session = getattr(request, "session", None)
    return not (session is not None and (session.modified or session.session_key))


def _serve(request, entry: dict) -> HttpResponse:
    body = entry["body"]
    if CSRF_PLACEHOLDER.encode() in body:
        body = body.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())
    response = HttpResponse(body, content_type=entry["content_type"])
    for name, args in entry["effects"]:
        try:
            _effects[name](request, *args)
        except Exception:  # counting must never break a page
            logger.exception("pagecache: effect %s failed", name)
    response[HEADER] = "hit"
    return response


def cached_page(view=None, *, params: tuple[str, ...] = ()):
    """Serve the view's page from the cache to visitors without personal state (see the module's text).
    ``params``: the query parameters the page depends on (its filter form's fields)."""
    if view is None:
        return functools.partial(cached_page, params=tuple(params))

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        page = _page_key(request, params) if seconds() > 0 and _anonymous(request) else None
        if page is None:
            return view(request, *args, **kwargs)
        generation_value = generation()
        key = _key(page, generation_value)
        entry = cache.get(key)
        if entry is not None:
            response = _serve(request, entry)
        else:
            request._pagecache_effects = []
            response = view(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
            ttl = min(seconds(), getattr(request, "_pagecache_ttl", seconds()))
            if _storable(request, response) and ttl >= 1:
                body = CSRF_INPUT.sub(rb"\1" + CSRF_PLACEHOLDER.encode() + rb"\2", response.content)
                cache.set(
                    key,
                    {
                        "body": body,
                        "content_type": response["Content-Type"],
                        "effects": request._pagecache_effects,
                    },
                    int(ttl),
                )
            response[HEADER] = "miss"
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
        return response

    return wrapper
