"""Services of the events app (issue #6): registration of pupils and classes, waiting list and moving up, consent
holds, confirmation, cancellation, groups, reminders, check-in, feedback. Assertions use the ValidationError codes,
not the (German, still being translated) texts."""

import random
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.forms.models import model_to_dict
from django.utils import timezone

from einblick.accounts import services as account_services
from einblick.events import services
from einblick.events.forms import EventForm
from einblick.events.models import ACTIVE, HOLDING, Event, Feedback, Registration
from tests.factories import EventFactory, PupilFactory, SchoolClassFactory, TeacherFactory

pytestmark = pytest.mark.django_db

S = Registration.Status


# ------------------------------------------------------------------------------------------------------ helpers


def code(exc_info) -> str:
    return exc_info.value.error_list[0].code


def adult(**kwargs):
    """A pupil who declared to be of consent age."""
    return PupilFactory(consent_age_declared_at=timezone.now(), **kwargs)


def register_group(event, places, *, allow_split=False, names="", school_class=None):
    school_class = school_class or SchoolClassFactory()
    return services.register_class(
        event=event,
        teacher=school_class.teacher,
        school_class=school_class,
        places=places,
        allow_split=allow_split,
        names=names,
    )


def fresh(registration: Registration) -> Registration:
    registration.refresh_from_db()
    return registration


def held(event: Event) -> int:
    return services.places_held(event)


def ask_parent(event, pupil, email="mama.mueller@example.org"):
    return account_services.consent_request(
        pupil=pupil,
        purpose=services.consent_purpose(event),
        label=services.consent_label(event),
        parent_email=email,
    )


def edit_form(event: Event, **changes) -> EventForm:
    """The staff's event form for ``event`` with ``changes``, bound the way a POST of the unchanged page would be."""
    data = model_to_dict(event, fields=EventForm._meta.fields)
    data["hosts"] = [h.pk for h in event.hosts.all()]
    data["professions"] = [p.pk for p in event.professions.all()]
    data = {k: v for k, v in data.items() if v is not None}
    data.update(changes)
    return EventForm(data=data, instance=event)


@pytest.fixture
def sent(monkeypatch):
    """The e-mails the events services queue, as (template name, recipient); they are still queued for real."""
    calls = []
    original = services.email_enqueue

    def spy(*, to, template, context, **kwargs):
        calls.append((template.rsplit("/", 1)[-1], to))
        return original(to=to, template=template, context=context, **kwargs)

    monkeypatch.setattr(services, "email_enqueue", spy)
    return calls


@pytest.fixture
def small(host):
    """A published event with one place."""
    return EventFactory(hosts=[host], capacity=1)


# ------------------------------------------------------------------------------------------------ register_pupil


def test_pupil_with_a_free_place_is_confirmed(event, pupil, sent, run_tasks):
    registration = services.register_pupil(event=event, pupil=pupil)
    assert registration.status == S.CONFIRMED
    assert registration.places == 1 and registration.hold_until is None
    assert registration.confirmed_at is not None
    assert held(event) == 1
    assert sent == [("registered", pupil.email)]
    run_tasks()
    assert [m.to for m in mail.outbox] == [[pupil.email]]


def test_young_pupil_waits_for_a_parent_and_keeps_the_place(event, young_pupil):
    before = timezone.now()
    registration = services.register_pupil(event=event, pupil=young_pupil)
    assert registration.status == S.AWAITING_PARENT
    assert registration.confirmed_at is None
    hold = timedelta(hours=settings.EINBLICK["EVENT_CONSENT_HOLD_HOURS"])
    assert before + hold <= registration.hold_until <= timezone.now() + hold
    assert held(event) == 1  # the place is kept for the parent's answer


def test_parent_agrees_by_the_link_and_the_registration_is_confirmed(event, young_pupil, sent, run_tasks):
    consent = ask_parent(event, young_pupil)
    registration = services.register_pupil(event=event, pupil=young_pupil)
    assert registration.status == S.AWAITING_PARENT
    run_tasks()
    assert "mama.mueller@example.org" in [m.to[0] for m in mail.outbox]  # the consent request went out
    account_services.consent_answer(token=consent.token, accept=True)
    registration = fresh(registration)
    assert registration.status == S.CONFIRMED
    assert registration.hold_until is None and registration.confirmed_at is not None
    assert ("confirmed", young_pupil.email) in sent
    # the same answer twice changes nothing
    account_services.consent_answer(token=consent.token, accept=True)
    assert fresh(registration).status == S.CONFIRMED
    assert sent.count(("confirmed", young_pupil.email)) == 1


def test_parent_declines_the_place_is_freed_and_the_next_moves_up(small, young_pupil, pupil, sent):
    consent = ask_parent(small, young_pupil)
    kept = services.register_pupil(event=small, pupil=young_pupil)
    waiting = services.register_pupil(event=small, pupil=pupil)
    assert (kept.status, waiting.status) == (S.AWAITING_PARENT, S.WAITLISTED)
    account_services.consent_answer(token=consent.token, accept=False)
    assert fresh(kept).status == S.CANCELLED
    waiting = fresh(waiting)
    assert waiting.status == S.OFFERED and waiting.hold_until is not None
    assert ("offered", pupil.email) in sent
    assert held(small) == 1


