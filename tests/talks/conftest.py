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
        result.append(TalkOffer.objects.create(round=talk_round, company=company, seats=1, table=f"T{i + 1}"))
    return result


@pytest.fixture
def pupils(db):
    return [PupilFactory() for _ in range(3)]


@pytest.fixture(autouse=True)
def _german():
    """Services answer in the active language; other tests may leave another one active in this thread."""
    from django.utils import translation

    with translation.override("de"):
        yield
