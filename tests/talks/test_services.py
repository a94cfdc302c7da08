from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from einblick.talks import services
from einblick.talks.models import AllocationRun, Talk, TalkOffer, TalkRound, TalkWish
from tests.factories import CompanyFactory, ProfessionFactory
from tests.talks.conftest import close_wishes

pytestmark = pytest.mark.django_db


def test_wishes_set_replaces_ranked_wishes(talk_round, offers, pupils):
    pupil = pupils[0]
    services.wishes_set(pupil=pupil, round=talk_round, wishes=[offers[1].company, offers[0].company])
    services.wishes_set(pupil=pupil, round=talk_round, wishes=[offers[2].company])
    assert list(TalkWish.objects.filter(pupil=pupil).values_list("rank", "company")) == [
        (0, offers[2].company_id)
    ]
    assert talk_round.participants.filter(pupil=pupil).exists()


def test_wishes_set_accepts_profession(talk_round, offers, pupils):
    profession = offers[0].company.professions.get()
    services.wishes_set(pupil=pupils[0], round=talk_round, wishes=[profession])
    assert TalkWish.objects.get().profession == profession


@pytest.mark.parametrize(
    "case, message",
    [
        ("deadline", "Frist"),
        ("not_in_round", "bietet in dieser Runde keine"),
        ("duplicate", "zweimal"),
        ("too_many", "höchstens 3"),
    ],
)
def test_wishes_set_rejects_bad_input_in_german(talk_round, offers, pupils, case, message):
    companies = [o.company for o in offers]
    services.wishes_set(pupil=pupils[0], round=talk_round, wishes=[companies[0]])
    if case == "deadline":
        talk_round.wish_deadline = timezone.now() - timedelta(minutes=1)
        talk_round.save()
        wishes = companies[:1]
    elif case == "not_in_round":
        wishes = [CompanyFactory()]
    elif case == "duplicate":
        wishes = [companies[1], companies[1]]
    else:
        wishes = [*companies, ProfessionFactory(name="Tischler:in")]
    with pytest.raises(ValidationError) as exc:
        services.wishes_set(pupil=pupils[0], round=talk_round, wishes=wishes)
    assert message in exc.value.messages[0]
    # nothing changed
    assert list(TalkWish.objects.values_list("company", flat=True)) == [companies[0].pk]


def test_wish_needs_exactly_one_of_company_and_profession(talk_round, pupils):
    with pytest.raises(IntegrityError), transaction.atomic():
        TalkWish.objects.create(round=talk_round, pupil=pupils[0], rank=0)


def _wish_all(talk_round, offers, pupils):
    for pupil in pupils:
        services.wishes_set(pupil=pupil, round=talk_round, wishes=[o.company for o in offers])
    close_wishes(talk_round)


def test_allocation_run_writes_talks_and_summary(talk_round, offers, pupils):
    _wish_all(talk_round, offers, pupils)
    run = services.allocation_run(round=talk_round)
    assert run.status == AllocationRun.Status.DONE
    talk_round.refresh_from_db()
    assert talk_round.status == TalkRound.Status.REVIEW
    talks = Talk.objects.filter(round=talk_round)
    assert talks.count() == 9  # 3 pupils × 3 companies, 4 slots with 1 seat each
    for offer in offers:
        slots = list(talks.filter(offer=offer).values_list("slot", flat=True))
        assert len(slots) == len(set(slots))
    assert run.summary["pupils_with_talk"] == 3 == run.summary["bound_pupils"]
    assert run.summary["wishes_fulfilled"] == 9 == run.summary["bound_wishes"]
    assert run.summary["distribution"] == {"3": 3}
    # a second run replaces the allocated talks instead of adding to them
    services.allocation_run(round=talk_round)
    assert Talk.objects.filter(round=talk_round).count() == 9


def test_allocation_respects_availability(talk_round, offers, pupils):
    _wish_all(talk_round, offers, pupils)
    talk_round.participants.filter(pupil=pupils[0]).update(available_slots=[2])
    services.allocation_run(round=talk_round)
    assert list(Talk.objects.filter(pupil=pupils[0]).values_list("slot", flat=True)) == [2]


def test_allocation_started_twice_is_refused(talk_round, offers, pupils):
    _wish_all(talk_round, offers, pupils)
    services.allocation_start(round=talk_round, enqueue=False)
    with pytest.raises(ValidationError) as exc:
        services.allocation_start(round=talk_round, enqueue=False)
    assert "läuft bereits" in exc.value.messages[0]


