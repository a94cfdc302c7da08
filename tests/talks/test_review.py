"""Allocation runs, the staff review with manual changes, offers and publishing (services.runs / services.offers,
views.manage) — issue #5, step 3 and "Bad input"."""

from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from einblick.accounts.models import ParentalConsent
from einblick.catalog.models import CompanyMembership
from einblick.talks import services
from einblick.talks.models import AllocationRun, Talk, TalkOffer, TalkParticipant, TalkRound, TalkWish
from einblick.talks.views.manage import REASONS
from tests.factories import (
    CompanyFactory,
    PupilFactory,
    SchoolClassFactory,
    StaffFactory,
    TeacherFactory,
    UserFactory,
)
from tests.talks.conftest import close_wishes

pytestmark = pytest.mark.django_db

FAILURE_REASONS = {"capacity", "availability", "ranking"}


def codes(exc_info) -> list[str]:
    return [e.code for e in exc_info.value.error_list]


def wish_all(talk_round, offers, pupils, close=True):
    for pupil in pupils:
        services.wishes_set(pupil=pupil, round=talk_round, wishes=[o.company for o in offers])
    if close:
        close_wishes(talk_round)


def set_status(talk_round, status) -> TalkRound:
    TalkRound.objects.filter(pk=talk_round.pk).update(status=status)
    talk_round.refresh_from_db()
    return talk_round


@pytest.fixture
def staff(db):
    return StaffFactory()


# --------------------------------------------------------------------------------------------- starting a run


def test_allocation_refused_before_the_deadline(talk_round, offers, pupils):
    wish_all(talk_round, offers, pupils, close=False)
    with pytest.raises(ValidationError) as exc:
        services.allocation_start(round=talk_round, enqueue=False)
    assert exc.value.code == "before_deadline"
    # the deadline itself still belongs to the wishes
    with pytest.raises(ValidationError) as exc:
        services.allocation_start(round=talk_round, enqueue=False, now=talk_round.wish_deadline)
    assert exc.value.code == "before_deadline"
    assert not AllocationRun.objects.exists()
    run = services.allocation_start(
        round=talk_round, enqueue=False, now=talk_round.wish_deadline + timedelta(seconds=1)
    )
    assert run.status == AllocationRun.Status.QUEUED


def test_allocation_refused_for_draft_and_published_rounds(talk_round, offers, pupils):
    wish_all(talk_round, offers, pupils)
    set_status(talk_round, TalkRound.Status.DRAFT)
    with pytest.raises(ValidationError) as exc:
        services.allocation_start(round=talk_round, enqueue=False)
    assert exc.value.code == "draft"
    set_status(talk_round, TalkRound.Status.PUBLISHED)
    with pytest.raises(ValidationError) as exc:
        services.allocation_start(round=talk_round, enqueue=False)
    assert exc.value.code == "published"
    assert not AllocationRun.objects.exists()


def test_second_start_refused_while_a_run_is_queued_or_running(talk_round, offers, pupils):
    wish_all(talk_round, offers, pupils)
    first = services.allocation_start(round=talk_round, enqueue=False)
    with pytest.raises(ValidationError) as exc:
        services.allocation_start(round=talk_round, enqueue=False)
    assert exc.value.code == "running"
    AllocationRun.objects.filter(pk=first.pk).update(
        status=AllocationRun.Status.RUNNING, started_at=timezone.now() - timedelta(minutes=5)
    )
    with pytest.raises(ValidationError) as exc:
        services.allocation_start(round=talk_round, enqueue=False)
    assert exc.value.code == "running"
    assert AllocationRun.objects.count() == 1


def test_stuck_run_is_failed_and_a_new_one_starts(settings, talk_round, offers, pupils, run_tasks):
    wish_all(talk_round, offers, pupils)
    stuck_after = settings.EINBLICK["TALK_RUN_STUCK_MINUTES"]
    old = AllocationRun.objects.create(round=talk_round, status=AllocationRun.Status.RUNNING)
    AllocationRun.objects.filter(pk=old.pk).update(
        started_at=timezone.now() - timedelta(minutes=stuck_after + 1)
    )
    set_status(talk_round, TalkRound.Status.ALLOCATING)  # left behind by the killed worker
    old.refresh_from_db()
    assert services.run_is_stuck(old)
    assert not services.run_is_stuck(old, now=old.started_at + timedelta(minutes=stuck_after - 1))

    new = services.allocation_start(round=talk_round)
    old.refresh_from_db()
    assert old.status == AllocationRun.Status.FAILED and old.finished_at is not None and old.error
    assert new.pk != old.pk and new.status == AllocationRun.Status.QUEUED
    assert run_tasks() == 1
    new.refresh_from_db()
    talk_round.refresh_from_db()
    assert new.status == AllocationRun.Status.DONE
    assert talk_round.status == TalkRound.Status.REVIEW
    assert Talk.objects.filter(round=talk_round).count() == 9


