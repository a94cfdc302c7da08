"""The insights report for funders (issue #9, items 5 and 6) as CSV, XLSX and PDF, for the whole network
(``report_*``, from ``selectors.report``) and for one company (``company_*``, from ``selectors.company_report``).
German only, like the other printed material.

Everything starts from the already suppressed figures of the selectors: a value ``None`` is a count from 1 to 4 and
appears as the text "< 5" in every table, sheet and chart; the real number never reaches an export. Only
aggregates are exported, no pupil, no raw page view.

* ``tables(report)`` / ``company_tables(company_report)``: the underlying tables (``Table``: key, title, German
  header, rows of ``int``, ``str`` ("< 5" for a suppressed count) or ``date`` (weeks)). The three formats are
  written from these tables (the PDF adds charts drawn from the report itself).
* ``report_csv`` / ``company_csv``: one CSV for German Excel (see ``core.spreadsheet``), every table in it, see
  ``write_csv`` for the layout.
* ``report_xlsx`` / ``company_xlsx``: a workbook with a first sheet "Bericht" (title, period, district or company,
  as-of time of the figures, privacy note) and one sheet per table.
* ``report_pdf`` / ``company_pdf``: a printable A4 report (``core.pdf.Document``) with horizontal bar charts drawn
  natively (suppressed counts as hatched grey stubs labelled "< 5").

Labels from the selectors are lazy translations; they are rendered in German (``german``), whatever language the
request has.
"""

import dataclasses
import io
from collections.abc import Callable
from datetime import date, datetime

from django.conf import settings
from django.utils import timezone, translation

from einblick.core.pdf import Document
from einblick.core.spreadsheet import to_csv

from . import selectors
from .charts import SUPPRESSED_TEXT, Bar, bar_layout, format_count, format_percent, funnel_layout

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
WHOLE_REGION = "gesamte Region"
NO_RATE = "–"  # the no-show rate of fewer than 5 talks is not computed (a rate, not a count: not "< 5")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def german(label) -> str:
    """A label of the selectors (a lazy translation) as German text."""
    with translation.override("de"):
        return str(label)


def _value(value: int | None):
    """A count as it goes into a table: the number, or "< 5" when suppressed."""
    return SUPPRESSED_TEXT if value is None else value


def _day(value: date) -> str:
    return f"{value:%d.%m.%Y}"


# --------------------------------------------------------------------------------------------------- the tables


@dataclasses.dataclass
class Table:
    key: str
    title: str
    header: list[str]
    rows: list[list] = dataclasses.field(default_factory=list)


def period_text(period: selectors.Period) -> str:
    return f"{_day(period.start)} – {_day(period.end)}"


def district_text(report: dict) -> str:
    period = report["period"]
    if not period.district:
        return WHOLE_REGION
    return str(report.get("district_name") or period.district)


def rollup_text(rollup) -> str:
    if rollup is None:
        return "noch nicht ausgewertet"
    return f"{timezone.localtime(rollup.finished_at):%d.%m.%Y, %H:%M} Uhr"


def network_name() -> str:
    return settings.EINBLICK["NETWORK_NAME"] or settings.EINBLICK["SITE_NAME"]


def document_title() -> str:
    return f"Bericht {settings.EINBLICK['SITE_NAME']}"


def privacy_note() -> str:
    days = settings.EINBLICK["INSIGHTS_RAW_DAYS"]
    return (
        "Alle Angaben sind Summen ohne Bezug zu einzelnen Personen. Zahlen unter 5 werden als „< 5“ angegeben; "
        f"Rohdaten (einzelne Seitenaufrufe) werden nach {days} Tagen gelöscht, danach bleiben nur Tageswerte."
    )


REACH = [
    ("visitors", "Besuche (verschiedene Besucher:innen je Tag, summiert)"),
    ("pupils_new", "neue Schülerkonten"),
    ("checks_saved", "gespeicherte Interessenchecks"),
    ("classes", "teilnehmende Klassen"),
    ("schools", "teilnehmende Schulen"),
]
NO_SHOW_RATE = "Quote „nicht erschienen“ in %"


def _rate(value: int | None):
    return NO_RATE if value is None else value


