"""The privacy centre and retention (issue #10, items 1 and 2): a user sees and exports everything stored about
them, withdraws consents and deletes the account — places are released, nothing personal remains; expired pupils
are deleted by the retention sweep, old class name lists and Q&A nicknames are anonymised."""

import json
from datetime import date, datetime, timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone

from einblick.accounts import privacy, services
from einblick.accounts.models import ParentalConsent, User
from einblick.events import services as event_services
from einblick.events.models import Registration
from einblick.orientation.models import InterestResult
from einblick.talks.models import Talk, TalkRound
from tests.factories import (
    PASSWORD,
    CompanyFactory,
    EventFactory,
    MembershipFactory,
    PupilFactory,
    SchoolClassFactory,
)

pytestmark = pytest.mark.django_db


def rows_referring_to(user_pk: int) -> list[str]:
    """Every table row that still points to the user (foreign keys, one-to-one and many-to-many)."""
    found = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if not (field.is_relation and field.related_model is not None):
                continue
            if field.related_model._meta.label != settings.AUTH_USER_MODEL:
                continue
            if field.many_to_many and not field.auto_created:
                if model.objects.filter(**{field.name: user_pk}).exists():
                    found.append(f"{model._meta.label}.{field.name}")
            elif (
                isinstance(field, models.ForeignKey)
                and model.objects.filter(**{field.name: user_pk}).exists()
            ):
                found.append(f"{model._meta.label}.{field.name}")
    return found


@pytest.fixture
def full_pupil():
    """A pupil with something in every pillar: a result, an event place, a booked talk, a consent request."""
    pupil = PupilFactory(
        email="lea@example.org",
        nickname="Lea",
        school_class=SchoolClassFactory(),
        consent_age_declared_at=timezone.now(),
    )
    InterestResult.objects.create(user=pupil, r=80, i=40, a=20, s=60, e=30, c=50)
    event = EventFactory(capacity=1)
    event_services.register_pupil(event=event, pupil=pupil)
    waiting = PupilFactory(consent_age_declared_at=timezone.now())
    event_services.register_pupil(event=event, pupil=waiting)
    from einblick.talks.models import TalkOffer

    now = timezone.now()
    talk_round = TalkRound.objects.create(
        title="Speed-Dating",
        wish_deadline=now - timedelta(hours=1),
        first_slot_at=now + timedelta(days=2),
        slot_minutes=15,
        n_slots=4,
        max_wishes=3,
        status=TalkRound.Status.PUBLISHED,
    )
    offer = TalkOffer.objects.create(round=talk_round, company=CompanyFactory(), parallel=1, table="T1")
    Talk.objects.create(round=talk_round, offer=offer, pupil=pupil, slot=0)
    ParentalConsent.objects.create(
        pupil=pupil,
        purpose="events.event.1",
        label="Werkstatttag",
        parent_email="mama@example.org",
        expires_at=now + timedelta(days=10),
    )
    return {"pupil": pupil, "event": event, "waiting": waiting}


def test_the_export_holds_everything_and_nothing_of_others(client, full_pupil):
    pupil = full_pupil["pupil"]
    PupilFactory(email="other@example.org")
    client.force_login(pupil)
    page = client.get("/konto/datenschutz/")
    assert page.status_code == 200 and "lea@example.org" in page.text
    response = client.get("/konto/datenschutz/meine-daten.json")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["email"] == "lea@example.org"
    assert len(data["interest_results"]) == 1 and data["interest_results"][0]["profile"]["R"] == 80
    assert data["event_registrations"][0]["event"] == full_pupil["event"].title
    assert len(data["talks"]) == 1 and data["parental_consents"][0]["parent_email"] == "mama@example.org"
    assert "other@example.org" not in response.content.decode()
    client.logout()
    assert client.get("/konto/datenschutz/meine-daten.json").status_code == 302


