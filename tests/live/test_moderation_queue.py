"""Safety (issue #10, item 3): the staff moderation queue (held and reported questions, reported leaderboard
nicknames), reports on nicknames, the word filter staff extend, the page for parents and teachers, cameras off."""

import pytest
from django.core.exceptions import ValidationError

from einblick.duels import services as duel_services
from einblick.duels.models import LeaderboardEntry, Season
from einblick.live import wordfilter
from einblick.live.models import Question
from tests.factories import PupilFactory, StaffFactory
from tests.fair.support import make_fair, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_wordlist():
    wordfilter.wordlist_changed()
    yield
    wordfilter.wordlist_changed()


def test_staff_extend_the_word_filter_and_it_applies_at_once(client):
    staff = StaffFactory()
    client.force_login(staff)
    assert wordfilter.is_clean("Du Quarkbeutel")
    response = client.post("/live/moderation/", {"entry": "quarkbeutel"})
    assert response.status_code == 302
    assert not wordfilter.is_clean("Du Quarkbeutel!")
    with pytest.raises(ValidationError):
        duel_services.nickname_clean("Quarkbeutel")
    # nonsense is refused
    assert client.post("/live/moderation/", {"entry": "a b"}).status_code == 200
    from einblick.live.models import BlockedWord

    word = BlockedWord.objects.get()
    client.post(f"/live/moderation/woerter/{word.pk}/entfernen/")
    assert wordfilter.is_clean("Du Quarkbeutel")
    client.force_login(PupilFactory())
    assert client.get("/live/moderation/").status_code == 404


def test_the_queue_shows_held_and_reported_questions_and_nicknames(client):
    fair = make_fair()
    session = make_session(fair, minutes=-5, length=60)
    held = Question.objects.create(
        session=session, visitor_id="a" * 20, nickname="Möwe", text="Gehalten?", status="pending"
    )
    reported = Question.objects.create(
        session=session, visitor_id="b" * 20, nickname="Kranich", text="Gemeldet", reports=2
    )
    fine = Question.objects.create(session=session, visitor_id="c" * 20, nickname="Star", text="Alles gut")
    season = Season.objects.create(title="Staffel 1", slug="staffel-1")
    entry = LeaderboardEntry.objects.create(season=season, visitor="v1", nickname="Frechdachs")
    for n in range(3):
        duel_services.leaderboard_report(entry=entry, visitor=f"r{n}")
    entry.refresh_from_db()
    assert entry.hidden  # three reports hide it until staff decide
    duel_services.leaderboard_report(entry=entry, visitor="r0")  # once per visitor
    entry.refresh_from_db()
    assert len(entry.reported_by) == 3
    client.force_login(StaffFactory())
    page = client.get("/live/moderation/").text
    assert held.text in page and reported.text in page and fine.text not in page and "Frechdachs" in page
    # hide from the queue; keep the nickname
    client.post(
        f"/live/sessions/{session.pk}/moderation/action/",
        {"command": "hide", "question": reported.pk, "next": "queue"},
    )
    reported.refresh_from_db()
    assert reported.status == "hidden"
    client.post(f"/duell/redaktion/rangliste/{entry.pk}/behalten/")
    entry.refresh_from_db()
    assert not entry.hidden and entry.reviewed
    client.get("/live/moderation/")  # the message after the redirect
    assert "Frechdachs" not in client.get("/live/moderation/").text


def test_a_visitor_reports_a_nickname_on_the_leaderboard(client):
    season = Season.objects.create(title="Staffel 1", slug="staffel-1")
    entry = LeaderboardEntry.objects.create(season=season, visitor="v1", nickname="Frechdachs")
    response = client.post(f"/duell/rangliste/{entry.pk}/melden/")
    assert response.status_code == 302
    entry.refresh_from_db()
    assert len(entry.reported_by) == 1 and not entry.hidden


def test_the_page_for_parents_and_teachers(client):
    page = client.get("/sicherheit/")
    assert page.status_code == 200 and "16" in page.text
