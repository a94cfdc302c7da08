"""Exhibitor statistics (issue #4): figures per session and booth, live figures from the live app (or zeros
without it), the pages for the company and for staff, CSV for Excel (parsed)."""

import csv
import io
import sys
import types
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from einblick.fair import services, stats
from einblick.fair.models import BoothVisit
from tests.factories import CompanyFactory, PupilFactory
from tests.fair.support import make_session

pytestmark = pytest.mark.django_db

FAKE_LIVE = {"peak_viewers": 42, "avg_viewers": 17.5, "questions_asked": 9, "questions_answered": 7}


@pytest.fixture
def figures(fair, exhibitor_a, exhibitor_b):
    """Company A: two sessions, agenda adds with and without account, visits on two days, two booth questions."""
    first = make_session(fair, minutes=-120, company=exhibitor_a.company, title='=HYPERLINK("evil")')
    second = make_session(fair, minutes=60, company=exhibitor_a.company, title="Werkstatt; live")
    make_session(fair, minutes=30, company=exhibitor_b.company, title="Tischlerei")
    for _ in range(3):
        services.agenda_add(user=PupilFactory(), session=first)
    for _ in range(2):
        services.session_counter_agenda_add(session=first)
    services.session_counter_agenda_add(session=second)
    today = timezone.localdate()
    BoothVisit.objects.create(exhibitor=exhibitor_a, day=today - timedelta(days=1), count=5)
    services.booth_visit_count(exhibitor=exhibitor_a)
    services.booth_visit_count(exhibitor=exhibitor_b)
    question = services.booth_question_ask(exhibitor=exhibitor_a, nickname="Mia", text="Frage 1")
    services.booth_question_answer(question=question, answer="Antwort", public=True)
    services.booth_question_ask(exhibitor=exhibitor_a, nickname="Finn", text="Frage 2")
    return first, second


def live_figures_now(session_ids) -> dict:
    """What the live app reports for these sessions, or zeros when it is not there (the test passes both ways)."""
    try:
        from einblick.live.selectors import session_stats
    except ImportError:
        return {pk: {} for pk in session_ids}
    return session_stats(list(session_ids))


def test_exhibitor_stats_add_up(figures, exhibitor_a):
    first, second = figures
    result = stats.exhibitor_stats(exhibitor_a)
    assert [s.session for s in result.sessions] == [first, second]
    assert (result.sessions[0].agenda_accounts, result.sessions[0].agenda_anonymous) == (3, 2)
    assert (result.sessions[1].agenda_accounts, result.sessions[1].agenda_anonymous) == (0, 1)
    assert result.agenda_total == 6
    assert result.visits_total == 6 and result.visits_by_day[-1] == (timezone.localdate(), 1)
    assert (result.booth_questions, result.booth_questions_answered) == (2, 1)
    live = live_figures_now([first.pk, second.pk])
    for row in result.sessions:
        expected = live.get(row.session.pk) or {}
        assert row.peak_viewers == int(expected.get("peak_viewers") or 0)
        assert row.avg_viewers == float(expected.get("avg_viewers") or 0)
        assert row.questions_asked == int(expected.get("questions_asked") or 0)
        assert row.questions_answered == int(expected.get("questions_answered") or 0)


def test_live_figures_are_taken_from_the_live_app(figures, exhibitor_a, monkeypatch):
    first, second = figures
    calls = []

    def session_stats(session_ids):
        calls.append(sorted(session_ids))
        return {first.pk: FAKE_LIVE, second.pk: {"peak_viewers": 8, "avg_viewers": 2.5}}

    monkeypatch.setattr(stats, "live_session_stats", session_stats)
    result = stats.exhibitor_stats(exhibitor_a)
    assert calls == [sorted([first.pk, second.pk])]
    assert (result.sessions[0].peak_viewers, result.sessions[0].avg_viewers) == (42, 17.5)
    assert (result.sessions[0].questions_asked, result.sessions[0].questions_answered) == (9, 7)
    assert (result.sessions[1].peak_viewers, result.sessions[1].questions_asked) == (8, 0)
    assert (result.peak_viewers, result.avg_viewers, result.questions_asked) == (42, 10.0, 9)


def test_live_app_missing_gives_zeros(figures, exhibitor_a, monkeypatch):
    monkeypatch.setitem(sys.modules, "einblick.live.selectors", None)  # import fails as without the app
    assert stats.live_session_stats([1, 2]) == {}
    result = stats.exhibitor_stats(exhibitor_a)
    assert all(s.peak_viewers == 0 and s.questions_asked == 0 for s in result.sessions)


