"""Offer import from the BA job search: parser (v4 and v6 shapes, broken input), mapping, idempotency, expiry,
task, staff page and command. No test calls the network: pages come from tests/catalog/ba_fixtures/."""

import json
from datetime import date, timedelta
from io import StringIO
from pathlib import Path
from urllib.error import HTTPError, URLError

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from einblick.catalog import selectors
from einblick.catalog.ba import client as ba_client
from einblick.catalog.ba import services as ba_services
from einblick.catalog.ba.parse import parse_page, plz_normalise
from einblick.catalog.ba.reasons import reason_text
from einblick.catalog.ba.services import (
    ProfessionMatcher,
    is_dual_study,
    next_august_first,
    offer_import_start,
    offers_import_ba,
)
from einblick.catalog.ba.tasks import offer_import_run
from einblick.catalog.models import Company, Offer, OfferImport, Place, Profession
from einblick.catalog.services import company_approve
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    OfferFactory,
    PlaceFactory,
    PupilFactory,
    SiteFactory,
    StaffFactory,
    TeacherFactory,
    UserFactory,
)

FIXTURES = Path(__file__).resolve().parent / "ba_fixtures"
REF_ELEKTRO = "10000-1184867112-S"
REF_BUERO = "10001-1002716922-S"
REF_DUAL = "10000-1190000001-S"
REF_UNMAPPED = "10000-1183999289-S"
REF_UNKNOWN_PLZ = "10000-1184867113-S"


def page(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def records(name: str) -> list:
    return json.loads(page(name))["stellenangebote"]


def today() -> date:
    return timezone.localdate()


def expected_start(value: date) -> date:
    return value if value >= today() else next_august_first(today())


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Any attempt to reach the real API fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("a test tried to call the network")

    monkeypatch.setattr(ba_client, "urlopen", refuse)


class FakeApi:
    """Serves search pages by page number and records every request."""

    def __init__(self, pages: dict[int, bytes | Exception]):
        self.pages, self.calls = pages, []

    def __call__(self, url: str, headers: dict[str, str]) -> bytes:
        self.calls.append((url, headers))
        from urllib.parse import parse_qs, urlsplit

        number = int(parse_qs(urlsplit(url).query).get("page", ["0"])[0])
        answer = self.pages.get(number, b'{"maxErgebnisse": 0}')
        if isinstance(answer, Exception):
            raise answer
        return answer


def api_page(items: list, total: int) -> bytes:
    return json.dumps({"stellenangebote": items, "maxErgebnisse": str(total)}).encode()


# --- Parser -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (26871, "26871"),
        ("26871", "26871"),
        (1067, "01067"),
        ("01067", "01067"),
        (" 1067 ", "01067"),
        (26871.0, "26871"),
        ("ABCDE", None),
        ("123", None),
        ("123456", None),
        (None, None),
        (True, None),
        ({"plz": 1}, None),
    ],
)
def test_plz_is_a_five_digit_string(value, expected):
    assert plz_normalise(value) == expected


def test_parse_v4_page():
    parsed = parse_page(page("v4_page.json"))
    assert parsed.shape == "v4" and parsed.total == 5 and not parsed.problems
    first = parsed.records[0]
    assert first.ref == REF_ELEKTRO
    assert first.profession_title == "Elektroniker/in - Energie- und Gebäudetechnik"
    assert first.employer == "Gröger & Oltermann Sicherheits- und Elektrotechnik GmbH"
    location = first.locations[0]
    assert (location.plz, location.town, location.street) == ("26871", "Papenburg", "Hauptkanal rechts 12")
    assert (location.latitude, location.longitude) == (53.0774, 7.4044)
    assert first.start_date == date(2021, 7, 26) and first.published == date(2021, 7, 25)
    assert first.external_url == ""
    assert parsed.records[1].start_date is None
    assert parsed.records[1].external_url == "https://karriere.example.org/jobs/4711"
    assert parsed.unknown_fields == {"neuesFeldDerBA": 1}


def test_parse_v6_page():
    parsed = parse_page(page("v6_page.json"))
    assert parsed.shape == "v6" and parsed.total == 2 and len(parsed.records) == 2
    werft, hotel = parsed.records
    assert werft.ref == "14225-d678889039fc0001-S" and werft.employer == "Ems-Werft Papenburg GmbH"
    assert werft.title == "Ausbildung zum Mechatroniker (m/w/d) 2031"
    assert werft.profession_title == "Mechatroniker/in"
    assert werft.locations[0].street == "Am Werfthafen 3"
    assert (werft.locations[0].latitude, werft.locations[0].longitude) == (53.0774, 7.4044)
    assert werft.start_date == date(2031, 8, 1) and werft.published == date(2026, 5, 2)
    assert hotel.locations[0].plz == "26789"  # given as a number
    assert hotel.external_url == "https://hotel-hilling.example.org/karriere"  # spelt externeURL
    assert parsed.unknown_fields == {"neuesV6Feld": 1}


