"""Writes of the talks app: wishes, allocation runs, publishing, leftover bookings."""

import logging
from collections import Counter

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from einblick.catalog.models import Company, Profession
from einblick.core.services import email_enqueue

from . import allocation
from .models import AllocationRun, Talk, TalkOffer, TalkParticipant, TalkRound, TalkWish

logger = logging.getLogger(__name__)


# ------------------------------------------------------------------------------------------------------ wishes


def wishes_open(round: TalkRound, now=None) -> bool:
    now = now or timezone.now()
    return round.status == TalkRound.Status.OPEN and now <= round.wish_deadline


@transaction.atomic
def wishes_set(*, pupil, round: TalkRound, wishes: list[Company | Profession]) -> list[TalkWish]:
    """Replace the pupil's ranked wishes (highest first). Each wish is a company of the round or a profession."""
    if not wishes_open(round):
        raise ValidationError(gettext("The deadline for wishes has passed."), code="deadline")
    if len(wishes) > round.max_wishes:
        raise ValidationError(
            gettext("You can name at most %(n)d wishes.") % {"n": round.max_wishes}, code="too_many"
        )
    offered = set(TalkOffer.objects.filter(round=round).values_list("company_id", flat=True))
    seen: set[tuple[str, int]] = set()
    rows = []
    for rank, item in enumerate(wishes):
        key = ("company" if isinstance(item, Company) else "profession", item.pk)
        if key in seen:
            raise ValidationError(
                gettext("You named “%(name)s” twice.") % {"name": item.name}, code="duplicate"
            )
        seen.add(key)
        if isinstance(item, Company):
            if item.pk not in offered:
                raise ValidationError(
                    gettext("“%(name)s” does not offer talks in this round.") % {"name": item.name},
                    code="not_in_round",
                )
            rows.append(TalkWish(round=round, pupil=pupil, rank=rank, company=item))
        else:
            rows.append(TalkWish(round=round, pupil=pupil, rank=rank, profession=item))
    TalkWish.objects.filter(round=round, pupil=pupil).delete()
    TalkWish.objects.bulk_create(rows)
    TalkParticipant.objects.get_or_create(round=round, pupil=pupil)
    return rows


# -------------------------------------------------------------------------------------------------- allocation


def allocation_instance(round: TalkRound) -> allocation.Instance:
    """The pure allocation problem of a round, read from the database."""
    offers = list(
        TalkOffer.objects.filter(round=round)
        .select_related("company")
        .prefetch_related("company__professions")
    )
    companies = tuple(
        allocation.Company(
            id=str(o.company_id),
            seats=o.seats,
            professions=frozenset(str(p.pk) for p in o.company.professions.all()),
        )
        for o in offers
    )
    offered = {c.id for c in companies}
    wishes: dict[int, list[allocation.Wish]] = {}
    for w in TalkWish.objects.filter(round=round).order_by("pupil_id", "rank"):
        if w.company_id:
            if str(w.company_id) in offered:
                wishes.setdefault(w.pupil_id, []).append(allocation.Wish(company=str(w.company_id)))
        else:
            wishes.setdefault(w.pupil_id, []).append(allocation.Wish(profession=str(w.profession_id)))
    available = {
        p.pupil_id: frozenset(s for s in p.available_slots if 0 <= s < round.n_slots)
        for p in TalkParticipant.objects.filter(round=round)
        if p.available_slots
    }
    pupils = tuple(
        allocation.Pupil(id=str(pid), wishes=tuple(ws), available=available.get(pid))
        for pid, ws in wishes.items()
    )
    return allocation.Instance(
        pupils=pupils, companies=companies, n_slots=round.n_slots, min_break=round.min_break_slots
    )


def allocation_summary(inst: allocation.Instance, result: allocation.Result) -> dict:
    return {
        "pupils": len(inst.pupils),
        "wishes": sum(len(p.wishes) for p in inst.pupils),
        "pupils_with_talk": result.pupils_with_talk,
        "bound_pupils": result.bound_pupils,
        "wishes_fulfilled": result.wishes_fulfilled,
        "bound_wishes": result.bound_wishes,
        "distribution": {str(k): v for k, v in sorted(result.distribution.items())},
        "utilisation": {k: [u.seats_offered, u.seats_used] for k, u in result.utilisation.items()},
        "unfulfilled": dict(Counter(u.reason for u in result.unfulfilled)),
        "status": result.status,
        "runtime_s": round(result.runtime_s, 3),
    }


def allocation_start(*, round: TalkRound, enqueue: bool = True) -> AllocationRun:
    """Queue an allocation run. A second start while one is queued or running is refused."""
    with transaction.atomic():
        round = TalkRound.objects.select_for_update().get(pk=round.pk)
        if AllocationRun.objects.filter(
            round=round, status__in=[AllocationRun.Status.QUEUED, AllocationRun.Status.RUNNING]
        ).exists():
            raise ValidationError(gettext("An allocation is already running for this round."), code="running")
        if round.status == TalkRound.Status.PUBLISHED:
            raise ValidationError(gettext("The plan of this round is already published."), code="published")
        run = AllocationRun.objects.create(round=round)
    if enqueue:
        from .tasks import allocation_run_task

        allocation_run_task.enqueue(run_id=run.pk)
    return run


