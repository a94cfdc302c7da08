"""Funders' report of the Digital-Tandem (issue #8, item 6): companies reached by district, size and sector, needs by
topic, seminars and participants, tandems by status and outcome — as a page and as one CSV."""

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from einblick.catalog.models import Company
from einblick.events.models import Feedback, Registration
from einblick.tandem import reports
from einblick.tandem.models import Need, Provider, Tandem, Topic, TrainingOffer
from tests.factories import (
    CompanyFactory,
    EventFactory,
    MembershipFactory,
    PlaceFactory,
    SiteFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
START, END = date(2024, 1, 1), date(2024, 6, 30)
INSIDE = datetime(2024, 3, 15, 10, 0, tzinfo=BERLIN)
# just outside the period, on either side (in Berlin time; in UTC the first is still in 2023, the second in June)
BEFORE = datetime(2023, 12, 31, 23, 30, tzinfo=BERLIN)
AFTER = datetime(2024, 7, 1, 0, 30, tzinfo=BERLIN)
PERIOD = {"start": "2024-01-01", "end": "2024-06-30"}


def _de(msgid: str) -> str:
    with translation.override("de"):
        return gettext(msgid)


def _company(name, *, size, sector, town=None, **kwargs):
    company = CompanyFactory(name=name, size=size, sector=sector, **kwargs)
    if town is not None:
        SiteFactory(company=company, place=PlaceFactory.town(town))
    return company


def _need(company, topics, *, people, at):
    need = Need.objects.create(company=company, people=people, audience=["trainers"], formats=["online"])
    need.topics.set(topics)
    Need.objects.filter(pk=need.pk).update(created_at=at)
    return need


def _tandem(need, offer, *, status, at, outcome=""):
    tandem = Tandem.objects.create(need=need, offer=offer, status=status, outcome=outcome)
    Tandem.objects.filter(pk=tandem.pk).update(created_at=at)
    return tandem


def _seminar(title, *, starts_at, **kwargs):
    kwargs.setdefault("place", PlaceFactory.town(0))
    return EventFactory(
        title=title,
        kind="seminar",
        audience="companies",
        starts_at=starts_at,
        registration_opens=starts_at - timedelta(days=30),
        **kwargs,
    )


def _register(event, company, *, places, status="confirmed", attended=None, checked_in=False):
    member = MembershipFactory(company=company).user
    return Registration.objects.create(
        event=event,
        teacher=member,
        company=company,
        places=places,
        status=status,
        attended=attended,
        checked_in_at=event.starts_at if checked_in else None,
    )


@pytest.fixture
def topics():
    recruiting = Topic.objects.create(name="Digitales Recruiting")
    return {
        "video": Topic.objects.create(name="Eigene Videos drehen", parent=recruiting),
        "social": Topic.objects.create(name="Social Media", parent=recruiting),
        "exam": Topic.objects.create(
            name="Online-Prüfungsvorbereitung", parent=Topic.objects.create(name="Prüfung")
        ),
    }


@pytest.fixture
def world(topics):
    """Towns: 0 Papenburg (Landkreis Emsland), 2 Leer (Landkreis Leer), 3 Nordhorn (Landkreis Grafschaft Bentheim)."""
    size = Company.Size
    a = _company("Albers Metallbau", size=size.MICRO, sector="Metallbau", town=0)
    b = _company("Bruns Pflege", size=size.SMALL, sector="Pflege", town=2)
    c = _company("Cordes Maschinenbau", size=size.MEDIUM, sector="Metallbau", town=0)
    SiteFactory(company=c, place=PlaceFactory.town(2))  # a second site: the head office (first site) counts
    d = _company("Dreyer Logistik", size=size.SMALL, sector="Logistik", town=3)
    e = _company("Eilers Bau", size=size.SMALL, sector="Bau", town=2)  # only outside the period
    f = _company("Focken Elektro", size=size.SMALL, sector="Elektro", town=2)  # cancelled its registration
    g = _company("Gerdes Holding", size=size.LARGE, sector="")  # no site, no sector
    h = _company("Hinrichs Handel", size=size.MICRO, sector="Handel", town=2)  # on the waiting list

    provider = Provider.objects.create(name="Bildungswerk Emsland")
    s1 = _seminar("Azubis finden mit Videos", starts_at=INSIDE, capacity=12)
    s2 = _seminar(
        "Social Media kompakt",
        starts_at=INSIDE + timedelta(days=30),
        place=None,
        join_url="https://video.example.org/raum",
    )
    s_old = _seminar("Altes Seminar", starts_at=BEFORE - timedelta(hours=3))
    _seminar("Entwurf", starts_at=INSIDE, status="draft")
    EventFactory(title="Werkstattbesuch für Schüler:innen", starts_at=INSIDE)  # pupils' event: no seminar
    offer = TrainingOffer.objects.create(provider=provider, title="Azubi-Videos", kind="seminar", event=s1)
    offer.topics.set([topics["video"]])

    _register(s1, c, places=4, attended=3, checked_in=True)
    _register(s1, d, places=2, checked_in=True)  # no head count recorded: all places count as present
    _register(s1, f, places=3, status="cancelled")
    _register(s1, h, places=2, status="waitlisted")
    _register(s_old, e, places=5, attended=5, checked_in=True)
    Feedback.objects.create(event=s1, voter="a", stars=5)
    Feedback.objects.create(event=s1, voter="b", stars=4)

    need_a = _need(a, [topics["video"], topics["social"]], people=3, at=INSIDE)
    need_d = _need(d, [topics["video"]], people=1, at=INSIDE)
    _need(g, [topics["exam"]], people=5, at=INSIDE)
    need_b = _need(b, [topics["video"]], people=2, at=BEFORE)
    need_e = _need(e, [topics["exam"]], people=4, at=BEFORE)
    _need(e, [topics["social"]], people=4, at=AFTER)

    _tandem(need_b, offer, status="done", at=INSIDE, outcome="Drei Azubi-Videos sind online.")
    _tandem(need_a, offer, status="running", at=INSIDE)
    _tandem(need_d, offer, status="dropped", at=INSIDE)
    _tandem(need_e, offer, status="done", at=BEFORE, outcome="Vor dem Zeitraum")
    return {"topics": topics, "s1": s1, "s2": s2}


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory())
    return client


