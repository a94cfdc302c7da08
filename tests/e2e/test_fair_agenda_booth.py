"""A pupil on a phone bookmarks fair sessions without an account, sees the overlap on "Meine Merkliste", takes
the calendar file, and asks a company a question at its booth; the company answers it on the booth."""

import re

import icalendar
import pytest
from playwright.sync_api import expect

from einblick.fair import services
from einblick.fair.models import BoothQuestion, SessionCounter
from tests.e2e.conftest import (
    DESKTOP_VIEWPORT,
    assert_no_horizontal_scroll,
    axe_check,
    expect_heading,
    field,
    log_in,
)
from tests.factories import PASSWORD, CompanyFactory, MembershipFactory, ProfessionFactory
from tests.fair.support import make_fair, make_session


@pytest.mark.django_db(transaction=True)
def test_pupil_bookmarks_sessions_and_asks_at_a_booth(page, new_context):
    fair = make_fair()
    company = CompanyFactory(name="Meyer Maschinenbau GmbH", slug="meyer")
    company.professions.add(ProfessionFactory(name="Mechatroniker:in"))
    services.exhibitor_add(fair=fair, company=company, intro="Moin! Schön, dass du da bist.")
    member = MembershipFactory(company=company).user
    first = make_session(fair, minutes=60, company=company, title="Werkstattführung bei Meyer")
    second = make_session(fair, minutes=75, stage=1, title="Azubis erzählen")
    make_session(fair, minutes=150, title="Frag uns alles")

    page.goto(fair.get_absolute_url())
    expect_heading(page, "55 Stunden Zukunft")
    axe_check(page)
    assert_no_horizontal_scroll(page)
    for session in (first, second):
        with page.expect_response(re.compile(rf"/merkliste/{session.pk}/$")) as ping:
            page.get_by_role(
                "button", name=re.compile(rf"^Merken\W+{re.escape(session.title)}$")
            ).first.click()
        assert ping.value.status == 200, ping.value.text()
        buttons = page.locator(f'form.agenda-toggle[data-session="{session.pk}"] button')
        expect(buttons).to_have_count(2)  # "coming up" and the programme list
        for n in range(2):
            expect(buttons.nth(n)).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name=re.compile(r"^Gemerkt\W+Azubis erzählen$")).first).to_be_visible()
    stored = page.evaluate("JSON.parse(localStorage.getItem('einblick-agenda:55-stunden'))")
    assert sorted(stored) == sorted([first.pk, second.pk])

    page.get_by_role("link", name="Meine Merkliste").click()
    expect(page).to_have_url(re.compile(r"/merkliste/\?ids="))
    page.wait_for_load_state("load")  # agenda.js (deferred) handles the buttons from here on
    expect_heading(page, "Meine Merkliste")
    expect(page.get_by_text("2 Sessions gemerkt")).to_be_visible()
    expect(page.get_by_text("überschneidet sich mit").first).to_be_visible()
    link = page.get_by_role("link", name="Kalenderdatei herunterladen (.ics)")
    expect(link).to_have_attribute("href", re.compile(rf"merkliste\.ics\?ids=.*{first.pk}"))
    # Download the calendar file with the browser's own request context and read it back.
    ics = page.request.get(link.get_attribute("href"))
    assert ics.ok and ics.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(ics.body())
    summaries = sorted(str(event["SUMMARY"]) for event in calendar.walk("VEVENT"))
    assert summaries == sorted([first.title, second.title])
    axe_check(page)
    assert_no_horizontal_scroll(page)
    assert sum(SessionCounter.objects.values_list("agenda_adds", flat=True)) == 2

    # Taking one off the list: it disappears and the overlap is gone.
    page.get_by_role("button", name=re.compile(r"^Gemerkt\W+Azubis erzählen$")).click()
    expect(page.get_by_text("1 Session gemerkt")).to_be_visible()
    expect(page.get_by_text("überschneidet sich mit")).to_have_count(0)

    # Coming back later without ids in the address: the browser remembers.
    page.goto(f"/messe/{fair.slug}/merkliste/")
    expect(page.get_by_text("1 Session gemerkt")).to_be_visible()

    # At the booth: ask a question (hostile markup stays text).
    page.goto(f"/messe/{fair.slug}/stand/meyer/")
    expect_heading(page, "Meyer Maschinenbau GmbH")
    axe_check(page)
    field(page, "Dein Spitzname").fill("Lea <b>fett</b>")
    field(page, "Deine Frage").fill("Muss ich gut in Mathe sein? <script>window.hacked = 1</script>")
    page.get_by_role("button", name="Frage senden").click()
    expect(page.get_by_text("Danke! Deine Frage ist angekommen.")).to_be_visible()
    assert BoothQuestion.objects.get().nickname == "Lea <b>fett</b>"
    assert_no_horizontal_scroll(page)

    # The company answers publicly on its booth management page.
    desk = new_context(DESKTOP_VIEWPORT).new_page()
    log_in(desk, member.username, PASSWORD)
    desk.goto(f"/messe/{fair.slug}/stand/meyer/verwalten/")
    expect_heading(desk, "Ihr Stand")
    axe_check(desk)
    desk.get_by_label("Antwort").first.fill("Grundrechnen reicht – den Rest lernst du bei uns.")
    desk.get_by_label("Frage und Antwort am Stand zeigen").first.check()
    desk.get_by_role("button", name="Antwort senden").click()
    expect(desk.get_by_text("Antwort an Ihrem Stand veröffentlicht.")).to_be_visible()

    page.reload()
    expect(page.get_by_text("Grundrechnen reicht")).to_be_visible()
    expect(page.get_by_text("Lea <b>fett</b>")).to_be_visible()
    assert page.evaluate("window.hacked") is None
    axe_check(page)
