"""Search the way pupils type (unit tests on the normaliser, integration on the real catalogue)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from einblick.catalog import search, selectors
from tests.factories import CompanyFactory, OfferFactory, PlaceFactory, ProfessionFactory, SiteFactory


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Mechatroniker:in", "mechatroniker"),
        ("Mechatroniker/in", "mechatroniker"),
        ("Mechatroniker/-in", "mechatroniker"),
        ("Mechatroniker*in", "mechatroniker"),
        ("MechatronikerIn", "mechatroniker"),
        ("Mechatroniker (m/w/d)", "mechatroniker"),
        ("Mechatroniker (w/m/d)", "mechatroniker"),
        ("Steuerfachangestellte:r", "steuerfachangestellte"),
        ("Bäcker:in", "baecker"),
        ("Baecker", "baecker"),
        ("Straßenbauer", "strassenbauer"),
        ("Kfz-Mechatroniker", "kfz mechatroniker"),
        ("  FLIESEN-, Platten-  ", "fliesen platten"),
    ],
)
def test_normalise(typed, expected):
    assert search.normalise(typed) == expected


def test_gender_forms():
    assert "Mechatronikerin" in search.gender_forms("Mechatroniker:in")
    assert "Kauffrau für Büromanagement" in search.gender_forms("Kaufmann/-frau für Büromanagement")
    assert "Steuerfachangestellter" in search.gender_forms("Steuerfachangestellte:r")


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("mechatroniker", "mechatronikr", True),
        ("baecker", "beacker", True),
        ("tischler", "tischler", True),
        ("maurer", "maler", False),
        ("koch", "kochin", False),
    ],
)
def test_edit_distance(a, b, expected):
    assert search.edit_distance_at_most_one(a, b) is expected


@given(st.text(max_size=300))
def test_parse_query_never_fails_and_is_bounded(text):
    tokens = search.parse_query(text, {"mechatroniker", "baecker"})
    assert len(tokens) <= 8
    assert all(t.alternatives and all(" " not in a for a in t.alternatives) for t in tokens)


def test_stopwords_and_gender_suffix_in_query():
    tokens = search.parse_query("Ausbildung als Mechatronikerin in Papenburg")
    assert [t.text for t in tokens] == ["mechatronikerin", "papenburg"]
    assert "mechatroniker" in tokens[0].alternatives


@pytest.fixture
def catalog(real_catalog):
    return real_catalog


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Mechatronikerin", "Mechatroniker:in"),
        ("Mechatroniker/in", "Mechatroniker:in"),
        ("Mechatroniker (m/w/d)", "Mechatroniker:in"),
        ("mechatronikr", "Mechatroniker:in"),  # one typo
        ("Baecker", "Bäcker:in"),
        ("Bäckerin", "Bäcker:in"),
        ("Kfz-Mechatroniker", "Kraftfahrzeugmechatroniker:in"),
        ("Kfz Mechatronikerin", "Kraftfahrzeugmechatroniker:in"),
        ("Tischlerin", "Tischler:in"),
        ("Schreiner", "Tischler:in"),
        ("Kauffrau Büromanagement", "Kaufmann/-frau für Büromanagement"),
        ("Steuerfachangestellter", "Steuerfachangestellte:r"),
        ("Fachinformatikerin", "Fachinformatiker:in"),
        ("Friseurin", "Friseur:in"),
        ("MFA", "Medizinische:r Fachangestellte:r"),
    ],
)
def test_search_finds_professions_the_way_pupils_type(catalog, query, expected):
    result = selectors.search_all(query)
    names = [p.name for p in result.professions[:3]]
    assert expected in names, (query, names)


def test_search_orders_offers_by_distance(db):
    papenburg, leer, nordhorn = PlaceFactory.town(0), PlaceFactory.town(2), PlaceFactory.town(3)
    profession = ProfessionFactory(name="Mechatroniker:in")
    far = OfferFactory(profession=profession, site=SiteFactory(place=nordhorn))
    near = OfferFactory(profession=profession, site=SiteFactory(place=papenburg))
    middle = OfferFactory(profession=profession, site=SiteFactory(place=leer))
    origin = selectors.place_resolve("26871")
    result = selectors.search_all("Mechatronikerin", origin=origin, radius_km=None)
    assert [loc.item for loc in result.offers] == [near, middle, far]
    within_10 = selectors.search_all("Mechatronikerin", origin=origin, radius_km=10)
    assert [loc.item for loc in within_10.offers] == [near]
    within_25 = selectors.search_all("Mechatronikerin", origin=origin, radius_km=25)
    assert [loc.item for loc in within_25.offers] == [near, middle]  # Papenburg – Leer is about 17 km


def test_search_finds_companies_by_name_and_town(db):
    company = CompanyFactory(name="Tjarks Metallbau GmbH")
    SiteFactory(company=company, place=PlaceFactory.town(1))
    from einblick.catalog.services import company_refresh_search_text

    company_refresh_search_text(company)
    assert [loc.item for loc in selectors.search_all("tjarks").companies] == [company]
    assert [loc.item for loc in selectors.search_all("Metallbau Meppen").companies] == [company]


def test_hidden_and_pending_companies_are_not_found(db):
    CompanyFactory(name="Geheim GmbH", status="pending")
    CompanyFactory(name="Versteckt GmbH", status="hidden")
    assert selectors.search_all("Geheim").is_empty
    assert selectors.search_all("Versteckt").is_empty


def test_empty_and_junk_queries(db):
    assert selectors.search_all("").is_empty
    assert selectors.search_all("   ").is_empty
    assert selectors.search_all("'; DROP TABLE catalog_offer; --").is_empty
    assert selectors.search_all("x" * 20_000).is_empty
