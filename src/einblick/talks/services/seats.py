"""Seats after the allocation: leftover booking, cancelling, the waiting list with a time limit to accept,
reminders and attendance. Every write that takes a seat locks the offer row while seats are counted, so
concurrent requests never overbook (see tests/talks/test_booking_postgres.py)."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from einblick.core.services import email_enqueue

from ..models import BOOKED_OR_HELD, Talk, TalkOffer, TalkParticipant, TalkRound, WaitlistEntry

logger = logging.getLogger(__name__)

# a seat from the waiting list is not offered when the talk starts sooner than this
HOLD_MIN_LEAD = timedelta(minutes=5)


def reminder_lead() -> timedelta:
    return timedelta(minutes=settings.EINBLICK["TALK_REMINDER_MINUTES"])


def _abs(path: str) -> str:
    return settings.EINBLICK["BASE_URL"] + path


# ------------------------------------------------------------------------------------------------ seat rules


def seat_conflicts(
    *, round: TalkRound, pupil_id: int, offer: TalkOffer, slot: int, ignore: Talk | None = None
) -> list[tuple[str, str]]:
    """Hard rules a new talk (pupil, offer, slot) would break, as (code, German message). Call with the offer
    row locked. ``ignore`` is a talk being moved (it does not count)."""
    out = []
    if not 0 <= slot < round.n_slots:
        return [("slot", gettext("This time slot does not exist."))]
    if not offer.has_slot(slot):
        out.append(("company_window", gettext("The company is not there at this time.")))
    taken = Talk.objects.filter(round=round, status__in=BOOKED_OR_HELD)
    if ignore is not None:
        taken = taken.exclude(pk=ignore.pk)
    if taken.filter(offer=offer, slot=slot).count() >= offer.seats:
        out.append(("full", gettext("This time slot is already full.")))
    mine = taken.filter(pupil_id=pupil_id)
    if mine.filter(offer__company_id=offer.company_id).exists():
        out.append(("same_company", gettext("You already have a talk with this company.")))
    brk = round.min_break_slots
    if mine.filter(slot__gte=slot - brk, slot__lte=slot + brk).exists():
        out.append(("busy", gettext("You already have a talk at this time.")))
    return out


def _table_for(offer: TalkOffer, slot: int, ignore: Talk | None = None) -> int:
    """The parallel talk (table) with the fewest pupils in this slot that still has room."""
    taken = Talk.objects.filter(offer=offer, slot=slot, status__in=BOOKED_OR_HELD)
    if ignore is not None:
        taken = taken.exclude(pk=ignore.pk)
    load = [0] * offer.parallel
    for table in taken.values_list("table_no", flat=True):
        if 0 <= table < offer.parallel:
            load[table] += 1
    return min(range(offer.parallel), key=lambda t: (load[t] >= offer.group_size, load[t], t))


def _check_consent(round: TalkRound, pupil) -> None:
    """A company sees the pupil's name: under the consent age that needs consent (design.md §7)."""
    from .wishes import consent_ok

    if not consent_ok(round, pupil):
        raise ValidationError(
            gettext("A parent has to agree first (see “Consent” on this page)."),
            code="consent",
        )


def _raise(conflicts: list[tuple[str, str]]) -> None:
    if conflicts:
        raise ValidationError([ValidationError(msg, code=code) for code, msg in conflicts])


def _lock(offer: TalkOffer) -> TalkOffer:
    return TalkOffer.objects.select_for_update().select_related("company").get(pk=offer.pk)


# ---------------------------------------------------------------------------------------------------- booking


def booking_create(*, round: TalkRound, pupil, offer: TalkOffer, slot: int) -> Talk:
    """Book a leftover seat after publishing (first come, first served)."""
    if round.status != TalkRound.Status.PUBLISHED:
        raise ValidationError(gettext("Talks can be booked once the plan is published."), code="status")
    if offer.round_id != round.pk:
        raise ValidationError(
            gettext("This company does not offer talks in this round."), code="not_in_round"
        )
    if not 0 <= slot < round.n_slots:
        raise ValidationError(gettext("This time slot does not exist."), code="slot")
    if timezone.now() >= round.slot_start(slot):
        raise ValidationError(gettext("This talk has already started."), code="past")
    _check_consent(round, pupil)
    try:
        with transaction.atomic():
            offer = _lock(offer)
            _raise(seat_conflicts(round=round, pupil_id=pupil.pk, offer=offer, slot=slot))
            talk = Talk.objects.create(
                round=round,
                offer=offer,
                pupil=pupil,
                slot=slot,
                table_no=_table_for(offer, slot),
                source=Talk.Source.BOOKING,
            )
            TalkParticipant.objects.get_or_create(round=round, pupil=pupil)
            WaitlistEntry.objects.filter(offer=offer, pupil=pupil).delete()
    except IntegrityError:
        raise ValidationError(gettext("You already have a talk at this time."), code="busy") from None
    return talk