def test_consent_for_another_purpose_changes_nothing(event, young_pupil):
    registration = services.register_pupil(event=event, pupil=young_pupil)
    other = EventFactory()
    consent = ask_parent(other, young_pupil)
    account_services.consent_answer(token=consent.token, accept=True)
    assert fresh(registration).status == S.AWAITING_PARENT


def test_pupil_with_a_parents_consent_is_confirmed_at_once(event, young_pupil):
    consent = ask_parent(event, young_pupil)
    account_services.consent_answer(token=consent.token, accept=True)
    assert services.register_pupil(event=event, pupil=young_pupil).status == S.CONFIRMED


def test_full_event_puts_the_pupil_on_the_waiting_list(small, pupil, sent):
    first = services.register_pupil(event=small, pupil=adult())
    second = services.register_pupil(event=small, pupil=pupil)
    assert first.status == S.CONFIRMED
    assert second.status == S.WAITLISTED and second.hold_until is None and second.confirmed_at is None
    assert held(small) == 1
    assert ("registered", pupil.email) in sent


def test_young_pupil_on_a_full_event_waits_without_a_hold(small, young_pupil):
    services.register_pupil(event=small, pupil=adult())
    registration = services.register_pupil(event=small, pupil=young_pupil)
    assert registration.status == S.WAITLISTED and registration.hold_until is None


@pytest.mark.parametrize("status", [S.CONFIRMED, S.WAITLISTED])
def test_duplicate_registration_is_refused(small, pupil, status):
    if status == S.WAITLISTED:
        services.register_pupil(event=small, pupil=adult())
    services.register_pupil(event=small, pupil=pupil)
    with pytest.raises(ValidationError) as exc:
        services.register_pupil(event=small, pupil=pupil)
    assert code(exc) == "duplicate"
    assert Registration.objects.filter(event=small, pupil=pupil).count() == 1


def test_after_cancelling_the_pupil_may_register_again(event, pupil):
    services.registration_cancel(registration=services.register_pupil(event=event, pupil=pupil))
    again = services.register_pupil(event=event, pupil=pupil)
    assert again.status == S.CONFIRMED
    assert Registration.objects.filter(event=event, pupil=pupil).count() == 2


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"status": Event.Status.DRAFT}, "not_published"),
        ({"status": Event.Status.CANCELLED}, "not_published"),
        ({"registration_opens": timedelta(days=1)}, "not_yet"),
        ({"registration_closes": timedelta(minutes=-1)}, "closed"),
    ],
)
def test_registration_only_while_open(pupil, teacher, school_class, change, expected):
    now = timezone.now()
    values = {k: now + v if isinstance(v, timedelta) else v for k, v in change.items()}
    event = EventFactory(**values)
    with pytest.raises(ValidationError) as exc:
        services.register_pupil(event=event, pupil=pupil)
    assert code(exc) == expected
    with pytest.raises(ValidationError) as exc:
        services.register_class(event=event, teacher=teacher, school_class=school_class, places=3)
    assert code(exc) == expected
    assert not Registration.objects.exists()


@pytest.mark.parametrize("year, ok", [(6, False), (7, True), (10, True), (11, False), (None, True)])
def test_school_year_must_be_in_the_events_range(event, year, ok):
    pupil = adult(school_year=year)
    if ok:
        assert services.register_pupil(event=event, pupil=pupil).status == S.CONFIRMED
    else:
        with pytest.raises(ValidationError) as exc:
            services.register_pupil(event=event, pupil=pupil)
        assert code(exc) == "grade"
        assert not Registration.objects.exists()


# ------------------------------------------------------------------------------------------------ register_class


def test_class_with_free_places_is_confirmed(event, teacher, school_class, sent):
    [registration] = services.register_class(
        event=event, teacher=teacher, school_class=school_class, places=5, names="Ada\nBen"
    )
    assert registration.status == S.CONFIRMED and registration.is_group
    assert registration.places == 5 and registration.teacher == teacher
    assert registration.name_list == ["Ada", "Ben"]
    assert registration.split_from is None
    assert held(event) == 5
    assert sent == [("registered", teacher.email)]


def test_class_registration_is_not_held_back_by_consent(event, teacher, school_class):
    """A teacher's class registration covers the consent rule: confirmed at once, no hold."""
    [registration] = services.register_class(
        event=event, teacher=teacher, school_class=school_class, places=3
    )
    assert registration.status == S.CONFIRMED and registration.hold_until is None


def test_class_of_another_teacher_is_refused(event, school_class):
    with pytest.raises(ValidationError) as exc:
        services.register_class(event=event, teacher=TeacherFactory(), school_class=school_class, places=3)
    assert code(exc) == "not_your_class"
    assert not Registration.objects.exists()


@pytest.mark.parametrize("places, expected", [(13, "too_large"), (0, "places")])
def test_group_size_must_fit_the_event(event, teacher, school_class, places, expected):
    with pytest.raises(ValidationError) as exc:
        services.register_class(event=event, teacher=teacher, school_class=school_class, places=places)
    assert code(exc) == expected
    assert not Registration.objects.exists()


def test_class_outside_the_school_years_is_refused(event):
    school_class = SchoolClassFactory(school_year=12)
    with pytest.raises(ValidationError) as exc:
        register_group(event, 3, school_class=school_class)
    assert code(exc) == "grade"


