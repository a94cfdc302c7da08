"""Pages of the events app (issue #6): list with filters, detail, registration of pupils and classes, "My events",
confirm/cancel, group editing, calendar files, back office for staff and host companies. Check-in and documents
have their own test modules."""

from datetime import timedelta

import icalendar
import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from einblick.accounts.models import ParentalConsent
from einblick.events import services
from einblick.events.models import Event, Registration
from tests.factories import (
    EventFactory,
    MembershipFactory,
    PlaceFactory,
    ProfessionFactory,
    PupilFactory,
    SchoolClassFactory,
    TeacherFactory,
)

pytestmark = pytest.mark.django_db

S = Registration.Status
LIST = "/veranstaltungen/"
MINE = "/veranstaltungen/meine/"


# ------------------------------------------------------------------------------------------------------ helpers


def adult(**kwargs):
    return PupilFactory(consent_age_declared_at=timezone.now(), **kwargs)


def messages_of(response) -> list[tuple[int, str]]:
    return [(m.level, str(m)) for m in get_messages(response.wsgi_request)]


def register_post(client, event, data=None):
    """POST the pupil's registration form the way a browser does: always with the CSRF token field, so the
    consent form is bound even when nothing was typed (the test client skips the CSRF check itself)."""
    return client.post(
        reverse("events:register", args=[event.slug]),
        {"csrfmiddlewaretoken": "from-the-page", **(data or {})},
    )


def titles(response) -> set[str]:
    return {e.title for e in response.context["events"]}


def local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def event_post(event: Event | None = None, **changes) -> dict:
    """What the staff's event form posts: the event's values (or a new event's) with ``changes``."""
    start = timezone.localtime() + timedelta(days=20)
    start = start.replace(hour=9, minute=0, second=0, microsecond=0)
    data = {
        "kind": "workshop",
        "title": "Schweißen für Einsteiger",
        "slug": "schweissen-fuer-einsteiger",
        "description": "Ein Nachmittag an der Schweißbank.",
        "starts_at": local(start),
        "ends_at": local(start + timedelta(hours=3)),
        "address": "Industriestraße 4",
        "capacity": "12",
        "grade_min": "8",
        "grade_max": "10",
        "registration_opens": local(start - timedelta(days=14)),
        "registration_closes": local(start - timedelta(days=1)),
        "cancel_until": local(start - timedelta(days=2)),
        "hold_hours": "48",
        "school_event": "on",
        "status": "published",
    }
    if event is not None:
        data.update(
            kind=event.kind,
            title=event.title,
            slug=event.slug,
            description=event.description,
            starts_at=local(event.starts_at),
            ends_at=local(event.ends_at),
            address=event.address,
            capacity=str(event.capacity),
            grade_min=str(event.grade_min),
            grade_max=str(event.grade_max),
            registration_opens=local(event.registration_opens),
            registration_closes=local(event.registration_closes),
            cancel_until=local(event.cancel_until),
            hold_hours=str(event.hold_hours),
            status=event.status,
            hosts=[h.pk for h in event.hosts.all()],
        )
        if event.place_id:
            data["place"] = str(event.place_id)
    data.update(changes)
    return data


def register_group(event, places, **kwargs):
    school_class = kwargs.pop("school_class", None) or SchoolClassFactory()
    return services.register_class(
        event=event, teacher=school_class.teacher, school_class=school_class, places=places, **kwargs
    )


def offered(event, pupil) -> Registration:
    """``pupil`` moved up from the waiting list of the one-place ``event``."""
    first = services.register_pupil(event=event, pupil=adult())
    registration = services.register_pupil(event=event, pupil=pupil)
    services.registration_cancel(registration=first)
    registration.refresh_from_db()
    assert registration.status == S.OFFERED
    return registration


@pytest.fixture
def small(host):
    return EventFactory(hosts=[host], capacity=1)


@pytest.fixture
def other_member(db):
    """A member of a company that does not host the event."""
    return MembershipFactory().user


# --------------------------------------------------------------------------------------------------------- list