def test_page_without_ergebnisliste_has_no_results():
    parsed = parse_page(page("v6_no_results.json"))
    assert parsed.shape == "empty" and parsed.records == [] and parsed.problems == [] and parsed.total == 0


def test_malformed_json_is_one_problem():
    parsed = parse_page(page("malformed.json"), label="malformed.json")
    assert parsed.shape == "broken" and parsed.records == []
    assert [(p.ref, p.reason) for p in parsed.problems] == [("malformed.json", "malformed_json")]


@pytest.mark.parametrize(
    ("content", "shape", "reasons"),
    [
        (b"42", "broken", ["malformed_page"]),
        (b'{"ergebnisliste": "kaputt"}', "broken", ["malformed_page"]),
        (b'{"stellenangebote": null}', "v4", []),
        (b"\xff\xfe", "broken", ["malformed_json"]),
        ("[]", "v4", []),
    ],
)
def test_odd_pages(content, shape, reasons):
    parsed = parse_page(content)
    assert parsed.shape == shape and [p.reason for p in parsed.problems] == reasons


def test_partial_records_are_reported_and_the_rest_parsed():
    parsed = parse_page(page("partial_records.json"), label="partial_records.json")
    assert [r.ref for r in parsed.records] == [
        "10000-2000000002-S",
        "10000-2000000004-S",
        "10000-2000000006-S",
    ]
    assert [(p.ref, p.reason) for p in parsed.problems] == [
        ("partial_records.json#1", "missing_ref"),
        ("10000-2000000001-S", "missing_employer"),
        ("partial_records.json#3", "not_an_object"),
        ("10000-2000000003-S", "missing_location"),
        ("10000-2000000005-S", "missing_profession"),
    ]
    dresden, bad_plz, good = parsed.records
    assert dresden.locations[0].plz == "01067"
    assert bad_plz.locations[0].plz is None and bad_plz.locations[0].raw_plz == "ABCDE"
    assert good.start_date is None and good.locations[0].latitude is None
    assert parsed.refs >= {"10000-2000000001-S", "10000-2000000005-S"}  # known to exist, even if unusable


# --- Client -----------------------------------------------------------------------------------------------------
def test_client_builds_search_and_detail_urls(settings):
    settings.EINBLICK_BA_BASE_URL = "https://ba.test/jobsuche-service/"
    api = FakeApi({1: b"{}"})
    client = ba_client.JobSearchClient.from_settings(fetch=api)
    assert client.jobs(wo="Papenburg", umkreis=50, page=2, size=50) == b'{"maxErgebnisse": 0}'
    client.job_details("10001-1002716922-S")
    (search_url, headers), (detail_url, _) = api.calls
    assert search_url == (
        "https://ba.test/jobsuche-service/pc/v4/jobs?angebotsart=4&wo=Papenburg&umkreis=50&page=2&size=50"
    )
    assert headers == {"X-API-Key": "jobboerse-jobsuche"}
    # the spec's example: base64('10001-1002716922-S')
    assert detail_url == "https://ba.test/jobsuche-service/pc/v4/jobdetails/MTAwMDEtMTAwMjcxNjkyMi1T"
    assert ba_client.job_page_url("10000-1184867112-S") == (
        "https://www.arbeitsagentur.de/jobsuche/jobdetail/10000-1184867112-S"
    )


@pytest.mark.parametrize(
    "error", [HTTPError("https://ba.test", 503, "Service Unavailable", {}, None), URLError("timed out")]
)
def test_default_transport_turns_errors_into_fetch_error(monkeypatch, error):
    def fail(request, timeout):
        assert request.get_header("X-api-key") == "jobboerse-jobsuche"
        raise error

    monkeypatch.setattr(ba_client, "urlopen", fail)
    with pytest.raises(ba_client.FetchError):
        ba_client.fetch_url("https://ba.test/pc/v4/jobs", {"X-API-Key": "jobboerse-jobsuche"})


