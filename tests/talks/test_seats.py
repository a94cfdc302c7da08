"""Seats after publishing (services.seats): leftover booking, group talks, cancelling with the waiting list and its
time limit to accept, reminders and attendance (issue #5, step 4)."""

from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from einblick.talks import selectors, services
from einblick.talks.models import Talk, TalkOffer, TalkParticipant, TalkRound, WaitlistEntry
from einblick.talks.services import seats
from tests.factories import CompanyFactory, PupilFactory

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------------------------------------------ helpers


def codes(exc_info) -> list[str]:
    return [e.code for e in exc_info.value.error_list]


def publish(talk_round, **fields) -> TalkRound:
    """Put the round into the published state (wishes closed), optionally moving its times."""
    fields.setdefault("wish_deadline", timezone.now() - timedelta(hours=1))
    TalkRound.objects.filter(pk=talk_round.pk).update(status=TalkRound.Status.PUBLISHED, **fields)
    talk_round.refresh_from_db()
    return talk_round


@pytest.fixture
def published(talk_round):
    return publish(talk_round)


def adult():
    """A pupil who declared to be of consent age (design.md §7)."""
    return PupilFactory(consent_age_declared_at=timezone.now())


def book(round, pupil, offer, slot, **fields) -> Talk:
    """A booked talk written directly (the plan as the allocation left it)."""
    return Talk.objects.create(round=round, offer=offer, pupil=pupil, slot=slot, **fields)


@pytest.fixture
def enqueued(monkeypatch):
    """Every e-mail queued by services.seats as (to, template, context); the real e-mail is still queued."""
    calls = []
    original = seats.email_enqueue

    def spy(*, to, template, context, **kwargs):
        calls.append((to, template, context))
        return original(to=to, template=template, context=context, **kwargs)

    monkeypatch.setattr(seats, "email_enqueue", spy)
    return calls


def mine_url(round) -> str:
    return "http://testserver" + reverse("talks:mine", args=[round.pk])


# ---------------------------------------------------------------------------------------------- leftover booking


def test_booking_respects_company_time_windows(published, offers, pupils):
    offer = offers[0]
    offer.available_slots = [1, 2]
    offer.save()
    with pytest.raises(ValidationError) as exc:
        services.booking_create(round=published, pupil=pupils[0], offer=offer, slot=0)
    assert "company_window" in codes(exc)
    with pytest.raises(ValidationError) as exc:
        services.booking_create(round=published, pupil=pupils[0], offer=offer, slot=3)
    assert "company_window" in codes(exc)
    assert not Talk.objects.exists()
    talk = services.booking_create(round=published, pupil=pupils[0], offer=offer, slot=2)
    assert (talk.slot, talk.status, talk.source) == (2, Talk.Status.BOOKED, Talk.Source.BOOKING)
    # the free seats shown to pupils only contain the company's slots that are still free
    free = selectors.free_seats(round=published, offers=selectors.offers_for_round(published))
    row = next(r for r in free if r["offer"].pk == offer.pk)
    assert [s for s, _ in row["slots"]] == [1]


def test_booking_refused_outside_the_round_and_after_start(published, offers, pupils):
    with pytest.raises(ValidationError) as exc:
        services.booking_create(round=published, pupil=pupils[0], offer=offers[0], slot=4)
    assert exc.value.code == "slot"
    publish(published, first_slot_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError) as exc:
        services.booking_create(round=published, pupil=pupils[0], offer=offers[0], slot=0)
    assert exc.value.code == "past"
    # a later slot of the same round can still be booked
    assert services.booking_create(round=published, pupil=pupils[0], offer=offers[0], slot=1).slot == 1