def test_list_shows_upcoming_published_events(client, event):
    EventFactory(status="draft", title="Entwurf")
    past = timezone.now() - timedelta(days=3)
    EventFactory(title="Vorbei", starts_at=past)
    response = client.get(LIST)
    assert response.status_code == 200
    assert titles(response) == {event.title}
    html = response.content.decode()
    assert event.title in html and "Entwurf" not in html and "Vorbei" not in html
    assert titles(client.get(LIST, {"when": "past"})) == {"Vorbei"}


def test_list_filters_by_district_profession_and_grade(client, event):
    leer = EventFactory(title="Besuch in Leer", place=PlaceFactory.town(2), grade_min=9, grade_max=10)
    mechatronics = ProfessionFactory(name="Mechatroniker:in")
    leer.professions.add(mechatronics)
    event.professions.add(ProfessionFactory(name="Tischler:in"))
    assert titles(client.get(LIST)) == {event.title, leer.title}
    assert titles(client.get(LIST, {"district": "Landkreis Leer"})) == {leer.title}
    assert titles(client.get(LIST, {"district": "Landkreis Emsland"})) == {event.title}
    assert titles(client.get(LIST, {"profession": mechatronics.pk})) == {leer.title}
    assert titles(client.get(LIST, {"grade": 7})) == {event.title}
    assert titles(client.get(LIST, {"grade": 9})) == {event.title, leer.title}
    assert titles(client.get(LIST, {"grade": 9, "district": "Landkreis Emsland"})) == {event.title}


def test_list_filter_only_with_places_left(client, event, small):
    register_group(event, 11)
    services.register_pupil(event=small, pupil=adult())
    services.register_pupil(event=small, pupil=adult())  # waitlisted: does not count as taken
    response = client.get(LIST, {"free": "on"})
    assert titles(response) == {event.title}
    held = {e.title: e.held for e in response.context["events"]}
    assert held == {event.title: 11}
    assert titles(client.get(LIST)) == {event.title, small.title}


def test_list_empty_state(client, event):
    response = client.get(LIST, {"when": "past"})
    assert response.status_code == 200
    assert list(response.context["events"]) == [] and response.context["filtered"]
    assert 'class="empty"' in response.content.decode()
    Event.objects.all().delete()
    response = client.get(LIST)
    assert list(response.context["events"]) == [] and not response.context["filtered"]
    assert 'class="empty"' in response.content.decode()


def test_list_query_count_does_not_grow_with_the_events(client, host):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST).status_code == 200
        return len(queries)

    event = EventFactory(hosts=[host])
    event.professions.add(ProfessionFactory())
    register_group(event, 3)
    one = count()
    for _ in range(2):
        more = EventFactory(hosts=[host, MembershipFactory().company])
        more.professions.add(ProfessionFactory())
        services.register_pupil(event=more, pupil=adult())
    assert count() == one


# ------------------------------------------------------------------------------------------------------- detail


def test_detail_shows_places_left(client, event):
    response = client.get(reverse("events:detail", args=[event.slug]))
    assert response.status_code == 200
    assert response.context["left"] == 12 and response.context["open"]
    register_group(event, 5)
    response = client.get(f"/veranstaltungen/{event.slug}/")
    assert response.context["left"] == 7
    assert event.title in response.content.decode()


def test_detail_shows_the_pupils_waitlist_position(client, small, pupil):
    services.register_pupil(event=small, pupil=adult())
    services.register_pupil(event=small, pupil=adult())
    mine = services.register_pupil(event=small, pupil=pupil)
    client.force_login(pupil)
    response = client.get(reverse("events:detail", args=[small.slug]))
    assert response.context["left"] == 0
    assert response.context["mine"] == mine
    assert response.context["position"] == 2
    assert reverse("events:register", args=[small.slug]) not in response.content.decode()


def test_detail_of_a_confirmed_pupil_has_no_position(client, event, pupil):
    services.register_pupil(event=event, pupil=pupil)
    client.force_login(pupil)
    response = client.get(reverse("events:detail", args=[event.slug]))
    assert response.context["mine"].status == S.CONFIRMED and response.context["position"] is None


