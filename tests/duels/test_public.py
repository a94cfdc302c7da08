"""Watching and playing along (issue #7, items 2–4): four answers, guess once, reveal, meet the apprentices (counted),
one vote per visitor with a cookie from an earlier visit, the leaderboard's nickname checks."""

from datetime import timedelta

import pytest
from django.utils import timezone

from einblick.duels import selectors, services
from einblick.duels.models import (
    Challenge,
    Contestant,
    Episode,
    FunnelStep,
    Guess,
    LeaderboardEntry,
    Season,
    Vote,
)
from einblick.duels.views.common import COOKIE
from tests.factories import CompanyFactory, EventFactory, FieldFactory, ProfessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def episode():
    field = FieldFactory()
    names = ["Fliesenleger:in", "Bäcker:in", "Tischler:in", "Friseur:in", "Maler:in"]
    professions = [ProfessionFactory(name=name, field=field) for name in names]
    company = CompanyFactory()
    season = Season.objects.create(title="Staffel 1", slug="staffel-1")
    ep = Episode.objects.create(
        season=season,
        number=1,
        title="Folge 1",
        slug="folge-1",
        publish_at=timezone.now() - timedelta(days=1),
    )
    Contestant.objects.create(episode=ep, order=0, name="Lena")
    Contestant.objects.create(episode=ep, order=1, name="Ole")
    for order in range(2):
        Challenge.objects.create(
            episode=ep,
            order=order,
            task=f"Aufgabe {order}",
            apprentice="Jannik",
            company=company,
            profession=professions[order],
            why="Weil es so ist.",
            score_a=2,
            score_b=1,
        )
    return ep


def url(ep, suffix=""):
    return ep.get_absolute_url() + suffix


def test_four_options_with_the_right_one_from_the_same_field(episode):
    challenge = episode.challenges.first()
    options = selectors.options_for(challenge)
    assert len(options) == 4 and len(set(options)) == 4
    assert challenge.profession in options
    assert {p.field_id for p in options} == {challenge.profession.field_id}
    assert options == selectors.options_for(challenge)  # stable order per challenge


def test_guess_reveal_and_meet_the_apprentice(client, episode):
    challenge = episode.challenges.first()
    page = client.get(url(episode))
    assert page.status_code == 200 and challenge.task in page.text and "Weil es so ist." not in page.text
    wrong = next(p for p in selectors.options_for(challenge) if p.pk != challenge.profession_id)
    response = client.post(url(episode, f"tipp/{challenge.pk}/"), {"choice": wrong.pk})
    assert response.status_code == 302 and response["Location"].endswith(f"#challenge-{challenge.pk}")
    guess = Guess.objects.get()
    assert guess.correct is False and guess.choice == wrong
    # a second guess keeps the first
    client.post(url(episode, f"tipp/{challenge.pk}/"), {"choice": challenge.profession_id})
    assert Guess.objects.count() == 1 and not Guess.objects.get().correct
    page = client.get(url(episode))
    assert "Weil es so ist." in page.text and challenge.profession.name in page.text
    # meet: the company profile (counted), then redirected
    response = client.get(f"/duell/weiter/{challenge.pk}/company/")
    assert response.status_code == 302 and response["Location"] == challenge.company.get_absolute_url()
    steps = dict(FunnelStep.objects.filter(episode=episode).values_list("kind", "count"))
    assert steps["guess"] == 1 and steps["reveal"] == 1 and steps["company"] == 1 and steps["view"] >= 2
    assert client.get(f"/duell/weiter/{challenge.pk}/booth/").status_code == 404  # no booth: no link


def test_meet_event_when_the_company_hosts_one_with_places(client, episode):
    challenge = episode.challenges.first()
    event = EventFactory(hosts=[challenge.company])
    assert selectors.meet_options(challenge)["event"] == event
    response = client.get(f"/duell/weiter/{challenge.pk}/event/")
    assert response["Location"] == event.get_absolute_url()


def test_guess_for_an_unpublished_episode_or_a_foreign_option_is_refused(client, episode):
    challenge = episode.challenges.first()
    ProfessionFactory(name="Zweiradmechatroniker:in")
    offered = {p.pk for p in selectors.options_for(challenge)}
    outsider = next(p for p in challenge.profession.__class__.objects.all() if p.pk not in offered)
    client.post(url(episode, f"tipp/{challenge.pk}/"), {"choice": outsider.pk})
    assert not Guess.objects.exists()
    Episode.objects.filter(pk=episode.pk).update(publish_at=timezone.now() + timedelta(days=1))
    assert client.get(url(episode)).status_code == 404
    assert (
        client.post(url(episode, f"tipp/{challenge.pk}/"), {"choice": challenge.profession_id}).status_code
        == 404
    )
    challenge = Challenge.objects.get(pk=challenge.pk)
    with pytest.raises(services.ValidationError):
        services.guess_record(challenge=challenge, visitor="x" * 20, choice_id=challenge.profession_id)


def test_vote_once_after_a_visit_results_shown(client, episode):
    lena = episode.contestants.get(name="Lena")
    # without an earlier visit (no cookie) the vote is not counted
    client.post(url(episode, "abstimmen/"), {"contestant": lena.pk})
    assert not Vote.objects.exists()
    client.get(url(episode))  # sets the visitor cookie
    client.post(url(episode, "abstimmen/"), {"contestant": lena.pk})
    client.post(url(episode, "abstimmen/"), {"contestant": lena.pk})
    assert Vote.objects.count() == 1
    page = client.get(url(episode))
    assert "100 %" in page.text


def test_forged_cookie_cannot_vote(client, episode):
    client.cookies[COOKIE] = "forged-visitor-id"
    client.post(url(episode, "abstimmen/"), {"contestant": episode.contestants.first().pk})
    assert not Vote.objects.exists()


def test_votes_per_address_are_limited(episode, monkeypatch):
    monkeypatch.setattr(services, "VOTES_PER_ADDRESS", (2, 600))
    lena = episode.contestants.first()
    for n in range(2):
        services.vote_record(
            episode=episode, visitor=f"v{n}", contestant_id=lena.pk, address="10.9.9.9", known_visitor=True
        )
    with pytest.raises(services.ValidationError) as exc:
        services.vote_record(
            episode=episode, visitor="v3", contestant_id=lena.pk, address="10.9.9.9", known_visitor=True
        )
    assert exc.value.code == "rate"


@pytest.mark.parametrize("nickname", ["<b>Max</b>", "x", "Arschloch", "a" * 30])
def test_leaderboard_refuses_bad_nicknames(client, episode, nickname):
    client.get(url(episode))
    response = client.post("/duell/staffel-1/rangliste/", {"nickname": nickname}, follow=True)
    assert response.status_code == 200
    assert not LeaderboardEntry.objects.exists()


def test_leaderboard_shows_scores(client, episode):
    challenge = episode.challenges.first()
    client.get(url(episode))
    client.post(url(episode, f"tipp/{challenge.pk}/"), {"choice": challenge.profession_id})
    client.post("/duell/staffel-1/rangliste/", {"nickname": "Sturmmöwe"})
    board = selectors.leaderboard(episode.season)
    assert [(r["nickname"], r["correct"]) for r in board] == [("Sturmmöwe", 1)]
    assert "Sturmmöwe" in client.get("/duell/staffel-1/").text