def test_booking_needs_the_published_state(talk_round, offers, pupils):
    for status in (TalkRound.Status.OPEN, TalkRound.Status.REVIEW, TalkRound.Status.ALLOCATING):
        TalkRound.objects.filter(pk=talk_round.pk).update(status=status)
        talk_round.refresh_from_db()
        with pytest.raises(ValidationError) as exc:
            services.booking_create(round=talk_round, pupil=pupils[0], offer=offers[0], slot=0)
        assert exc.value.code == "status"
    assert not Talk.objects.exists()


def test_group_talks_fill_tables_up_to_the_group_size(published):
    offer = TalkOffer.objects.create(round=published, company=CompanyFactory(), parallel=2, group_size=2)
    assert offer.seats == 4
    group = [adult() for _ in range(5)]
    talks = [services.booking_create(round=published, pupil=p, offer=offer, slot=1) for p in group[:4]]
    per_table = Counter(t.table_no for t in talks)
    assert set(per_table) == {0, 1}
    assert max(per_table.values()) <= offer.group_size
    with pytest.raises(ValidationError) as exc:
        services.booking_create(round=published, pupil=group[4], offer=offer, slot=1)
    assert codes(exc) == ["full"]
    # a cancelled seat is filled again on the table that has room
    services.booking_cancel(talk=talks[0])
    again = services.booking_create(round=published, pupil=group[4], offer=offer, slot=1)
    assert again.table_no == talks[0].table_no
    live = Talk.objects.filter(offer=offer, slot=1, status=Talk.Status.BOOKED)
    assert live.count() == 4
    assert max(Counter(live.values_list("table_no", flat=True)).values()) == 2
    # the video room is shared by the pupils of one table, not across tables
    rooms = {t.video_url for t in live.filter(table_no=0)}
    assert len(rooms) == 1 and rooms.isdisjoint({t.video_url for t in live.filter(table_no=1)})


def test_group_talk_same_pupil_not_twice_in_the_company(published, pupils):
    offer = TalkOffer.objects.create(round=published, company=CompanyFactory(), parallel=2, group_size=2)
    services.booking_create(round=published, pupil=pupils[0], offer=offer, slot=0)
    with pytest.raises(ValidationError) as exc:
        services.booking_create(round=published, pupil=pupils[0], offer=offer, slot=0)
    assert "same_company" in codes(exc)
    with pytest.raises(ValidationError) as exc:
        services.booking_create(round=published, pupil=pupils[0], offer=offer, slot=2)
    assert codes(exc) == ["same_company"]


def test_booking_and_waiting_list_need_consent_under_the_consent_age(published, offers):
    young = PupilFactory()  # under the consent age, nothing declared, no parent asked
    with pytest.raises(ValidationError) as exc:
        services.booking_create(round=published, pupil=young, offer=offers[0], slot=0)
    assert exc.value.code == "consent"
    with pytest.raises(ValidationError) as exc:
        services.waitlist_join(round=published, pupil=young, offer=offers[0])
    assert exc.value.code == "consent"
    assert not Talk.objects.exists() and not WaitlistEntry.objects.exists()


def test_booking_removes_the_pupil_from_that_waiting_list(published, offers, pupils):
    services.waitlist_join(round=published, pupil=pupils[0], offer=offers[1])
    services.booking_create(round=published, pupil=pupils[0], offer=offers[1], slot=3)
    assert not WaitlistEntry.objects.filter(pupil=pupils[0]).exists()
    assert TalkParticipant.objects.filter(round=published, pupil=pupils[0]).exists()


# ---------------------------------------------------------------------------------- cancelling and the waiting list


