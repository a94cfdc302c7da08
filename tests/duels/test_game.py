"""Class games (issue #7, item 2): a teacher starts a game, pupils join with a code on their phones and guess, the
teacher's board shows only counts and a ranking."""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from einblick.duels import selectors, services
from einblick.duels.models import Challenge, ClassGame, Contestant, Episode, Guess, Player, Season
from tests.factories import FieldFactory, ProfessionFactory, PupilFactory, StaffFactory, TeacherFactory

pytestmark = pytest.mark.django_db


def de(text: str) -> str:
    """A message as the (German) pages show it."""
    with translation.override("de"):
        return translation.gettext(text)


def html_text(response) -> str:
    return response.content.decode()


@pytest.fixture
def professions():
    field = FieldFactory()
    names = [
        "Mechatroniker:in",
        "Industriemechaniker:in",
        "Metallbauer:in",
        "Tischler:in",
        "Zerspanungsmechaniker:in",
    ]
    return [ProfessionFactory(name=name, field=field) for name in names]


@pytest.fixture
def episode(professions):
    season = Season.objects.create(title="Staffel 1", slug="staffel-1")
    episode = Episode.objects.create(
        season=season,
        number=1,
        title="Fliesen und Funken",
        slug="fliesen-und-funken",
        publish_at=timezone.now() - timedelta(days=1),
    )
    Contestant.objects.create(episode=episode, order=0, name="Anna")
    Contestant.objects.create(episode=episode, order=1, name="Ben")
    Challenge.objects.create(
        episode=episode,
        order=0,
        task="Baue eine Steuerung auf",
        apprentice="Lea",
        profession=professions[0],
        why="Mechanik und Elektronik zusammen.",
    )
    Challenge.objects.create(
        episode=episode, order=1, task="Schweiße ein Geländer", apprentice="Tom", profession=professions[2]
    )
    return episode


@pytest.fixture
def teacher():
    return TeacherFactory()


@pytest.fixture
def game(episode, teacher):
    return services.class_game_start(teacher=teacher, episode=episode)


def challenges_of(episode):
    return list(episode.challenges.order_by("order"))


def wrong_option(challenge):
    return next(p for p in selectors.options_for(challenge) if p.pk != challenge.profession_id)


def joined_client(client, game, nickname="Lena"):
    response = client.post(reverse("duels:join"), {"code": game.code, "nickname": nickname})
    assert response.status_code == 302, response.content
    return client


def answer(client, game, challenge, profession):
    return client.post(
        reverse("duels:play", args=[game.code]), {"challenge": challenge.pk, "choice": profession.pk}
    )


def start_url(episode):
    return reverse("duels:game_start", args=[episode.season.slug, episode.slug])


# --- start -----------------------------------------------------------------------------------------------------


def test_teacher_starts_a_game_and_lands_on_the_board(client, episode, teacher):
    client.force_login(teacher)
    response = client.post(start_url(episode))
    game = ClassGame.objects.get()
    assert game.teacher == teacher and game.episode == episode and game.closed_at is None
    assert re.fullmatch(r"[A-Z2-9]{6}", game.code)
    assert response.status_code == 302
    assert response["Location"] == reverse("duels:game", args=[game.code])


def test_staff_may_start_a_game(client, episode):
    client.force_login(StaffFactory())
    assert client.post(start_url(episode)).status_code == 302
    assert ClassGame.objects.count() == 1


def test_pupil_cannot_start_a_game(client, episode):
    client.force_login(PupilFactory())
    assert client.post(start_url(episode)).status_code == 404
    assert client.get(start_url(episode)).status_code == 404
    assert not ClassGame.objects.exists()


def test_anonymous_is_sent_to_login(client, episode):
    response = client.post(start_url(episode))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not ClassGame.objects.exists()


def test_unpublished_episode_is_refused(client, episode, teacher):
    episode.publish_at = None
    episode.save()
    client.force_login(teacher)
    assert client.post(start_url(episode)).status_code == 404  # a teacher does not learn it exists
    client.force_login(StaffFactory())
    response = client.post(start_url(episode))
    assert response.status_code == 400
    assert de("This episode is not published.") in html_text(response)
    assert not ClassGame.objects.exists()


