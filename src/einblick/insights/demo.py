"""Demo figures for the insights (called by ``core.demo``): eight weeks of page views in the demo region, made up
but shaped like a season (more on school days, a few popular professions, the fair days busier), then counted."""

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from .models import Hit
from .rollup import rollup

DAYS = 56


def insights_demo_build(*, rng: random.Random, companies: list, now=None) -> int:
    from einblick.catalog.models import Place, Profession

    now = now or timezone.now()
    today = timezone.localdate(now)
    tz = timezone.get_current_timezone()
    professions = list(Profession.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
    popular = professions[:: max(1, len(professions) // 12)][:12]
    districts = sorted(set(Place.objects.exclude(district_code="").values_list("district_code", flat=True)))
    company_ids = [c.pk for c in companies]
    hits = []
    for back in range(DAYS, -1, -1):
        day = today - timedelta(days=back)
        volume = 40 if day.weekday() >= 5 else 160
        for n in range(volume + rng.randrange(40)):
            at = datetime.combine(day, time(7 + rng.randrange(14), rng.randrange(60)), tzinfo=tz)
            if at > now:
                continue
            kind = rng.choices(
                [
                    "profession",
                    "company",
                    "offer",
                    "contact",
                    "programme",
                    "check",
                    "duel",
                    "search",
                    "booth",
                ],
                weights=[30, 15, 12, 2, 10, 8, 8, 10, 5],
            )[0]
            profession = rng.choice(popular) if rng.random() < 0.7 else rng.choice(professions)
            company = rng.choice(company_ids) if company_ids else None
            hits.append(
                Hit(
                    at=at,
                    kind=kind,
                    profession_id=profession
                    if kind in ("profession", "offer", "contact", "check", "search")
                    else None,
                    company_id=company if kind in ("company", "offer", "contact", "booth") else None,
                    district=rng.choice(districts) if districts and rng.random() < 0.6 else "",
                    visitor=f"demo{n % 120:012d}",
                )
            )
    Hit.objects.bulk_create(hits, batch_size=2000)
    rollup(first=today - timedelta(days=DAYS), last=today, now=now)
    return len(hits)
