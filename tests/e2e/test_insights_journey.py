"""The insights end to end (issue #9) in the demo region, whose eight weeks of page views the demo build counts.

The network office (desktop) finds the dashboard from its account: every section with figures, charts named by
their titles; "Jetzt neu zählen" recounts without changing a figure. It switches to the last 90 days, then to one
district (the period line names it, the figures narrow to that district's row of the region table), meets the
German alert for an end before the start (the last 30 days shown, no 500), resets and exports the report: the PDF
opened (title, period, a profession of the page), the XLSX read back (sheets, the visitors of the page, the table by
district cell by cell), the CSV decoded. A count from 1 to 4 is "< 5" on the page and in the workbook, never the
number; after a talk round with 2 no-shows the no-show rate must not give them away. A company member (phone)
opens the company's own figures from its manage page; another company's figures, its exports and the network's
dashboard are 404. axe-core runs on every page visited.
"""

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.db.models import Sum
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from einblick.catalog.models import Company
from einblick.insights import selectors
from einblick.insights.models import DailyStat, Hit, Rollup
from einblick.insights.rollup import rollup
from einblick.talks.models import Talk, TalkRound
from tests.e2e.conftest import (
    DESKTOP_VIEWPORT,
    assert_no_horizontal_scroll,
    axe_check,
    expect_heading,
    field,
    log_in,
)

DASHBOARD = "Einblicke: Was das Netzwerk erreicht hat"
SECTIONS = ("Reichweite", "Aktivität je Säule", "Vom ersten Blick zur Bewerbung", "Angebot und Nachfrage")
VISITORS = "Besuche (je Tag einmal gezählt, aufsummiert)"
VISITORS_XLSX = "Besuche (verschiedene Besucher:innen je Tag, summiert)"
DISTRICT = "Landkreis Leer"
DISTRICT_TABLE = "Reichweite nach Landkreis"
FUNNEL_TABLE = "Der Weg zur Ausbildung, je Beruf"
SHEETS = [  # the sheets the report must have, in this order
    "Bericht",
    "Reichweite",
    "Reichweite nach Landkreis",
    "Aktivität je Säule",
    "Wochenwerte",
    "Weg zur Ausbildung",
    "Weg zur Ausbildung je Beruf",
    "Stark gefragt – wenige Plätze",
    "Viele Plätze – kaum gefragt",
]
SUPPRESSED = "< 5"
NO_SHOW_RATE = "Quote „nicht erschienen“"
COUNT = re.compile(r"^\d{1,3}(\.\d{3})*$")  # German grouping: 12.345


def assert_rate_hidden(rate: str) -> None:
    assert rate == "–", f"no-show rate shown as {rate!r} next to a suppressed number of no-shows"


def _count(text: str) -> int:
    assert COUNT.match(text), f"not a count: {text!r}"
    return int(text.replace(".", ""))


def _weeks(start, end) -> tuple:
    """Monday of the first week to Sunday of the last (the dashboard shows whole weeks)."""
    return start - timedelta(days=start.weekday()), end + timedelta(days=6 - end.weekday())


def _period(start, end) -> str:
    return f"{start:%d.%m.%Y} – {end:%d.%m.%Y}"


def _period_line(page):
    """The line under the filters: period, district (if chosen), as-of time of the figures."""
    return page.get_by_role("main").locator("p.meta").filter(has_text=re.compile(r"^\s*Zeitraum: "))


def _facts(page) -> dict[str, str]:
    """The reach facts (``dl.facts`` of the section "Reichweite") as {term: value}."""
    return page.locator("section[aria-labelledby='reach-h'] dl.facts").evaluate(
        """dl => Object.fromEntries([...dl.querySelectorAll('dt')].map(
            dt => [dt.textContent.trim(), dt.nextElementSibling.textContent.trim()]))"""
    )


def _table(page, caption: str) -> tuple[list[str], list[list[str]]]:
    """Header and body rows (texts) of the table named by its caption."""
    table = page.get_by_role("table", name=caption, exact=True)
    expect(table).to_have_count(1)
    header = [t.strip() for t in table.locator("thead th").all_inner_texts()]
    rows = table.locator("tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.cells].map(c => c.textContent.trim()))"
    )
    return header, rows


