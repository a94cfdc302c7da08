"""A talk round end to end (issue #5): pupils enter wishes on their phones, staff allocate after the deadline and
publish, a pupil cancels and the seat goes to the waiting list, and at talk time the video room link appears for
the participants only; the company sees the pupil on its talk list.

The talk pages' German translations are being written; texts are matched in German or English.
"""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from einblick.talks.models import AllocationRun, Talk, TalkOffer, TalkRound, TalkWish, WaitlistEntry
from tests.e2e.conftest import (
    DESKTOP_VIEWPORT,
    assert_no_horizontal_scroll,
    axe_check,
    expect_heading,
    log_in,
)
from tests.factories import (
    PASSWORD,
    CompanyFactory,
    MembershipFactory,
    PupilFactory,
    StaffFactory,
)

ROUND_TITLE = "Speed-Dating Ausbildung Emsland"
POPULAR = "Meyer Maschinenbau GmbH"  # online, one seat in a single slot
HARBOUR = "Hafenwerft Leer GmbH"  # on site at a table, plenty of seats
TABLE = "Tisch 7"


def _i(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.I)


def _wish(page, n: int):
    """The select of wish ``n`` (1-based), by its label ("Wunsch 1" / "Wish 1")."""
    return page.get_by_label(re.compile(rf"^\s*(Wunsch|Wish) {n}:?\s*$"))


def _open_mine(page, round):
    page.goto(reverse("talks:mine", args=[round.pk]))
    expect_heading(page, _i(rf"^(Meine Gespräche|My talks): {re.escape(round.title)}$"))
    assert_no_horizontal_scroll(page)
    axe_check(page)


def _plan_entry(page, company: str):
    return page.locator("ul.talk-plan > li").filter(has=page.get_by_text(company, exact=True))


def _enter_wishes(page, round, companies, *, declare_age: bool) -> None:
    _open_mine(page, round)
    for n, company in enumerate(companies, start=1):
        _wish(page, n).select_option(f"c{company.pk}")
    times = page.get_by_role("checkbox").and_(page.locator('input[name="slots"]'))
    expect(times).to_have_count(round.n_slots)
    for n in range(round.n_slots):  # any time suits: every time stays ticked
        expect(times.nth(n)).to_be_checked()
    if declare_age:
        of_age = page.get_by_role("checkbox", name=_i(r"(mindestens|at least) 16"))
        expect(of_age).to_have_attribute("name", "consent-of_age")
        of_age.check()
    else:
        expect(page.locator('input[name="consent-of_age"]')).to_have_count(0)
    page.get_by_role("button", name=_i(r"^(Wünsche speichern|Save wishes)$")).click()
    expect(page.get_by_text(_i(r"Wünsche sind gespeichert|wishes are saved"))).to_be_visible()
    for n, company in enumerate(companies, start=1):
        expect(_wish(page, n)).to_have_value(f"c{company.pk}")
    axe_check(page)