def test_start_page_explains_and_lists_open_games(client, game, teacher):
    client.force_login(teacher)
    response = client.get(start_url(game.episode))
    assert response.status_code == 200
    assert reverse("duels:game", args=[game.code]) in html_text(response)
    assert html_text(response).count("<h1") == 1


# --- join ------------------------------------------------------------------------------------------------------


def test_join_with_code_in_any_case(client, game):
    response = client.post(reverse("duels:join"), {"code": f"  {game.code.lower()} ", "nickname": "Lena"})
    assert response.status_code == 302
    assert response["Location"] == reverse("duels:play", args=[game.code])
    player = Player.objects.get()
    assert player.game == game and player.nickname == "Lena"
    assert "einblick_duell" in response.cookies  # the pupil is known by the signed cookie, no account
    assert client.get(reverse("duels:play", args=[game.code.lower()])).status_code == 200


def test_join_form_prefills_code_and_has_labels(client, game):
    response = client.get(reverse("duels:join") + f"?code={game.code.lower()}")
    body = html_text(response)
    assert response.status_code == 200
    assert f'value="{game.code}"' in body
    assert '<label for="id_code"' in body and '<label for="id_nickname"' in body


def test_bad_code_gets_a_message_and_keeps_the_nickname(client, game):
    response = client.post(reverse("duels:join"), {"code": "ZZZZZZ", "nickname": "Lena"})
    assert response.status_code == 400
    assert de("There is no open class game with this code.") in html_text(response)
    assert 'value="Lena"' in html_text(response)
    assert not Player.objects.exists()


@pytest.mark.parametrize(
    ("nickname", "message"),
    [
        ("Arschloch", "Please choose another nickname."),
        ("<b>Lena</b>", "2 to 24 letters or digits, please (spaces, dots and dashes are fine)."),
        ("<script>x</script>", "2 to 24 letters or digits, please (spaces, dots and dashes are fine)."),
    ],
)
def test_nickname_filter(client, game, nickname, message):
    response = client.post(reverse("duels:join"), {"code": game.code, "nickname": nickname})
    assert response.status_code == 400
    assert de(message) in html_text(response)
    assert "<script>x" not in html_text(response)
    assert not Player.objects.exists()


def test_closed_game_refuses_joins(client, game):
    services.class_game_close(game=game)
    response = client.post(reverse("duels:join"), {"code": game.code, "nickname": "Lena"})
    assert response.status_code == 400
    assert de("This class game has ended.") in html_text(response)
    assert not Player.objects.exists()


def test_play_without_joining_goes_to_the_join_form(client, game):
    response = client.get(reverse("duels:play", args=[game.code]))
    assert response.status_code == 302
    assert response["Location"] == reverse("duels:join") + f"?code={game.code}"


# --- play ------------------------------------------------------------------------------------------------------


def test_play_page_shows_the_four_options_as_buttons(client, game):
    joined_client(client, game)
    first = challenges_of(game.episode)[0]
    response = client.get(reverse("duels:play", args=[game.code]))
    body = html_text(response)
    assert response.status_code == 200
    assert first.task in body
    buttons = re.findall(r'<button type="submit" name="choice" value="(\d+)">', body)
    assert sorted(int(pk) for pk in buttons) == sorted(p.pk for p in selectors.options_for(first))
    assert len(buttons) == 4 and first.profession_id in {int(pk) for pk in buttons}
    assert body.count("<h1") == 1


def test_answering_records_a_guess_of_the_game_and_moves_on(client, game):
    joined_client(client, game)
    first, second = challenges_of(game.episode)
    response = answer(client, game, first, first.profession)
    assert response.status_code == 302
    guess = Guess.objects.get()
    assert guess.challenge == first and guess.game == game and guess.correct
    assert guess.visitor == Player.objects.get().visitor
    page = html_text(client.get(reverse("duels:play", args=[game.code])))
    assert second.task in page and first.task not in page


def test_answering_twice_keeps_the_first(client, game):
    joined_client(client, game)
    first = challenges_of(game.episode)[0]
    answer(client, game, first, first.profession)
    response = answer(client, game, first, wrong_option(first))
    assert response.status_code == 302
    guess = Guess.objects.get()
    assert guess.choice == first.profession and guess.correct
    page = html_text(client.get(reverse("duels:play", args=[game.code])))
    assert de("You had already answered this one: your first answer counts.") in page