def test_a_class_registers_only_once(event, teacher, school_class):
    services.register_class(event=event, teacher=teacher, school_class=school_class, places=3)
    with pytest.raises(ValidationError) as exc:
        services.register_class(event=event, teacher=teacher, school_class=school_class, places=2)
    assert code(exc) == "duplicate"
    assert Registration.objects.filter(event=event).count() == 1


def test_a_split_class_still_registers_only_once(event, teacher, school_class):
    register_group(event, 10)
    services.register_class(
        event=event, teacher=teacher, school_class=school_class, places=5, allow_split=True
    )
    with pytest.raises(ValidationError) as exc:
        services.register_class(event=event, teacher=teacher, school_class=school_class, places=1)
    assert code(exc) == "duplicate"


def test_group_that_does_not_fit_waits_as_a_whole(event, teacher, school_class):
    register_group(event, 10)
    [registration] = services.register_class(
        event=event, teacher=teacher, school_class=school_class, places=5
    )
    assert registration.status == S.WAITLISTED and registration.places == 5
    assert held(event) == 10


def test_group_that_may_be_split_takes_the_free_places_and_waits_with_the_rest(
    event, teacher, school_class, sent
):
    register_group(event, 10)
    sent.clear()
    confirmed, waiting = services.register_class(
        event=event, teacher=teacher, school_class=school_class, places=5, allow_split=True, names="Ada\nBen"
    )
    assert (confirmed.status, confirmed.places) == (S.CONFIRMED, 2)
    assert (waiting.status, waiting.places) == (S.WAITLISTED, 3)
    assert waiting.split_from == confirmed and confirmed.split_from is None
    assert waiting.school_class == school_class and waiting.teacher == teacher
    assert confirmed.name_list == ["Ada", "Ben"]
    assert held(event) == 12
    assert sent == [("registered", teacher.email), ("registered", teacher.email)]


def test_splittable_group_on_a_full_event_waits_as_a_whole(event, teacher, school_class):
    register_group(event, 12)
    [registration] = services.register_class(
        event=event, teacher=teacher, school_class=school_class, places=4, allow_split=True
    )
    assert (
        registration.status == S.WAITLISTED and registration.places == 4 and registration.split_from is None
    )


# ------------------------------------------------------------------------------------------------------ promote


def test_cancellation_offers_the_place_to_the_first_on_the_waiting_list(small, sent, run_tasks):
    first = services.register_pupil(event=small, pupil=adult())
    second = services.register_pupil(event=small, pupil=adult())
    third = services.register_pupil(event=small, pupil=adult())
    sent.clear()
    now = timezone.now()
    services.registration_cancel(registration=first, now=now)
    second, third = fresh(second), fresh(third)
    assert second.status == S.OFFERED
    assert second.hold_until == now + timedelta(hours=small.hold_hours)
    assert third.status == S.WAITLISTED
    assert sent == [("cancelled", first.pupil.email), ("offered", second.pupil.email)]
    assert held(small) == 1
    run_tasks()
    until = timezone.localtime(second.hold_until).strftime("%d.%m.%Y %H:%M")
    offers = [m for m in mail.outbox if until in m.body]  # the offer names its time limit
    assert [m.to for m in offers] == [[second.pupil.email]]
    assert "http://testserver/veranstaltungen/meine/" in offers[0].body


def test_offer_never_lasts_beyond_the_start(host):
    event = EventFactory(hosts=[host], capacity=1, hold_hours=48)
    first = services.register_pupil(event=event, pupil=adult())
    second = services.register_pupil(event=event, pupil=adult())
    now = event.starts_at - timedelta(hours=5)
    services.registration_cancel(registration=first, by_staff=True, now=now)
    assert fresh(second).hold_until == event.starts_at


def test_no_moving_up_once_the_event_has_started(small):
    first = services.register_pupil(event=small, pupil=adult())
    second = services.register_pupil(event=small, pupil=adult())
    services.registration_cancel(
        registration=first, by_staff=True, now=small.starts_at + timedelta(minutes=5)
    )
    assert fresh(second).status == S.WAITLISTED


def test_group_that_does_not_fit_is_skipped_for_a_smaller_entry(event, sent):
    register_group(event, 10)
    a = services.register_pupil(event=event, pupil=adult())
    services.register_pupil(event=event, pupil=adult())
    [group] = register_group(event, 5)
    late = services.register_pupil(event=event, pupil=adult())
    assert (group.status, late.status) == (S.WAITLISTED, S.WAITLISTED)
    sent.clear()
    services.registration_cancel(registration=a)
    assert fresh(group).status == S.WAITLISTED  # 1 free place, 5 needed, no split allowed
    assert fresh(late).status == S.OFFERED
    assert [t for t, _ in sent] == ["cancelled", "offered"]


