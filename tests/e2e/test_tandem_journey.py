"""The Digital-Tandem end to end (issue #8) in the demo region: a small company states a need on a phone (first
without a topic: the German error, and what was typed stays), the network office sees the cluster of an uncovered need
shared by four companies and confirms the suggested tandem (both sides get an e-mail), the company registers two
people for the tandem's online seminar, and both sides move the tandem on: the company adds a step and sets it
running, the provider notes a meeting, is stopped from closing it without an outcome, then closes it with one, which
the company sees on its tandem page. axe-core runs on every page visited.

The tandem pages' German translations are being written; texts are matched in German or English.
"""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from einblick.catalog.models import Company
from einblick.events.models import Event, Registration
from einblick.tandem.models import Need, Note, Step, Tandem, TrainingOffer
from tests.e2e.conftest import (
    DESKTOP_VIEWPORT,
    assert_no_horizontal_scroll,
    axe_check,
    expect_heading,
    log_in,
)

TOPIC = "Eigene Videos drehen"
TOPIC_LABEL = f"Digitales Recruiting › {TOPIC}"
OFFER = "Azubi-Videos mit dem Smartphone"
PROVIDER = "Bildungswerk Ems (Demo)"
SEMINAR_SLUG = "online-seminar-azubi-videos"
CLUSTER_TOPIC = "Online-Prüfungsvorbereitung"
NEED_TEXT = "Wir möchten zeigen, wie die Ausbildung in unserer Werkstatt aussieht – mit dem Smartphone."
PEOPLE = ("Anna Meyer", "Jonas Berg")
STEP = "Drehplan für das Werkstattvideo abstimmen"
NOTE = "Drehplan besprochen: erster Drehtag in der Werkstatt, Ton mit Ansteckmikrofon."
OUTCOME = "Erstes Ausbildungsvideo veröffentlicht"


def _i(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.I)


def _message(page, pattern: str):
    """The flash message after a redirect (base.html: ``.messages`` with role status)."""
    return page.locator(".messages").get_by_text(_i(pattern))


def _check_phone(page) -> None:
    assert_no_horizontal_scroll(page)
    axe_check(page)


def _open_tandem_index(page) -> None:
    """From "Mein Konto" to the Digital-Tandem, as a person finds it."""
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Mein Konto").click()
    expect_heading(page, re.compile(r"^Hallo\b"))
    page.get_by_role("main").get_by_role("link", name="Digital-Tandem", exact=True).click()
    expect_heading(page, "Digital-Tandem")
    expect(page).to_have_url(re.compile(r"/tandem/$"))


def _workspace_form(page, action: str):
    """One of the workspace's forms (status, step, note, file), by its hidden ``action``."""
    return page.locator(f'form:has(input[name="action"][value="{action}"])')


def _status_line(page):
    """The line under the workspace's heading: offer, kind, saved status and outcome."""
    return page.get_by_role("main").locator("h1 + p.meta")


