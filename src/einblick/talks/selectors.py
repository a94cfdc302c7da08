"""Reads of the talks app."""

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from .models import AllocationRun, Talk, TalkOffer, TalkRound, TalkWish

VIDEO_OPENS_BEFORE = timedelta(minutes=10)


def rounds_visible():
    return TalkRound.objects.exclude(status=TalkRound.Status.DRAFT).select_related("fair")


def offers_for_round(round: TalkRound):
    return (
        TalkOffer.objects.filter(round=round)
        .select_related("company")
        .annotate(booked=Count("talks", filter=Q(talks__status=Talk.Status.BOOKED)))
    )


def wishes_of(*, round: TalkRound, pupil):
    return (
        TalkWish.objects.filter(round=round, pupil=pupil)
        .select_related("company", "profession")
        .order_by("rank")
    )


def plan_of(*, round: TalkRound, pupil):
    return (
        Talk.objects.filter(round=round, pupil=pupil, status=Talk.Status.BOOKED)
        .select_related("offer__company", "round")
        .order_by("slot")
    )


def run_latest(round: TalkRound) -> AllocationRun | None:
    return AllocationRun.objects.filter(round=round).order_by("-created_at", "-pk").first()


def video_visible(talk: Talk, now=None) -> bool:
    """The room link shows from 10 minutes before the talk to its end (and only to its participants: views)."""
    now = now or timezone.now()
    return (
        talk.offer.mode == TalkOffer.Mode.ONLINE and talk.starts_at - VIDEO_OPENS_BEFORE <= now < talk.ends_at
    )
