"""Charts and suppressed counts in the insights' templates."""

from django import template

from .. import charts

register = template.Library()


@register.filter
def count(value) -> str:
    """12345 → "12.345"; ``None`` (suppressed) → "< 5"."""
    return charts.format_count(value)


@register.simple_tag
def bars(rows, title):
    """A horizontal bar chart of (label, count) rows."""
    return charts.bar_chart([(str(label), value) for label, value in rows], title=str(title))


@register.simple_tag
def metric_bars(metrics, title):
    """The metrics of a pillar (dicts with label and value) as bars."""
    return charts.bar_chart([(str(m["label"]), m["value"]) for m in metrics], title=str(title))


@register.simple_tag
def weekly_bars(series, title):
    """Weekly counts [(monday, count)] as bars labelled "ab 03.11."."""
    return charts.bar_chart(
        [(f"ab {week:%d.%m.}", value) for week, value in series], title=str(title), limit=60
    )


@register.simple_tag
def funnel(steps, title):
    return charts.funnel_chart([(str(label), value) for label, value in steps], title=str(title))
