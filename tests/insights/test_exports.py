"""Insights exports (issue #9, items 5 and 6): the report as CSV, XLSX and PDF, for the network and for one company;
small counts appear only as "< 5", formula-like names stay harmless text, a company sees only its own figures."""

import csv
import io
import re
import zipfile
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook
from pypdf import PdfReader

from einblick.catalog.models import Company
from einblick.insights import exports, selectors
from einblick.insights.models import Hit
from einblick.insights.rollup import rollup
from tests.factories import CompanyFactory, OfferFactory, PlaceFactory, ProfessionFactory

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil.example/","klick")'
SMALL = 3  # a real small count that must never appear


def _hits(n, *, day, kind="profession", profession=None, company=None, district=""):
    at = datetime.combine(day, time(10), tzinfo=timezone.get_current_timezone())
    Hit.objects.bulk_create(
        Hit(
            at=at,
            kind=kind,
            profession_id=getattr(profession, "pk", None),
            company_id=getattr(company, "pk", None),
            district=district,
            visitor=f"v{i:015d}",
        )
        for i in range(n)
    )


@pytest.fixture
def data(settings):
    settings.EINBLICK = {**settings.EINBLICK, "INSIGHTS_RAW_DAYS": 21, "NETWORK_NAME": "Netzwerk Ems-Achse"}
    today = timezone.localdate()
    PlaceFactory.town(0)  # Landkreis Emsland, 03454
    PlaceFactory.town(2)  # Landkreis Leer, 03457
    mech = ProfessionFactory(name="Mechatroniker:in")
    evil = ProfessionFactory(name=EVIL, slug="evil")
    OfferFactory(profession=evil, places=9)
    own = CompanyFactory(name="Tischlerei Ohnesorg GmbH")
    other = CompanyFactory(name="Konkurrenz Holz AG")
    _hits(20, day=today, kind="check", profession=mech, district="03454")
    _hits(12, day=today, profession=mech, district="03454")
    _hits(SMALL, day=today, kind="contact", profession=mech, company=own, district="03454")
    _hits(7, day=today, profession=evil, district="03457")
    _hits(9, day=today, kind="company", company=own)
    _hits(31, day=today, kind="company", company=other)
    rollup(first=today - timedelta(days=6), last=today)
    period = selectors.Period(today - timedelta(days=6), today)
    return {
        "period": period,
        "report": selectors.report(period),
        "company_report": selectors.company_report(period, Company.objects.get(pk=own.pk)),
        "contact_label": exports.german(selectors.FUNNEL_STEPS[-1][1]),
    }


def _period_text(period):
    return f"{period.start:%d.%m.%Y} – {period.end:%d.%m.%Y}"


def _cells(book):
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            yield from row


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_tables_are_german_and_suppressed(data):
    tables = {t.key: t for t in exports.tables(data["report"])}
    assert [t.title for t in tables.values()] == [
        "Reichweite",
        "Reichweite nach Landkreis",
        "Aktivität je Säule",
        "Wochenwerte",
        "Weg zur Ausbildung",
        "Weg zur Ausbildung je Beruf",
        "Weg zur Ausbildung je Woche",
        "Stark gefragt – wenige Plätze",
        "Viele Plätze – kaum gefragt",
    ]
    professions = {row[0]: row[1:] for row in tables["funnel_professions"].rows}
    assert professions["Mechatroniker:in"] == [20, 12, 0, 0, "< 5"]
    assert tables["funnel"].rows[-1] == [data["contact_label"], "< 5", ""]
    assert tables["funnel"].rows[1][2] == 95  # 19 profession page views of 20 entries
    assert tables["wanted"].rows[0] == ["Mechatroniker:in", 32, 0, 0]
    assert [EVIL, 7, 9, 1] in tables["unseen"].rows
    districts = {row[0]: row[1:] for row in tables["districts"].rows}
    assert districts["Landkreis Emsland"] == [20, 0] and districts["Landkreis Leer"] == [7, 0]
    assert tables["weekly"].header[:3] == ["Woche ab", "Besuche", "neue Schülerkonten"]
    # every label is a plain str in German, nothing lazy, no English message id
    for table in tables.values():
        for value in [*table.header, *(v for row in table.rows for v in row)]:
            assert type(value) in (str, int) or hasattr(value, "isoformat")
    with translation.override("en"):  # whatever the request's language, the documents are German
        activity = {row[1] for row in exports.tables(data["report"])[2].rows}
    assert "gebuchte Gespräche" in activity and "talks booked" not in activity