def test_splittable_group_is_split_when_places_free_up(event, sent):
    register_group(event, 10)
    a = services.register_pupil(event=event, pupil=adult())
    b = services.register_pupil(event=event, pupil=adult())
    [group] = register_group(event, 5, allow_split=True)
    late = services.register_pupil(event=event, pupil=adult())
    sent.clear()
    services.registration_cancel(registration=a)
    group = fresh(group)
    assert (group.status, group.places) == (S.OFFERED, 1)
    assert group.hold_until is not None
    [rest] = Registration.objects.filter(event=event, status=S.WAITLISTED, split_from=group)
    assert rest.places == 4 and rest.allow_split and rest.school_class == group.school_class
    assert rest.created_at == group.created_at  # the rest keeps its turn before later entries
    assert fresh(late).status == S.WAITLISTED
    assert sent == [("cancelled", a.pupil.email), ("offered", group.teacher.email)]
    # the next free place goes to the rest of the group again, not to the pupil behind it
    services.registration_cancel(registration=b)
    rest = fresh(rest)
    assert (rest.status, rest.places) == (S.OFFERED, 1)
    assert Registration.objects.get(event=event, status=S.WAITLISTED, teacher=group.teacher).places == 3
    assert fresh(late).status == S.WAITLISTED
    assert held(event) == 12


def test_several_places_free_move_several_entries_up(event):
    [group] = register_group(event, 12)
    waiting = [services.register_pupil(event=event, pupil=adult()) for _ in range(3)]
    services.registration_cancel(registration=group)
    assert [fresh(r).status for r in waiting] == [S.OFFERED] * 3
    assert held(event) == 3


# ------------------------------------------------------------------------------------------ registration_confirm


def offered_registration(event, pupil):
    """``pupil`` got a place offered from the waiting list of a one-place event."""
    first = services.register_pupil(event=event, pupil=adult())
    registration = services.register_pupil(event=event, pupil=pupil)
    services.registration_cancel(registration=first)
    registration = fresh(registration)
    assert registration.status == S.OFFERED
    return registration


def test_confirming_an_offered_place(small, pupil, sent):
    registration = offered_registration(small, pupil)
    sent.clear()
    registration = services.registration_confirm(registration=registration)
    assert registration.status == S.CONFIRMED
    assert registration.hold_until is None and registration.confirmed_at is not None
    assert fresh(registration).status == S.CONFIRMED
    assert sent == [("confirmed", pupil.email)]
    assert held(small) == 1


def test_confirming_after_the_time_limit_fails_and_the_sweep_expires_it(small, pupil, sent):
    registration = offered_registration(small, pupil)
    nxt = services.register_pupil(event=small, pupil=adult())
    late = registration.hold_until + timedelta(seconds=1)
    with pytest.raises(ValidationError) as exc:
        services.registration_confirm(registration=registration, now=late)
    assert code(exc) == "expired"
    assert fresh(registration).status == S.OFFERED
    sent.clear()
    assert services.holds_expire(now=late) == 1
    assert fresh(registration).status == S.EXPIRED and registration.hold_until is None
    assert fresh(nxt).status == S.OFFERED
    assert sent == [("expired", pupil.email), ("offered", nxt.pupil.email)]
    with pytest.raises(ValidationError) as exc:
        services.registration_confirm(registration=registration, now=late)
    assert code(exc) == "status"


def test_young_pupil_confirming_an_offer_waits_for_a_parent(small, young_pupil):
    registration = offered_registration(small, young_pupil)
    now = timezone.now()
    registration = services.registration_confirm(registration=registration, now=now)
    assert registration.status == S.AWAITING_PARENT
    assert registration.hold_until == now + timedelta(hours=settings.EINBLICK["EVENT_CONSENT_HOLD_HOURS"])
    assert registration.confirmed_at is None
    assert held(small) == 1


def test_group_confirms_an_offered_place(small):
    first = services.register_pupil(event=small, pupil=adult())
    [group] = register_group(small, 1)
    services.registration_cancel(registration=first)
    assert services.registration_confirm(registration=fresh(group)).status == S.CONFIRMED


@pytest.mark.parametrize("status", [S.CONFIRMED, S.WAITLISTED])
def test_nothing_to_confirm_without_an_offer(small, status):
    registration = services.register_pupil(event=small, pupil=adult())
    if status == S.WAITLISTED:
        registration = services.register_pupil(event=small, pupil=adult())
    with pytest.raises(ValidationError) as exc:
        services.registration_confirm(registration=registration)
    assert code(exc) == "status"
    assert fresh(registration).status == status


# ------------------------------------------------------------------------------------------------- holds_expire


def test_expired_parent_hold_frees_the_place_for_the_waiting_list(small, young_pupil, pupil, sent):
    kept = services.register_pupil(event=small, pupil=young_pupil)
    waiting = services.register_pupil(event=small, pupil=pupil)
    assert services.holds_expire(now=kept.hold_until - timedelta(seconds=1)) == 0
    assert fresh(kept).status == S.AWAITING_PARENT
    sent.clear()
    later = kept.hold_until
    assert services.holds_expire(now=later) == 1
    assert fresh(kept).status == S.EXPIRED
    waiting = fresh(waiting)
    assert waiting.status == S.OFFERED
    assert waiting.hold_until == min(later + timedelta(hours=small.hold_hours), small.starts_at)
    assert sent == [("expired", young_pupil.email), ("offered", pupil.email)]
    assert services.holds_expire(now=later) == 0  # safe to run again


