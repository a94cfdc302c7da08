from datetime import timedelta

import pytest
from django.utils import timezone

from einblick.talks.models import TalkOffer, TalkRound
from tests.factories import CompanyFactory, ProfessionFactory, PupilFactory


@pytest.fixture
def talk_round(db):
    now = timezone.now()
    return TalkRound.objects.create(
        title="Speed-Dating Ausbildung",
        wish_deadline=now + timedelta(days=1),
        first_slot_at=now + timedelta(days=2),
        slot_minutes=15,
        n_slots=4,
        max_wishes=3,
        status=TalkRound.Status.OPEN,
    )


@pytest.fixture
def offers(talk_round):
    profession = ProfessionFactory(name="Mechatroniker:in")
    result = []
    for i in range(3):
        company = CompanyFactory()
        if i == 0:
            company.professions.add(profession)
        result.append(
            TalkOffer.objects.create(round=talk_round, company=company, parallel=1, table=f"T{i + 1}")
        )
    return result


@pytest.fixture
def pupils(db):
    """Three pupils who declared to be of consent age (design.md §7); see test_consent for the other cases."""
    return [PupilFactory(consent_age_declared_at=timezone.now()) for _ in range(3)]


def close_wishes(talk_round):
    """Move the wish deadline into the past (allocation starts after it)."""
    TalkRound.objects.filter(pk=talk_round.pk).update(wish_deadline=timezone.now() - timedelta(minutes=1))
    talk_round.refresh_from_db()


@pytest.fixture(autouse=True)
def _german():
    """Services answer in the active language; other tests may leave another one active in this thread."""
    from django.utils import translation

    with translation.override("de"):
        yield