def test_deleting_the_account_releases_places_and_leaves_nothing_personal(
    client, full_pupil, django_capture_on_commit_callbacks
):
    pupil, waiting = full_pupil["pupil"], full_pupil["waiting"]
    talk = Talk.objects.get(pupil=pupil)
    client.force_login(pupil)
    # wrong password or missing confirmation: nothing happens
    response = client.post("/konto/datenschutz/konto-loeschen/", {"password": "falsch", "confirm": "LÖSCHEN"})
    assert response.status_code == 400 and User.objects.filter(pk=pupil.pk).exists()
    response = client.post("/konto/datenschutz/konto-loeschen/", {"password": PASSWORD, "confirm": "ja"})
    assert response.status_code == 400 and User.objects.filter(pk=pupil.pk).exists()
    response = client.post("/konto/datenschutz/konto-loeschen/", {"password": PASSWORD, "confirm": "löschen"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=pupil.pk).exists()
    assert rows_referring_to(pupil.pk) == []
    assert not ParentalConsent.objects.filter(parent_email="mama@example.org").exists()
    # the event place went to the waiting list, the talk seat is free again
    assert Registration.objects.get(pupil=waiting).status == "offered"
    assert not Talk.objects.filter(pk=talk.pk).exists()
    # logged out
    assert client.get("/konto/").status_code == 302


def test_a_company_seminar_registration_passes_to_a_colleague():
    member = MembershipFactory(company=CompanyFactory()).user
    company = member.memberships.get().company
    colleague = MembershipFactory(company=company).user
    seminar = EventFactory(audience="companies", kind="seminar")
    registration = event_services.register_company(event=seminar, user=member, company=company, places=2)[0]
    privacy.account_delete(member)
    registration.refresh_from_db()
    assert (registration.teacher, registration.status) == (colleague, "confirmed")


def test_a_pupil_withdraws_a_consent_and_the_kept_place_is_released(client):
    pupil = PupilFactory(school_year=8, email="ben@example.org")
    event = EventFactory(capacity=1)
    services.consent_request(
        pupil=pupil,
        purpose=event_services.consent_purpose(event),
        label="Werkstatttag",
        parent_email="p@example.org",
    )
    registration = event_services.register_pupil(event=event, pupil=pupil)
    assert registration.status == "awaiting_parent"
    consent = ParentalConsent.objects.get(pupil=pupil)
    client.force_login(pupil)
    assert "p@example.org" in client.get("/konto/datenschutz/").text
    client.post(f"/konto/datenschutz/einwilligung/{consent.pk}/widerrufen/")
    consent.refresh_from_db()
    registration.refresh_from_db()
    assert consent.state == "declined" and registration.status == "cancelled"
    # someone else's consent: 404
    other = ParentalConsent.objects.create(
        pupil=PupilFactory(), purpose="x", label="x", parent_email="q@example.org", expires_at=timezone.now()
    )
    assert client.post(f"/konto/datenschutz/einwilligung/{other.pk}/widerrufen/").status_code == 404


def test_pupils_data_expire_at_the_end_of_the_school_year_plus_three_months():
    assert privacy.pupil_expires_on(date(2025, 9, 15)) == date(2026, 10, 31)
    assert privacy.pupil_expires_on(date(2026, 7, 31)) == date(2026, 10, 31)
    assert privacy.pupil_expires_on(date(2026, 8, 1)) == date(2027, 10, 31)


def test_the_retention_sweep_deletes_expired_pupils_completely(full_pupil):
    tz = timezone.get_current_timezone()
    pupil = full_pupil["pupil"]
    User.objects.filter(pk=pupil.pk).update(
        last_login=datetime(2024, 3, 1, 10, tzinfo=tz), date_joined=datetime(2023, 9, 1, tzinfo=tz)
    )
    recent = PupilFactory(nickname="Neu")
    teacher_names = Registration.objects.create(
        event=EventFactory(
            starts_at=datetime(2024, 5, 1, 9, tzinfo=tz),
            ends_at=datetime(2024, 5, 1, 12, tzinfo=tz),
            registration_opens=datetime(2024, 4, 1, tzinfo=tz),
            registration_closes=datetime(2024, 4, 30, tzinfo=tz),
            cancel_until=datetime(2024, 4, 29, tzinfo=tz),
        ),
        teacher=SchoolClassFactory().teacher,
        places=2,
        names="Anna Meyer\nJonas Berg",
        status="confirmed",
    )
    done = privacy.retention_sweep(now=datetime(2026, 11, 29, 3, tzinfo=tz))
    assert done["pupils"] == 1
    assert not User.objects.filter(pk=pupil.pk).exists() and rows_referring_to(pupil.pk) == []
    assert User.objects.filter(pk=recent.pk).exists()
    teacher_names.refresh_from_db()
    assert teacher_names.names == ""
    # running it again changes nothing
    assert privacy.retention_sweep(now=datetime(2026, 11, 29, 3, tzinfo=tz))["pupils"] == 0


def test_qa_nicknames_and_texts_are_anonymised_after_the_session():
    from einblick.live.models import Question
    from tests.fair.support import make_fair, make_session

    fair = make_fair()
    old = make_session(fair, minutes=-60 * 24 * 10, length=30)
    fresh = make_session(fair, minutes=-60, length=30)
    Question.objects.create(session=old, visitor_id="v" * 20, nickname="Möwe", text="Wie lange dauert es?")
    Question.objects.create(session=fresh, visitor_id="w" * 20, nickname="Kranich", text="Und danach?")
    done = privacy.retention_sweep()
    assert done["questions"] == 1
    assert list(Question.objects.filter(session=old).values_list("nickname", "visitor_id", "text")) == [
        ("", "", "–")
    ]
    assert Question.objects.get(session=fresh).nickname == "Kranich"
