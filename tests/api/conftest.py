import pytest

from einblick.api import services
from tests.factories import MembershipFactory, SiteFactory


@pytest.fixture
def site(db):
    return SiteFactory()


@pytest.fixture
def company(site):
    return site.company


@pytest.fixture
def member(company):
    return MembershipFactory(company=company).user


@pytest.fixture
def api_key(company, member):
    """(ApiToken, plain token) of ``company``."""
    return services.api_token_create(company=company, name="Bewerbermanagement", created_by=member)


@pytest.fixture
def auth(api_key):
    """Headers of a request with the company's API key."""
    return {"Authorization": f"Bearer {api_key[1]}"}
