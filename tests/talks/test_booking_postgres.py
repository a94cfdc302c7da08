"""Leftover booking under load: 120 pupils hit ``booking_create`` for the same slot at once (design.md §8)."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from einblick.talks import services
from einblick.talks.models import Talk, TalkOffer, TalkRound
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
    barrier = threading.Barrier(THREADS)
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        max_connections = int(cursor.fetchone()[0])
    # All threads are released together; at most this many hold a connection at the same moment, so that the
    # test also runs on a server with the default max_connections = 100 (others: this suite's own connections).
    gate = threading.BoundedSemaphore(max(2, min(THREADS, max_connections - 20)))
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(pupil):
        try:
            barrier.wait(timeout=60)
            with gate:
                try:
                    services.booking_create(round=round, pupil=pupil, offer=offer, slot=0)
                    outcome = "booked"
                except ValidationError as exc:
                    outcome = exc.error_list[0].code or "refused"
                finally:
                    connection.close()
            with lock:
                outcomes.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(p,)) for p in pupils]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(outcomes) == THREADS
    assert outcomes.count("booked") == SEATS
    assert outcomes.count("full") == THREADS - SEATS
    assert Talk.objects.filter(offer=offer, slot=0, status=Talk.Status.BOOKED).count() == SEATS