def _percent(value: int | None, first: int | None):
    """The share of the first funnel step in whole percent (half up), "< 1" for a tiny one, "" if unknown."""
    if value is None or not first or first <= 0:
        return ""
    percent = max(value, 0) / first * 100
    return "< 1" if 0 < percent < 1 else int(percent + 0.5)


def _pillar_rows(pillar: dict, district: bool) -> list[tuple[str, int | None, bool]]:
    return [(german(m["label"]), m["value"], district and m["regional"]) for m in pillar["metrics"]]


def _supply_table(key: str, title: str, rows) -> Table:
    return Table(
        key,
        title,
        ["Beruf", "Interesse", "offene Plätze", "Angebote"],
        [[str(name), _value(interest), places, offers] for name, interest, places, offers in rows],
    )


def tables(report: dict) -> list[Table]:
    """The underlying tables of ``selectors.report(period)``, in the order of the report."""
    reach = report["reach"]
    reach_table = Table(
        "reach", "Reichweite", ["Kennzahl", "Wert"], [[label, _value(reach[key])] for key, label in REACH]
    )
    districts = Table(
        "districts",
        "Reichweite nach Landkreis",
        ["Landkreis", "Besuche", "neue Schülerkonten"],
        [[german(name), _value(visitors), _value(pupils)] for name, visitors, pupils in reach["by_district"]],
    )
    activity = Table("activity", "Aktivität je Säule", ["Säule", "Kennzahl", "Wert", "nur Region gesamt"])
    for pillar in report["pillars"]:
        title = german(pillar["title"])
        for metric in pillar["metrics"]:
            activity.rows.append(
                [
                    title,
                    german(metric["label"]),
                    _value(metric["value"]),
                    "ja" if metric["regional"] else "nein",
                ]
            )
        if pillar["key"] == "talks":
            activity.rows.append([title, NO_SHOW_RATE, _rate(report.get("no_show_rate")), "nein"])

    weekly_columns = [("Besuche", reach["visitors_weekly"]), ("neue Schülerkonten", reach["pupils_weekly"])]
    for pillar in report["pillars"]:
        title = german(pillar["title"])
        weekly_columns += [(f"{title}: {german(m['label'])}", m["weekly"]) for m in pillar["metrics"]]
    weeks = Table("weekly", "Wochenwerte", ["Woche ab"] + [name for name, _ in weekly_columns])
    by_week: dict[date, list] = {}
    for column, (_, series) in enumerate(weekly_columns):
        for week, value in series:
            by_week.setdefault(week, [0] * len(weekly_columns))[column] = _value(value)
    weeks.rows = [[week, *values] for week, values in sorted(by_week.items())]

    funnel = report["funnel"]
    first = funnel["steps"][0][1] if funnel["steps"] else None
    steps = [german(label) for label, _ in funnel["steps"]]
    funnel_table = Table(
        "funnel",
        "Weg zur Ausbildung",
        ["Schritt", "Anzahl", "Anteil am ersten Schritt in %"],
        [[german(label), _value(value), _percent(value, first)] for label, value in funnel["steps"]],
    )
    per_profession = Table(
        "funnel_professions",
        "Weg zur Ausbildung je Beruf",
        ["Beruf", *steps],
        [[str(name), *(_value(v) for v in values)] for name, values in funnel["rows"]],
    )
    funnel_weeks = Table(
        "funnel_weeks",
        "Weg zur Ausbildung je Woche",
        ["Woche ab", *steps],
        [[week, *(_value(v) for v in values)] for week, values in funnel.get("weeks", [])],
    )
    return [
        reach_table,
        districts,
        activity,
        weeks,
        funnel_table,
        per_profession,
        funnel_weeks,
        _supply_table("wanted", "Stark gefragt – wenige Plätze", report["wanted"]),
        _supply_table("unseen", "Viele Plätze – kaum gefragt", report["unseen"]),
    ]


def company_tables(company_report: dict) -> list[Table]:
    """The underlying tables of ``selectors.company_report(period, company)``: only that company's figures."""
    figures = Table(
        "company",
        "Kennzahlen des Betriebs",
        ["Kennzahl", "Wert"],
        [[german(m["label"]), _value(m["value"])] for m in company_report["metrics"]],
    )
    figures.rows += [
        [NO_SHOW_RATE, _rate(company_report.get("no_show_rate"))],
        ["offene Angebote", company_report["offers"]],
        ["Plätze in offenen Angeboten", company_report["places"]],
    ]
    weeks = Table(
        "weekly",
        "Aufrufe je Woche",
        ["Woche ab", "Aufrufe der Betriebsseite und der Angebote"],
        [[week, _value(value)] for week, value in company_report["views_weekly"]],
    )
    return [figures, weeks]