def allocation_execute(*, run_id: int) -> AllocationRun | None:
    """Solve a queued run and write its talks in one transaction (all or nothing); the round goes to review."""
    updated = AllocationRun.objects.filter(pk=run_id, status=AllocationRun.Status.QUEUED).update(
        status=AllocationRun.Status.RUNNING, started_at=timezone.now()
    )
    if not updated:
        return None
    run = AllocationRun.objects.select_related("round").get(pk=run_id)
    previous = run.round.status
    TalkRound.objects.filter(pk=run.round_id).update(status=TalkRound.Status.ALLOCATING)
    try:
        inst = allocation_instance(run.round)
        result = allocation.allocate(inst)
        problems = allocation.violations(inst, result.assignments)
        if problems:
            raise RuntimeError("; ".join(problems[:5]))
        with transaction.atomic():
            round = TalkRound.objects.select_for_update().get(pk=run.round_id)
            offers = {str(o.company_id): o for o in TalkOffer.objects.filter(round=round)}
            Talk.objects.filter(round=round, source=Talk.Source.ALLOCATION).delete()
            Talk.objects.bulk_create(
                Talk(
                    round=round,
                    offer=offers[a.company],
                    pupil_id=int(a.pupil),
                    slot=a.slot,
                    rank=a.rank,
                    source=Talk.Source.ALLOCATION,
                )
                for a in result.assignments
            )
            run.status = AllocationRun.Status.DONE
            run.finished_at = timezone.now()
            run.summary = allocation_summary(inst, result)
            run.save(update_fields=["status", "finished_at", "summary"])
            round.status = TalkRound.Status.REVIEW
            round.save(update_fields=["status"])
    except Exception as exc:
        logger.exception("allocation run %s failed", run_id)
        AllocationRun.objects.filter(pk=run_id).update(
            status=AllocationRun.Status.FAILED, finished_at=timezone.now(), error=str(exc)[:2000]
        )
        TalkRound.objects.filter(pk=run.round_id).update(status=previous)
    run.refresh_from_db()
    return run


def allocation_run(*, round: TalkRound) -> AllocationRun:
    """Start and execute an allocation in this process (the staff page queues ``allocation_start`` instead)."""
    run = allocation_start(round=round, enqueue=False)
    return allocation_execute(run_id=run.pk)


def round_publish(*, round: TalkRound) -> int:
    """Publish the plan of a reviewed round and queue one e-mail per participant; returns the e-mails queued."""
    with transaction.atomic():
        locked = TalkRound.objects.select_for_update().get(pk=round.pk)
        if locked.status != TalkRound.Status.REVIEW:
            raise ValidationError(
                gettext("Only an allocated round in review can be published."), code="status"
            )
        locked.status = TalkRound.Status.PUBLISHED
        locked.save(update_fields=["status"])
    round.status = locked.status
    from einblick.accounts.models import User

    talks: dict[int, list[Talk]] = {}
    for talk in Talk.objects.filter(round=round, status=Talk.Status.BOOKED).select_related(
        "offer__company", "round"
    ):
        talks.setdefault(talk.pupil_id, []).append(talk)
    pupil_ids = set(TalkWish.objects.filter(round=round).values_list("pupil_id", flat=True)) | set(talks)
    sent = 0
    for pupil in User.objects.filter(pk__in=pupil_ids).exclude(email=""):
        email_enqueue(
            to=pupil.email,
            template="talks/email/plan_published",
            context={
                "pupil": pupil,
                "round": round,
                "talks": sorted(talks.get(pupil.pk, []), key=lambda t: t.slot),
            },
        )
        sent += 1
    return sent


# ----------------------------------------------------------------------------------------------------- booking


def booking_create(*, round: TalkRound, pupil, offer: TalkOffer, slot: int) -> Talk:
    """Book a leftover seat after publishing. Race-safe: the offer row is locked while seats are counted."""
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
    try:
        with transaction.atomic():
            offer = TalkOffer.objects.select_for_update().get(pk=offer.pk)
            booked = Talk.objects.filter(round=round, status=Talk.Status.BOOKED)
            if booked.filter(offer=offer, slot=slot).count() >= offer.seats:
                raise ValidationError(gettext("This time slot is already full."), code="full")
            mine = booked.filter(pupil=pupil)
            if mine.filter(offer__company_id=offer.company_id).exists():
                raise ValidationError(
                    gettext("You already have a talk with this company."), code="same_company"
                )
            brk = round.min_break_slots
            if mine.filter(slot__gte=slot - brk, slot__lte=slot + brk).exists():
                raise ValidationError(gettext("You already have a talk at this time."), code="busy")
            talk = Talk.objects.create(
                round=round, offer=offer, pupil=pupil, slot=slot, source=Talk.Source.BOOKING
            )
            TalkParticipant.objects.get_or_create(round=round, pupil=pupil)
    except IntegrityError:
        raise ValidationError(gettext("You already have a talk at this time."), code="busy") from None
    return talk


def booking_cancel(*, talk: Talk) -> Talk:
    """Cancel a booked talk; its seat becomes free for others."""
    if talk.status != Talk.Status.BOOKED:
        raise ValidationError(gettext("This talk is not booked."), code="status")
    if timezone.now() >= talk.starts_at:
        raise ValidationError(gettext("This talk has already started."), code="past")
    Talk.objects.filter(pk=talk.pk).update(status=Talk.Status.CANCELLED)
    talk.status = Talk.Status.CANCELLED
    return talk
