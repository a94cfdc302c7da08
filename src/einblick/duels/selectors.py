"""Reads of the duels app."""

import random

from django.db.models import Count, Q, Sum
from django.utils import timezone

from einblick.catalog.models import Profession

from .models import Challenge, Episode, FunnelStep, Guess, LeaderboardEntry, Season, Vote


def seasons_public():
    now = timezone.now()
    return (
        Season.objects.filter(episodes__publish_at__lte=now)
        .distinct()
        .annotate(n_episodes=Count("episodes", filter=Q(episodes__publish_at__lte=now), distinct=True))
    )


def episodes_public(season: Season | None = None):
    qs = Episode.objects.published().select_related("season").prefetch_related("contestants")
    return qs.filter(season=season) if season else qs


def options_for(challenge: Challenge) -> list[Profession]:
    """The four answers: the right profession and three plausible ones (the editor's choice, else professions of
    the same field, then of others), in an order fixed per challenge."""
    chosen = [p for p in challenge.decoys.all() if p.pk != challenge.profession_id][:3]
    if len(chosen) < 3:
        right = challenge.profession
        pool = Profession.objects.exclude(pk__in=[right.pk, *[p.pk for p in chosen]])
        same = list(pool.filter(field_id=right.field_id).order_by("pk")[:40]) if right.field_id else []
        rng = random.Random(challenge.pk)
        rng.shuffle(same)
        chosen += same[: 3 - len(chosen)]
        if len(chosen) < 3:
            others = list(pool.exclude(pk__in=[p.pk for p in chosen]).order_by("pk")[:60])
            rng.shuffle(others)
            chosen += others[: 3 - len(chosen)]
    options = [challenge.profession, *chosen]
    random.Random(f"order-{challenge.pk}").shuffle(options)
    return options


def guesses_of(visitor: str, episode: Episode) -> dict[int, Guess]:
    if not visitor:
        return {}
    return {
        g.challenge_id: g
        for g in Guess.objects.filter(visitor=visitor, challenge__episode=episode).select_related("choice")
    }


def score_of(visitor: str, season: Season) -> tuple[int, int]:
    """(correct, guessed) of a visitor in a season."""
    if not visitor:
        return 0, 0
    rows = Guess.objects.filter(visitor=visitor, challenge__episode__season=season)
    return rows.filter(correct=True).count(), rows.count()


def leaderboard(season: Season, limit: int = 20) -> list[dict]:
    entries = {e.visitor: e for e in LeaderboardEntry.objects.filter(season=season, hidden=False)}
    if not entries:
        return []
    scores = (
        Guess.objects.filter(challenge__episode__season=season, visitor__in=list(entries))
        .values("visitor")
        .annotate(correct=Count("pk", filter=Q(correct=True)), guessed=Count("pk"))
        .order_by("-correct", "guessed")
    )
    rows = [
        {
            "nickname": entries[s["visitor"]].nickname,
            "correct": s["correct"],
            "guessed": s["guessed"],
            "entry": entries[s["visitor"]],
        }
        for s in scores
    ]
    return rows[:limit]


def vote_results(episode: Episode) -> list[dict]:
    counts = dict(
        Vote.objects.filter(episode=episode)
        .values_list("contestant_id")
        .annotate(n=Count("pk"))
        .values_list("contestant_id", "n")
    )
    total = sum(counts.values())
    return [
        {
            "contestant": c,
            "votes": counts.get(c.pk, 0),
            "share": round(100 * counts.get(c.pk, 0) / total) if total else 0,
        }
        for c in episode.contestants.all()
    ]


def challenge_stats(episode: Episode) -> list[dict]:
    rows = []
    for challenge in episode.challenges.select_related("profession"):
        agg = challenge.guesses.aggregate(n=Count("pk"), right=Count("pk", filter=Q(correct=True)))
        rows.append(
            {
                "challenge": challenge,
                "guesses": agg["n"],
                "correct": agg["right"],
                "share": round(100 * agg["right"] / agg["n"]) if agg["n"] else None,
            }
        )
    return rows


def funnel(episode: Episode) -> dict[str, int]:
    """Counted steps of an episode, all days and channels together."""
    totals = dict.fromkeys(FunnelStep.Kind.values, 0)
    rows = FunnelStep.objects.filter(episode=episode).values("kind").annotate(n=Sum("count"))
    for row in rows:
        totals[row["kind"]] = row["n"]
    return totals


def channels(episode: Episode) -> dict[str, int]:
    """Visits through shared links per channel (utm_source)."""
    rows = (
        FunnelStep.objects.filter(episode=episode, kind=FunnelStep.Kind.SHARE)
        .values("channel")
        .annotate(n=Sum("count"))
        .order_by("-n")
    )
    return {row["channel"] or "direct": row["n"] for row in rows}


def meet_options(challenge: Challenge) -> dict:
    """Where to meet the apprentices: the company's booth in a current or coming fair, the next event with places
    (hosted by the company or showing the profession), a talk round with the company."""
    from einblick.events.models import HOLDING, Event
    from einblick.fair.models import Exhibitor
    from einblick.talks.models import TalkOffer, TalkRound

    now = timezone.now()
    company, profession = challenge.company, challenge.profession
    booth = None
    if company is not None:
        booth = (
            Exhibitor.objects.filter(company=company, fair__is_published=True)
            .select_related("fair", "company")
            .order_by("-fair__pk")
            .first()
        )
    event_q = Q(professions=profession)
    if company is not None:
        event_q |= Q(hosts=company)
    events = (
        Event.objects.filter(
            event_q,
            status=Event.Status.PUBLISHED,
            audience=Event.Audience.PUPILS,
            starts_at__gt=now,
            registration_closes__gt=now,
        )
        .distinct()
        .order_by("starts_at")
    )
    event = None
    for candidate in events[:10]:
        held = sum(r.places for r in candidate.registrations.filter(status__in=HOLDING))
        if held < candidate.capacity:
            event = candidate
            break
    talk = None
    if company is not None:
        talk = (
            TalkOffer.objects.filter(
                company=company, round__status__in=[TalkRound.Status.OPEN, TalkRound.Status.PUBLISHED]
            )
            .select_related("round")
            .order_by("round__first_slot_at")
            .first()
        )
    return {"booth": booth, "event": event, "talk": talk}
