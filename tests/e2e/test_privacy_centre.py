"""The privacy centre in the browser (issue #10, "Done when"): a pupil on a phone sees what is stored, downloads it
all as JSON (read back), and deletes the account — the event place goes to the next on the waiting list, and
logging in again fails."""

import json
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from einblick.accounts.models import User
from einblick.events import services as event_services
from einblick.events.models import Registration
from einblick.orientation.models import InterestResult
from tests.e2e.conftest import assert_no_horizontal_scroll, axe_check, expect_heading, field, log_in
from tests.factories import PASSWORD, EventFactory, PupilFactory


@pytest.mark.django_db(transaction=True)
def test_pupil_exports_and_deletes_the_account(page):
    pupil = PupilFactory(
        username="lea-e2e", nickname="Lea", email="lea@example.org", consent_age_declared_at=timezone.now()
    )
    InterestResult.objects.create(user=pupil, r=80, i=40, a=20, s=60, e=30, c=50)
    event = EventFactory(capacity=1, title="Werkstatttag bei Meyer")
    event_services.register_pupil(event=event, pupil=pupil)
    waiting = PupilFactory(consent_age_declared_at=timezone.now())
    event_services.register_pupil(event=event, pupil=waiting)

    log_in(page, "lea-e2e", PASSWORD)
    page.get_by_role("main").get_by_role("link", name=re.compile("^Datenschutz: meine Daten")).click()
    expect_heading(page, re.compile("Datenschutz"))
    main = page.get_by_role("main")
    expect(main).to_contain_text("lea@example.org")
    expect(main).to_contain_text(re.compile(r"automatisch gelöscht|deleted automatically"))
    assert_no_horizontal_scroll(page)
    axe_check(page)

    # 1. Download everything and read it back
    with page.expect_download() as info:
        main.get_by_role("link", name=re.compile("JSON")).click()
    with open(info.value.path(), encoding="utf-8") as handle:
        data = json.load(handle)
    assert data["account"]["email"] == "lea@example.org"
    assert data["interest_results"][0]["profile"]["R"] == 80
    assert data["event_registrations"][0]["event"] == "Werkstatttag bei Meyer"

    # 2. Deleting needs the password and the word; a wrong password changes nothing
    field(page, "Dein Passwort" if main.get_by_label("Dein Passwort").count() else "Your password").fill(
        "falsch"
    )
    main.get_by_label(re.compile("LÖSCHEN")).fill("LÖSCHEN")
    main.get_by_role("button", name=re.compile("jetzt löschen|delete my account now", re.I)).click()
    expect(page.get_by_role("main")).to_contain_text(
        re.compile("Passwort stimmt nicht|password is not right")
    )
    assert User.objects.filter(pk=pupil.pk).exists()
    axe_check(page)
    main = page.get_by_role("main")
    field(page, "Dein Passwort").fill(PASSWORD)
    main.get_by_label(re.compile("LÖSCHEN")).fill("LÖSCHEN")
    main.get_by_role("button", name=re.compile("jetzt löschen|delete my account now", re.I)).click()
    expect(page.locator(".messages")).to_contain_text(re.compile("gelöscht|deleted"))
    assert not User.objects.filter(pk=pupil.pk).exists()
    assert Registration.objects.get(pupil=waiting).status == "offered"  # the place went on

    # 3. The account is gone: logging in fails
    page.goto("/konto/anmelden/")
    field(page, "Benutzername oder E-Mail").fill("lea-e2e")
    field(page, "Passwort").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", level=1, name="Anmelden")).to_be_visible()