def test_a_queued_run_without_worker_counts_as_stuck_too(settings, talk_round, offers, pupils):
    wish_all(talk_round, offers, pupils)
    old = services.allocation_start(round=talk_round, enqueue=False)
    later = timezone.now() + timedelta(minutes=settings.EINBLICK["TALK_RUN_STUCK_MINUTES"] + 1)
    new = services.allocation_start(round=talk_round, enqueue=False, now=later)
    assert AllocationRun.objects.get(pk=old.pk).status == AllocationRun.Status.FAILED
    assert new.status == AllocationRun.Status.QUEUED


def test_finished_runs_are_never_stuck(talk_round):
    run = AllocationRun.objects.create(round=talk_round, status=AllocationRun.Status.DONE)
    assert not services.run_is_stuck(run, now=timezone.now() + timedelta(days=1))


# ------------------------------------------------------------------------------------------- the run's result


def test_run_summary_and_wish_outcomes(talk_round, offers, pupils):
    # one company is there at a single slot only: one seat for three pupils who all want it first
    offers[0].available_slots = [0]
    offers[0].save()
    for pupil in pupils:
        services.wishes_set(pupil=pupil, round=talk_round, wishes=[offers[0].company, offers[1].company])
    close_wishes(talk_round)
    run = services.allocation_run(round=talk_round)
    assert run.status == AllocationRun.Status.DONE
    summary = run.summary
    for key in ("bound_pupils", "bound_wishes", "distribution", "utilisation", "ranks", "unfulfilled"):
        assert key in summary, key
    assert summary["pupils"] == 3 and summary["wishes"] == 6
    assert summary["pupils_with_talk"] == 3 <= summary["bound_pupils"]
    assert summary["wishes_fulfilled"] == 4 == summary["bound_wishes"]
    assert summary["distribution"] == {"1": 2, "2": 1}
    assert summary["ranks"] == {"1": 1, "2": 3}
    assert summary["utilisation"][str(offers[0].company_id)] == [1, 1]
    assert summary["utilisation"][str(offers[1].company_id)] == [4, 3]
    assert summary["waiting_for_consent"] == 0
    assert sum(summary["unfulfilled"].values()) == 2

    outcomes = Counter(TalkWish.objects.filter(round=talk_round).values_list("outcome", flat=True))
    assert outcomes["fulfilled"] == 4
    assert set(outcomes) - {"fulfilled"} <= FAILURE_REASONS
    # every fulfilled wish has its talk, and the talk names the wish's rank
    for wish in TalkWish.objects.filter(round=talk_round):
        talk = Talk.objects.filter(pupil=wish.pupil, offer__company=wish.company).first()
        assert (wish.outcome == "fulfilled") == (talk is not None)
        if talk:
            assert talk.rank == wish.rank
    winner = Talk.objects.get(offer=offers[0])
    assert winner.slot == 0


def test_allocation_keeps_company_time_windows(talk_round, offers, pupils):
    offers[0].available_slots = [1, 3]
    offers[0].save()
    offers[1].available_slots = [0]
    offers[1].save()
    wish_all(talk_round, offers, pupils)
    run = services.allocation_run(round=talk_round)
    assert run.status == AllocationRun.Status.DONE
    for offer in offers:
        offer.refresh_from_db()
        slots = list(Talk.objects.filter(offer=offer).values_list("slot", flat=True))
        assert all(offer.has_slot(s) for s in slots), (offer.available_slots, slots)
        assert max(Counter(slots).values(), default=0) <= offer.seats
    assert Talk.objects.filter(offer=offers[0]).count() == 2
    assert Talk.objects.filter(offer=offers[1]).count() == 1
    assert run.summary["utilisation"][str(offers[0].company_id)][0] == 2