def test_an_option_not_offered_is_refused(client, game, professions):
    joined_client(client, game)
    first = challenges_of(game.episode)[0]
    offered = {p.pk for p in selectors.options_for(first)}
    outsider = next(p for p in professions if p.pk not in offered)
    answer(client, game, first, outsider)
    assert not Guess.objects.exists()
    page = html_text(client.get(reverse("duels:play", args=[game.code])))
    assert de("Please choose one of the four professions.") in page


def test_closed_game_refuses_guesses_and_shows_the_result(client, game):
    joined_client(client, game)
    first, second = challenges_of(game.episode)
    answer(client, game, first, first.profession)
    services.class_game_close(game=game)
    answer(client, game, second, second.profession)
    assert Guess.objects.count() == 1
    page = html_text(client.get(reverse("duels:play", args=[game.code])))
    assert de("This class game has ended. Answers no longer count.") in page
    assert second.profession.name in page  # the right answers are shown once the game is over
    assert 'name="choice"' not in page


# --- board and state -------------------------------------------------------------------------------------------


@pytest.fixture
def played(game):
    """Three pupils: Lena right on both, Mia right on the first only, Ole wrong on the first, nothing on the second."""
    from django.test import Client

    first, second = challenges_of(game.episode)
    wrong = wrong_option(first)
    for nickname, picks in [
        ("Lena", [(first, first.profession), (second, second.profession)]),
        ("Mia", [(first, first.profession), (second, wrong_option(second))]),
        ("Ole", [(first, wrong)]),
    ]:
        pupil = joined_client(Client(), game, nickname)
        for challenge, profession in picks:
            assert answer(pupil, game, challenge, profession).status_code == 302
    return {"first": first, "second": second, "wrong": wrong}


def test_board_shows_code_players_counts_but_no_individual_answers(client, game, teacher, played):
    client.force_login(teacher)
    response = client.get(reverse("duels:game", args=[game.code]))
    body = html_text(response)
    assert response.status_code == 200
    assert game.code in body
    for nickname in ("Lena", "Mia", "Ole"):
        assert f"<li>{nickname}</li>" in body
    first = played["first"]
    assert f'data-count="{first.pk}-{first.profession_id}">2<' in body
    assert f'data-count="{first.pk}-{played["wrong"].pk}">1<' in body
    assert f'data-answered="{first.pk}">3<' in body
    assert 'aria-live="polite"' in body
    assert "game-option is-right" not in body  # not revealed yet
    assert body.count("<h1") == 1


def test_reveal_highlights_the_answer_and_ranks_by_revealed_challenges(client, game, teacher, played):
    client.force_login(teacher)
    first = played["first"]
    url = reverse("duels:game", args=[game.code])
    body = html_text(client.get(url))
    ranking = body[body.index('id="game-ranking"') :]
    assert ranking.index("Lena") < ranking.index("Mia") < ranking.index("Ole")  # all 0 before reveal: by name
    assert client.post(url, {"reveal": first.pk}).status_code == 302
    body = html_text(client.get(url))
    assert body.count("game-option is-right") == 1
    right = body[body.index("game-option is-right") :]
    assert right.index(first.profession.name) < right.index("</li>")
    ranking = body[body.index('id="game-ranking"') :]
    assert re.search(r'<li value="1"><strong>Lena</strong>', ranking)
    assert re.search(r'<li value="1"><strong>Mia</strong>', ranking)  # tie: 1 right each so far
    assert re.search(r'<li value="3"><strong>Ole</strong>', ranking)


def test_reveal_of_a_foreign_challenge_is_refused(client, game, teacher, episode):
    other = Challenge.objects.create(
        episode=Episode.objects.create(season=episode.season, number=2, title="B", slug="b"),
        task="x",
        apprentice="y",
        profession=challenges_of(episode)[0].profession,
    )
    client.force_login(teacher)
    client.post(reverse("duels:game", args=[game.code]), {"reveal": other.pk})
    assert "game-option is-right" not in html_text(client.get(reverse("duels:game", args=[game.code])))