def test_allocation_is_all_or_nothing(talk_round, offers, pupils, monkeypatch):
    _wish_all(talk_round, offers, pupils)
    services.allocation_run(round=talk_round)
    before = set(Talk.objects.values_list("pk", flat=True))
    original = Talk.objects.bulk_create

    def broken(objs, *args, **kwargs):
        original(list(objs)[:2])
        raise RuntimeError("disk full")

    monkeypatch.setattr(Talk.objects, "bulk_create", broken)
    run = services.allocation_run(round=talk_round)
    assert run.status == AllocationRun.Status.FAILED and "disk full" in run.error
    assert set(Talk.objects.values_list("pk", flat=True)) == before
    talk_round.refresh_from_db()
    assert talk_round.status == TalkRound.Status.REVIEW


def test_allocation_task(talk_round, offers, pupils, run_tasks):
    _wish_all(talk_round, offers, pupils)
    run = services.allocation_start(round=talk_round)
    assert run_tasks() == 1
    run.refresh_from_db()
    assert run.status == AllocationRun.Status.DONE


def test_publish_sends_plan_emails(talk_round, offers, pupils, run_tasks):
    _wish_all(talk_round, offers, pupils)
    with pytest.raises(ValidationError):
        services.round_publish(round=talk_round)
    services.allocation_run(round=talk_round)
    assert services.round_publish(round=talk_round) == 3
    talk_round.refresh_from_db()
    assert talk_round.status == TalkRound.Status.PUBLISHED
    run_tasks()
    assert len(mail.outbox) == 3
    body = next(m.body for m in mail.outbox if m.to == [pupils[0].email])
    assert offers[0].company.name in body and "Hallo" in body


@pytest.fixture
def published(talk_round):
    talk_round.status = TalkRound.Status.PUBLISHED
    talk_round.save()
    return talk_round


def test_booking_create_and_rules(published, offers, pupils):
    a, b, c = pupils
    talk = services.booking_create(round=published, pupil=a, offer=offers[0], slot=0)
    assert talk.source == Talk.Source.BOOKING and talk.video_url.startswith("https://meet.jit.si/")
    assert talk.video_url.endswith("#config.startWithVideoMuted=true")  # cameras off by default
    with pytest.raises(ValidationError, match="ausgebucht"):
        services.booking_create(round=published, pupil=b, offer=offers[0], slot=0)
    with pytest.raises(ValidationError, match="schon ein Gespräch mit diesem"):
        services.booking_create(round=published, pupil=a, offer=offers[0], slot=1)
    with pytest.raises(ValidationError, match="zu dieser Zeit"):
        services.booking_create(round=published, pupil=a, offer=offers[1], slot=0)
    with pytest.raises(ValidationError):
        services.booking_create(round=published, pupil=a, offer=offers[1], slot=99)
    services.booking_cancel(talk=talk)
    assert services.booking_create(round=published, pupil=b, offer=offers[0], slot=0).pupil == b
    other = TalkOffer.objects.create(
        round=TalkRound.objects.create(
            title="x", wish_deadline=published.wish_deadline, first_slot_at=published.first_slot_at
        ),
        company=CompanyFactory(),
    )
    with pytest.raises(ValidationError):
        services.booking_create(round=published, pupil=c, offer=other, slot=0)


def test_booking_needs_published_round(talk_round, offers, pupils):
    with pytest.raises(ValidationError, match="veröffentlicht"):
        services.booking_create(round=talk_round, pupil=pupils[0], offer=offers[0], slot=0)


def test_booked_talk_unique_per_pupil_slot(published, offers, pupils):
    Talk.objects.create(round=published, offer=offers[0], pupil=pupils[0], slot=1)
    Talk.objects.create(
        round=published, offer=offers[1], pupil=pupils[0], slot=1, status=Talk.Status.CANCELLED
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Talk.objects.create(round=published, offer=offers[2], pupil=pupils[0], slot=1)


def test_demo_round(db):
    from einblick.core.demo import demo_build
    from einblick.talks.models import Talk

    demo_build(seed=7)
    round, open_round = TalkRound.objects.order_by("first_slot_at")
    assert round.status == TalkRound.Status.PUBLISHED and round.fair is not None
    assert open_round.status == TalkRound.Status.OPEN and open_round.offers.count() == 10
    assert round.offers.count() == 15
    assert Talk.objects.filter(round=round).exists()
    assert round.runs.get().summary["pupils_with_talk"] == round.runs.get().summary["pupils"]
