"""A company's own offers through the API with its key: create, change, delete, list; 401 and 404 rules."""

from datetime import timedelta

import pytest
from django.utils import timezone

from einblick.api import services
from einblick.api.models import ApiToken
from einblick.catalog.models import Offer
from tests.factories import OfferFactory, ProfessionFactory, SiteFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/company/offers"


def offer_input(**changes) -> dict:
    today = timezone.localdate()
    data = {
        "kind": "apprenticeship",
        "profession": ProfessionFactory(name="Mechatroniker:in").slug,
        "start_date": (today + timedelta(days=120)).isoformat(),
        "places": 3,
        "certificate": "mittlerer",
        "pay": [900, 1000, 1100],
        "description": "Du lernst Mechanik und Elektronik.",
        "apply_url": "https://example.org/bewerben",
        "valid_until": (today + timedelta(days=60)).isoformat(),
    }
    data.update(changes)
    return data


def post(client, auth, data):
    return client.post(URL, data, content_type="application/json", headers=auth)


# --- Authentication ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer ebk_unknown", "Basic dXNlcjpwYXNz", "Token abc", "Bearer " + "x" * 5000],
)
def test_missing_or_unknown_key_answers_401(client, company, header):
    headers = {"Authorization": header} if header else {}
    for response in (client.get(URL, headers=headers), client.get("/api/v1/company", headers=headers)):
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert response.json()["message"] and response.json()["errors"] == {}


def test_revoked_key_answers_401(client, api_key, auth):
    assert client.get(URL, headers=auth).status_code == 200
    services.api_token_revoke(token=api_key[0])
    assert client.get(URL, headers=auth).status_code == 401
    assert post(client, auth, offer_input()).status_code == 401
    assert not Offer.objects.exists()


def test_only_the_hash_is_stored_and_use_is_recorded(client, api_key, auth):
    _token, plain = api_key
    stored = ApiToken.objects.get()
    assert plain not in {stored.token_hash, stored.prefix, stored.name}
    assert len(stored.token_hash) == 64 and plain.startswith(stored.prefix)
    assert stored.last_used_at is None
    client.get("/api/v1/company", headers=auth)
    assert ApiToken.objects.get().last_used_at is not None


def test_company_of_the_key(client, company, site, auth):
    data = client.get("/api/v1/company", headers=auth).json()
    assert data["slug"] == company.slug
    assert data["sites"] == [
        {
            "id": site.pk,
            "name": site.name,
            "street": site.street,
            "plz": site.place.plz,
            "town": site.place.name,
            "district": site.place.district,
            "district_code": site.place.district_code,
            "latitude": site.latitude,
            "longitude": site.longitude,
        }
    ]
    assert data["api_key"]["name"] == "Bewerbermanagement"


# --- Writes -----------------------------------------------------------------------------------------------------
def test_create_offer_with_a_valid_key(client, company, site, auth):
    response = post(client, auth, offer_input())
    assert response.status_code == 201, response.content
    offer = Offer.objects.get()
    assert offer.company == company and offer.site == site  # the only site is taken when none is given
    assert offer.places == 3 and offer.pay == [900, 1000, 1100]
    assert offer.search_text  # set by catalog.services.offer_save
    body = response.json()
    assert (
        body["id"] == offer.pk and body["is_open"] is True and body["profession"]["slug"] == "mechatroniker"
    )
    assert client.get(f"/api/v1/offers/{offer.pk}").status_code == 200


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"start_date": "2000-01-01"}, "start_date", "Der Beginn liegt in der Vergangenheit."),
        ({"places": 0}, "places", "Mindestens ein Platz."),
        ({"places": 501}, "places", "Höchstens 500 Plätze."),
        ({"apply_url": "", "apply_email": ""}, "apply_url", "Bitte geben Sie einen Link oder eine E-Mail"),
        ({"valid_until": "2000-01-01"}, "valid_until", "Dieses Datum liegt in der Vergangenheit"),
        ({"profession": "gibt-es-nicht"}, "profession", "gültige Auswahl"),
        ({"kind": "urlaub"}, "kind", "gültige Auswahl"),
        ({"pay": [1, 2, 3, 4, 5]}, "pay", "Höchstens vier Beträge"),
        ({"apply_email": "keine-mail", "apply_url": ""}, "apply_email", "E-Mail"),
        ({"description": "x" * 6000}, "description", "höchstens 5000"),
        ({"description": "Null\x00"}, "description", "Null"),
        ({"places": "viele"}, "places", "ganze Zahl"),
        ({"start_date": "morgen"}, "start_date", "gültiges Datum"),
        ({"surprise": 1}, "surprise", "Unbekanntes Feld"),
    ],
)
def test_bad_input_gets_the_messages_of_the_screens_and_changes_nothing(
    client, auth, changes, field, message
):
    data = offer_input(**changes)
    if changes == {"apply_url": "", "apply_email": ""}:
        data.pop("apply_email")
    response = post(client, auth, data)
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["message"] and field in body["errors"], body
    assert any(message in text for text in body["errors"][field]), body
    assert not Offer.objects.exists()