def test_a_parent_agreeing_after_the_hold_expired_changes_nothing(small, young_pupil):
    consent = ask_parent(small, young_pupil)
    kept = services.register_pupil(event=small, pupil=young_pupil)
    services.holds_expire(now=kept.hold_until)
    account_services.consent_answer(token=consent.token, accept=True)
    assert fresh(kept).status == S.EXPIRED
    assert held(small) == 0


def test_expired_offers_move_the_list_up_one_after_another(small):
    pupils = [adult() for _ in range(4)]
    first, *waiting = [services.register_pupil(event=small, pupil=p) for p in pupils]
    services.registration_cancel(registration=first)
    offer = fresh(waiting[0])
    now = offer.hold_until
    assert services.holds_expire(now=now) == 1
    assert [fresh(r).status for r in waiting] == [S.EXPIRED, S.OFFERED, S.WAITLISTED]
    now = fresh(waiting[1]).hold_until
    assert services.holds_expire(now=now) == 1
    assert [fresh(r).status for r in waiting] == [S.EXPIRED, S.EXPIRED, S.OFFERED]


# -------------------------------------------------------------------------------------------- registration_cancel


def test_pupil_cancels_until_the_cut_off(event, pupil, sent):
    registration = services.register_pupil(event=event, pupil=pupil)
    sent.clear()
    services.registration_cancel(registration=registration, now=event.cancel_until)
    registration = fresh(registration)
    assert registration.status == S.CANCELLED and registration.cancelled_at == event.cancel_until
    assert sent == [("cancelled", pupil.email)]
    assert held(event) == 0


def test_pupil_cannot_cancel_after_the_cut_off_but_staff_can(event, pupil):
    registration = services.register_pupil(event=event, pupil=pupil)
    late = event.cancel_until + timedelta(minutes=1)
    with pytest.raises(ValidationError) as exc:
        services.registration_cancel(registration=registration, now=late)
    assert code(exc) == "too_late"
    assert fresh(registration).status == S.CONFIRMED
    services.registration_cancel(registration=registration, by_staff=True, now=late)
    assert fresh(registration).status == S.CANCELLED


def test_cancelling_twice_is_refused(event, pupil):
    registration = services.register_pupil(event=event, pupil=pupil)
    services.registration_cancel(registration=registration)
    with pytest.raises(ValidationError) as exc:
        services.registration_cancel(registration=registration)
    assert code(exc) == "status"
    stale = Registration.objects.get(pk=registration.pk)
    stale.status = S.CONFIRMED  # a stale copy (another tab) does not cancel twice either
    with pytest.raises(ValidationError) as exc:
        services.registration_cancel(registration=stale)
    assert code(exc) == "status"


def test_teacher_cancels_a_class(event, teacher, school_class):
    [registration] = services.register_class(
        event=event, teacher=teacher, school_class=school_class, places=6
    )
    services.registration_cancel(registration=registration)
    assert fresh(registration).status == S.CANCELLED
    assert held(event) == 0


# ------------------------------------------------------------------------------------------------- group_update


def test_fewer_places_move_the_waiting_list_up(event, teacher, school_class):
    [group] = services.register_class(event=event, teacher=teacher, school_class=school_class, places=12)
    waiting = services.register_pupil(event=event, pupil=adult())
    services.group_update(registration=group, places=11, names="Ada")
    group = fresh(group)
    assert (group.places, group.names) == (11, "Ada")
    assert fresh(waiting).status == S.OFFERED
    assert held(event) == 12


def test_more_places_only_if_they_are_free(event, teacher, school_class):
    [group] = services.register_class(event=event, teacher=teacher, school_class=school_class, places=10)
    services.register_pupil(event=event, pupil=adult())
    with pytest.raises(ValidationError) as exc:
        services.group_update(registration=group, places=12, names="geändert")
    assert code(exc) == "full"
    group = fresh(group)
    assert (group.places, group.names) == (10, "")  # nothing changed
    services.group_update(registration=group, places=11, names="")
    assert fresh(group).places == 11
    assert held(event) == 12


@pytest.mark.parametrize("places, expected", [(13, "too_large"), (0, "places")])
def test_group_size_limits_on_update(event, teacher, school_class, places, expected):
    [group] = services.register_class(event=event, teacher=teacher, school_class=school_class, places=4)
    with pytest.raises(ValidationError) as exc:
        services.group_update(registration=group, places=places, names="")
    assert code(exc) == expected
    assert fresh(group).places == 4


def test_waiting_group_may_grow_without_free_places(event, teacher, school_class):
    register_group(event, 12)
    [group] = services.register_class(event=event, teacher=teacher, school_class=school_class, places=3)
    services.group_update(registration=group, places=6, names="")
    assert fresh(group).places == 6 and group.status == S.WAITLISTED
    assert held(event) == 12


def test_members_only_from_the_class(event, teacher, school_class):
    [group] = services.register_class(event=event, teacher=teacher, school_class=school_class, places=4)
    mine = PupilFactory(school_class=school_class)
    stranger = PupilFactory(school_class=SchoolClassFactory())
    loner = PupilFactory()
    services.group_update(registration=group, places=4, names="", members=[mine, stranger, loner])
    assert list(fresh(group).members.all()) == [mine]