def booking_cancel(*, talk: Talk) -> Talk:
    """Cancel a booked talk; its seat goes to the waiting list first, then to everyone."""
    if talk.status != Talk.Status.BOOKED:
        raise ValidationError(gettext("This talk is not booked."), code="status")
    if timezone.now() >= talk.starts_at:
        raise ValidationError(gettext("This talk has already started."), code="past")
    with transaction.atomic():
        updated = Talk.objects.filter(pk=talk.pk, status=Talk.Status.BOOKED).update(
            status=Talk.Status.CANCELLED
        )
        if not updated:
            raise ValidationError(gettext("This talk is not booked."), code="status")
        talk.status = Talk.Status.CANCELLED
        if talk.round.status == TalkRound.Status.PUBLISHED:
            seat_freed(offer=talk.offer, slot=talk.slot)
    return talk


# ------------------------------------------------------------------------------------------------ waiting list


def waitlist_join(*, round: TalkRound, pupil, offer: TalkOffer) -> WaitlistEntry:
    """Queue the pupil for a seat with this company (first come, first served). The page offers the waiting list
    only while the company has no free seat left; the next freed seat goes to the first entry that fits."""
    if round.status != TalkRound.Status.PUBLISHED:
        raise ValidationError(gettext("Talks can be booked once the plan is published."), code="status")
    if offer.round_id != round.pk:
        raise ValidationError(
            gettext("This company does not offer talks in this round."), code="not_in_round"
        )
    mine = Talk.objects.filter(round=round, pupil=pupil, status__in=BOOKED_OR_HELD)
    if mine.filter(offer__company_id=offer.company_id).exists():
        raise ValidationError(gettext("You already have a talk with this company."), code="same_company")
    _check_consent(round, pupil)
    entry, _ = WaitlistEntry.objects.get_or_create(round=round, offer=offer, pupil=pupil)
    return entry


def waitlist_leave(*, round: TalkRound, pupil, offer: TalkOffer) -> None:
    WaitlistEntry.objects.filter(round=round, offer=offer, pupil=pupil).delete()


def pupil_available(round: TalkRound, pupil_id: int, slot: int) -> bool:
    """Within the times the pupil (or their teacher) stated; no statement = any time."""
    participant = TalkParticipant.objects.filter(round=round, pupil_id=pupil_id).first()
    return not (participant and participant.available_slots and slot not in participant.available_slots)


def _fits(round: TalkRound, pupil_id: int, offer: TalkOffer, slot: int) -> bool:
    return not seat_conflicts(round=round, pupil_id=pupil_id, offer=offer, slot=slot) and pupil_available(
        round, pupil_id, slot
    )


def seat_freed(*, offer: TalkOffer, slot: int, now=None) -> Talk | None:
    """Offer a freed seat to the first pupil on the waiting list who can take it (free at that time, not yet
    with this company). They have ``round.hold_minutes`` to accept; the seat is held for them meanwhile."""
    now = now or timezone.now()
    round = TalkRound.objects.get(pk=offer.round_id)
    starts = round.slot_start(slot)
    if starts - HOLD_MIN_LEAD <= now or round.status != TalkRound.Status.PUBLISHED:
        return None
    with transaction.atomic():
        offer = _lock(offer)
        for entry in WaitlistEntry.objects.filter(offer=offer).select_related("pupil"):
            if not entry.pupil.is_active or not _fits(round, entry.pupil_id, offer, slot):
                continue
            hold_until = min(now + timedelta(minutes=round.hold_minutes), starts - HOLD_MIN_LEAD)
            talk = Talk.objects.create(
                round=round,
                offer=offer,
                pupil=entry.pupil,
                slot=slot,
                table_no=_table_for(offer, slot),
                status=Talk.Status.OFFERED,
                source=Talk.Source.WAITLIST,
                hold_until=hold_until,
            )
            entry.delete()
            _hold_expiry_schedule(talk)
            if entry.pupil.email:
                email_enqueue(
                    to=entry.pupil.email,
                    template="talks/email/seat_offered",
                    context={
                        "pupil": entry.pupil,
                        "talk": talk,
                        "company": offer.company,
                        "round": round,
                        "url": _abs(reverse("talks:mine", args=[round.pk])),
                    },
                )
            return talk
    return None