def test_allocation_of_group_talks_fills_tables(talk_round, offers):
    group = TalkOffer.objects.create(round=talk_round, company=CompanyFactory(), parallel=2, group_size=2)
    pupils = [PupilFactory(consent_age_declared_at=timezone.now()) for _ in range(4)]
    for pupil in pupils:
        TalkParticipant.objects.create(round=talk_round, pupil=pupil, available_slots=[2])
        services.wishes_set(pupil=pupil, round=talk_round, wishes=[group.company])
    close_wishes(talk_round)
    services.allocation_run(round=talk_round)
    talks = Talk.objects.filter(offer=group)
    assert sorted(talks.values_list("slot", flat=True)) == [2, 2, 2, 2]
    assert Counter(talks.values_list("table_no", flat=True)) == {0: 2, 1: 2}


def test_pupils_without_consent_are_left_out(talk_round, offers, pupils):
    young = PupilFactory()
    wish_all(talk_round, offers, [*pupils, young])
    run = services.allocation_run(round=talk_round)
    assert run.summary["waiting_for_consent"] == 1
    assert run.summary["pupils"] == 3
    assert not Talk.objects.filter(pupil=young).exists()
    assert set(TalkWish.objects.filter(pupil=young).values_list("outcome", flat=True)) == {"consent"}
    assert "consent" not in set(TalkWish.objects.exclude(pupil=young).values_list("outcome", flat=True))


def test_parent_consent_covers_a_young_pupil(talk_round, offers, pupils):
    young = PupilFactory()
    ParentalConsent.objects.create(
        pupil=young,
        purpose=services.consent_purpose(talk_round),
        label="Gespräche",
        parent_email="eltern@example.org",
        confirmed_at=timezone.now(),
    )
    # a consent for another purpose does not count
    other = PupilFactory()
    ParentalConsent.objects.create(
        pupil=other,
        purpose="talks.round.0",
        label="x",
        parent_email="e@example.org",
        confirmed_at=timezone.now(),
    )
    wish_all(talk_round, offers[:1], [young, other])
    run = services.allocation_run(round=talk_round)
    assert run.summary["waiting_for_consent"] == 1
    assert Talk.objects.filter(pupil=young).exists() and not Talk.objects.filter(pupil=other).exists()


@pytest.fixture
def school_class(db):
    return SchoolClassFactory(teacher=TeacherFactory())


def test_teacher_entered_wishes_cover_consent_while_in_the_class(talk_round, offers, school_class):
    young = PupilFactory(school_class=school_class)
    services.wishes_set(
        pupil=young,
        round=talk_round,
        wishes=[offers[0].company],
        available_slots=[1],
        entered_by=school_class.teacher,
    )
    participant = TalkParticipant.objects.get(round=talk_round, pupil=young)
    assert (participant.entered_by, participant.school_class, participant.available_slots) == (
        school_class.teacher,
        school_class,
        [1],
    )
    assert services.consent_ok(talk_round, young)
    close_wishes(talk_round)
    run = services.allocation_run(round=talk_round)
    assert run.summary["waiting_for_consent"] == 0
    assert list(Talk.objects.filter(pupil=young).values_list("offer", "slot")) == [(offers[0].pk, 1)]
    assert TalkWish.objects.get(pupil=young).outcome == "fulfilled"


def test_pupil_moved_out_of_the_class_mid_round_loses_the_cover(talk_round, offers, school_class):
    young = PupilFactory(school_class=school_class)
    services.wishes_set(
        pupil=young, round=talk_round, wishes=[offers[0].company], entered_by=school_class.teacher
    )
    young.school_class = SchoolClassFactory(school=school_class.school)
    young.save()
    assert not services.consent_ok(talk_round, young)
    close_wishes(talk_round)
    run = services.allocation_run(round=talk_round)
    assert run.summary["waiting_for_consent"] == 1
    assert not Talk.objects.filter(pupil=young).exists()
    assert TalkWish.objects.get(pupil=young).outcome == "consent"


def test_teacher_can_enter_wishes_only_for_their_own_class(talk_round, offers, school_class):
    outsider = PupilFactory(school_class=SchoolClassFactory())
    with pytest.raises(ValidationError) as exc:
        services.wishes_set(
            pupil=outsider, round=talk_round, wishes=[offers[0].company], entered_by=school_class.teacher
        )
    assert exc.value.code == "not_in_class"
    no_class = PupilFactory()
    with pytest.raises(ValidationError) as exc:
        services.wishes_set(
            pupil=no_class, round=talk_round, wishes=[offers[0].company], entered_by=school_class.teacher
        )
    assert exc.value.code == "not_in_class"
    assert not TalkWish.objects.exists() and not TalkParticipant.objects.exists()