def test_pupil_registrations_and_cancelled_groups_cannot_be_updated(event, pupil, teacher, school_class):
    alone = services.register_pupil(event=event, pupil=pupil)
    with pytest.raises(ValidationError) as exc:
        services.group_update(registration=alone, places=2, names="")
    assert code(exc) == "status"
    [group] = services.register_class(event=event, teacher=teacher, school_class=school_class, places=4)
    services.registration_cancel(registration=group)
    with pytest.raises(ValidationError) as exc:
        services.group_update(registration=fresh(group), places=2, names="")
    assert code(exc) == "status"


def test_waiting_group_that_shrinks_to_fit_moves_up(event, teacher, school_class):
    register_group(event, 10)  # 2 places free
    [group] = services.register_class(event=event, teacher=teacher, school_class=school_class, places=5)
    assert group.status == S.WAITLISTED
    services.group_update(registration=group, places=2, names="")
    assert fresh(group).status == S.OFFERED  # it fits now and is first in line


# ------------------------------------------------------------------------------------------ capacity, property


def _check_invariants(event: Event, step: str) -> None:
    event.refresh_from_db()
    regs = list(Registration.objects.filter(event=event))
    taken = sum(r.places for r in regs if r.status in HOLDING)
    assert taken <= event.capacity, step
    assert taken == services.places_held(event)
    free = event.capacity - taken
    if free > 0:
        for r in regs:
            if r.status == S.WAITLISTED:
                # only a group that does not fit and may not be split may wait while places are free
                assert r.is_group and not r.allow_split and r.places > free, (step, r.pk, r.places, free)
    for r in regs:
        if r.status in (S.OFFERED, S.AWAITING_PARENT):
            assert r.hold_until is not None, step
        if r.status in (S.CONFIRMED, S.WAITLISTED):
            assert r.hold_until is None, step
    pupils = [r.pupil_id for r in regs if r.status in ACTIVE and r.pupil_id]
    assert len(pupils) == len(set(pupils)), step


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6, 7, 8])
def test_capacity_is_never_exceeded_in_random_sequences(host, seed):
    """Random registrations, cancellations, confirmations, group changes, consent answers, expiries and capacity
    changes: the places held never exceed the capacity, and nobody who would fit waits while places are free."""
    rng = random.Random(seed)
    event = EventFactory(hosts=[host], capacity=rng.randint(3, 6))
    pupils = [adult() for _ in range(12)] + [PupilFactory() for _ in range(4)]  # 4 under the consent age
    classes = [SchoolClassFactory() for _ in range(4)]
    clock = timezone.now()
    limit = event.registration_closes - timedelta(hours=1)
    codes = []
    seen = set()

    def active(**filters):
        filters.setdefault("status__in", ACTIVE)
        return list(Registration.objects.filter(event=event, **filters).order_by("pk"))

    def op_pupil():
        services.register_pupil(event=event, pupil=rng.choice(pupils), now=clock)

    def op_class():
        school_class = rng.choice(classes)
        services.register_class(
            event=event,
            teacher=school_class.teacher,
            school_class=school_class,
            places=rng.randint(1, min(6, event.capacity)),
            allow_split=rng.random() < 0.5,
        )

    def op_cancel():
        if regs := active():
            services.registration_cancel(
                registration=rng.choice(regs), by_staff=rng.random() < 0.3, now=clock
            )

    def op_confirm():
        if regs := active(status=S.OFFERED):
            services.registration_confirm(registration=rng.choice(regs), now=clock)

    def op_parent():
        if regs := active(status=S.AWAITING_PARENT):
            services.consent_changed(
                pupil=rng.choice(regs).pupil,
                purpose=services.consent_purpose(event),
                accepted=rng.random() < 0.5,
                now=clock,
            )

    def op_resize():
        # groups that hold places; a waiting group that shrinks is the known bug tested above
        if regs := active(teacher__isnull=False, status__in=HOLDING):
            services.group_update(registration=rng.choice(regs), places=rng.randint(1, 7), names="")

    def op_grow_waiting():
        if regs := active(teacher__isnull=False, status=S.WAITLISTED):
            registration = rng.choice(regs)
            services.group_update(
                registration=registration, places=registration.places + rng.randint(1, 2), names=""
            )

    def op_tick():
        nonlocal clock
        clock = min(clock + timedelta(hours=rng.randint(1, 30)), limit)
        services.holds_expire(now=clock)

    def op_capacity():
        form = edit_form(event, capacity=event.capacity + 1)
        assert form.is_valid(), form.errors
        services.event_save(form=form)

    ops = (
        [op_pupil] * 5 + [op_class] * 3 + [op_cancel] * 3 + [op_confirm] * 2 + [op_parent, op_resize, op_tick]
    )
    ops += [op_tick, op_grow_waiting, op_capacity]
    for step in range(90):
        op = rng.choice(ops)
        try:
            op()
        except ValidationError as exc:
            codes.append(exc.error_list[0].code)
        _check_invariants(event, f"seed {seed}, step {step}: {op.__name__}")
        seen.update(Registration.objects.filter(event=event).values_list("status", flat=True))
    print(seed, sorted(seen), codes)
    assert {S.CONFIRMED, S.WAITLISTED, S.OFFERED, S.CANCELLED} <= seen  # the sequence did exercise the list
    assert set(codes) <= {"duplicate", "full", "status", "too_large", "expired", "too_late", "places"}


