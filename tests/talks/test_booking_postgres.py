"""Leftover booking under load: 120 pupils hit ``booking_create`` for the same slot at once (design.md §8)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from einblick.talks import services
from einblick.talks.models import Talk, TalkOffer, TalkRound
from tests.concurrency import run_at_once
from tests.factories import CompanyFactory, PupilFactory

THREADS = 120
SEATS = 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_never_overbook():
    now = timezone.now()
    round = TalkRound.objects.create(
        title="Last-Minute",
        wish_deadline=now,
        first_slot_at=now + timedelta(hours=1),
        n_slots=2,
        status=TalkRound.Status.PUBLISHED,
    )
    offer = TalkOffer.objects.create(round=round, company=CompanyFactory(), parallel=SEATS)
    pupils = [
        PupilFactory(username=f"rennen{i}", consent_age_declared_at=timezone.now()) for i in range(THREADS)
    ]
    outcomes = run_at_once(
        [lambda p=p: services.booking_create(round=round, pupil=p, offer=offer, slot=0) for p in pupils],
        describe=lambda talk: "booked",
    )
    assert len(outcomes) == THREADS
    assert outcomes.count("booked") == SEATS
    assert outcomes.count("full") == THREADS - SEATS
    assert Talk.objects.filter(offer=offer, slot=0, status=Talk.Status.BOOKED).count() == SEATS
