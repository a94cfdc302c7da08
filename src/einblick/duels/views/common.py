"""The anonymous visitor of duels: a random id in a signed cookie (no account, no personal data)."""

import secrets

from django.core import signing

COOKIE = "einblick_duell"
MAX_AGE = 60 * 60 * 24 * 365
SALT = "einblick.duels.visitor"


def visitor_of(request) -> tuple[str, bool]:
    """(visitor id, known) — ``known`` is False when the id was made for this request (no valid cookie came):
    forged or replayed-but-tampered cookies fail the signature and count as unknown."""
    cached = getattr(request, "_duel_visitor", None)
    if cached:
        return cached
    try:
        value = request.get_signed_cookie(COOKIE, salt=SALT, max_age=MAX_AGE)
        known = bool(value) and len(value) <= 40
    except (KeyError, signing.BadSignature):
        value, known = "", False
    if not known:
        value = secrets.token_urlsafe(18)
    request._duel_visitor = (value, known)
    return value, known


def remember(request, response):
    """Set the cookie when the visitor is new (call on every response of duel pages)."""
    value, known = visitor_of(request)
    if not known:
        response.set_signed_cookie(
            COOKIE,
            value,
            salt=SALT,
            max_age=MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response
