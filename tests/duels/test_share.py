"""Made for social media (issue #7, item 5): share images, feeds, short links with counted channels, QR codes, the
embeddable card and the Open Graph tags of an episode page."""

import io
import math
import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont, ImageStat

from einblick.duels import images
from einblick.duels.models import Challenge, Contestant, Episode, FunnelStep, Season
from einblick.duels.views import share
from tests.factories import ProfessionFactory, StaffFactory

pytestmark = pytest.mark.django_db

GREEN = (0, 180, 60)


def make_episode(
    season, number, *, title="Fliesen und Funken", published=True, photo=False, **extra
) -> Episode:
    when = timezone.now() - timedelta(days=10 - number) if published else None
    episode = Episode.objects.create(
        season=season, number=number, title=title, slug=f"folge-{number}", publish_at=when, **extra
    )
    first = Contestant(episode=episode, order=0, name="Jörg Müller", line="Ausbildungsberater")
    if photo:
        buffer = io.BytesIO()
        Image.new("RGB", (400, 300), GREEN).save(buffer, "JPEG")
        first.photo.save("joerg.jpg", ContentFile(buffer.getvalue()), save=False)
    first.save()
    Contestant.objects.create(episode=episode, order=1, name="Ayşe Özdemir")
    Challenge.objects.create(
        episode=episode,
        order=0,
        task="Verlege 1 m² Fliesen in 10 Minuten",
        apprentice="Lea",
        profession=ProfessionFactory(name="Fliesen-, Platten- und Mosaikleger:in"),
    )
    return episode


@pytest.fixture
def season():
    return Season.objects.create(title="Staffel 1 – Handwerk", slug="staffel-1")


@pytest.fixture
def episode(season):
    return make_episode(season, 1, title="Größer, schöner, lauter: Fliesen im Bäderstudio", photo=True)


def image_url(episode, size="1200x630"):
    return reverse("duels:share_image", args=[episode.season.slug, episode.slug, size])


def open_png(data: bytes) -> Image.Image:
    picture = Image.open(io.BytesIO(data))
    picture.load()
    return picture


def green_pixels(picture: Image.Image) -> int:
    colours = picture.getcolors(maxcolors=picture.width * picture.height)
    return sum(n for n, (r, g, b) in colours if g > 150 and r < 60 and b < 100)


