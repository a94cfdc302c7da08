"""Shared data of the tandem tests: a small taxonomy, a member company with a site, a provider with an offer."""

from datetime import timedelta

import pytest
from django.utils import timezone

from einblick.tandem import services
from einblick.tandem.models import Provider, Topic, TrainingOffer
from tests.factories import CompanyFactory, MembershipFactory, SiteFactory, UserFactory


@pytest.fixture
def topics():
    parent = Topic.objects.create(name="Digitales Recruiting")
    return {
        "video": Topic.objects.create(name="Eigene Videos drehen", parent=parent),
        "social": Topic.objects.create(name="Social Media", parent=parent),
        "exam": Topic.objects.create(
            name="Online-Prüfungsvorbereitung", parent=Topic.objects.create(name="Prüfung")
        ),
    }


@pytest.fixture
def member():
    company = CompanyFactory()
    SiteFactory(company=company)
    return MembershipFactory(company=company).user


@pytest.fixture
def provider():
    provider = Provider.objects.create(name="Bildungswerk", radius_km=80)
    provider.members.add(UserFactory(email="bildung@example.org"))
    return provider


@pytest.fixture
def offer(provider, topics):
    o = TrainingOffer.objects.create(
        provider=provider,
        title="Azubi-Videos",
        formats=["online"],
        price_eur=0,
        capacity=10,
        starts=timezone.localdate() + timedelta(days=10),
    )
    o.topics.set([topics["video"]])
    return o


def make_need(member, topics, *names):
    company = member.memberships.get().company
    return services.need_create(
        company=company,
        user=member,
        topics=[topics[n] for n in names],
        audience=["trainers"],
        people=2,
        formats=["online"],
        budget="free",
    )
