"""Counting page views without personal data (see models.py). One INSERT per counted view; never raises."""

import hashlib
import hmac
import logging

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)


def visitor_key(request, day) -> str:
    """A keyed hash of address, browser and day: the same visitor once per day, not linkable across days."""
    address = request.META.get("REMOTE_ADDR", "")
    agent = request.headers.get("User-Agent", "")[:300]
    message = f"{day.isoformat()}|{address}|{agent}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:16]


def visitor_district(user) -> str:
    """The district key of a logged-in pupil's school (``""`` otherwise)."""
    if not (user.is_authenticated and user.is_pupil and user.school_class_id):
        return ""
    school_class = user.school_class
    place = school_class.school.place if school_class.school_id else None
    return place.district_code if place else ""


def should_count(request) -> bool:
    from einblick.duels.views.share import is_bot

    if request.method != "GET" or is_bot(request):
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated and (user.is_staff or user.memberships.exists()))


def track(request, kind: str, *, profession=None, company=None) -> None:
    """Count a view of ``kind`` (``Hit.Kind``) of ``profession`` / ``company`` (objects or ids)."""
    from .models import Hit

    try:
        if not should_count(request):
            return
        now = timezone.now()
        user = request.user
        Hit.objects.create(
            at=now,
            kind=kind,
            profession_id=getattr(profession, "pk", profession),
            company_id=getattr(company, "pk", company),
            district=visitor_district(user),
            visitor=visitor_key(request, timezone.localdate(now)),
            pupil=bool(user.is_authenticated and user.is_pupil),
        )
    except Exception:  # counting must never break a page
        logger.exception("insights: could not count a %s view", kind)