def test_withdrawn_company_does_not_shift_the_outcomes(talk_round, offers, pupils):
    pupil = pupils[0]
    services.wishes_set(pupil=pupil, round=talk_round, wishes=[offers[0].company, offers[1].company])
    services.offer_delete(offer=offers[0])  # the first wish's company withdraws; its wish stays
    close_wishes(talk_round)
    services.allocation_run(round=talk_round)
    talk = Talk.objects.get(pupil=pupil)
    assert talk.offer == offers[1]
    outcomes = dict(TalkWish.objects.filter(pupil=pupil).values_list("rank", "outcome"))
    assert outcomes[1] == "fulfilled"  # the wish for offers[1] is the one fulfilled
    assert outcomes[0] != "fulfilled"  # the withdrawn company's wish is not
    assert talk.rank == 1


# ---------------------------------------------------------------------------------------------- manual changes


@pytest.fixture
def review(talk_round, offers, pupils):
    """A round in review with a small plan: pupil 0 at company 0 in slot 0 and at company 1 in slot 1."""
    close_wishes(talk_round)
    set_status(talk_round, TalkRound.Status.REVIEW)
    Talk.objects.create(round=talk_round, offer=offers[0], pupil=pupils[0], slot=0)
    Talk.objects.create(round=talk_round, offer=offers[1], pupil=pupils[0], slot=1)
    return talk_round


def test_talk_place_adds_a_talk(review, offers, pupils):
    TalkWish.objects.create(round=review, pupil=pupils[1], rank=0, company=offers[2].company)
    talk = services.talk_place(round=review, pupil=pupils[1], offer=offers[2], slot=3)
    assert (talk.source, talk.status, talk.slot, talk.rank) == (Talk.Source.MANUAL, Talk.Status.BOOKED, 3, 0)
    assert TalkParticipant.objects.filter(round=review, pupil=pupils[1]).exists()
    # a profession wish is recognised as well
    profession = offers[0].company.professions.get()
    TalkWish.objects.create(round=review, pupil=pupils[2], rank=0, profession=profession)
    assert services.talk_place(round=review, pupil=pupils[2], offer=offers[0], slot=2).rank == 0
    # a talk that fulfils no wish has no rank
    assert services.talk_place(round=review, pupil=pupils[2], offer=offers[1], slot=3).rank is None


@pytest.mark.parametrize(
    "who, offer, slot, code",
    [
        (1, 0, 0, "full"),  # company 0 has its one seat in slot 0 taken
        (0, 2, 1, "busy"),  # pupil 0 is at company 1 in slot 1
        (0, 0, 2, "same_company"),  # pupil 0 already talks with company 0
        (1, 2, 0, "company_window"),  # company 2 is there in slots 1 to 3 only
    ],
)
def test_talk_place_conflicts(review, offers, pupils, who, offer, slot, code):
    offers[2].available_slots = [1, 2, 3]
    offers[2].save()
    before = list(Talk.objects.values_list("pk", "offer", "pupil", "slot"))
    with pytest.raises(ValidationError) as exc:
        services.talk_place(round=review, pupil=pupils[who], offer=offers[offer], slot=slot)
    assert codes(exc) == [code]
    assert list(Talk.objects.values_list("pk", "offer", "pupil", "slot")) == before


def test_talk_place_reports_every_conflict_at_once(review, offers, pupils):
    with pytest.raises(ValidationError) as exc:
        services.talk_place(round=review, pupil=pupils[0], offer=offers[0], slot=1)
    assert set(codes(exc)) == {"same_company", "busy"}


def test_talk_place_minimum_break(review, offers, pupils):
    TalkRound.objects.filter(pk=review.pk).update(min_break_slots=1)
    review.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.talk_place(round=review, pupil=pupils[0], offer=offers[2], slot=2)
    assert codes(exc) == ["busy"]
    assert services.talk_place(round=review, pupil=pupils[0], offer=offers[2], slot=3).slot == 3


