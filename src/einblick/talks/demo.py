"""Demo data of talks: one round in the demo fair, allocated and published (called by ``core.demo``)."""

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from . import services
from .models import TalkOffer, TalkParticipant, TalkRound


def talks_demo_build(
    *, fair, companies: list, pupils: list, rng: random.Random | None = None, now=None
) -> TalkRound:
    rng = rng or random.Random(5)
    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    first = timezone.make_aware(datetime.combine(tomorrow, time(10, 0)))
    round = TalkRound.objects.create(
        fair=fair,
        title="Speed-Dating: 15 Minuten mit deinem Wunschbetrieb",
        wish_deadline=now + timedelta(hours=1),
        first_slot_at=first,
        slot_minutes=15,
        n_slots=8,
        max_wishes=5,
        min_break_slots=0,
        status=TalkRound.Status.OPEN,
    )
    offers = []
    for index, company in enumerate(companies[:15]):
        onsite = index % 3 == 2
        offers.append(
            TalkOffer.objects.create(
                round=round,
                company=company,
                seats=1 + index % 2,
                mode=TalkOffer.Mode.ONSITE if onsite else TalkOffer.Mode.ONLINE,
                table=f"Tisch {index + 1}" if onsite else "",
            )
        )
    for index, pupil in enumerate(pupils):
        chosen = rng.sample([o.company for o in offers], k=min(len(offers), rng.randint(2, 5)))
        services.wishes_set(pupil=pupil, round=round, wishes=chosen)
        if index % 4 == 3:  # some pupils only have the morning
            TalkParticipant.objects.filter(round=round, pupil=pupil).update(available_slots=[0, 1, 2, 3])
    TalkRound.objects.filter(pk=round.pk).update(wish_deadline=now - timedelta(minutes=1))
    round.refresh_from_db()
    services.allocation_run(round=round)
    round.refresh_from_db()
    services.round_publish(round=round)
    return round
