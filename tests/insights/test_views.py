"""The insights' pages (issue #9): staff dashboard with period and district, exports, the company's own figures
(404 for everyone else), recount on demand; page views are counted on the public pages."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from einblick.insights.models import Hit
from einblick.insights.rollup import rollup
from tests.factories import (
    CompanyFactory,
    MembershipFactory,
    OfferFactory,
    PlaceFactory,
    ProfessionFactory,
    PupilFactory,
    SiteFactory,
    StaffFactory,
)
from tests.insights.test_rollup import _hits

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    today = timezone.localdate()
    PlaceFactory.town(0)
    PlaceFactory.town(1)
    profession = ProfessionFactory(name="Mechatroniker:in")
    company = CompanyFactory(name="Meyer Maschinenbau")
    _hits(25, day=today, profession=profession, district=PlaceFactory.town(0).district_code)
    _hits(
        7, day=today - timedelta(days=3), profession=profession, district=PlaceFactory.town(1).district_code
    )
    _hits(9, day=today, kind="company", company=company)
    _hits(3, day=today, kind="contact", profession=profession, company=company)
    _hits(12, day=today - timedelta(days=60), profession=profession)
    rollup(first=today - timedelta(days=70), last=today)
    return {"profession": profession, "company": company, "today": today}


def test_dashboard_for_staff_with_period_and_district(client, data):
    client.force_login(StaffFactory())
    page = client.get("/einblicke/")
    assert page.status_code == 200
    text = page.text
    assert "Mechatroniker:in" in text and "<svg" in text and 'role="img"' in text
    assert "&lt; 5" in text  # 3 contacts
    # last 90 days include the old views; a district narrows the profession views to its own
    wide = client.get("/einblicke/", {"zeitraum": "90"}).text
    assert "44" in wide
    district = PlaceFactory.town(1).district_code
    narrow = client.get("/einblicke/", {"zeitraum": "30", "kreis": district}).text
    assert PlaceFactory.town(1).district in narrow
    # bad input: an error, the default period, no 500
    bad = client.get("/einblicke/", {"von": "2026-13-45", "bis": "gestern"})
    assert bad.status_code == 200 and 'role="alert"' in bad.text


def test_exports_open_and_read_back(client, data):
    client.force_login(StaffFactory())
    pdf = client.get("/einblicke/bericht.pdf", {"zeitraum": "30"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Mechatroniker:in" in text and "< 5" in text
    xlsx = client.get("/einblicke/bericht.xlsx", {"zeitraum": "30"})
    book = load_workbook(io.BytesIO(xlsx.content))
    values = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert "Mechatroniker:in" in values and "< 5" in values
    csv = client.get("/einblicke/bericht.csv")
    assert csv.status_code == 200 and "Mechatroniker:in" in csv.content.decode("utf-8-sig")
    assert client.get("/einblicke/bericht.doc").status_code == 404


def test_company_sees_only_its_own_figures(client, data):
    company = data["company"]
    member = MembershipFactory(company=company).user
    client.force_login(member)
    page = client.get(f"/einblicke/betrieb/{company.slug}/")
    assert page.status_code == 200 and "Meyer Maschinenbau" in page.text
    assert client.get(f"/einblicke/betrieb/{company.slug}/bericht.xlsx").status_code == 200
    other = CompanyFactory()
    assert client.get(f"/einblicke/betrieb/{other.slug}/").status_code == 404
    assert client.get(f"/einblicke/betrieb/{other.slug}/bericht.pdf").status_code == 404
    assert client.get("/einblicke/").status_code == 404  # not the network's dashboard
    client.force_login(PupilFactory())
    assert client.get(f"/einblicke/betrieb/{company.slug}/").status_code == 404
    client.logout()
    assert client.get("/einblicke/").status_code == 302


def test_recount_on_demand(client, data, run_tasks):
    client.force_login(StaffFactory())
    Hit.objects.create(at=timezone.now(), kind="programme", visitor="x" * 16)
    response = client.post("/einblicke/aktualisieren/")
    assert response.status_code == 302
    assert run_tasks() >= 1
    from einblick.insights.models import DailyStat

    assert DailyStat.objects.filter(metric="view_programme", day=data["today"]).exists()


def test_public_pages_count_views(client):
    client.defaults["HTTP_USER_AGENT"] = "Mozilla/5.0 (Android)"
    profession = ProfessionFactory()
    site = SiteFactory(company=CompanyFactory())
    offer = OfferFactory(site=site, profession=profession, apply_url="https://example.org/bewerbung")
    client.get(profession.get_absolute_url())
    client.get(site.company.get_absolute_url())
    client.get(offer.get_absolute_url())
    response = client.get(f"/angebote/{offer.pk}/bewerben/")
    assert response.status_code == 302 and response.url == "https://example.org/bewerbung"
    kinds = sorted(Hit.objects.values_list("kind", flat=True))
    assert kinds == ["company", "contact", "offer", "profession"]
    assert Hit.objects.get(kind="contact").company_id == site.company_id
