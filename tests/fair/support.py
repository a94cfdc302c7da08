"""Shared set-up of the booth, agenda and statistics tests (issue #4): a running fair, two exhibiting
companies A and B with one member each, sessions, a real tiny PDF. Import the fixtures into a test module."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from einblick.fair import services
from einblick.fair.models import Fair, FairDay, Session, Stage
from tests.factories import (
    PASSWORD,
    CompanyFactory,
    ContactFactory,
    MembershipFactory,
    ProfessionFactory,
    PupilFactory,
    StaffFactory,
)


def make_fair(slug: str = "55-stunden") -> Fair:
    now = timezone.now()
    fair = Fair.objects.create(name="55 Stunden Zukunft", slug=slug, is_published=True)
    FairDay.objects.create(fair=fair, starts_at=now - timedelta(hours=2), ends_at=now + timedelta(hours=9))
    Stage.objects.create(fair=fair, name="Technik & Werkstatt", slug="buehne-1", position=0)
    Stage.objects.create(fair=fair, name="Handwerk & Bau", slug="buehne-2", position=1)
    return fair


def make_session(
    fair, *, minutes: float, length: int = 30, company=None, stage: int = 0, title: str = "", **kw
):
    start = timezone.now() + timedelta(minutes=minutes)
    return services.session_save(
        fair=fair,
        stage=fair.stages.all()[stage],
        company=company,
        title=title or f"Werkstattführung {minutes}",
        format=Session.Format.TOUR,
        starts_at=start,
        ends_at=start + timedelta(minutes=length),
        **kw,
    )


def pdf_bytes(text: str = "Ausbildung bei uns") -> bytes:
    """A real one-page PDF made with pypdf."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=200, height=200)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    stream = DecodedStreamObject()
    stream.set_data(f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode("latin-1"))
    page[NameObject("/Contents")] = writer._add_object(stream)
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_upload(name: str = "flyer.pdf", data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes() if data is None else data, content_type="application/pdf")


@pytest.fixture
def fair(db):
    return make_fair()


@pytest.fixture
def profession(db):
    return ProfessionFactory(name="Mechatroniker:in")


@pytest.fixture
def company_a(db, profession):
    company = CompanyFactory(name="Meyer Maschinenbau GmbH", slug="meyer")
    company.professions.add(profession)
    ContactFactory(company=company, name="Anke Janssen", email="anke@meyer.example")
    return company


@pytest.fixture
def company_b(db):
    return CompanyFactory(name="Tischlerei Brink", slug="brink")


@pytest.fixture
def exhibitor_a(fair, company_a):
    return services.exhibitor_add(fair=fair, company=company_a, intro="Willkommen an unserem Stand!")


@pytest.fixture
def exhibitor_b(fair, company_b):
    return services.exhibitor_add(fair=fair, company=company_b)


@pytest.fixture
def member_a(company_a):
    return MembershipFactory(company=company_a, user__email="ausbilder@meyer.example").user


@pytest.fixture
def member_b(company_b):
    return MembershipFactory(company=company_b).user


@pytest.fixture
def pupil(db):
    return PupilFactory(email="lea@example.org", nickname="Lea")


@pytest.fixture
def staff(db):
    return StaffFactory()


@pytest.fixture
def login(client):
    def log_in(user):
        if user is not None:
            assert client.login(username=user.username, password=PASSWORD)
        return client

    return log_in
