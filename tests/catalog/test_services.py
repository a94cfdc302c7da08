"""Company registration, approval, invitations and offers — services tested directly."""

from io import BytesIO

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from einblick.catalog import services
from einblick.catalog.models import Company, CompanyMembership, Offer
from tests.factories import (
    CompanyFactory,
    MembershipFactory,
    PlaceFactory,
    ProfessionFactory,
    SiteFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def png(width=1200, height=800) -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (width, height), "navy").save(buffer, format="PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")


def register(user, **overrides):
    data = {
        "user": user,
        "name": "Tischlerei Oltmanns",
        "profile": "Wir bauen Möbel.",
        "sector": "Tischlerei",
        "size": "1-9",
        "street": "Deichweg 4",
        "place": PlaceFactory(),
        "professions": [ProfessionFactory(name="Tischler:in")],
        "contact_name": "Tjark Oltmanns",
        "contact_role": "Inhaber",
        "contact_email": "tischlerei@example.org",
    }
    return services.company_register(**(data | overrides))


def test_registration_creates_pending_company_with_site_contact_and_admin_member():
    user = UserFactory()
    company = register(user, logo=png())
    assert company.status == Company.Status.PENDING
    assert company.slug == "tischlerei-oltmanns"
    assert company.sites.get().place.plz == "26871"
    assert company.contacts.get().email == "tischlerei@example.org"
    assert CompanyMembership.objects.get(company=company).user == user
    assert "oltmanns" in company.search_text and "papenburg" in company.search_text
    with Image.open(company.logo.path) as logo:
        assert max(logo.size) == 512  # resized


def test_slugs_stay_unique_and_fold_umlauts():
    first = register(UserFactory(), name="Bäckerei Lübbers")
    second = register(UserFactory(), name="Bäckerei Lübbers")
    assert (first.slug, second.slug) == ("baeckerei-luebbers", "baeckerei-luebbers-2")


def test_approval_and_rejection_tell_the_applicant_by_email(run_tasks):
    user = UserFactory(email="chef@example.org")
    company = register(user)
    services.company_approve(company=company, by=StaffFactory())
    assert mail.outbox == []  # queued, not sent inside the request
    assert run_tasks() == 1
    assert mail.outbox[0].to == ["chef@example.org"]
    assert "/betriebe/tischlerei-oltmanns/" in mail.outbox[0].body
    other = register(UserFactory(email="zwei@example.org"), name="Zweiter Betrieb")
    services.company_reject(company=other, by=StaffFactory(), reason="Bitte echte Adresse angeben.")
    run_tasks()
    assert other.status == Company.Status.REJECTED
    assert "Bitte echte Adresse angeben." in mail.outbox[-1].body
    assert run_tasks() == 0  # each e-mail is sent once


def test_invitation_accept_creates_membership_once(run_tasks):
    company = CompanyFactory()
    inviter = MembershipFactory(company=company).user
    invitation = services.invitation_create(company=company, email="Kollegin@Example.org", invited_by=inviter)
    run_tasks()
    assert invitation.token in mail.outbox[0].body
    colleague = UserFactory()
    services.invitation_accept(invitation=invitation, user=colleague)
    assert company.memberships.filter(user=colleague).exists()
    with pytest.raises(ValueError):
        services.invitation_accept(invitation=invitation, user=UserFactory())


def test_offer_save_validates_and_indexes():
    site = SiteFactory()
    offer = services.offer_save(
        company=site.company,
        profession=ProfessionFactory(),
        site=site,
        kind=Offer.Kind.INTERNSHIP,
        title="Praktikum in der Werkstatt",
        start_date="2099-08-01",
        places=2,
        certificate="ohne",
        pay=[],
        description="Zwei Wochen mitarbeiten.",
        apply_url="",
        apply_email="a@example.org",
        valid_until="2099-07-01",
    )
    assert "praktikum" in offer.search_text and "papenburg" in offer.search_text
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.offer_save(company=site.company, offer=offer, places=0)


def test_logo_that_is_not_an_image_is_rejected():
    with pytest.raises(Exception):  # noqa: B017 - Pillow raises UnidentifiedImageError
        services.logo_process(SimpleUploadedFile("logo.png", b"not an image"))