def _hold_expiry_schedule(talk: Talk) -> None:
    from ..tasks import hold_expire_task

    talk_id, when = talk.pk, talk.hold_until
    transaction.on_commit(lambda: hold_expire_task.using(run_after=when).enqueue(talk_id=talk_id))


def hold_accept(*, talk: Talk, now=None) -> Talk:
    now = now or timezone.now()
    updated = Talk.objects.filter(pk=talk.pk, status=Talk.Status.OFFERED, hold_until__gt=now).update(
        status=Talk.Status.BOOKED, hold_until=None
    )
    if not updated:
        raise ValidationError(
            gettext("This seat is no longer reserved for you: the time to accept has passed."), code="expired"
        )
    talk.refresh_from_db()
    return talk


def hold_release(*, talk: Talk, expired: bool = False, now=None) -> bool:
    """The pupil declines an offered seat (or the time ran out): it goes to the next one on the waiting list."""
    now = now or timezone.now()
    rows = Talk.objects.filter(pk=talk.pk, status=Talk.Status.OFFERED)
    if expired:
        rows = rows.filter(hold_until__lte=now)
    with transaction.atomic():
        new = Talk.Status.EXPIRED if expired else Talk.Status.CANCELLED
        if not rows.update(status=new):
            return False
        seat_freed(offer=talk.offer, slot=talk.slot, now=now)
    return True


def holds_expire(*, now=None) -> int:
    """Release every seat offer whose time ran out (also run by the minute sweep)."""
    now = now or timezone.now()
    count = 0
    for talk in Talk.objects.filter(status=Talk.Status.OFFERED, hold_until__lte=now).select_related(
        "offer__round"
    ):
        count += hold_release(talk=talk, expired=True, now=now)
    return count


# --------------------------------------------------------------------------------------------------- reminders


def reminders_send(*, now=None) -> int:
    """E-mail every pupil whose talk starts within ``TALK_REMINDER_MINUTES``; each talk at most once (claimed by
    a conditional update of ``reminded_at`` — safe when several sweeps run at once)."""
    now = now or timezone.now()
    lead = reminder_lead()
    count = 0
    due = (
        Talk.objects.filter(
            status=Talk.Status.BOOKED,
            reminded_at__isnull=True,
            round__status=TalkRound.Status.PUBLISHED,
            # rounds that have begun or begin soon (a round lasts hours, at most a few days)
            round__first_slot_at__lte=now + lead,
            round__first_slot_at__gte=now - timedelta(days=7),
            pupil__is_active=True,
        )
        .exclude(pupil__email="")
        .select_related("round", "offer__company", "pupil")
    )
    for talk in due:
        if not now < talk.starts_at <= now + lead:
            continue
        with transaction.atomic():
            if not Talk.objects.filter(pk=talk.pk, reminded_at__isnull=True).update(reminded_at=now):
                continue
            email_enqueue(
                to=talk.pupil.email,
                template="talks/email/reminder",
                context={
                    "pupil": talk.pupil,
                    "talk": talk,
                    "company": talk.offer.company,
                    "round": talk.round,
                    "url": _abs(reverse("talks:mine", args=[talk.round_id])),
                },
            )
            count += 1
    return count


def sweep(*, now=None) -> tuple[int, int]:
    """The minute sweep of talks: expired seat offers, then reminders."""
    return holds_expire(now=now), reminders_send(now=now)


# -------------------------------------------------------------------------------------------------- attendance


def attendance_mark(*, talk: Talk, attended: bool, now=None) -> Talk:
    """The company (or staff) marks a talk attended or no-show — from its start, for 14 days."""
    now = now or timezone.now()
    if talk.status not in (Talk.Status.BOOKED, Talk.Status.ATTENDED, Talk.Status.NO_SHOW):
        raise ValidationError(gettext("This talk is not booked."), code="status")
    if now < talk.starts_at:
        raise ValidationError(gettext("Attendance can be marked once the talk has started."), code="early")
    if now > talk.ends_at + timedelta(days=14):
        raise ValidationError(gettext("Attendance can only be marked within 14 days."), code="late")
    talk.status = Talk.Status.ATTENDED if attended else Talk.Status.NO_SHOW
    talk.save(update_fields=["status"])
    return talk