def test_missing_fields_and_broken_json(client, auth):
    response = post(client, auth, {})
    assert response.status_code == 422
    assert {"profession", "start_date", "description", "valid_until"} <= set(response.json()["errors"])
    response = client.post(URL, "{kaputt", content_type="application/json", headers=auth)
    assert response.status_code in {400, 422} and response.json()["message"]
    response = client.post(URL, "[]", content_type="application/json", headers=auth)
    assert response.status_code in {400, 422} and response.json()["message"]


def test_site_of_another_company_is_refused(client, company, auth):
    SiteFactory(company=company)  # two sites: `site` is required now
    foreign = SiteFactory()
    response = post(client, auth, offer_input(site=foreign.pk))
    assert response.status_code == 422 and "site" in response.json()["errors"]
    response = post(client, auth, offer_input())
    assert response.status_code == 422 and "site" in response.json()["errors"]


def test_update_replace_and_delete(client, company, site, auth):
    offer = OfferFactory(site=site, places=2, title="Alt")
    url = f"{URL}/{offer.pk}"
    response = client.patch(url, {"places": 5, "title": None}, content_type="application/json", headers=auth)
    assert response.status_code == 200, response.content
    offer.refresh_from_db()
    assert offer.places == 5 and offer.title == "" and offer.apply_email == "bewerbung@example.org"

    response = client.patch(url, {"places": 0}, content_type="application/json", headers=auth)
    assert response.status_code == 422 and "places" in response.json()["errors"]
    offer.refresh_from_db()
    assert offer.places == 5

    response = client.put(url, offer_input(title="Neu"), content_type="application/json", headers=auth)
    assert response.status_code == 200
    offer.refresh_from_db()
    assert offer.title == "Neu" and offer.places == 3 and offer.apply_url

    assert client.get(url, headers=auth).json()["title"] == "Neu"
    response = client.delete(url, headers=auth)
    assert response.status_code == 204
    assert not Offer.objects.filter(pk=offer.pk).exists()
    assert client.delete(url, headers=auth).status_code == 404


def test_past_start_date_may_stay_when_unchanged(client, site, auth):
    """As on the screens: an offer whose start lies in the past can still be edited."""
    offer = OfferFactory(site=site, start_date=timezone.localdate() - timedelta(days=3))
    response = client.patch(f"{URL}/{offer.pk}", {"places": 4}, content_type="application/json", headers=auth)
    assert response.status_code == 200, response.content


def test_another_companys_offer_answers_404(client, auth):
    foreign = OfferFactory()
    url = f"{URL}/{foreign.pk}"
    assert client.get(url, headers=auth).status_code == 404
    assert client.patch(url, {"places": 9}, content_type="application/json", headers=auth).status_code == 404
    assert client.put(url, offer_input(), content_type="application/json", headers=auth).status_code == 404
    assert client.delete(url, headers=auth).status_code == 404
    foreign.refresh_from_db()
    assert foreign.places == 2


def test_own_list_includes_expired_and_hidden_but_not_others(client, site, auth):
    today = timezone.localdate()
    current = OfferFactory(site=site)
    expired = OfferFactory(site=site, valid_until=today - timedelta(days=10))
    hidden = OfferFactory(site=site, is_hidden=True)
    OfferFactory()  # another company's
    response = client.get(URL, headers=auth)
    data = response.json()
    assert {o["id"] for o in data["results"]} == {current.pk, expired.pk, hidden.pk}
    by_id = {o["id"]: o for o in data["results"]}
    assert by_id[current.pk]["is_open"] and not by_id[expired.pk]["is_open"] and by_id[hidden.pk]["is_hidden"]
    assert "private" in response["Cache-Control"] and "Authorization" in response["Vary"]
    assert "Access-Control-Allow-Origin" not in response


def test_own_list_has_no_n_plus_one(client, site, auth, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    OfferFactory(site=site)
    client.get(URL, headers=auth)
    with CaptureQueriesContext(connection) as ctx:
        client.get(URL, headers=auth)
    OfferFactory(site=site)
    OfferFactory(site=site, profession=ProfessionFactory(name="Tischler:in"))
    with django_assert_num_queries(len(ctx.captured_queries)):
        assert client.get(URL, headers=auth).json()["count"] == 3
