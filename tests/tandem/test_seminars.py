"""Seminars of the Digital-Tandem (issue #8 item 4): events for the staff of member companies, reusing the events
app's places, waiting list, tickets, check-in, certificates and feedback. A company member registers N people with
their names; pupils and classes cannot register; the online room is shown to confirmed participants only."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from pypdf import PdfReader

from einblick.events import selectors, services
from einblick.events.models import Registration
from tests.factories import (
    CompanyFactory,
    EventFactory,
    MembershipFactory,
    PupilFactory,
    SchoolClassFactory,
    TeacherFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def seminar():
    return EventFactory(
        kind="seminar",
        audience="companies",
        title="Azubi-Videos mit dem Smartphone",
        slug="seminar-azubi-videos",
        place=None,
        address="",
        capacity=4,
        join_url="https://meet.example.org/azubi-videos",
        materials_before="Checkliste: https://example.org/checkliste.pdf",
        materials_after="Folien: https://example.org/folien.pdf",
    )


def _member(email="ausbildung@example.org"):
    return MembershipFactory(company=CompanyFactory(), user__email=email).user


def test_a_member_registers_two_people_with_names(client, seminar, run_tasks):
    member = _member()
    company = member.memberships.get().company
    client.force_login(member)
    page = client.get(seminar.get_absolute_url())
    assert "Mitarbeitende anmelden" in page.text or "/betrieb-anmelden/" in page.text
    url = f"/veranstaltungen/{seminar.slug}/betrieb-anmelden/"
    # more names than places: an error, nothing saved, the names kept
    response = client.post(url, {"company": company.pk, "places": 1, "names": "Anna Meyer\nBernd Ohl"})
    assert response.status_code == 200 and "Bernd Ohl" in response.text
    assert not Registration.objects.exists()
    response = client.post(url, {"company": company.pk, "places": 2, "names": "Anna Meyer\nBernd Ohl"})
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert (registration.company, registration.teacher, registration.places) == (company, member, 2)
    assert registration.status == "confirmed" and registration.name_list == ["Anna Meyer", "Bernd Ohl"]
    run_tasks()
    assert mail.outbox and mail.outbox[-1].to == ["ausbildung@example.org"]
    # "My events" shows it with the online room and the material before
    mine = client.get("/veranstaltungen/meine/")
    assert company.name in mine.text and "https://meet.example.org/azubi-videos" in mine.text
    assert "checkliste.pdf" in mine.text and "folien.pdf" not in mine.text
    # a second registration of the same company is refused
    with pytest.raises(ValidationError) as exc:
        services.register_company(event=seminar, user=member, company=company, places=1)
    assert exc.value.code == "duplicate"


def test_capacity_waiting_list_and_moving_up(seminar):
    first, second = _member("a@example.org"), _member("b@example.org")
    a = services.register_company(
        event=seminar, user=first, company=first.memberships.get().company, places=3
    )[0]
    b = services.register_company(
        event=seminar, user=second, company=second.memberships.get().company, places=2
    )[0]
    assert (a.status, b.status) == ("confirmed", "waitlisted")
    assert selectors.places_left(seminar) == 1
    services.group_update(registration=a, places=1, names="Anna")
    b.refresh_from_db()
    assert b.status == "offered"  # two places free now: the waiting company is offered them
    services.registration_confirm(registration=b)
    b.refresh_from_db()
    assert b.status == "confirmed"
    held = sum(r.places for r in Registration.objects.filter(status__in=["confirmed", "offered"]))
    assert held <= seminar.capacity


def test_split_keeps_the_company_on_the_waiting_part(seminar):
    first = _member("a@example.org")
    services.register_company(event=seminar, user=first, company=first.memberships.get().company, places=3)
    member = _member()
    company = member.memberships.get().company
    made = services.register_company(event=seminar, user=member, company=company, places=3, allow_split=True)
    assert [(r.status, r.places, r.company_id) for r in made] == [
        ("confirmed", 1, company.pk),
        ("waitlisted", 2, company.pk),
    ]


def test_pupils_classes_and_strangers_cannot_register(client, seminar):
    pupil = PupilFactory()
    with pytest.raises(ValidationError) as exc:
        services.register_pupil(event=seminar, pupil=pupil)
    assert exc.value.code == "seminar"
    teacher = TeacherFactory()
    school_class = SchoolClassFactory(teacher=teacher)
    seminar.school_event = True
    seminar.save()
    with pytest.raises(ValidationError):
        services.register_class(event=seminar, teacher=teacher, school_class=school_class, places=2)
    stranger = _member()
    other = CompanyFactory()
    with pytest.raises(ValidationError) as exc:
        services.register_company(event=seminar, user=stranger, company=other, places=1)
    assert exc.value.code == "not_member"
    client.force_login(pupil)
    assert client.get(f"/veranstaltungen/{seminar.slug}/betrieb-anmelden/").status_code == 404
    # a pupils' event does not take companies
    visit = EventFactory()
    with pytest.raises(ValidationError) as exc:
        services.register_company(
            event=visit, user=stranger, company=stranger.memberships.get().company, places=1
        )
    assert exc.value.code == "not_seminar"


def test_seminars_are_listed_for_companies_not_for_pupils(client, seminar):
    visit = EventFactory(title="Werkstatttag")
    listing = client.get("/veranstaltungen/")
    assert visit.title in listing.text and seminar.title not in listing.text
    seminars = client.get("/tandem/seminare/")
    assert seminar.title in seminars.text and visit.title not in seminars.text
    assert list(selectors.seminars_upcoming()) == [seminar]


def test_attendance_certificates_for_each_named_participant(client, seminar):
    member = _member()
    company = member.memberships.get().company
    registration = services.register_company(
        event=seminar, user=member, company=company, places=2, names="Anna Meyer\nBernd Ohl"
    )[0]
    staff = MembershipFactory().user
    staff.is_staff = True
    staff.save()
    now = seminar.starts_at + timedelta(minutes=5)
    services.checkin(event=seminar, code=registration.ticket, by=staff, attended=2, now=now)
    client.force_login(member)
    response = client.get(f"/veranstaltungen/anmeldung/{registration.pk}/bescheinigung.pdf")
    assert response.status_code == 200
    import io

    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Anna Meyer" in text and "Bernd Ohl" in text
    assert "Seminar" in text and "Weiterbildung" in text and "Berufswahlpass" not in text
    # after the seminar: the materials after, no room link any more
    seminar.starts_at = timezone.now() - timedelta(days=1)
    seminar.ends_at = seminar.starts_at + timedelta(hours=2)
    seminar.registration_closes = seminar.starts_at - timedelta(days=1)
    seminar.cancel_until = seminar.starts_at - timedelta(days=2)
    seminar.save()
    mine = client.get("/veranstaltungen/meine/")
    assert "folien.pdf" in mine.text and "meet.example.org" not in mine.text


def test_a_pending_company_cannot_book_seminar_places(client, seminar):
    member = _member()
    company = member.memberships.get().company
    company.status = "pending"
    company.save()
    with pytest.raises(ValidationError) as exc:
        services.register_company(event=seminar, user=member, company=company, places=1)
    assert exc.value.code == "not_approved"
    client.force_login(member)
    assert client.get(f"/veranstaltungen/{seminar.slug}/betrieb-anmelden/").status_code == 404
    assert not Registration.objects.exists()


def test_the_registration_belongs_to_the_company_not_to_the_person(client, seminar):
    member = _member()
    company = member.memberships.get().company
    colleague = MembershipFactory(company=company).user
    registration = services.register_company(
        event=seminar, user=member, company=company, places=2, names="Anna Meyer"
    )[0]
    # a colleague sees it and may complete the names (no 500 for company groups)
    client.force_login(colleague)
    assert seminar.title in client.get("/veranstaltungen/meine/").text
    response = client.post(
        f"/veranstaltungen/anmeldung/{registration.pk}/gruppe/",
        {"places": 2, "names": "Anna Meyer\nJonas Berg"},
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.name_list == ["Anna Meyer", "Jonas Berg"]
    # the one who registered leaves the company: no access any more
    member.memberships.all().delete()
    client.force_login(member)
    assert seminar.title not in client.get("/veranstaltungen/meine/").text
    assert client.post(f"/veranstaltungen/anmeldung/{registration.pk}/absagen/").status_code == 404
    assert client.get(f"/veranstaltungen/anmeldung/{registration.pk}/gruppe/").status_code == 404
    registration.refresh_from_db()
    assert registration.status == "confirmed"


def test_names_are_fixed_after_check_in_and_certificates_follow_the_head_count(client, seminar):
    member = _member()
    company = member.memberships.get().company
    registration = services.register_company(
        event=seminar, user=member, company=company, places=2, names="Anna Meyer\nBernd Ohl"
    )[0]
    with pytest.raises(ValidationError):
        services.group_update(registration=registration, places=1, names="A\nB\nC")
    staff = MembershipFactory().user
    services.checkin(
        event=seminar,
        code=registration.ticket,
        by=staff,
        attended=1,
        now=seminar.starts_at + timedelta(minutes=1),
    )
    registration.refresh_from_db()
    with pytest.raises(ValidationError):
        services.group_update(registration=registration, places=4, names="A\nB\nC\nD")
    client.force_login(member)
    import io

    response = client.get(f"/veranstaltungen/anmeldung/{registration.pk}/bescheinigung.pdf")
    pages = PdfReader(io.BytesIO(response.content)).pages
    assert len(pages) == 1  # one present → one certificate


def test_the_audience_cannot_change_once_people_registered(client, seminar):
    member = _member()
    services.register_company(event=seminar, user=member, company=member.memberships.get().company, places=1)
    from einblick.events.forms import EventForm

    data = {
        f: getattr(seminar, f) for f in EventForm.Meta.fields if f not in ("hosts", "professions", "series")
    }
    data.update(audience="pupils", place="", series="")
    form = EventForm(data=data, instance=seminar)
    assert not form.is_valid() and "audience" in form.errors


def test_company_e_mails_use_the_formal_address_and_the_online_room(seminar, run_tasks):
    member = _member()
    services.register_company(event=seminar, user=member, company=member.memberships.get().company, places=1)
    run_tasks()
    body = mail.outbox[-1].body
    assert "Guten Tag" in body and "online" in body.lower() and "Hallo" not in body
