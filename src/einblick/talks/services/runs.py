"""Allocation runs (a background task with visible progress), the staff review with manual adjustments, and
publishing."""

import logging
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from einblick.core.services import email_enqueue

from .. import allocation
from ..models import AllocationRun, Talk, TalkOffer, TalkParticipant, TalkRound, TalkWish
from .seats import _check_consent, _lock, _raise, _table_for, pupil_available, seat_conflicts, seat_freed
from .wishes import consent_covered_ids, wishes_open

logger = logging.getLogger(__name__)


# -------------------------------------------------------------------------------------------------- allocation


def allocation_instance(round: TalkRound) -> tuple[allocation.Instance, set[int]]:
    """The pure allocation problem of a round, read from the database, and the pupils left out because the
    consent rule (design.md §7) is not met for them."""
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
            slots=frozenset(s for s in o.available_slots if 0 <= s < round.n_slots)
            if o.available_slots
            else None,
        )
        for o in offers
    )
    covered = consent_covered_ids(round)
    wishes: dict[int, list[allocation.Wish]] = {}
    left_out: set[int] = set()
    for w in TalkWish.objects.filter(round=round, pupil__is_active=True).order_by("pupil_id", "rank"):
        if w.pupil_id not in covered:
            left_out.add(w.pupil_id)
            continue
        if w.company_id:
            # a company that left the round stays in the list (unfulfillable) so that ranks keep their place
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
    inst = allocation.Instance(
        pupils=pupils, companies=companies, n_slots=round.n_slots, min_break=round.min_break_slots
    )
    return inst, left_out


def allocation_summary(inst: allocation.Instance, result: allocation.Result, left_out: set[int]) -> dict:
    return {
        "pupils": len(inst.pupils),
        "wishes": sum(len(p.wishes) for p in inst.pupils),
        "pupils_with_talk": result.pupils_with_talk,
        "bound_pupils": result.bound_pupils,
        "wishes_fulfilled": result.wishes_fulfilled,
        "bound_wishes": result.bound_wishes,
        "distribution": {str(k): v for k, v in sorted(result.distribution.items())},
        "ranks": {str(k + 1): v for k, v in sorted(result.rank_counts.items())},
        "utilisation": {k: [u.seats_offered, u.seats_used] for k, u in result.utilisation.items()},
        "unfulfilled": dict(Counter(u.reason for u in result.unfulfilled)),
        "waiting_for_consent": len(left_out),
        "gaps": result.gaps,
        "status": result.status,
        "runtime_s": round(result.runtime_s, 3),
    }


def _stuck_after() -> timedelta:
    return timedelta(minutes=settings.EINBLICK["TALK_RUN_STUCK_MINUTES"])


def run_is_stuck(run: AllocationRun, now=None) -> bool:
    """A queued or running run that shows no progress for ``TALK_RUN_STUCK_MINUTES`` (worker down or killed)."""
    now = now or timezone.now()
    if run.status not in (AllocationRun.Status.QUEUED, AllocationRun.Status.RUNNING):
        return False
    return (run.started_at or run.created_at) < now - _stuck_after()


def _progress(run_id: int, text: str) -> None:
    AllocationRun.objects.filter(pk=run_id).update(progress=text[:80])


def allocation_start(*, round: TalkRound, enqueue: bool = True, now=None) -> AllocationRun:
    """Queue an allocation run after the wish deadline. A second start while one is queued or running is
    refused; a stuck run (see ``run_is_stuck``) is marked failed and a new one starts."""
    now = now or timezone.now()
    with transaction.atomic():
        round = TalkRound.objects.select_for_update().get(pk=round.pk)
        if round.status == TalkRound.Status.PUBLISHED:
            raise ValidationError(gettext("The plan of this round is already published."), code="published")
        if round.status == TalkRound.Status.DRAFT:
            raise ValidationError(gettext("Open the round for wishes first."), code="draft")
        if wishes_open(round, now):
            raise ValidationError(
                gettext("Pupils can still enter wishes until %(deadline)s. Allocate after the deadline.")
                % {"deadline": timezone.localtime(round.wish_deadline).strftime("%d.%m.%Y %H:%M")},
                code="before_deadline",
            )
        for run in AllocationRun.objects.filter(
            round=round, status__in=[AllocationRun.Status.QUEUED, AllocationRun.Status.RUNNING]
        ):
            if not run_is_stuck(run, now):
                raise ValidationError(
                    gettext("An allocation is already running for this round."), code="running"
                )
            AllocationRun.objects.filter(pk=run.pk).update(
                status=AllocationRun.Status.FAILED,
                finished_at=now,
                error=gettext("Stopped: no progress for too long (was the task worker restarted?)."),
            )
        if round.status == TalkRound.Status.ALLOCATING:  # left behind by a stuck run
            allocated = AllocationRun.objects.filter(round=round, status=AllocationRun.Status.DONE).exists()
            round.status = TalkRound.Status.REVIEW if allocated else TalkRound.Status.OPEN
            round.save(update_fields=["status"])
        run = AllocationRun.objects.create(round=round, progress=gettext("Waiting for the task worker"))
    if enqueue:
        from ..tasks import allocation_run_task

        allocation_run_task.enqueue(run_id=run.pk)
    return run