def test_xlsx_reads_back_with_numbers_text_and_no_small_count(data):
    content = exports.report_xlsx(data["report"])
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == [
        "Bericht",
        "Reichweite",
        "Reichweite nach Landkreis",
        "Aktivität je Säule",
        "Wochenwerte",
        "Weg zur Ausbildung",
        "Weg zur Ausbildung je Beruf",
        "Weg zur Ausbildung je Woche",
        "Stark gefragt – wenige Plätze",
        "Viele Plätze – kaum gefragt",
    ]
    front = [value for row in book["Bericht"].iter_rows(values_only=True) for value in row if value]
    assert "Bericht Einblick – Netzwerk Ems-Achse" in front
    assert _period_text(data["period"]) in front and "gesamte Region" in front
    assert any("„< 5“" in str(v) and "nach 21 Tagen gelöscht" in str(v) for v in front)
    assert any(str(v).endswith(" Uhr") for v in front)  # as-of time of the figures

    sheet = book["Weg zur Ausbildung je Beruf"]
    header = [c.value for c in sheet[1]]
    assert header[0] == "Beruf" and header[-1] == data["contact_label"]
    assert all(c.font.b for c in sheet[1]) and sheet.freeze_panes == "A2"
    rows = {row[0]: row[1:] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["Mechatroniker:in"] == (20, 12, 0, 0, "< 5")
    assert isinstance(rows["Mechatroniker:in"][1], int)
    assert sheet.column_dimensions["A"].width >= len(EVIL)

    weeks = book["Wochenwerte"]
    assert weeks["A1"].value == "Woche ab" and isinstance(weeks["A2"].value, datetime)

    # the real small count appears nowhere, as a number or as text of its own
    assert not [c.coordinate for c in _cells(book) if c.value == SMALL or c.value == str(SMALL)]
    assert any(c.value == "< 5" for c in _cells(book))


def test_xlsx_keeps_a_formula_like_name_as_text(data):
    content = exports.report_xlsx(data["report"])
    book = load_workbook(io.BytesIO(content))
    evil = [c for c in _cells(book) if c.value == EVIL]
    assert evil and all(c.data_type == "s" and c.quotePrefix for c in evil)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheets = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert not any(b"<f>" in xml or b"<f " in xml for xml in sheets)


def test_csv_parses_back_with_every_table_and_guards_formulas(data):
    content = exports.report_csv(data["report"])
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Tabelle", "Spalte 1", "Spalte 2"]
    assert len({len(row) for row in rows}) == 1  # one rectangular table, no empty rows
    meta = {row[1]: row[2] for row in rows if row[0] == "Bericht"}
    assert meta["Zeitraum"] == _period_text(data["period"]) and meta["Landkreis"] == "gesamte Region"
    professions = [row[1:] for row in rows if row[0] == "Weg zur Ausbildung je Beruf"]
    assert professions[0][0] == "Beruf"  # the table's own header row comes first
    mech = next(r for r in professions if r[0] == "Mechatroniker:in")
    assert mech[:6] == ["Mechatroniker:in", "20", "12", "0", "0", "< 5"]
    assert any(row[1] == "'" + EVIL for row in rows if row[0] == "Viele Plätze – kaum gefragt")
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)
    assert not any(cell == str(SMALL) for row in rows for cell in row)
    weeks = [row for row in rows if row[0] == "Wochenwerte"]
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4}", weeks[1][1])


