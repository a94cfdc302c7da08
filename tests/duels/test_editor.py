"""The duel editor for staff: permissions, episodes with contestants, challenges, publishing and scheduling,
statistics with CSV, leaderboard moderation."""

import csv
import io
from datetime import timedelta
from html import escape

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext

from einblick.core.embeds import UnknownVideoProvider, embed_for
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
from tests.factories import (
    CompanyFactory,
    FieldFactory,
    MembershipFactory,
    ProfessionFactory,
    PupilFactory,
    StaffFactory,
    TeacherFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

YOUTUBE = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"


def de(message: str) -> str:
    """The text a German page shows for a message id (the translation, or the English id while there is none)."""
    with translation.override("de"):
        return gettext(message)


def refusal(url: str) -> str:
    """The German message for a video address that cannot be embedded (whatever the providers are today)."""
    with translation.override("de"):
        try:
            embed_for(url)
        except UnknownVideoProvider as exc:
            return str(exc)
    raise AssertionError(f"{url} should not be embeddable")


@pytest.fixture
def staff():
    return StaffFactory()


@pytest.fixture
def professions():
    field = FieldFactory()
    names = [
        "Fliesenleger:in",
        "Maurer:in",
        "Tischler:in",
        "Maler:in und Lackierer:in",
        "Dachdecker:in",
        "Bäcker:in",
    ]
    return [ProfessionFactory(name=name, field=field) for name in names]


@pytest.fixture
def season():
    return Season.objects.create(title="Staffel 1", slug="staffel-1")


def make_episode(season, number=1, contestants=2, challenges=1, professions=None, **fields):
    episode = Episode.objects.create(
        season=season, number=number, title=f"Folge {number}", slug=f"folge-{number}", **fields
    )
    for i in range(contestants):
        Contestant.objects.create(episode=episode, order=i, name=["Anna", "Bernd"][i])
    for i in range(challenges):
        Challenge.objects.create(
            episode=episode,
            order=i + 1,
            task=f"Aufgabe {i + 1}",
            apprentice="Lena",
            profession=professions[i % len(professions)] if professions else ProfessionFactory(),
        )
    return episode


def contestant_data(names, total=2, initial=0, ids=()):
    data = {
        "contestants-TOTAL_FORMS": str(total),
        "contestants-INITIAL_FORMS": str(initial),
        "contestants-MIN_NUM_FORMS": "0",
        "contestants-MAX_NUM_FORMS": "2",
    }
    for i in range(total):
        data[f"contestants-{i}-name"] = names[i] if i < len(names) else ""
        data[f"contestants-{i}-line"] = ""
        if i < len(ids):
            data[f"contestants-{i}-id"] = str(ids[i])
    return data


def episode_data(season, **changes):
    data = {
        "season": str(season.pk),
        "number": "1",
        "title": "Fliesen, Holz und Teig",
        "slug": "",
        "teaser": "Zwei treten an.",
        "video_url": YOUTUBE,
    }
    data.update(changes)
    return data


def challenge_row(i, profession, decoys=(), task=None, **extra):
    row = {
        f"challenges-{i}-order": str(i + 1),
        f"challenges-{i}-task": task or f"Aufgabe Nummer {i + 1}",
        f"challenges-{i}-apprentice": "Lena",
        f"challenges-{i}-company": "",
        f"challenges-{i}-profession": str(profession.pk),
        f"challenges-{i}-decoys": [str(p.pk) for p in decoys],
        f"challenges-{i}-why": "",
        f"challenges-{i}-video_url": "",
        f"challenges-{i}-start_seconds": "",
        f"challenges-{i}-score_a": "1",
        f"challenges-{i}-score_b": "0",
    }
    row.update({f"challenges-{i}-{key}": value for key, value in extra.items()})
    return row


def challenges_data(rows, initial=0):
    data = {
        "challenges-TOTAL_FORMS": str(len(rows)),
        "challenges-INITIAL_FORMS": str(initial),
        "challenges-MIN_NUM_FORMS": "0",
        "challenges-MAX_NUM_FORMS": "6",
    }
    for row in rows:
        data.update(row)
    return data


# --- permissions -------------------------------------------------------------------------------------------------
def _urls(episode, entry):
    return {
        "index": ("get", reverse("duels:editor")),
        "new": ("get", reverse("duels:episode_new")),
        "edit": ("get", reverse("duels:episode_edit", args=[episode.pk])),
        "challenges": ("get", reverse("duels:challenges_edit", args=[episode.pk])),
        "publish": ("post", reverse("duels:publish", args=[episode.pk])),
        "stats": ("get", reverse("duels:stats", args=[episode.pk])),
        "csv": ("get", reverse("duels:stats", args=[episode.pk]) + "?format=csv"),
        "hide": ("post", reverse("duels:leaderboard_hide", args=[entry.pk])),
    }


STAFF_EXPECTED = {
    "index": 200,
    "new": 200,
    "edit": 200,
    "challenges": 200,
    "publish": 302,
    "stats": 200,
    "csv": 200,
    "hide": 302,
}


@pytest.mark.parametrize(
    "role", ["anonymous", "inactive_staff", "pupil", "teacher", "member", "user", "staff"]
)
def test_permission_matrix(client, season, professions, role):
    episode = make_episode(season, professions=professions)
    entry = LeaderboardEntry.objects.create(season=season, visitor="v1", nickname="Tipper")
    users = {
        "inactive_staff": lambda: StaffFactory(is_active=False),
        "pupil": PupilFactory,
        "teacher": TeacherFactory,
        "member": lambda: MembershipFactory(company=CompanyFactory()).user,
        "user": UserFactory,
        "staff": StaffFactory,
    }
    if role in users:
        client.force_login(users[role]())
    for name, (method, url) in _urls(episode, entry).items():
        response = getattr(client, method)(url, {"action": "now"} if name == "publish" else {})
        if role == "staff":
            assert response.status_code == STAFF_EXPECTED[name], (name, response.status_code)
        elif role in ("anonymous", "inactive_staff"):
            assert response.status_code == 302, name
            assert response.url.startswith(reverse("accounts:login")), name
        else:
            assert response.status_code == 404, (name, response.status_code)
    episode.refresh_from_db()
    entry.refresh_from_db()
    assert (episode.publish_at is not None) == (role == "staff")
    assert entry.hidden == (role == "staff")


def test_publish_and_hide_need_post(client, staff, season, professions):
    episode = make_episode(season, professions=professions)
    entry = LeaderboardEntry.objects.create(season=season, visitor="v1", nickname="Tipper")
    client.force_login(staff)
    assert client.get(reverse("duels:publish", args=[episode.pk])).status_code == 405
    assert client.get(reverse("duels:leaderboard_hide", args=[entry.pk])).status_code == 405


# --- episode and contestants -------------------------------------------------------------------------------------
def test_staff_creates_episode_with_two_contestants(client, staff, season):
    client.force_login(staff)
    page = client.get(reverse("duels:episode_new") + f"?season={season.pk}")
    assert page.status_code == 200
    assert page.text.count('name="contestants-') >= 4  # two rows: name and line each
    data = {**episode_data(season), **contestant_data(["Anna Janssen", "Bernd Ubbens"])}
    response = client.post(reverse("duels:episode_new"), data)
    episode = Episode.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("duels:episode_edit", args=[episode.pk])
    assert episode.slug == "fliesen-holz-und-teig"
    assert episode.season == season
    assert episode.publish_at is None
    assert list(episode.contestants.values_list("name", "order")) == [
        ("Anna Janssen", 0),
        ("Bernd Ubbens", 1),
    ]


def test_edit_page_links_to_preview_and_shows_problems(client, staff, season, professions):
    episode = make_episode(season, contestants=1, professions=professions)
    client.force_login(staff)
    page = client.get(reverse("duels:episode_edit", args=[episode.pk]))
    assert f'href="{episode.get_absolute_url()}"' in page.text
    assert escape(de("An episode needs two contestants.")) in page.text
    assert 'value="Anna"' in page.text


def test_third_contestant_is_refused(client, staff, season):
    client.force_login(staff)
    data = {**episode_data(season), **contestant_data(["A", "B", "C"], total=3)}
    response = client.post(reverse("duels:episode_new"), data)
    assert response.status_code == 200
    assert escape(de("An episode has two contestants.")) in response.text
    assert not Episode.objects.exists()
    assert 'value="Fliesen, Holz und Teig"' in response.text  # nothing typed is lost


def test_episode_with_unknown_video_provider_is_not_saved(client, staff, season):
    client.force_login(staff)
    data = {**episode_data(season, video_url="https://example.com/film"), **contestant_data(["A", "B"])}
    response = client.post(reverse("duels:episode_new"), data)
    assert response.status_code == 200
    assert not Episode.objects.exists()
    assert escape(refusal("https://example.com/film")) in response.text


def test_published_episode_keeps_two_contestants(client, staff, season, professions):
    episode = make_episode(season, professions=professions, publish_at=timezone.now())
    ids = list(episode.contestants.values_list("pk", flat=True))
    client.force_login(staff)
    data = {
        **episode_data(season, title=episode.title, slug=episode.slug),
        **contestant_data(["Anna", "Bernd"], initial=2, ids=ids),
        "contestants-1-DELETE": "on",
    }
    response = client.post(reverse("duels:episode_edit", args=[episode.pk]), data)
    assert response.status_code == 200
    expected = de("A published or scheduled episode needs two contestants. Unpublish it first.")
    assert escape(expected) in response.text
    assert episode.contestants.count() == 2


# --- publishing --------------------------------------------------------------------------------------------------
def test_publishing_is_refused_with_fewer_than_two_contestants(client, staff, season, professions):
    episode = make_episode(season, contestants=1, professions=professions)
    client.force_login(staff)
    response = client.post(reverse("duels:publish", args=[episode.pk]), {"action": "now"})
    assert response.status_code == 200
    assert escape(de("An episode needs two contestants.")) in response.text
    assert escape(de("The episode cannot be published yet.")) in response.text
    episode.refresh_from_db()
    assert episode.publish_at is None


def test_publishing_is_refused_with_unknown_video_provider(client, staff, season, professions):
    episode = make_episode(season, professions=professions)
    Challenge.objects.filter(episode=episode).update(video_url="https://videos.example.org/clip")
    client.force_login(staff)
    response = client.post(reverse("duels:publish", args=[episode.pk]), {"action": "now"})
    assert response.status_code == 200
    assert "https://videos.example.org/clip" in response.text
    assert escape(refusal("https://videos.example.org/clip")) in response.text
    episode.refresh_from_db()
    assert episode.publish_at is None


def test_publish_now_and_unpublish(client, staff, season, professions):
    episode = make_episode(season, professions=professions)
    client.force_login(staff)
    response = client.post(reverse("duels:publish", args=[episode.pk]), {"action": "now"})
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.is_published()
    assert list(Episode.objects.published()) == [episode]
    client.post(reverse("duels:publish", args=[episode.pk]), {"action": "unpublish"})
    episode.refresh_from_db()
    assert episode.publish_at is None


def test_scheduled_publication(client, staff, season, professions):
    episode = make_episode(season, professions=professions)
    when = timezone.localtime() + timedelta(days=3)
    client.force_login(staff)
    response = client.post(
        reverse("duels:publish", args=[episode.pk]),
        {"action": "schedule", "publish_at": when.strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.publish_at == when.replace(second=0, microsecond=0)
    assert not episode.is_published()
    assert episode not in Episode.objects.published()
    assert episode in Episode.objects.published(now=when + timedelta(minutes=1))
    index = client.get(reverse("duels:editor"))
    assert f'<tr id="episode-{episode.pk}" data-status="scheduled">' in index.text
    with translation.override("de"):
        assert pgettext("episode status", "scheduled") in index.text


def test_scheduling_in_the_past_is_refused(client, staff, season, professions):
    episode = make_episode(season, professions=professions)
    past = timezone.localtime() - timedelta(hours=2)
    client.force_login(staff)
    response = client.post(
        reverse("duels:publish", args=[episode.pk]),
        {"action": "schedule", "publish_at": past.strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 200
    assert escape(de("Please choose a time in the future, or publish now.")) in response.text
    assert past.strftime("%Y-%m-%dT%H:%M") in response.text  # the entered time is kept
    episode.refresh_from_db()
    assert episode.publish_at is None


def test_index_shows_status_of_each_episode(client, staff, season, professions):
    draft = make_episode(season, 1, professions=professions)
    live = make_episode(season, 2, professions=professions, publish_at=timezone.now() - timedelta(days=1))
    client.force_login(staff)
    page = client.get(reverse("duels:editor"))
    assert f'<tr id="episode-{draft.pk}" data-status="draft">' in page.text
    assert f'<tr id="episode-{live.pk}" data-status="published">' in page.text
    assert f'href="{draft.get_absolute_url()}"' in page.text


def test_index_has_no_n_plus_one(client, staff, season, professions, django_assert_num_queries):
    client.force_login(staff)
    make_episode(season, 1, professions=professions)
    client.get(reverse("duels:editor"))  # warm caches (session, site settings)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("duels:editor"))
    make_episode(season, 2, professions=professions)
    make_episode(season, 3, professions=professions)
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get(reverse("duels:editor"))
    assert page.text.count('data-status="draft"') == 3


def test_staff_creates_a_season_on_the_index(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("duels:editor"), {"season-title": "Staffel 2025", "season-description": ""}
    )
    season = Season.objects.get()
    assert season.slug == "staffel-2025"
    assert response.url == reverse("duels:episode_new") + f"?season={season.pk}"


# --- challenges --------------------------------------------------------------------------------------------------
def test_challenges_are_saved_with_decoys(client, staff, season, professions):
    episode = make_episode(season, challenges=0, professions=professions)
    company = CompanyFactory()
    client.force_login(staff)
    page = client.get(reverse("duels:challenges_edit", args=[episode.pk]))
    assert page.text.count("<fieldset") == 6
    assert de("Points of %(name)s") % {"name": "Anna"} in page.text
    first = challenge_row(0, professions[0], decoys=professions[1:4], task="Verlege 1 m² Fliesen")
    first["challenges-0-company"] = str(company.pk)
    first["challenges-0-video_url"] = "https://youtube.com/shorts/abcdefghijk"
    data = challenges_data([first, challenge_row(1, professions[4])])
    response = client.post(reverse("duels:challenges_edit", args=[episode.pk]), data)
    assert response.status_code == 302
    tiles, second = episode.challenges.order_by("order")
    assert tiles.task == "Verlege 1 m² Fliesen"
    assert tiles.company == company
    assert set(tiles.decoys.all()) == set(professions[1:4])
    assert second.profession == professions[4]
    page = client.get(reverse("duels:challenges_edit", args=[episode.pk]))
    for decoy in professions[1:4]:
        assert f'<option value="{decoy.pk}" selected>' in page.text
    assert page.text.count("<fieldset") == 6  # two saved, four empty rows


def test_more_than_three_decoys_are_refused(client, staff, season, professions):
    episode = make_episode(season, challenges=0, professions=professions)
    client.force_login(staff)
    data = challenges_data([challenge_row(0, professions[0], decoys=professions[1:5])])
    response = client.post(reverse("duels:challenges_edit", args=[episode.pk]), data)
    assert response.status_code == 200
    assert escape(de("Choose at most three wrong answers.")) in response.text
    assert not episode.challenges.exists()


def test_right_answer_cannot_be_a_decoy(client, staff, season, professions):
    episode = make_episode(season, challenges=0, professions=professions)
    client.force_login(staff)
    data = challenges_data([challenge_row(0, professions[0], decoys=professions[0:2])])
    response = client.post(reverse("duels:challenges_edit", args=[episode.pk]), data)
    assert response.status_code == 200
    assert escape(de("The right profession cannot also be a wrong answer.")) in response.text
    assert not episode.challenges.exists()


def test_seventh_challenge_is_refused(client, staff, season, professions):
    episode = make_episode(season, challenges=0, professions=professions)
    client.force_login(staff)
    rows = [challenge_row(i, professions[i % len(professions)]) for i in range(7)]
    response = client.post(reverse("duels:challenges_edit", args=[episode.pk]), challenges_data(rows))
    assert response.status_code == 200
    assert escape(de("An episode has at most six challenges.")) in response.text
    assert not episode.challenges.exists()


def test_challenge_clip_of_unknown_provider_is_refused(client, staff, season, professions):
    episode = make_episode(season, challenges=0, professions=professions)
    client.force_login(staff)
    row = challenge_row(0, professions[0], video_url="https://clips.example.net/a.mov")
    response = client.post(reverse("duels:challenges_edit", args=[episode.pk]), challenges_data([row]))
    assert response.status_code == 200
    assert escape(refusal("https://clips.example.net/a.mov")) in response.text
    assert not episode.challenges.exists()


# --- statistics --------------------------------------------------------------------------------------------------
@pytest.fixture
def counted(season, professions):
    """An episode with two challenges, guesses, votes and counted steps."""
    episode = make_episode(season, challenges=2, professions=professions, publish_at=timezone.now())
    first, second = episode.challenges.order_by("order")
    for i, correct in enumerate([True, True, False]):
        choice = first.profession if correct else professions[5]
        Guess.objects.create(challenge=first, visitor=f"v{i}", choice=choice, correct=correct)
    Guess.objects.create(challenge=second, visitor="v0", choice=professions[5], correct=False)
    anna, bernd = episode.contestants.order_by("order")
    for i in range(3):
        Vote.objects.create(episode=episode, contestant=anna, visitor=f"v{i}")
    Vote.objects.create(episode=episode, contestant=bernd, visitor="v9")
    today = timezone.localdate()
    steps = [
        ("view", "", today, 150),
        ("view", "", today - timedelta(days=1), 50),
        ("guess", "", today, 160),
        ("reveal", "", today, 120),
        ("booth", "", today, 10),
        ("event", "", today, 6),
        ("talk", "", today, 3),
        ("company", "", today, 1),
        ("share", "instagram", today, 30),
        ("share", "=HYPERLINK(1)", today, 10),
    ]
    for kind, channel, day, count in steps:
        FunnelStep.objects.create(episode=episode, kind=kind, channel=channel, day=day, count=count)
    return episode


def test_stats_page_shows_shares_and_funnel(client, staff, counted):
    client.force_login(staff)
    response = client.get(reverse("duels:stats", args=[counted.pk]))
    assert response.status_code == 200
    rows = response.context["challenges"]
    assert [(r["guesses"], r["correct"]) for r in rows] == [(3, 2), (1, 0)]
    assert rows[0]["percent"] == pytest.approx(66.667, abs=0.01)
    assert rows[1]["percent"] == 0
    funnel = {row["kind"]: row for row in response.context["funnel"]}
    assert response.context["views"] == 200
    assert funnel["view"]["percent"] == 100
    assert funnel["guess"]["count"] == 160 and funnel["guess"]["percent"] == 80
    assert funnel["reveal"]["percent"] == 60
    assert funnel["booth"]["count"] == 10 and funnel["booth"]["percent"] == 5
    assert funnel["event"]["percent"] == 3
    assert response.context["meeting"] == 20 and response.context["meeting_percent"] == 10
    votes = {row["contestant"].name: (row["votes"], row["percent"]) for row in response.context["votes"]}
    assert votes == {"Anna": (3, 75), "Bernd": (1, 25)}
    assert [(c["channel"], c["count"]) for c in response.context["channels"]] == [
        ("instagram", 30),
        ("=HYPERLINK(1)", 10),
    ]
    html = response.text
    assert '<td class="num share">67 %</td>' in html
    assert '<tr data-kind="booth">' in html
    assert 'style="width: 80%"' in html and 'style="width: 5%"' in html  # the bars


def test_stats_page_without_views_shows_dashes(client, staff, season, professions):
    episode = make_episode(season, professions=professions)
    client.force_login(staff)
    response = client.get(reverse("duels:stats", args=[episode.pk]))
    assert response.status_code == 200
    assert all(row["percent"] is None for row in response.context["funnel"])
    assert response.context["challenges"][0]["percent"] is None


def test_stats_csv(client, staff, counted):
    client.force_login(staff)
    response = client.get(reverse("duels:stats", args=[counted.pk]), {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows[0]) == 5
    assert all(len(row) == 5 for row in rows)

    def number(text: str) -> float:
        return float(text.replace(",", "."))

    views = next(row for row in rows if row[1] == de("Views"))
    assert views[2] == "200"
    first = next(row for row in rows if row[1].startswith("1. Aufgabe 1"))
    assert first[2:4] == ["3", "2"]
    assert number(first[4]) == pytest.approx(66.7)
    with translation.override("de"):
        booth_label = str(dict(FunnelStep.Kind.choices)["booth"])
    booth = next(row for row in rows if row[1] == booth_label)
    assert booth[2] == "10" and number(booth[4]) == 5
    anna = next(row for row in rows if row[1] == "Anna")
    assert anna[2] == "3" and number(anna[4]) == 75
    # a channel name from a visitor's utm_source cannot run as a spreadsheet formula
    assert any(row[1] == "'=HYPERLINK(1)" and row[2] == "10" for row in rows)


# --- leaderboard -------------------------------------------------------------------------------------------------
def test_staff_removes_a_nickname_from_the_leaderboard(client, staff, season, professions):
    episode = make_episode(season, professions=professions, publish_at=timezone.now())
    challenge = episode.challenges.get()
    for visitor, nickname in [("v1", "Fliesenfuchs"), ("v2", "Schimpfwort99")]:
        LeaderboardEntry.objects.create(season=season, visitor=visitor, nickname=nickname)
        Guess.objects.create(challenge=challenge, visitor=visitor, choice=challenge.profession, correct=True)
    bad = LeaderboardEntry.objects.get(nickname="Schimpfwort99")
    client.force_login(staff)
    index = client.get(reverse("duels:editor"))
    assert "Schimpfwort99" in index.text
    assert reverse("duels:leaderboard_hide", args=[bad.pk]) in index.text
    response = client.post(reverse("duels:leaderboard_hide", args=[bad.pk]))
    assert response.status_code == 302
    assert response.url == reverse("duels:editor") + f"#leaderboard-{season.pk}"
    bad.refresh_from_db()
    assert bad.hidden
    good = LeaderboardEntry.objects.get(nickname="Fliesenfuchs")
    assert not good.hidden
    index = client.get(reverse("duels:editor"))
    assert f'<tr id="entry-{good.pk}">' in index.text
    assert f'<tr id="entry-{bad.pk}">' not in index.text


def test_hiding_an_unknown_entry_is_404(client, staff):
    client.force_login(staff)
    assert client.post(reverse("duels:leaderboard_hide", args=[999])).status_code == 404
