"""A company registers itself, network staff approve it, the company publishes an offer, a pupil finds it."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import (
    assert_no_horizontal_scroll,
    axe_check,
    expect_heading,
    field,
    log_in,
    log_out,
)

COMPANY = "Hasetal Zweiradtechnik GmbH"
EMAIL = "wiebke.hinrichs@hasetal-zweirad.example"
PASSWORD = "Speichenrad-Meppen-7"
PROFESSION = "Zweiradmechatroniker:in"


def _approval_mails_queued(address: str) -> list:
    from django_tasks_db.models import DBTaskResult

    return [
        row
        for row in DBTaskResult.objects.filter(task_path__endswith="email_send")
        if address in row.args_kwargs["kwargs"]["to"]
    ]


@pytest.mark.django_db(transaction=True)
def test_company_registers_is_approved_and_publishes_an_offer(
    desktop_page, new_context, demo, demo_password, run_tasks, mailoutbox
):
    desk = desktop_page  # the company's office computer, later also the network office's

    # 1. Registration without an account: the form creates the account too.
    desk.goto("/betrieb/registrieren/")
    expect_heading(desk, "Betrieb registrieren")
    axe_check(desk)
    account = desk.get_by_role("group", name="Ihr Konto")
    field(account, "Ihr Vorname").fill("Wiebke")
    field(account, "Ihr Nachname").fill("Hinrichs")
    field(account, "Ihre E-Mail-Adresse (für die Anmeldung)").fill(EMAIL)
    field(account, "Passwort").fill(PASSWORD)
    company = desk.get_by_role("group", name="Betrieb", exact=True)
    field(company, "Name des Betriebs").fill(COMPANY)
    field(company, "Branche").fill("Zweiradhandel und -werkstatt")
    field(company, "Größe").select_option(label="10–49 Beschäftigte")
    field(company, "Kurzprofil").fill(
        "Fahrradwerkstatt mit Verkauf an der Hase. Bei uns reparierst du E-Bikes, Lastenräder und Rennräder "
        "und lernst die Beratung im Laden kennen."
    )
    field(company, "Berufe, in denen Sie ausbilden").select_option(label=PROFESSION)
    address = desk.get_by_role("group", name="Adresse")
    field(address, "Straße und Hausnummer").fill("Am Hasetal 5")
    field(address, "PLZ oder Ort").fill("49716")
    contact = desk.get_by_role("group", name="Ansprechpartner:in")
    field(contact, "Ansprechpartner:in für Schüler:innen").fill("Wiebke Hinrichs")
    field(contact, "Funktion der Ansprechperson").fill("Inhaberin")
    field(contact, "E-Mail der Ansprechperson").fill("ausbildung@hasetal-zweirad.example")
    desk.get_by_role("button", name="Betrieb registrieren").click()

    # 2. Its management page: waiting for approval.
    expect_heading(desk, COMPANY)
    expect(desk).to_have_url(re.compile(r"/betrieb/hasetal-zweiradtechnik-gmbh/$"))
    expect(desk.get_by_role("status")).to_contain_text(COMPANY)
    expect(desk.get_by_role("main")).to_contain_text("Status: wartet auf Freigabe")
    axe_check(desk)
    log_out(desk)

    # 3. Network staff approve it.
    log_in(desk, "netzwerk", demo_password)
    desk.get_by_role("link", name="Zu prüfende Betriebe").click()
    expect(desk).to_have_url(re.compile(r"/netzwerk/betriebe/$"))
    entry = desk.get_by_role("article", name=COMPANY)
    expect(entry).to_contain_text("49716 Meppen")
    axe_check(desk)
    entry.get_by_role("button", name=f"Freigeben {COMPANY}").click()
    expect(desk.get_by_role("status")).to_have_text(f"{COMPANY} ist freigegeben und sichtbar.")
    expect(desk.get_by_role("article", name=COMPANY)).to_have_count(0)
    axe_check(desk)

    # The approval e-mail goes through the task queue; run it and read it.
    assert len(_approval_mails_queued(EMAIL)) == 1
    assert run_tasks() >= 1
    approval = [m for m in mailoutbox if EMAIL in m.to]
    assert len(approval) == 1
    assert COMPANY in approval[0].subject + approval[0].body
    log_out(desk)

    # 4. The company logs in again (with its e-mail address) and adds an offer.
    log_in(desk, EMAIL, PASSWORD)
    desk.get_by_role("link", name=COMPANY).click()
    expect_heading(desk, COMPANY)
    expect(desk.get_by_role("main")).to_contain_text("Status: freigegeben")
    axe_check(desk)
    desk.get_by_role("link", name="Angebot hinzufügen").click()
    expect_heading(desk, "Angebot")
    axe_check(desk)
    today = timezone.localdate()
    field(desk, "Art des Angebots").select_option(label="Ausbildung")
    field(desk, "Beruf").select_option(label=PROFESSION)
    field(desk, "Beginn").fill((today + timedelta(days=150)).isoformat())
    field(desk, "Anzahl der Plätze").fill("2")
    field(desk, "Beschreibung").fill(
        "Drei Jahre Ausbildung in Werkstatt und Laden: Du baust Räder auf, findest Fehler an E-Bikes und "
        "berätst Kundschaft."
    )
    field(desk, "E-Mail-Adresse für Bewerbungen").fill("ausbildung@hasetal-zweirad.example")
    field(desk, "Gültig bis").fill((today + timedelta(days=60)).isoformat())
    desk.get_by_role("button", name="Speichern").click()
    expect(desk.get_by_role("status")).to_have_text(
        "Angebot gespeichert. Es ist jetzt für Schüler:innen sichtbar."
    )
    expect(desk.get_by_role("table").get_by_role("link", name=PROFESSION)).to_be_visible()
    axe_check(desk)

    # 5. Anyone (no account, on a phone) finds the offer through the search in the header.
    pupil = new_context().new_page()
    pupil.goto("/")
    axe_check(pupil)
    header = pupil.get_by_role("banner")
    header.get_by_label("Berufe, Betriebe und Angebote durchsuchen").fill("Hasetal Zweiradtechnik")
    header.get_by_role("button", name="Suchen").click()
    offers = pupil.get_by_role("region", name=re.compile("^Angebote"))
    card = offers.get_by_role("listitem").filter(has_text=COMPANY)
    expect(card).to_have_count(1)
    expect(card).to_contain_text("49716 Meppen")
    companies = pupil.get_by_role("region", name=re.compile("^Betriebe"))
    expect(companies.get_by_role("link", name=COMPANY)).to_be_visible()
    assert_no_horizontal_scroll(pupil)
    axe_check(pupil)
    card.get_by_role("link", name=PROFESSION).click()
    expect_heading(pupil, PROFESSION)
    expect(pupil.get_by_role("main")).to_contain_text(COMPANY)
    assert_no_horizontal_scroll(pupil)
    axe_check(pupil)