# ---------------------------------------------------------------------------------------------------- report()


def test_companies_reached_by_district_size_and_sector(world):
    companies = reports.report(start=START, end=END)["companies"]
    # A (need, tandem), B (tandem), C (seminar), D (all three), G (need), H (waiting list); not E, not F
    assert companies["total"] == 6
    assert (companies["with_need"], companies["with_tandem"], companies["with_seminar"]) == (3, 3, 3)
    assert companies["by_district"] == [
        ("Landkreis Emsland", 2),
        ("Landkreis Grafschaft Bentheim", 1),
        ("Landkreis Leer", 2),
        (gettext("no site given"), 1),
    ]
    sizes = [label for _, label in Company.Size.choices]
    assert companies["by_size"] == list(zip(sizes, [2, 2, 1, 1], strict=True))
    assert companies["by_sector"] == [
        ("Metallbau", 2),
        ("Handel", 1),
        ("Logistik", 1),
        ("Pflege", 1),
        (gettext("no sector given"), 1),
    ]


def test_a_company_active_only_outside_the_period_is_not_counted(world):
    later = reports.report(start=date(2024, 7, 1), end=date(2024, 7, 31))["companies"]
    assert later["total"] == 1  # E's need right after midnight of 1 July
    assert later["by_sector"] == [("Bau", 1)]
    earlier = reports.report(start=date(2023, 12, 1), end=date(2023, 12, 31))["companies"]
    # B's need, E's need and tandem, and E at the old seminar — all on 31 December, Berlin time
    assert earlier["total"] == 2
    assert earlier["by_district"] == [("Landkreis Leer", 2)]


