"""Company self-service and staff review through the test client; permission matrix; bad input."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from einblick.catalog.models import Company, Offer
from tests.factories import (
    PASSWORD,
    CompanyFactory,
    MembershipFactory,
    OfferFactory,
    PlaceFactory,
    ProfessionFactory,
    PupilFactory,
    SiteFactory,
    StaffFactory,
    TeacherFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def registration_data():
    profession = ProfessionFactory()
    PlaceFactory()
    return {
        "account-first_name": "Tjark",
        "account-last_name": "Oltmanns",
        "account-email": "tjark@example.org",
        "account-password": "Ems-Achse-2026",
        "name": "Metallbau Oltmanns",
        "sector": "Metallbau",
        "size": "1-9",
        "profile": "Wir bauen Treppen und Geländer.",
        "website": "",
        "professions": [profession.pk],
        "street": "Deichweg 4",
        "place": "26871",
        "contact_name": "Tjark Oltmanns",
        "contact_role": "Inhaber",
        "contact_email": "ausbildung@example.org",
    }


def test_company_registration_creates_account_and_pending_company(client, registration_data):
    response = client.post(reverse("catalog:company_register"), registration_data)
    company = Company.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "catalog:company_manage", args=[company.slug]
    )
    assert company.status == Company.Status.PENDING
    assert company.memberships.get().user.email == "tjark@example.org"
    assert "Freigabe" in client.get(response["Location"]).content.decode() or company.status == "pending"


def big_png(size_bytes: int) -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue() + b"\0" * size_bytes, content_type="image/png")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"place": "99999"}, "place", "kennen wir nicht"),
        ({"profile": "x" * 20_000}, "profile", "höchstens 2000"),
        ({"logo": SimpleUploadedFile("logo.png", b"%PDF-1.4 not an image")}, "logo", "Bild"),
        ({"logo": "BIG"}, "logo", "zu groß"),
        ({"account-email": "kein-mail"}, "email", "E-Mail"),
    ],
)
def test_bad_registration_input_changes_nothing_and_keeps_values(
    client, registration_data, changes, field, message
):
    if changes.get("logo") == "BIG":
        changes = {"logo": big_png(50 * 1024 * 1024)}
    response = client.post(reverse("catalog:company_register"), registration_data | changes)
    assert response.status_code == 200
    assert Company.objects.count() == 0
    content = response.content.decode()
    assert message in content, content[content.find("errorlist") - 200 : content.find("errorlist") + 400]
    assert 'value="Metallbau Oltmanns"' in content  # what the user typed is kept


@pytest.fixture
def member():
    membership = MembershipFactory()
    SiteFactory(company=membership.company)
    return membership


def offer_data(site, **changes):
    today = timezone.localdate()
    data = {
        "kind": "apprenticeship",
        "profession": ProfessionFactory().pk,
        "title": "",
        "site": site.pk,
        "start_date": (today + timedelta(days=250)).isoformat(),
        "places": "2",
        "certificate": "hauptschule",
        "pay": "900, 1000, 1100",
        "description": "Komm ins Team!",
        "apply_url": "",
        "apply_email": "job@example.org",
        "valid_until": (today + timedelta(days=90)).isoformat(),
    }
    return data | changes


def test_member_adds_offer(client, member):
    client.force_login(member.user)
    site = member.company.sites.get()
    response = client.post(reverse("catalog:offer_add", args=[member.company.slug]), offer_data(site))
    assert response.status_code == 302
    offer = Offer.objects.get()
    assert offer.pay == [900, 1000, 1100] and offer.places == 2
    assert client.get(offer.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"start_date": "2020-08-01"}, "Vergangenheit"),
        ({"places": "-3"}, "mindestens"),
        ({"places": "0"}, "mindestens"),
        ({"pay": "viel"}, "Euro-Beträge"),
        ({"valid_until": "2020-01-01"}, "Vergangenheit"),
        ({"apply_email": ""}, "Link oder eine E-Mail"),
        ({"description": "<script>" * 2000}, "höchstens 5000"),
    ],
)
def test_bad_offer_input_changes_nothing(client, member, changes, message):
    client.force_login(member.user)
    site = member.company.sites.get()
    response = client.post(
        reverse("catalog:offer_add", args=[member.company.slug]), offer_data(site, **changes)
    )
    assert response.status_code == 200
    assert Offer.objects.count() == 0
    assert message.lower() in response.content.decode().lower()


def test_staff_approves_and_rejects(client, run_tasks):
    pending = CompanyFactory(status=Company.Status.PENDING)
    MembershipFactory(company=pending, user=UserFactory(email="chefin@example.org"))
    client.force_login(StaffFactory())
    queue = client.get(reverse("catalog:staff_companies"))
    assert pending.name in queue.content.decode()
    client.post(reverse("catalog:staff_company_decide", args=[pending.slug, "approve"]))
    pending.refresh_from_db()
    assert pending.status == Company.Status.APPROVED
    other = CompanyFactory(status=Company.Status.PENDING)
    response = client.post(
        reverse("catalog:staff_company_decide", args=[other.slug, "reject"]), {"reason": ""}
    )
    other.refresh_from_db()
    assert other.status == Company.Status.PENDING  # no reason → nothing changes
    assert response.status_code == 302
    client.post(
        reverse("catalog:staff_company_decide", args=[other.slug, "reject"]),
        {"reason": "Kein Ausbildungsbetrieb"},
    )
    other.refresh_from_db()
    assert other.status == Company.Status.REJECTED and other.status_reason == "Kein Ausbildungsbetrieb"
    assert run_tasks() == 1  # only the approval had a recipient


# --- Permission matrix: URL × role → status. Another company's objects answer 404. ---------------------------
ROLES = ["anonymous", "pupil", "teacher", "member_a", "member_b", "staff"]


@pytest.fixture
def world():
    a, b = MembershipFactory(), MembershipFactory()
    site_a = SiteFactory(company=a.company)
    offer_a = OfferFactory(site=site_a)
    users = {
        "anonymous": None,
        "pupil": PupilFactory(),
        "teacher": TeacherFactory(),
        "member_a": a.user,
        "member_b": b.user,
        "staff": StaffFactory(),
    }
    return {"users": users, "company": a.company, "offer": offer_a, "site": site_a}


MATRIX = [
    # (url name, kwargs builder, method, expected per role in ROLES order)
    ("catalog:company_manage", lambda w: [w["company"].slug], "get", [302, 404, 404, 200, 404, 200]),
    ("catalog:company_edit", lambda w: [w["company"].slug], "get", [302, 404, 404, 200, 404, 200]),
    ("catalog:offer_add", lambda w: [w["company"].slug], "get", [302, 404, 404, 200, 404, 200]),
    (
        "catalog:offer_edit",
        lambda w: [w["company"].slug, w["offer"].pk],
        "get",
        [302, 404, 404, 200, 404, 200],
    ),
    (
        "catalog:offer_delete",
        lambda w: [w["company"].slug, w["offer"].pk],
        "post",
        [302, 404, 404, 302, 404, 302],
    ),
    ("catalog:site_edit", lambda w: [w["company"].slug, w["site"].pk], "get", [302, 404, 404, 200, 404, 200]),
    ("catalog:invite", lambda w: [w["company"].slug], "get", [302, 404, 404, 200, 404, 200]),
    ("catalog:staff_companies", lambda w: [], "get", [302, 404, 404, 404, 404, 200]),
    (
        "catalog:staff_company_decide",
        lambda w: [w["company"].slug, "approve"],
        "post",
        [302, 404, 404, 404, 404, 302],
    ),
    ("catalog:staff_offer_hide", lambda w: [w["offer"].pk], "post", [302, 404, 404, 404, 404, 302]),
    ("accounts:class_list", lambda w: [], "get", [302, 404, 200, 404, 404, 404]),
    ("catalog:offers", lambda w: [], "get", [200] * 6),
    ("catalog:company", lambda w: [w["company"].slug], "get", [200] * 6),
]


CASES = [
    (url_name, args, method, role, status)
    for url_name, args, method, expected in MATRIX
    for role, status in zip(ROLES, expected, strict=True)
]


@pytest.mark.parametrize(
    ("url_name", "args", "method", "role", "status"), CASES, ids=[f"{c[0]}-{c[3]}" for c in CASES]
)
def test_permission_matrix(client, world, url_name, args, method, role, status):
    if world["users"][role]:
        client.force_login(world["users"][role])
    response = getattr(client, method)(reverse(url_name, args=args(world)))
    assert response.status_code == status


def test_login_with_password(client):
    user = UserFactory(username="anke", email="anke@example.org")
    assert client.login(username="anke@example.org", password=PASSWORD)
    client.logout()
    assert client.login(username="ANKE", password=PASSWORD)
    assert not client.login(username="anke", password="falsch")
    assert user.pk
