"""Certificates, portfolio export, class attendance and feedback (issue #6, items 5 and 6)."""

import csv
import io
import json
import re
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from einblick.events import pdf as events_pdf
from einblick.events import services
from einblick.events.models import Event, Feedback, Registration
from tests.factories import (
    EventFactory,
    MembershipFactory,
    ProfessionFactory,
    PupilFactory,
    SchoolClassFactory,
    TeacherFactory,
)

MINE = "/veranstaltungen/meine/"
BOM = b"\xef\xbb\xbf"


# ------------------------------------------------------------------------------------------------------ helpers


def attend(registration: Registration, present: int | None = None) -> Registration:
    registration.checked_in_at = timezone.now()
    registration.attended = registration.places if present is None else present
    registration.save(update_fields=["checked_in_at", "attended"])
    return registration


def nine_am(days: int):
    """09:00 local time ``days`` from today: events on one day whatever the hour the tests run at."""
    return (timezone.localtime() + timedelta(days=days)).replace(hour=9, minute=0, second=0, microsecond=0)


@pytest.fixture
def event(event):
    """The shared event (next week, hosted by ``host``), 09:00–12:00."""
    starts = nine_am(7)
    Event.objects.filter(pk=event.pk).update(starts_at=starts, ends_at=starts + timedelta(hours=3))
    event.refresh_from_db()
    return event


def to_past(event: Event, days: int = 2) -> Event:
    starts = nine_am(-days)
    Event.objects.filter(pk=event.pk).update(starts_at=starts, ends_at=starts + timedelta(hours=3))
    event.refresh_from_db()
    return event


def pages(response) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return [page.extract_text() for page in reader.pages]


def flat(text: str) -> str:
    """Extracted PDF text with line breaks and runs of spaces collapsed (table cells wrap)."""
    return re.sub(r"\s+", " ", text)


def day(event: Event) -> str:
    return f"{timezone.localtime(event.starts_at):%d.%m.%Y}"


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment")
    assert response.content.startswith(BOM)
    text = response.content.decode("utf-8-sig")
    assert ";" in text.splitlines()[0]
    return list(csv.reader(io.StringIO(text), delimiter=";"))


@pytest.fixture
def named_pupil(pupil):
    pupil.nickname = "Jördis Öztürk"
    pupil.save(update_fields=["nickname"])
    return pupil


@pytest.fixture
def profession(db):
    return ProfessionFactory(name="Mechatroniker:in")


@pytest.fixture
def attended(event, named_pupil, profession):
    """The pupil's single registration, checked in."""
    event.professions.add(profession)
    return attend(services.register_pupil(event=event, pupil=named_pupil))


@pytest.fixture
def class_registration(event, teacher, school_class):
    [registration] = services.register_class(
        event=event,
        teacher=teacher,
        school_class=school_class,
        places=4,
        names="Ada Arslan\nBen Bruns\n\nCem Cakir\n",
    )
    return registration


@pytest.fixture
def member(school_class):
    """A pupil of the class with an account, linked to the class registration as a member."""
    return PupilFactory(nickname="Mira Mitglied", school_class=school_class)


@pytest.fixture
def other_member(db):
    return MembershipFactory().user


# ------------------------------------------------------------------------------------------------- certificates


def test_certificate_of_a_pupil_has_everything_on_one_page(
    client, attended, named_pupil, event, host, profession
):
    client.force_login(named_pupil)
    response = client.get(reverse("events:certificate", args=[attended.pk]))
    [text] = pages(response)
    assert response["Content-Disposition"].startswith("attachment")
    assert f"teilnahmebescheinigung-{event.slug}.pdf" in response["Content-Disposition"]
    text = flat(text)
    for expected in [
        "Teilnahmebescheinigung",
        "Jördis Öztürk",
        event.title,
        "Betriebsbesichtigung",
        host.name,
        day(event),
        f"{timezone.localtime(event.starts_at):%H:%M}–{timezone.localtime(event.ends_at):%H:%M} Uhr",
        "Industriestraße 4, 26871 Papenburg",
        profession.name,
        "teilgenommen hat (Berufsorientierung)",
        "Berufswahlpass",
        settings.EINBLICK["NETWORK_NAME"],
        "Ort, Datum",
        "Unterschrift, Stempel",
        attended.ticket_display,
        "3 Stunden",
    ]:
        assert expected in text, expected