def test_district_filter_narrows_every_section(world):
    data = reports.report(start=START, end=END, district="Landkreis Emsland")
    assert data["companies"]["total"] == 2  # A and C; C's second site in Leer does not count
    assert data["companies"]["by_district"] == [("Landkreis Emsland", 2)]
    assert [(t["needs"], t["people"]) for t in data["needs"]["by_topic"]] == [(1, 3), (1, 3)]
    seminars = data["seminars"]["rows"]
    # the online seminar had no one from there
    assert [s["title"] for s in seminars] == ["Azubis finden mit Videos"]
    assert (seminars[0]["companies"], seminars[0]["registered"], seminars[0]["present"]) == (1, 4, 3)
    assert seminars[0]["places"] == 12 and seminars[0]["ratings"] == 2  # the whole seminar's
    assert data["tandems"]["total"] == 1 and data["tandems"]["outcomes"] == []


def test_needs_by_topic(world):
    needs = reports.report(start=START, end=END)["needs"]
    assert (needs["needs"], needs["companies"], needs["people"]) == (3, 3, 9)
    assert needs["by_topic"] == [
        {"topic": "Digitales Recruiting › Eigene Videos drehen", "needs": 2, "companies": 2, "people": 4},
        {"topic": "Digitales Recruiting › Social Media", "needs": 1, "companies": 1, "people": 3},
        {"topic": "Prüfung › Online-Prüfungsvorbereitung", "needs": 1, "companies": 1, "people": 5},
    ]


def test_seminars_registered_and_present(world):
    seminars = reports.report(start=START, end=END)["seminars"]
    first, online = seminars["rows"]
    assert first == {
        "title": "Azubis finden mit Videos",
        "date": date(2024, 3, 15),
        "online": False,
        "mode": gettext("on site"),
        "provider": "Bildungswerk Emsland",
        "places": 12,
        "companies": 2,
        "registered": 6,  # confirmed only: not the cancelled 3, not the waiting 2
        "present": 5,  # 3 counted at check-in + 2 places without a head count
        "rating": 4.5,
        "ratings": 2,
    }
    assert online["online"] is True and online["mode"] == gettext("online")
    assert (online["registered"], online["present"], online["rating"], online["ratings"]) == (0, 0, None, 0)
    totals = (seminars["count"], seminars["online"], seminars["registered"], seminars["present"])
    assert totals == (2, 1, 6, 5)


def test_tandems_by_status_and_outcomes(world):
    tandems = reports.report(start=START, end=END)["tandems"]
    assert [(row["status"], row["count"]) for row in tandems["by_status"]] == [
        ("requested", 0),
        ("planned", 0),
        ("running", 1),
        ("done", 1),
        ("dropped", 1),
    ]
    assert tandems["total"] == 3
    assert tandems["outcomes"] == [
        {
            "company": "Bruns Pflege",
            "provider": "Bildungswerk Emsland",
            "offer": "Azubi-Videos",
            "outcome": "Drei Azubi-Videos sind online.",
        }
    ]


def test_an_empty_period_gives_zeros_not_errors(db):
    data = reports.report(start=START, end=END)
    assert data["companies"]["total"] == 0 and data["companies"]["by_district"] == []
    assert [n for _, n in data["companies"]["by_size"]] == [0, 0, 0, 0]
    assert data["needs"]["by_topic"] == [] and data["needs"]["people"] == 0
    assert data["seminars"]["rows"] == [] and data["tandems"]["total"] == 0
    header, rows = reports.csv_rows(data)
    assert len(header) == len(reports.COLUMNS) and all(len(row) == len(header) for row in rows)


def _add_active_company(i: int, topic, seminar, offer):
    company = _company(f"Betrieb {i}", size=Company.Size.SMALL, sector=f"Branche {i}", town=i % 4)
    need = _need(company, [topic], people=i + 1, at=INSIDE)
    _tandem(need, offer, status="done", at=INSIDE, outcome=f"Ergebnis {i}")
    _register(seminar, company, places=1, attended=1, checked_in=True)
    Feedback.objects.create(event=seminar, voter=f"v{i}", stars=4)


