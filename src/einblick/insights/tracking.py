"""Counting page views without personal data (see models.py). One INSERT per counted view; never raises.

The visitor key is an HMAC of address, browser and day under a random salt that exists only for that day
(``DailySalt``; the recount deletes salts of past days): during the day the same browser counts once, afterwards
nobody — not even with the database and the secret key — can recompute a key from an address. Times are stored to
the hour only."""

import hashlib
import hmac
import logging
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from einblick.core import counts, pagecache

logger = logging.getLogger(__name__)


_salts: dict = {}  # day → salt, per process: a page served from the cache counts without a query


def _salt(day) -> bytes:
    salt = _salts.get(day)
    if salt is not None:
        return salt
    salt = _salt_stored(day)
    if day == timezone.localdate():  # past days' salts are deleted by the recount: never kept here
        _salts.clear()
        _salts[day] = salt
    return salt


def _salt_stored(day) -> bytes:
    from .models import DailySalt

    salt = DailySalt.objects.filter(day=day).values_list("salt", flat=True).first()
    if salt is None:
        try:
            with transaction.atomic():
                salt = DailySalt.objects.create(day=day, salt=secrets.token_hex(32)).salt
        except IntegrityError:  # another request made it a moment ago
            salt = DailySalt.objects.get(day=day).salt
    return salt.encode()


def visitor_key(request, day) -> str:
    """The same visitor once per day; not linkable across days, not recomputable once the day's salt is gone."""
    from einblick.api.ratelimit import client_address

    agent = request.headers.get("User-Agent", "")[:300]
    message = f"{day.isoformat()}|{client_address(request)}|{agent}".encode()
    return hmac.new(_salt(day), message, hashlib.sha256).hexdigest()[:16]


def visitor_district(user) -> str:
    """The district key of a logged-in pupil's school (``""`` otherwise), in one query."""
    if not (user.is_authenticated and user.is_pupil and user.school_class_id):
        return ""
    from einblick.accounts.models import SchoolClass

    code = (
        SchoolClass.objects.filter(pk=user.school_class_id)
        .values_list("school__place__district_code", flat=True)
        .first()
    )
    return code or ""


def should_count(request) -> bool:
    from einblick.duels.views.share import is_bot

    if request.method != "GET" or is_bot(request) or not request.headers.get("User-Agent"):
        return False
    if request.headers.get("Purpose") == "prefetch" or request.headers.get("Sec-Purpose", "").startswith(
        "prefetch"
    ):
        return False
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_pupil:
        return True
    return not (user.is_staff or user.memberships.exists())


def track(request, kind: str, *, profession=None, company=None) -> None:
    """Count a view of ``kind`` (``Hit.Kind``) of ``profession`` / ``company`` (objects, ids or callables that give
    one — called only when the view is counted, or when the page cache keeps the page). The row is queued
    (``core/counts.py``); a page served from the page cache counts its view the same way."""
    try:
        if getattr(request, "_pagecache_effects", None) is not None:
            profession, company = _id(profession), _id(company)
            pagecache.on_hit(request, "insights.track", kind, profession, company)
        count(request, kind, profession, company)
    except Exception:  # counting must never break a page
        logger.exception("insights: could not count a %s view", kind)


def _id(value):
    value = value() if callable(value) else value
    return getattr(value, "pk", value)


@pagecache.effect("insights.track")
def count(request, kind: str, profession=None, company=None) -> None:
    if not should_count(request):
        return
    now = timezone.localtime()
    row = {
        "at": now.replace(minute=0, second=0, microsecond=0),
        "kind": kind,
        "profession_id": _id(profession),
        "company_id": _id(company),
        "district": visitor_district(request.user),
        "visitor": visitor_key(request, now.date()),
    }
    counts.add("insights.hit", row)


def write_hits(rows: list[dict]) -> None:
    from .models import Hit

    Hit.objects.bulk_create([Hit(**row) for row in rows], batch_size=1000)


counts.register("insights.hit", write_hits)
