"""The last places of an event under load (issue #6): many pupils and teachers register at the same moment, each in
its own thread with its own database connection. PostgreSQL only — SQLite serialises writers and would prove
nothing. Run with ``DATABASE_URL=postgres://… pytest tests/events/test_concurrency_postgres.py -p no:xdist``."""

import random

import pytest
from django.utils import timezone

from einblick.events import services
from einblick.events.models import ACTIVE, HOLDING, Registration
from einblick.events.selectors import waitlist_position
from tests.concurrency import run_at_once
from tests.factories import EventFactory, PupilFactory, SchoolClassFactory

S = Registration.Status
THREADS = 120


def _statuses(made) -> str:
    """The registrations' statuses joined by "+" (a class split into a confirmed and a waiting part)."""
    return "+".join(r.status for r in (made if isinstance(made, list) else [made]))


def _run_at_once(attempts) -> list[str]:
    return run_at_once(attempts, describe=_statuses)


def _assert_consistent(event) -> int:
    """Places held never exceed the capacity; nobody who would fit waits while places are free. Returns held."""
    event.refresh_from_db()
    regs = list(Registration.objects.filter(event=event))
    held = sum(r.places for r in regs if r.status in HOLDING)
    assert held == services.places_held(event)
    assert held <= event.capacity
    free = event.capacity - held
    if free > 0:
        for r in regs:
            if r.status == S.WAITLISTED:
                assert r.is_group and not r.allow_split and r.places > free, (r.pk, r.places, free)
    pupils = [r.pupil_id for r in regs if r.pupil_id and r.status in ACTIVE]
    assert len(pupils) == len(set(pupils))
    return held


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_last_five_places_go_to_exactly_five_of_120_pupils():
    event = EventFactory(capacity=12)
    taken = SchoolClassFactory()
    services.register_class(event=event, teacher=taken.teacher, school_class=taken, places=7)
    pupils = [
        PupilFactory(username=f"ansturm{i}", consent_age_declared_at=timezone.now()) for i in range(THREADS)
    ]

    outcomes = _run_at_once([lambda p=p: services.register_pupil(event=event, pupil=p) for p in pupils])

    assert len(outcomes) == THREADS
    assert outcomes.count(S.CONFIRMED) == 5, sorted(set(outcomes))
    assert outcomes.count(S.WAITLISTED) == THREADS - 5, sorted(set(outcomes))
    # the rows agree with the answers
    alone = Registration.objects.filter(event=event, pupil__isnull=False)
    assert alone.count() == THREADS
    assert alone.filter(status=S.CONFIRMED).count() == 5
    assert alone.filter(status=S.WAITLISTED).count() == THREADS - 5
    assert _assert_consistent(event) == event.capacity == 12
    # the waiting list has one distinct place per pupil, in the order they came
    waiting = list(alone.filter(status=S.WAITLISTED).order_by("created_at", "pk"))
    assert [waitlist_position(r) for r in waiting] == list(range(1, THREADS - 5 + 1))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_classes_and_pupils_at_once_never_overbook():
    rng = random.Random(6)
    event = EventFactory(capacity=40)
    classes = [SchoolClassFactory() for _ in range(30)]
    splittable = {c.pk: rng.random() < 0.5 for c in classes}
    pupils = [
        PupilFactory(username=f"gemischt{i}", consent_age_declared_at=timezone.now())
        for i in range(THREADS - len(classes))
    ]
    attempts = [
        lambda c=c: services.register_class(
            event=event, teacher=c.teacher, school_class=c, places=3, allow_split=splittable[c.pk]
        )
        for c in classes
    ] + [lambda p=p: services.register_pupil(event=event, pupil=p) for p in pupils]
    rng.shuffle(attempts)

    outcomes = _run_at_once(attempts)

    assert len(outcomes) == THREADS
    allowed = {S.CONFIRMED, S.WAITLISTED, f"{S.CONFIRMED}+{S.WAITLISTED}"}
    assert set(outcomes) <= allowed, sorted(set(outcomes))
    held = _assert_consistent(event)
    assert held <= 40
    # every class is registered with its 3 places (split parts add up), every pupil once
    for c in classes:
        parts = Registration.objects.filter(event=event, school_class=c)
        assert sum(r.places for r in parts) == 3
        assert parts.filter(split_from__isnull=True).count() == 1
    assert Registration.objects.filter(event=event, pupil__isnull=False).count() == len(pupils)
    # demand (150 places) is far above the capacity: the places free at the end are fewer than one class
    assert held > 40 - 3