def test_cancel_offers_the_seat_to_the_first_waiting_pupil(published, offers, pupils, enqueued, run_tasks):
    a, b, c = pupils
    talk = book(published, a, offers[0], 1)
    services.waitlist_join(round=published, pupil=b, offer=offers[0])
    services.waitlist_join(round=published, pupil=c, offer=offers[0])
    before = timezone.now()
    services.booking_cancel(talk=talk)
    after = timezone.now()

    talk.refresh_from_db()
    assert talk.status == Talk.Status.CANCELLED
    held = Talk.objects.get(status=Talk.Status.OFFERED)
    assert (held.pupil, held.offer, held.slot, held.source) == (b, offers[0], 1, Talk.Source.WAITLIST)
    hold = timedelta(minutes=published.hold_minutes)
    assert before + hold <= held.hold_until <= after + hold
    assert held.hold_until <= published.slot_start(1) - timedelta(minutes=5)
    # b left the waiting list, c is still waiting
    assert list(WaitlistEntry.objects.values_list("pupil", flat=True)) == [c.pk]

    assert [(to, template) for to, template, _ in enqueued] == [(b.email, "talks/email/seat_offered")]
    assert enqueued[0][2]["url"] == mine_url(published)
    assert enqueued[0][2]["talk"] == held
    run_tasks()
    assert [m.to for m in mail.outbox] == [[b.email]]
    assert offers[0].company.name in mail.outbox[0].subject
    assert mine_url(published) in mail.outbox[0].body


def test_hold_ends_five_minutes_before_the_talk(published, offers, pupils):
    a, b, _ = pupils
    publish(published, first_slot_at=timezone.now() + timedelta(minutes=20), hold_minutes=60)
    talk = book(published, a, offers[0], 0)
    services.waitlist_join(round=published, pupil=b, offer=offers[0])
    services.booking_cancel(talk=talk)
    held = Talk.objects.get(status=Talk.Status.OFFERED)
    assert held.hold_until == published.slot_start(0) - timedelta(minutes=5)


def test_no_seat_offer_shortly_before_the_talk(published, offers, pupils, enqueued):
    a, b, _ = pupils
    talk = book(published, a, offers[0], 0)
    talk.status = Talk.Status.CANCELLED
    talk.save()
    services.waitlist_join(round=published, pupil=b, offer=offers[0])
    starts = published.slot_start(0)
    assert services.seat_freed(offer=offers[0], slot=0, now=starts - timedelta(minutes=4)) is None
    assert services.seat_freed(offer=offers[0], slot=0, now=starts - timedelta(minutes=5)) is None
    assert not Talk.objects.filter(status=Talk.Status.OFFERED).exists()
    assert WaitlistEntry.objects.filter(pupil=b).exists() and not enqueued
    held = services.seat_freed(offer=offers[0], slot=0, now=starts - timedelta(minutes=6))
    assert held.pupil == b and held.hold_until == starts - timedelta(minutes=5)


def test_waiting_pupil_who_is_busy_or_already_with_the_company_is_skipped(published, offers, pupils):
    a, busy, with_company = pupils
    fitting = adult()
    talk = book(published, a, offers[0], 2)
    book(published, busy, offers[1], 2)  # busy at slot 2
    for pupil in (busy, with_company, fitting):
        services.waitlist_join(round=published, pupil=pupil, offer=offers[0])
    # with_company gets a talk with the company after joining the waiting list (e.g. booked by staff)
    book(published, with_company, offers[0], 3)
    services.booking_cancel(talk=talk)
    held = Talk.objects.get(status=Talk.Status.OFFERED)
    assert (held.pupil, held.slot) == (fitting, 2)
    # the skipped pupils keep their place on the list for another seat
    assert set(WaitlistEntry.objects.values_list("pupil", flat=True)) == {busy.pk, with_company.pk}


def test_waiting_pupil_outside_their_availability_or_inactive_is_skipped(published, offers, pupils):
    a, unavailable, inactive = pupils
    fitting = adult()
    TalkParticipant.objects.create(round=published, pupil=unavailable, available_slots=[0, 1])
    inactive.is_active = False
    inactive.save()
    talk = book(published, a, offers[0], 2)
    for pupil in (unavailable, inactive, fitting):
        services.waitlist_join(round=published, pupil=pupil, offer=offers[0])
    services.booking_cancel(talk=talk)
    assert Talk.objects.get(status=Talk.Status.OFFERED).pupil == fitting