def _outcomes(round: TalkRound, result: allocation.Result, left_out: set[int]) -> dict[tuple[int, int], str]:
    out = {(int(a.pupil), a.rank): "fulfilled" for a in result.assignments}
    out.update({(int(u.pupil), u.rank): u.reason for u in result.unfulfilled})
    return out


def allocation_execute(*, run_id: int) -> AllocationRun | None:
    """Solve a queued run and write its talks in one transaction (all or nothing); the round goes to review.
    Manual changes of an earlier run are replaced; bookings of a published round are never touched."""
    updated = AllocationRun.objects.filter(pk=run_id, status=AllocationRun.Status.QUEUED).update(
        status=AllocationRun.Status.RUNNING, started_at=timezone.now(), progress=gettext("Reading wishes")
    )
    if not updated:
        return None
    run = AllocationRun.objects.select_related("round").get(pk=run_id)
    previous = run.round.status
    TalkRound.objects.filter(pk=run.round_id).update(status=TalkRound.Status.ALLOCATING)
    try:
        inst, left_out = allocation_instance(run.round)
        _progress(
            run_id,
            gettext("Computing: %(pupils)d pupils, %(wishes)d wishes")
            % {"pupils": len(inst.pupils), "wishes": sum(len(p.wishes) for p in inst.pupils)},
        )
        result = allocation.allocate(inst)
        problems = allocation.violations(inst, result.assignments)
        if problems:
            raise RuntimeError("; ".join(problems[:5]))
        _progress(run_id, gettext("Saving the plan"))
        with transaction.atomic():
            round = TalkRound.objects.select_for_update().get(pk=run.round_id)
            offers = {str(o.company_id): o for o in TalkOffer.objects.filter(round=round)}
            Talk.objects.filter(round=round, source__in=[Talk.Source.ALLOCATION, Talk.Source.MANUAL]).delete()
            per_cell: Counter[tuple[str, int]] = Counter()
            rows = []
            for a in result.assignments:
                offer = offers[a.company]
                index = per_cell[a.company, a.slot]
                per_cell[a.company, a.slot] += 1
                rows.append(
                    Talk(
                        round=round,
                        offer=offer,
                        pupil_id=int(a.pupil),
                        slot=a.slot,
                        table_no=index // offer.group_size,
                        rank=a.rank,
                        source=Talk.Source.ALLOCATION,
                    )
                )
            Talk.objects.bulk_create(rows, batch_size=2000)
            outcomes = _outcomes(round, result, left_out)
            wishes = list(TalkWish.objects.filter(round=round))
            offered = set(offers)
            for w in wishes:
                if w.company_id and str(w.company_id) not in offered:
                    w.outcome = "withdrawn"
                elif w.pupil_id in left_out:
                    w.outcome = "consent"
                else:
                    w.outcome = outcomes.get((w.pupil_id, w.rank), "")
            TalkWish.objects.bulk_update(wishes, ["outcome"], batch_size=2000)
            run.status = AllocationRun.Status.DONE
            run.finished_at = timezone.now()
            run.summary = allocation_summary(inst, result, left_out)
            run.progress = gettext("Done")
            run.save(update_fields=["status", "finished_at", "summary", "progress"])
            round.status = TalkRound.Status.REVIEW
            round.save(update_fields=["status"])
    except Exception as exc:
        logger.exception("allocation run %s failed", run_id)
        AllocationRun.objects.filter(pk=run_id).update(
            status=AllocationRun.Status.FAILED, finished_at=timezone.now(), error=str(exc)[:2000], progress=""
        )
        TalkRound.objects.filter(pk=run.round_id).update(status=previous)
    run.refresh_from_db()
    return run


def allocation_run(*, round: TalkRound) -> AllocationRun:
    """Start and execute an allocation in this process (the staff page queues ``allocation_start`` instead)."""
    run = allocation_start(round=round, enqueue=False)
    return allocation_execute(run_id=run.pk)


# ---------------------------------------------------------------------------------------- review: manual changes


def _check_review(round: TalkRound) -> None:
    if round.status not in (TalkRound.Status.REVIEW, TalkRound.Status.PUBLISHED):
        raise ValidationError(
            gettext("Talks can be changed by hand once the allocation is done."), code="status"
        )