def test_certificates_pdf_puts_one_certificate_on_each_page(event):
    registration = services.register_pupil(
        event=event, pupil=PupilFactory(consent_age_declared_at=timezone.now())
    )
    data = events_pdf.certificates_pdf(items=[("Ada Arslan", registration), ("Ben Bruns", registration)])
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2
    first, second = (flat(page.extract_text()) for page in reader.pages)
    assert "Ada Arslan" in first and "Ben Bruns" not in first
    assert "Ben Bruns" in second and "Ada Arslan" not in second
    assert "Teilnahmebescheinigung" in first and "Teilnahmebescheinigung" in second
    single = PdfReader(io.BytesIO(events_pdf.certificate_pdf(name="Cem Cakir", registration=registration)))
    assert len(single.pages) == 1


def test_all_certificates_of_a_pupil_in_one_pdf(client, named_pupil, host, member, school_class, teacher):
    first = EventFactory(hosts=[host], title="Werkstatttag Metall")
    second = EventFactory(hosts=[host], title="Infoabend Pflege", kind="evening")
    second.starts_at, second.ends_at = first.starts_at + timedelta(days=3), first.ends_at + timedelta(days=3)
    second.save()
    skipped = EventFactory(hosts=[host], title="Nicht erschienen")
    attend(services.register_pupil(event=first, pupil=named_pupil))
    attend(services.register_pupil(event=second, pupil=named_pupil))
    services.register_pupil(event=skipped, pupil=named_pupil)  # confirmed, never checked in
    client.force_login(named_pupil)
    texts = [flat(t) for t in pages(client.get(reverse("events:certificates")))]
    assert len(texts) == 2
    assert "Werkstatttag Metall" in texts[0] and "Infoabend Pflege" in texts[1]
    assert "Informationsabend" in texts[1]
    assert all("Jördis Öztürk" in t and "Teilnahmebescheinigung" in t for t in texts)
    assert not any("Nicht erschienen" in t for t in texts)


def test_all_certificates_include_an_attended_class_registration(client, event, class_registration, member):
    class_registration.members.add(member)
    attend(class_registration)
    client.force_login(member)
    [text] = pages(client.get(reverse("events:certificates")))
    assert "Mira Mitglied" in flat(text) and event.title in flat(text)
    assert "Ada Arslan" not in text


def test_no_certificates_yet_is_a_friendly_page(client, named_pupil, event):
    services.register_pupil(event=event, pupil=named_pupil)  # not checked in
    client.force_login(named_pupil)
    response = client.get(reverse("events:certificates"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert f'href="{MINE}"' in html
    assert "<main" in html  # inside the site's base layout


def test_teacher_gets_one_page_per_pupil_of_the_class(client, class_registration, member, teacher, event):
    class_registration.members.add(member, PupilFactory(nickname="Ben Bruns"))  # Ben is listed already
    attend(class_registration, present=4)
    client.force_login(teacher)
    response = client.get(reverse("events:certificate", args=[class_registration.pk]))
    texts = [flat(t) for t in pages(response)]
    assert len(texts) == 4
    for text, name in zip(texts, ["Ada Arslan", "Ben Bruns", "Cem Cakir", "Mira Mitglied"], strict=True):
        assert name in text
        assert event.title in text and day(event) in text
    assert sum("Ben Bruns" in t for t in texts) == 1


def test_class_member_gets_only_their_own_certificate(client, class_registration, member):
    class_registration.members.add(member)
    attend(class_registration)
    client.force_login(member)
    [text] = pages(client.get(reverse("events:certificate", args=[class_registration.pk])))
    assert "Mira Mitglied" in flat(text)
    assert "Ada Arslan" not in text


def test_class_without_names_gets_blank_certificates_for_those_present(client, event, teacher, school_class):
    [registration] = services.register_class(
        event=event, teacher=teacher, school_class=school_class, places=5
    )
    attend(registration, present=3)
    client.force_login(teacher)
    texts = pages(client.get(reverse("events:certificate", args=[registration.pk])))
    assert len(texts) == 3
    assert all(events_pdf.BLANK_NAME in t for t in texts)


CERTIFICATE_MATRIX = [
    ("anonymous", 302),
    ("named_pupil", 200),
    ("other_pupil", 404),
    ("teacher", 404),
    ("host_member", 200),
    ("other_member", 404),
    ("staff", 200),
]


@pytest.fixture
def other_pupil(db):
    return PupilFactory(consent_age_declared_at=timezone.now())


def login_as(client, request, role: str):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))


