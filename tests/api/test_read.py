"""Public read endpoints: lists, details, filters (distance too), paging, conditional GET, public data only."""

from datetime import timedelta

import pytest
from django.utils import timezone

from einblick.catalog.models import Company
from tests.factories import (
    CompanyFactory,
    ContactFactory,
    FieldFactory,
    MembershipFactory,
    OfferFactory,
    PlaceFactory,
    ProfessionFactory,
    SiteFactory,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"


def get(client, path, **kwargs):
    return client.get(f"{API}{path}", **kwargs)


@pytest.fixture
def region():
    """Offers in Papenburg (0 km), Leer (~17 km) and Nordhorn (~73 km) from Papenburg."""
    towns = {index: PlaceFactory.town(index) for index in (0, 2, 3)}
    mecha = ProfessionFactory(name="Mechatroniker:in")
    tischler = ProfessionFactory(name="Tischler:in")
    offers = {
        "papenburg": OfferFactory(site=SiteFactory(place=towns[0]), profession=mecha),
        "leer": OfferFactory(site=SiteFactory(place=towns[2]), profession=tischler, kind="internship"),
        "nordhorn": OfferFactory(site=SiteFactory(place=towns[3]), profession=mecha),
    }
    for offer in offers.values():
        offer.company.professions.add(offer.profession)
    return offers


# --- Lists and details ------------------------------------------------------------------------------------------
def test_professions_list_detail_and_filters(client):
    mecha = ProfessionFactory(name="Mechatroniker:in")
    other_field = FieldFactory(slug="holz", name="Holz", name_en="Wood")
    ProfessionFactory(name="Tischler:in", field=other_field)
    OfferFactory(profession=mecha)

    data = get(client, "/professions").json()
    assert data["count"] == 2
    assert {p["slug"] for p in data["results"]} == {"mechatroniker", "tischler"}
    item = next(p for p in data["results"] if p["slug"] == "mechatroniker")
    assert item["offer_count"] == 1 and item["field"]["slug"] == "metall-maschinenbau"
    assert item["url"] == "http://testserver/berufe/mechatroniker/"

    assert [p["slug"] for p in get(client, "/professions?field=holz").json()["results"]] == ["tischler"]
    assert [p["slug"] for p in get(client, "/professions?q=Mechatronikerin").json()["results"]] == [
        "mechatroniker"
    ]
    assert get(client, "/professions?q=mechatronikr").json()["results"][0]["slug"] == "mechatroniker"  # typo
    assert get(client, "/professions/tischler").json()["name"] == "Tischler:in"
    assert get(client, "/professions/gibt-es-nicht").status_code == 404
    assert get(client, "/fields").json()["count"] == 2


def test_unknown_slugs_in_filters_are_named(client):
    response = get(client, "/professions?field=gibt-es-nicht")
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["field"]
    response = get(client, "/offers?profession=nope&company=nope&place=99999")
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"profession", "company", "place"}
    assert "kennen wir nicht" in response.json()["errors"]["place"][0]


def test_companies_only_approved_with_contacts_and_no_user_data(client):
    public = CompanyFactory(name="Offen GmbH")
    SiteFactory(company=public)
    ContactFactory(company=public, email="ausbildung@offen.example")
    member = MembershipFactory(company=public).user
    CompanyFactory(name="Wartend GmbH", status=Company.Status.PENDING)
    CompanyFactory(name="Versteckt GmbH", status=Company.Status.HIDDEN)

    data = get(client, "/companies").json()
    assert [c["name"] for c in data["results"]] == ["Offen GmbH"]
    detail = get(client, f"/companies/{public.slug}")
    assert detail.status_code == 200
    assert detail.json()["contacts"][0]["email"] == "ausbildung@offen.example"
    assert member.email not in detail.content.decode() and member.username not in detail.content.decode()
    for company in Company.objects.exclude(pk=public.pk):
        assert get(client, f"/companies/{company.slug}").status_code == 404