def test_pupil_availability_only_overridden_with_force(review, offers, pupils):
    TalkParticipant.objects.create(round=review, pupil=pupils[1], available_slots=[0, 1])
    with pytest.raises(ValidationError) as exc:
        services.talk_place(round=review, pupil=pupils[1], offer=offers[2], slot=3)
    assert codes(exc) == ["availability"]
    assert not Talk.objects.filter(pupil=pupils[1]).exists()
    talk = services.talk_place(round=review, pupil=pupils[1], offer=offers[2], slot=3, force=True)
    assert talk.slot == 3
    # force never overrides the hard rules
    offers[1].available_slots = [1]
    offers[1].save()
    with pytest.raises(ValidationError) as exc:
        services.talk_place(round=review, pupil=pupils[1], offer=offers[1], slot=2, force=True)
    assert codes(exc) == ["company_window"]
    with pytest.raises(ValidationError) as exc:
        services.talk_place(round=review, pupil=pupils[2], offer=offers[0], slot=0, force=True)
    assert codes(exc) == ["full"]


def test_talk_move(review, offers, pupils):
    talk = Talk.objects.get(pupil=pupils[0], offer=offers[0])
    # within the same company to another slot: not a "same company" conflict with itself
    moved = services.talk_place(round=review, pupil=pupils[0], offer=offers[0], slot=2, talk=talk)
    assert (moved.pk, moved.offer, moved.slot) == (talk.pk, offers[0], 2)
    # onto the pupil's other talk: busy
    with pytest.raises(ValidationError) as exc:
        services.talk_place(round=review, pupil=pupils[0], offer=offers[0], slot=1, talk=moved)
    assert codes(exc) == ["busy"]
    # to another company it already talks with: same company
    with pytest.raises(ValidationError) as exc:
        services.talk_place(round=review, pupil=pupils[0], offer=offers[1], slot=3, talk=moved)
    assert codes(exc) == ["same_company"]
    # to a free company and slot
    moved = services.talk_place(round=review, pupil=pupils[0], offer=offers[2], slot=0, talk=moved)
    assert (moved.offer, moved.slot) == (offers[2], 0)
    assert Talk.objects.filter(pupil=pupils[0]).count() == 2
    assert Talk.objects.get(pk=talk.pk).offer == offers[2]


def test_talk_move_into_a_full_slot(review, offers, pupils):
    other = Talk.objects.create(round=review, offer=offers[2], pupil=pupils[1], slot=2)
    with pytest.raises(ValidationError) as exc:
        services.talk_place(round=review, pupil=pupils[1], offer=offers[0], slot=0, talk=other)
    assert codes(exc) == ["full"]
    assert Talk.objects.get(pk=other.pk).offer == offers[2]


def test_talk_place_refused_before_the_allocation(talk_round, offers, pupils):
    with pytest.raises(ValidationError) as exc:
        services.talk_place(round=talk_round, pupil=pupils[0], offer=offers[0], slot=0)
    assert exc.value.code == "status"
    other = TalkOffer.objects.create(
        round=TalkRound.objects.create(
            title="Andere", wish_deadline=talk_round.wish_deadline, first_slot_at=talk_round.first_slot_at
        ),
        company=CompanyFactory(),
    )
    set_status(talk_round, TalkRound.Status.REVIEW)
    with pytest.raises(ValidationError) as exc:
        services.talk_place(round=talk_round, pupil=pupils[0], offer=other, slot=0)
    assert exc.value.code == "not_in_round"
    assert not Talk.objects.exists()


def test_talk_remove_only_in_review(review, offers, pupils):
    talk = Talk.objects.get(pupil=pupils[0], offer=offers[0])
    services.talk_remove(round=review, talk=talk)
    assert not Talk.objects.filter(pk=talk.pk).exists()
    other = Talk.objects.get(pupil=pupils[0], offer=offers[1])
    for status in (TalkRound.Status.PUBLISHED, TalkRound.Status.OPEN):
        set_status(review, status)
        with pytest.raises(ValidationError) as exc:
            services.talk_remove(round=review, talk=other)
        assert exc.value.code == "status"
    assert Talk.objects.filter(pk=other.pk).exists()


def test_new_allocation_replaces_manual_changes(talk_round, offers, pupils):
    wish_all(talk_round, offers, pupils)
    services.allocation_run(round=talk_round)
    talk_round.refresh_from_db()
    talk = Talk.objects.filter(round=talk_round).first()
    services.talk_remove(round=talk_round, talk=talk)
    extra = PupilFactory(consent_age_declared_at=timezone.now())
    free = next(
        s for s in range(4) if not Talk.objects.filter(offer=offers[0], slot=s).exists()
    )  # 3 pupils, 4 slots: one is free
    services.talk_place(round=talk_round, pupil=extra, offer=offers[0], slot=free)
    services.allocation_run(round=talk_round)
    assert not Talk.objects.filter(source=Talk.Source.MANUAL).exists()
    assert Talk.objects.filter(round=talk_round).count() == 9


