"""Server-side SVG charts: valid XML, accessible, CSP-safe, privacy-safe, proportional."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import translation
from django.utils.safestring import SafeString

from einblick.insights import charts

NS = "{http://www.w3.org/2000/svg}"
D = datetime.date


@pytest.fixture(autouse=True)
def _german():
    with translation.override("de"):
        yield


def parse(svg) -> ET.Element:
    assert isinstance(svg, SafeString)
    root = ET.fromstring(str(svg))
    assert root.tag == f"{NS}svg"
    return root


def desc_of(root: ET.Element) -> str:
    return root.find(f"{NS}desc").text


def ids(root: ET.Element) -> set[str]:
    return {el.get("id") for el in root.iter() if el.get("id")}


def bar_rects(root: ET.Element) -> list[ET.Element]:
    """The bar of each row group (the first <rect> directly inside a <g>)."""
    return [g.find(f"{NS}rect") for g in root.iter(f"{NS}g") if g.find(f"{NS}rect") is not None]


ALL_CHARTS = [
    lambda: charts.bar_chart([("Mechatroniker:in", 12345), ("Elektroniker:in", None)], title="Berufe"),
    lambda: charts.funnel_chart([("Aufrufe", 1000), ("Merkliste", 420), ("Anfragen", None)], title="Weg"),
    lambda: charts.line_chart([(D(2025, 3, 1), 3), (D(2025, 3, 4), 7)], title="Besuche"),
    lambda: charts.sparkline([1, 4, 2, 9], title="Trend"),
    lambda: charts.bar_chart([], title="Leer"),
    lambda: charts.funnel_chart([], title="Leer"),
    lambda: charts.line_chart([], title="Leer"),
    lambda: charts.sparkline([], title="Leer"),
]


@pytest.mark.parametrize("make", ALL_CHARTS)
def test_every_chart_is_accessible_scalable_and_csp_safe(make):
    svg = make()
    root = parse(svg)
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    title = root.find(f"{NS}title")
    desc = root.find(f"{NS}desc")
    assert title.get("id") == title_id and title.text
    assert desc.get("id") == desc_id and desc.text
    assert root[0] is title  # the accessible name comes first
    assert root.get("width") == "100%"
    allowed = {
        "class",
        "viewBox",
        "width",
        "height",
        "preserveAspectRatio",
        "role",
        "aria-labelledby",
        "font-family",
    }
    assert set(root.attrib) <= allowed
    assert re.fullmatch(r"0 0 \d+(\.\d+)? \d+(\.\d+)?", root.get("viewBox"))
    assert root.get("preserveAspectRatio")
    assert root.get("font-family") == "DejaVu Sans, Arial, sans-serif"
    for el in root.iter():
        assert "style" not in el.attrib
        assert el.tag not in (f"{NS}style", f"{NS}script", f"{NS}foreignObject")
        assert not any(name.startswith("on") for name in el.attrib)
    assert "<style" not in svg and "style=" not in svg and "<script" not in svg
    # every internal reference resolves
    for ref in re.findall(r"url\(#([^)]+)\)", svg):
        assert ref in ids(root)


@pytest.mark.parametrize("make", ALL_CHARTS)
def test_ids_are_unique_across_calls(make):
    first, second = ids(parse(make())), ids(parse(make()))
    assert first and not first & second


def test_bar_chart_desc_lists_every_label_and_value_in_german_format():
    root = parse(
        charts.bar_chart(
            [("Mechatroniker:in", 12345), ("Elektroniker:in", None), ("Koch/Köchin", 7)],
            title="Ausbildungsberufe",
            unit="Aufrufe",
        )
    )
    desc = desc_of(root)
    assert desc.startswith("Ausbildungsberufe: Mechatroniker:in 12.345 Aufrufe, Elektroniker:in < 5 Aufrufe")
    assert "Koch/Köchin 7 Aufrufe" in desc
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "12.345 Aufrufe" in texts
    assert "< 5 Aufrufe" in texts


def test_suppressed_values_show_less_than_five_and_a_hatched_stub():
    svg = charts.bar_chart([("A", 40), ("B", None)], title="T")
    root = parse(svg)
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert texts.count("< 5") == 1
    assert "weniger als 5" in desc_of(root)
    pattern = root.find(f"{NS}defs/{NS}pattern")
    stub = bar_rects(root)[1]
    assert stub.get("fill") == f"url(#{pattern.get('id')})"
    assert stub.get("stroke") == "#777"


def test_suppressed_values_never_leak_a_number():
    # the chart only ever gets None, but no digit other than the known values may appear in any text
    root = parse(charts.funnel_chart([("Aufrufe", 80), ("Anfragen", None), ("Zusagen", None)], title="Weg"))
    shown = " ".join([desc_of(root), *(t.text for t in root.iter(f"{NS}text"))])
    shown += " ".join(t.text for t in root.iter(f"{NS}title"))
    assert set(re.findall(r"\d+", shown)) <= {"80", "100", "5"}
    assert "< 5" in shown


def test_labels_are_escaped():
    evil = '<script>alert("x")</script> & Co'
    svg = charts.bar_chart([(evil, 5)], title="<script>t</script>")
    root = parse(svg)  # still well-formed XML
    assert "<script" not in svg
    assert not list(root.iter(f"{NS}script"))
    assert root.find(f"{NS}title").text == "<script>t</script>"
    assert evil in desc_of(root)
    for make in (charts.funnel_chart, charts.line_chart, charts.sparkline):
        data = (
            [(D(2025, 1, 1), 1)]
            if make is charts.line_chart
            else [1]
            if make is charts.sparkline
            else [(evil, 1)]
        )
        out = make(data, title=evil)
        assert "<script" not in out
        parse(out)


def test_long_labels_are_truncated_with_full_label_in_desc_and_tooltip():
    label = "Fachkraft für Kreislauf- und Abfallwirtschaft"
    root = parse(charts.bar_chart([(label, 9)], title="T"))
    group = next(root.iter(f"{NS}g"))
    shown = group.find(f"{NS}text").text
    assert shown.endswith("…") and len(shown) <= charts.LABEL_CHARS
    assert label.startswith(shown[:-1])
    assert group.find(f"{NS}title").text == f"{label}: 9"
    assert label in desc_of(root)


def test_limit_folds_the_rest_into_other():
    rows = [(f"Beruf {i}", 100 - i) for i in range(10)]  # 100, 99, ..., 91
    root = parse(charts.bar_chart(rows, title="T", limit=4, other_label="Sonstige"))
    groups = list(root.iter(f"{NS}g"))
    assert len(groups) == 4
    assert [g.find(f"{NS}text").text for g in groups] == ["Beruf 0", "Beruf 1", "Beruf 2", "Sonstige"]
    assert sum(range(91, 98)) == 658
    assert "Sonstige 658" in desc_of(root)
    # default label
    assert charts.bar_layout(rows, limit=9)[-1] == charts.Bar("Übrige", 92 + 91, 1.0)


def test_other_sums_known_values_only_and_is_suppressed_when_all_folded_rows_are():
    rows = [("A", 50), ("B", 40), ("C", None), ("D", 6)]
    assert charts.bar_layout(rows, limit=2)[-1].value == 46
    rows = [("A", 50), ("B", None), ("C", None)]
    assert charts.bar_layout(rows, limit=2)[-1].value is None
    assert len(charts.bar_layout(rows, limit=3)) == 3  # exactly at the limit: nothing folded


def test_bar_widths_are_proportional():
    root = parse(charts.bar_chart([("A", 300), ("B", 150), ("C", 0), ("D", 60)], title="T"))
    widths = [float(rect.get("width")) for rect in bar_rects(root)]
    assert widths[0] > 0
    assert widths[1] / widths[0] == pytest.approx(0.5, abs=0.001)
    assert widths[2] == 0
    assert widths[3] / widths[0] == pytest.approx(0.2, abs=0.001)
    # every bar fits into the viewBox
    view_width = float(root.get("viewBox").split()[2])
    for rect in bar_rects(root):
        assert float(rect.get("x")) + float(rect.get("width")) <= view_width


def test_all_zero_bars_render():
    root = parse(charts.bar_chart([("A", 0), ("B", 0)], title="T"))
    assert [rect.get("width") for rect in bar_rects(root)] == ["0", "0"]


def test_line_chart_fills_missing_days():
    points = [(D(2025, 3, 5), 4), (D(2025, 3, 1), 2), (D(2025, 3, 3), 10)]
    root = parse(charts.line_chart(points, title="Besuche"))
    line = root.find(f"{NS}polyline")
    coords = line.get("points").split()
    assert len(coords) == 5  # 1. to 5. March
    ys = [float(c.split(",")[1]) for c in coords]
    assert ys[1] == ys[3] == max(ys)  # the filled days lie on the baseline
    assert min(ys) == ys[2]  # the maximum is the highest point
    xs = [float(c.split(",")[0]) for c in coords]
    assert xs == sorted(xs)
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "01.03." in texts and "05.03." in texts
    assert "10 (03.03.)" in texts
    desc = desc_of(root)
    assert "01.03.2025 bis 05.03.2025 (5 Tage)" in desc
    assert "insgesamt 16" in desc and "Höchstwert 10 am 03.03.2025" in desc
    assert "02.03. 0" in desc and "04.03. 0" in desc


def test_daily_series_sums_repeated_days():
    assert charts.daily_series([(D(2025, 1, 2), 1), (D(2025, 1, 2), 2), (D(2024, 12, 31), 5)]) == [
        (D(2024, 12, 31), 5),
        (D(2025, 1, 1), 0),
        (D(2025, 1, 2), 3),
    ]


def test_line_chart_single_point_and_all_zero_render():
    one = parse(charts.line_chart([(D(2025, 5, 1), 12345)], title="T"))
    assert len(one.find(f"{NS}polyline").get("points").split()) == 1
    assert next(one.iter(f"{NS}circle"), None) is not None
    assert "12.345" in desc_of(one) and "1 Tag" in desc_of(one)
    zero = parse(charts.line_chart([(D(2025, 5, 1), 0), (D(2025, 5, 3), 0)], title="T"))
    ys = {c.split(",")[1] for c in zero.find(f"{NS}polyline").get("points").split()}
    assert len(ys) == 1
    assert "insgesamt 0" in desc_of(zero)


def test_long_line_chart_desc_is_a_summary():
    start = D(2025, 1, 1)
    points = [(start + datetime.timedelta(days=i), i) for i in range(90)]
    root = parse(charts.line_chart(points, title="T"))
    assert len(root.find(f"{NS}polyline").get("points").split()) == 90
    assert "Tageswerte" not in desc_of(root)
    assert "(90 Tage)" in desc_of(root)


def test_funnel_shows_share_of_first_step():
    root = parse(
        charts.funnel_chart(
            [("Aufrufe", 12345), ("Merkliste", 5185), ("Anfragen", None), ("Zusagen", 30)], title="Weg"
        )
    )
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "12.345 · 100 %" in texts
    assert "5.185 · 42 %" in texts
    assert "< 5" in texts
    assert "30 · < 1 %" in texts
    desc = desc_of(root)
    assert desc.startswith(
        "Weg: Aufrufe 12.345 (100 %), Merkliste 5.185 (42 %), Anfragen < 5, Zusagen 30 (< 1 %)"
    )
    widths = [float(rect.get("width")) for rect in bar_rects(root)]
    assert widths[1] / widths[0] == pytest.approx(5185 / 12345, abs=0.001)
    assert widths[0] > widths[1] > widths[3]


def test_funnel_without_known_first_step_has_no_percentages():
    layout = charts.funnel_layout([("A", None), ("B", 10)])
    assert [step.percent for step in layout] == [None, None]
    root = parse(charts.funnel_chart([("A", None), ("B", 10)], title="T"))
    assert "%" not in desc_of(root)


def test_sparkline_is_small_and_describes_its_values():
    root = parse(charts.sparkline([3, 0, 1234, 5], title="Aufrufe"))
    assert root.get("viewBox") == "0 0 120 32"
    assert root.get("height") == "32"
    assert len(root.find(f"{NS}polyline").get("points").split()) == 4
    assert desc_of(root) == "Aufrufe: 3, 0, 1.234, 5 (zuletzt 5, Höchstwert 1.234, Tiefstwert 0)."
    assert parse(charts.sparkline([7], title="T")).find(f"{NS}circle") is not None
    assert parse(charts.sparkline([0, 0, 0], title="T")).find(f"{NS}polyline") is not None


@pytest.mark.parametrize(
    "svg",
    [
        lambda **kw: charts.bar_chart([], title="Berufe", **kw),
        lambda **kw: charts.funnel_chart([], title="Berufe", **kw),
        lambda **kw: charts.line_chart([], title="Berufe", **kw),
        lambda **kw: charts.sparkline([], title="Berufe", **kw),
    ],
)
def test_empty_data_gives_the_empty_svg(svg):
    root = parse(svg())
    assert [t.text for t in root.iter(f"{NS}text")] == ["Keine Daten im Zeitraum"]
    assert desc_of(root) == "Berufe: Keine Daten im Zeitraum"
    assert root.find(f"{NS}rect") is None and root.find(f"{NS}polyline") is None
    custom = parse(svg(empty_text="Noch nichts"))
    assert [t.text for t in custom.iter(f"{NS}text")] == ["Noch nichts"]


def test_format_helpers():
    assert charts.format_count(12345) == "12.345"
    assert charts.format_count(None) == "< 5"
    assert charts.format_percent(41.5) == "42 %"
    assert charts.format_percent(0.2) == "< 1 %"
    assert charts.format_percent(0) == "0 %"
    assert charts.format_percent(None) == ""