# --- Mapping rules ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Elektroniker/in - Energie- und Gebäudetechnik", "Elektroniker:in"),
        ("Elektroniker/in - Automatisierungstechnik", "Elektroniker:in für Automatisierungstechnik"),
        ("Kaufmann/-frau - Büromanagement", "Kaufmann/-frau für Büromanagement"),
        ("Kaufmann/-frau - Einzelhandel", "Kaufmann/-frau im Einzelhandel"),
        ("Industriekaufmann/-frau", "Industriekaufmann/-frau"),
        ("Mechatroniker/in", "Mechatroniker:in"),
        ("Koch/Köchin", "Koch/Köchin"),
        ("Medizinische/r Fachangestellte/r", "Medizinische:r Fachangestellte:r"),
        ("Anlagenmechaniker/in - Sanitär-, Heizungs- und Klimatechnik", None),  # checked below
        ("Fachinformatiker/in - Anwendungsentwicklung", "Fachinformatiker:in"),
        ("Metallbauer/in - Konstruktionstechnik", "Metallbauer:in"),
        ("Wissenschaftliche/r Mitarbeiter/in (Hochschule)", None),
        ("Schlosser", None),  # a term of two professions: not a clear match
        ("", None),
    ],
)
def test_profession_mapping(real_catalog, title, expected):
    matcher = ProfessionMatcher.from_catalogue()
    found = matcher.match(title)
    if title.startswith("Anlagenmechaniker"):
        assert found.name == "Anlagenmechaniker:in für Sanitär-, Heizungs- und Klimatechnik"
    else:
        assert (found.name if found else None) == expected


@pytest.mark.parametrize(
    ("title", "dual"),
    [
        ("Duales Studium BWL mit Ausbildung Industriekaufmann/-frau (m/w/d)", True),
        ("Hotelmanagement – Bachelor of Arts (Dual)", True),
        ("Dualer Studiengang Maschinenbau", True),
        ("Duale Ausbildung zum Mechatroniker (m/w/d)", False),
        ("Ausbildung Elektroniker (m/w/d)", False),
    ],
)
def test_dual_study_is_recognised_by_the_title(title, dual):
    assert is_dual_study(title) is dual


def test_next_august_first():
    assert next_august_first(date(2026, 3, 1)) == date(2026, 8, 1)
    assert next_august_first(date(2026, 8, 1)) == date(2027, 8, 1)
    assert next_august_first(date(2026, 11, 29)) == date(2027, 8, 1)


# --- Import -----------------------------------------------------------------------------------------------------
@pytest.fixture
def meppen_company(real_catalog):
    """An approved member company in Meppen whose name the BA writes slightly differently."""
    site = SiteFactory(company__name="Emsland Metallbau GmbH", place=Place.objects.get(plz="49716"))
    MembershipFactory(company=site.company)
    return site.company


def test_v4_import_creates_offers_and_reports_the_rest(meppen_company):
    result = offers_import_ba(pages=[page("v4_page.json")], labels=["v4_page.json"])
    assert result.status == OfferImport.Status.DONE and result.progress == 100 and result.finished_at
    assert (result.new, result.updated, result.expired, result.unmapped, result.rejected) == (3, 0, 0, 1, 1)
    assert result.params == {"wo": "", "umkreis": None, "files": ["v4_page.json"]}

    elektro = Offer.objects.get(external_ref=REF_ELEKTRO)
    assert elektro.source == Offer.Source.BA and elektro.kind == Offer.Kind.APPRENTICESHIP
    assert elektro.profession.name == "Elektroniker:in"
    assert elektro.title == "Ausbildung Elektroniker für Energie- und Gebäudetechnik (m/w/d)"
    assert elektro.start_date == next_august_first(today())  # eintrittsdatum lies in the past
    assert elektro.places == 1 and elektro.valid_until == today() + timedelta(days=60)
    assert elektro.apply_url == f"https://www.arbeitsagentur.de/jobsuche/jobdetail/{REF_ELEKTRO}"
    assert elektro.title in elektro.description and elektro.apply_url in elektro.description
    assert "Bundesagentur für Arbeit" in elektro.description
    assert (elektro.site.place.plz, elektro.site.street) == ("26871", "Hauptkanal rechts 12")
    assert elektro.search_text  # went through offer_save

    # the employer was unknown: a pending company without members or contact persons
    groeger = elektro.company
    assert groeger.name == "Gröger & Oltermann Sicherheits- und Elektrotechnik GmbH"
    assert groeger.status == Company.Status.PENDING and groeger.status_reason
    assert not groeger.memberships.exists() and not groeger.contacts.exists()
    assert "papenburg" in groeger.search_text

    buero = Offer.objects.get(external_ref=REF_BUERO)
    assert buero.company == meppen_company  # "Emsland-Metallbau GmbH" in Meppen matches
    assert buero.site == meppen_company.sites.get()
    assert buero.profession.name == "Kaufmann/-frau für Büromanagement"
    assert buero.start_date == next_august_first(today())  # no eintrittsdatum
    assert buero.apply_url == "https://karriere.example.org/jobs/4711"

    dual = Offer.objects.get(external_ref=REF_DUAL)
    assert dual.kind == Offer.Kind.DUAL_STUDY and dual.start_date == expected_start(date(2031, 8, 1))
    assert dual.site.place.name == "Leer (Ostfriesland)"  # BA says "Leer"

    assert not Offer.objects.filter(external_ref__in=[REF_UNMAPPED, REF_UNKNOWN_PLZ]).exists()
    report = result.report
    assert report["unmapped"] == [{"title": "Wissenschaftliche/r Mitarbeiter/in (Hochschule)", "count": 1}]
    assert {"ref": REF_UNKNOWN_PLZ, "reason": "unknown_plz", "detail": "90537 Berlin"} in report["problems"]
    assert {
        "ref": REF_UNMAPPED,
        "reason": "unmapped_profession",
        "detail": report["unmapped"][0]["title"],
    } in (report["problems"])
    assert report["unknown_fields"] == [{"field": "neuesFeldDerBA", "count": 1}]
    assert report["companies_created"] == 2 and report["notes"] == []