# ------------------------------------------------------------------------------------------------------ offers


@pytest.mark.parametrize("field", ["parallel", "group_size"])
def test_offer_save_refuses_zero_capacity(talk_round, field):
    offer = TalkOffer(round=talk_round, company=CompanyFactory(), **{field: 0})
    with pytest.raises(ValidationError) as exc:
        services.offer_save(offer=offer)
    assert exc.value.code == "zero"
    assert not TalkOffer.objects.exists()


def test_offer_save_refuses_zero_on_an_existing_offer(offers, pupils):
    offer = offers[0]
    offer.parallel = 0
    with pytest.raises(ValidationError) as exc:
        services.offer_save(offer=offer)
    assert exc.value.code == "zero"
    assert TalkOffer.objects.get(pk=offer.pk).parallel == 1


def test_offer_save_refuses_slots_outside_the_round(offers):
    offers[0].available_slots = [1, 4]
    with pytest.raises(ValidationError) as exc:
        services.offer_save(offer=offers[0])
    assert exc.value.code == "slot"
    assert TalkOffer.objects.get(pk=offers[0].pk).available_slots == []


def test_offer_save_capacity_not_below_planned_talks(talk_round, pupils):
    offer = TalkOffer.objects.create(round=talk_round, company=CompanyFactory(), parallel=2, group_size=1)
    Talk.objects.create(round=talk_round, offer=offer, pupil=pupils[0], slot=1)
    Talk.objects.create(round=talk_round, offer=offer, pupil=pupils[1], slot=1)
    Talk.objects.create(
        round=talk_round, offer=offer, pupil=pupils[2], slot=1, status=Talk.Status.CANCELLED
    )  # does not count
    offer.parallel = 1
    with pytest.raises(ValidationError) as exc:
        services.offer_save(offer=offer)
    assert exc.value.code == "below_booked"
    assert TalkOffer.objects.get(pk=offer.pk).parallel == 2
    # the same number of seats in another shape is fine: 1 talk × 2 pupils
    offer.group_size = 2
    services.offer_save(offer=offer)
    assert TalkOffer.objects.get(pk=offer.pk).seats == 2


def test_offer_save_cannot_leave_a_slot_with_talks(offers, pupils):
    offer = offers[0]
    Talk.objects.create(round=offer.round, offer=offer, pupil=pupils[0], slot=2)
    offer.available_slots = [0, 1]
    with pytest.raises(ValidationError) as exc:
        services.offer_save(offer=offer)
    assert exc.value.code == "slot_in_use"
    assert TalkOffer.objects.get(pk=offer.pk).available_slots == []
    offer.available_slots = [1, 2]
    services.offer_save(offer=offer)
    assert TalkOffer.objects.get(pk=offer.pk).available_slots == [1, 2]


def test_offer_delete(talk_round, offers, pupils):
    services.wishes_set(pupil=pupils[0], round=talk_round, wishes=[offers[0].company, offers[1].company])
    services.wishes_set(pupil=pupils[1], round=talk_round, wishes=[offers[0].company])
    Talk.objects.create(round=talk_round, offer=offers[1], pupil=pupils[0], slot=0)
    with pytest.raises(ValidationError) as exc:
        services.offer_delete(offer=offers[1])
    assert exc.value.code == "has_talks"
    assert TalkOffer.objects.filter(pk=offers[1].pk).exists()
    assert services.offer_delete(offer=offers[0]) == 2
    assert not TalkOffer.objects.filter(pk=offers[0].pk).exists()
    assert TalkWish.objects.filter(company=offers[0].company).count() == 2  # the wishes stay


def test_round_open_needs_an_offer(db):
    now = timezone.now()
    draft = TalkRound.objects.create(
        title="Entwurf", wish_deadline=now + timedelta(days=1), first_slot_at=now + timedelta(days=2)
    )
    assert draft.status == TalkRound.Status.DRAFT
    with pytest.raises(ValidationError) as exc:
        services.round_open(round=draft)
    assert exc.value.code == "empty"
    assert TalkRound.objects.get(pk=draft.pk).status == TalkRound.Status.DRAFT
    TalkOffer.objects.create(round=draft, company=CompanyFactory())
    services.round_open(round=draft)
    assert TalkRound.objects.get(pk=draft.pk).status == TalkRound.Status.OPEN
    with pytest.raises(ValidationError) as exc:
        services.round_open(round=draft)
    assert exc.value.code == "status"