@pytest.mark.django_db(transaction=True)
def test_talk_round_from_wishes_to_video_room(new_context, run_tasks, mailoutbox):
    now = timezone.now()
    round = TalkRound.objects.create(
        title=ROUND_TITLE,
        wish_deadline=now + timedelta(days=1),
        first_slot_at=now + timedelta(days=2),
        slot_minutes=15,
        n_slots=4,
        max_wishes=3,
        status=TalkRound.Status.OPEN,
    )
    popular = CompanyFactory(name=POPULAR)
    harbour = CompanyFactory(name=HARBOUR)
    popular_offer = TalkOffer.objects.create(
        round=round,
        company=popular,
        parallel=1,
        group_size=1,
        available_slots=[0],
        mode=TalkOffer.Mode.ONLINE,
    )
    TalkOffer.objects.create(
        round=round, company=harbour, parallel=2, group_size=1, mode=TalkOffer.Mode.ONSITE, table=TABLE
    )
    lea = PupilFactory(nickname="Lea")  # has not declared her age yet
    mats = PupilFactory(nickname="Mats", consent_age_declared_at=now)
    jannik = PupilFactory(nickname="Jannik", consent_age_declared_at=now)
    staff_user = StaffFactory()
    member = MembershipFactory(company=popular).user
    jitsi = settings.EINBLICK_JITSI_BASE_URL.rstrip("/")

    # 1. Wishes on the phones. Lea wants the popular company first; without ticking her age nothing is saved.
    lea_page = new_context().new_page()
    log_in(lea_page, lea.username, PASSWORD)
    _open_mine(lea_page, round)
    _wish(lea_page, 1).select_option(f"c{popular.pk}")
    lea_page.get_by_role("button", name=_i(r"^(Wünsche speichern|Save wishes)$")).click()
    expect(lea_page.get_by_role("alert").first).to_be_visible()
    assert not TalkWish.objects.filter(pupil=lea).exists()
    axe_check(lea_page)
    _enter_wishes(lea_page, round, [popular, harbour], declare_age=True)
    lea.refresh_from_db()
    assert lea.consent_age_declared_at is not None

    mats_page = new_context().new_page()
    log_in(mats_page, mats.username, PASSWORD)
    _enter_wishes(mats_page, round, [harbour, popular], declare_age=False)
    wishes = TalkWish.objects.filter(round=round).order_by("pupil_id", "rank")
    assert [(w.pupil_id, w.company_id) for w in wishes] == [
        (lea.pk, popular.pk),
        (lea.pk, harbour.pk),
        (mats.pk, harbour.pk),
        (mats.pk, popular.pk),
    ]

    # 2. After the deadline the network office allocates (a background task) and publishes.
    TalkRound.objects.filter(pk=round.pk).update(wish_deadline=timezone.now() - timedelta(minutes=1))
    desk = new_context(DESKTOP_VIEWPORT).new_page()
    log_in(desk, staff_user.username, PASSWORD)
    desk.goto(reverse("talks:manage", args=[round.pk]))
    expect_heading(desk, ROUND_TITLE)
    axe_check(desk)
    desk.locator(f'form[action="{reverse("talks:allocate", args=[round.pk])}"]').get_by_role("button").click()
    expect_heading(desk, ROUND_TITLE)
    expect(desk.get_by_role("status").filter(has_text=_i(r"Letzter Lauf|Last run"))).to_be_visible()
    assert AllocationRun.objects.get(round=round).status == AllocationRun.Status.QUEUED
    axe_check(desk)
    assert run_tasks() >= 1
    assert AllocationRun.objects.get(round=round).status == AllocationRun.Status.DONE
    summary = desk.locator("dl.run-summary")
    try:  # "This page shows its progress": it refreshes itself while the run is queued …
        expect(summary).to_be_visible(timeout=8_000)
    except AssertionError:  # … else a person reloads it
        desk.reload()
        expect(summary).to_be_visible()
    expect_heading(desk, ROUND_TITLE)
    pupils_row = summary.locator("dt").filter(has_text=_i(r"mindestens einem Gespräch|at least one talk"))
    expect(pupils_row).to_be_visible()
    # both pupils get a talk, as many as the proven upper bound allows; 3 of 4 wishes (one seat at Meyer)
    bound = _i(r"\(.*(Obergrenze|obere Schranke|upper bound): 2\)")
    expect(summary.locator("dt + dd").nth(0)).to_have_text(re.compile(r"^\s*2 / 2 \(.*: 2\)\s*$"))
    expect(summary.locator("dt + dd").nth(0)).to_contain_text(bound)
    expect(summary.locator("dt + dd").nth(1)).to_have_text(re.compile(r"^\s*3 / 4 \(.*: 3\)\s*$"))
    # Mats's second wish (Meyer's single seat went to Lea's first wish) is listed with its reason
    missed = desk.get_by_role("main").get_by_role("listitem").filter(has_text="Mats").filter(has_text=POPULAR)
    expect(missed).to_have_count(1)
    axe_check(desk)
    desk.locator(f'form[action="{reverse("talks:publish", args=[round.pk])}"]').get_by_role("button").click()
    expect(desk.get_by_text(_i(r"Plan ist veröffentlicht|plan is published"))).to_be_visible()
    round.refresh_from_db()
    assert round.status == TalkRound.Status.PUBLISHED
    axe_check(desk)
    run_tasks()  # the plan e-mails
    recipients = {address for message in mailoutbox for address in message.to}
    assert {lea.email, mats.email} <= recipients

    # 3. Lea sees her plan: the popular company online, the shipyard at its table.
    _open_mine(lea_page, round)
    lea_talk = _plan_entry(lea_page, POPULAR)
    expect(lea_talk).to_be_visible()
    expect(lea_talk).to_contain_text(_i(r"online"))
    expect(_plan_entry(lea_page, HARBOUR)).to_contain_text(TABLE)

    # Jannik (no wishes) finds the popular company fully booked and joins its waiting list.
    jannik_page = new_context().new_page()
    log_in(jannik_page, jannik.username, PASSWORD)
    _open_mine(jannik_page, round)
    jannik_page.get_by_role("button", name=_i(rf"(Warteliste|waiting list).*{re.escape(POPULAR)}$")).click()
    expect(jannik_page.get_by_text(_i(r"auf der Warteliste|on the waiting list")).first).to_be_visible()
    assert WaitlistEntry.objects.filter(offer=popular_offer, pupil=jannik).exists()
    axe_check(jannik_page)

    # Lea cancels her talk with the popular company: the seat is offered to Jannik at once (and e-mailed).
    lea_talk.get_by_role("button", name=_i(rf"(absagen|cancel).*{re.escape(POPULAR)}$")).click()
    expect(lea_page.get_by_text(_i(r"Gespräch ist abgesagt|talk is cancelled"))).to_be_visible()
    expect(_plan_entry(lea_page, POPULAR)).to_have_count(0)
    expect(_plan_entry(lea_page, HARBOUR)).to_be_visible()
    axe_check(lea_page)
    offered = Talk.objects.get(offer=popular_offer, pupil=jannik)
    assert offered.status == Talk.Status.OFFERED and offered.source == Talk.Source.WAITLIST
    run_tasks()
    assert any(jannik.email in message.to for message in mailoutbox)

    jannik_page.reload()
    expect_heading(jannik_page, _i(rf"^(Meine Gespräche|My talks): {re.escape(round.title)}$"))
    jannik_talk = _plan_entry(jannik_page, POPULAR)
    expect(jannik_talk.get_by_role("status")).to_be_visible()
    axe_check(jannik_page)
    accept_form = jannik_talk.locator(
        f'form[action="{reverse("talks:hold", args=[offered.pk])}"]:has(input[name="accept"])'
    )
    accept_form.get_by_role("button").click()
    expect(jannik_page.get_by_text(_i(r"Gespräch ist gebucht|talk is booked"))).to_be_visible()
    jannik_talk = _plan_entry(jannik_page, POPULAR)
    expect(jannik_talk.get_by_role("status")).to_have_count(0)
    expect(
        jannik_talk.get_by_role("button", name=_i(rf"(absagen|cancel).*{re.escape(POPULAR)}$"))
    ).to_be_visible()
    offered.refresh_from_db()
    assert offered.status == Talk.Status.BOOKED
    assert_no_horizontal_scroll(jannik_page)
    axe_check(jannik_page)

    # 4. Talk time: Jannik's talk starts in 5 minutes, so the video room link is there – for him only.
    TalkRound.objects.filter(pk=round.pk).update(first_slot_at=timezone.now() + timedelta(minutes=5))
    offered.refresh_from_db()
    room = offered.video_url
    assert room.startswith(f"{jitsi}/Einblick-")
    jannik_page.reload()
    video = _plan_entry(jannik_page, POPULAR).get_by_role("link", name=_i(r"video"))
    expect(video).to_be_visible()
    expect(video).to_have_attribute("href", room)
    assert video.get_attribute("href").startswith(jitsi) and "Einblick-" in video.get_attribute("href")
    axe_check(jannik_page)

    _open_mine(mats_page, round)
    expect(_plan_entry(mats_page, HARBOUR)).to_contain_text(TABLE)
    expect(mats_page.locator(f'a[href="{room}"]')).to_have_count(0)
    expect(mats_page.locator(f'a[href^="{jitsi}"]')).to_have_count(0)  # his talk is on site
    _open_mine(lea_page, round)
    expect(lea_page.locator(f'a[href="{room}"]')).to_have_count(0)

    # 5. The company's talk list shows Jannik (and the same room).
    company_desk = new_context(DESKTOP_VIEWPORT).new_page()
    log_in(company_desk, member.username, PASSWORD)
    company_desk.goto(reverse("talks:company", args=[round.pk, popular.pk]))
    expect_heading(company_desk, re.compile(rf"{re.escape(POPULAR)}$"))
    row = company_desk.get_by_role("row").filter(has_text="Jannik")
    expect(row).to_have_count(1)
    expect(row.locator(f'a[href="{room}"]')).to_be_visible()
    expect(company_desk.get_by_role("row").filter(has_text="Lea")).to_have_count(0)
    axe_check(company_desk)