def test_offers_of_pending_employers_show_once_staff_approve(meppen_company):
    offers_import_ba(pages=[page("v4_page.json")])
    visible = set(selectors.offers_open().values_list("external_ref", flat=True))
    assert visible == {REF_BUERO}
    company_approve(company=Company.objects.get(name__startswith="Gröger"), by=StaffFactory())
    visible = set(selectors.offers_open().values_list("external_ref", flat=True))
    assert visible == {REF_BUERO, REF_ELEKTRO}


def test_imported_company_and_offer_pages_work_without_contact_or_street(client, real_catalog):
    items = records("v4_page.json")[:1]
    del items[0]["arbeitsort"]["strasse"]
    offers_import_ba(pages=[api_page(items, 1)])
    offer = Offer.objects.get()
    company_approve(company=offer.company, by=StaffFactory())
    company_page = client.get(offer.company.get_absolute_url())
    assert company_page.status_code == 200
    assert "Keine Ansprechpartner:innen eingetragen." in company_page.content.decode()
    offer_page = client.get(offer.get_absolute_url())
    assert offer_page.status_code == 200
    assert "· 26871 Papenburg" in offer_page.content.decode()
    assert offer.apply_url in offer_page.content.decode()


def test_employer_with_the_same_name_elsewhere_is_not_matched(real_catalog):
    other = SiteFactory(company__name="Emsland Metallbau GmbH", place=Place.objects.get(plz="26871")).company
    offers_import_ba(pages=[page("v4_page.json")])
    buero = Offer.objects.get(external_ref=REF_BUERO)
    assert buero.company != other and buero.company.status == Company.Status.PENDING
    assert buero.company.name == "Emsland-Metallbau GmbH"
    assert not other.offers.exists()


def test_employer_matched_by_town_when_the_plz_differs(real_catalog):
    meppen = Place.objects.get(plz="49716")
    second_plz = Place.objects.create(
        plz="49719",
        name="Meppen",
        district=meppen.district,
        district_code="03454",
        latitude=52.7,
        longitude=7.3,
    )
    company = SiteFactory(company__name="Emsland Metallbau GmbH", place=second_plz).company
    offers_import_ba(pages=[page("v4_page.json")])
    assert Offer.objects.get(external_ref=REF_BUERO).company == company


def test_reimport_updates_and_duplicates_nothing(meppen_company):
    offers_import_ba(pages=[page("v4_page.json")])
    companies, sites = Company.objects.count(), meppen_company.sites.count()
    ids = dict(Offer.objects.values_list("external_ref", "pk"))
    second = offers_import_ba(pages=[page("v4_page.json")])
    assert (second.new, second.updated, second.expired, second.unmapped, second.rejected) == (0, 3, 0, 1, 1)
    assert dict(Offer.objects.values_list("external_ref", "pk")) == ids
    assert Company.objects.count() == companies and meppen_company.sites.count() == sites


def test_reimport_changes_offers_and_expires_vanished_ones(meppen_company):
    manual = OfferFactory(site=SiteFactory(company=meppen_company, place=Place.objects.get(plz="26871")))
    offers_import_ba(pages=[page("v4_page.json")])
    elektro = Offer.objects.get(external_ref=REF_ELEKTRO)
    elektro_company = elektro.company
    Offer.objects.filter(pk=elektro.pk).update(is_hidden=True)  # staff hid it: a re-import keeps that

    result = offers_import_ba(pages=[page("v4_page_again.json")])
    assert (result.new, result.updated, result.expired) == (1, 2, 1)

    elektro.refresh_from_db()
    assert elektro.title == "Ausbildung Elektroniker/in Energie- und Gebäudetechnik 2031 (m/w/d)"
    assert elektro.start_date == expected_start(date(2031, 9, 1))
    assert elektro.company == elektro_company and elektro.is_hidden
    buero = Offer.objects.get(external_ref=REF_BUERO)
    assert buero.valid_until == today() - timedelta(days=1) and not buero.is_open
    manual.refresh_from_db()
    assert manual.valid_until >= today()  # offers entered by hand never expire through the import

    # the known pending employer gets a second site instead of a duplicate company
    mechatronik = Offer.objects.get(external_ref="10000-1190000002-S")
    dual = Offer.objects.get(external_ref=REF_DUAL)
    assert mechatronik.company == dual.company
    assert Company.objects.filter(name="Nordwest Logistik AG").count() == 1
    assert sorted(dual.company.sites.values_list("place__plz", flat=True)) == ["26603", "26789"]

    # listed again: open again, still one offer
    again = offers_import_ba(pages=[page("v4_page.json")])
    buero.refresh_from_db()
    assert buero.valid_until == today() + timedelta(days=60)
    assert again.new == 0 and Offer.objects.filter(external_ref=REF_BUERO).count() == 1
    assert again.expired == 1  # the Mechatroniker offer is gone now


