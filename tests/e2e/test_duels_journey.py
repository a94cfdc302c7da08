""" "Mach mal – das Duell" end to end (issue #7) on the demo season: a pupil on a phone opens the season and its
first episode, guesses the profession of all six challenges (one of them wrong), reads the reveals, votes for the
winner and sees the result, follows "meet the apprentice" to a booth of the fair and to an event, fetches both share
images and joins the season leaderboard; the network office then sees the way from watching to meeting in the
episode's statistics.

The duel pages' German translations are being written; texts are matched in German or English.
"""

import io
import re

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from einblick.duels.models import Challenge, Episode, FunnelStep, Guess, LeaderboardEntry, Vote
from einblick.duels.selectors import meet_options
from tests.e2e.conftest import (
    DESKTOP_VIEWPORT,
    assert_no_horizontal_scroll,
    axe_check,
    expect_heading,
    log_in,
)

SEASON = "Mach mal – Staffel 1"
EPISODE = "Staub, Teig und Strom"
WRONG_AT = 1  # the challenge (0-based) guessed wrong; all others are guessed right
NICKNAME = "Kranich 7"


def _i(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.I)


def _challenge_card(page, challenge: Challenge):
    return page.locator(f"li#challenge-{challenge.pk}")


def _check_page(page) -> None:
    assert_no_horizontal_scroll(page)
    axe_check(page)


def _guess(page, challenge: Challenge, *, right: bool) -> str:
    """Press one of the four buttons of a challenge; returns the name chosen. The page reloads with the reveal."""
    card = _challenge_card(page, challenge)
    expect(card.get_by_role("heading", name=challenge.task)).to_be_visible()
    options = card.get_by_role("group").get_by_role("button")
    expect(options).to_have_count(4)
    names = [name.strip() for name in options.all_inner_texts()]
    assert challenge.profession.name in names, names
    assert len(set(names)) == 4, names
    choice = challenge.profession.name if right else next(n for n in names if n != challenge.profession.name)
    with page.expect_navigation():
        card.get_by_role("button", name=choice, exact=True).click()
    assert page.url.endswith(f"#challenge-{challenge.pk}"), page.url
    return choice


def _expect_reveal(page, challenge: Challenge, *, choice: str, right: bool) -> None:
    card = _challenge_card(page, challenge)
    reveal = card.get_by_role("status")
    expect(reveal).to_be_visible()
    if right:
        expect(reveal).to_contain_text(_i(r"Richtig|Right!"))
        expect(reveal).to_have_class(re.compile(r"\bis-right\b"))
    else:
        expect(reveal).to_contain_text(_i(r"knapp daneben|nicht ganz|not quite"))
        expect(reveal).to_contain_text(choice)
        expect(reveal).to_have_class(re.compile(r"\bis-wrong\b"))
    answer = reveal.get_by_role("link", name=challenge.profession.name, exact=True)
    expect(answer).to_have_attribute("href", challenge.profession.get_absolute_url())
    expect(card.get_by_text(challenge.why, exact=True)).to_be_visible()
    expect(card.get_by_role("button")).to_have_count(0)  # no second guess
    company = card.get_by_role("link", name=_i(r"Betriebsprofil|Company profile"))
    expect(company).to_have_attribute("href", reverse("duels:meet", args=[challenge.pk, "company"]))


def _share_image(page, url: str, size: tuple[int, int]) -> None:
    response = page.request.get(url)
    assert response.ok, (url, response.status)
    assert response.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(response.body())) as image:
        image.load()
        assert image.format == "PNG"
        assert image.size == size, (url, image.size)
        # not an empty canvas: a title and two contestants leave many colours
        assert len(image.convert("RGB").getcolors(maxcolors=1 << 20) or []) > 50