# --------------------------------------------------------------------------------------------------- event_save


def test_more_places_on_an_event_move_the_waiting_list_up(small, sent):
    services.register_pupil(event=small, pupil=adult())
    waiting = [services.register_pupil(event=small, pupil=adult()) for _ in range(3)]
    sent.clear()
    form = edit_form(small, capacity=3)
    assert form.is_valid(), form.errors
    services.event_save(form=form)
    assert [fresh(r).status for r in waiting] == [S.OFFERED, S.OFFERED, S.WAITLISTED]
    assert [t for t, _ in sent] == ["offered", "offered"]
    assert held(small) == 3


def test_event_form_refuses_a_capacity_below_the_places_taken(event):
    register_group(event, 8)
    form = edit_form(event, capacity=7)
    assert not form.is_valid()
    assert "capacity" in form.errors
    assert edit_form(event, capacity=8).is_valid()


# ----------------------------------------------------------------------------------------------------- reminders


def test_reminder_the_day_before_is_sent_once(event, pupil, teacher, school_class, sent, run_tasks):
    confirmed = services.register_pupil(event=event, pupil=pupil)
    [group] = services.register_class(event=event, teacher=teacher, school_class=school_class, places=11)
    services.register_pupil(event=event, pupil=adult())  # waitlisted: no reminder
    assert services.reminders_send(now=event.starts_at - timedelta(hours=25)) == 0
    run_tasks()
    mail.outbox.clear()
    sent.clear()
    now = event.starts_at - timedelta(hours=20)
    assert services.reminders_send(now=now) == 2
    assert services.reminders_send(now=now) == 0
    assert services.reminders_send(now=now + timedelta(hours=1)) == 0
    assert sorted(sent) == sorted([("reminder", pupil.email), ("reminder", teacher.email)])
    assert fresh(confirmed).reminded_at == now and fresh(group).reminded_at == now
    run_tasks()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([pupil.email, teacher.email])


def test_no_reminder_for_a_draft_or_past_event(event, pupil):
    services.register_pupil(event=event, pupil=pupil)
    assert services.reminders_send(now=event.starts_at + timedelta(minutes=1)) == 0
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    assert services.reminders_send(now=event.starts_at - timedelta(hours=2)) == 0


def test_send_reminders_command_runs_the_events_sweep(event, pupil, run_tasks):
    registration = services.register_pupil(event=event, pupil=pupil)
    offered = offered_registration(EventFactory(capacity=1), adult())
    soon = timezone.now() + timedelta(hours=10)
    Event.objects.filter(pk=event.pk).update(starts_at=soon, ends_at=soon + timedelta(hours=3))
    Registration.objects.filter(pk=offered.pk).update(hold_until=timezone.now() - timedelta(minutes=1))
    run_tasks()
    mail.outbox.clear()
    out = StringIO()
    call_command("send_reminders", stdout=out)
    assert "1 event reminder(s) queued, 1 kept place(s) expired." in out.getvalue()
    assert fresh(registration).reminded_at is not None
    assert fresh(offered).status == S.EXPIRED
    out = StringIO()
    call_command("send_reminders", stdout=out)
    assert "0 event reminder(s) queued, 0 kept place(s) expired." in out.getvalue()
    run_tasks()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([pupil.email, offered.pupil.email])


def test_send_reminders_enqueue_queues_the_events_sweep(event, pupil, run_tasks):
    from django_tasks_db.models import DBTaskResult

    registration = services.register_pupil(event=event, pupil=pupil)
    soon = timezone.now() + timedelta(hours=10)
    Event.objects.filter(pk=event.pk).update(starts_at=soon, ends_at=soon + timedelta(hours=3))
    run_tasks()
    call_command("send_reminders", "--enqueue", stdout=StringIO())
    assert DBTaskResult.objects.filter(task_path__endswith="events_sweep_task").count() == 1
    run_tasks()
    assert fresh(registration).reminded_at is not None


# ------------------------------------------------------------------------------------------------------ check-in


@pytest.fixture
def ticket(event, pupil):
    return services.register_pupil(event=event, pupil=pupil)


def test_checkin_by_typed_code_or_scanned_payload(event, ticket, host_member):
    now = event.starts_at - timedelta(minutes=30)
    typed = ticket.ticket_display.lower()  # "abcd-efgh-jkmn"
    registration = services.checkin(event=event, code=f"  {typed} ", by=host_member, now=now)
    assert registration.checked_in_at == now and registration.checked_in_by == host_member
    assert registration.attended == 1
    with pytest.raises(ValidationError) as exc:
        services.checkin(event=event, code=f"EINBLICK-TICKET:{ticket.ticket}", by=host_member, now=now)
    assert code(exc) == "already"
    assert fresh(ticket).checked_in_at == now


def test_checkin_of_a_group_counts_those_present(event, teacher, school_class, staff):
    [group] = services.register_class(event=event, teacher=teacher, school_class=school_class, places=6)
    [other] = register_group(event, 3)
    for wrong in (0, 7, -1, "drei"):
        with pytest.raises(ValidationError) as exc:
            services.checkin(event=event, code=group.ticket, by=staff, attended=wrong, now=event.starts_at)
        assert code(exc) == "attended"
    assert fresh(group).checked_in_at is None
    registration = services.checkin(event=event, code=group.ticket, by=staff, attended=4, now=event.starts_at)
    assert (registration.attended, registration.places) == (4, 6)
    assert services.checkin(event=event, code=other.ticket, by=staff, now=event.starts_at).attended == 3