def test_offers_only_open(client):
    today = timezone.localdate()
    open_offer = OfferFactory()
    expired = OfferFactory(valid_until=today - timedelta(days=1))
    hidden = OfferFactory(is_hidden=True)
    pending = OfferFactory(site=SiteFactory(company=CompanyFactory(status=Company.Status.PENDING)))
    assert [o["id"] for o in get(client, "/offers").json()["results"]] == [open_offer.pk]
    assert get(client, f"/offers/{open_offer.pk}").json()["apply_email"] == "bewerbung@example.org"
    for offer in (expired, hidden, pending):
        assert get(client, f"/offers/{offer.pk}").status_code == 404


def test_offer_filters(client, region):
    year = region["papenburg"].start_date.year
    ids = lambda query: [o["id"] for o in get(client, f"/offers?{query}").json()["results"]]  # noqa: E731
    assert ids("kind=internship") == [region["leer"].pk]
    assert set(ids("profession=mechatroniker")) == {region["papenburg"].pk, region["nordhorn"].pk}
    assert ids("district=03457") == [region["leer"].pk]
    assert ids(f"company={region['leer'].company.slug}") == [region["leer"].pk]
    assert len(ids(f"start_year={year}")) == 3 and ids(f"start_year={year + 1}") == []
    assert len(ids("certificate=hauptschule")) == 3
    assert ids("field=metall-maschinenbau&kind=apprenticeship&place=Papenburg") == [region["papenburg"].pk]


def test_distance_filter_and_order(client, region):
    data = get(client, "/offers?place=26871&radius_km=25").json()
    assert [o["id"] for o in data["results"]] == [region["papenburg"].pk, region["leer"].pk]
    assert data["results"][0]["distance_km"] == 0 and 10 < data["results"][1]["distance_km"] < 25
    # Any radius up to 200 km, not just the page's 10/25/50.
    assert get(client, "/offers?place=Papenburg&radius_km=80").json()["count"] == 3
    assert get(client, "/offers?place=Papenburg&radius_km=12.5").json()["count"] == 1
    # Without a radius: 50 km, as on the pages.
    assert get(client, "/offers?place=Papenburg").json()["count"] == 2
    companies = get(client, "/companies?place=26871&radius_km=25").json()["results"]
    assert [c["slug"] for c in companies] == [region["papenburg"].company.slug, region["leer"].company.slug]
    assert companies[0]["distance_km"] == 0
    assert get(client, "/companies?profession=tischler").json()["count"] == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("radius_km=500&place=Papenburg", "radius_km"),
        ("radius_km=0&place=Papenburg", "radius_km"),
        ("radius_km=abc&place=Papenburg", "radius_km"),
        ("radius_km=nan&place=Papenburg", "radius_km"),
        ("radius_km=25", "radius_km"),
        ("start_year=soon", "start_year"),
        ("start_year=99999999999999999999999", "start_year"),
        ("kind=vacation", "kind"),
        ("certificate=diplom", "certificate"),
        ("district=3454", "district"),
        ("limit=abc", "limit"),
        ("offset=-1", "offset"),
        ("place=" + "x" * 200, "place"),
        ("q=%00", "q"),
    ],
)
def test_wrong_types_and_values_answer_422_with_the_parameter(client, query, field):
    response = get(client, f"/offers?{query}")
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["message"] and field in body["errors"], body


def test_unknown_parameters_are_named(client):
    response = get(client, "/offers?kreis=03454&feld=holz&limit=5")
    assert response.status_code == 422
    body = response.json()
    assert set(body["errors"]) == {"kreis", "feld"}
    assert "kreis" in body["message"] and "feld" in body["message"]
    assert get(client, "/places?plz=268&district=03454").status_code == 422


def test_wrong_path_types_and_methods(client):
    assert get(client, "/offers/abc").json()["errors"] == {"offer_id": ["Bitte eine ganze Zahl eingeben."]}
    assert get(client, "/offers/99999999999999999999999").status_code == 422
    assert get(client, "/offers/0").status_code == 422
    assert get(client, "/offers/12345").status_code == 404
    response = get(client, "/nichts/hier")
    assert response.status_code == 404 and response.json() == {"message": "Nicht gefunden.", "errors": {}}
    response = client.delete(f"{API}/offers")
    assert response.status_code == 405 and response.json()["message"] and "GET" in response["Allow"]