def test_v6_import(real_catalog):
    result = offers_import_ba(pages=[page("v6_page.json")])
    assert (result.new, result.unmapped, result.rejected) == (2, 0, 0)
    werft = Offer.objects.get(external_ref="14225-d678889039fc0001-S")
    assert werft.profession.name == "Mechatroniker:in" and werft.kind == Offer.Kind.APPRENTICESHIP
    assert werft.start_date == expected_start(date(2031, 8, 1))
    assert werft.site.street == "Am Werfthafen 3" and werft.company.name == "Ems-Werft Papenburg GmbH"
    hotel = Offer.objects.get(external_ref="14225-d678889039fc0002-S")
    assert hotel.kind == Offer.Kind.DUAL_STUDY and hotel.profession.name == "Hotelfachmann/-frau"
    assert hotel.site.place.plz == "26789" and hotel.start_date == next_august_first(today())
    assert hotel.apply_url == "https://hotel-hilling.example.org/karriere"
    assert result.report["unknown_fields"] == [{"field": "neuesV6Feld", "count": 1}]


def test_page_without_results_expires_earlier_offers(real_catalog):
    offers_import_ba(pages=[page("v4_page.json")])
    result = offers_import_ba(pages=[page("v6_no_results.json")])
    assert (result.status, result.new, result.expired, result.rejected) == ("done", 0, 3, 0)
    assert not selectors.offers_open().filter(source=Offer.Source.BA).exists()


def test_malformed_json_is_counted_and_expires_nothing(real_catalog):
    offers_import_ba(pages=[page("v4_page.json")])
    result = offers_import_ba(
        pages=[page("malformed.json"), page("v6_page.json")], labels=["a.json", "b.json"]
    )
    assert (result.status, result.new, result.rejected, result.expired) == ("done", 2, 1, 0)
    assert result.report["problems"][0]["ref"] == "a.json"
    assert result.report["problems"][0]["reason"] == "malformed_json"
    assert result.report["notes"] == [{"reason": "not_expired", "detail": ""}]
    assert Offer.objects.filter(source=Offer.Source.BA, valid_until__gte=today()).count() == 5


def test_partial_records_are_counted_and_do_not_stop_the_rest(real_catalog):
    result = offers_import_ba(pages=[page("partial_records.json")], labels=["partial_records.json"])
    assert (result.new, result.unmapped, result.rejected) == (1, 0, 7)
    reasons = {(p["ref"], p["reason"], p["detail"]) for p in result.report["problems"]}
    assert ("10000-2000000002-S", "unknown_plz", "01067 Dresden") in reasons
    assert ("10000-2000000004-S", "invalid_plz", "ABCDE") in reasons
    assert ("partial_records.json#3", "not_an_object", "") in reasons
    offer = Offer.objects.get()
    assert offer.external_ref == "10000-2000000006-S"
    assert offer.apply_url.startswith("https://www.arbeitsagentur.de/jobsuche/jobdetail/")  # "nicht-eine-url"
    assert offer.start_date == next_august_first(today())
    texts = [reason_text(p["reason"], p["detail"]) for p in result.report["problems"]]
    assert all(texts) and not any(
        t.startswith(p["reason"]) for t, p in zip(texts, result.report["problems"], strict=True)
    )


def test_an_unexpected_error_in_one_record_does_not_stop_the_rest(real_catalog, monkeypatch):
    real_save = ba_services.offer_save

    def flaky_save(**kwargs):
        if kwargs["external_ref"] == REF_BUERO:
            raise RuntimeError("disk on fire")
        return real_save(**kwargs)

    monkeypatch.setattr(ba_services, "offer_save", flaky_save)
    result = offers_import_ba(pages=[page("v4_page.json")])
    assert (result.new, result.rejected) == (2, 2)
    assert {"ref": REF_BUERO, "reason": "error", "detail": "RuntimeError: disk on fire"} in result.report[
        "problems"
    ]
    # the failed record left nothing behind: no company for it
    assert not Company.objects.filter(name="Emsland-Metallbau GmbH").exists()