def _charts(page) -> list[dict]:
    """Every chart in the main content: its aria-labelledby ids and the texts they point to."""
    return (
        page.get_by_role("main")
        .locator("svg[role='img']")
        .evaluate_all(
            """svgs => svgs.map(svg => {
            const ids = (svg.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
            const parts = ids.map(id => document.getElementById(id));
            return {ids, tags: parts.map(el => el && el.tagName.toLowerCase()),
                    texts: parts.map(el => el ? el.textContent.trim() : null)};
        })"""
        )
    )


def _check_charts(page, at_least: int) -> None:
    charts = _charts(page)
    assert len(charts) >= at_least, charts
    ids = [i for chart in charts for i in chart["ids"]]
    assert len(ids) == len(set(ids)), "chart ids repeat on the page"
    for chart in charts:
        assert chart["ids"] and chart["tags"][0] == "title" and chart["texts"][0], chart


def _sheet_rows(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _as_page(value) -> str:
    """A workbook value as the page shows it (12345 → "12.345")."""
    return f"{value:,}".replace(",", ".") if isinstance(value, int) else str(value)


def _download(page, link_name: str):
    with page.expect_download() as info:
        page.get_by_role("main").get_by_role("link", name=link_name, exact=True).click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


@pytest.mark.django_db(transaction=True)
def test_dashboard_period_district_exports_and_company_figures(
    page, new_context, demo, demo_password, run_tasks
):
    today = timezone.localdate()
    assert Hit.objects.exists() and DailyStat.objects.filter(metric="visitors").exists()  # the demo counted

    # 1. The network office opens the dashboard from its account: every section, figures, named charts.
    desk = new_context(DESKTOP_VIEWPORT).new_page()
    log_in(desk, "netzwerk", demo_password)
    desk.get_by_role("main").get_by_role("link", name="Einblicke und Berichte").click()
    expect_heading(desk, DASHBOARD)
    expect(desk).to_have_url(re.compile(r"/einblicke/$"))
    for name in SECTIONS:
        expect(desk.get_by_role("region", name=name)).to_be_visible()
        expect(desk.get_by_role("heading", level=2, name=name)).to_be_visible()
    month = _weeks(today - timedelta(days=29), today)  # periods are shown in whole weeks
    expect(_period_line(desk)).to_contain_text(f"Zeitraum: {_period(*month)}")
    expect(_period_line(desk)).to_contain_text("Stand der Zahlen:")
    header, districts = _table(desk, DISTRICT_TABLE)
    assert header == ["Landkreis", "Besuche", "Neue Schülerkonten"]
    assert any(row[0] == DISTRICT and COUNT.match(row[1]) for row in districts), districts
    month_visitors = _count(_facts(desk)[VISITORS])
    assert month_visitors > 0
    _check_charts(desk, at_least=8)  # districts, weeks, five pillars, the funnel
    expect(
        desk.get_by_role("region", name="Reichweite").get_by_role(
            "img", name=re.compile(r"^Besuche nach Landkreis")
        )
    ).to_be_visible()
    expect(
        desk.get_by_role("region", name="Vom ersten Blick zur Bewerbung").get_by_role(
            "img", name=re.compile(r"^Der Weg zur Ausbildung")
        )
    ).to_be_visible()
    axe_check(desk)
    # "Recount now" queues a rollup; run by the worker it adds a count run and changes no figure (idempotent)
    runs = Rollup.objects.count()
    desk.get_by_role("button", name="Jetzt neu zählen").click()
    expect_heading(desk, DASHBOARD)
    expect(desk.locator(".messages").get_by_text("Die Zahlen werden neu gezählt")).to_be_visible()
    assert run_tasks() >= 1
    assert Rollup.objects.count() == runs + 1
    desk.reload()
    expect_heading(desk, DASHBOARD)
    assert _count(_facts(desk)[VISITORS]) == month_visitors
    assert _table(desk, DISTRICT_TABLE)[1] == districts
    axe_check(desk)

    # 2. The last 90 days, then one district: the period line says so and the figures narrow.
    filters = desk.get_by_role("form", name="Zeitraum wählen")
    field(filters, "Zeitraum").select_option(label="letzte 90 Tage")
    filters.get_by_role("button", name="Anzeigen").click()
    expect(desk).to_have_url(re.compile(r"[?&]zeitraum=90\b"))
    quarter = _weeks(today - timedelta(days=89), today)
    expect(_period_line(desk)).to_contain_text(f"Zeitraum: {_period(*quarter)}")
    expect(_period_line(desk)).not_to_contain_text(DISTRICT)
    region_visitors = _count(_facts(desk)[VISITORS])
    assert region_visitors > month_visitors  # the demo's eight weeks reach back beyond 30 days
    region_funnel = _table(desk, FUNNEL_TABLE)
    _, region_districts = _table(desk, DISTRICT_TABLE)
    axe_check(desk)

    expect(field(filters, "Zeitraum")).to_have_value("90")  # the choice stays
    field(filters, "Landkreis").select_option(label=DISTRICT)
    filters.get_by_role("button", name="Anzeigen").click()
    expect(desk).to_have_url(re.compile(r"[?&]kreis=\d+"))
    expect(_period_line(desk)).to_contain_text(f"Zeitraum: {_period(*quarter)} · {DISTRICT}")
    expect(field(filters, "Landkreis").locator("option:checked")).to_have_text(DISTRICT)
    district_visitors = _count(_facts(desk)[VISITORS])
    assert 0 < district_visitors < region_visitors
    # the district's visitors are its row in the (always region-wide) table by district
    leer = next(row for row in region_districts if row[0] == DISTRICT)
    assert _count(leer[1]) == district_visitors, (leer, district_visitors)
    assert _table(desk, FUNNEL_TABLE) != region_funnel  # the way to an apprenticeship narrows too
    _check_charts(desk, at_least=8)
    axe_check(desk)

    # 3. An impossible period (end before start): the German alert, the last 30 days, what was typed stays.
    response = desk.goto("/einblicke/?von=2027-01-10&bis=2026-01-01")
    assert response is not None and response.status == 200
    expect_heading(desk, DASHBOARD)
    filters = desk.get_by_role("form", name="Zeitraum wählen")
    expect(filters.get_by_role("alert")).to_contain_text("Bitte prüfen Sie Ihre Eingabe.")
    expect(filters).to_contain_text("Das Ende darf nicht vor dem Anfang liegen.")
    expect(field(filters, "Von")).to_have_value("2027-01-10")
    expect(field(filters, "Bis")).to_have_value("2026-01-01")
    expect(_period_line(desk)).to_contain_text(f"Zeitraum: {_period(*month)}")
    assert _count(_facts(desk)[VISITORS]) == month_visitors
    axe_check(desk)

    # 4. Reset, the last 90 days of the whole region again, and the exports of just that.
    filters.get_by_role("link", name="Filter zurücksetzen").click()
    expect(desk).to_have_url(re.compile(r"/einblicke/$"))
    expect(filters.get_by_role("alert")).to_have_count(0)
    field(filters, "Zeitraum").select_option(label="letzte 90 Tage")
    filters.get_by_role("button", name="Anzeigen").click()
    expect(_period_line(desk)).to_contain_text(f"Zeitraum: {_period(*quarter)}")
    assert _count(_facts(desk)[VISITORS]) == region_visitors
    funnel_header, funnel_rows = _table(desk, FUNNEL_TABLE)
    assert (funnel_header, funnel_rows) == region_funnel
    assert funnel_rows and funnel_header[0] == "Beruf", funnel_rows
    axe_check(desk)
    stem = f"einblick-bericht-{quarter[0]:%Y-%m-%d}-bis-{quarter[1]:%Y-%m-%d}"

    name, pdf = _download(desk, "Bericht als PDF")
    assert name == f"{stem}.pdf" and pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata.title.startswith("Bericht")
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    text = text.replace(" - ", " – ")  # without a Unicode font the dash is transliterated
    assert "Bericht Einblick" in text, text[:300]
    assert f"Zeitraum: {_period(*quarter)}" in text and "Landkreis: gesamte Region" in text
    assert "Reichweite" in text and "Weg zur Ausbildung" in text
    assert f"{region_visitors:,}".replace(",", ".") in text
    profession = min((row[0] for row in funnel_rows[:10]), key=len)  # short: a table cell may wrap long ones
    assert profession in text, (profession, text[:2000])

    name, xlsx = _download(desk, "Tabellen als Excel (XLSX)")
    assert name == f"{stem}.xlsx"
    book = load_workbook(io.BytesIO(xlsx))
    assert book.sheetnames[0] == "Bericht"
    assert [n for n in book.sheetnames if n in SHEETS] == SHEETS, book.sheetnames  # more may follow
    front = {row[0]: row[1] for row in _sheet_rows(book["Bericht"]) if row[0]}
    assert front["Zeitraum"] == _period(*quarter) and front["Landkreis"] == "gesamte Region", front
    reach = {row[0]: row[1] for row in _sheet_rows(book["Reichweite"])[1:]}
    assert reach[VISITORS_XLSX] == region_visitors  # the number on the page, as a number
    sheet_districts = [
        [_as_page(v) for v in row] for row in _sheet_rows(book["Reichweite nach Landkreis"])[1:]
    ]
    assert sheet_districts == region_districts
    professions = _sheet_rows(book["Weg zur Ausbildung je Beruf"])
    assert [row[0] for row in professions[1:]] == [row[0] for row in funnel_rows]

    csv_link = desk.get_by_role("main").get_by_role("link", name="Tabellen als CSV", exact=True)
    answer = desk.request.get(csv_link.get_attribute("href"))
    assert answer.status == 200 and answer.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(answer.body().decode("utf-8-sig")), delimiter=";"))
    assert ["Bericht", "Zeitraum", _period(*quarter)] in [line[:3] for line in lines], lines[:4]
    assert any(line[:2] == ["Weg zur Ausbildung je Beruf", profession] for line in lines)

    # 5. Small counts: a "< 5" of the way to an apprenticeship is "< 5" in the workbook too, never the number.
    def first_small(rows):
        return next(
            ((r, c) for r, row in enumerate(rows) for c, cell in enumerate(row) if cell == SUPPRESSED), None
        )

    found = first_small(funnel_rows)
    if found is None:  # the demo's eight weeks gave none: a rare profession gets two application contacts
        contacts = funnel_header.index("Bewerbungskontakt")
        row = next(r for r, row in enumerate(funnel_rows) if row[contacts] == "0")
        pid = next(
            r.profession_id
            for r in selectors.funnel(selectors.Period(*quarter))[1]
            if r.name == funnel_rows[row][0]
        )
        now = timezone.now()
        Hit.objects.bulk_create(
            Hit(at=now - timedelta(minutes=n), kind="contact", profession_id=pid, visitor=f"rare{n}")
            for n in (1, 2)
        )
        rollup(first=today, last=today)
        desk.reload()
        funnel_header, funnel_rows = _table(desk, FUNNEL_TABLE)
        found = first_small(funnel_rows)
        assert found is not None, funnel_rows
        _, xlsx = _download(desk, "Tabellen als Excel (XLSX)")
        professions = _sheet_rows(load_workbook(io.BytesIO(xlsx))["Weg zur Ausbildung je Beruf"])
    r, c = found
    small_row = funnel_rows[r]
    assert professions[0][c] == funnel_header[c]  # the same column
    sheet_row = next(row for row in professions[1:] if row[0] == small_row[0])
    assert sheet_row[c] == SUPPRESSED, (small_row, sheet_row)
    # the count behind it is really from 1 to 4, and shown nowhere in that row
    keys = [key for key, _label in selectors.FUNNEL_STEPS]
    counted = next(row for row in selectors.funnel(selectors.Period(*quarter))[1] if row.name == small_row[0])
    real = counted.steps[keys[c - 1]]
    assert 1 <= real <= 4, counted
    assert str(real) not in small_row[1:] and real not in sheet_row[1:], (real, small_row, sheet_row)
    assert not any(isinstance(v, int) and 0 < v < 5 for v in sheet_row[1:]), sheet_row

    # A talk round held: 10 talks, 2 no-shows. The no-shows are "< 5" - and the no-show rate must not give them away.
    talks = list(
        Talk.objects.filter(status=Talk.Status.BOOKED).order_by("pk").values_list("pk", "round_id")[:12]
    )
    assert len(talks) == 12
    TalkRound.objects.filter(pk__in={round_id for _pk, round_id in talks}).update(
        first_slot_at=timezone.now() - timedelta(days=2)
    )
    Talk.objects.filter(pk__in=[pk for pk, _round in talks[:10]]).update(status=Talk.Status.ATTENDED)
    Talk.objects.filter(pk__in=[pk for pk, _round in talks[10:]]).update(status=Talk.Status.NO_SHOW)
    rollup(first=today - timedelta(days=7), last=today)
    desk.reload()
    expect_heading(desk, DASHBOARD)
    talk_figures = dict(_table(desk, "Gespräche: Zahlen im Zeitraum")[1])
    assert talk_figures["geführte Gespräche"] == "10" and talk_figures["nicht erschienen"] == SUPPRESSED, (
        talk_figures
    )
    # no rate while the no-shows are "< 5" ("10 held, < 5 no-shows, 17 %" would reveal 2)
    assert_rate_hidden(talk_figures[NO_SHOW_RATE])
    axe_check(desk)

    # 6. A company member on a phone: the company's own figures from its manage page; nobody else's.
    log_in(page, "betrieb", demo_password)
    company = Company.objects.get(memberships__user__username="betrieb")
    expect(page.get_by_role("heading", level=2, name="Meine Betriebe")).to_be_visible()
    page.get_by_role("main").get_by_role("link", name=company.name, exact=True).click()
    expect_heading(page, company.name)
    assert_no_horizontal_scroll(page)
    axe_check(page)
    page.get_by_role("main").get_by_role("link", name="Ihre Zahlen").click()
    expect_heading(page, f"Zahlen von {company.name}")
    expect(page).to_have_url(re.compile(rf"/einblicke/betrieb/{re.escape(company.slug)}/$"))
    expect(_period_line(page)).to_contain_text(f"Zeitraum: {_period(*month)}")
    expect(page.get_by_role("main").get_by_role("combobox", name=re.compile("Landkreis"))).to_have_count(0)
    _, figures = _table(page, "Ihre Zahlen im Zeitraum")
    own = dict(figures)
    views = DailyStat.objects.filter(
        metric="view_company", company_id=company.pk, day__range=month
    ).aggregate(n=Sum("value"))["n"]
    assert views and own["Aufrufe der Betriebsseite"] == (SUPPRESSED if views < 5 else _as_page(views)), own
    everyone = DailyStat.objects.filter(metric="view_company", day__range=month).aggregate(n=Sum("value"))[
        "n"
    ]
    assert views < everyone  # only its own views
    _check_charts(page, at_least=2)
    assert_no_horizontal_scroll(page)
    axe_check(page)
    own_pdf = page.request.get(f"/einblicke/betrieb/{company.slug}/bericht.pdf")
    assert own_pdf.status == 200 and own_pdf.headers["content-type"] == "application/pdf"
    assert company.name in " ".join(p.extract_text() for p in PdfReader(io.BytesIO(own_pdf.body())).pages)

    other = (
        Company.objects.exclude(pk=company.pk).filter(status=Company.Status.APPROVED).order_by("pk").first()
    )
    for url in (
        f"/einblicke/betrieb/{other.slug}/",
        f"/einblicke/betrieb/{other.slug}/bericht.xlsx",
        "/einblicke/",
        "/einblicke/bericht.pdf",
    ):
        response = page.goto(url)
        assert response is not None and response.status == 404, (url, response and response.status)
    expect(page.get_by_text(other.name)).to_have_count(0)
    axe_check(page)  # the page "not found"