def test_cancel_without_waiting_list_frees_the_seat_for_everyone(published, offers, pupils):
    a, b, _ = pupils
    talk = book(published, a, offers[0], 0)
    services.booking_cancel(talk=talk)
    assert not Talk.objects.filter(status=Talk.Status.OFFERED).exists()
    assert services.booking_create(round=published, pupil=b, offer=offers[0], slot=0).pupil == b


def test_cancel_refused_twice_and_after_start(published, offers, pupils):
    talk = book(published, pupils[0], offers[0], 0)
    services.booking_cancel(talk=talk)
    with pytest.raises(ValidationError) as exc:
        services.booking_cancel(talk=talk)
    assert exc.value.code == "status"
    started = book(published, pupils[1], offers[1], 0)
    publish(published, first_slot_at=timezone.now() - timedelta(minutes=1))
    started.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.booking_cancel(talk=started)
    assert exc.value.code == "past"
    assert Talk.objects.get(pk=started.pk).status == Talk.Status.BOOKED


def test_held_seat_counts_as_taken(published, offers, pupils):
    a, b, c = pupils
    talk = book(published, a, offers[0], 0)
    services.waitlist_join(round=published, pupil=b, offer=offers[0])
    services.booking_cancel(talk=talk)
    assert Talk.objects.get(status=Talk.Status.OFFERED).pupil == b
    with pytest.raises(ValidationError) as exc:
        services.booking_create(round=published, pupil=c, offer=offers[0], slot=0)
    assert codes(exc) == ["full"]
    # and the held pupil is busy at that time and counts as being with the company
    with pytest.raises(ValidationError) as exc:
        services.booking_create(round=published, pupil=b, offer=offers[1], slot=0)
    assert codes(exc) == ["busy"]
    free = selectors.free_seats(round=published, offers=selectors.offers_for_round(published))
    assert 0 not in [s for s, _ in next(r for r in free if r["offer"].pk == offers[0].pk)["slots"]]


def test_hold_accept_books_the_seat(published, offers, pupils):
    a, b, _ = pupils
    talk = book(published, a, offers[0], 1)
    services.waitlist_join(round=published, pupil=b, offer=offers[0])
    services.booking_cancel(talk=talk)
    held = Talk.objects.get(status=Talk.Status.OFFERED)
    accepted = services.hold_accept(talk=held, now=held.hold_until - timedelta(seconds=1))
    assert (accepted.status, accepted.hold_until, accepted.source) == (
        Talk.Status.BOOKED,
        None,
        Talk.Source.WAITLIST,
    )
    # accepting twice is refused, the booking stays
    with pytest.raises(ValidationError) as exc:
        services.hold_accept(talk=held)
    assert exc.value.code == "expired"
    assert Talk.objects.get(pk=held.pk).status == Talk.Status.BOOKED


def test_hold_accept_after_expiry_is_refused(published, offers, pupils):
    a, b, _ = pupils
    talk = book(published, a, offers[0], 1)
    services.waitlist_join(round=published, pupil=b, offer=offers[0])
    services.booking_cancel(talk=talk)
    held = Talk.objects.get(status=Talk.Status.OFFERED)
    for late in (held.hold_until, held.hold_until + timedelta(minutes=1)):
        with pytest.raises(ValidationError) as exc:
            services.hold_accept(talk=held, now=late)
        assert exc.value.code == "expired"
    assert Talk.objects.get(pk=held.pk).status == Talk.Status.OFFERED