@pytest.mark.parametrize(
    "role, status",
    [("anonymous", 404), ("pupil", 404), ("other_member", 404), ("host_member", 200), ("staff", 200)],
)
def test_draft_is_seen_only_by_its_hosts_and_staff(
    client, host, pupil, other_member, host_member, staff, role, status
):
    draft = EventFactory(hosts=[host], status="draft")
    users = {"pupil": pupil, "other_member": other_member, "host_member": host_member, "staff": staff}
    if role in users:
        client.force_login(users[role])
    assert client.get(reverse("events:detail", args=[draft.slug])).status_code == status


# ------------------------------------------------------------------------------------------- pupil registration


def test_pupil_of_age_registers_without_consent_fields(client, event, pupil):
    client.force_login(pupil)
    url = f"/veranstaltungen/{event.slug}/anmelden/"
    page = client.get(url)
    assert page.status_code == 200
    assert (
        "consent-of_age" not in page.content.decode() and "consent-parent_email" not in page.content.decode()
    )
    response = register_post(client, event)
    assert response.status_code == 302 and response.url == MINE
    registration = Registration.objects.get(event=event, pupil=pupil)
    assert registration.status == S.CONFIRMED
    assert [level for level, _ in messages_of(response)] == [message_levels.SUCCESS]


def test_young_pupil_must_choose_a_consent_way(client, event, young_pupil):
    client.force_login(young_pupil)
    url = reverse("events:register", args=[event.slug])
    html = client.get(url).content.decode()
    assert 'name="consent-of_age"' in html and 'name="consent-parent_email"' in html
    response = register_post(client, event, {"consent-parent_email": ""})
    assert response.status_code == 200
    errors = response.context["consent_form"].errors.as_data()["__all__"]
    assert [e.code for e in errors] == ["consent_choice"]
    assert not Registration.objects.exists()


def test_young_pupil_who_ticks_old_enough_is_confirmed(client, event, young_pupil):
    client.force_login(young_pupil)
    response = register_post(client, event, {"consent-of_age": "on"})
    assert response.status_code == 302 and response.url == MINE
    assert Registration.objects.get(pupil=young_pupil).status == S.CONFIRMED
    young_pupil.refresh_from_db()
    assert young_pupil.consent_age_declared_at is not None


def test_young_pupil_with_a_parents_address_waits_for_the_parent(client, event, young_pupil, run_tasks):
    from django.core import mail

    client.force_login(young_pupil)
    response = register_post(client, event, {"consent-parent_email": "Mama.Mueller@example.org"})
    assert response.status_code == 302 and response.url == MINE
    registration = Registration.objects.get(pupil=young_pupil)
    assert registration.status == S.AWAITING_PARENT and registration.hold_until is not None
    consent = ParentalConsent.objects.get(pupil=young_pupil)
    assert (
        consent.purpose == services.consent_purpose(event)
        and consent.parent_email == "mama.mueller@example.org"
    )
    assert [level for level, _ in messages_of(response)] == [message_levels.SUCCESS]
    run_tasks()
    assert "mama.mueller@example.org" in [m.to[0] for m in mail.outbox]
    # the link confirms the registration
    assert client.get(reverse("accounts:consent", args=[consent.token])).status_code == 200


@pytest.mark.parametrize(
    "data, field",
    [
        ({"consent-parent_email": "mama.mueller@"}, "parent_email"),
        ({"consent-parent_email": "mama.mueller@example.org", "consent-of_age": "on"}, "__all__"),
    ],
)
def test_an_error_keeps_the_typed_address(client, event, young_pupil, data, field):
    client.force_login(young_pupil)
    response = register_post(client, event, data)
    assert response.status_code == 200
    assert field in response.context["consent_form"].errors
    assert f'value="{data["consent-parent_email"]}"' in response.content.decode()
    assert not Registration.objects.exists() and not ParentalConsent.objects.exists()


def test_pupils_own_address_is_refused_and_kept(client, event, young_pupil):
    client.force_login(young_pupil)
    response = register_post(client, event, {"consent-parent_email": young_pupil.email})
    assert response.status_code == 200
    assert [e.code for e in response.context["consent_form"].errors.as_data()["parent_email"]] == [
        "own_address"
    ]
    assert f'value="{young_pupil.email}"' in response.content.decode()
    assert not Registration.objects.exists()