def test_state_json_structure_and_counts(client, game, teacher, played):
    client.force_login(teacher)
    first, second = played["first"], played["second"]
    client.post(reverse("duels:game", args=[game.code]), {"reveal": second.pk})
    response = client.get(reverse("duels:game_state", args=[game.code]))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    assert set(data) == {"code", "closed", "summary", "players", "challenges", "ranking"}
    assert data["code"] == game.code and data["closed"] is False
    assert data["players"] == ["Lena", "Mia", "Ole"]
    by_id = {row["id"]: row for row in data["challenges"]}
    assert [row["id"] for row in data["challenges"]] == [first.pk, second.pk]
    one = by_id[first.pk]
    assert one["answered"] == 3 and one["revealed"] is False
    counts = {option["id"]: option["count"] for option in one["options"]}
    assert len(counts) == 4 and sum(counts.values()) == 3
    assert counts[first.profession_id] == 2 and counts[played["wrong"].pk] == 1
    assert all(option["right"] is None for option in one["options"])  # nothing given away before the reveal
    two = by_id[second.pk]
    assert two["answered"] == 2 and two["revealed"] is True
    assert [o["id"] for o in two["options"] if o["right"]] == [second.profession_id]
    assert {o["id"]: o["share"] for o in two["options"]}[second.profession_id] == 50
    assert data["ranking"][0]["nickname"] == "Lena" and data["ranking"][0]["correct"] == 1
    assert {e["nickname"]: e["correct"] for e in data["ranking"]} == {"Lena": 1, "Mia": 0, "Ole": 0}
    # no pupil's individual answer and no visitor id in the JSON
    raw = response.content.decode()
    for player in Player.objects.all():
        assert player.visitor not in raw


def test_guess_made_before_joining_counts_for_the_class(client, game, teacher):
    first = challenges_of(game.episode)[0]
    pupil = joined_client(client.__class__(), game, "Lena")
    visitor = Player.objects.get().visitor
    Guess.objects.create(challenge=first, visitor=visitor, choice=first.profession, correct=True)  # at home
    client.force_login(teacher)
    data = json.loads(client.get(reverse("duels:game_state", args=[game.code])).content)
    assert data["challenges"][0]["answered"] == 1
    page = html_text(pupil.get(reverse("duels:play", args=[game.code])))
    assert challenges_of(game.episode)[1].task in page  # the pupil goes straight on to the second challenge


@pytest.mark.parametrize("name", ["duels:game", "duels:game_state"])
def test_other_teacher_and_pupil_get_404(client, game, name):
    url = reverse(name, args=[game.code])
    client.force_login(TeacherFactory())
    assert client.get(url).status_code == 404
    client.force_login(PupilFactory())
    assert client.get(url).status_code == 404


def test_other_teacher_cannot_close_or_reveal(client, game):
    client.force_login(TeacherFactory())
    assert client.post(reverse("duels:game_close", args=[game.code])).status_code == 404
    assert client.post(reverse("duels:game", args=[game.code]), {"reveal": 1}).status_code == 404
    game.refresh_from_db()
    assert game.closed_at is None


def test_staff_sees_any_board(client, game):
    client.force_login(StaffFactory())
    assert client.get(reverse("duels:game", args=[game.code])).status_code == 200
    assert client.get(reverse("duels:game_state", args=[game.code])).status_code == 200


def test_anonymous_state_is_404_and_board_asks_for_login(client, game):
    assert client.get(reverse("duels:game_state", args=[game.code])).status_code == 404
    response = client.get(reverse("duels:game", args=[game.code]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


# --- close -----------------------------------------------------------------------------------------------------


def test_close_ends_the_game_reveals_all_and_refuses_joins(client, game, teacher, played):
    client.force_login(teacher)
    assert client.get(reverse("duels:game_close", args=[game.code])).status_code == 405
    response = client.post(reverse("duels:game_close", args=[game.code]))
    assert response.status_code == 302
    game.refresh_from_db()
    assert game.closed_at is not None
    body = html_text(client.get(reverse("duels:game", args=[game.code])))
    assert body.count("game-option is-right") == 2
    assert "game_close" not in body and 'name="reveal"' not in body
    data = json.loads(client.get(reverse("duels:game_state", args=[game.code])).content)
    assert data["closed"] is True
    assert {e["nickname"]: e["correct"] for e in data["ranking"]} == {"Lena": 2, "Mia": 1, "Ole": 0}

    from django.test import Client

    late = Client().post(reverse("duels:join"), {"code": game.code, "nickname": "Zoe"})
    assert late.status_code == 400
    assert de("This class game has ended.") in html_text(late)
    assert not Player.objects.filter(nickname="Zoe").exists()