def test_holds_expire_passes_the_seat_to_the_next_in_line(published, offers, pupils, enqueued):
    a, b, c = pupils
    talk = book(published, a, offers[0], 1)
    services.waitlist_join(round=published, pupil=b, offer=offers[0])
    services.waitlist_join(round=published, pupil=c, offer=offers[0])
    services.booking_cancel(talk=talk)
    first = Talk.objects.get(status=Talk.Status.OFFERED)
    assert first.pupil == b
    # not yet expired: nothing happens
    assert services.holds_expire(now=first.hold_until - timedelta(seconds=1)) == 0
    assert Talk.objects.get(pk=first.pk).status == Talk.Status.OFFERED

    now = first.hold_until + timedelta(seconds=1)
    assert services.holds_expire(now=now) == 1
    first.refresh_from_db()
    assert first.status == Talk.Status.EXPIRED
    second = Talk.objects.get(status=Talk.Status.OFFERED)
    assert (second.pupil, second.slot, second.source) == (c, 1, Talk.Source.WAITLIST)
    expected = min(
        now + timedelta(minutes=published.hold_minutes), published.slot_start(1) - timedelta(minutes=5)
    )
    assert second.hold_until == expected
    assert [to for to, _, _ in enqueued] == [b.email, c.email]
    # the expired pupil cannot accept any more
    with pytest.raises(ValidationError) as exc:
        services.hold_accept(talk=first, now=now)
    assert exc.value.code == "expired"
    # the waiting list is used up: when c's time runs out as well, the seat is free for everyone
    assert services.holds_expire(now=second.hold_until) == 1
    assert not Talk.objects.filter(status=Talk.Status.OFFERED).exists()
    assert services.booking_create(round=published, pupil=b, offer=offers[0], slot=1).pupil == b


def test_hold_release_expired_only_after_the_time(published, offers, pupils):
    a, b, _ = pupils
    talk = book(published, a, offers[0], 1)
    services.waitlist_join(round=published, pupil=b, offer=offers[0])
    services.booking_cancel(talk=talk)
    held = Talk.objects.get(status=Talk.Status.OFFERED)
    assert services.hold_release(talk=held, expired=True, now=held.hold_until - timedelta(minutes=1)) is False
    assert Talk.objects.get(pk=held.pk).status == Talk.Status.OFFERED
    assert services.hold_release(talk=held, expired=True, now=held.hold_until) is True
    assert Talk.objects.get(pk=held.pk).status == Talk.Status.EXPIRED
    assert services.hold_release(talk=held, expired=True, now=held.hold_until) is False


def test_declining_a_held_seat_passes_it_on(published, offers, pupils):
    a, b, c = pupils
    talk = book(published, a, offers[0], 1)
    services.waitlist_join(round=published, pupil=b, offer=offers[0])
    services.waitlist_join(round=published, pupil=c, offer=offers[0])
    services.booking_cancel(talk=talk)
    held = Talk.objects.get(status=Talk.Status.OFFERED)
    assert services.hold_release(talk=held) is True
    assert Talk.objects.get(pk=held.pk).status == Talk.Status.CANCELLED
    assert Talk.objects.get(status=Talk.Status.OFFERED).pupil == c