def _meta(report: dict) -> list[tuple[str, str]]:
    """The opening facts: title, period, district or company, as-of time, privacy note."""
    rows = [
        ("Bericht", f"{document_title()} – {network_name()}"),
        ("Zeitraum", period_text(report["period"])),
    ]
    if "company" in report:
        rows.append(("Betrieb", str(report["company"])))
    else:
        rows.append(("Landkreis", district_text(report)))
    rows += [("Stand der Zahlen", rollup_text(report.get("rollup"))), ("Datenschutz", privacy_note())]
    return rows


def filename(report: dict, extension: str) -> str:
    """'einblick-bericht-2025-01-01-bis-2025-03-31.pdf' (with the company's id for a company report)."""
    period = report["period"]
    who = f"-betrieb-{report['company'].pk}" if "company" in report else ""
    where = f"-{period.district}" if not who and period.district else ""
    site = settings.EINBLICK["SITE_NAME"].lower().replace(" ", "-")
    return f"{site}-bericht{who}{where}-{period.start:%Y-%m-%d}-bis-{period.end:%Y-%m-%d}.{extension}"


# ------------------------------------------------------------------------------------------------------------ CSV


def _csv_value(value):
    return _day(value) if isinstance(value, date) else value


def write_csv(meta: list[tuple[str, str]], tables_: list[Table]) -> bytes:
    """One CSV (German Excel: UTF-8 with BOM, ";") holding every table, so that a spreadsheet can filter it.

    Layout: the first row is "Tabelle; Spalte 1; Spalte 2; …". Every following row starts with the title of its
    table in the column "Tabelle"; a table is its own header row followed by its data rows, with no empty rows
    in between, and columns a table does not use stay empty. Filtering the column "Tabelle" (e.g. on "Weg zur
    Ausbildung je Beruf") therefore shows exactly one table with its column names on top. The first table,
    "Bericht", holds the period, the district (or company), the as-of time and the privacy note. Counts are plain
    numbers, suppressed counts the text "< 5", weeks are dates (dd.mm.yyyy); a text that would start a formula is
    prefixed with an apostrophe (``core.spreadsheet.cell``).
    """
    blocks = [Table("meta", "Bericht", ["Angabe", "Inhalt"], [list(row) for row in meta]), *tables_]
    width = max(len(table.header) for table in blocks)
    rows = []
    for table in blocks:
        pad = [""] * (width - len(table.header))
        rows.append([table.title, *table.header, *pad])
        rows += [[table.title, *(_csv_value(v) for v in row), *pad] for row in table.rows]
    return to_csv(["Tabelle", *(f"Spalte {n}" for n in range(1, width + 1))], rows)


def report_csv(report: dict) -> bytes:
    with translation.override("de"):
        return write_csv(_meta(report), tables(report))


def company_csv(company_report: dict) -> bytes:
    with translation.override("de"):
        return write_csv(_meta(company_report), company_tables(company_report))


# ----------------------------------------------------------------------------------------------------------- XLSX

SHEET_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "-"))


def sheet_name(title: str, used: set[str]) -> str:
    """A valid, unique sheet name: at most 31 characters, none of []:*?/\\, not starting or ending with '."""
    name = title.translate(SHEET_FORBIDDEN).strip().strip("'")[:31].strip() or "Tabelle"
    candidate, n = name, 2
    while candidate.casefold() in used:
        suffix = f" ({n})"
        candidate, n = name[: 31 - len(suffix)].rstrip() + suffix, n + 1
    used.add(candidate.casefold())
    return candidate


