"""Fixes from the review of #2–#4: login throttling, image bombs, embed hosts, unhide, reserved slugs, subjects."""

from io import BytesIO

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from einblick.catalog import services
from einblick.catalog.models import Company
from einblick.core.embeds import UnknownVideoProvider, embed_for
from tests.factories import (
    PASSWORD,
    CompanyFactory,
    MembershipFactory,
    PlaceFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_login_is_throttled_after_repeated_failures(client, settings):
    settings.EINBLICK = {**settings.EINBLICK, "LOGIN_ATTEMPTS": 3}
    UserFactory(username="kiwi-1234")
    for _ in range(3):
        response = client.post(reverse("accounts:login"), {"username": "kiwi-1234", "password": "falsch"})
        assert response.context["form"].non_field_errors().as_data()[0].code == "invalid_login"
    response = client.post(reverse("accounts:login"), {"username": "kiwi-1234", "password": PASSWORD})
    assert response.status_code == 200  # even the right password waits now
    assert response.context["form"].non_field_errors().as_data()[0].code == "throttled"
    assert "Zu viele" in response.content.decode()


def test_successful_login_does_not_count(client, settings):
    settings.EINBLICK = {**settings.EINBLICK, "LOGIN_ATTEMPTS": 2}
    UserFactory(username="anke")
    for _ in range(3):
        assert (
            client.post(reverse("accounts:login"), {"username": "anke", "password": PASSWORD}).status_code
            == 302
        )
        client.logout()


def test_image_with_too_many_pixels_is_refused():
    buffer = BytesIO()
    Image.new("1", (5000, 4000)).save(buffer, format="PNG")  # small file, 20 million pixels
    upload = SimpleUploadedFile("bomb.png", buffer.getvalue(), content_type="image/png")
    with pytest.raises(ValueError):
        services.logo_process(upload)
    from django.core.exceptions import ValidationError

    from einblick.catalog.forms import ImageUploadField

    upload.seek(0)
    with pytest.raises(ValidationError):
        ImageUploadField().clean(upload)


@pytest.mark.parametrize(
    "url",
    [
        "https://user:pw@tube.example/w/abcdefgh",
        "https://tube.example:8443/w/abcdefgh",
        "http://media.example/film.mp4",
    ],
)
def test_embeds_refuse_userinfo_ports_and_plain_http_video(url):
    with pytest.raises(UnknownVideoProvider):
        embed_for(url)


def test_peertube_allow_list(settings):
    settings.EINBLICK = {**settings.EINBLICK, "PEERTUBE_HOSTS": ["tube.example"]}
    assert embed_for("https://tube.example/w/abcdefgh").provider == "PeerTube (tube.example)"
    with pytest.raises(UnknownVideoProvider):
        embed_for("https://evil.example/w/abcdefgh")


def test_unhide_does_not_approve_a_pending_company(client):
    pending = CompanyFactory(status=Company.Status.PENDING)
    client.force_login(StaffFactory())
    client.post(reverse("catalog:staff_company_decide", args=[pending.slug, "unhide"]))
    pending.refresh_from_db()
    assert pending.status == Company.Status.PENDING


def test_reserved_slugs_do_not_shadow_company_urls():
    company = services.company_register(
        user=UserFactory(),
        name="Registrieren",
        profile="x",
        sector="x",
        size="1-9",
        street="Weg 1",
        place=PlaceFactory(),
        contact_name="A",
        contact_role="B",
        contact_email="a@example.org",
    )
    assert company.slug == "registrieren-betrieb"


def test_email_subjects_are_not_html_escaped(run_tasks):
    company = CompanyFactory(name="Müller & Söhne")
    MembershipFactory(company=company, user=UserFactory(email="chef@example.org"))
    services.company_approve(company=company, by=StaffFactory())
    run_tasks()
    assert "Müller & Söhne" in mail.outbox[0].subject and "&amp;" not in mail.outbox[0].subject