# --- images -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("size", "expected"), [("1200x630", (1200, 630)), ("1080x1920", (1080, 1920))])
def test_share_image_has_the_size_and_is_not_blank(client, episode, size, expected):
    response = client.get(image_url(episode, size))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "public" in response["Cache-Control"]
    assert "max-age=86400" in response["Cache-Control"]
    picture = open_png(response.content)
    assert picture.format == "PNG"
    assert picture.size == expected
    assert picture.mode == "RGB"
    assert max(ImageStat.Stat(picture).stddev) > 20  # not one flat colour
    assert len(picture.getcolors(maxcolors=1_000_000)) > 100  # text, circles, anti-aliasing
    # the contestant's photo is drawn as a circle inside a white ring: a disc of its green (π/4 of its square)
    diameter = 196 if size == "1200x630" else 320
    inner = diameter - 2 * max(4, diameter // 28)
    assert green_pixels(picture) == pytest.approx(math.pi / 4 * inner**2, rel=0.03)


def test_share_image_in_brand_colours(client, episode, settings):
    settings.EINBLICK = {**settings.EINBLICK, "PRIMARY_COLOR": "#ffe000", "ACCENT_COLOR": "#222222"}
    picture = open_png(client.get(image_url(episode)).content)
    assert picture.getpixel((5, 5)) == (255, 224, 0)  # background in the primary colour
    colours = {colour: n for n, colour in picture.getcolors(maxcolors=1_000_000)}
    assert colours.get((34, 34, 34), 0) > 2000  # series label and "VS" in the accent colour


def test_umlauts_render_with_a_unicode_font(client, season):
    if images.find_font() is None:
        pytest.skip("no DejaVu or Liberation font on this machine (Debian: fonts-dejavu-core)")
    fnt = images.font(80, bold=True)
    assert isinstance(fnt, ImageFont.FreeTypeFont)
    # the dots of Ä stand above the A: the glyph is taller, not a missing-glyph box of the same height
    assert fnt.getbbox("Ä")[1] < fnt.getbbox("A")[1] - 5
    episode = make_episode(season, 2, title="Übermäßig schöne Größe: Ölwechsel in Düsseldorf")
    response = client.get(image_url(episode, "1080x1920"))
    assert response.status_code == 200
    assert open_png(response.content).size == (1080, 1920)


def test_without_a_system_font_the_built_in_font_is_used(episode, monkeypatch):
    monkeypatch.setattr(images, "find_font", lambda: None)
    images.font.cache_clear()
    try:
        picture = open_png(images.render(images.content_of(episode), "1200x630"))
        assert images.clean_text("Größe", images.font(30)) == "Groesse"
    finally:
        images.font.cache_clear()
    assert picture.size == (1200, 630)
    assert max(ImageStat.Stat(picture).stddev) > 20


def test_hostile_and_overlong_text_is_wrapped_and_cut(season):
    word = "Kraftfahrzeugmechatronikerinnenausbildungsplatzbörse"
    title = (f"{word} \u202e🚀 {word} <script>alert(1)</script> " * 3)[:160]  # the field's maximum
    episode = make_episode(season, 3, title=title)
    Contestant.objects.filter(episode=episode, order=1).delete()  # only one contestant: a "?" stands in
    for size in images.SIZES:
        assert open_png(images.share_image(episode, size)).size == images.SIZES[size]
    assert "\u202e" not in images.clean_text("a\u202eb\x00c")
    draw = ImageDraw.Draw(Image.new("RGB", (10, 10)))
    block = images.fit(
        draw, word * 4, width=300, height=200, max_size=40, min_size=20, max_lines=2, bold=True
    )
    assert len(block.lines) == 2
    assert block.lines[-1].endswith("…")
    assert all(draw.textlength(line, font=block.font) <= 300 for line in block.lines)


def test_initials():
    assert images.initials("Jörg-Peter Müller") == "JM"
    assert images.initials("anna") == "A"
    assert images.initials("  ") == "?"


def test_images_are_cached_until_something_visible_changes(episode, monkeypatch):
    calls = []
    real_render = images.render
    monkeypatch.setattr(
        images, "render", lambda content, size: calls.append(size) or real_render(content, size)
    )

    first = images.share_image(episode, "1200x630")
    assert images.share_image(Episode.objects.get(pk=episode.pk), "1200x630") == first
    assert calls == ["1200x630"]

    episode.title = "Ein neuer Titel"
    episode.save()
    assert images.share_image(episode, "1200x630") != first
    Contestant.objects.filter(episode=episode, order=1).update(name="Ben")
    images.share_image(Episode.objects.get(pk=episode.pk), "1200x630")
    assert len(calls) == 3


def test_unpublished_episode_image_is_404_except_for_staff(client, season):
    draft = make_episode(season, 4, published=False)
    scheduled = make_episode(season, 5)
    scheduled.publish_at = timezone.now() + timedelta(days=2)
    scheduled.save()

    assert client.get(image_url(draft)).status_code == 404
    assert client.get(image_url(scheduled)).status_code == 404
    assert client.get(reverse("duels:card", args=[season.slug, draft.slug])).status_code == 404
    assert client.get(reverse("duels:qr", args=[season.slug, draft.slug])).status_code == 404

    client.force_login(StaffFactory())
    response = client.get(image_url(draft))
    assert response.status_code == 200
    assert open_png(response.content).size == (1200, 630)
    assert "public" not in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_unknown_size_and_unknown_episode_are_404(client, episode):
    assert client.get(image_url(episode, "800x600")).status_code == 404
    assert client.get(image_url(episode, "1200x630x")).status_code == 404
    missing = reverse("duels:share_image", args=[episode.season.slug, "gibt-es-nicht", "1200x630"])
    assert client.get(missing).status_code == 404


# --- feeds ------------------------------------------------------------------------------------------------------


def test_feed_lists_published_episodes_newest_first(client, season):
    old = make_episode(season, 1, title="Erste Folge", teaser="Fliesen & Funken")
    new = make_episode(season, 2, title="Zweite Folge")
    make_episode(season, 3, title="Entwurf", published=False)
    future = make_episode(season, 4, title="Kommt noch")
    future.publish_at = timezone.now() + timedelta(hours=1)
    future.save()

    response = client.get(reverse("duels:feed"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == [
        "Zweite Folge (Staffel 1 – Handwerk, Folge 2)",
        "Erste Folge (Staffel 1 – Handwerk, Folge 1)",
    ]
    assert items[0].findtext("link") == f"http://testserver/d/{new.short}?utm_source=rss"
    assert items[1].findtext("link") == f"http://testserver/d/{old.short}?utm_source=rss"
    assert items[1].findtext("description") == "Fliesen &amp; Funken"  # escaped HTML of the plain teaser
    assert items[0].findtext("description") == "Jörg Müller vs. Ayşe Özdemir"
    assert items[0].find("enclosure") is None
    assert items[0].findtext("pubDate")


def test_atom_feed(season):
    make_episode(season, 1, title="Erste Folge")
    make_episode(season, 2, title="Entwurf", published=False)
    response = share.EpisodeAtomFeed()(RequestFactory().get("/duell/feed.atom"))
    assert response["Content-Type"].startswith("application/atom+xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = ET.fromstring(response.content).findall("a:entry", ns)
    assert [e.findtext("a:title", namespaces=ns) for e in entries] == [
        "Erste Folge (Staffel 1 – Handwerk, Folge 1)"
    ]


def test_feed_has_no_n_plus_one(client, season, django_assert_num_queries):
    make_episode(season, 1)
    with django_assert_num_queries(2) as one:
        client.get(reverse("duels:feed"))
    make_episode(season, 2)
    make_episode(season, 3)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(reverse("duels:feed"))
    assert response.content.count(b"<item>") == 3


# --- short links ------------------------------------------------------------------------------------------------


def shares(episode) -> dict[str, int]:
    rows = FunnelStep.objects.filter(episode=episode, kind=FunnelStep.Kind.SHARE)
    return {row.channel: row.count for row in rows}


def test_short_link_counts_the_channel_and_keeps_utm_parameters(client, episode):
    url = reverse("duel_short", args=[episode.short])

    response = client.get(url, {"utm_source": "instagram", "utm_campaign": "herbst", "other": "x"})

    assert response.status_code == 302
    assert response["Location"] == f"{episode.get_absolute_url()}?utm_source=instagram&utm_campaign=herbst"
    assert shares(episode) == {"instagram": 1}

    response = client.get(url)
    assert response["Location"] == episode.get_absolute_url()
    client.get(url)
    client.get(url, {"utm_source": " Instagram "})
    client.get(url, {"utm_source": "<script>"})
    assert shares(episode) == {"instagram": 2, "direct": 2, "other": 1}
    assert "no-store" in response["Cache-Control"]


def test_short_link_does_not_count_link_previews(client, episode):
    url = reverse("duel_short", args=[episode.short])
    response = client.get(url, {"utm_source": "whatsapp"}, HTTP_USER_AGENT="WhatsApp/2.23.20.0")
    assert response.status_code == 302
    client.get(
        url, HTTP_USER_AGENT="facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"
    )
    client.head(url)
    assert shares(episode) == {}


def test_short_link_unknown_or_unpublished_is_404(client, season):
    draft = make_episode(season, 6, published=False)
    assert client.get(reverse("duel_short", args=["nixda12"])).status_code == 404
    assert client.get(reverse("duel_short", args=[draft.short])).status_code == 404
    client.force_login(StaffFactory())
    assert client.get(reverse("duel_short", args=[draft.short])).status_code == 302  # preview, not counted
    assert shares(draft) == {}


# --- QR codes ---------------------------------------------------------------------------------------------------


def test_qr_code_encodes_the_poster_short_link(client, episode):
    url = reverse("duels:qr", args=[episode.season.slug, episode.slug])

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content
    assert b"viewBox" in response.content
    payload = images.short_url(episode, "poster")
    assert payload == f"http://testserver/d/{episode.short}?utm_source=poster"
    title = f"{images.SERIES}: {episode.title}"
    assert response.content == images.qr_svg(payload, title=title)  # the same payload gives the same code
    assert response.content != images.qr_svg(images.short_url(episode), title=title)

    school = client.get(url, {"source": "schule"})
    assert school.content == images.qr_svg(images.short_url(episode, "schule"), title=title)
    assert client.get(url, {"source": "<b>"}).content == response.content  # unusable source: the poster code


def test_short_url_follows_base_url(episode, settings):
    settings.EINBLICK = {**settings.EINBLICK, "BASE_URL": "https://einblick.example.org/"}
    assert (
        images.short_url(episode, "poster")
        == f"https://einblick.example.org/d/{episode.short}?utm_source=poster"
    )
    assert images.short_url_display(episode) == f"einblick.example.org/d/{episode.short}"


# --- embeddable card --------------------------------------------------------------------------------------------


class Tags(HTMLParser):
    """Start tags and their attributes, in order."""

    def __init__(self, text: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def all(self, name: str) -> list[dict]:
        return [attrs for tag, attrs in self.tags if tag == name]


def test_card_can_be_framed_and_links_with_utm_embed(client, episode):
    response = client.get(reverse("duels:card", args=[episode.season.slug, episode.slug]))

    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert "frame-ancestors *" in response["Content-Security-Policy"]  # other sites may frame the card
    text = response.content.decode()
    tags = Tags(text)
    links = tags.all("a")
    assert links
    for link in links:
        assert link["href"] == f"http://testserver/d/{episode.short}?utm_source=embed"
        assert link["target"] == "_blank"
        assert "noopener" in link["rel"]
    (img,) = tags.all("img")
    assert img["src"] == f"http://testserver{image_url(episode)}"
    assert (img["width"], img["height"]) == ("1200", "630")
    assert "Jörg Müller" in text
    assert "Ayşe Özdemir" in text
    assert episode.title in text
    assert not tags.all("nav")  # no site chrome
    assert not tags.all("script")
    # other pages keep refusing to be framed
    assert client.get(reverse("duels:feed"))["X-Frame-Options"] == "DENY"


# --- Open Graph tags --------------------------------------------------------------------------------------------


def social_meta(episode, path="/duell/staffel-1/folge-1/?utm_source=instagram") -> dict[str, str]:
    request = RequestFactory().get(path)
    text = render_to_string("duels/_social_meta.html", {"episode": episode}, request=request)
    tags = Tags(text)
    meta = {attrs.get("property") or attrs.get("name"): attrs["content"] for attrs in tags.all("meta")}
    meta["alternate"] = [link["href"] for link in tags.all("link") if link.get("rel") == "alternate"]
    return meta


def test_social_meta_has_absolute_urls(episode):
    meta = social_meta(episode)

    absolute_image = f"http://testserver{image_url(episode)}"
    assert meta["og:image"] == absolute_image
    assert meta["twitter:image"] == absolute_image
    assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "630")
    assert meta["og:url"] == f"http://testserver{episode.get_absolute_url()}"  # no utm_* parameters
    assert meta["og:title"].startswith(episode.title)
    assert meta["og:type"] == "website"
    assert meta["twitter:card"] == "summary_large_image"
    assert "Jörg Müller" in meta["og:description"]
    assert meta["alternate"] == ["/duell/feed.xml"]


def test_social_meta_escapes_and_knows_videos(season):
    episode = make_episode(
        season,
        7,
        title='"><script>alert(1)</script>',
        teaser="Wer <b>gewinnt</b>?",
        video_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    )
    request = RequestFactory().get("/")
    text = render_to_string("duels/_social_meta.html", {"episode": episode}, request=request)
    assert "<script>" not in text
    assert "<b>" not in text
    meta = social_meta(episode)
    assert meta["og:type"] == "video.episode"
    assert meta["og:description"] == "Wer <b>gewinnt</b>?"  # the parser unescapes: the value was escaped text
    assert re.match(r"^https?://", meta["og:image"])