def test_hold_expire_task_runs_after_the_time_limit(
    published, offers, pupils, run_tasks, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    a, b, c = pupils
    book(published, a, offers[0], 1, status=Talk.Status.CANCELLED)
    services.waitlist_join(round=published, pupil=b, offer=offers[0])
    services.waitlist_join(round=published, pupil=c, offer=offers[0])
    # the seat was offered two hours ago with one hour to accept: the expiry task is due now
    with django_capture_on_commit_callbacks(execute=True):
        held = services.seat_freed(offer=offers[0], slot=1, now=timezone.now() - timedelta(hours=2))
    assert held.pupil == b and held.hold_until < timezone.now()
    task = DBTaskResult.objects.get(task_path__endswith="hold_expire_task")
    assert task.run_after == held.hold_until
    with django_capture_on_commit_callbacks(execute=True):
        assert run_tasks() >= 1
    held.refresh_from_db()
    assert held.status == Talk.Status.EXPIRED
    nxt = Talk.objects.get(status=Talk.Status.OFFERED)
    assert nxt.pupil == c and nxt.hold_until > timezone.now()
    # c's expiry is queued for later and does not run yet; the e-mails to b and c went out
    assert DBTaskResult.objects.filter(task_path__endswith="hold_expire_task").count() == 2
    run_tasks()
    assert Talk.objects.get(pk=nxt.pk).status == Talk.Status.OFFERED
    assert sorted(m.to[0] for m in mail.outbox) == sorted([b.email, c.email])


def test_hold_expire_task_leaves_an_accepted_seat_alone(
    published, offers, pupils, run_tasks, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    a, b, _ = pupils
    book(published, a, offers[0], 1, status=Talk.Status.CANCELLED)
    services.waitlist_join(round=published, pupil=b, offer=offers[0])
    with django_capture_on_commit_callbacks(execute=True):
        held = services.seat_freed(offer=offers[0], slot=1)
    services.hold_accept(talk=held)
    DBTaskResult.objects.filter(task_path__endswith="hold_expire_task").update(run_after=timezone.now())
    run_tasks()
    assert Talk.objects.get(pk=held.pk).status == Talk.Status.BOOKED


# ------------------------------------------------------------------------------------------------- waiting list


def test_waitlist_join_refuses_a_company_the_pupil_already_has(published, offers, pupils):
    book(published, pupils[0], offers[0], 0)
    with pytest.raises(ValidationError) as exc:
        services.waitlist_join(round=published, pupil=pupils[0], offer=offers[0])
    assert exc.value.code == "same_company"
    assert not WaitlistEntry.objects.exists()


def test_waitlist_join_refuses_a_held_seat_with_the_company(published, offers, pupils):
    book(published, pupils[0], offers[0], 0, status=Talk.Status.OFFERED, hold_until=timezone.now())
    with pytest.raises(ValidationError) as exc:
        services.waitlist_join(round=published, pupil=pupils[0], offer=offers[0])
    assert exc.value.code == "same_company"


def test_waitlist_join_is_idempotent_and_leave_removes(published, offers, pupils):
    first = services.waitlist_join(round=published, pupil=pupils[0], offer=offers[0])
    assert services.waitlist_join(round=published, pupil=pupils[0], offer=offers[0]) == first
    assert WaitlistEntry.objects.count() == 1
    services.waitlist_leave(round=published, pupil=pupils[0], offer=offers[0])
    assert not WaitlistEntry.objects.exists()


def test_waitlist_join_needs_published_round_of_the_offer(published, offers, pupils):
    other_round = TalkRound.objects.create(
        title="Andere Runde",
        wish_deadline=published.wish_deadline,
        first_slot_at=published.first_slot_at,
        status=TalkRound.Status.PUBLISHED,
    )
    with pytest.raises(ValidationError) as exc:
        services.waitlist_join(round=other_round, pupil=pupils[0], offer=offers[0])
    assert exc.value.code == "not_in_round"
    TalkRound.objects.filter(pk=published.pk).update(status=TalkRound.Status.REVIEW)
    published.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.waitlist_join(round=published, pupil=pupils[0], offer=offers[0])
    assert exc.value.code == "status"
    assert not WaitlistEntry.objects.exists()


# ---------------------------------------------------------------------------------------------------- reminders


@pytest.fixture
def soon(published, offers, pupils):
    """A booked talk at the first slot of the published round."""
    return book(published, pupils[0], offers[0], 0)


def test_reminder_once_within_the_lead_time(published, soon, enqueued, run_tasks):
    starts = soon.starts_at
    assert settings_lead() == timedelta(minutes=30)
    assert services.reminders_send(now=starts - timedelta(minutes=31)) == 0
    assert services.reminders_send(now=starts - timedelta(minutes=30)) == 1
    assert services.reminders_send(now=starts - timedelta(minutes=29)) == 0
    assert services.reminders_send(now=starts - timedelta(minutes=1)) == 0
    soon.refresh_from_db()
    assert soon.reminded_at == starts - timedelta(minutes=30)
    assert [(to, template) for to, template, _ in enqueued] == [(soon.pupil.email, "talks/email/reminder")]
    assert enqueued[0][2]["url"] == mine_url(published)
    run_tasks()
    assert len(mail.outbox) == 1 and soon.offer.company.name in mail.outbox[0].subject


def settings_lead():
    return seats.reminder_lead()


def test_reminder_lead_time_is_a_setting(settings, published, soon):
    settings.EINBLICK = {**settings.EINBLICK, "TALK_REMINDER_MINUTES": 10}
    starts = soon.starts_at
    assert services.reminders_send(now=starts - timedelta(minutes=11)) == 0
    assert services.reminders_send(now=starts - timedelta(minutes=9)) == 1


def test_no_reminder_after_the_start_or_for_unpublished_rounds(published, soon):
    starts = soon.starts_at
    assert services.reminders_send(now=starts) == 0
    assert services.reminders_send(now=starts + timedelta(minutes=1)) == 0
    TalkRound.objects.filter(pk=published.pk).update(status=TalkRound.Status.REVIEW)
    assert services.reminders_send(now=starts - timedelta(minutes=5)) == 0
    assert Talk.objects.get(pk=soon.pk).reminded_at is None


def test_no_reminder_for_cancelled_held_or_mailless(published, offers, pupils, enqueued):
    a, b, c = pupils
    book(published, a, offers[0], 0, status=Talk.Status.CANCELLED)
    book(published, b, offers[1], 0, status=Talk.Status.OFFERED, hold_until=timezone.now())
    c.email = ""
    c.save()
    book(published, c, offers[2], 0)
    inactive = PupilFactory(is_active=False, consent_age_declared_at=timezone.now())
    book(published, inactive, offers[0], 0)
    assert services.reminders_send(now=published.slot_start(0) - timedelta(minutes=5)) == 0
    assert not enqueued


def test_reminders_sent_once_even_when_called_twice(published, offers, pupils, run_tasks):
    for pupil, offer in zip(pupils, offers, strict=True):
        book(published, pupil, offer, 0)
    now = published.slot_start(0) - timedelta(minutes=10)
    assert services.reminders_send(now=now) == 3
    assert services.reminders_send(now=now) == 0
    assert services.reminders_send(now=now + timedelta(minutes=5)) == 0
    run_tasks()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in pupils)


def test_moved_talk_is_reminded_again(published, offers, pupils):
    talk = book(published, pupils[0], offers[0], 0)
    assert services.reminders_send(now=published.slot_start(0) - timedelta(minutes=10)) == 1
    services.talk_place(round=published, pupil=pupils[0], offer=offers[0], slot=2, talk=talk)
    assert Talk.objects.get(pk=talk.pk).reminded_at is None
    assert services.reminders_send(now=published.slot_start(2) - timedelta(minutes=10)) == 1


def test_send_reminders_command_runs_the_talks_sweep(published, offers, pupils, run_tasks):
    a, b, c = pupils
    publish(published, first_slot_at=timezone.now() + timedelta(minutes=10))
    talk = book(published, a, offers[0], 0)
    # a seat offer whose time ran out, with c waiting for the same seat
    held = book(published, b, offers[1], 1, status=Talk.Status.OFFERED, hold_until=timezone.now())
    services.waitlist_join(round=published, pupil=c, offer=offers[1])
    out = StringIO()
    call_command("send_reminders", stdout=out)
    assert "1 talk reminder(s) queued, 1 seat offer(s) expired." in out.getvalue()
    assert Talk.objects.get(pk=talk.pk).reminded_at is not None
    assert Talk.objects.get(pk=held.pk).status == Talk.Status.EXPIRED
    assert Talk.objects.get(status=Talk.Status.OFFERED).pupil == c
    # running it again sends nothing new
    out = StringIO()
    call_command("send_reminders", stdout=out)
    assert "0 talk reminder(s) queued, 0 seat offer(s) expired." in out.getvalue()
    run_tasks()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([a.email, c.email])


def test_send_reminders_enqueue_queues_the_talks_sweep(published, soon, run_tasks):
    from django_tasks_db.models import DBTaskResult

    publish(published, first_slot_at=timezone.now() + timedelta(minutes=10))
    call_command("send_reminders", "--enqueue", stdout=StringIO())
    assert DBTaskResult.objects.filter(task_path__endswith="talks_sweep_task").count() == 1
    run_tasks()
    assert Talk.objects.get(pk=soon.pk).reminded_at is not None
    assert [m.to for m in mail.outbox] == [[soon.pupil.email]]


# --------------------------------------------------------------------------------------------------- attendance


def test_attendance_only_from_the_start(published, offers, pupils):
    talk = book(published, pupils[0], offers[0], 1)
    with pytest.raises(ValidationError) as exc:
        services.attendance_mark(talk=talk, attended=True, now=talk.starts_at - timedelta(seconds=1))
    assert exc.value.code == "early"
    assert Talk.objects.get(pk=talk.pk).status == Talk.Status.BOOKED
    services.attendance_mark(talk=talk, attended=True, now=talk.starts_at)
    assert Talk.objects.get(pk=talk.pk).status == Talk.Status.ATTENDED
    # a mistake can be corrected
    services.attendance_mark(talk=talk, attended=False, now=talk.ends_at + timedelta(days=1))
    assert Talk.objects.get(pk=talk.pk).status == Talk.Status.NO_SHOW


def test_attendance_within_fourteen_days(published, offers, pupils):
    talk = book(published, pupils[0], offers[0], 1)
    services.attendance_mark(talk=talk, attended=False, now=talk.ends_at + timedelta(days=14))
    assert Talk.objects.get(pk=talk.pk).status == Talk.Status.NO_SHOW
    with pytest.raises(ValidationError) as exc:
        services.attendance_mark(talk=talk, attended=True, now=talk.ends_at + timedelta(days=14, seconds=1))
    assert exc.value.code == "late"
    assert Talk.objects.get(pk=talk.pk).status == Talk.Status.NO_SHOW


@pytest.mark.parametrize("status", [Talk.Status.CANCELLED, Talk.Status.OFFERED, Talk.Status.EXPIRED])
def test_attendance_only_for_booked_talks(published, offers, pupils, status):
    talk = book(published, pupils[0], offers[0], 1, status=status)
    with pytest.raises(ValidationError) as exc:
        services.attendance_mark(talk=talk, attended=True, now=talk.starts_at + timedelta(minutes=1))
    assert exc.value.code == "status"
    assert Talk.objects.get(pk=talk.pk).status == status


def test_repeated_no_shows_across_rounds(published, offers, pupils):
    a, b, c = pupils
    second = TalkRound.objects.create(
        title="Zweite Runde",
        wish_deadline=published.wish_deadline,
        first_slot_at=published.first_slot_at + timedelta(days=7),
        status=TalkRound.Status.PUBLISHED,
    )
    second_offer = TalkOffer.objects.create(round=second, company=offers[0].company)
    after = second.slot_start(3) + timedelta(minutes=30)
    plan = [
        (published, offers[0], a, 0, False),
        (second, second_offer, a, 1, False),
        (published, offers[1], a, 2, True),
        (published, offers[0], b, 1, False),  # only one no-show
        (published, offers[1], b, 0, True),
        (published, offers[0], c, 2, True),
        (second, second_offer, c, 0, True),
    ]
    for round, offer, pupil, slot, came in plan:
        talk = book(round, pupil, offer, slot)
        services.attendance_mark(talk=talk, attended=came, now=after)
    rows = list(selectors.repeated_no_shows())
    assert [(u.pk, u.no_shows) for u in rows] == [(a.pk, 2)]
    assert [(u.pk, u.no_shows) for u in selectors.repeated_no_shows(minimum=1)] == [(a.pk, 2), (b.pk, 1)]
