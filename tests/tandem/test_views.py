"""Digital-Tandem pages (issue #8, first part): the guided need form, staff suggestions and clusters, confirming a
tandem (both sides notified), the tandem workspace for both sides only, providers' offers."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from einblick.tandem import services
from einblick.tandem.models import Need, Provider, Tandem, TrainingOffer
from tests.factories import CompanyFactory, MembershipFactory, SiteFactory, StaffFactory
from tests.tandem.conftest import make_need as _need

pytestmark = pytest.mark.django_db


def test_company_states_a_need_on_the_guided_form(client, member, topics):
    company = member.memberships.get().company
    client.force_login(member)
    url = f"/tandem/bedarf/{company.slug}/neu/"
    page = client.get(url)
    assert page.status_code == 200 and topics["video"].name in page.text
    # without a topic: an error, nothing saved, the typed text kept
    response = client.post(
        url,
        {
            "text": "Wir brauchen Hilfe",
            "audience": ["trainers"],
            "people": 2,
            "formats": ["online"],
            "budget": "free",
        },
    )
    assert response.status_code == 200 and "Wir brauchen Hilfe" in response.text
    assert not Need.objects.exists()
    response = client.post(
        url,
        {
            "topics": [topics["video"].pk],
            "audience": ["trainers"],
            "people": 2,
            "formats": ["online"],
            "budget": "free",
        },
    )
    assert response.status_code == 302
    need = Need.objects.get()
    assert need.company == company and list(need.topics.all()) == [topics["video"]] and need.people == 2


def test_other_company_cannot_state_a_need_for_it(client, member):
    company = member.memberships.get().company
    client.force_login(MembershipFactory(company=CompanyFactory()).user)
    assert client.get(f"/tandem/bedarf/{company.slug}/neu/").status_code == 404


def test_need_validation_in_the_service(member, topics):
    company = member.memberships.get().company
    with pytest.raises(services.ValidationError) as exc:
        services.need_create(company=company, user=member, topics=[], people=1)
    assert exc.value.code == "topic"
    with pytest.raises(services.ValidationError) as exc:
        services.need_create(
            company=company,
            user=member,
            topics=[topics["video"]],
            people=1,
            end=timezone.localdate() - timedelta(days=1),
        )
    assert exc.value.code == "past"


def test_staff_see_suggestions_and_clusters_and_confirm(client, member, topics, offer, run_tasks):
    need = _need(member, topics, "video")
    for _ in range(2):  # two other companies share a need no offer covers
        other = MembershipFactory(company=CompanyFactory()).user
        SiteFactory(company=other.memberships.get().company)
        _need(other, topics, "exam")
    staff = StaffFactory()
    client.force_login(staff)
    page = client.get("/tandem/netzwerk/")
    assert page.status_code == 200
    assert offer.title in page.text and topics["exam"].name in page.text
    response = client.post("/tandem/netzwerk/bestaetigen/", {"need": need.pk, "offer": offer.pk})
    tandem = Tandem.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/tandem/{tandem.pk}/"
    need.refresh_from_db()
    assert need.status == Need.Status.MATCHED
    run_tasks()
    recipients = {address for m in mail.outbox for address in m.to}
    assert {member.email, "bildung@example.org"} <= recipients
    # twice: refused with a message, nothing new
    client.post("/tandem/netzwerk/bestaetigen/", {"need": need.pk, "offer": offer.pk})
    assert Tandem.objects.count() == 1


def test_tandem_workspace_for_both_sides_only(client, member, topics, offer, provider):
    tandem = services.tandem_confirm(need=_need(member, topics, "video"), offer=offer, by=StaffFactory())
    url = f"/tandem/{tandem.pk}/"
    client.force_login(MembershipFactory(company=CompanyFactory()).user)
    assert client.get(url).status_code == 404
    client.force_login(member)
    # "done" needs the outcome sentence
    response = client.post(url, {"action": "status", "status": "done", "goals": "Zwei Videos", "outcome": ""})
    assert response.status_code == 200
    tandem.refresh_from_db()
    assert tandem.status == Tandem.Status.PLANNED
    client.post(url, {"action": "status", "status": "running", "goals": "Zwei Videos", "outcome": ""})
    client.force_login(provider.members.get())
    client.post(
        url,
        {
            "action": "status",
            "status": "done",
            "goals": "Zwei Videos",
            "outcome": "Erstes Ausbildungsvideo veröffentlicht",
        },
    )
    tandem.refresh_from_db()
    assert (tandem.status, tandem.outcome) == ("done", "Erstes Ausbildungsvideo veröffentlicht")


def test_provider_edits_only_own_offers(client, provider, offer, topics):
    other = Provider.objects.create(name="Andere Akademie")
    client.force_login(provider.members.get())
    assert client.get(f"/tandem/anbieter/{other.pk}/angebot/neu/").status_code == 404
    response = client.post(
        f"/tandem/anbieter/{provider.pk}/angebot/neu/",
        {
            "title": "Social Media kompakt",
            "kind": "seminar",
            "topics": [topics["social"].pk],
            "formats": ["online"],
            "price_eur": 0,
            "capacity": 20,
            "language": "Deutsch",
            "active": "on",
            "starts": (timezone.localdate() - timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200  # a date in the past is refused
    assert not TrainingOffer.objects.filter(title="Social Media kompakt").exists()