def test_pdf_has_title_period_professions_and_no_small_count(data):
    content = exports.report_pdf(data["report"])
    assert content.startswith(b"%PDF")
    text = _pdf_text(content)
    assert "Bericht Einblick" in text and "Netzwerk Ems-Achse" in text
    assert _period_text(data["period"]) in text and "gesamte Region" in text
    assert "Mechatroniker:in" in text and "< 5" in text and "Landkreis Emsland" in text
    assert "nach 21 Tagen gelöscht" in text
    label = re.escape(data["contact_label"])
    assert re.search(label + r"\s*< 5", text)
    assert not re.search(label + rf"\s*{SMALL}\b", text)


def test_report_for_a_district_names_it(data):
    period = data["period"]
    report = selectors.report(selectors.Period(period.start, period.end, "03454"))
    assert "Landkreis: Landkreis Emsland" in _pdf_text(exports.report_pdf(report))
    book = load_workbook(io.BytesIO(exports.report_xlsx(report)))
    assert "Landkreis Emsland" in [c.value for c in _cells(book)]
    assert exports.filename(report, "pdf") == (
        f"einblick-bericht-03454-{period.start:%Y-%m-%d}-bis-{period.end:%Y-%m-%d}.pdf"
    )


def test_company_exports_hold_only_its_own_figures(data):
    company_report = data["company_report"]
    tables = {t.key: t for t in exports.company_tables(company_report)}
    figures = {row[0]: row[1] for row in tables["company"].rows}
    assert figures[exports.german(selectors.COMPANY_METRICS[0][1])] == 9
    assert figures[exports.german(selectors.COMPANY_METRICS[2][1])] == "< 5"

    book = load_workbook(io.BytesIO(exports.company_xlsx(company_report)))
    assert book.sheetnames == ["Bericht", "Kennzahlen des Betriebs", "Aufrufe je Woche"]
    values = [c.value for c in _cells(book)]
    assert "Tischlerei Ohnesorg GmbH" in values and 9 in values
    assert 31 not in values and SMALL not in values
    assert not any("Konkurrenz" in str(v) for v in values)

    text = exports.company_csv(company_report).decode("utf-8-sig")
    assert "Tischlerei Ohnesorg GmbH" in text and "Konkurrenz" not in text and ";31" not in text
    assert "Mechatroniker" not in text  # no network-wide figures

    pdf = _pdf_text(exports.company_pdf(company_report))
    assert "Tischlerei Ohnesorg GmbH" in pdf and "Konkurrenz" not in pdf and "< 5" in pdf
    assert not re.search(rf"Bewerbungskontakte?\s*{SMALL}\b", pdf)


def test_company_with_a_formula_like_name(data):
    company = CompanyFactory(name="=cmd|' /C calc'!A0")
    report = selectors.company_report(data["period"], company)
    rows = list(csv.reader(io.StringIO(exports.company_csv(report).decode("utf-8-sig")), delimiter=";"))
    assert next(row for row in rows if row[1] == "Betrieb")[:3] == [
        "Bericht",
        "Betrieb",
        "'=cmd|' /C calc'!A0",
    ]
    book = load_workbook(io.BytesIO(exports.company_xlsx(report)))
    cell = next(c for c in _cells(book) if c.value == "=cmd|' /C calc'!A0")
    assert cell.data_type == "s"


def test_empty_period_exports_without_data():
    today = timezone.localdate()
    report = selectors.report(selectors.Period(today, today))
    assert _pdf_text(exports.report_pdf(report)).count("Keine Daten im Zeitraum") >= 1
    assert load_workbook(io.BytesIO(exports.report_xlsx(report))).sheetnames[0] == "Bericht"
    assert exports.report_csv(report).startswith("\ufeff".encode())


def test_sheet_names_are_valid_and_unique():
    used = {"bericht"}
    assert exports.sheet_name("Bericht", used) == "Bericht (2)"
    name = exports.sheet_name("Besuche [je] Woche: A/B? *C* \\ " + "x" * 40, used)
    assert len(name) <= 31 and not set(name) & set("[]:*?/\\")
    again = exports.sheet_name("Besuche [je] Woche: A/B? *C* \\ " + "x" * 40, used)
    assert again != name and len(again) <= 31