def _pupil_window(round: TalkRound, pupil_id: int, slot: int) -> list[tuple[str, str]]:
    if not pupil_available(round, pupil_id, slot):
        return [("availability", gettext("The pupil is not available at this time."))]
    return []


def talk_place(
    *, round: TalkRound, pupil, offer: TalkOffer, slot: int, talk: Talk | None = None, force: bool = False
) -> Talk:
    """Staff add a talk (``talk`` None) or move one to another company/slot. Hard rules (capacity, one talk at a
    time, same company once, the company's time windows) always hold; the pupil's stated availability can be
    overridden with ``force`` after a warning."""
    _check_review(round)
    if offer.round_id != round.pk:
        raise ValidationError(
            gettext("This company does not offer talks in this round."), code="not_in_round"
        )
    _check_consent(round, pupil)
    with transaction.atomic():
        offer = _lock(offer)
        conflicts = seat_conflicts(round=round, pupil_id=pupil.pk, offer=offer, slot=slot, ignore=talk)
        if not force:
            conflicts += _pupil_window(round, pupil.pk, slot)
        _raise(conflicts)
        table = _table_for(offer, slot, ignore=talk)
        rank = _rank_for(round, pupil.pk, offer)
        if talk is None:
            talk = Talk.objects.create(
                round=round,
                offer=offer,
                pupil=pupil,
                slot=slot,
                table_no=table,
                rank=rank,
                source=Talk.Source.MANUAL,
            )
            TalkParticipant.objects.get_or_create(round=round, pupil=pupil)
        else:
            old_offer, old_slot = talk.offer, talk.slot
            talk.offer, talk.slot, talk.table_no, talk.rank, talk.reminded_at = offer, slot, table, rank, None
            talk.save(update_fields=["offer", "slot", "table_no", "rank", "reminded_at"])
            if round.status == TalkRound.Status.PUBLISHED and (old_offer.pk, old_slot) != (offer.pk, slot):
                seat_freed(offer=old_offer, slot=old_slot)
    return talk


def _rank_for(round: TalkRound, pupil_id: int, offer: TalkOffer) -> int | None:
    """The wish a talk with this company fulfils (a company wish or a profession it trains), if any."""
    professions = set(offer.company.professions.values_list("pk", flat=True))
    for w in TalkWish.objects.filter(round=round, pupil_id=pupil_id).order_by("rank"):
        if w.company_id == offer.company_id or (w.profession_id and w.profession_id in professions):
            return w.rank
    return None


def talk_remove(*, round: TalkRound, talk: Talk) -> None:
    """Staff take a talk out of the plan under review."""
    if round.status != TalkRound.Status.REVIEW:
        raise ValidationError(
            gettext("Talks can be changed by hand once the allocation is done."), code="status"
        )
    Talk.objects.filter(pk=talk.pk, round=round).delete()


# --------------------------------------------------------------------------------------------------- publishing


def round_publish(*, round: TalkRound) -> int:
    """Publish the plan of a reviewed round and queue one e-mail per participant and per company contact;
    returns the e-mails queued."""
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

    base = settings.EINBLICK["BASE_URL"]
    talks: dict[int, list[Talk]] = {}
    for talk in Talk.objects.filter(round=round, status=Talk.Status.BOOKED).select_related(
        "offer__company", "round"
    ):
        talks.setdefault(talk.pupil_id, []).append(talk)
    pupil_ids = set(TalkWish.objects.filter(round=round).values_list("pupil_id", flat=True)) | set(talks)
    sent = 0
    url = base + reverse("talks:mine", args=[round.pk])
    for pupil in User.objects.filter(pk__in=pupil_ids, is_active=True).exclude(email=""):
        email_enqueue(
            to=pupil.email,
            template="talks/email/plan_published",
            context={
                "pupil": pupil,
                "round": round,
                "talks": sorted(talks.get(pupil.pk, []), key=lambda t: t.slot),
                "url": url,
            },
        )
        sent += 1
    from einblick.catalog.models import CompanyMembership

    for offer in TalkOffer.objects.filter(round=round).select_related("company"):
        count = sum(1 for ts in talks.values() for t in ts if t.offer_id == offer.pk)
        members = CompanyMembership.objects.filter(
            company=offer.company, user__is_active=True
        ).select_related("user")
        for membership in members:
            if not membership.user.email:
                continue
            email_enqueue(
                to=membership.user.email,
                template="talks/email/company_plan",
                context={
                    "user": membership.user,
                    "company": offer.company,
                    "round": round,
                    "count": count,
                    "url": base + reverse("talks:company", args=[round.pk, offer.company_id]),
                },
            )
            sent += 1
    return sent