def test_a_refused_registration_keeps_what_was_typed_and_sends_nothing(client, young_pupil, run_tasks):
    from django.core import mail

    closed = EventFactory(registration_closes=timezone.now() - timedelta(minutes=1))
    client.force_login(young_pupil)
    response = register_post(client, closed, {"consent-parent_email": "papa.peters@example.org"})
    assert response.status_code == 200
    assert [e.code for e in response.context["consent_form"].errors.as_data()["__all__"]] == ["closed"]
    html = response.content.decode()
    assert 'value="papa.peters@example.org"' in html and 'role="alert"' in html
    assert not Registration.objects.exists()
    assert not ParentalConsent.objects.exists()  # the consent request was rolled back with it
    run_tasks()
    assert mail.outbox == []


def test_duplicate_registration_shows_an_error(client, event, pupil):
    services.register_pupil(event=event, pupil=pupil)
    client.force_login(pupil)
    response = register_post(client, event)
    assert response.status_code == 200
    assert [e.code for e in response.context["consent_form"].errors.as_data()["__all__"]] == ["duplicate"]
    assert Registration.objects.filter(pupil=pupil).count() == 1


def test_full_event_puts_the_pupil_on_the_waiting_list(client, small, pupil):
    services.register_pupil(event=small, pupil=adult())
    client.force_login(pupil)
    response = register_post(client, small)
    assert response.status_code == 302
    assert Registration.objects.get(pupil=pupil).status == S.WAITLISTED
    assert [level for level, _ in messages_of(response)] == [message_levels.SUCCESS]


def test_only_pupils_register_alone(client, event, teacher):
    url = reverse("events:register", args=[event.slug])
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    client.force_login(teacher)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert not Registration.objects.exists()


def test_no_registration_page_for_a_draft(client, pupil):
    draft = EventFactory(status="draft")
    client.force_login(pupil)
    assert client.get(reverse("events:register", args=[draft.slug])).status_code == 404


# ------------------------------------------------------------------------------------------- class registration


def test_teacher_registers_a_class(client, event, teacher, school_class):
    client.force_login(teacher)
    url = f"/veranstaltungen/{event.slug}/klasse-anmelden/"
    page = client.get(url)
    assert page.status_code == 200
    assert list(page.context["form"].fields["school_class"].queryset) == [school_class]
    response = client.post(
        url, {"school_class": school_class.pk, "places": 6, "names": "Ada Arslan\nBen Bruns"}
    )
    assert response.status_code == 302 and response.url == MINE
    registration = Registration.objects.get(event=event)
    assert (registration.status, registration.places, registration.teacher) == (S.CONFIRMED, 6, teacher)
    assert registration.name_list == ["Ada Arslan", "Ben Bruns"] and not registration.allow_split
    assert [level for level, _ in messages_of(response)] == [message_levels.SUCCESS]


def test_teacher_cannot_register_another_teachers_class(client, event, teacher, school_class):
    foreign = SchoolClassFactory()
    client.force_login(teacher)
    response = client.post(
        reverse("events:register_class", args=[event.slug]), {"school_class": foreign.pk, "places": 4}
    )
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["school_class"]] == ["invalid_choice"]
    assert not Registration.objects.exists()


def test_group_larger_than_the_event_is_refused_and_the_input_kept(client, event, teacher, school_class):
    client.force_login(teacher)
    response = client.post(
        reverse("events:register_class", args=[event.slug]),
        {"school_class": school_class.pk, "places": 13, "names": "Cem Cakir"},
    )
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["__all__"]] == ["too_large"]
    html = response.content.decode()
    assert 'value="13"' in html and "Cem Cakir" in html
    assert not Registration.objects.exists()


def test_class_split_when_allowed(client, event, teacher, school_class):
    register_group(event, 10)
    client.force_login(teacher)
    response = client.post(
        reverse("events:register_class", args=[event.slug]),
        {"school_class": school_class.pk, "places": 5, "allow_split": "on"},
    )
    assert response.status_code == 302
    regs = Registration.objects.filter(school_class=school_class).order_by("pk")
    assert [(r.status, r.places) for r in regs] == [(S.CONFIRMED, 2), (S.WAITLISTED, 3)]
    assert [level for level, _ in messages_of(response)] == [message_levels.SUCCESS]


