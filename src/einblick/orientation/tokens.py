"""The result link: the six scores, signed so that a changed link is detected. No personal data in it."""

from django.core import signing

from .statements import DIMENSIONS

SALT = "einblick.orientation.result.v1"


def result_token(profile: dict[str, int]) -> str:
    return signing.dumps([profile[d] for d in DIMENSIONS], salt=SALT, compress=False)


def profile_from_token(token: str) -> dict[str, int] | None:
    """The profile of a result link, or None when the link was changed or is malformed."""
    try:
        values = signing.loads(token[:200], salt=SALT)
    except signing.BadSignature:
        return None
    if not (
        isinstance(values, list)
        and len(values) == 6
        and all(isinstance(v, int) and 0 <= v <= 100 for v in values)
    ):
        return None
    return dict(zip(DIMENSIONS, values, strict=True))
