"""Rate limits: 429 with Retry-After for anonymous clients over their limit; keys have their own, higher one."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from einblick.api.ratelimit import Rate, client_address, parse_rate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    """The limits count in fixed windows; a window ending in the middle of a test would reset the count (the test
    failed once under load). The clock of the rate limiter stands still at 10 s into a minute."""
    from types import SimpleNamespace

    from einblick.api import ratelimit

    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_010.0))


@override_settings(EINBLICK_API_RATE_ANON="3/minute", EINBLICK_API_RATE_TOKEN="5/minute")
def test_anonymous_clients_get_429_with_retry_after(client):
    for remaining in (2, 1, 0):
        response = client.get("/api/v1/fields")
        assert response.status_code == 200 and response["X-RateLimit-Remaining"] == str(remaining)
    response = client.get("/api/v1/fields")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["message"] and response.json()["errors"] == {}
    # Bad requests count as well, and another address has its own budget.
    assert client.get("/api/v1/offers?bad=1").status_code == 429
    assert client.get("/api/v1/fields", REMOTE_ADDR="10.0.0.9").status_code == 200


@override_settings(EINBLICK_API_RATE_ANON="2/minute", EINBLICK_API_RATE_TOKEN="5/minute")
def test_clients_with_a_key_have_their_own_higher_limit(client, auth):
    for _ in range(2):
        client.get("/api/v1/fields")
    assert client.get("/api/v1/fields").status_code == 429
    statuses = [client.get("/api/v1/fields", headers=auth).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert client.get("/api/v1/company/offers", headers=auth).status_code == 429


@override_settings(EINBLICK_API_RATE_ANON="2/minute")
def test_unknown_keys_count_as_anonymous(client):
    headers = {"Authorization": "Bearer ebk_guess"}
    assert [client.get("/api/v1/company", headers=headers).status_code for _ in range(3)] == [401, 401, 429]


@override_settings(EINBLICK_API_RATE_ANON="", EINBLICK_API_RATE_TOKEN="0")
def test_limits_can_be_switched_off(client):
    assert all(client.get("/api/v1/fields").status_code == 200 for _ in range(5))


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("120/minute", Rate(120, 60)),
        ("120/m", Rate(120, 60)),
        ("10/seconds", Rate(10, 1)),
        ("5000/hour", Rate(5000, 3600)),
        ("120", Rate(120, 60)),
        ("", None),
        ("0/minute", None),
    ],
)
def test_parse_rate(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["viele/minute", "10/fortnight"])
def test_bad_rates_are_reported(text):
    with pytest.raises(ImproperlyConfigured):
        parse_rate(text)
    from einblick.api.apps import check_rate_settings

    with override_settings(EINBLICK_API_RATE_ANON=text):
        assert [error.id for error in check_rate_settings()] == ["api.E001"]


def test_client_address(rf, settings):
    assert client_address(rf.get("/", REMOTE_ADDR="192.0.2.7")) == "192.0.2.7"
    assert client_address(rf.get("/", REMOTE_ADDR="2001:db8::1")) == "2001:db8::/64"
    forwarded = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5, 198.51.100.2")
    assert client_address(forwarded) == "10.0.0.1"
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client_address(forwarded) == "198.51.100.2"
