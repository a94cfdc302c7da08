"""Reads of the talks app."""

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from .models import (
    BOOKED_OR_HELD,
    AllocationRun,
    Talk,
    TalkOffer,
    TalkParticipant,
    TalkRound,
    TalkWish,
    WaitlistEntry,
)

VIDEO_OPENS_BEFORE = timedelta(minutes=10)
NO_SHOW_ALERT = 2  # pupils with this many no-shows are listed for staff


def rounds_visible():
    return TalkRound.objects.exclude(status=TalkRound.Status.DRAFT).select_related("fair")


def offers_of_companies(user):
    """The talk offers of the user's companies in rounds that are not drafts."""
    return (
        TalkOffer.objects.exclude(round__status=TalkRound.Status.DRAFT)
        .filter(company__memberships__user=user)
        .select_related("round", "company")
        .order_by("round__first_slot_at", "company__name")
    )


def offers_for_round(round: TalkRound):
    return (
        TalkOffer.objects.filter(round=round)
        .select_related("company")
        .annotate(booked=Count("talks", filter=Q(talks__status__in=BOOKED_OR_HELD)))
    )


def wishes_of(*, round: TalkRound, pupil):
    return (
        TalkWish.objects.filter(round=round, pupil=pupil)
        .select_related("company", "profession")
        .order_by("rank")
    )


def participant_of(*, round: TalkRound, pupil) -> TalkParticipant | None:
    return TalkParticipant.objects.filter(round=round, pupil=pupil).first()


def plan_of(*, round: TalkRound, pupil):
    """Booked talks and seats offered from the waiting list, in time order."""
    return (
        Talk.objects.filter(round=round, pupil=pupil, status__in=BOOKED_OR_HELD)
        .select_related("offer__company", "round")
        .order_by("slot")
    )


def waitlist_of(*, round: TalkRound, pupil) -> set[int]:
    return set(WaitlistEntry.objects.filter(round=round, pupil=pupil).values_list("offer_id", flat=True))


def free_seats(*, round: TalkRound, offers, now=None) -> list[dict]:
    """Per offer the future slots with a free seat (offers: ``offers_for_round``)."""
    now = now or timezone.now()
    taken: dict[tuple[int, int], int] = {}
    for offer_id, slot in Talk.objects.filter(round=round, status__in=BOOKED_OR_HELD).values_list(
        "offer_id", "slot"
    ):
        taken[offer_id, slot] = taken.get((offer_id, slot), 0) + 1
    out = []
    for o in offers:
        slots = [
            (s, start)
            for s, start in round.slots
            if o.has_slot(s) and taken.get((o.pk, s), 0) < o.seats and start > now
        ]
        out.append({"offer": o, "slots": slots})
    return out


def run_latest(round: TalkRound) -> AllocationRun | None:
    return AllocationRun.objects.filter(round=round).order_by("-created_at", "-pk").first()


def video_visible(talk: Talk, now=None) -> bool:
    """The room link shows from 10 minutes before the talk to its end (and only to its participants: views)."""
    now = now or timezone.now()
    return (
        talk.status == Talk.Status.BOOKED
        and talk.offer.mode == TalkOffer.Mode.ONLINE
        and talk.starts_at - VIDEO_OPENS_BEFORE <= now < talk.ends_at
    )


def round_talks(round: TalkRound):
    """Every planned talk of a round (staff review), in time order."""
    return (
        Talk.objects.filter(round=round, status__in=BOOKED_OR_HELD)
        .select_related("offer__company", "pupil__school_class__school")
        .order_by("slot", "offer__company__name", "table_no")
    )


def unfulfilled_wishes(round: TalkRound):
    return (
        TalkWish.objects.filter(round=round)
        .exclude(outcome__in=["", "fulfilled"])
        .select_related("pupil", "company", "profession")
        .order_by("outcome", "pupil_id", "rank")
    )


def company_talks(*, round: TalkRound, company):
    """A company's talk list: every booked or attended talk, in time order (printable)."""
    return (
        Talk.objects.filter(round=round, offer__company=company)
        .exclude(status__in=[Talk.Status.CANCELLED, Talk.Status.EXPIRED])
        .select_related("pupil__school_class__school", "offer", "round")
        .order_by("slot", "table_no", "pupil__nickname")
    )


def class_overview(*, round: TalkRound, school_class) -> list[dict]:
    """The teacher's view: each pupil of the class with wishes, availability and planned talks."""
    pupils = list(school_class.pupils.filter(is_active=True, is_pupil=True).order_by("nickname", "username"))
    ids = [p.pk for p in pupils]
    wishes: dict[int, list[TalkWish]] = {}
    for w in TalkWish.objects.filter(round=round, pupil_id__in=ids).select_related("company", "profession"):
        wishes.setdefault(w.pupil_id, []).append(w)
    talks: dict[int, list[Talk]] = {}
    if round.status in (TalkRound.Status.PUBLISHED,):
        for t in (
            Talk.objects.filter(round=round, pupil_id__in=ids, status__in=BOOKED_OR_HELD)
            .select_related("offer__company", "round")
            .order_by("slot")
        ):
            talks.setdefault(t.pupil_id, []).append(t)
    participants = {p.pupil_id: p for p in TalkParticipant.objects.filter(round=round, pupil_id__in=ids)}
    return [
        {
            "pupil": p,
            "wishes": sorted(wishes.get(p.pk, []), key=lambda w: w.rank),
            "talks": talks.get(p.pk, []),
            "participant": participants.get(p.pk),
        }
        for p in pupils
    ]


def repeated_no_shows(minimum: int = NO_SHOW_ALERT):
    """Pupils who did not come to ``minimum`` or more talks (all rounds), most first."""
    from einblick.accounts.models import User

    return (
        User.objects.filter(talks__status=Talk.Status.NO_SHOW)
        .annotate(no_shows=Count("talks", filter=Q(talks__status=Talk.Status.NO_SHOW)))
        .filter(no_shows__gte=minimum)
        .select_related("school_class__school")
        .order_by("-no_shows", "nickname")
    )
