"""Drive the API from its own OpenAPI schema (schemathesis, in-process WSGI) and find no server error.

Valid and invalid input (positive and negative generation) for every operation, with a valid API key for the
company endpoints. Every answer must be documented (status code, JSON shape, content type).
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

schemathesis = pytest.importorskip("schemathesis")

from schemathesis import checks  # noqa: E402
from schemathesis.specs.openapi import checks as openapi_checks  # noqa: E402

from tests.factories import ContactFactory, OfferFactory, PlaceFactory, ProfessionFactory  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

MAX_EXAMPLES = 25
CHECKS = [
    checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]


def load_schema():
    """The schema as the running application serves it (loaded once, at collection; no database needed)."""
    from einblick.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    schema.config.generation.update(
        modes=["positive", "negative"], max_examples=MAX_EXAMPLES, deterministic=True, database="none"
    )
    return schema


schema = load_schema()


@pytest.fixture(autouse=True)
def _keep_test_connection_open():
    """Requests go straight to the WSGI app (not Django's test client), whose request signals would close the
    database connection inside the test's transaction on PostgreSQL; the test client detaches them the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.EINBLICK_API_RATE_ANON = ""  # the fuzzer is not to be slowed down by 429s
    settings.EINBLICK_API_RATE_TOKEN = ""


@pytest.fixture
def catalogue(company, site):
    for index in range(3):
        PlaceFactory.town(index)
    for _ in range(2):
        OfferFactory(site=site)
    OfferFactory()
    ContactFactory(company=company)
    ProfessionFactory(name="Mechatroniker:in")


@schema.parametrize()
@settings(
    deadline=None,
    # The catalogue and the key stay for all examples of an operation (one database transaction): intended.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_api_answers_every_generated_request_without_server_error(case, catalogue, auth):
    if isinstance(case.body, dict) and isinstance(case.body.get("profession"), str):
        # A real profession, so that valid bodies get through the form to the database as well.
        case.body["profession"] = "mechatroniker"
    case.call_and_validate(headers=auth, checks=CHECKS)


# Random bodies from the schema rarely pass the offer form (dates, places, links), so the success path of the
# writes gets its own fuzz: valid offers with arbitrary texts, amounts and dates, sometimes with one field broken.
def day(lo: int, hi: int):
    return st.integers(lo, hi).map(lambda d: (timezone.localdate() + timedelta(days=d)).isoformat())


printable = st.characters(blacklist_categories=("Cs", "Cc"))
valid_offer = st.fixed_dictionaries(
    {
        "profession": st.just("mechatroniker"),
        "kind": st.sampled_from(["apprenticeship", "internship", "dual_study"]),
        "start_date": day(0, 800),
        "valid_until": day(0, 400),
        "places": st.integers(1, 500),
        "pay": st.lists(st.integers(0, 5000), max_size=4),
        "title": st.text(printable, max_size=200),
        "description": st.text(printable, min_size=1, max_size=300).filter(str.strip),
        "certificate": st.sampled_from(["ohne", "hauptschule", "mittlerer", "abitur"]),
    }
).flatmap(
    lambda body: st.sampled_from(
        [("https://example.org/jobs", ""), ("example.org", ""), ("", "bewerbung@example.org")]
    ).map(lambda links: {**body, "apply_url": links[0], "apply_email": links[1]})
)
BREAKS = {
    "profession": st.text(max_size=30).filter(lambda t: t != "mechatroniker"),
    "kind": st.text(max_size=20).filter(lambda t: t not in {"apprenticeship", "internship", "dual_study"}),
    "start_date": day(-400, -1),
    "valid_until": day(-400, -1),
    "places": st.one_of(st.integers(max_value=0), st.integers(min_value=501)),
    "pay": st.one_of(
        st.lists(st.integers(0, 5000), min_size=5), st.lists(st.integers(max_value=-1), min_size=1)
    ),
    "title": st.text(printable, min_size=201, max_size=300).filter(lambda t: len(t.strip()) > 200),
    "description": st.text(printable, min_size=5001, max_size=5100).filter(lambda t: len(t.strip()) > 5000),
    "apply_email": st.sampled_from(["kaputt@", "@example.org", "a b@example.org"]),
    "certificate": st.text(max_size=20).filter(
        lambda t: t not in {"ohne", "hauptschule", "mittlerer", "abitur"}
    ),
}
broken = st.one_of(
    st.none(), st.sampled_from(sorted(BREAKS)).flatmap(lambda f: BREAKS[f].map(lambda v: (f, v)))
)


@given(body=valid_offer, breaking=broken)
@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_offers_are_saved_when_valid_and_refused_with_the_field_named(
    client, catalogue, company, auth, body, breaking
):
    from einblick.catalog.models import Offer

    if breaking:
        body = {**body, breaking[0]: breaking[1]}
    before = Offer.objects.count()
    response = client.post("/api/v1/company/offers", body, content_type="application/json", headers=auth)
    if breaking is None:
        assert response.status_code == 201, response.content
        offer = Offer.objects.get(pk=response.json()["id"])
        assert offer.company == company and offer.places == body["places"] and offer.pay == body["pay"]
        assert offer.title == body["title"].strip()
    else:
        assert response.status_code == 422, (breaking, response.content)
        assert breaking[0] in response.json()["errors"], (breaking, response.json())
        assert Offer.objects.count() == before