def _put(sheet, row: int, column: int, value):
    """Write one cell: numbers as numbers, dates as dates, text always as text (never as a formula)."""
    from openpyxl.styles import Alignment

    cell = sheet.cell(row=row, column=column)
    if value is None:
        pass
    elif isinstance(value, bool):
        cell.value = "ja" if value else "nein"
    elif isinstance(value, int | float):
        cell.value = value
        cell.number_format = "#,##0" if isinstance(value, int) else "#,##0.0"
    elif isinstance(value, date | datetime):
        cell.value = value
        cell.number_format = "DD.MM.YYYY"
    else:
        text = str(value)
        cell.value = text
        cell.data_type = "s"  # openpyxl would store a text starting with "=" as a formula
        if text.startswith(FORMULA_START):
            cell.quotePrefix = True  # shown as text, and stays text when the cell is edited
        if text == SUPPRESSED_TEXT:
            cell.alignment = Alignment(horizontal="right")
    return cell


def _width(value) -> int:
    if isinstance(value, date):
        return 10
    if isinstance(value, int):
        return len(f"{value:,}")
    return max((len(line) for line in str(value).splitlines()), default=0)


def _fill_sheet(sheet, table: Table) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    for column, name in enumerate(table.header, 1):
        cell = _put(sheet, 1, column, name)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row_number, row in enumerate(table.rows, 2):
        for column, value in enumerate(row, 1):
            _put(sheet, row_number, column, value)
    sheet.freeze_panes = "A2"
    if table.rows:
        sheet.auto_filter.ref = sheet.dimensions
    for column, name in enumerate(table.header, 1):
        longest = max([min(len(name), 30), *(_width(row[column - 1]) for row in table.rows)])
        sheet.column_dimensions[get_column_letter(column)].width = min(max(longest + 2, 8), 60)