@pytest.mark.django_db(transaction=True)
def test_demo_episode_from_guessing_to_meeting_the_apprentices(page, new_context, demo, demo_password):
    episode = Episode.objects.select_related("season").get(season__slug="staffel-1", slug="folge-1")
    assert episode.title == EPISODE and episode.is_published()
    published = Episode.objects.published().filter(season=episode.season)
    assert published.count() >= 3
    assert all(ep.challenges.count() == 6 for ep in published)
    challenges = list(episode.challenges.select_related("profession", "company"))
    # where "meet the apprentice" can lead in this episode: one challenge with a booth, one with an event
    ways = {challenge.pk: meet_options(challenge) for challenge in challenges}
    to_booth = next(c for c in challenges if ways[c.pk]["booth"])
    to_event = next(c for c in challenges if ways[c.pk]["event"] and c != to_booth)
    contestants = list(episode.contestants.all())
    assert [c.name for c in contestants] == ["Lena", "Ole"]

    # 1. From the duel start page to the season and its first episode, on a phone.
    page.goto(reverse("duels:index"))
    expect_heading(page, _i(r"Mach mal"))
    _check_page(page)
    page.get_by_role("main").get_by_role("link", name=SEASON).first.click()
    expect_heading(page, SEASON)
    expect(page).to_have_url(re.compile(r"/duell/staffel-1/$"))
    _check_page(page)
    episodes = page.locator("ol.duel-list > li")
    expect(episodes).to_have_count(published.count())  # the scheduled finale is not listed
    expect(page.get_by_text("Finale: Alle gegen alle")).to_have_count(0)
    expect(episodes.first).to_contain_text("Lena vs. Ole")
    page.get_by_role("link", name=_i(rf"^(Folge|Episode) 1: {re.escape(EPISODE)}$")).click()
    expect_heading(page, EPISODE)
    expect(page).to_have_url(re.compile(r"/duell/staffel-1/folge-1/$"))
    _check_page(page)
    expect(page.locator(f"li#challenge-{challenges[0].pk} form")).to_be_visible()
    # the answers are hidden before guessing
    expect(page.locator("p.reveal")).to_have_count(0)

    # 2. Guess all six: right five times, wrong once; each reveal shows the answer, why, and where to meet.
    for n, challenge in enumerate(challenges):
        right = n != WRONG_AT
        choice = _guess(page, challenge, right=right)
        expect_heading(page, EPISODE)
        _expect_reveal(page, challenge, choice=choice, right=right)
        _check_page(page)
    for n, challenge in enumerate(challenges):  # all reveals stay on the page
        expect(_challenge_card(page, challenge).get_by_role("status")).to_have_class(
            re.compile(r"\bis-wrong\b" if n == WRONG_AT else r"\bis-right\b")
        )
    expect(page.locator("form.guess")).to_have_count(0)
    right_count = len(challenges) - 1
    expect(
        page.get_by_role("main")
        .get_by_role("status")
        .filter(has_text=_i(rf"\b{right_count}\b.*(Beruf|profession)"))
    ).to_be_visible()
    guesses = Guess.objects.filter(challenge__episode=episode)
    assert guesses.count() == 6 and guesses.filter(correct=True).count() == 5
    assert len(set(guesses.values_list("visitor", flat=True))) == 1

    # 3. Who won? Vote for Lena; the result shows after the vote, and there is no second vote.
    vote = page.locator("h2#vote")
    expect(vote).to_have_text(_i(r"^\s*(Wer hat gewonnen\?|Who won\?)\s*$"))
    expect(page.locator(".vote-results")).to_have_count(0)
    buttons = page.locator('button[name="contestant"]')
    expect(buttons).to_have_count(2)
    with page.expect_navigation():
        page.get_by_role("button", name="Lena", exact=True).click()
    assert page.url.endswith("#vote"), page.url
    expect(page.get_by_text(_i(r"Danke für deine Stimme|Thank you for your vote"))).to_be_visible()
    expect(page.get_by_text(_i(r"(Du hast für Lena gestimmt|You voted for Lena)"))).to_be_visible()
    results = page.locator("ul.vote-results > li")
    expect(results).to_have_count(2)
    expect(results.nth(0)).to_contain_text(re.compile(r"Lena: 100 %"))
    expect(results.nth(1)).to_contain_text(re.compile(r"Ole: 0 %"))
    expect(page.locator('button[name="contestant"]')).to_have_count(0)
    _check_page(page)
    assert Vote.objects.filter(episode=episode).count() == 1
    assert Vote.objects.get(episode=episode).contestant == contestants[0]

    # 4. Meet the apprentice: from a revealed challenge to the company's booth in the fair …
    booth = ways[to_booth.pk]["booth"]
    link = _challenge_card(page, to_booth).get_by_role("link", name=_i(r"Stand|booth"))
    expect(link).to_have_attribute("href", reverse("duels:meet", args=[to_booth.pk, "booth"]))
    link.click()
    expect(page).to_have_url(re.compile(rf"/messe/{re.escape(booth.fair.slug)}/.+"))
    assert page.url.endswith(booth.get_absolute_url()), page.url
    expect_heading(page, booth.company.name)
    _check_page(page)
    page.go_back()
    expect_heading(page, EPISODE)

    # … and from another one to the next event with places.
    event = ways[to_event.pk]["event"]
    link = _challenge_card(page, to_event).get_by_role(
        "link", name=_i(r"(Veranstaltung|Termin|Event).*\d{2}\.\d{2}\.")
    )
    expect(link).to_have_attribute("href", reverse("duels:meet", args=[to_event.pk, "event"]))
    link.click()
    expect(page).to_have_url(re.compile(r"/veranstaltungen/.+"))
    assert page.url.endswith(event.get_absolute_url()), page.url
    expect_heading(page, event.title)
    _check_page(page)
    page.go_back()
    expect_heading(page, EPISODE)

    # 5. The share images: 1200 × 630 for posts and 1080 × 1920 for stories, as PNG.
    story = page.get_by_role("link", name=_i(r"Story|stories"))
    expect(story).to_have_attribute(
        "href", reverse("duels:share_image", args=["staffel-1", "folge-1", "1080x1920"])
    )
    _share_image(page, story.get_attribute("href"), (1080, 1920))
    _share_image(page, reverse("duels:share_image", args=["staffel-1", "folge-1", "1200x630"]), (1200, 630))
    assert (
        page.request.get(reverse("duels:share_image", args=["staffel-1", "folge-1", "99x99"])).status == 404
    )

    # 6. On to the season's leaderboard with a nickname: the score of the episode comes along.
    page.get_by_role("link", name=SEASON).first.click()
    expect_heading(page, SEASON)
    expect(page.get_by_text(_i(rf"\b{right_count}\b.*\b6\b"))).to_be_visible()
    _check_page(page)
    page.get_by_label(_i(r"Spitzname|nickname")).fill(NICKNAME)
    with page.expect_navigation():
        page.get_by_role("main").get_by_role("button", name=_i(r"Rangliste|leaderboard")).click()
    assert page.url.endswith("#leaderboard"), page.url
    expect(
        page.get_by_text(_i(r"(auf der Rangliste|in der Rangliste|on the leaderboard)")).first
    ).to_be_visible()
    entry = page.locator("ol.leaderboard > li").filter(has_text=NICKNAME)
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text(re.compile(rf"\b{right_count}\b"))
    _check_page(page)
    assert LeaderboardEntry.objects.get(season=episode.season).nickname == NICKNAME

    # 7. The network office: the episode's statistics show the way from watching to meeting.
    desk = new_context(DESKTOP_VIEWPORT).new_page()
    log_in(desk, "netzwerk", demo_password)
    desk.goto(reverse("duels:stats", args=[episode.pk]))
    expect_heading(desk, _i(rf"^(Statistik|Statistics): {re.escape(EPISODE)}$"))
    axe_check(desk)
    funnel = desk.locator("table.funnel")

    def count(kind: str) -> int:
        return int(funnel.locator(f'tr[data-kind="{kind}"] td.num').first.inner_text().strip())

    views = count(FunnelStep.Kind.VIEW)
    assert views >= 8  # the episode page was loaded at least once per guess and vote
    assert count(FunnelStep.Kind.GUESS) == 6
    assert count(FunnelStep.Kind.REVEAL) == 6
    assert count(FunnelStep.Kind.VOTE) == 1
    assert count(FunnelStep.Kind.BOOTH) == 1
    assert count(FunnelStep.Kind.EVENT) == 1
    assert count("meeting") == 2
    for kind in ("booth", "event"):
        expect(funnel.locator(f'tr[data-kind="{kind}"] th')).to_have_text(
            _i(r"(Stand|booth|Veranstaltung|event)")
        )
    for n, challenge in enumerate(challenges):
        row = desk.locator(f'tr[data-challenge="{challenge.pk}"]')
        expect(row.locator("td.num").nth(0)).to_have_text("1")
        expect(row.locator("td.num").nth(1)).to_have_text("0" if n == WRONG_AT else "1")
    lena = desk.locator(f'tr[data-contestant="{contestants[0].pk}"]')
    expect(lena.locator("td.num").nth(0)).to_have_text("1")