def test_the_same_offer_twice_in_one_import_is_imported_once(real_catalog):
    items = records("v4_page.json")[:1]
    result = offers_import_ba(pages=[api_page(items, 2), api_page(items, 2)])
    assert result.new == 1 and Offer.objects.count() == 1


def test_many_problems_are_capped(real_catalog, monkeypatch):
    monkeypatch.setattr(ba_services, "MAX_PROBLEMS", 2)
    result = offers_import_ba(pages=[page("partial_records.json")])
    assert result.rejected == 7 and len(result.report["problems"]) == 2
    assert result.report["notes"][-1] == {"reason": "problems_truncated", "detail": "2"}


# --- Fetching from the API (fake transport) ---------------------------------------------------------------------
def test_paging_fetches_every_page(real_catalog, monkeypatch):
    monkeypatch.setattr(ba_services, "PAGE_SIZE", 2)
    items = records("v4_page.json")
    api = FakeApi({1: api_page(items[:2], 5), 2: api_page(items[2:4], 5), 3: api_page(items[4:], 5)})
    result = offers_import_ba(wo="Papenburg", umkreis=50, fetch=api)
    assert [url.split("page=")[1] for url, _ in api.calls] == ["1&size=2", "2&size=2", "3&size=2"]
    assert (result.status, result.new, result.unmapped, result.rejected, result.progress) == (
        "done",
        3,
        1,
        1,
        100,
    )
    assert result.params == {"wo": "Papenburg", "umkreis": 50, "pages": 20}


def test_a_failing_page_keeps_what_came_before_and_expires_nothing(real_catalog, monkeypatch):
    old = OfferFactory(source=Offer.Source.BA, external_ref="10000-0000000001-S")
    monkeypatch.setattr(ba_services, "PAGE_SIZE", 2)
    items = records("v4_page.json")
    api = FakeApi({1: api_page(items[:2], 5), 2: ba_client.FetchError("HTTP 503")})
    result = offers_import_ba(wo="Papenburg", umkreis=50, fetch=api)
    assert (result.status, result.new) == ("done", 2)
    assert {"reason": "fetch_failed", "detail": "page=2: HTTP 503"} in result.report["notes"]
    assert {"reason": "not_expired", "detail": ""} in result.report["notes"]
    old.refresh_from_db()
    assert old.valid_until >= today()


def test_import_fails_when_nothing_could_be_fetched(real_catalog):
    api = FakeApi({1: ba_client.FetchError("HTTP 503")})
    result = offers_import_ba(wo="Papenburg", umkreis=50, fetch=api)
    assert result.status == OfferImport.Status.FAILED and result.finished_at
    note = result.report["notes"][0]
    assert note["reason"] == "fetch_failed" and "HTTP 503" in reason_text(note["reason"], note["detail"])


def test_more_results_than_pages_allowed_expires_nothing(real_catalog, monkeypatch):
    old = OfferFactory(source=Offer.Source.BA, external_ref="10000-0000000001-S")
    monkeypatch.setattr(ba_services, "PAGE_SIZE", 2)
    api = FakeApi({1: api_page(records("v4_page.json")[:2], 5)})
    result = offers_import_ba(wo="Papenburg", umkreis=50, max_pages=1, fetch=api)
    assert len(api.calls) == 1 and result.new == 2
    assert {"reason": "incomplete", "detail": "2 / 5"} in result.report["notes"]
    old.refresh_from_db()
    assert old.valid_until >= today()


def test_expiry_is_limited_to_the_searched_area(real_catalog):
    def ba_offer(ref: str, plz: str) -> Offer:
        site = SiteFactory(place=Place.objects.get(plz=plz))
        return OfferFactory(site=site, source=Offer.Source.BA, external_ref=ref)

    near, far = (
        ba_offer("10000-0000000001-S", "49716"),
        ba_offer("10000-0000000002-S", "26603"),
    )  # Meppen, Aurich
    api = FakeApi({1: b'{"maxErgebnisse": 0}'})
    result = offers_import_ba(wo="Meppen", umkreis=25, fetch=api)
    assert result.expired == 1
    near.refresh_from_db()
    far.refresh_from_db()
    assert near.valid_until < today() <= far.valid_until


def test_an_unknown_search_place_expires_nothing(real_catalog):
    old = OfferFactory(source=Offer.Source.BA, external_ref="10000-0000000001-S")
    result = offers_import_ba(wo="Atlantis", umkreis=25, fetch=FakeApi({}))
    assert result.expired == 0 and {"reason": "unknown_area", "detail": "Atlantis"} in result.report["notes"]
    old.refresh_from_db()
    assert old.valid_until >= today()


