"""Demo data of talks: one round in the demo fair, allocated and published (called by ``core.demo``)."""

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from einblick.accounts.models import User

from . import services
from .models import TalkOffer, TalkRound


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
                parallel=1 + index % 2,
                mode=TalkOffer.Mode.ONSITE if onsite else TalkOffer.Mode.ONLINE,
                table=f"Tisch {index + 1}" if onsite else "",
            )
        )
    for index, pupil in enumerate(pupils):
        chosen = rng.sample([o.company for o in offers], k=min(len(offers), rng.randint(2, 5)))
        teacher = pupil.school_class.teacher if pupil.school_class_id else None
        slots = [0, 1, 2, 3] if index % 4 == 3 else None  # some pupils only have the morning
        if teacher is not None and index % 2 == 0:
            # the teacher registered the class: that covers the consent rule (design.md §7)
            services.wishes_set(
                pupil=pupil, round=round, wishes=chosen, available_slots=slots, entered_by=teacher
            )
        else:
            User.objects.filter(pk=pupil.pk).update(consent_age_declared_at=now)
            services.wishes_set(pupil=pupil, round=round, wishes=chosen, available_slots=slots)
    TalkRound.objects.filter(pk=round.pk).update(wish_deadline=now - timedelta(minutes=1))
    round.refresh_from_db()
    services.allocation_run(round=round)
    round.refresh_from_db()
    services.round_publish(round=round)
    # a second round, open for wishes, to try the wish form
    later = timezone.make_aware(datetime.combine(tomorrow + timedelta(days=14), time(9, 0)))
    open_round = TalkRound.objects.create(
        fair=fair,
        title="Azubi-Sprechstunde: Fragen an Auszubildende",
        wish_deadline=now + timedelta(days=7),
        first_slot_at=later,
        slot_minutes=20,
        n_slots=6,
        max_wishes=3,
        min_break_slots=1,
        status=TalkRound.Status.OPEN,
    )
    for index, company in enumerate(companies[5:15]):
        TalkOffer.objects.create(
            round=open_round,
            company=company,
            parallel=1,
            group_size=3 if index % 3 == 0 else 1,
            available_slots=[] if index % 2 == 0 else [0, 1, 2],
        )
    return round
