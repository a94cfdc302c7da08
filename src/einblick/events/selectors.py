"""Reads of the events app."""

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import ACTIVE, HOLDING, Event, Registration


def events_public(audience: str = Event.Audience.PUPILS):
    """Published events for pupils (or seminars for companies) with the places held (``held``) for listings."""
    return (
        Event.objects.filter(status=Event.Status.PUBLISHED, audience=audience)
        .select_related("series", "place")
        .prefetch_related("hosts", "professions")
        .annotate(held=Coalesce(Sum("registrations__places", filter=Q(registrations__status__in=HOLDING)), 0))
    )


def events_filtered(
    *, when: str = "upcoming", district: str = "", profession=None, grade=None, free_only=False
):
    now = timezone.now()
    qs = events_public()
    past = when == "past"
    qs = qs.filter(ends_at__lt=now).order_by("-starts_at") if past else qs.filter(ends_at__gte=now)
    if district:
        qs = qs.filter(place__district=district)
    if profession is not None:
        qs = qs.filter(professions=profession)
    if grade:
        qs = qs.filter(grade_min__lte=grade, grade_max__gte=grade)
    if free_only:
        qs = qs.filter(
            capacity__gt=Coalesce(
                Sum("registrations__places", filter=Q(registrations__status__in=HOLDING)), 0
            )
        )
    return qs.distinct()


def seminars_upcoming():
    """Published seminars for the staff of member companies that have not ended, soonest first."""
    return events_public(Event.Audience.COMPANIES).filter(ends_at__gte=timezone.now()).order_by("starts_at")


def districts():
    return (
        Event.objects.filter(
            status=Event.Status.PUBLISHED, audience=Event.Audience.PUPILS, place__isnull=False
        )
        .values_list("place__district", flat=True)
        .distinct()
        .order_by("place__district")
    )


def places_left(event: Event) -> int:
    held = Registration.objects.filter(event=event, status__in=HOLDING).aggregate(n=Sum("places"))["n"] or 0
    return max(0, event.capacity - held)


def waitlist_position(registration: Registration) -> int | None:
    if registration.status != Registration.Status.WAITLISTED:
        return None
    return (
        Registration.objects.filter(event=registration.event, status=Registration.Status.WAITLISTED)
        .filter(
            Q(created_at__lt=registration.created_at)
            | Q(created_at=registration.created_at, pk__lt=registration.pk)
        )
        .count()
        + 1
    )


def registrations_of_pupil(pupil):
    """The pupil's own registrations and the class registrations they are a member of."""
    return (
        Registration.objects.filter(Q(pupil=pupil) | Q(members=pupil))
        .select_related("event", "event__place", "school_class")
        .distinct()
        .order_by("event__starts_at")
    )


def registrations_of_teacher(teacher):
    return (
        Registration.objects.filter(teacher=teacher)
        .select_related("event", "event__place", "school_class__school", "company")
        .prefetch_related("members")
        .order_by("event__starts_at", "created_at")
    )


def registrations_of_companies(user):
    """The seminar registrations of the companies ``user`` belongs to (any member manages them)."""
    return (
        Registration.objects.filter(company__memberships__user=user)
        .select_related("event", "event__place", "company")
        .distinct()
        .order_by("event__starts_at", "created_at")
    )


def company_registration(event: Event, companies):
    """The active registration of one of ``companies`` for ``event`` (the first part of a split one), or None."""
    return Registration.objects.filter(
        event=event, company__in=companies, status__in=ACTIVE, split_from__isnull=True
    ).first()


def registrations_of_event(event: Event):
    return (
        Registration.objects.filter(event=event)
        .select_related("pupil__school_class__school", "teacher", "school_class__school", "company")
        .order_by("status", "created_at", "pk")
    )


def attended_of_pupil(pupil):
    """Registrations the pupil was checked in with (alone, or as a named member of a class), for certificates."""
    return (
        Registration.objects.filter(Q(pupil=pupil) | Q(members=pupil), checked_in_at__isnull=False)
        .select_related("event", "event__place")
        .prefetch_related("event__hosts", "event__professions")
        .distinct()
        .order_by("event__starts_at")
    )


def events_hosted_by(user):
    return (
        Event.objects.filter(hosts__memberships__user=user)
        .distinct()
        .annotate(n_registrations=Count("registrations", filter=Q(registrations__status__in=HOLDING)))
        .order_by("-starts_at")
    )


def feedback_summary(event: Event) -> dict:
    from django.db.models import Avg

    rows = list(event.feedback.order_by("-created_at"))
    return {
        "count": len(rows),
        "average": event.feedback.aggregate(a=Avg("stars"))["a"],
        "histogram": {n: sum(1 for f in rows if f.stars == n) for n in range(5, 0, -1)},
        "liked": [f.liked for f in rows if f.liked],
        "improve": [f.improve for f in rows if f.improve],
    }


def hide_names_without_consent(registrations: list[Registration], purpose: str) -> None:
    """Mark (``name_hidden``) the pupils whose name a host may not see yet: under the consent age without consent
    (design.md §7). Staff see every name."""
    from einblick.accounts.selectors import consent_ok_ids

    allowed = consent_ok_ids([r.pupil_id for r in registrations if r.pupil_id], purpose)
    for r in registrations:
        r.name_hidden = bool(r.pupil_id) and r.pupil_id not in allowed