def write_xlsx(meta: list[tuple[str, str]], tables_: list[Table]) -> bytes:
    """A workbook: the sheet "Bericht" (the facts of ``meta``), then one sheet per table."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    front = book.active
    front.title = "Bericht"
    used = {"bericht"}
    _put(front, 1, 1, meta[0][1]).font = Font(bold=True, size=14)
    for row, (label, text) in enumerate(meta[1:], 3):
        _put(front, row, 1, label).font = Font(bold=True)
        _put(front, row, 2, text).alignment = Alignment(wrap_text=True, vertical="top")
    row += 2
    _put(front, row, 1, "Tabellen").font = Font(bold=True)
    for table in tables_:
        name = sheet_name(table.title, used)
        _put(front, row, 2, table.title)
        row += 1
        _fill_sheet(book.create_sheet(name), table)
    front.column_dimensions["A"].width = 20
    front.column_dimensions["B"].width = 90
    book.properties.title = meta[0][1]
    book.properties.creator = settings.EINBLICK["SITE_NAME"]
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def report_xlsx(report: dict) -> bytes:
    with translation.override("de"):
        return write_xlsx(_meta(report), tables(report))


def company_xlsx(company_report: dict) -> bytes:
    with translation.override("de"):
        return write_xlsx(_meta(company_report), company_tables(company_report))


# ------------------------------------------------------------------------------------------------------------ PDF

BAR = (26, 79, 139)  # charts.BAR_COLOUR
STUB_FILL, STUB_LINE = (230, 230, 230), (119, 119, 119)  # charts.SUPPRESSED_BACKGROUND / SUPPRESSED_COLOUR
ROW, BAR_HEIGHT, LABEL_WIDTH, STUB = 6.0, 4.0, 45.0, 5.0  # mm; LABEL_WIDTH is the least


def _room(doc: Document, height: float) -> None:
    """Start a new page unless ``height`` mm still fit on this one (keeps a heading with its chart)."""
    pdf = doc._pdf
    if pdf.get_y() + height > pdf.page_break_trigger:
        pdf.add_page()


def _fit(doc: Document, text: str, width: float) -> str:
    pdf = doc._pdf
    text = doc._clean(text)
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return doc._clean(text.rstrip() + "…")


def _stub(doc: Document, x: float, y: float) -> None:
    """A suppressed value: a small grey box hatched with diagonal lines."""
    pdf = doc._pdf
    pdf.set_fill_color(*STUB_FILL)
    pdf.set_draw_color(*STUB_LINE)
    pdf.set_line_width(0.2)
    pdf.rect(x, y, STUB, BAR_HEIGHT, style="DF")
    step = 1.5
    offset = 0.0
    while offset < STUB:
        end = min(offset + BAR_HEIGHT, STUB)
        pdf.line(x + offset, y + BAR_HEIGHT, x + end, y + BAR_HEIGHT - (end - offset))
        offset += step


def draw_bars(
    doc: Document, bars: list[Bar], values: list[str] | None = None, *, centred: bool = False
) -> None:
    """Horizontal bars over the text width: label left, bar, value right ("< 5" and a hatched stub when
    suppressed). Breaks across pages between rows. ``values`` are the texts right of the bars (default: counts).
    Colours and line width are restored afterwards (the tables of ``Document`` draw with the current ones)."""
    if not bars:
        doc.note("Keine Daten im Zeitraum.")
        return
    pdf = doc._pdf
    saved = pdf.fill_color, pdf.draw_color, pdf.line_width
    values = values or [format_count(bar.value) for bar in bars]
    pdf.set_font(doc._font, "", 9)
    text_width = pdf.w - pdf.l_margin - pdf.r_margin
    value_width = max(pdf.get_string_width(doc._clean(text)) for text in values) + 3
    longest = max(pdf.get_string_width(doc._clean(bar.label)) for bar in bars) + 4
    label_width = min(max(longest, LABEL_WIDTH), text_width * 0.45)
    left = pdf.l_margin
    track_x = left + label_width
    track = max(text_width - label_width - value_width, 20)
    _room(doc, min(len(bars), 4) * ROW)
    for bar, text in zip(bars, values, strict=True):
        _room(doc, ROW)
        y = pdf.get_y()
        top = y + (ROW - BAR_HEIGHT) / 2
        pdf.set_font(doc._font, "", 9)
        pdf.set_text_color(34, 34, 34)
        pdf.set_xy(left, y)
        pdf.cell(label_width - 2, ROW, _fit(doc, bar.label, label_width - 3))
        length = STUB if bar.suppressed else max(bar.share * track, 0.4 if bar.value else 0)
        x = track_x + (track - length) / 2 if centred else track_x
        if bar.suppressed:
            _stub(doc, x, top)
        elif length:
            pdf.set_fill_color(*BAR)
            pdf.rect(x, top, length, BAR_HEIGHT, style="F")
        pdf.set_xy(pdf.w - pdf.r_margin - value_width, y)
        pdf.cell(value_width, ROW, doc._clean(text), align="R")
        pdf.set_xy(left, y + ROW)
    pdf.set_text_color(0, 0, 0)
    pdf.set_fill_color(saved[0])
    pdf.set_draw_color(saved[1])
    pdf.set_line_width(saved[2])
    pdf.ln(3)


SHORT_STEPS = ["1. Einstieg", "2. Beruf", "3. Betrieb", "4. Treffen", "5. Kontakt"]  # PDF column heads


def _pdf_value(value) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, int):
        return format_count(value)
    if isinstance(value, date):
        return _day(value)
    return "" if value is None else str(value)


def _pdf_table(doc: Document, table: Table, widths: list[float] | None = None, *, title: bool = True) -> None:
    if title:
        _room(doc, 30)
        doc.heading(table.title)
    if not table.rows:
        doc.note("Keine Daten im Zeitraum.")
        return
    doc.table(table.header, [[_pdf_value(v) for v in row] for row in table.rows], widths=widths)


def _open(meta: list[tuple[str, str]], subtitle: str) -> Document:
    doc = Document(document_title(), subtitle)
    facts = dict(meta)
    lines = [f"Zeitraum: {facts['Zeitraum']}"]
    lines += [f"{key}: {facts[key]}" for key in ("Landkreis", "Betrieb") if key in facts]
    lines.append(f"Stand der Zahlen: {facts['Stand der Zahlen']}")
    doc.paragraph("\n".join(lines))
    return doc


def _close(doc: Document) -> bytes:
    _room(doc, 20)
    doc.heading("Datenschutz")
    doc.note(privacy_note())
    doc.note(
        "„< 5“: weniger als 5, aus Datenschutzgründen nicht genau angegeben (im Diagramm grau schraffiert). "
        "Die Tabellen stehen auch als CSV und XLSX zur Verfügung."
    )
    return doc.output()


def _pdf(build: Callable[[], bytes]) -> bytes:
    with translation.override("de"):
        return build()


def report_pdf(report: dict) -> bytes:
    """The printable report: reach, activity per pillar (chart and table), the way to an apprenticeship (chart and
    tables), supply and demand, the privacy note. The weekly figures are only in CSV and XLSX."""

    def build() -> bytes:
        by_key = {table.key: table for table in tables(report)}
        doc = _open(_meta(report), network_name())
        reach = report["reach"]
        doc.heading("Reichweite")
        doc.table(["Kennzahl", "Wert"], [[label, format_count(reach[key])] for key, label in REACH], [3, 1])
        districts = by_key["districts"]
        _room(doc, 40)
        doc.heading("Besuche nach Landkreis")
        draw_bars(doc, bar_layout([(german(n), v) for n, v, _ in reach["by_district"]], limit=15))
        _pdf_table(doc, districts, [2, 1, 1], title=False)
        if report["period"].district:
            doc.note("Die Übersicht nach Landkreisen zeigt immer die gesamte Region.")

        district = bool(report["period"].district)
        for pillar in report["pillars"]:
            rows = _pillar_rows(pillar, district)
            _room(doc, 14 + len(rows) * ROW)
            doc.heading(german(pillar["title"]))
            draw_bars(doc, bar_layout([(label, value) for label, value, _ in rows], limit=len(rows)))
            table_rows = [
                [label + (" (gesamte Region)" if regional else ""), format_count(value)]
                for label, value, regional in rows
            ]
            if pillar["key"] == "talks":
                rate = report.get("no_show_rate")
                table_rows.append([NO_SHOW_RATE, NO_RATE if rate is None else format_count(rate)])
            doc.table(["Kennzahl", "Wert"], table_rows, [3, 1])

        steps = report["funnel"]["steps"]
        _room(doc, 14 + len(steps) * ROW)
        doc.heading("Weg zur Ausbildung")
        layout = funnel_layout([(german(label), value) for label, value in steps])
        draw_bars(
            doc,
            layout,
            [
                format_count(s.value) + (f" · {format_percent(s.percent)}" if s.percent is not None else "")
                for s in layout
            ],
            centred=True,
        )
        _pdf_table(doc, by_key["funnel"], [3, 1, 1], title=False)
        per_profession = by_key["funnel_professions"]
        short = dataclasses.replace(per_profession, header=["Beruf", *SHORT_STEPS[: len(steps)]])
        _pdf_table(doc, short, [1.9, 1, 1, 1, 1, 1])
        if per_profession.rows:
            doc.note(
                "Schritte: "
                + "; ".join(f"{a}: {b}" for a, b in zip(SHORT_STEPS, per_profession.header[1:], strict=False))
                + ". Betriebsseiten, Messestände und Gespräche zählen für jeden Beruf, den der Betrieb ausbildet."
            )
        _pdf_table(doc, by_key["wanted"], [3, 1, 1, 1])
        _pdf_table(doc, by_key["unseen"], [3, 1, 1, 1])
        doc.note(
            "Interesse: Aufrufe der Berufsseite, Interessenchecks, Suchen, Merkliste und Gesprächswünsche im "
            "Zeitraum; offene Plätze: heute ausgeschriebene Angebote."
        )
        return _close(doc)

    return _pdf(build)


def company_pdf(company_report: dict) -> bytes:
    """The printable report of one company: its figures as chart and table, its views per week."""

    def build() -> bytes:
        figures, weeks = company_tables(company_report)
        doc = _open(_meta(company_report), str(company_report["company"]))
        doc.heading(figures.title)
        metrics = company_report["metrics"]
        draw_bars(doc, bar_layout([(german(m["label"]), m["value"]) for m in metrics], limit=len(metrics)))
        _pdf_table(doc, figures, [3, 1], title=False)
        series = company_report["views_weekly"]
        _room(doc, 14 + min(len(series), 4) * ROW)
        doc.heading(weeks.title)
        draw_bars(doc, bar_layout([(f"Woche ab {_day(w)}", v) for w, v in series], limit=max(len(series), 1)))
        return _close(doc)

    return _pdf(build)


__all__ = [
    "CSV_CONTENT_TYPE",
    "XLSX_CONTENT_TYPE",
    "Table",
    "company_csv",
    "company_pdf",
    "company_tables",
    "company_xlsx",
    "draw_bars",
    "filename",
    "german",
    "report_csv",
    "report_pdf",
    "report_xlsx",
    "sheet_name",
    "tables",
    "write_csv",
    "write_xlsx",
]
