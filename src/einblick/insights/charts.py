"""Server-side SVG charts for the insight pages (issue #9): bar, line (daily series), funnel and sparkline.

Every chart is returned as a ``SafeString`` of inline SVG markup that

* is accessible: ``role="img"`` and ``aria-labelledby`` pointing to its ``<title>`` and to a ``<desc>`` that
  holds a complete plain-text alternative (e.g. "Ausbildungsberufe: Mechatroniker:in 1.234, Elektroniker:in < 5");
* scales: a ``viewBox`` with ``width="100%"`` and ``preserveAspectRatio``, no fixed pixel width, so it fits a
  360 px phone and a printed page; the class ``einblick-chart`` lets the site stylesheet cap its size;
* obeys the Content Security Policy: presentation attributes only (``fill=``, ``stroke=``, ``font-size=``),
  never a ``style`` attribute, a ``<style>`` element or a script;
* never shows a suppressed count: a value of ``None`` means "fewer than 5, withheld for privacy" and is drawn as
  a hatched grey stub labelled "< 5".

Ids (title, desc, hatch pattern) are unique per call, so several charts can share a page. Labels are escaped and
long ones shortened with "…" (the full label stays in the ``<desc>`` and in a tooltip ``<title>``).

The layout is computed by plain functions that know nothing about SVG (``bar_layout``, ``funnel_layout``,
``daily_series``), so a PDF writer can draw the same bars with its own primitives::

    for bar in bar_layout(rows, limit=8):
        pdf.rect(x, y, bar.share * track_width, 4)   # bar.suppressed -> draw a stub instead

The visible heading is left to the page (``<figure>``/``<figcaption>``); the chart title is the accessible name.
"""

import dataclasses
import datetime
import uuid
from collections.abc import Iterable, Sequence

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

__all__ = [
    "EMPTY_TEXT",
    "OTHER_LABEL",
    "SUPPRESSED_TEXT",
    "Bar",
    "FunnelStep",
    "bar_chart",
    "bar_layout",
    "daily_series",
    "format_count",
    "format_percent",
    "funnel_chart",
    "funnel_layout",
    "line_chart",
    "sparkline",
]

EMPTY_TEXT = "Keine Daten im Zeitraum"
OTHER_LABEL = "Übrige"
SUPPRESSED_TEXT = "< 5"
# the few fixed words of the text alternatives (German, like the defaults above)
SUPPRESSED_NOTE = "„< 5“: weniger als 5, aus Datenschutzgründen nicht genau angegeben."
DESC_MAX_DAYS = 31  # a line chart's <desc> lists every day up to this many days, otherwise only a summary

FONT = "DejaVu Sans, Arial, sans-serif"
BAR_COLOUR = "#1a4f8b"  # 8.6:1 on white
TEXT_COLOUR = "#222"  # 15.9:1 on white
MUTED_COLOUR = "#595959"  # 7:1 on white (axis dates); #777 is used for shapes only, it is 4.48:1
SUPPRESSED_COLOUR = "#777"
SUPPRESSED_BACKGROUND = "#e6e6e6"

WIDTH = 480  # viewBox width of the large charts: font-size 13 stays readable when scaled to a 360 px phone
PAD = 8
LABEL_WIDTH = 160  # left column for the labels of bar and funnel charts
LABEL_CHARS = 22  # what fits into LABEL_WIDTH at font-size 13
CHAR_WIDTH = 7.4  # rough advance of a character at font-size 13, to size the value column
STUB_WIDTH = 12  # length of the hatched stub of a suppressed value
SPARK_WIDTH, SPARK_HEIGHT = 120, 32


# --- data layer (no SVG) ---------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Bar:
    """One bar: ``share`` is its length as a fraction (0..1) of the longest bar; 0 when suppressed."""

    label: str
    value: int | None
    share: float

    @property
    def suppressed(self) -> bool:
        return self.value is None


@dataclasses.dataclass(frozen=True)
class FunnelStep(Bar):
    """A funnel step; ``percent`` is its value as a share of the first step (None if unknown or suppressed)."""

    percent: float | None = None


def format_count(value: int | None) -> str:
    """'12.345' in German (grouped), '< 5' for a suppressed value."""
    if value is None:
        return SUPPRESSED_TEXT
    return number_format(value, 0, use_l10n=True, force_grouping=True)


def format_percent(percent: float | None) -> str:
    """'42 %' (rounded half up), '< 1 %' for a small non-zero share, '' when unknown."""
    if percent is None:
        return ""
    if 0 < percent < 1:
        return "< 1 %"
    return f"{number_format(int(percent + 0.5), 0, use_l10n=True, force_grouping=True)} %"


