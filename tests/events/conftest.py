import pytest
from django.utils import timezone

from tests.factories import (
    CompanyFactory,
    EventFactory,
    MembershipFactory,
    PupilFactory,
    SchoolClassFactory,
    StaffFactory,
)


@pytest.fixture
def host(db):
    return CompanyFactory()


@pytest.fixture
def event(host):
    """Published, next week, 12 places, registration open, hosted by ``host``."""
    return EventFactory(hosts=[host])


@pytest.fixture
def host_member(host):
    return MembershipFactory(company=host).user


@pytest.fixture
def staff(db):
    return StaffFactory()


@pytest.fixture
def pupil(db):
    """A pupil who declared to be of consent age."""
    return PupilFactory(consent_age_declared_at=timezone.now())


@pytest.fixture
def young_pupil(db):
    """A pupil under the consent age (no declaration, no parent's consent yet)."""
    return PupilFactory()


@pytest.fixture
def school_class(db):
    return SchoolClassFactory()


@pytest.fixture
def teacher(school_class):
    return school_class.teacher


@pytest.fixture(autouse=True)
def _german():
    from django.utils import translation

    with translation.override("de"):
        yield
