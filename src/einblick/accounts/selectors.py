from django.db.models import Count, QuerySet

from .models import (
    CONSENT_MISSING,
    CONSENT_OK_STATES,
    CONSENT_SELF,
    ParentalConsent,
    School,
    SchoolClass,
    User,
    consent_record_state,
)


def classes_of_teacher(user) -> QuerySet[SchoolClass]:
    return (
        SchoolClass.objects.filter(teacher=user)
        .select_related("school__place")
        .annotate(pupil_count=Count("pupils"))
    )


def class_for_teacher(user, pk: int) -> SchoolClass:
    """The teacher's own class; another teacher's class raises DoesNotExist (answered with 404)."""
    return classes_of_teacher(user).get(pk=pk)


def class_by_code(code: str) -> SchoolClass | None:
    code = "".join((code or "").split()).upper()
    return SchoolClass.objects.select_related("school").filter(code=code).first()


def schools() -> QuerySet[School]:
    return School.objects.select_related("place").order_by("name")


# ------------------------------------------------------------------------------------------------ parental consent


def consent_state(pupil, purpose: str) -> str:
    """One of "self", "parent", "pending", "declined", "expired", "missing" (design.md §7).

    "self": the pupil declared to be at least CONSENT_AGE (no query); otherwise one query for the request.
    """
    if pupil is None or not getattr(pupil, "pk", None):
        return CONSENT_MISSING
    if pupil.consent_age_declared_at is not None:
        return CONSENT_SELF
    record = (
        ParentalConsent.objects.filter(pupil_id=pupil.pk, purpose=purpose)
        .values("confirmed_at", "declined_at", "expires_at")
        .first()
    )
    if record is None:
        return CONSENT_MISSING
    return consent_record_state(**record)


def consent_ok(pupil, purpose: str) -> bool:
    """True when the pupil may go ahead: old enough, or a parent confirmed (and did not withdraw)."""
    return consent_state(pupil, purpose) in CONSENT_OK_STATES


def consent_ok_ids(pupil_ids, purpose: str) -> set[int]:
    """Bulk ``consent_ok``: which of these pupils may go ahead for the purpose (two queries, any number of pupils).

    ``pupil_ids`` may be a list or a ``values("pk")``/``values_list("pk", flat=True)`` queryset.
    """
    declared = User.objects.filter(pk__in=pupil_ids, consent_age_declared_at__isnull=False).values_list(
        "pk", flat=True
    )
    confirmed = ParentalConsent.objects.filter(
        pupil_id__in=pupil_ids, purpose=purpose, confirmed_at__isnull=False, declined_at__isnull=True
    ).values_list("pupil_id", flat=True)
    return set(declared) | set(confirmed)


def consent_by_token(token: str) -> ParentalConsent | None:
    if not token or len(token) > 64:
        return None
    return ParentalConsent.objects.select_related("pupil__school_class").filter(token=token).first()


def consent_of(pupil, purpose: str) -> ParentalConsent | None:
    return ParentalConsent.objects.filter(pupil=pupil, purpose=purpose).first()


def consents_export(user) -> list[dict]:
    """The user's consent records for a personal data export (JSON-ready; the link key is left out)."""
    return [
        {
            "purpose": consent.purpose,
            "label": consent.label,
            "parent_email": consent.parent_email,
            "state": consent.state,
            "created_at": consent.created_at.isoformat(),
            "expires_at": consent.expires_at.isoformat(),
            "confirmed_at": consent.confirmed_at.isoformat() if consent.confirmed_at else None,
            "declined_at": consent.declined_at.isoformat() if consent.declined_at else None,
        }
        for consent in ParentalConsent.objects.filter(pupil=user).order_by("created_at", "pk")
    ]