def test_checkin_only_for_a_published_event(event, ticket, staff):
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    event.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.checkin(event=event, code=ticket.ticket, by=staff, now=event.starts_at)
    assert code(exc) == "not_published"
    assert fresh(ticket).checked_in_at is None


def test_checkin_refuses_bad_tickets(event, ticket, host_member):
    now = event.starts_at
    other = services.register_pupil(event=EventFactory(), pupil=adult())
    with pytest.raises(ValidationError) as exc:
        services.checkin(event=event, code="ZZZZ-ZZZZ-ZZZZ", by=host_member, now=now)
    assert code(exc) == "unknown"
    with pytest.raises(ValidationError) as exc:
        services.checkin(event=event, code="", by=host_member, now=now)
    assert code(exc) == "unknown"
    with pytest.raises(ValidationError) as exc:
        services.checkin(event=event, code=other.ticket, by=host_member, now=now)
    assert code(exc) == "other_event"
    services.registration_cancel(registration=ticket)
    with pytest.raises(ValidationError) as exc:
        services.checkin(event=event, code=ticket.ticket, by=host_member, now=now)
    assert code(exc) == "not_confirmed"
    assert not Registration.objects.filter(checked_in_at__isnull=False).exists()


def test_checkin_refuses_waiting_and_awaiting_parent(small, young_pupil, pupil, host_member):
    kept = services.register_pupil(event=small, pupil=young_pupil)
    waiting = services.register_pupil(event=small, pupil=pupil)
    for registration in (kept, waiting):
        with pytest.raises(ValidationError) as exc:
            services.checkin(event=small, code=registration.ticket, by=host_member, now=small.starts_at)
        assert code(exc) == "not_confirmed"


@pytest.mark.parametrize(
    "when, ok",
    [
        (lambda e: e.starts_at - timedelta(days=1), False),
        (lambda e: e.starts_at - services.CHECKIN_EARLY - timedelta(minutes=1), False),
        (lambda e: e.starts_at - services.CHECKIN_EARLY, True),
        (lambda e: e.ends_at + services.CHECKIN_LATE, True),
        (lambda e: e.ends_at + services.CHECKIN_LATE + timedelta(minutes=1), False),
    ],
)
def test_checkin_only_on_the_day(event, ticket, host_member, when, ok):
    if ok:
        assert services.checkin(
            event=event, code=ticket.ticket, by=host_member, now=when(event)
        ).checked_in_at
    else:
        with pytest.raises(ValidationError) as exc:
            services.checkin(event=event, code=ticket.ticket, by=host_member, now=when(event))
        assert code(exc) == "not_today"
        assert fresh(ticket).checked_in_at is None


# ------------------------------------------------------------------------------------------------------ feedback


def test_feedback_after_the_event_from_participants_once(event, ticket, host_member):
    services.checkin(event=event, code=ticket.ticket, by=host_member, now=event.starts_at)
    with pytest.raises(ValidationError) as exc:
        services.feedback_submit(registration=ticket, stars=5, now=event.ends_at - timedelta(minutes=1))
    assert code(exc) == "early"
    after = event.ends_at + timedelta(hours=1)
    with pytest.raises(ValidationError) as exc:
        services.feedback_submit(registration=fresh(ticket), stars=6, now=after)
    assert code(exc) == "stars"
    feedback = services.feedback_submit(
        registration=fresh(ticket), stars=4, liked="Die Werkstatt", improve="Mehr Zeit", now=after
    )
    assert (feedback.event, feedback.stars, feedback.liked, feedback.improve) == (
        event,
        4,
        "Die Werkstatt",
        "Mehr Zeit",
    )
    with pytest.raises(ValidationError) as exc:
        services.feedback_submit(registration=fresh(ticket), stars=1, now=after)
    assert code(exc) == "duplicate"
    assert Feedback.objects.count() == 1


def test_feedback_only_from_those_who_were_there(event, ticket):
    with pytest.raises(ValidationError) as exc:
        services.feedback_submit(registration=ticket, stars=5, now=event.ends_at + timedelta(hours=1))
    assert code(exc) == "not_attended"
    assert not Feedback.objects.exists()


def test_feedback_is_anonymous(event, ticket, host_member, pupil):
    services.checkin(event=event, code=ticket.ticket, by=host_member, now=event.starts_at)
    feedback = services.feedback_submit(
        registration=fresh(ticket), stars=3, now=event.ends_at + timedelta(hours=1)
    )
    relations = {f.name: f.related_model for f in Feedback._meta.get_fields() if f.is_relation}
    assert relations == {"event": Event}  # no link to a user or a registration
    stored = " ".join(str(v) for v in Feedback.objects.filter(pk=feedback.pk).values().get().values())
    for value in (ticket.ticket, pupil.username, pupil.email, pupil.nickname):
        assert value not in stored
    # one answer per registration is enforced by a keyed hash, not by storing who answered
    assert feedback.voter == services.feedback_voter(ticket) and len(feedback.voter) == 64
    assert str(ticket.pk) != feedback.voter
