import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ..embeds import UnknownVideoProvider, embed_for

register = template.Library()


@register.inclusion_tag("core/_video_embed.html")
def video_embed(url: str, title: str = "", start=None):
    """Two-click player: a placeholder naming the provider; the player is inserted only after a click."""
    try:
        embed = embed_for(url, start=start)
    except UnknownVideoProvider:
        embed = None
    return {"embed": embed, "title": title, "url": url}


@register.simple_tag
def json_ld(data: dict):
    """Embed schema.org JSON-LD safely (no '</script>' break-out)."""
    text = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@register.simple_tag(takes_context=True)
def querystring_with(context, **changes):
    """The current query string with some parameters replaced (for paging links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params[key] = value
    return "?" + params.urlencode()


@register.filter
def km(value) -> str:
    if value is None:
        return ""
    return f"{value:.0f} km" if value >= 10 else f"{value:.1f} km".replace(".", ",")
