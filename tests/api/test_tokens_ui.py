"""API keys in the company settings: create (shown once), revoke; who may see the screen."""

import pytest
from django.urls import reverse

from einblick.api import services
from einblick.api.models import ApiToken
from tests.factories import PASSWORD, MembershipFactory, PupilFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_company_page_links_to_api_access(client, company, member):
    login(client, member)
    page = client.get(reverse("catalog:company_manage", args=[company.slug])).content.decode()
    assert "API-Zugang" in page and reverse("api:tokens", args=[company.slug]) in page


def test_member_creates_a_key_shown_once(client, company, member):
    login(client, member)
    url = reverse("api:tokens", args=[company.slug])
    response = client.post(url, {"name": "Bewerbermanagement"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get()
    assert token.company == company and token.created_by == member and token.name == "Bewerbermanagement"
    page = response.content.decode()
    plain = page.split('id="new-api-key" type="text" readonly value="')[1].split('"')[0]
    assert plain.startswith(token.prefix) and services.token_hash(plain) == token.token_hash
    # The key works, and it is not shown again.
    assert client.get("/api/v1/company", headers={"Authorization": f"Bearer {plain}"}).status_code == 200
    again = client.get(url).content.decode()
    assert plain not in again and token.prefix in again and "Bewerbermanagement" in again


def test_empty_name_keeps_the_form_and_creates_nothing(client, company, member):
    login(client, member)
    response = client.post(reverse("api:tokens", args=[company.slug]), {"name": "  "})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_member_revokes_a_key(client, company, member, api_key):
    token, plain = api_key
    login(client, member)
    response = client.post(reverse("api:token_revoke", args=[company.slug, token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get("/api/v1/company", headers={"Authorization": f"Bearer {plain}"}).status_code == 401
    assert "widerrufen" in client.get(response["Location"]).content.decode()
    assert client.get(reverse("api:token_revoke", args=[company.slug, token.pk])).status_code == 405


def test_key_of_another_company_cannot_be_revoked(client, company, member):
    other = MembershipFactory()
    token, _plain = services.api_token_create(company=other.company, name="Fremd", created_by=other.user)
    login(client, member)
    response = client.post(reverse("api:token_revoke", args=[company.slug, token.pk]))
    assert response.status_code == 404
    response = client.post(reverse("api:token_revoke", args=[other.company.slug, token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("pupil", 404),
        ("other_member", 404),
        ("user", 404),
        ("member", 200),
        ("staff", 200),
    ],
)
def test_permission_matrix(client, company, member, role, expected):
    users = {
        "pupil": PupilFactory,
        "other_member": lambda: MembershipFactory().user,
        "user": UserFactory,
        "member": lambda: member,
        "staff": StaffFactory,
    }
    if role != "anonymous":
        login(client, users[role]())
    for response in (
        client.get(reverse("api:tokens", args=[company.slug])),
        client.post(reverse("api:tokens", args=[company.slug]), {"name": "x"}),
    ):
        assert response.status_code == expected
    assert ApiToken.objects.exists() == (expected == 200)
    assert client.get(reverse("api:tokens", args=["gibt-es-nicht"])).status_code in {302, 404}


def test_key_page_escapes_the_header_example(client, company, member):
    login(client, member)
    page = client.post(reverse("api:tokens", args=[company.slug]), {"name": "CRM"}).content.decode()
    assert "Bearer &lt;Schlüssel&gt;" in page