# --- Task -------------------------------------------------------------------------------------------------------
def test_task_runs_the_import_and_reports_progress(real_catalog, run_tasks, monkeypatch, settings):
    settings.EINBLICK_BA_BASE_URL = "https://ba.test/jobsuche-service"
    api = FakeApi({1: page("v4_page.json")})
    monkeypatch.setattr(ba_client, "fetch_url", api)
    staff = StaffFactory()
    queued = offer_import_start(wo="Papenburg", umkreis=50, started_by=staff)
    assert (queued.status, queued.progress) == ("running", 0)
    assert run_tasks() == 1
    queued.refresh_from_db()
    assert (queued.status, queued.progress, queued.new, queued.started_by) == ("done", 100, 3, staff)
    url, headers = api.calls[0]
    assert url.startswith("https://ba.test/jobsuche-service/pc/v4/jobs?angebotsart=4&wo=Papenburg&umkreis=50")
    assert headers["X-API-Key"] == "jobboerse-jobsuche"


def test_task_without_an_import_uses_the_configured_region(real_catalog, run_tasks, monkeypatch, settings):
    settings.EINBLICK_BA_WO, settings.EINBLICK_BA_UMKREIS = "Meppen", 25
    api = FakeApi({1: page("v6_page.json")})
    monkeypatch.setattr(ba_client, "fetch_url", api)
    offer_import_run.enqueue()
    assert run_tasks() == 1
    done = OfferImport.objects.get()
    assert done.params["wo"] == "Meppen" and done.params["umkreis"] == 25 and done.new == 2
    assert "wo=Meppen&umkreis=25" in api.calls[0][0]


def test_a_task_delivered_twice_runs_once(real_catalog, run_tasks, monkeypatch):
    monkeypatch.setattr(ba_client, "fetch_url", FakeApi({1: page("v6_page.json")}))
    queued = offer_import_start(wo="Papenburg", umkreis=50)
    offer_import_run.enqueue(import_id=queued.pk)
    assert run_tasks() == 2
    queued.refresh_from_db()
    assert queued.new == 2 and OfferImport.objects.count() == 1


def test_a_crashing_import_is_marked_failed(real_catalog, run_tasks, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(ba_client, "fetch_url", FakeApi({1: page("v6_page.json")}))
    monkeypatch.setattr(ba_services, "_expire_vanished", crash)
    queued = offer_import_start(wo="Papenburg", umkreis=50)
    run_tasks()
    queued.refresh_from_db()
    assert queued.status == OfferImport.Status.FAILED
    assert queued.report["notes"][-1] == {"reason": "failed", "detail": "RuntimeError: boom"}


# --- Staff page -------------------------------------------------------------------------------------------------
URL = "/netzwerk/import/"


def test_url():
    assert reverse("catalog:staff_offer_import") == URL


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), ("pupil", 404), ("teacher", 404), ("member", 404), ("user", 404), ("staff", 200)],
)
@pytest.mark.django_db
def test_staff_page_permissions(client, role, expected):
    PlaceFactory()  # Papenburg
    users = {
        "pupil": PupilFactory,
        "teacher": TeacherFactory,
        "member": lambda: MembershipFactory().user,
        "user": UserFactory,
        "staff": StaffFactory,
    }
    if role != "anonymous":
        client.login(username=users[role]().username, password=PASSWORD)
    assert client.get(URL).status_code == expected
    post = client.post(URL, {"wo": "Papenburg", "umkreis": "50"})
    assert post.status_code == (302 if role in {"anonymous", "staff"} else 404)
    assert OfferImport.objects.count() == (1 if role == "staff" else 0)
    assert DBTaskResult.objects.count() == (1 if role == "staff" else 0)


@pytest.fixture
def staff_client(client, real_catalog):
    staff = StaffFactory(first_name="Frauke")
    client.login(username=staff.username, password=PASSWORD)
    client.staff = staff
    return client


def test_staff_starts_an_import_and_follows_it(staff_client, run_tasks, monkeypatch):
    monkeypatch.setattr(ba_client, "fetch_url", FakeApi({1: page("v4_page.json")}))
    response = staff_client.post(URL, {"wo": "26871", "umkreis": "25"}, follow=True)
    assert response.redirect_chain == [(URL, 302)]
    html = response.content.decode()
    assert "Der Import wurde gestartet" in html and "<progress" in html
    queued = OfferImport.objects.get()
    assert (
        queued.params == {"wo": "26871", "umkreis": 25, "pages": 20}
        and queued.started_by == staff_client.staff
    )

    again = staff_client.post(URL, {"wo": "26871", "umkreis": "25"}, follow=True)
    assert "läuft bereits" in again.content.decode() and OfferImport.objects.count() == 1

    run_tasks()
    html = staff_client.get(URL).content.decode()
    assert "<progress" not in html
    assert "Wissenschaftliche/r Mitarbeiter/in (Hochschule) – 1×" in html
    assert "90537 Berlin" in html and "Unbekannte Postleitzahl" in html
    assert "3 neue Betriebe warten auf Ihre Prüfung" in html


