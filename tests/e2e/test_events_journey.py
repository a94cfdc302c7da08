"""An event of the series end to end (issue #6): a teacher registers a class, a pupil registers alone and lands on
the waiting list, a parent agrees by the link in the e-mail, a cancellation moves the pupil up, the host checks both
in by typed code, and after the event the pupil downloads the attendance certificate (the PDF is read back).

Data from the factories in a town of the demo region (Papenburg). Texts are matched in German or English.
"""

import io
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from einblick.accounts.models import ParentalConsent
from einblick.events.models import Event, Registration
from tests.e2e.conftest import (
    DESKTOP_VIEWPORT,
    assert_no_horizontal_scroll,
    axe_check,
    expect_heading,
    field,
    log_in,
)
from tests.factories import (
    PASSWORD,
    CompanyFactory,
    EventFactory,
    MembershipFactory,
    ProfessionFactory,
    PupilFactory,
    SchoolClassFactory,
)

TITLE = "Schweißen ausprobieren bei Meyer"
HOST = "Meyer Maschinenbau GmbH"
PARENT_EMAIL = "mama.lea@example.org"
TICKET = re.compile(r"^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$")


def _i(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.I)


def _message(page, pattern: str):
    """The flash message after a redirect (base.html: ``.messages`` with role status)."""
    return page.locator(".messages").get_by_text(_i(pattern))


def _open_mine(page, *, phone: bool = True) -> None:
    page.goto(reverse("events:mine"))
    expect_heading(page, _i(r"^(Meine Veranstaltungen|My events)$"))
    if phone:
        assert_no_horizontal_scroll(page)
    axe_check(page)


def _card(page, registration: Registration):
    return page.locator(f"article#registration-{registration.pk}")


def _open_event(page, event: Event, *, phone: bool = True) -> None:
    """From the list of events to the event's page, as a person finds it."""
    page.goto(reverse("events:list"))
    expect_heading(page, _i(r"^(Veranstaltungen für Schüler|Events for pupils)"))
    if phone:
        assert_no_horizontal_scroll(page)
    axe_check(page)
    page.get_by_role("main").get_by_role("link", name=event.title, exact=True).click()
    expect_heading(page, event.title)
    if phone:
        assert_no_horizontal_scroll(page)
    axe_check(page)


def _checkin_result(page):
    return page.locator("#checkin-result")


def _type_code(page, code: str) -> None:
    field(page, "Code eingeben").fill(code)
    page.get_by_role("main").get_by_role("button", name=_i(r"^(Einlassen|Check in)$")).click()


