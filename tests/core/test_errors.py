"""Error pages: a database that is away for a moment gives a clean 503 with Retry-After (no 500, no query while
rendering it), other errors the 500 page; the next request works again without a restart."""

from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client
from django.urls import reverse

from tests.factories import ProfessionFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("error", [OperationalError("server closed the connection"), InterfaceError("gone")])
def test_database_away_gives_503_with_retry_after(error, django_assert_num_queries):
    profession = ProfessionFactory()
    client = Client(raise_request_exception=False)
    url = reverse("catalog:profession", args=[profession.slug])
    with mock.patch("einblick.catalog.views.public.get_object_or_404", side_effect=error):
        response = client.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert response["Cache-Control"] == "no-store"
    assert "gleich wieder da" in response.content.decode()
    assert client.get(url).status_code == 200  # and back, without a restart


def test_other_errors_give_the_500_page():
    client = Client(raise_request_exception=False)
    with mock.patch("einblick.catalog.views.public.get_object_or_404", side_effect=ValueError("bug")):
        response = client.get(reverse("catalog:profession", args=["x"]))
    assert response.status_code == 500
    assert "schiefgelaufen" in response.content.decode()
