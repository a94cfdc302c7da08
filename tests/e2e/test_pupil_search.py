"""A pupil on a phone searches the start page for an apprenticeship near home and opens an offer."""

import json
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_horizontal_scroll, axe_check, expect_heading, field

HERO = "Finde deine Ausbildung in der Region Ems-Achse"


def _km(text: str) -> float:
    """The distance printed on an offer card: "0,0 km", "13,1 km", "24 km"."""
    match = re.search(r"(\d+(?:,\d)?) km", text)
    assert match, f"no distance on the card: {text!r}"
    return float(match.group(1).replace(",", "."))


@pytest.mark.django_db(transaction=True)
def test_pupil_finds_mechatronics_offer_near_papenburg(page, demo):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect_heading(page, HERO)
    assert_no_horizontal_scroll(page)
    axe_check(page)

    # The start page's own search form (the header has a second, smaller one).
    hero = page.get_by_role("region", name=HERO)
    field(hero, "Beruf oder Betrieb").fill("Mechatronikerin")
    field(hero, "PLZ oder Ort").fill("26871")
    hero.get_by_role("button", name="Suchen").click()

    # Results: professions first, then offers nearest to Papenburg first.
    expect(page).to_have_url(re.compile(r"/suche/\?.*q=Mechatronikerin.*ort=26871"))
    professions = page.get_by_role("region", name=re.compile("^Berufe"))
    expect(professions.get_by_role("link", name="Mechatroniker:in", exact=True)).to_be_visible()
    offers = page.get_by_role("region", name=re.compile("^Angebote"))
    cards = offers.get_by_role("listitem")
    expect(cards.first).to_be_visible()
    assert cards.count() >= 3
    distances = [_km(text) for text in cards.all_inner_texts()]
    assert distances == sorted(distances), f"offers are not nearest first: {distances}"
    expect(cards.first).to_contain_text("26871 Papenburg")
    assert distances[0] < 5
    assert_no_horizontal_scroll(page)
    axe_check(page)

    # The nearest offer for a mechatronics profession.
    first_link = cards.first.get_by_role("link")
    expect(first_link).to_contain_text("Mechatroniker")
    offer_title = first_link.inner_text()
    first_link.click()

    expect(page).to_have_url(re.compile(r"/angebote/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(offer_title)
    expect(page).to_have_title(re.compile("Mechatroniker"))
    expect(page.get_by_role("link", name="Per E-Mail bewerben")).to_have_attribute(
        "href", re.compile("^mailto:")
    )

    scripts = page.locator('script[type="application/ld+json"]')
    expect(scripts).to_have_count(1)
    data = json.loads(scripts.text_content())
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "JobPosting"
    assert "Mechatroniker" in data["title"]
    for key in ("description", "datePosted", "validThrough", "hiringOrganization", "jobLocation"):
        assert data.get(key), f"JobPosting lacks {key}"
    assert data["jobLocation"]["address"]["postalCode"] == "26871"
    assert data["hiringOrganization"]["@type"] == "Organization"
    assert_no_horizontal_scroll(page)
    axe_check(page)