@pytest.mark.django_db(transaction=True)
def test_event_from_class_and_waiting_list_to_certificate(new_context, run_tasks, mailoutbox):
    host = CompanyFactory(name=HOST)
    event = EventFactory(title=TITLE, slug="schweissen-ausprobieren-meyer", capacity=6, hosts=[host])
    event.professions.set([ProfessionFactory(name="Industriemechaniker:in")])
    member = MembershipFactory(company=host).user
    school_class = SchoolClassFactory(name="8b")
    teacher = school_class.teacher
    lea = PupilFactory(nickname="Lea")  # under 16: has not declared her age, no parent has agreed yet
    mats = PupilFactory(nickname="Mats", consent_age_declared_at=timezone.now())
    assert lea.email and lea.consent_age_declared_at is None

    # 1. The teacher registers the class with 5 of the 6 places.
    desk = new_context(DESKTOP_VIEWPORT).new_page()
    log_in(desk, teacher.username, PASSWORD)
    _open_event(desk, event, phone=False)
    desk.get_by_role("main").get_by_role("link", name=_i(r"^(Klasse anmelden|Register a class)$")).click()
    expect_heading(desk, _i(rf"^(Klasse anmelden|Register a class): {re.escape(TITLE)}$"))
    axe_check(desk)
    field(desk, "Klasse").select_option(label=str(school_class))
    field(desk, "Anzahl Schüler:innen").fill("5")
    desk.get_by_role("main").get_by_role("button", name=_i(r"^(Klasse anmelden|Register class)$")).click()
    expect_heading(desk, _i(r"^(Meine Veranstaltungen|My events)$"))
    expect(_message(desk, r"Klasse ist angemeldet|class is registered")).to_be_visible()
    axe_check(desk)
    group = Registration.objects.get(event=event, school_class=school_class)
    assert (group.status, group.places, group.teacher_id) == (Registration.Status.CONFIRMED, 5, teacher.pk)
    group_card = _card(desk, group)
    expect(group_card.get_by_role("status")).to_contain_text(_i(r"bestätigt|confirmed"))
    group_code = group_card.locator(".ticket .code")
    expect(group_code).to_have_text(group.ticket_display)
    assert TICKET.match(group_code.inner_text())

    # 2. Mats (of age) takes the last place; no consent is asked.
    mats_page = new_context().new_page()
    log_in(mats_page, mats.username, PASSWORD)
    _open_event(mats_page, event)
    mats_page.get_by_role("main").get_by_role("link", name=_i(r"^(Anmelden|Register)$")).click()
    expect_heading(mats_page, _i(rf"^(Anmelden|Register): {re.escape(TITLE)}$"))
    expect(mats_page.locator('input[name^="consent-"]')).to_have_count(0)
    assert_no_horizontal_scroll(mats_page)
    axe_check(mats_page)
    mats_page.get_by_role("button", name=_i(r"^(Jetzt anmelden|Register now)$")).click()
    expect_heading(mats_page, _i(r"^(Meine Veranstaltungen|My events)$"))
    expect(_message(mats_page, r"Du bist angemeldet|You are registered")).to_be_visible()
    mats_reg = Registration.objects.get(event=event, pupil=mats)
    assert mats_reg.status == Registration.Status.CONFIRMED
    expect(_card(mats_page, mats_reg).locator(".ticket .code")).to_have_text(mats_reg.ticket_display)
    assert_no_horizontal_scroll(mats_page)
    axe_check(mats_page)

    # Lea finds the event full; being under 16 she is asked for a parent's e-mail address and joins the waiting list.
    lea_page = new_context().new_page()
    log_in(lea_page, lea.username, PASSWORD)
    _open_event(lea_page, event)
    lea_page.get_by_role("main").get_by_role(
        "link", name=_i(r"^(Auf die Warteliste|Join the waiting list)$")
    ).click()
    expect_heading(lea_page, _i(rf"^(Anmelden|Register): {re.escape(TITLE)}$"))
    consent = lea_page.get_by_role("group", name=_i(r"^(Einwilligung|Consent)$"))
    expect(consent).to_be_visible()
    expect(consent.locator('input[name="consent-of_age"]')).to_have_count(1)
    parent_email = consent.get_by_label(
        _i(r"^\s*(E-Mail-Adresse eines Elternteils|E-mail address of a parent)")
    )
    expect(parent_email).to_have_attribute("name", "consent-parent_email")
    assert_no_horizontal_scroll(lea_page)
    axe_check(lea_page)
    parent_email.fill(PARENT_EMAIL)
    lea_page.get_by_role("button", name=_i(r"^(Auf die Warteliste|Join the waiting list)$")).click()
    expect_heading(lea_page, _i(r"^(Meine Veranstaltungen|My events)$"))
    expect(_message(lea_page, r"Warteliste|waiting list")).to_be_visible()
    lea_reg = Registration.objects.get(event=event, pupil=lea)
    assert lea_reg.status == Registration.Status.WAITLISTED
    lea_status = _card(lea_page, lea_reg).get_by_role("status")
    expect(lea_status).to_contain_text(_i(r"auf der Warteliste|on the waiting list"))
    expect(lea_status).to_contain_text(_i(r"(Platz|place) 1 (auf der Warteliste|on the waiting list)"))
    expect(_card(lea_page, lea_reg).locator(".ticket")).to_have_count(0)
    assert_no_horizontal_scroll(lea_page)
    axe_check(lea_page)

    # 3. The parent gets the e-mail and agrees through its link, without an account.
    run_tasks()
    to_parent = [m for m in mailoutbox if PARENT_EMAIL in m.to]
    assert len(to_parent) == 1, [m.to for m in mailoutbox]
    link = re.search(r"https?://\S+/konto/einwilligung/[^/\s]+/", to_parent[0].body)
    assert link, to_parent[0].body
    parent_page = new_context().new_page()
    parent_page.goto(urlsplit(link.group(0)).path)
    expect_heading(parent_page, _i(r"Lea"))
    expect(parent_page.get_by_role("main")).to_contain_text(TITLE)
    assert_no_horizontal_scroll(parent_page)
    axe_check(parent_page)
    parent_page.get_by_role("button", name=_i(r"^(Zustimmen|Agree)$")).click()
    expect_heading(parent_page, _i(r"^(Danke für Ihre Antwort|Thank you for your answer)$"))
    assert_no_horizontal_scroll(parent_page)
    axe_check(parent_page)
    record = ParentalConsent.objects.get(pupil=lea, parent_email=PARENT_EMAIL)
    assert record.confirmed_at is not None and record.state == "parent"
    lea_reg.refresh_from_db()
    assert lea_reg.status == Registration.Status.WAITLISTED  # consent alone does not free a place

    # 4. Mats cancels; the place is offered to Lea (and e-mailed), she confirms it and gets her ticket.
    _open_mine(mats_page)
    mats_card = _card(mats_page, mats_reg)
    mats_card.get_by_role("button", name=_i(r"^(Anmeldung absagen|Cancel registration)")).click()
    expect_heading(mats_page, _i(r"^(Meine Veranstaltungen|My events)$"))
    expect(_message(mats_page, r"Anmeldung ist abgesagt|registration is cancelled")).to_be_visible()
    expect(_card(mats_page, mats_reg).get_by_role("status")).to_contain_text(_i(r"abgesagt|cancelled"))
    expect(_card(mats_page, mats_reg).locator(".ticket")).to_have_count(0)
    assert_no_horizontal_scroll(mats_page)
    axe_check(mats_page)
    lea_reg.refresh_from_db()
    assert lea_reg.status == Registration.Status.OFFERED and lea_reg.hold_until is not None
    sent_before = len(mailoutbox)
    run_tasks()
    assert any(lea.email in m.to for m in mailoutbox[sent_before:]), [m.to for m in mailoutbox]

    lea_page.reload()
    expect_heading(lea_page, _i(r"^(Meine Veranstaltungen|My events)$"))
    lea_card = _card(lea_page, lea_reg)
    expect(lea_card.get_by_role("status")).to_contain_text(_i(r"Platz angeboten|place offered"))
    assert_no_horizontal_scroll(lea_page)
    axe_check(lea_page)
    lea_card.get_by_role("button", name=_i(r"^(Platz bestätigen|Confirm place)")).click()
    expect_heading(lea_page, _i(r"^(Meine Veranstaltungen|My events)$"))
    expect(_message(lea_page, r"^(Bestätigt|Confirmed)\b")).to_be_visible()
    lea_reg.refresh_from_db()
    assert lea_reg.status == Registration.Status.CONFIRMED
    lea_card = _card(lea_page, lea_reg)
    expect(lea_card.get_by_role("status")).to_contain_text(_i(r"bestätigt|confirmed"))
    lea_code = lea_card.locator(".ticket .code")
    expect(lea_code).to_have_text(lea_reg.ticket_display)
    assert TICKET.match(lea_code.inner_text())
    expect(lea_card.get_by_role("img", name=re.compile(re.escape(lea_reg.ticket_display)))).to_be_visible()
    assert_no_horizontal_scroll(lea_page)
    axe_check(lea_page)

    # 5. The event begins: the host's member checks Lea and the class in by typing their codes.
    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(
        starts_at=now - timedelta(minutes=10), ends_at=now + timedelta(hours=2)
    )
    gate = new_context(DESKTOP_VIEWPORT).new_page()
    log_in(gate, member.username, PASSWORD)
    gate.goto(event.get_absolute_url())
    expect_heading(gate, TITLE)
    axe_check(gate)
    gate.get_by_role("main").get_by_role("link", name=_i(r"^(Einlass|Check-in)$")).click()
    expect_heading(gate, _i(rf"^(Einlass|Check-in): {re.escape(TITLE)}$"))
    expect(gate.locator("[data-count=confirmed]")).to_have_text("6")
    expect(gate.locator("[data-count=checked_in]")).to_have_text("0")
    axe_check(gate)

    result = _checkin_result(gate)
    _type_code(gate, lea_reg.ticket_display.lower())  # typed from the phone screen: lower case, with dashes
    expect(result).to_have_attribute("data-result", "ok")
    expect(result).to_contain_text(_i(r"Eingelassen|Checked in"))
    expect(result).to_contain_text("Lea")
    expect(gate.locator("[data-count=checked_in]")).to_have_text("1")
    axe_check(gate)

    _type_code(gate, group.ticket_display)
    expect(result).to_have_attribute("data-result", "ok")
    expect(result).to_contain_text(str(school_class))
    expect(result).to_contain_text(_i(r"5 (von|of) 5"))
    expect(gate.locator("[data-count=checked_in]")).to_have_text("6")
    log = gate.locator("[data-log]")
    expect(log).to_contain_text("Lea")
    expect(log).to_contain_text(str(school_class))
    axe_check(gate)

    _type_code(gate, lea_reg.ticket_display.lower())  # a second time: refused
    expect(result).to_have_attribute("data-result", "error")
    expect(result).to_contain_text(_i(r"schon|already"))
    expect(gate.locator("[data-count=checked_in]")).to_have_text("6")
    axe_check(gate)

    lea_reg.refresh_from_db()
    group.refresh_from_db()
    assert lea_reg.checked_in_at and lea_reg.checked_in_by_id == member.pk
    assert group.checked_in_at and group.attended == 5

    # The typed-code form without its script (checkin.js not loaded, e.g. blocked or failed on a flaky
    # connection): a plain POST; the same refusal is rendered by the server and the typed code kept. (A context
    # with JavaScript switched off would leave axe-core unable to run.)
    plain = new_context(DESKTOP_VIEWPORT, storage_state=gate.context.storage_state()).new_page()
    plain.route("**/checkin.js", lambda route: route.abort())
    plain.goto(reverse("events:checkin", args=[event.slug]))
    expect_heading(plain, _i(rf"^(Einlass|Check-in): {re.escape(TITLE)}$"))
    _type_code(plain, group.ticket_display)
    expect_heading(plain, _i(rf"^(Einlass|Check-in): {re.escape(TITLE)}$"))
    # "already" is the server's error code; the script would have set "error"
    expect(_checkin_result(plain)).to_have_attribute("data-result", "already")
    expect(_checkin_result(plain)).to_contain_text(_i(r"schon|already"))
    expect(field(plain, "Code eingeben")).to_have_value(group.ticket_display)
    expect(plain.locator("[data-count=checked_in]")).to_have_text("6")
    axe_check(plain)

    # 6. After the event Lea downloads her attendance certificate from "My events".
    starts = timezone.now() - timedelta(hours=4)
    Event.objects.filter(pk=event.pk).update(starts_at=starts, ends_at=starts + timedelta(hours=3))
    _open_mine(lea_page)
    lea_card = _card(lea_page, lea_reg)
    expect(lea_card.get_by_role("status")).to_contain_text(_i(r"eingelassen|checked in"))
    certificate = lea_card.get_by_role("link", name=_i(r"^(Bescheinigung|Certificate) \(PDF\)"))
    expect(certificate).to_have_attribute("href", reverse("events:certificate", args=[lea_reg.pk]))
    with lea_page.expect_download() as download_info:
        certificate.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    text = " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())
    day = f"{timezone.localtime(starts):%d.%m.%Y}"
    for expected in (
        "Teilnahmebescheinigung",
        "Lea",
        TITLE,
        HOST,
        "Industriemechaniker:in",
        day,
        "26871 Papenburg",
        lea_reg.ticket_display,  # the code to verify the certificate by
    ):
        assert expected in text, f"{expected!r} not in the certificate: {text}"
    for other in ("Mats", str(school_class)):
        assert other not in text