# -------------------------------------------------------------------------------------------------- publishing


def test_publish_mails_pupils_and_company_members(talk_round, offers, pupils, run_tasks):
    wish_all(talk_round, offers, pupils)
    services.allocation_run(round=talk_round)
    member = UserFactory()
    CompanyMembership.objects.create(company=offers[0].company, user=member)
    CompanyMembership.objects.create(company=offers[0].company, user=UserFactory(email=""))  # no address
    CompanyMembership.objects.create(company=offers[1].company, user=UserFactory(is_active=False))
    outsider = UserFactory()  # a member of no company in the round
    CompanyMembership.objects.create(company=CompanyFactory(), user=outsider)

    assert services.round_publish(round=talk_round) == 4
    run_tasks()
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([*(p.email for p in pupils), member.email])
    company_mail = next(m for m in mail.outbox if m.to == [member.email])
    link = "http://testserver" + reverse("talks:company", args=[talk_round.pk, offers[0].company_id])
    assert link in company_mail.body
    assert offers[0].company.name in company_mail.body
    pupil_mail = next(m for m in mail.outbox if m.to == [pupils[0].email])
    assert "http://testserver" + reverse("talks:mine", args=[talk_round.pk]) in pupil_mail.body
    # publishing twice is refused and sends nothing more
    with pytest.raises(ValidationError) as exc:
        services.round_publish(round=talk_round)
    assert exc.value.code == "status"


# ------------------------------------------------------------------------------------------------- staff pages


def _allocate_with_unfulfilled(talk_round, offers, pupils, wish):
    """One seat (company 0 at slot 0 only) for three pupils wishing ``wish``, and a pupil without consent."""
    offers[0].available_slots = [0]
    offers[0].save()
    young = PupilFactory(nickname="Zarathustrine")
    for pupil in [*pupils, young]:
        services.wishes_set(pupil=pupil, round=talk_round, wishes=[wish])
    close_wishes(talk_round)
    services.allocation_run(round=talk_round)


def _assert_manage_page(client, staff, talk_round):
    client.force_login(staff)
    page = client.get(reverse("talks:manage", args=[talk_round.pk]))
    assert page.status_code == 200
    text = page.text
    talk = Talk.objects.get(round=talk_round)
    assert 'id="plan"' in text and f'id="talk-{talk.pk}"' in text
    assert talk.pupil.display_name in text
    assert reverse("talks:talk_move", args=[talk_round.pk, talk.pk]) in text
    assert reverse("talks:talk_remove", args=[talk_round.pk, talk.pk]) in text
    unfulfilled = TalkWish.objects.exclude(outcome="fulfilled")
    assert sorted(unfulfilled.values_list("outcome", flat=True)) == ["capacity", "capacity", "consent"]
    for wish in unfulfilled:
        assert escape(str(REASONS[wish.outcome])) in text, wish.outcome
        assert f"{reverse('talks:talk_add', args=[talk_round.pk])}?pupil={wish.pupil_id}" in text
    assert "Zarathustrine" in text


def test_manage_page_shows_plan_and_unfulfilled_reasons(client, staff, talk_round, offers, pupils):
    _allocate_with_unfulfilled(talk_round, offers, pupils, offers[0].company.professions.get())
    _assert_manage_page(client, staff, talk_round)


def test_manage_page_with_unfulfilled_company_wishes(client, staff, talk_round, offers, pupils):
    _allocate_with_unfulfilled(talk_round, offers, pupils, offers[0].company)
    _assert_manage_page(client, staff, talk_round)


def test_manage_page_before_the_allocation_has_no_plan(client, staff, talk_round, offers):
    client.force_login(staff)
    page = client.get(reverse("talks:manage", args=[talk_round.pk]))
    assert page.status_code == 200
    assert 'id="plan"' not in page.text
    assert reverse("talks:allocate", args=[talk_round.pk]) in page.text


def _offer_post(company, **over):
    data = {
        "company": company.pk,
        "parallel": 2,
        "group_size": 3,
        "mode": "online",
        "table": "",
        "slots": ["1", "2"],
    }
    data.update(over)
    return data


