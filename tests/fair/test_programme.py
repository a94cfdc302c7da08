"""The fair's public pages: phases, "now live", "next", programme filters, session pages, demo fair."""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from einblick.fair import selectors, services
from einblick.fair.models import Fair, FairDay, Session, Stage
from einblick.orientation import tokens
from tests.factories import CompanyFactory, ProfessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def fair():
    now = timezone.now()
    fair = Fair.objects.create(name="55 Stunden Zukunft", slug="55", is_published=True)
    FairDay.objects.create(fair=fair, starts_at=now - timedelta(hours=2), ends_at=now + timedelta(hours=9))
    FairDay.objects.create(fair=fair, starts_at=now + timedelta(hours=22), ends_at=now + timedelta(hours=33))
    Stage.objects.create(fair=fair, name="Bühne 1", slug="buehne-1", position=0)
    Stage.objects.create(fair=fair, name="Bühne 2", slug="buehne-2", position=1)
    return fair


def add_session(
    fair, minutes_from_now, *, stage=0, title="Werkstattführung", profession=None, company=None, **kw
):
    start = timezone.now() + timedelta(minutes=minutes_from_now)
    return services.session_save(
        fair=fair,
        stage=fair.stages.all()[stage],
        company=company or CompanyFactory(),
        title=title,
        format=kw.pop("format", Session.Format.TOUR),
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
        stream_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        professions=[profession] if profession else [],
        **kw,
    )


def test_phases(fair):
    now = timezone.now()
    assert selectors.fair_phase(fair, now).name == "open"
    assert selectors.fair_phase(fair, now + timedelta(hours=12)).name == "between"
    assert selectors.fair_phase(fair, now - timedelta(hours=5)).name == "before"
    assert selectors.fair_phase(fair, now + timedelta(hours=40)).name == "after"
    assert selectors.fair_hours(fair) == 22


def test_current_fair_prefers_running_then_upcoming(fair):
    past = Fair.objects.create(name="Alt", slug="alt", is_published=True)
    FairDay.objects.create(
        fair=past, starts_at=timezone.now() - timedelta(days=30), ends_at=timezone.now() - timedelta(days=29)
    )
    assert selectors.fair_current() == fair
    assert selectors.fair_current(timezone.now() - timedelta(days=29, hours=12)) == past


def test_programme_shows_now_live_and_next(client, fair):
    live = add_session(fair, -10, title="Jetzt live: Metallbau")
    soon = add_session(fair, 20, stage=1, title="Gleich: Tischlerei")
    response = client.get(fair.get_absolute_url())
    assert response.status_code == 200
    assert response.context["live"] == [live]
    assert response.context["next"][0] == soon
    html = response.content.decode()
    assert "Jetzt live" in html and "Gleich: Tischlerei" in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"buehne": "buehne-2"}, ["Zwei"]),
        ({"format": "qa"}, ["Fragerunde"]),
        ({"q": "fragerunde"}, ["Fragerunde"]),
        ({"beruf": "mechatroniker-in"}, ["Eins"]),
    ],
)
def test_programme_filters(client, fair, params, expected):
    mechatronics = ProfessionFactory(name="Mechatroniker:in", slug="mechatroniker-in")
    add_session(fair, 30, title="Eins", profession=mechatronics)
    add_session(fair, 30, stage=1, title="Zwei")
    add_session(fair, 90, title="Fragerunde", format=Session.Format.QA)
    response = client.get(fair.get_absolute_url(), {"tag": "", **params})
    titles = [s.title for _, sessions in response.context["days"] for s in sessions]
    assert titles == expected


def test_programme_filtered_by_interest_check_result(client, fair, real_catalog):
    from einblick.catalog.models import Profession

    mechatronics = Profession.objects.get(name="Mechatroniker:in")
    nursing_like = Profession.objects.get(name="Medizinische:r Fachangestellte:r")
    add_session(fair, 30, title="Technik", profession=mechatronics)
    add_session(fair, 30, stage=1, title="Praxis", profession=nursing_like)
    token = tokens.result_token({"R": 100, "I": 100, "A": 0, "S": 0, "E": 0, "C": 20})
    response = client.get(fair.get_absolute_url(), {"tag": "", "ergebnis": token})
    titles = [s.title for _, sessions in response.context["days"] for s in sessions]
    assert titles == ["Technik"] and response.context["interest_filter"]


def test_session_page_live_past_and_future(client, fair):
    live = add_session(fair, -10)
    past = add_session(fair, -100, recording_url="https://vimeo.com/123456")
    future = add_session(fair, 60)
    html = client.get(live.get_absolute_url()).content.decode()
    assert "youtube-nocookie.com/embed/dQw4w9WgXcQ" in html and "<iframe" not in html  # two-click
    assert "player.vimeo.com/video/123456" in client.get(past.get_absolute_url()).content.decode()
    assert "startet am" in client.get(future.get_absolute_url()).content.decode()


def test_unpublished_fair_and_draft_session_are_404(client, fair):
    draft = add_session(fair, 30, status=Session.Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404
    fair.is_published = False
    fair.save()
    assert client.get(fair.get_absolute_url()).status_code == 404


def test_programme_has_no_n_plus_one(client, fair, django_assert_max_num_queries):
    add_session(fair, 30, profession=ProfessionFactory())
    with django_assert_max_num_queries(40) as one:
        client.get(fair.get_absolute_url(), {"tag": ""})
    for minutes in (60, 120):
        add_session(fair, minutes, profession=ProfessionFactory())
    with django_assert_max_num_queries(40) as three:
        client.get(fair.get_absolute_url(), {"tag": ""})
    assert len(one.captured_queries) == len(three.captured_queries)


def test_after_the_fair_the_archive_shows_recordings_only(client):
    fair = Fair.objects.create(name="Vorbei", slug="vorbei", is_published=True)
    now = timezone.now()
    FairDay.objects.create(
        fair=fair, starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=2) + timedelta(hours=10)
    )
    Stage.objects.create(fair=fair, name="Bühne", slug="b", position=0)
    with_recording = add_session(fair, -48 * 60 + 60, recording_url="https://vimeo.com/1")
    add_session(fair, -48 * 60 + 120)
    response = client.get(fair.get_absolute_url(), {"tag": ""})
    assert response.context["phase"].name == "after"
    assert [s for _, sessions in response.context["days"] for s in sessions] == [with_recording]


def test_demo_fair_runs_now_with_55_hours_and_live_sessions():
    from einblick.core.demo import demo_build

    demo_build()
    fair = Fair.objects.get(slug="55-stunden-zukunft")
    assert selectors.fair_hours(fair) == 55
    assert selectors.fair_phase(fair).is_open
    assert selectors.sessions_live(fair)  # "now live" is never empty
    past = Session.objects.filter(ends_at__lt=timezone.now())
    assert past.exists() and not past.filter(recording_url="").exists()
    assert Session.objects.filter(starts_at__gt=timezone.now()).exists()
    # stages never overlap
    for stage in fair.stages.all():
        sessions = list(stage.sessions.order_by("starts_at"))
        assert all(a.ends_at <= b.starts_at for a, b in itertools.pairwise(sessions))
