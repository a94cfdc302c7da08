"""The OpenAPI schema and the interactive documentation, served without any third-party request."""

import re

import pytest
from django.contrib.staticfiles import finders

from einblick.api.schemas import CERTIFICATE_VALUES, KIND_VALUES
from einblick.catalog.models import Certificate, Offer

pytestmark = pytest.mark.django_db


def test_openapi_schema_lists_every_endpoint_with_errors_and_bearer_auth(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "Einblick API"
    paths = set(schema["paths"])
    assert {
        "/api/v1/fields",
        "/api/v1/professions",
        "/api/v1/professions/{slug}",
        "/api/v1/companies",
        "/api/v1/companies/{slug}",
        "/api/v1/offers",
        "/api/v1/offers/{offer_id}",
        "/api/v1/places",
        "/api/v1/company",
        "/api/v1/company/offers",
        "/api/v1/company/offers/{offer_id}",
    } <= paths
    offers = schema["paths"]["/api/v1/offers"]["get"]
    assert {"limit", "offset", "place", "radius_km", "company"} <= {p["name"] for p in offers["parameters"]}
    assert {"404", "422", "429"} <= set(offers["responses"])
    assert "security" not in offers
    create = schema["paths"]["/api/v1/company/offers"]["post"]
    assert create["security"] and "201" in create["responses"]
    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_docs_load_nothing_from_third_parties(client):
    page = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "/static/ninja/swagger-ui.css" in page
    assert not re.search(r"""(src|href)=["']https?://""", page), page
    assert '"validatorUrl": null' in page
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-init.js", "favicon.png"):
        assert finders.find(f"ninja/{name}"), name


def test_enumerations_match_the_models():
    assert list(Offer.Kind.values) == KIND_VALUES
    assert list(Certificate.values) == CERTIFICATE_VALUES


def test_api_root_points_to_docs_and_schema(client):
    data = client.get("/api/v1/").json()
    assert data["docs"] == "http://testserver/api/v1/docs"
    assert data["openapi"] == "http://testserver/api/v1/openapi.json"
    assert client.get(data["openapi"]).status_code == 200