def test_query_count_does_not_grow_with_the_data(topics, staff_client):
    provider = Provider.objects.create(name="Bildungswerk")
    seminars = [_seminar(f"Seminar {i}", starts_at=INSIDE + timedelta(days=i)) for i in range(5)]
    offer = TrainingOffer.objects.create(provider=provider, title="Kurs", event=seminars[0])
    _add_active_company(0, topics["video"], seminars[0], offer)

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as direct:
            reports.csv_rows(reports.report(start=START, end=END))
        with CaptureQueriesContext(connection) as page:
            assert staff_client.get(reverse("tandem:report"), PERIOD).status_code == 200
        return len(direct), len(page)

    one = count()
    for i in range(1, 5):
        _add_active_company(i, topics["exam" if i % 2 else "social"], seminars[i], offer)
    five = count()
    assert reports.report(start=START, end=END)["companies"]["total"] == 5
    assert one == five
    assert one[0] <= 12


# ------------------------------------------------------------------------------------------------------- CSV


def _read_csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


def test_csv_has_one_table_with_a_section_column(world, staff_client):
    response = staff_client.get(reverse("tandem:report_csv"), PERIOD)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="tandem-bericht-2024-01-01-2024-06-30.csv"' in response["Content-Disposition"]
    header, *rows = _read_csv(response)
    assert header[0] == _de("Section") and len(header) == len(reports.COLUMNS)
    assert all(len(row) == len(header) for row in rows)
    col = {key: i for i, key in enumerate(reports.COLUMNS)}

    def section(msgid: str) -> list[list[str]]:
        return [row for row in rows if row[0] == _de(msgid)]

    assert section("Period") == [[_de("Period"), "01.01.2024 – 30.06.2024"] + [""] * (len(header) - 2)]
    reached = {row[col["item"]]: row[col["companies"]] for row in section("Companies reached")}
    assert reached[_de("Total")] == "6"
    by_district = {row[col["item"]]: row[col["companies"]] for row in section("Companies by district")}
    assert by_district == {
        "Landkreis Emsland": "2",
        "Landkreis Grafschaft Bentheim": "1",
        "Landkreis Leer": "2",
        _de("no site given"): "1",
    }
    assert sum(int(row[col["companies"]]) for row in section("Companies by size")) == 6
    assert sum(int(row[col["companies"]]) for row in section("Companies by sector")) == 6
    video = next(row for row in section("Needs by topic") if row[col["item"]].endswith("Videos drehen"))
    assert (video[col["needs"]], video[col["companies"]], video[col["people"]]) == ("2", "2", "4")
    seminar = next(row for row in section("Seminars") if row[col["item"]] == "Azubis finden mit Videos")
    assert seminar[col["date"]] == "15.03.2024"
    assert seminar[col["mode"]] == _de("on site")
    assert seminar[col["provider"]] == "Bildungswerk Emsland"
    assert (seminar[col["places"]], seminar[col["registered"]], seminar[col["present"]]) == ("12", "6", "5")
    assert (seminar[col["rating"]], seminar[col["ratings"]]) == ("4,5", "2")  # German decimal comma
    statuses = [(row[col["item"]], row[col["tandems"]]) for row in section("Tandems by status")]
    assert len(statuses) == len(Tandem.Status.choices) and sum(int(n) for _, n in statuses) == 3
    (outcome,) = section("Outcomes of completed tandems")
    assert outcome[col["item"]] == "Bruns Pflege"
    assert (outcome[col["provider"]], outcome[col["offer"]]) == ("Bildungswerk Emsland", "Azubi-Videos")
    assert outcome[col["outcome"]] == "Drei Azubi-Videos sind online."