def test_live_module_is_called_with_session_ids(figures, exhibitor_a, monkeypatch):
    fake = types.ModuleType("einblick.live.selectors")
    fake.session_stats = lambda ids: dict.fromkeys(ids, FAKE_LIVE)
    monkeypatch.setitem(sys.modules, "einblick.live.selectors", fake)
    monkeypatch.setattr(stats.apps, "is_installed", lambda name: True)
    assert stats.live_session_stats([figures[0].pk]) == {figures[0].pk: FAKE_LIVE}


def test_stats_queries_do_not_grow_with_exhibitors(fair, figures, django_assert_num_queries, exhibitor_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        stats.fair_stats(fair)
    for n in range(3):
        extra = services.exhibitor_add(fair=fair, company=CompanyFactory())
        make_session(fair, minutes=200 + n, company=extra.company)
        services.booth_visit_count(exhibitor=extra)
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(stats.fair_stats(fair)) == 5


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def test_company_csv_sessions_and_visits(login, fair, figures, member_a, monkeypatch):
    first = figures[0]
    monkeypatch.setattr(stats, "live_session_stats", lambda ids: {first.pk: FAKE_LIVE})
    client = login(member_a)
    response = client.get(reverse("fair:company_stats_csv", args=[fair.slug, "meyer"]))
    assert response["Content-Disposition"] == 'attachment; filename="sessions-55-stunden-meyer.csv"'
    rows = read_csv(response)
    assert rows[0] == [
        "Session",
        "Beginn",
        "Bühne",
        "Zuschauer:innen (Spitze)",
        "Zuschauer:innen (Durchschnitt)",
        "Live-Fragen gestellt",
        "Live-Fragen beantwortet",
        "Merkliste (mit Konto)",
        "Merkliste (ohne Konto)",
    ]
    assert rows[1][0] == '\'=HYPERLINK("evil")'  # no formula in Excel
    assert rows[1][1] == timezone.localtime(first.starts_at).strftime("%d.%m.%Y %H:%M")
    assert rows[1][3:] == ["42", "17,5", "9", "7", "3", "2"]
    assert rows[2][0] == "Werkstatt; live" and rows[2][3:] == ["0", "0,0", "0", "0", "0", "1"]

    visits = read_csv(
        client.get(reverse("fair:company_stats_csv", args=[fair.slug, "meyer"]), {"tabelle": "besuche"})
    )
    assert visits[0] == ["Tag", "Standbesuche"]
    assert sum(int(row[1]) for row in visits[1:]) == 6
    assert visits[-1][0] == timezone.localdate().strftime("%d.%m.%Y")


def test_staff_page_and_csv_list_every_exhibitor(login, fair, figures, staff):
    client = login(staff)
    page = client.get(reverse("fair:fair_stats", args=[fair.slug]))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Meyer Maschinenbau GmbH" in content and "Tischlerei Brink" in content
    rows = read_csv(client.get(reverse("fair:fair_stats_csv", args=[fair.slug])))
    assert rows[0][:4] == ["Aussteller", "Standbesuche", "Standfragen", "Standfragen beantwortet"]
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Meyer Maschinenbau GmbH"][1:5] == ["6", "2", "1", "2"]
    assert by_name["Meyer Maschinenbau GmbH"][-1] == "6"
    assert by_name["Tischlerei Brink"][1:5] == ["1", "0", "0", "1"]


def test_company_page_shows_its_figures(login, fair, figures, member_a):
    response = login(member_a).get(reverse("fair:company_stats", args=[fair.slug, "meyer"]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Werkstatt; live" in content and "Tischlerei" not in content
    assert response.context["stats"].agenda_total == 6


def test_demo_has_booth_history_and_an_agenda_with_an_overlap():
    from einblick.core.demo import demo_build
    from einblick.fair import selectors
    from einblick.fair.models import AgendaItem, Fair

    demo_build()
    fair = Fair.objects.get(slug="55-stunden-zukunft")
    all_stats = stats.fair_stats(fair)
    assert sum(s.visits_total for s in all_stats) > 100
    assert sum(s.booth_questions_answered for s in all_stats) >= 3
    assert sum(s.agenda_total for s in all_stats) > 10
    items = AgendaItem.objects.filter(user__username="schueler").select_related("session")
    conflicts = selectors.agenda_conflicts([i.session for i in items])
    assert len(items) == 3 and any(conflicts.values())