def test_only_teachers_register_classes(client, event, pupil):
    client.force_login(pupil)
    assert client.get(reverse("events:register_class", args=[event.slug])).status_code == 404


# ---------------------------------------------------------------------------------------------------- my events


def test_my_events_show_ticket_offer_and_waitlist_position(client, host, pupil):
    confirmed = services.register_pupil(event=EventFactory(hosts=[host]), pupil=pupil)
    offer = offered(EventFactory(hosts=[host], capacity=1), pupil)
    full = EventFactory(hosts=[host], capacity=1)
    services.register_pupil(event=full, pupil=adult())
    services.register_pupil(event=full, pupil=adult())
    waiting = services.register_pupil(event=full, pupil=pupil)
    client.force_login(pupil)
    response = client.get(MINE)
    assert response.status_code == 200
    html = response.content.decode()
    assert confirmed.ticket_display in html
    assert reverse("events:ticket_qr", args=[confirmed.pk]) in html
    assert reverse("events:confirm", args=[offer.pk]) in html
    assert reverse("events:confirm", args=[confirmed.pk]) not in html
    assert (
        offer.ticket_display not in html and waiting.ticket_display not in html
    )  # no ticket without a place
    positions = {r.pk: r.position for r in response.context["own"]}
    assert positions == {confirmed.pk: None, offer.pk: None, waiting.pk: 2}


def test_my_events_of_a_teacher_show_the_class(client, event, teacher, school_class):
    [registration] = register_group(event, 4, school_class=school_class)
    client.force_login(teacher)
    response = client.get(MINE)
    assert [r.pk for r in response.context["classes"]] == [registration.pk]
    html = response.content.decode()
    assert registration.ticket_display in html
    assert reverse("events:group", args=[registration.pk]) in html


def test_my_events_empty(client, pupil):
    client.force_login(pupil)
    response = client.get(MINE)
    assert response.status_code == 200 and response.context["own"] == []
    assert 'class="empty"' in response.content.decode()


# ------------------------------------------------------------------------------------------- confirm and cancel