def test_english_messages_on_request(client):
    response = get(client, "/offers?limit=1000", headers={"Accept-Language": "en"})
    assert response.json() == {
        "message": "The input is not valid.",
        "errors": {"limit": ["Ensure this value is less than or equal to 100."]},
    }


# --- Paging -----------------------------------------------------------------------------------------------------
def test_paging_with_links(client):
    for _ in range(5):
        OfferFactory()
    first = get(client, "/offers?limit=2&kind=apprenticeship").json()
    assert first["count"] == 5 and len(first["results"]) == 2 and first["previous"] is None
    assert "offset=2" in first["next"] and "kind=apprenticeship" in first["next"]
    second = client.get(first["next"]).json()
    assert second["offset"] == 2 and "offset=0" in second["previous"]
    last = get(client, "/offers?limit=2&offset=4").json()
    assert len(last["results"]) == 1 and last["next"] is None
    seen = [o["id"] for o in first["results"] + second["results"] + last["results"]]
    assert len(set(seen)) == 5
    assert get(client, "/offers?offset=100").json()["results"] == []
    assert len(get(client, "/offers?limit=100").json()["results"]) == 5


def test_huge_page_size_is_refused_with_a_reason(client):
    response = get(client, "/offers?limit=100000")
    assert response.status_code == 422
    assert response.json()["errors"]["limit"] == ["Dieser Wert muss kleiner oder gleich 100 sein."]


def test_places_by_plz_or_name_prefix(client):
    for index in (0, 1, 2):
        PlaceFactory.town(index)
    assert [p["name"] for p in get(client, "/places?plz=268").json()["results"]] == ["Papenburg"]
    assert [p["plz"] for p in get(client, "/places?name=lee").json()["results"]] == ["26789"]
    assert get(client, "/places").json()["count"] == 3
    assert get(client, "/places?plz=abc").status_code == 422


# --- Caching ----------------------------------------------------------------------------------------------------
def test_etag_and_last_modified(client):
    offer = OfferFactory()
    first = get(client, "/offers")
    etag = first["ETag"]
    assert etag.startswith('"') and first["Last-Modified"] and "max-age" in first["Cache-Control"]
    assert first["Access-Control-Allow-Origin"] == "*"

    again = get(client, "/offers", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert get(client, "/offers", headers={"If-None-Match": '"other"'}).status_code == 200
    assert get(client, "/offers?limit=5", headers={"If-None-Match": etag}).status_code == 200

    offer.places = 7
    offer.save()
    changed = get(client, "/offers", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert get(client, "/professions")["ETag"] and get(client, "/companies")["Last-Modified"]


# --- No N+1 -----------------------------------------------------------------------------------------------------
def queries(client, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert get(client, path).status_code == 200
    return len(ctx.captured_queries)


def make_offer():
    OfferFactory()


def make_company():
    offer = OfferFactory()
    offer.company.professions.add(offer.profession)
    ContactFactory(company=offer.company)


NUMBERS = iter(range(1, 10_000))


def make_profession():
    OfferFactory(profession=ProfessionFactory(name=f"Metallbautechniker:in {next(NUMBERS)}"))


PLZ = iter(range(10000, 99999))


def make_place():
    PlaceFactory(plz=str(next(PLZ)), name="Ort")


@pytest.mark.parametrize(
    ("path", "make"),
    [
        ("/offers", make_offer),
        ("/offers?place=Papenburg&radius_km=30&q=metallbau", make_offer),
        ("/companies", make_company),
        ("/companies?place=26871&field=metall-maschinenbau", make_company),
        ("/professions", make_profession),
        ("/professions?q=metallbau", make_profession),
        ("/places", make_place),
        ("/fields", make_profession),
    ],
)
def test_list_endpoints_have_no_n_plus_one(client, django_assert_num_queries, path, make):
    make()
    get(client, path)  # warm caches (search vocabulary)
    one = queries(client, path)
    make()
    make()
    with django_assert_num_queries(one):
        response = get(client, path)
    assert response.json()["count"] >= (1 if path == "/fields" else 3)