@pytest.mark.parametrize(("role", "status"), CERTIFICATE_MATRIX)
def test_certificate_permission_matrix(client, request, attended, role, status):
    login_as(client, request, role)
    response = client.get(reverse("events:certificate", args=[attended.pk]))
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("role", ["named_pupil", "staff"])
def test_no_certificate_without_check_in(client, request, event, named_pupil, role):
    registration = services.register_pupil(event=event, pupil=named_pupil)
    to_past(event)
    login_as(client, request, role)
    assert client.get(reverse("events:certificate", args=[registration.pk])).status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [("teacher", 200), ("member", 200), ("other_pupil", 404), ("host_member", 200), ("staff", 200)],
)
def test_class_certificate_permissions(client, request, class_registration, member, role, status):
    class_registration.members.add(member)
    attend(class_registration)
    login_as(client, request, role)
    assert client.get(reverse("events:certificate", args=[class_registration.pk])).status_code == status


def test_teacher_of_another_class_gets_404(client, class_registration):
    attend(class_registration)
    client.force_login(TeacherFactory())
    assert client.get(reverse("events:certificate", args=[class_registration.pk])).status_code == 404


def test_documents_need_a_login(client):
    for name, args in [
        ("events:certificates", []),
        ("events:portfolio_json", []),
        ("events:portfolio_csv", []),
        ("events:class_attendance", [1]),
        ("events:feedback", [1]),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("accounts:login"))


# ---------------------------------------------------------------------------------------------- portfolio export


@pytest.fixture
def two_attended(named_pupil, host, profession):
    """Two attended events (a 3-hour visit, a 2.5-hour workshop) and one not attended."""
    visit = EventFactory(hosts=[host], title="Werkstatttag Metall")
    visit.professions.add(profession, ProfessionFactory(name="Industriemechaniker:in"))
    workshop = EventFactory(
        hosts=[host, MembershipFactory().company], title="Löten für Einsteiger", kind="workshop"
    )
    workshop.starts_at = visit.starts_at + timedelta(days=1)
    workshop.ends_at = workshop.starts_at + timedelta(hours=2, minutes=30)
    workshop.save()
    attend(services.register_pupil(event=visit, pupil=named_pupil))
    attend(services.register_pupil(event=workshop, pupil=named_pupil))
    services.register_pupil(event=EventFactory(hosts=[host], title="Verpasst"), pupil=named_pupil)
    return visit, workshop