@pytest.mark.django_db(transaction=True)
def test_need_to_tandem_seminar_and_outcome(page, new_context, demo, demo_password, run_tasks, mailoutbox):
    today = timezone.localdate()
    # a small demo company that has stated no need yet: the new need is clearly its own
    company = (
        Company.objects.filter(
            status=Company.Status.APPROVED, size=Company.Size.MICRO, tandem_needs__isnull=True
        )
        .exclude(memberships__user__tandem_providers__isnull=False)
        .order_by("pk")
        .first()
    )
    assert company is not None
    member = company.memberships.get().user
    assert member.email and not member.is_staff
    offer = TrainingOffer.objects.select_related("provider", "event").get(title=OFFER)
    assert offer.provider.name == PROVIDER
    seminar = offer.event
    assert seminar.slug == SEMINAR_SLUG and seminar.status == Event.Status.PUBLISHED and seminar.join_url
    provider_user = offer.provider.members.get()
    assert provider_user.username == "bildung" and provider_user.email
    # the cluster of the demo: four companies need online exam preparation, no offer covers it
    cluster_needs = Need.objects.filter(topics__name=CLUSTER_TOPIC, status=Need.Status.OPEN)
    assert cluster_needs.values("company").distinct().count() == 4
    assert not TrainingOffer.objects.filter(topics__name=CLUSTER_TOPIC).exists()
    assert Tandem.objects.count() == 2

    # 1. On a phone, the company member states a need: first without a topic, then complete.
    log_in(page, member.username, demo_password)
    _open_tandem_index(page)
    expect(page.get_by_role("heading", level=2, name=company.name)).to_be_visible()
    expect(page.locator("ul.need-list")).to_have_count(0)  # no need yet
    _check_phone(page)
    state = page.get_by_role("main").get_by_role("link", name=_i(r"^(Bedarf melden|State a need)$"))
    expect(state).to_have_attribute("href", reverse("tandem:need_new", args=[company.slug]))
    state.click()
    expect_heading(page, _i(r"^(Bedarf melden|State a need)$"))
    expect(page.get_by_role("main")).to_contain_text(company.name)
    _check_phone(page)

    topics = page.get_by_role(
        "group", name=_i(r"(Wobei brauchen Sie Unterstützung|What do you need help with)")
    )
    expect(topics.get_by_role("checkbox", name=TOPIC_LABEL)).not_to_be_checked()
    text = page.locator("#id_text")
    expect(text).to_have_accessible_name(_i(r"(Sonst noch etwas|Anything else)"))
    text.fill(NEED_TEXT)
    page.locator('input[name="audience"][value="trainers"]').check()
    people = page.locator("#id_people")
    expect(people).to_have_accessible_name(_i(r"(Wie viele Personen|How many people)"))
    people.fill("2")
    page.locator('input[name="formats"][value="online"]').check()
    budget = page.get_by_role("group", name=_i(r"(Budget pro Person|Budget per person)"))
    budget.get_by_role("radio", name=_i(r"^(bis|up to) 250 €$")).check()
    page.get_by_role("group", name=_i(r"(Was ist vorhanden|What do you have)")).get_by_role(
        "checkbox", name=_i(r"(Kamera|camera)")
    ).check()
    send = page.get_by_role("main").get_by_role("button", name=_i(r"^(Absenden|Send)$"))
    send.click()
    # the form comes back with the German error at the topics; everything typed stays
    expect_heading(page, _i(r"^(Bedarf melden|State a need)$"))
    expect(topics.get_by_text("Wählen Sie mindestens ein Thema.")).to_be_visible()
    expect(text).to_have_value(NEED_TEXT)
    expect(people).to_have_value("2")
    expect(page.locator('input[name="audience"][value="trainers"]')).to_be_checked()
    expect(page.locator('input[name="formats"][value="online"]')).to_be_checked()
    expect(page.locator('input[name="budget"][value="low"]')).to_be_checked()
    expect(page.locator('input[name="equipment"][value="camera"]')).to_be_checked()
    assert not Need.objects.filter(company=company).exists()
    _check_phone(page)

    topics.get_by_role("checkbox", name=TOPIC_LABEL).check()
    send.click()
    expect_heading(page, "Digital-Tandem")
    expect(_message(page, r"^(Danke!|Thank you!)")).to_be_visible()
    need = Need.objects.get(company=company)
    assert list(need.topics.values_list("name", flat=True)) == [TOPIC]
    assert (need.text, need.audience, need.people, need.formats, need.budget, need.equipment) == (
        NEED_TEXT,
        ["trainers"],
        2,
        ["online"],
        "low",
        ["camera"],
    )
    assert need.status == Need.Status.OPEN and need.created_by_id == member.pk
    mine = page.locator("ul.need-list > li")
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text(TOPIC)
    expect(mine).to_contain_text(_i(r"\b(offen|open)\b"))
    suggestions = mine.locator(":scope > ul > li")
    expect(suggestions.first).to_contain_text(OFFER)
    expect(suggestions.first).to_contain_text(PROVIDER)
    expect(
        suggestions.first.get_by_role(
            "button", name=_i(rf"(anfrag|Request this offer).*: {re.escape(OFFER)}$")
        )
    ).to_be_visible()
    _check_phone(page)

    # 2. The network office (desktop) sees the cluster and confirms the first suggestion for the new need.
    desk = new_context(DESKTOP_VIEWPORT).new_page()
    log_in(desk, "netzwerk", demo_password)
    _open_tandem_index(desk)
    axe_check(desk)
    desk.get_by_role("main").get_by_role(
        "link", name=_i(r"^(Alle Bedarfe und Vorschläge|All needs and suggestions)$")
    ).click()
    expect_heading(desk, _i(r"^(Bedarfe und Vorschläge|Needs and suggestions)$"))
    axe_check(desk)
    expect(
        desk.get_by_role(
            "heading", level=2, name=_i(r"^(Bedarfe ohne passendes Angebot|Needs no offer covers)$")
        )
    ).to_be_visible()
    cluster = (
        desk.get_by_role("main")
        .locator("li.card")
        .filter(has_text=_i(r"(Online-Seminar zu|online seminar on) „?“?" + re.escape(CLUSTER_TOPIC)))
    )
    expect(cluster).to_have_count(1)
    expect(cluster).to_contain_text(_i(r"\b4 (Betrieben|companies)\b"))
    expect(cluster).to_contain_text(_i(r"\b12 (Personen|people)\b"))
    expect(cluster.get_by_role("combobox", name=_i(r"(Anbieter|Provider)"))).to_be_visible()
    expect(
        cluster.get_by_role(
            "button", name=_i(rf"(Seminar beauftragen|Commission a seminar).*{re.escape(CLUSTER_TOPIC)}")
        )
    ).to_be_visible()

    article = desk.locator(f"article#need-{need.pk}")
    expect(article.get_by_role("heading", name=f"{company.name}: {TOPIC}")).to_be_visible()
    expect(article).to_contain_text(_i(r"\b2 (Personen|people)\b"))
    expect(article).to_contain_text(_i(r"(bis|up to) 250 €"))
    first = article.locator("ol > li").first
    expect(first).to_contain_text(OFFER)
    expect(first).to_contain_text(PROVIDER)
    first.get_by_role(
        "button",
        name=_i(rf"^(Tandem bestätigen|Confirm tandem)\s*:\s*{re.escape(company.name)}, {re.escape(OFFER)}$"),
    ).click()
    expect_heading(desk, f"{company.name} + {PROVIDER}")
    expect(_message(desk, r"(Tandem ist bestätigt|tandem is confirmed)")).to_be_visible()
    tandem = Tandem.objects.get(need=need)
    assert tandem.offer_id == offer.pk and tandem.status == Tandem.Status.PLANNED
    assert tandem.confirmed_by.username == "netzwerk"
    need.refresh_from_db()
    assert need.status == Need.Status.MATCHED
    workspace = reverse("tandem:tandem", args=[tandem.pk])
    assert desk.url.endswith(workspace), desk.url
    expect(_status_line(desk)).to_contain_text(_i(r"\b(eingeplant|planned)\b"))
    axe_check(desk)
    # both sides are told by e-mail, with the link to the workspace
    sent_before = len(mailoutbox)
    run_tasks()
    told = [m for m in mailoutbox[sent_before:] if workspace in m.body]
    assert sorted(address for m in told for address in m.to) == sorted([member.email, provider_user.email]), [
        (m.to, m.subject) for m in mailoutbox
    ]
    assert all(company.name in m.subject and PROVIDER in m.subject for m in told)
    # the need is matched now: no longer among the open needs
    desk.goto(reverse("tandem:overview"))
    expect_heading(desk, _i(r"^(Bedarfe und Vorschläge|Needs and suggestions)$"))
    expect(desk.locator(f"article#need-{need.pk}")).to_have_count(0)
    axe_check(desk)

    # 3. The company registers two people for the tandem's online seminar, from the workspace.
    page.reload()
    expect_heading(page, "Digital-Tandem")
    expect(page.locator("ul.need-list > li")).to_contain_text(_i(r"(Tandem vereinbart|tandem agreed)"))
    _check_phone(page)
    page.get_by_role("main").get_by_role("link", name=f"{company.name} + {PROVIDER}").click()
    expect_heading(page, f"{company.name} + {PROVIDER}")
    assert page.url.endswith(workspace), page.url
    _check_phone(page)
    box = page.locator("section:has(#seminar-h)")
    expect(box.get_by_role("link", name=seminar.title)).to_have_attribute("href", seminar.get_absolute_url())
    register = box.get_by_role("link", name=_i(r"(anmelden|Register staff)"))
    expect(register).to_have_attribute("href", reverse("events:register_company", args=[seminar.slug]))
    register.click()
    expect_heading(page, _i(rf"^(.*anmelden|Register staff): {re.escape(seminar.title)}$"))
    _check_phone(page)
    company_select = page.locator("#id_company")
    expect(company_select).to_have_accessible_name(_i(r"^(Betrieb|Company)"))
    expect(company_select.locator("option:checked")).to_have_text(company.name)
    places = page.locator("#id_places")
    expect(places).to_have_accessible_name(_i(r"(Anzahl|Number)"))
    places.fill("2")
    names = page.locator("#id_names")
    expect(names).to_have_accessible_name(_i(r"(Namen|Names)"))
    names.fill("\n".join(PEOPLE))
    page.get_by_role("main").get_by_role("button", name=_i(r"^(Anmelden|Register)$")).click()
    expect_heading(page, _i(r"^(Meine Veranstaltungen|My events)$"))
    expect(_message(page, r"(angemeldet|registered)")).to_be_visible()
    registration = Registration.objects.get(event=seminar, company=company)
    assert (registration.status, registration.places, registration.teacher_id) == (
        Registration.Status.CONFIRMED,
        2,
        member.pk,
    )
    assert registration.names.splitlines() == list(PEOPLE)
    expect(
        page.get_by_role(
            "heading",
            level=2,
            name=_i(r"^(Seminare Ihres Betriebs|Veranstaltungen Ihres Betriebs|Seminars of your company)$"),
        )
    ).to_be_visible()
    card = page.locator(f"article#registration-{registration.pk}")
    expect(card.get_by_role("heading", name=seminar.title)).to_be_visible()
    expect(card).to_contain_text(company.name)
    expect(card).to_contain_text(_i(r"\b2 (Plätze|places)\b"))
    expect(card.get_by_role("status")).to_contain_text(_i(r"(bestätigt|confirmed)"))
    room = card.locator(f'a[href="{seminar.join_url}"]')
    expect(room).to_have_count(1)
    expect(room).to_have_accessible_name(_i(r"(Online-Raum|online room)"))
    _check_phone(page)
    sent_before = len(mailoutbox)
    run_tasks()
    assert any(member.email in m.to and seminar.title in m.subject for m in mailoutbox[sent_before:]), [
        (m.to, m.subject) for m in mailoutbox
    ]
    # the seminar list counts the two places
    page.goto(reverse("tandem:seminars"))
    listed = page.locator("article.card").filter(has=page.get_by_role("link", name=seminar.title))
    expect(listed).to_contain_text(_i(rf"\b2 (von|of) {seminar.capacity}\b"))
    _check_phone(page)

    # 4. Both sides move the tandem on. The company agrees a step with a due date and sets the tandem running.
    page.goto(workspace)
    expect_heading(page, f"{company.name} + {PROVIDER}")
    _check_phone(page)
    due = today + timedelta(days=7)
    step_form = _workspace_form(page, "step")
    step_form.locator("#id_step-title").fill(STEP)
    step_form.locator("#id_step-due").fill(due.isoformat())
    step_form.get_by_role("button").click()
    expect_heading(page, f"{company.name} + {PROVIDER}")
    expect(_message(page, r"(Schritt|step)")).to_be_visible()
    step = Step.objects.get(tandem=tandem)
    assert (step.title, step.due, step.done_at) == (STEP, due, None)
    steps = page.locator("ul.steps > li")
    expect(steps).to_have_count(1)
    expect(steps).to_contain_text(STEP)
    expect(steps).to_contain_text(f"{due:%d.%m.%Y}")
    _check_phone(page)

    status_form = _workspace_form(page, "status")
    status = status_form.locator("#id_status")
    expect(status.locator('option[value="requested"]')).to_have_count(0)
    status.select_option("running")
    status_form.locator("#id_goals").fill("Ein kurzes Video über die Ausbildung für die Karriereseite.")
    status_form.get_by_role("button").click()
    expect(_message(page, r"(Tandem ist gespeichert|tandem is saved)")).to_be_visible()
    expect(_status_line(page)).to_contain_text(_i(r"\b(läuft|running)\b"))
    tandem.refresh_from_db()
    assert tandem.status == Tandem.Status.RUNNING
    _check_phone(page)

    # The provider finds the tandem, notes the meeting, and cannot close it without an outcome.
    provider = new_context(DESKTOP_VIEWPORT).new_page()
    log_in(provider, provider_user.username, demo_password)
    _open_tandem_index(provider)
    axe_check(provider)
    provider.get_by_role("main").get_by_role("link", name=f"{company.name} + {PROVIDER}").click()
    expect_heading(provider, f"{company.name} + {PROVIDER}")
    assert provider.url.endswith(workspace), provider.url
    expect(provider.locator("ul.steps > li")).to_contain_text(STEP)
    expect(
        provider.locator("section:has(#seminar-h)").get_by_role("link", name=_i(r"(anmelden|Register staff)"))
    ).to_have_count(0)
    axe_check(provider)

    note_form = _workspace_form(provider, "note")
    met_on = note_form.locator("#id_note-met_on")
    expect(met_on).to_have_value(
        today.isoformat()
    )  # prefilled with today (an ISO value a date field can show)
    note_form.locator("#id_note-text").fill(NOTE)
    note_form.get_by_role("button").click()
    expect(_message(provider, r"(Notiz|note)")).to_be_visible()
    note = Note.objects.get(tandem=tandem)
    assert (note.text, note.met_on, note.author_id) == (NOTE, today, provider_user.pk)
    notes = provider.locator("article.card").filter(has_text=NOTE)
    expect(notes).to_have_count(1)
    expect(notes).to_contain_text(f"{today:%d.%m.%Y}")
    expect(notes).to_contain_text(provider_user.display_name)
    axe_check(provider)

    status_form = _workspace_form(provider, "status")
    expect(status_form.locator("#id_status")).to_have_value("running")
    status_form.locator("#id_status").select_option("done")
    status_form.get_by_role("button").click()
    expect_heading(provider, f"{company.name} + {PROVIDER}")
    alert = status_form.get_by_role("alert")
    expect(alert).to_contain_text(_i(r"(Beschreiben Sie das Ergebnis|Describe the outcome)"))
    tandem.refresh_from_db()
    assert (tandem.status, tandem.outcome) == (Tandem.Status.RUNNING, "")  # nothing saved
    expect(status_form.locator("#id_status")).to_have_value("done")  # what was chosen stays, to be completed
    # the line under the heading still shows the saved status, not the refused one
    expect(_status_line(provider)).to_contain_text(_i(r"\b(läuft|running)\b"))
    axe_check(provider)

    outcome = status_form.locator("#id_outcome")
    expect(outcome).to_have_accessible_name(_i(r"(Ergebnis|outcome)"))
    outcome.fill(OUTCOME)
    status_form.get_by_role("button").click()
    expect(_message(provider, r"(Tandem ist gespeichert|tandem is saved)")).to_be_visible()
    expect(_status_line(provider)).to_contain_text(_i(r"\b(abgeschlossen|done)\b"))
    expect(_status_line(provider)).to_contain_text(OUTCOME)
    tandem.refresh_from_db()
    assert (tandem.status, tandem.outcome) == (Tandem.Status.DONE, OUTCOME)
    assert tandem.goals.startswith("Ein kurzes Video")  # the company's goals are kept
    axe_check(provider)

    # The company sees the tandem done, with its outcome.
    page.goto(reverse("tandem:index"))
    expect_heading(page, "Digital-Tandem")
    row = (
        page.get_by_role("main")
        .locator("li")
        .filter(has=page.get_by_role("link", name=f"{company.name} + {PROVIDER}"))
    )
    expect(row).to_contain_text(_i(r"\b(abgeschlossen|done)\b"))
    expect(row).to_contain_text(OUTCOME)
    _check_phone(page)