def _shares(values: Sequence[int | None]) -> list[float]:
    known = [max(v, 0) for v in values if v is not None]
    top = max(known, default=0)
    return [0.0 if v is None or top == 0 else max(v, 0) / top for v in values]


def bar_layout(
    rows: Iterable[tuple[str, int | None]], *, limit: int = 12, other_label: str = OTHER_LABEL
) -> list[Bar]:
    """The bars of a bar chart, in the order given (sort the rows first).

    With more than ``limit`` rows, the first ``limit - 1`` are kept and the rest summed into one ``other_label``
    row, so there are never more than ``limit`` bars. That sum counts the known values only (a suppressed value
    is unknown); if every folded row was suppressed, the "other" row is suppressed too.
    """
    rows = [(str(label), value) for label, value in rows]
    limit = max(limit, 1)
    if len(rows) > limit:
        rest = rows[limit - 1 :]
        known = [value for _, value in rest if value is not None]
        rows = [*rows[: limit - 1], (other_label, sum(known) if known else None)]
    shares = _shares([value for _, value in rows])
    return [Bar(label, value, share) for (label, value), share in zip(rows, shares, strict=True)]


def funnel_layout(steps: Iterable[tuple[str, int | None]]) -> list[FunnelStep]:
    """The steps of a funnel with bar lengths (relative to the largest step) and shares of the first step."""
    steps = [(str(label), value) for label, value in steps]
    shares = _shares([value for _, value in steps])
    first = steps[0][1] if steps else None
    result = []
    for (label, value), share in zip(steps, shares, strict=True):
        percent = None if value is None or not first or first <= 0 else max(value, 0) / first * 100
        result.append(FunnelStep(label, value, share, percent))
    return result


def daily_series(points: Iterable[tuple[datetime.date, int]]) -> list[tuple[datetime.date, int]]:
    """One (date, value) per day from the first to the last date, sorted; missing days are 0, repeated days summed."""
    by_day: dict[datetime.date, int] = {}
    for day, value in points:
        by_day[day] = by_day.get(day, 0) + (value or 0)
    if not by_day:
        return []
    first, last = min(by_day), max(by_day)
    days = (last - first).days + 1
    return [(day, by_day.get(day, 0)) for day in (first + datetime.timedelta(days=i) for i in range(days))]


# --- SVG helpers -----------------------------------------------------------------------------------------------