def test_staff_add_an_offer_via_the_form(client, staff, talk_round):
    company = CompanyFactory()
    client.force_login(staff)
    url = reverse("talks:offer_new", args=[talk_round.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _offer_post(company, parallel=2, group_size=2))
    assert response.status_code == 302
    assert response["Location"] == reverse("talks:manage", args=[talk_round.pk])
    offer = TalkOffer.objects.get(round=talk_round)
    assert (offer.company, offer.seats, offer.available_slots) == (company, 4, [1, 2])
    # every slot ticked = the whole round; a company already in the round cannot be added twice
    other = CompanyFactory()
    client.post(url, _offer_post(other, slots=["0", "1", "2", "3"], parallel=1, group_size=1))
    assert TalkOffer.objects.get(company=other).available_slots == []
    response = client.post(url, _offer_post(company, parallel=1, group_size=1))
    assert response.status_code == 200 and "company" in response.context["form"].errors
    assert TalkOffer.objects.count() == 2


FORM_BUG = (
    "BUG: OfferForm.clean_group_size = clean_parallel reads cleaned_data['parallel'], so group_size is saved as "
    "the parallel value, group_size 0 is accepted and parallel 0 raises KeyError (500)"
)


def test_staff_offer_form_saves_the_group_size(client, staff, talk_round):
    client.force_login(staff)
    client.post(reverse("talks:offer_new", args=[talk_round.pk]), _offer_post(CompanyFactory()))
    offer = TalkOffer.objects.get(round=talk_round)
    assert (offer.parallel, offer.group_size) == (2, 3)


@pytest.mark.parametrize("field", ["parallel", "group_size"])
def test_staff_offer_form_refuses_zero_capacity(client, staff, talk_round, field):
    client.force_login(staff)
    response = client.post(
        reverse("talks:offer_new", args=[talk_round.pk]), _offer_post(CompanyFactory(), **{field: 0})
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not TalkOffer.objects.exists()


def test_staff_offer_form_keeps_capacity_above_planned_talks(client, staff, talk_round, offers, pupils):
    offer = offers[0]
    Talk.objects.create(round=talk_round, offer=offer, pupil=pupils[0], slot=1)
    client.force_login(staff)
    url = reverse("talks:offer_edit", args=[talk_round.pk, offer.pk])
    response = client.post(url, _offer_post(offer.company, parallel=1, group_size=1, slots=["0"]))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert TalkOffer.objects.get(pk=offer.pk).available_slots == []


def _round_post(deadline, first, **over):
    data = {
        "title": "Neue Runde",
        "fair": "",
        "wish_deadline": timezone.localtime(deadline).strftime("%Y-%m-%dT%H:%M"),
        "first_slot_at": timezone.localtime(first).strftime("%Y-%m-%dT%H:%M"),
        "slot_minutes": 15,
        "n_slots": 6,
        "max_wishes": 3,
        "min_break_slots": 0,
        "hold_minutes": 60,
    }
    data.update(over)
    return data


def test_round_form_refuses_deadline_after_first_slot(client, staff):
    client.force_login(staff)
    url = reverse("talks:round_new")
    now = timezone.now()
    response = client.post(url, _round_post(now + timedelta(days=3), now + timedelta(days=2)))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not TalkRound.objects.exists()
    response = client.post(url, _round_post(now + timedelta(days=1), now + timedelta(days=2)))
    round = TalkRound.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("talks:manage", args=[round.pk])
    assert (round.status, round.n_slots, round.title) == (TalkRound.Status.DRAFT, 6, "Neue Runde")


def test_staff_allocate_and_publish_via_the_pages(client, staff, talk_round, offers, pupils, run_tasks):
    wish_all(talk_round, offers, pupils)
    client.force_login(staff)
    client.post(reverse("talks:allocate", args=[talk_round.pk]))
    assert run_tasks() == 1
    client.post(reverse("talks:publish", args=[talk_round.pk]))
    talk_round.refresh_from_db()
    assert talk_round.status == TalkRound.Status.PUBLISHED
    # removing a talk after publishing is refused with a message, the talk stays
    talk = Talk.objects.filter(round=talk_round).first()
    client.post(reverse("talks:talk_remove", args=[talk_round.pk, talk.pk]))
    assert Talk.objects.filter(pk=talk.pk).exists()
