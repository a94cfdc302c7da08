"""Made for social media (issue #7): share images, the feed of episodes, short links that count the channel they
were shared on, QR codes for posters and school boards, and an embeddable card for partner websites.

Everything here is public for published episodes only; who may edit episodes (``rules.can_edit``) may preview
unpublished ones (never publicly cached).
"""

import re
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse, reverse_lazy
from django.utils.cache import patch_cache_control
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from .. import images, rules, services
from ..images import short_url
from ..models import Episode, FunnelStep

IMAGE_MAX_AGE = 60 * 60 * 24
CARD_MAX_AGE = 60 * 60
FEED_ITEMS = 50
# a channel name as counted: what campaigns use (instagram, schule-papenburg, poster); anything else is "other"
CHANNEL_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,39}$")
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
# link-preview fetchers and crawlers: they open every shared link once, which is not a click by a person
BOT_RE = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|facebookexternalhit|facebot|embedly|preview|whatsapp|telegram|skype|"
    r"vkshare|pinterest|headless|python-requests|curl/|wget/",
    re.IGNORECASE,
)


def _episode_or_404(request, season: str, episode: str) -> Episode:
    found = get_object_or_404(
        Episode.objects.select_related("season").prefetch_related("contestants"),
        season__slug=season,
        slug=episode,
    )
    if not found.is_published() and not rules.can_edit(request.user):
        raise Http404
    return found


def _cache_for(response, episode: Episode, max_age: int):
    if episode.is_published():
        patch_cache_control(response, public=True, max_age=max_age)
    else:  # a staff preview must not land in a shared cache
        patch_cache_control(response, private=True, no_store=True)
    return response


def channel_of(request) -> str:
    """The counted channel: ``utm_source`` normalised, "direct" without one, "other" for unusable values."""
    source = request.GET.get("utm_source", "").strip().lower()
    if not source:
        return "direct"
    return source if CHANNEL_RE.match(source) else "other"


def is_bot(request) -> bool:
    return bool(BOT_RE.search(request.headers.get("User-Agent", "")))


# --- images -----------------------------------------------------------------------------------------------------


@require_safe
def image(request, season, episode, size):
    if size not in images.SIZES:
        raise Http404
    found = _episode_or_404(request, season, episode)
    response = HttpResponse(images.share_image(found, size), content_type="image/png")
    response["Content-Disposition"] = content_disposition_header(
        False, f"mach-mal-{found.season.slug}-{found.number}-{size}.png"
    )
    return _cache_for(response, found, IMAGE_MAX_AGE)


@require_safe
def qr(request, season, episode):
    """QR code of the short link for posters (``utm_source=poster``); ``?source=schule`` makes one that counts as
    its own channel (e.g. for school boards)."""
    found = _episode_or_404(request, season, episode)
    source = request.GET.get("source", "").strip().lower()
    if not CHANNEL_RE.match(source):
        source = "poster"
    title = f"{images.SERIES}: {found.title}"
    response = HttpResponse(
        images.qr_svg(short_url(found, source), title=title), content_type="image/svg+xml"
    )
    response["Content-Disposition"] = content_disposition_header(
        False, f"mach-mal-{found.season.slug}-{found.number}-qr.svg"
    )
    return _cache_for(response, found, IMAGE_MAX_AGE)


# --- short links ------------------------------------------------------------------------------------------------


@never_cache
@require_safe
def short_link(request, code):
    """``/d/<short>``: count the visit for its channel (``utm_source``) and go on to the episode, keeping the
    ``utm_*`` parameters. Link previews (crawlers) and HEAD requests are not counted."""
    found = Episode.objects.select_related("season").filter(short=code).first()
    if found is None:
        raise Http404
    published = found.is_published()
    if not published and not rules.can_edit(request.user):
        raise Http404
    if published and request.method == "GET" and not is_bot(request):
        services.funnel_count(episode=found, kind=FunnelStep.Kind.SHARE, channel=channel_of(request))
    params = [(key, value[:200]) for key in UTM_KEYS for value in request.GET.getlist(key)[:1]]
    target = found.get_absolute_url()
    return HttpResponseRedirect(f"{target}?{urlencode(params)}" if params else target)


# --- embeddable card --------------------------------------------------------------------------------------------


@xframe_options_exempt
@require_safe
def card(request, season, episode):
    """A small standalone page for partner websites' iframes (no site chrome); links open in a new tab."""
    found = _episode_or_404(request, season, episode)
    image_url = request.build_absolute_uri(
        reverse("duels:share_image", args=[found.season.slug, found.slug, "1200x630"])
    )
    context = {
        "episode": found,
        "series": images.SERIES,
        "contestants": list(found.contestants.all()[:2]),
        "image_url": image_url,
        "play_url": short_url(found, "embed"),
    }
    response = render(request, "duels/card.html", context)
    response["X-Robots-Tag"] = "noindex"
    return _cache_for(response, found, CARD_MAX_AGE)


# --- feeds ------------------------------------------------------------------------------------------------------


class EpisodeFeed(Feed):
    """RSS 2.0 of published episodes, newest first. Links go through the short link with ``utm_source=rss`` so
    clicks from feed readers are counted like any other channel."""

    link = reverse_lazy("duels:index")
    description = _("New episodes of the video duel: guess the profession along with the contestants.")

    def title(self):
        return f"{images.SERIES} · {settings.EINBLICK['SITE_NAME']}"

    def items(self):
        return (
            Episode.objects.published()
            .select_related("season")
            .prefetch_related("contestants")
            .order_by("-publish_at", "-pk")[:FEED_ITEMS]
        )

    def item_title(self, item):
        number = gettext("Episode %(n)s") % {"n": item.number}
        return f"{item.title} ({item.season.title}, {number})"

    def item_description(self, item):
        # RSS descriptions are HTML: escape the plain text
        names = " vs. ".join(c.name for c in item.contestants.all())
        return escape(item.teaser or names)

    def item_link(self, item):
        return short_url(item, "rss")

    def item_guid(self, item):
        return short_url(item)  # stable when title or slug change (an IRI, as Atom wants)

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.publish_at

    def item_categories(self, item):
        return [item.season.title]


class EpisodeAtomFeed(EpisodeFeed):
    """The same as Atom 1.0 (route it next to the RSS feed, e.g. ``feed.atom``)."""

    feed_type = Atom1Feed
    subtitle = EpisodeFeed.description
