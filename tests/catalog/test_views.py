"""Catalogue pages through the test client: listings, details, filters, bad input, N+1 guards."""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from einblick.catalog.models import Company, Offer
from tests.factories import (
    CompanyFactory,
    MembershipFactory,
    OfferFactory,
    PlaceFactory,
    ProfessionFactory,
    SiteFactory,
)

pytestmark = pytest.mark.django_db


def offers(n):
    """n offers for Mechatroniker:in in different towns, their companies training the profession."""
    profession = ProfessionFactory(name="Mechatroniker:in")
    created = [
        OfferFactory(profession=profession, site=SiteFactory(place=PlaceFactory.town(i % 6)))
        for i in range(n)
    ]
    for offer in created:
        offer.company.professions.add(profession)
    return created


@pytest.mark.parametrize(
    "url_name", ["catalog:offers", "catalog:companies", "catalog:professions", "core:home"]
)
def test_list_pages_have_no_n_plus_one(client, django_assert_max_num_queries, url_name):
    offers(1)
    with django_assert_max_num_queries(50) as one:
        client.get(reverse(url_name))
    offers(3)
    with django_assert_max_num_queries(50) as three:
        response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert len(three.captured_queries) == len(one.captured_queries), url_name


def test_search_page_has_no_n_plus_one(client, django_assert_max_num_queries):
    from django.core.cache import cache

    offers(1)
    with django_assert_max_num_queries(50) as one:
        client.get(reverse("catalog:search"), {"q": "Mechatroniker", "ort": "26871"})
    offers(3)
    cache.clear()  # the search vocabulary is cached; measure both requests cold
    with django_assert_max_num_queries(50) as three:
        client.get(reverse("catalog:search"), {"q": "Mechatroniker", "ort": "26871"})
    assert len(three.captured_queries) == len(one.captured_queries)


def test_offer_list_filters_by_distance_and_kind(client):
    near = OfferFactory(site=SiteFactory(place=PlaceFactory.town(0)))
    far = OfferFactory(site=SiteFactory(place=PlaceFactory.town(3)), kind=Offer.Kind.INTERNSHIP)
    response = client.get(reverse("catalog:offers"), {"ort": "26871", "umkreis": "25"})
    assert [loc.item for loc in response.context["page"].object_list] == [near]
    response = client.get(reverse("catalog:offers"), {"art": "internship"})
    assert [loc.item for loc in response.context["page"].object_list] == [far]


def test_unknown_place_gets_a_german_message_and_keeps_the_input(client):
    response = client.get(reverse("catalog:offers"), {"ort": "99999"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "kennen wir nicht" in content
    assert 'value="99999"' in content


def test_empty_search_asks_for_input(client):
    response = client.get(reverse("catalog:search"), {"q": ""})
    assert "Bitte gib ein" in response.content.decode() or response.context["hint"]


def test_expired_hidden_and_unapproved_offers_leave_listings(client):
    visible = OfferFactory()
    expired = OfferFactory(valid_until=timezone.localdate() - timedelta(days=1))
    hidden = OfferFactory(is_hidden=True)
    pending = OfferFactory(site=SiteFactory(company=CompanyFactory(status=Company.Status.PENDING)))
    response = client.get(reverse("catalog:offers"))
    assert [loc.item for loc in response.context["page"].object_list] == [visible]
    for offer in (expired, hidden, pending):
        assert client.get(offer.get_absolute_url()).status_code == 404


def test_offer_page_has_job_posting_json_ld(client):
    offer = OfferFactory(pay=[900, 1000, 1100])
    html = client.get(offer.get_absolute_url()).content.decode()
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["@type"] == "JobPosting"
    assert data["hiringOrganization"]["name"] == offer.company.name
    assert data["jobLocation"]["address"]["postalCode"] == "26871"
    assert data["validThrough"] == offer.valid_until.isoformat()


def test_company_page_has_organization_json_ld_that_cannot_break_out(client):
    company = CompanyFactory(name="</script><script>alert(1)</script> GmbH")
    SiteFactory(company=company)
    html = client.get(company.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["@type"] == "Organization" and data["name"].startswith("</script>")


def test_pending_company_is_404_for_public_but_visible_to_its_member(client):
    membership = MembershipFactory(company=CompanyFactory(status=Company.Status.PENDING))
    url = membership.company.get_absolute_url()
    assert client.get(url).status_code == 404
    client.force_login(membership.user)
    assert client.get(url).status_code == 200


def test_profession_detail_lists_nearby_companies_and_related(client):
    profession = ProfessionFactory(name="Mechatroniker:in")
    ProfessionFactory(name="Industriemechaniker:in")
    company = CompanyFactory()
    company.professions.add(profession)
    SiteFactory(company=company)
    response = client.get(profession.get_absolute_url(), {"ort": "Papenburg", "umkreis": "10"})
    assert [loc.item for loc in response.context["companies"]] == [company]
    assert [p.name for p in response.context["related"]] == ["Industriemechaniker:in"]


def test_profession_list_counts(client):
    offer = OfferFactory()
    offer.company.professions.add(offer.profession)
    response = client.get(reverse("catalog:professions"))
    profession = response.context["fields"][0].professions.all()[0]
    assert (profession.company_count, profession.offer_count) == (1, 1)