def _num(x: float) -> str:
    """A coordinate without needless digits: 12, 12.5, 12.33."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _short(label: str, chars: int = LABEL_CHARS) -> str:
    return label if len(label) <= chars else label[: chars - 1].rstrip() + "…"


def _uid() -> str:
    return f"chart-{uuid.uuid4().hex[:12]}"


def _svg(
    uid: str,
    kind: str,
    width: float,
    height: float,
    title: str,
    desc: str,
    body: list[str],
    *,
    fixed_height: bool = False,
) -> SafeString:
    """The <svg> element; ``fixed_height`` caps the rendered height at the viewBox height (sparklines)."""
    extra = f' height="{_num(height)}"' if fixed_height else ""
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="einblick-chart einblick-chart--{kind}" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" width="100%"{extra} '
        f'preserveAspectRatio="xMinYMin meet" role="img" aria-labelledby="{uid}-title {uid}-desc" '
        f'font-family="{FONT}">'
        f'<title id="{uid}-title">{escape(title)}</title><desc id="{uid}-desc">{escape(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _hatch(uid: str) -> str:
    return (
        f'<defs><pattern id="{uid}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="{SUPPRESSED_BACKGROUND}"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{SUPPRESSED_COLOUR}" stroke-width="2"/></pattern></defs>'
    )


def _text(
    x: float, y: float, text: str, *, anchor: str = "start", size: int = 13, fill: str = TEXT_COLOUR
) -> str:
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}" font-size="{size}" fill="{fill}">'
        f"{escape(text)}</text>"
    )


def _empty(title: str, empty_text: str, *, kind: str, width: float = WIDTH, height: float = 48) -> SafeString:
    uid = _uid()
    size = 8 if width < 200 else 14
    body = [
        _text(width / 2, height / 2 + size * 0.35, empty_text, anchor="middle", size=size, fill=MUTED_COLOUR)
    ]
    desc = f"{title}: {empty_text}"
    return _svg(uid, kind, width, height, title, desc, body, fixed_height=kind == "sparkline")


def _with_unit(text: str, unit: str) -> str:
    return f"{text} {unit}" if unit else text


def _suppressed_note(values: Iterable[int | None]) -> str:
    return f" {SUPPRESSED_NOTE}" if any(value is None for value in values) else ""


def _horizontal_bars(uid: str, bars: Sequence[Bar], values: list[str], *, row: int, bar: int, centred: bool):
    """SVG groups for labelled horizontal bars; ``values`` are the texts right of the bars. Returns (body, height)."""
    value_width = max(len(text) for text in values) * CHAR_WIDTH + PAD
    track_x = PAD + LABEL_WIDTH
    track = max(WIDTH - PAD - value_width - track_x, 40)
    body = [_hatch(uid)] if any(item.suppressed for item in bars) else []
    for i, (item, value_text) in enumerate(zip(bars, values, strict=True)):
        top = PAD + i * row
        middle = top + row / 2
        baseline = middle + 4.5
        length = STUB_WIDTH if item.suppressed else item.share * track
        x = track_x + (track - length) / 2 if centred else track_x
        if item.suppressed:
            shape = (
                f'<rect x="{_num(x)}" y="{_num(middle - bar / 2)}" width="{_num(length)}" height="{bar}" '
                f'fill="url(#{uid}-hatch)" stroke="{SUPPRESSED_COLOUR}" stroke-width="1"/>'
            )
        else:
            shape = (
                f'<rect x="{_num(x)}" y="{_num(middle - bar / 2)}" width="{_num(length)}" height="{bar}" '
                f'fill="{BAR_COLOUR}"/>'
            )
        body.append(
            f"<g><title>{escape(item.label)}: {escape(value_text)}</title>"
            + _text(PAD, baseline, _short(item.label))
            + shape
            + _text(WIDTH - PAD, baseline, value_text, anchor="end")
            + "</g>"
        )
    return body, 2 * PAD + len(bars) * row


# --- charts ----------------------------------------------------------------------------------------------------


def bar_chart(
    rows: list[tuple[str, int | None]],
    *,
    title: str,
    unit: str = "",
    limit: int = 12,
    other_label: str = OTHER_LABEL,
    empty_text: str = EMPTY_TEXT,
) -> SafeString:
    """Horizontal bars, label left and value right; at most ``limit`` bars (the rest summed into ``other_label``).

    A value of ``None`` is suppressed (fewer than 5) and drawn as a hatched stub with "< 5".
    """
    bars = bar_layout(rows, limit=limit, other_label=other_label)
    if not bars:
        return _empty(title, empty_text, kind="bar")
    uid = _uid()
    values = [_with_unit(format_count(item.value), unit) for item in bars]
    body, height = _horizontal_bars(uid, bars, values, row=26, bar=16, centred=False)
    listing = ", ".join(f"{item.label} {text}" for item, text in zip(bars, values, strict=True))
    desc = f"{title}: {listing}.{_suppressed_note(item.value for item in bars)}"
    return _svg(uid, "bar", WIDTH, height, title, desc, body)


def funnel_chart(
    steps: list[tuple[str, int | None]], *, title: str, empty_text: str = EMPTY_TEXT
) -> SafeString:
    """A funnel: centred bars, each with its value and its share of the first step ("42 %").

    A suppressed step (``None``) is drawn as a hatched stub with "< 5" and without a percentage.
    """
    layout = funnel_layout(steps)
    if not layout:
        return _empty(title, empty_text, kind="funnel")
    uid = _uid()
    values = [
        format_count(step.value) + (f" · {format_percent(step.percent)}" if step.percent is not None else "")
        for step in layout
    ]
    body, height = _horizontal_bars(uid, layout, values, row=30, bar=20, centred=True)
    parts = []
    for step in layout:
        text = f"{step.label} {format_count(step.value)}"
        if step.percent is not None:
            text += f" ({format_percent(step.percent)})"
        parts.append(text)
    desc = f"{title}: {', '.join(parts)}.{_suppressed_note(step.value for step in layout)}"
    if any(step.percent is not None for step in layout):
        desc += " Prozent: Anteil am ersten Schritt."
    return _svg(uid, "funnel", WIDTH, height, title, desc, body)


def _dm(day: datetime.date) -> str:
    return f"{day.day:02d}.{day.month:02d}."


def _dmy(day: datetime.date) -> str:
    return f"{_dm(day)}{day.year}"


def line_chart(
    points: list[tuple[datetime.date, int]], *, title: str, empty_text: str = EMPTY_TEXT
) -> SafeString:
    """A daily series as line and area; missing days between the first and the last date count as 0.

    First and last date and the maximum are labelled (dates as dd.mm.).
    """
    series = daily_series(points)
    if not series:
        return _empty(title, empty_text, kind="line")
    uid = _uid()
    height, top, bottom = 200, 28, 26
    plot_w, plot_h = WIDTH - 2 * PAD, height - top - bottom
    base = top + plot_h
    values = [value for _, value in series]
    peak = max(values)
    peak_index = values.index(peak)
    n = len(series)

    def x(i: int) -> float:
        return PAD + plot_w / 2 if n == 1 else PAD + i * plot_w / (n - 1)

    def y(value: int) -> float:
        return base if peak <= 0 else base - max(value, 0) / peak * plot_h

    coords = " ".join(f"{_num(x(i))},{_num(y(v))}" for i, v in enumerate(values))
    body = [
        f'<line x1="{PAD}" y1="{_num(base)}" x2="{_num(WIDTH - PAD)}" y2="{_num(base)}" '
        f'stroke="{MUTED_COLOUR}" stroke-width="1"/>'
    ]
    if n > 1:
        body.append(
            f'<polygon points="{_num(x(0))},{_num(base)} {coords} {_num(x(n - 1))},{_num(base)}" '
            f'fill="{BAR_COLOUR}" fill-opacity="0.15"/>'
        )
    body.append(
        f'<polyline points="{coords}" fill="none" stroke="{BAR_COLOUR}" stroke-width="2" '
        'stroke-linejoin="round" stroke-linecap="round"/>'
    )
    # the maximum: a dot with its value and day above it
    px, py = x(peak_index), y(peak)
    anchor = "start" if px < WIDTH * 0.2 else "end" if px > WIDTH * 0.8 else "middle"
    peak_text = f"{format_count(peak)} ({_dm(series[peak_index][0])})"
    body.append(
        f"<g><title>Höchstwert {escape(peak_text)}</title>"
        f'<circle cx="{_num(px)}" cy="{_num(py)}" r="3.5" fill="{BAR_COLOUR}"/>'
        + _text(px, max(py - 8, 14), peak_text, anchor=anchor, size=12)
        + "</g>"
    )
    first, last = series[0][0], series[-1][0]
    date_y = height - 8
    if n == 1:
        body.append(_text(x(0), date_y, _dm(first), anchor="middle", size=12, fill=MUTED_COLOUR))
    else:
        body.append(_text(PAD, date_y, _dm(first), size=12, fill=MUTED_COLOUR))
        body.append(_text(WIDTH - PAD, date_y, _dm(last), anchor="end", size=12, fill=MUTED_COLOUR))
    span = _dmy(first) if n == 1 else f"{_dmy(first)} bis {_dmy(last)}"
    days = "1 Tag" if n == 1 else f"{format_count(n)} Tage"
    desc = (
        f"{title}: {span} ({days}), insgesamt {format_count(sum(values))}, "
        f"Höchstwert {format_count(peak)} am {_dmy(series[peak_index][0])}."
    )
    if n <= DESC_MAX_DAYS:
        desc += (
            " Tageswerte: " + ", ".join(f"{_dm(day)} {format_count(value)}" for day, value in series) + "."
        )
    return _svg(uid, "line", WIDTH, height, title, desc, body)


def sparkline(values: list[int], *, title: str, empty_text: str = EMPTY_TEXT) -> SafeString:
    """A tiny line (120 × 32) for a dashboard tile, scaled from 0 to the maximum; the last value is dotted."""
    values = [value or 0 for value in values]
    if not values:
        return _empty(title, empty_text, kind="sparkline", width=SPARK_WIDTH, height=SPARK_HEIGHT)
    uid = _uid()
    pad = 3
    peak, n = max(values), len(values)
    plot_w, plot_h = SPARK_WIDTH - 2 * pad, SPARK_HEIGHT - 2 * pad

    def x(i: int) -> float:
        return SPARK_WIDTH / 2 if n == 1 else pad + i * plot_w / (n - 1)

    def y(value: int) -> float:
        return pad + plot_h if peak <= 0 else pad + plot_h - max(value, 0) / peak * plot_h

    coords = " ".join(f"{_num(x(i))},{_num(y(v))}" for i, v in enumerate(values))
    body = [
        f'<polyline points="{coords}" fill="none" stroke="{BAR_COLOUR}" stroke-width="1.5" '
        'stroke-linejoin="round" stroke-linecap="round"/>',
        f'<circle cx="{_num(x(n - 1))}" cy="{_num(y(values[-1]))}" r="2" fill="{BAR_COLOUR}"/>',
    ]
    listing = ", ".join(format_count(value) for value in values)
    desc = (
        f"{title}: {listing} (zuletzt {format_count(values[-1])}, Höchstwert {format_count(peak)}, "
        f"Tiefstwert {format_count(min(values))})."
    )
    return _svg(uid, "sparkline", SPARK_WIDTH, SPARK_HEIGHT, title, desc, body, fixed_height=True)
