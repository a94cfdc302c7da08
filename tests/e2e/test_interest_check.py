"""A pupil on a phone takes the interest check without an account and ends at companies nearby."""

import re

import pytest
from playwright.sync_api import expect

from einblick.orientation.statements import STATEMENTS
from tests.e2e.conftest import assert_no_horizontal_scroll, axe_check, field


@pytest.mark.django_db(transaction=True)
def test_pupil_completes_the_check_and_sees_professions_and_companies_nearby(page, demo):
    page.goto("/")
    page.get_by_role("link", name="Berufe-Check starten").click()
    expect(page.get_by_role("heading", name="Welche Ausbildung passt zu dir?")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Check starten").click()

    for number, statement in enumerate(STATEMENTS, start=1):
        expect(page.get_by_text(f"Frage {number} von 30", exact=True)).to_be_visible()
        expect(page.get_by_role("heading", name=statement.text.de)).to_be_visible()
        if number == 1:
            axe_check(page)
            assert_no_horizontal_scroll(page)
        if number == 3:
            # Going back shows the earlier answer as chosen; the pupil changes nothing and goes on.
            page.get_by_role("link", name="← Zurück").click()
            expect(page.get_by_text("Frage 2 von 30", exact=True)).to_be_visible()
            expect(page.locator("button[aria-pressed=true]")).to_have_count(1)
            page.go_back()
        answer = "Mag ich" if statement.dimension in "RI" else "Mag ich nicht"
        page.get_by_role("button", name=answer, exact=True).click()

    expect(page).to_have_url(re.compile(r"/berufe-check/ergebnis/[^/]+/$"))
    expect(page.get_by_role("heading", name="Dein Ergebnis")).to_be_visible()
    expect(page.get_by_text("Praktisch").first).to_be_visible()
    axe_check(page)
    assert_no_horizontal_scroll(page)

    # Filter by place: Papenburg, 25 km — the mechatronics company of the demo region appears with its distance.
    form = page.get_by_role("form", name="Filter")
    field(form, "PLZ oder Ort").fill("26871")
    form.get_by_label("Umkreis").select_option(label="bis 25 km")
    form.get_by_role("button", name="Ergebnisse anzeigen").click()
    matches = page.locator("ol.matches > li")
    expect(matches).to_have_count(10)
    expect(page.get_by_text(re.compile(r"Weil du gern"))).not_to_have_count(0)
    expect(page.get_by_role("link", name="Papenburg Mechatronik GmbH").first).to_be_visible()
    axe_check(page)
    assert_no_horizontal_scroll(page)