def test_csv_cells_cannot_start_a_formula(topics, staff_client):
    company = _company("=HYPERLINK(1)", size=Company.Size.SMALL, sector="-Branche", town=0)
    _need(company, [topics["video"]], people=1, at=INSIDE)
    rows = _read_csv(staff_client.get(reverse("tandem:report_csv"), PERIOD))
    sectors = [row[1] for row in rows if row[0] == _de("Companies by sector")]
    assert sectors == ["'-Branche"]


# ------------------------------------------------------------------------------------------------------ page


def test_staff_sees_the_report_page(world, staff_client):
    response = staff_client.get(reverse("tandem:report"), PERIOD)
    assert response.status_code == 200
    page = response.text
    for text in ("Landkreis Emsland", "Digitales Recruiting › Eigene Videos drehen", "Azubis finden"):
        assert text in page
    assert "Drei Azubi-Videos sind online." in page
    assert "<caption>" in page and 'scope="row"' in page and 'scope="col"' in page
    assert f"{reverse('tandem:report_csv')}?start=2024-01-01&amp;end=2024-06-30" in page
    assert reverse("tandem:overview") in page
    assert "<script>" not in page.split("<main", 1)[1]  # no inline script (CSP)
    assert response.context["report"]["start"] == START


def test_empty_sections_say_so(staff_client):
    response = staff_client.get(reverse("tandem:report"), PERIOD)
    assert response.status_code == 200
    with translation.override("de"):
        for msgid in (
            "No companies reached in the period.",
            "No needs in the period.",
            "No seminars in the period.",
            "No tandems in the period.",
        ):
            assert gettext(msgid) in response.text


def test_default_period_is_the_current_year(staff_client):
    response = staff_client.get(reverse("tandem:report"))
    today = timezone.localdate()
    assert response.status_code == 200
    assert (response.context["report"]["start"], response.context["report"]["end"]) == (
        date(today.year, 1, 1),
        today,
    )


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2024-13-45", "end": "gestern"},
        {"start": "2024-06-30", "end": "2024-01-01"},  # end before start
        {"start": "2099-01-01"},  # start after the default end (today)
        {"start": "0001-01-01", "end": "9999-12-31"},
        {"start": "2024-01-01", "end": "2024-06-30", "district": "<script>alert(1)</script>"},
    ],
)
def test_invalid_input_shows_errors_and_uses_defaults(staff_client, params):
    response = staff_client.get(reverse("tandem:report"), params)
    assert response.status_code == 200
    assert response.context["form"].errors
    report = response.context["report"]  # the defaults: 1 January to today, all districts
    assert (report["start"], report["end"]) == (date(timezone.localdate().year, 1, 1), timezone.localdate())
    assert report["district"] == ""
    assert 'role="alert"' in response.text and "<script>alert(1)" not in response.text
    assert staff_client.get(reverse("tandem:report_csv"), params).status_code == 200


def test_district_choices_are_the_head_offices_districts(world, staff_client):
    response = staff_client.get(reverse("tandem:report"), {**PERIOD, "district": "Landkreis Leer"})
    assert response.status_code == 200
    choices = [value for value, _ in response.context["form"].fields["district"].choices]
    assert choices == ["", "Landkreis Emsland", "Landkreis Grafschaft Bentheim", "Landkreis Leer"]
    assert response.context["report"]["companies"]["total"] == 2  # B and H


@pytest.mark.parametrize("name", ["tandem:report", "tandem:report_csv"])
def test_only_network_staff(client, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    company = CompanyFactory()
    client.force_login(MembershipFactory(company=company).user)
    assert client.get(url).status_code == 404
    provider = Provider.objects.create(name="Kammer")
    user = UserFactory()
    provider.members.add(user)
    client.force_login(user)
    assert client.get(url).status_code == 404
    inactive = StaffFactory(is_active=False)
    client.force_login(inactive)
    assert client.get(url).status_code in (302, 404)
    client.force_login(StaffFactory())
    assert client.get(url).status_code == 200
