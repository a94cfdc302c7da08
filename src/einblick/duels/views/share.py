"""Share images, feed, short links, QR codes, embeddable card (being written)."""

from django.contrib.syndication.views import Feed
from django.http import Http404


class EpisodeFeed(Feed):
    title = "Mach mal – das Duell"
    link = "/duell/"

    def items(self):
        return []


def image(request, season, episode, size):
    raise Http404


def card(request, season, episode):
    raise Http404


def qr(request, season, episode):
    raise Http404


def short_link(request, code):
    raise Http404