def test_confirm_an_offered_place(client, small, pupil):
    registration = offered(small, pupil)
    client.force_login(pupil)
    url = reverse("events:confirm", args=[registration.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert response.redirect_chain == [(MINE, 302)]
    registration.refresh_from_db()
    assert registration.status == S.CONFIRMED
    assert [m.level for m in response.context["messages"]] == [message_levels.SUCCESS]
    assert registration.ticket_display in response.content.decode()
    # a second confirmation is an error message, not a crash
    response = client.post(url, follow=True)
    assert [m.level for m in response.context["messages"]] == [message_levels.ERROR]


def test_cancel_own_registration(client, event, pupil):
    registration = services.register_pupil(event=event, pupil=pupil)
    client.force_login(pupil)
    url = reverse("events:cancel", args=[registration.pk])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302 and response.url == MINE
    registration.refresh_from_db()
    assert registration.status == S.CANCELLED


def test_cancel_too_late_is_an_error_message(client, event, pupil):
    registration = services.register_pupil(event=event, pupil=pupil)
    Event.objects.filter(pk=event.pk).update(cancel_until=timezone.now() - timedelta(minutes=1))
    client.force_login(pupil)
    response = client.post(reverse("events:cancel", args=[registration.pk]))
    assert response.status_code == 302
    assert [level for level, _ in messages_of(response)] == [message_levels.ERROR]
    registration.refresh_from_db()
    assert registration.status == S.CONFIRMED


def test_staff_cancel_after_the_cut_off_and_go_back_to_the_list(client, event, pupil, staff):
    registration = services.register_pupil(event=event, pupil=pupil)
    Event.objects.filter(pk=event.pk).update(cancel_until=timezone.now() - timedelta(minutes=1))
    client.force_login(staff)
    response = client.post(reverse("events:cancel", args=[registration.pk]), {"next": "registrations"})
    assert response.status_code == 302
    assert response.url == reverse("events:registrations", args=[event.slug])
    registration.refresh_from_db()
    assert registration.status == S.CANCELLED


def test_registrations_of_others_are_not_found(client, small, pupil, teacher, host_member):
    registration = offered(small, adult())
    for user in (pupil, teacher, host_member):
        client.force_login(user)
        assert client.post(reverse("events:confirm", args=[registration.pk])).status_code == 404
        assert client.post(reverse("events:cancel", args=[registration.pk])).status_code == 404
    registration.refresh_from_db()
    assert registration.status == S.OFFERED
    client.logout()
    response = client.post(reverse("events:cancel", args=[registration.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


# ------------------------------------------------------------------------------------------------------- groups


def test_teacher_edits_the_group(client, event, teacher, school_class):
    [registration] = register_group(event, 6, school_class=school_class)
    member = PupilFactory(school_class=school_class, nickname="Mira")
    PupilFactory(nickname="Fremd")
    register_group(event, 6)
    waiting = services.register_pupil(event=event, pupil=adult())  # the event is full
    client.force_login(teacher)
    url = reverse("events:group", args=[registration.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert list(page.context["form"].fields["members"].queryset) == [member]
    response = client.post(url, {"places": 4, "names": "Ada\nBen", "members": [member.pk]})
    assert response.status_code == 302 and response.url == MINE
    registration.refresh_from_db()
    assert (registration.places, registration.name_list) == (4, ["Ada", "Ben"])
    assert list(registration.members.all()) == [member]
    waiting.refresh_from_db()
    assert waiting.status == S.OFFERED  # the freed places move the waiting list up


def test_group_edit_refuses_a_pupil_of_another_class(client, event, teacher, school_class):
    [registration] = register_group(event, 6, school_class=school_class)
    stranger = PupilFactory(school_class=SchoolClassFactory())
    client.force_login(teacher)
    response = client.post(
        reverse("events:group", args=[registration.pk]), {"places": 6, "names": "", "members": [stranger.pk]}
    )
    assert response.status_code == 200 and "members" in response.context["form"].errors
    assert not registration.members.exists()


def test_group_cannot_grow_beyond_the_free_places(client, event, teacher, school_class):
    [registration] = register_group(event, 10, school_class=school_class)
    services.register_pupil(event=event, pupil=adult())
    client.force_login(teacher)
    response = client.post(reverse("events:group", args=[registration.pk]), {"places": 12, "names": "Ada"})
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["__all__"]] == ["full"]
    assert "Ada" in response.content.decode()
    registration.refresh_from_db()
    assert registration.places == 10


def test_group_of_another_teacher_is_not_found(client, event, school_class, pupil):
    [registration] = register_group(event, 6, school_class=school_class)
    for user in (TeacherFactory(), pupil):
        client.force_login(user)
        assert client.get(reverse("events:group", args=[registration.pk])).status_code == 404


# ------------------------------------------------------------------------------------------------------ calendar


def vevents(response) -> list:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Content-Disposition"].startswith("attachment")
    return icalendar.Calendar.from_ical(response.content).walk("VEVENT")


def test_ics_of_an_event(client, event):
    event.title = "Werkstatt; Metall, Holz"
    event.save()
    [vevent] = vevents(client.get(reverse("events:ics", args=[event.slug])))
    assert str(vevent["SUMMARY"]) == "Werkstatt; Metall, Holz"
    assert vevent.decoded("DTSTART") == event.starts_at.replace(microsecond=0)
    assert vevent.decoded("DTEND") == event.ends_at.replace(microsecond=0)
    assert "Papenburg" in str(vevent["LOCATION"])
    draft = EventFactory(status="draft")
    assert client.get(reverse("events:ics", args=[draft.slug])).status_code == 404


def test_ics_of_my_events(client, host, pupil):
    services.register_pupil(event=EventFactory(hosts=[host], title="Bestätigt"), pupil=pupil)
    offered(EventFactory(hosts=[host], title="Angeboten", capacity=1), pupil)
    full = EventFactory(hosts=[host], title="Warteliste", capacity=1)
    services.register_pupil(event=full, pupil=adult())
    services.register_pupil(event=full, pupil=pupil)
    services.registration_cancel(
        registration=services.register_pupil(event=EventFactory(hosts=[host], title="Abgesagt"), pupil=pupil)
    )
    client.force_login(pupil)
    found = vevents(client.get(reverse("events:mine_ics")))
    assert sorted(str(v["SUMMARY"]) for v in found) == ["Angeboten", "Bestätigt"]


def test_ics_of_a_teachers_classes(client, event, teacher, school_class):
    register_group(event, 3, school_class=school_class)
    client.force_login(teacher)
    assert len(vevents(client.get(reverse("events:mine_ics")))) == 1


# ------------------------------------------------------------------------------------------------------- manage


def test_staff_create_an_event(client, staff, host):
    client.force_login(staff)
    url = "/veranstaltungen/verwalten/neu/"
    assert client.get(url).status_code == 200
    response = client.post(url, event_post(hosts=[host.pk]))
    assert response.status_code == 302, response.context["form"].errors
    event = Event.objects.get(slug="schweissen-fuer-einsteiger")
    assert response.url == reverse("events:registrations", args=[event.slug])
    assert (event.capacity, event.kind, event.status) == (12, "workshop", "published")
    assert list(event.hosts.all()) == [host]


@pytest.mark.parametrize(
    "change, field",
    [
        (lambda d: {"ends_at": d["starts_at"]}, "ends_at"),
        (lambda d: {"registration_closes": d["ends_at"]}, "registration_closes"),
        (lambda d: {"registration_closes": d["registration_opens"]}, "registration_closes"),
        (lambda d: {"grade_min": "10", "grade_max": "8"}, "grade_max"),
    ],
)
def test_event_form_validation(client, staff, change, field):
    client.force_login(staff)
    data = event_post()
    data.update(change(data))
    response = client.post(reverse("events:new"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Event.objects.exists()


def test_capacity_below_the_places_taken_is_refused(client, staff, event):
    register_group(event, 8)
    client.force_login(staff)
    response = client.post(reverse("events:edit", args=[event.slug]), event_post(event, capacity="7"))
    assert response.status_code == 200
    assert "capacity" in response.context["form"].errors
    event.refresh_from_db()
    assert event.capacity == 12
    response = client.post(reverse("events:edit", args=[event.slug]), event_post(event, capacity="8"))
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.capacity == 8


def test_staff_add_places_and_the_waiting_list_moves_up(client, staff, small):
    services.register_pupil(event=small, pupil=adult())
    waiting = services.register_pupil(event=small, pupil=adult())
    client.force_login(staff)
    response = client.post(reverse("events:edit", args=[small.slug]), event_post(small, capacity="2"))
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == S.OFFERED


def test_host_member_edits_the_content_of_their_event(client, event, host_member):
    client.force_login(host_member)
    url = reverse("events:edit", args=[event.slug])
    page = client.get(url)
    assert page.status_code == 200
    fields = set(page.context["form"].fields)
    assert {"title", "description", "what_to_bring"} <= fields
    assert not fields & {"capacity", "status", "slug", "hosts", "registration_closes", "cancel_until"}
    data = event_post(
        event, title="Neuer Titel", what_to_bring="Sicherheitsschuhe", capacity="99", status="draft"
    )
    response = client.post(url, data)
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.title, event.what_to_bring) == ("Neuer Titel", "Sicherheitsschuhe")
    assert (event.capacity, event.status) == (12, "published")  # not in their form


def test_host_member_cannot_edit_other_events_or_create(client, host_member):
    other = EventFactory()
    client.force_login(host_member)
    assert client.get(reverse("events:edit", args=[other.slug])).status_code == 404
    assert (
        client.post(reverse("events:edit", args=[other.slug]), event_post(other, title="X")).status_code
        == 404
    )
    assert client.get(reverse("events:new")).status_code == 404
    other.refresh_from_db()
    assert other.title != "X"


def test_host_member_cannot_move_the_start_before_registration_closes(client, event, host_member):
    client.force_login(host_member)
    starts = event.registration_closes - timedelta(hours=2)
    data = event_post(event, starts_at=local(starts), ends_at=local(starts + timedelta(hours=3)))
    response = client.post(reverse("events:edit", args=[event.slug]), data)
    event.refresh_from_db()
    assert response.status_code == 200
    assert event.registration_closes <= event.starts_at


def _users(pupil, teacher, host_member, other_member, staff):
    return {
        "pupil": pupil,
        "teacher": teacher,
        "host_member": host_member,
        "other_member": other_member,
        "staff": staff,
    }


@pytest.mark.parametrize(
    "role, expected",
    [
        ("anonymous", {"registrations": 302, "manage": 302, "new": 302, "edit": 302}),
        ("pupil", {"registrations": 404, "manage": 404, "new": 404, "edit": 404}),
        ("teacher", {"registrations": 404, "manage": 404, "new": 404, "edit": 404}),
        ("other_member", {"registrations": 404, "manage": 200, "new": 404, "edit": 404}),
        ("host_member", {"registrations": 200, "manage": 200, "new": 404, "edit": 200}),
        ("staff", {"registrations": 200, "manage": 200, "new": 200, "edit": 200}),
    ],
)
def test_back_office_permission_matrix(
    client, event, pupil, teacher, host_member, other_member, staff, role, expected
):
    EventFactory(hosts=[other_member.memberships.get().company])  # the other member hosts another event
    if role != "anonymous":
        client.force_login(_users(pupil, teacher, host_member, other_member, staff)[role])
    urls = {
        "registrations": reverse("events:registrations", args=[event.slug]),
        "manage": reverse("events:manage"),
        "new": reverse("events:new"),
        "edit": reverse("events:edit", args=[event.slug]),
    }
    got = {name: client.get(url).status_code for name, url in urls.items()}
    assert got == expected


def test_manage_list_for_a_member_without_events_is_not_found(client, db):
    client.force_login(MembershipFactory().user)
    assert client.get(reverse("events:manage")).status_code == 404


def test_registrations_list_shows_everyone(client, event, host_member, teacher, school_class, pupil, staff):
    alone = services.register_pupil(event=event, pupil=pupil)
    [group] = register_group(event, 11, school_class=school_class, names="Ada Arslan")
    waiting = services.register_pupil(event=event, pupil=adult())
    client.force_login(host_member)
    response = client.get(reverse("events:registrations", args=[event.slug]))
    assert {r.pk for r in response.context["registrations"]} == {alone.pk, group.pk, waiting.pk}
    assert (response.context["held"], response.context["waiting"]) == (12, 1)
    html = response.content.decode()
    assert alone.ticket_display in html and group.ticket_display in html and "Ada Arslan" in html
    assert waiting.ticket_display not in html
    assert reverse("events:cancel", args=[alone.pk]) not in html  # hosts do not cancel
    client.force_login(staff)
    html = client.get(reverse("events:registrations", args=[event.slug])).content.decode()
    assert reverse("events:cancel", args=[alone.pk]) in html


def test_hosts_do_not_see_young_pupils_before_the_parent_agrees(
    client, event, young_pupil, host_member, staff
):
    young_pupil.nickname = "Zilkowski-Kiwi"
    young_pupil.save(update_fields=["nickname"])
    kept = services.register_pupil(event=event, pupil=young_pupil)
    assert kept.status == S.AWAITING_PARENT
    client.force_login(staff)  # staff are not a company: they may see who is waiting for consent
    assert "Zilkowski-Kiwi" in client.get(reverse("events:registrations", args=[event.slug])).content.decode()
    client.force_login(host_member)
    response = client.get(reverse("events:registrations", args=[event.slug]))
    assert response.status_code == 200
    assert "Zilkowski-Kiwi" not in response.content.decode()


def test_class_name_lists_have_a_length_cap():
    """A typed name list is at most 200 places × 60 characters: more is refused with Django's German message."""
    from django.utils import translation

    from einblick.events.forms import NAMES_MAX_CHARS, ClassRegistrationForm
    from tests.factories import TeacherFactory

    teacher = TeacherFactory()
    with translation.override("de"):
        form = ClassRegistrationForm(
            data={"places": 3, "names": "x" * (NAMES_MAX_CHARS + 1)}, teacher=teacher
        )
        assert not form.is_valid()
        assert "höchstens" in " ".join(form.errors["names"])
    assert (
        ClassRegistrationForm(data={"names": "Ali\nBea"}, teacher=teacher).fields["names"].max_length
        == 12_000
    )