def test_bad_input_on_the_staff_page_changes_nothing(staff_client):
    response = staff_client.post(URL, {"wo": "Atlantis", "umkreis": "25"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "kennen wir nicht" in html and 'value="Atlantis"' in html
    response = staff_client.post(URL, {"wo": "Papenburg", "umkreis": "7"})
    assert "gültige Auswahl" in response.content.decode()
    assert not OfferImport.objects.exists() and not DBTaskResult.objects.exists()


def test_staff_page_defaults_to_the_configured_region(staff_client, settings):
    settings.EINBLICK_BA_WO, settings.EINBLICK_BA_UMKREIS = "Leer", 30
    html = staff_client.get(URL).content.decode()
    assert 'value="Leer"' in html and '<option value="30" selected>30 km</option>' in html


def test_staff_page_lists_imports_without_n_plus_one(staff_client):
    def queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert staff_client.get(URL).status_code == 200
        return len(ctx.captured_queries)

    offers_import_ba(pages=[page("v4_page.json")], started_by=staff_client.staff)
    one = queries()
    offers_import_ba(pages=[page("v6_page.json")], started_by=StaffFactory())
    offers_import_ba(pages=[page("malformed.json")])
    assert queries() == one


def test_staff_page_in_english(staff_client):
    offers_import_ba(pages=[page("v4_page.json")])
    staff_client.post("/i18n/setlang/", {"language": "en", "next": URL})
    html = staff_client.get(URL).content.decode()
    assert "Import offers from the Bundesagentur für Arbeit" in html
    assert "Unknown postal code or town (90537 Berlin)" in html


def test_staff_home_links_to_the_import(staff_client):
    html = staff_client.get(reverse("accounts:home")).content.decode()
    assert URL in html


# --- Command ----------------------------------------------------------------------------------------------------
def test_command_imports_files(real_catalog):
    out = StringIO()
    call_command(
        "import_ba",
        "--file",
        str(FIXTURES / "v4_page.json"),
        "--file",
        str(FIXTURES / "v6_page.json"),
        stdout=out,
        stderr=StringIO(),
    )
    text = out.getvalue()
    assert "5 new, 0 updated, 0 expired, 1 unmapped, 1 rejected" in text
    assert "unmapped: Wissenschaftliche/r Mitarbeiter/in (Hochschule) (1x)" in text
    assert REF_UNKNOWN_PLZ in text
    done = OfferImport.objects.get()
    assert done.params["files"] == ["v4_page.json", "v6_page.json"] and done.started_by is None
    assert Offer.objects.filter(source=Offer.Source.BA).count() == 5


def test_command_asks_the_api(real_catalog, monkeypatch):
    api = FakeApi({1: page("v6_page.json")})
    monkeypatch.setattr(ba_client, "fetch_url", api)
    out = StringIO()
    call_command("import_ba", "--wo", "Papenburg", "--umkreis", "50", "--pages", "3", stdout=out)
    assert "2 new" in out.getvalue()
    assert "wo=Papenburg&umkreis=50&page=1&size=50" in api.calls[0][0]
    assert OfferImport.objects.get().params == {"wo": "Papenburg", "umkreis": 50, "pages": 3}


def test_command_rejects_missing_files_and_failed_imports(real_catalog, monkeypatch):
    with pytest.raises(CommandError, match="not found"):
        call_command("import_ba", "--file", "/nonexistent/page.json")
    monkeypatch.setattr(ba_client, "fetch_url", FakeApi({1: ba_client.FetchError("HTTP 503")}))
    with pytest.raises(CommandError, match="failed"):
        call_command("import_ba", "--wo", "Papenburg", stdout=StringIO(), stderr=StringIO())


def test_professions_of_the_fixtures_exist(real_catalog):
    """Guards the fixtures against catalogue renames."""
    names = [
        "Elektroniker:in",
        "Kaufmann/-frau für Büromanagement",
        "Industriekaufmann/-frau",
        "Mechatroniker:in",
    ]
    assert Profession.objects.filter(name__in=[*names, "Hotelfachmann/-frau", "Tischler:in"]).count() == 6


def test_default_transport_returns_the_body(monkeypatch):
    class Response:
        def __init__(self, body):
            self.body = body

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read(self, limit):
            return self.body[:limit]

    monkeypatch.setattr(ba_client, "urlopen", lambda request, timeout: Response(b'{"stellenangebote": []}'))
    assert ba_client.fetch_url("https://ba.test/x", {}) == b'{"stellenangebote": []}'
    monkeypatch.setattr(ba_client, "MAX_RESPONSE_BYTES", 5)
    with pytest.raises(ba_client.FetchError, match="larger"):
        ba_client.fetch_url("https://ba.test/x", {})