def test_portfolio_json(client, named_pupil, two_attended, host):
    visit, workshop = two_attended
    client.force_login(named_pupil)
    response = client.get(reverse("events:portfolio_json"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment")
    assert "berufsorientierung.json" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["pupil"] == "Jördis Öztürk"
    assert datetime.fromisoformat(data["generated_at"]).tzinfo is not None
    assert [e["title"] for e in data["events"]] == ["Werkstatttag Metall", "Löten für Einsteiger"]
    first, second = data["events"]
    assert first["date"] == timezone.localtime(visit.starts_at).date().isoformat()
    assert datetime.fromisoformat(first["starts_at"]) == visit.starts_at
    assert first["kind"] == "Betriebsbesichtigung"
    assert first["hosts"] == [host.name]
    assert first["place"] == "Industriestraße 4, 26871 Papenburg"
    assert first["professions"] == ["Industriemechaniker:in", "Mechatroniker:in"]
    assert first["hours"] == 3
    assert first["organiser"] == settings.EINBLICK["NETWORK_NAME"]
    assert second["date"] == timezone.localtime(workshop.starts_at).date().isoformat()
    assert second["kind"] == "Workshop"
    assert second["hours"] == 2.5
    assert len(second["hosts"]) == 2 and host.name in second["hosts"]


def test_portfolio_csv(client, named_pupil, two_attended, host):
    visit, workshop = two_attended
    client.force_login(named_pupil)
    response = client.get(reverse("events:portfolio_csv"))
    rows = csv_rows(response)
    assert "berufsorientierung.csv" in response["Content-Disposition"]
    assert rows[0] == [
        "Datum",
        "Uhrzeit",
        "Veranstaltung",
        "Art",
        "Gastgebende Betriebe",
        "Ort",
        "Vorgestellte Berufe",
        "Stunden",
        "Veranstalter",
    ]
    assert len(rows) == 3
    visit_row, workshop_row = rows[1], rows[2]
    assert visit_row[0] == day(visit)
    assert visit_row[2:5] == ["Werkstatttag Metall", "Betriebsbesichtigung", host.name]
    assert visit_row[5] == "Industriestraße 4, 26871 Papenburg"
    assert visit_row[6] == "Industriemechaniker:in, Mechatroniker:in"
    assert visit_row[7] == "3"
    assert visit_row[8] == settings.EINBLICK["NETWORK_NAME"]
    assert workshop_row[0] == day(workshop)
    assert workshop_row[2] == "Löten für Einsteiger"  # umlauts survive (UTF-8 with BOM)
    assert workshop_row[7] == "2,5"  # German decimal comma


def test_portfolio_is_empty_without_attended_events(client, other_pupil, two_attended):
    client.force_login(other_pupil)
    assert json.loads(client.get(reverse("events:portfolio_json")).content)["events"] == []
    assert len(csv_rows(client.get(reverse("events:portfolio_csv")))) == 1  # the header only


# ---------------------------------------------------------------------------------------------- class attendance

ATTENDANCE_HEADER = [
    "Veranstaltung",
    "Beginn",
    "Klasse",
    "Schule",
    "Angemeldete Plätze",
    "Anwesend",
    "Name",
    "Eingecheckt um",
]


def test_class_attendance_csv_has_a_row_per_name(
    client, class_registration, member, teacher, school_class, event
):
    class_registration.names += '\n=HYPERLINK("http://evil")'
    class_registration.places = 5
    class_registration.save(update_fields=["names", "places"])
    class_registration.members.add(member)
    attend(class_registration, present=4)
    client.force_login(teacher)
    rows = csv_rows(client.get(reverse("events:class_attendance", args=[class_registration.pk])))
    assert rows[0] == ATTENDANCE_HEADER
    names = [row[6] for row in rows[1:]]
    assert names == ["Ada Arslan", "Ben Bruns", "Cem Cakir", '\'=HYPERLINK("http://evil")', "Mira Mitglied"]
    checked_in = f"{timezone.localtime(class_registration.checked_in_at):%d.%m.%Y %H:%M}"
    for row in rows[1:]:
        assert row[:6] == [
            event.title,
            f"{timezone.localtime(event.starts_at):%d.%m.%Y %H:%M}",
            school_class.name,
            school_class.school.name,
            "5",
            "4",
        ]
        assert row[7] == checked_in


def test_class_attendance_without_names_is_one_summary_row(client, event, teacher, school_class):
    [registration] = services.register_class(
        event=event, teacher=teacher, school_class=school_class, places=6
    )
    client.force_login(teacher)
    rows = csv_rows(client.get(reverse("events:class_attendance", args=[registration.pk])))
    assert len(rows) == 2
    assert rows[1][4:] == ["6", "", "", ""]  # not checked in yet: no one present, no time


@pytest.mark.parametrize(
    ("role", "status"),
    [("teacher", 200), ("host_member", 200), ("staff", 200), ("member", 404), ("other_member", 404)],
)
def test_class_attendance_permissions(client, request, class_registration, member, role, status):
    class_registration.members.add(member)
    login_as(client, request, role)
    assert client.get(reverse("events:class_attendance", args=[class_registration.pk])).status_code == status


def test_class_attendance_is_only_for_class_registrations(client, attended, named_pupil, staff):
    for user in (named_pupil, staff):
        client.force_login(user)
        assert client.get(reverse("events:class_attendance", args=[attended.pk])).status_code == 404


# ------------------------------------------------------------------------------------------------------ feedback


@pytest.fixture
def past_attended(attended, event):
    to_past(event)
    attended.refresh_from_db()
    return attended


def feedback_url(registration) -> str:
    return reverse("events:feedback", args=[registration.pk])


def test_feedback_form_is_accessible_and_says_it_is_anonymous(client, past_attended, named_pupil):
    client.force_login(named_pupil)
    response = client.get(feedback_url(past_attended))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    radios = re.findall(r'<input type="radio" name="stars" value="(\d)"[^>]*id="([^"]+)"', html)
    assert sorted(value for value, _ in radios) == ["1", "2", "3", "4", "5"]
    for _, input_id in radios:
        assert f'<label for="{input_id}"' in html
    assert "<legend" in html  # the radio group is a fieldset with its question as legend
    for name in ("liked", "improve"):
        match = re.search(rf'<textarea name="{name}"[^>]*id="([^"]+)"', html)
        assert match and f'<label for="{match.group(1)}"' in html
    assert "anonym" in html.lower()


def test_feedback_is_saved_anonymously_once(client, past_attended, named_pupil, event):
    client.force_login(named_pupil)
    response = client.post(
        feedback_url(past_attended), {"stars": "4", "liked": "Die Werkstatt", "improve": "Pause"}
    )
    assert response.status_code == 302
    assert response["Location"] == MINE
    [message] = get_messages(response.wsgi_request)
    assert message.level_tag == "success"
    feedback = Feedback.objects.get()
    assert (feedback.event, feedback.stars, feedback.liked, feedback.improve) == (
        event,
        4,
        "Die Werkstatt",
        "Pause",
    )
    # anonymous: nothing points to the pupil or the registration but the keyed hash
    relations = {f.name for f in Feedback._meta.get_fields() if f.is_relation}
    assert relations == {"event"}
    assert feedback.voter == services.feedback_voter(past_attended)
    assert re.fullmatch(r"[0-9a-f]{64}", feedback.voter)
    stored = " ".join(str(getattr(feedback, f.attname)) for f in Feedback._meta.concrete_fields)
    assert named_pupil.username not in stored and "Jördis" not in stored
    # a second answer is refused; the page says so instead of showing the form
    again = client.post(feedback_url(past_attended), {"stars": "1"})
    assert again.status_code == 200
    assert 'name="stars"' not in again.content.decode()
    assert Feedback.objects.count() == 1
    assert Feedback.objects.get().stars == 4


def test_feedback_before_the_end_is_refused(client, attended, named_pupil):
    client.force_login(named_pupil)
    response = client.post(feedback_url(attended), {"stars": "5"})
    assert response.status_code == 200
    assert 'name="stars"' not in response.content.decode()
    assert not Feedback.objects.exists()


def test_feedback_without_check_in_is_refused(client, event, named_pupil):
    registration = services.register_pupil(event=event, pupil=named_pupil)
    to_past(event)
    client.force_login(named_pupil)
    response = client.post(feedback_url(registration), {"stars": "5"})
    assert response.status_code == 200
    assert 'name="stars"' not in response.content.decode()
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("stars", ["", "0", "6", "viele"])
def test_feedback_needs_one_to_five_stars_and_keeps_the_text(client, past_attended, named_pupil, stars):
    client.force_login(named_pupil)
    response = client.post(
        feedback_url(past_attended), {"stars": stars, "liked": "Das Löten", "improve": "Mehr Zeit"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "errorlist" in html
    assert "Das Löten</textarea>" in html and "Mehr Zeit</textarea>" in html
    assert not Feedback.objects.exists()


def test_teacher_gives_feedback_for_the_class(client, class_registration, teacher, member, event):
    class_registration.members.add(member)
    attend(class_registration)
    to_past(event)
    client.force_login(member)  # the class answers through its teacher: one answer per registration
    assert client.get(feedback_url(class_registration)).status_code == 404
    client.force_login(teacher)
    assert client.post(feedback_url(class_registration), {"stars": "5"}).status_code == 302
    assert Feedback.objects.get().voter == services.feedback_voter(class_registration)


@pytest.mark.parametrize(("role", "status"), [("other_pupil", 404), ("host_member", 404), ("staff", 404)])
def test_feedback_form_is_only_for_the_participant(client, request, past_attended, role, status):
    login_as(client, request, role)
    assert client.get(feedback_url(past_attended)).status_code == status


# ---------------------------------------------------------------------------------------------- feedback results


def results_url(event) -> str:
    return reverse("events:feedback_results", args=[event.slug])


@pytest.fixture
def answered(event, past_attended):
    """Two answers: one by the pupil, one by a class."""
    services.feedback_submit(registration=past_attended, stars=5, liked="Die <b>Roboter</b>", improve="")
    teacher = TeacherFactory()
    group = Registration.objects.create(
        event=event,
        teacher=teacher,
        school_class=SchoolClassFactory(teacher=teacher),
        places=3,
        status=Registration.Status.CONFIRMED,
        checked_in_at=timezone.now() - timedelta(days=2),
        attended=3,
    )
    services.feedback_submit(registration=group, stars=4, liked="", improve="Längere Pause")
    return event


@pytest.mark.parametrize("role", ["host_member", "staff"])
def test_feedback_results_for_host_and_staff(client, request, answered, named_pupil, role):
    login_as(client, request, role)
    response = client.get(results_url(answered))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "4,5" in html  # average of 5 and 4, German format
    assert "Die &lt;b&gt;Roboter&lt;/b&gt;" in html  # escaped
    assert "Längere Pause" in html
    assert "Jördis" not in html and named_pupil.username not in html  # anonymous
    bars = re.findall(r'<span class="bar-value">(\d+)</span>', html)
    assert bars == ["1", "1", "0", "0", "0"]  # 5 stars, 4 stars, 3, 2, 1


def test_feedback_results_empty_state(client, event, host_member):
    client.force_login(host_member)
    response = client.get(results_url(event))
    assert response.status_code == 200
    assert 'class="empty"' in response.content.decode()
    assert "bar-value" not in response.content.decode()


@pytest.mark.parametrize(
    ("role", "status"), [("anonymous", 302), ("named_pupil", 404), ("teacher", 404), ("other_member", 404)]
)
def test_feedback_results_are_not_for_others(client, request, answered, role, status):
    login_as(client, request, role)
    assert client.get(results_url(answered)).status_code == status
