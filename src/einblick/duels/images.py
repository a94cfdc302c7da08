"""Share images of duel episodes (issue #7, "made for social media"), drawn with Pillow.

Two sizes: 1200 × 630 for Open Graph / Twitter cards and 1080 × 1920 for stories. They show the series name, the
season, the episode number and title, the two contestants (photo in a circle, else their initials) with "VS" between
them, and the site name with the episode's short link. Colours come from the installation's branding.

Text is wrapped and shrunk until it fits. German needs a Unicode font: DejaVu Sans (or Liberation Sans) from the
system, found like the PDF builder does (``einblick.core.pdf.find_font``). Without one we fall back to Pillow's
built-in font and spell umlauts out (ä → ae) — a plainer image, never an error.

Rendering takes ~0.1–0.3 s, so the PNG bytes are kept in Django's cache under the episode's pk and a hash of
everything visible on the image: an edit changes the hash, an unchanged episode is served from the cache.
"""

import functools
import hashlib
import io
import logging
import unicodedata
from dataclasses import dataclass

import segno
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from PIL import Image, ImageDraw, ImageFont, ImageOps

from einblick.core.pdf import find_font, hex_to_rgb, transliterate

from .models import Contestant, Episode

logger = logging.getLogger(__name__)

SERIES = "Mach mal – das Duell"
SIZES = {"1200x630": (1200, 630), "1080x1920": (1080, 1920)}
LAYOUT_VERSION = 1  # raise when the drawing changes, so cached images are drawn anew
CACHE_SECONDS = 60 * 60 * 24 * 7
WHITE, INK = (255, 255, 255), (20, 24, 28)
SUPERSAMPLE = 4  # circles are drawn this much larger and scaled down: smooth edges
# spelled out for the built-in fallback font, which has no glyphs for them
FALLBACK_REPLACEMENTS = {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}


# --- links ------------------------------------------------------------------------------------------------------


def short_url(episode: Episode, source: str = "") -> str:
    """The absolute short link of an episode (``BASE_URL/d/<short>``), with ``?utm_source=<source>`` if given.
    Used on the images, in QR codes, in the feed and on the embeddable card."""
    url = settings.EINBLICK["BASE_URL"].rstrip("/") + reverse("duel_short", args=[episode.short])
    return f"{url}?utm_source={source}" if source else url


def short_url_display(episode: Episode) -> str:
    """The short link as printed on an image: without ``https://``."""
    return short_url(episode).split("://", 1)[-1]


def qr_svg(payload: str, *, title: str = "") -> bytes:
    """A QR code as SVG, black on white with a quiet zone of four modules (posters and school boards are scanned
    from a distance), scalable (``viewBox``, no fixed size)."""
    buffer = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(
        buffer, kind="svg", scale=10, border=4, dark="#000", light="#fff", title=title or None, omitsize=True
    )
    return buffer.getvalue()


# --- fonts and text ---------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=128)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A Unicode sans font of ``size`` px from the system; else Pillow's built-in font (never raises)."""
    paths = find_font()
    if paths:
        try:
            return ImageFont.truetype(paths[1] if bold else paths[0], size)
        except OSError:
            logger.warning("Could not load the font %s; using Pillow's built-in font", paths)
    try:
        return ImageFont.load_default(size)
    except Exception:  # Pillow without FreeType: the small bitmap font
        return ImageFont.load_default()


def _has_unicode(fnt) -> bool:
    paths = find_font()
    return bool(paths) and isinstance(fnt, ImageFont.FreeTypeFont) and getattr(fnt, "path", None) in paths


def clean_text(text: str, fnt=None) -> str:
    """Text as drawn: NFC, whitespace collapsed, control and format characters (null bytes, bidi overrides)
    removed; for the fallback font umlauts are spelled out and the rest transliterated."""
    text = unicodedata.normalize("NFC", str(text or ""))
    text = "".join(
        " " if ch.isspace() else ch for ch in text if ch.isspace() or unicodedata.category(ch)[0] != "C"
    )
    text = " ".join(text.split())
    if fnt is not None and not _has_unicode(fnt):
        text = "".join(FALLBACK_REPLACEMENTS.get(ch, ch) for ch in text)
        text = unicodedata.normalize("NFKD", transliterate(text)).encode("ascii", "replace").decode("ascii")
    return text


def _line_height(fnt) -> int:
    size = getattr(fnt, "size", None)
    if size:
        return round(size * 1.2)
    _, top, _, bottom = fnt.getbbox("ÄgjyQ|")
    return bottom - top + 4


def _break_word(draw, word: str, fnt, width: int) -> list[str]:
    """A word wider than ``width`` (German compounds!) in pieces that fit, each but the last ending in '-'."""
    pieces = []
    while len(word) > 1 and draw.textlength(word, font=fnt) > width:
        low, high = 1, len(word) - 1  # the longest prefix that fits with its hyphen (at least one letter)
        while low < high:
            middle = (low + high + 1) // 2
            if draw.textlength(word[:middle] + "-", font=fnt) <= width:
                low = middle
            else:
                high = middle - 1
        cut = low
        pieces.append(word[:cut] + "-")
        word = word[cut:]
    return [*pieces, word] if word else pieces


def wrap(draw, text: str, fnt, width: int) -> list[str]:
    """Greedy word wrap to ``width`` pixels; words too long for a line are broken."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}" if current else word
        if draw.textlength(trial, font=fnt) <= width:
            current = trial
            continue
        if current:
            lines.append(current)
        pieces = _break_word(draw, word, fnt, width)
        lines.extend(pieces[:-1])
        current = pieces[-1] if pieces else ""
    if current:
        lines.append(current)
    return lines


def _ellipsize(draw, line: str, fnt, width: int) -> str:
    while line and draw.textlength(line + "…", font=fnt) > width:
        line = line[:-1].rstrip()
    return line + "…"


@dataclass
class Block:
    """Wrapped text in one font: lines and the height of a line."""

    lines: list[str]
    font: object
    line_height: int

    @property
    def height(self) -> int:
        return len(self.lines) * self.line_height


def fit(
    draw, text: str, *, width: int, height: int, max_size: int, min_size: int, max_lines: int, bold: bool
) -> Block:
    """The largest size (from ``max_size`` down to ``min_size``) at which ``text`` wraps into ``max_lines`` lines
    within ``width`` × ``height``; at the smallest size, cut with an ellipsis."""
    block = Block([], font(min_size, bold), _line_height(font(min_size, bold)))
    for size in range(max_size, min_size - 1, -2):
        fnt = font(size, bold)
        lines = wrap(draw, clean_text(text, fnt), fnt, width)
        block = Block(lines, fnt, _line_height(fnt))
        if len(lines) <= max_lines and block.height <= height:
            return block
    keep = max(1, min(max_lines, height // max(block.line_height, 1)))
    if len(block.lines) > keep:
        block.lines = [*block.lines[: keep - 1], _ellipsize(draw, block.lines[keep - 1], block.font, width)]
    return block


def fit_alike(draw, texts, **kwargs) -> list[Block]:
    """``fit`` for texts shown side by side (the two names): all in the size the longest one needs."""
    blocks = [fit(draw, text, bold=True, **kwargs) for text in texts]
    sizes = [getattr(block.font, "size", 0) for block in blocks]
    if len(set(sizes)) > 1 and min(sizes) >= kwargs["min_size"]:
        blocks = [fit(draw, text, bold=True, **{**kwargs, "max_size": min(sizes)}) for text in texts]
    return blocks


def draw_block(draw, block: Block, *, x: int, y: int, width: int, fill, align: str = "left") -> int:
    """Draw ``block`` with its top at ``y``; returns the y below it."""
    for line in block.lines:
        line_x = x
        if align == "center":
            line_x = x + (width - draw.textlength(line, font=block.font)) / 2
        elif align == "right":
            line_x = x + width - draw.textlength(line, font=block.font)
        draw.text((line_x, y), line, font=block.font, fill=fill)
        y += block.line_height
    return y


# --- colours and shapes -----------------------------------------------------------------------------------------


def _luminance(rgb) -> float:
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a, b) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_on(background) -> tuple[int, int, int]:
    """White or near-black, whichever reads better on ``background`` (brand colours are settings)."""
    return WHITE if _contrast(WHITE, background) >= _contrast(INK, background) else INK


def mix(a, b, t: float) -> tuple[int, int, int]:
    return tuple(round(x + (y - x) * t) for x, y in zip(a[:3], b[:3], strict=True))


def _circle_mask(diameter: int) -> Image.Image:
    big = Image.new("L", (diameter * SUPERSAMPLE, diameter * SUPERSAMPLE), 0)
    ImageDraw.Draw(big).ellipse((0, 0, big.width - 1, big.height - 1), fill=255)
    return big.resize((diameter, diameter), Image.Resampling.LANCZOS)


def paste_circle(canvas: Image.Image, tile: Image.Image, center: tuple[int, int], diameter: int) -> None:
    mask = _circle_mask(diameter)
    canvas.paste(tile, (center[0] - diameter // 2, center[1] - diameter // 2), mask)


def initials(name: str) -> str:
    """'Jörg-Peter Müller' → 'JM', 'Anna' → 'A', '' → '?'."""
    words = [w for w in clean_text(name).split() if w[:1].isalnum()]
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


def _photo_tile(contestant: Contestant | None, diameter: int) -> Image.Image | None:
    if contestant is None or not contestant.photo:
        return None
    try:
        with contestant.photo.open("rb") as handle, Image.open(handle) as source:
            source.draft("RGB", (diameter * 2, diameter * 2))  # JPEG: decode at a smaller scale, much faster
            picture = ImageOps.exif_transpose(source).convert("RGB")
            return ImageOps.fit(picture, (diameter, diameter), Image.Resampling.LANCZOS, centering=(0.5, 0.4))
    except Exception:  # missing file, not an image, decompression bomb: initials instead
        logger.warning(
            "Photo of contestant %s could not be used for the share image", contestant.pk, exc_info=True
        )
        return None


def draw_avatar(
    canvas: Image.Image, contestant: Contestant | None, center, diameter: int, fill, ring
) -> None:
    """The contestant's photo as a circle with a ring; without a (usable) photo their initials."""
    ring_width = max(4, diameter // 28)
    paste_circle(canvas, Image.new("RGB", (diameter, diameter), ring), center, diameter)
    inner = diameter - 2 * ring_width
    tile = _photo_tile(contestant, inner)
    if tile is None:
        tile = Image.new("RGB", (inner, inner), fill)
        draw = ImageDraw.Draw(tile)
        letters = initials(contestant.name if contestant else "")
        fnt = font(int(inner * (0.42 if len(letters) > 1 else 0.5)), bold=True)
        letters = clean_text(letters, fnt) or "?"
        left, top, right, bottom = draw.textbbox((0, 0), letters, font=fnt)
        draw.text(
            ((inner - (right - left)) / 2 - left, (inner - (bottom - top)) / 2 - top),
            letters,
            font=fnt,
            fill=text_on(fill),
        )
    paste_circle(canvas, tile, center, inner)


def draw_vs(canvas: Image.Image, center, diameter: int, accent) -> None:
    paste_circle(canvas, Image.new("RGB", (diameter, diameter), accent), center, diameter)
    draw = ImageDraw.Draw(canvas)
    fnt = font(int(diameter * 0.4), bold=True)
    left, top, right, bottom = draw.textbbox((0, 0), "VS", font=fnt)
    x = center[0] - (right - left) / 2 - left
    y = center[1] - (bottom - top) / 2 - top
    draw.text((x, y), "VS", font=fnt, fill=text_on(accent))


def draw_chip(draw, text: str, *, x: int, y: int, size: int, fill, max_width: int, align="left") -> int:
    """Text in a rounded, filled label; returns the y below it."""
    block = fit(
        draw,
        text,
        width=max_width - size,
        height=size * 2,
        max_size=size,
        min_size=max(12, size // 2),
        max_lines=1,
        bold=True,
    )
    line = block.lines[0] if block.lines else ""
    text_width = draw.textlength(line, font=block.font)
    pad_x, pad_y = round(block.line_height * 0.5), round(block.line_height * 0.25)
    chip_width = text_width + 2 * pad_x
    left = x if align == "left" else x + (max_width - chip_width) / 2
    bottom = y + block.line_height + 2 * pad_y
    draw.rounded_rectangle((left, y, left + chip_width, bottom), radius=(bottom - y) / 2, fill=fill)
    draw.text((left + pad_x, y + pad_y), line, font=block.font, fill=text_on(fill))
    return round(bottom)


# --- the images -------------------------------------------------------------------------------------------------


@dataclass
class Content:
    """What an image shows (also what its cache key hashes)."""

    season: str
    episode_line: str
    title: str
    names: tuple[str, str]
    contestants: tuple[Contestant | None, Contestant | None]
    site: str
    url: str
    primary: tuple[int, int, int]
    accent: tuple[int, int, int]

    def fingerprint(self) -> str:
        photos = [c.photo.name if c and c.photo else "" for c in self.contestants]
        parts = [
            LAYOUT_VERSION,
            SERIES,
            self.season,
            self.episode_line,
            self.title,
            *self.names,
            *photos,
            self.site,
            self.url,
            self.primary,
            self.accent,
            bool(find_font()),
        ]
        return hashlib.sha256(repr(parts).encode()).hexdigest()[:20]


def content_of(episode: Episode) -> Content:
    # the image is one public file for everybody: drawn in the site's language, not the visitor's
    with translation.override(settings.LANGUAGE_CODE):
        episode_line = gettext("Episode %(n)s") % {"n": episode.number}
    people = list(episode.contestants.all()[:2])
    people += [None] * (2 - len(people))
    return Content(
        season=episode.season.title,
        episode_line=episode_line,
        title=episode.title,
        names=tuple(c.name if c else "?" for c in people),
        contestants=tuple(people),
        site=settings.EINBLICK["SITE_NAME"],
        url=short_url_display(episode),
        primary=hex_to_rgb(settings.EINBLICK["PRIMARY_COLOR"]),
        accent=hex_to_rgb(settings.EINBLICK["ACCENT_COLOR"]),
    )


def _background(width: int, height: int, content: Content) -> Image.Image:
    canvas = Image.new("RGB", (width, height), content.primary)
    draw = ImageDraw.Draw(canvas)
    # a lighter diagonal band behind the duel, for some depth
    band = (
        mix(content.primary, WHITE, 0.08)
        if text_on(content.primary) == WHITE
        else mix(content.primary, INK, 0.06)
    )
    draw.polygon([(width * 0.45, 0), (width, 0), (width, height), (width * 0.62, height)], fill=band)
    return canvas


def _render_landscape(content: Content, width: int, height: int) -> Image.Image:
    canvas = _background(width, height, content)
    draw = ImageDraw.Draw(canvas)
    ink = text_on(content.primary)
    soft = mix(ink, content.primary, 0.22)
    pad, footer_h = 56, 76
    footer_top = height - footer_h

    # footer: site name and short link
    footer = mix(content.primary, INK, 0.35)
    draw.rectangle((0, footer_top, width, height), fill=footer)
    draw.rectangle((0, footer_top, width, footer_top + 6), fill=content.accent)
    half = (width - 2 * pad) // 2 - 12
    site = fit(draw, content.site, width=half, height=40, max_size=30, min_size=18, max_lines=1, bold=True)
    url = fit(draw, content.url, width=half, height=40, max_size=28, min_size=16, max_lines=1, bold=False)
    draw_block(
        draw,
        site,
        x=pad,
        y=footer_top + (footer_h - site.line_height) // 2 + 3,
        width=half,
        fill=text_on(footer),
    )
    draw_block(
        draw,
        url,
        x=width - pad - half,
        y=footer_top + (footer_h - url.line_height) // 2 + 3,
        width=half,
        fill=text_on(footer),
        align="right",
    )

    # left column: series, season and episode, title
    col_w = 560
    y = draw_chip(draw, SERIES, x=pad, y=pad, size=30, fill=content.accent, max_width=col_w) + 22
    line = fit(
        draw,
        f"{content.episode_line} · {content.season}",
        width=col_w,
        height=40,
        max_size=28,
        min_size=18,
        max_lines=1,
        bold=False,
    )
    y = draw_block(draw, line, x=pad, y=y, width=col_w, fill=soft) + 18
    title = fit(
        draw,
        content.title,
        width=col_w,
        height=footer_top - 36 - y,
        max_size=64,
        min_size=28,
        max_lines=4,
        bold=True,
    )
    # centred in the space left above the footer
    top = y + max(0, (footer_top - 36 - y - title.height) // 3)
    draw_block(draw, title, x=pad, y=top, width=col_w, fill=ink)

    # right column: the duel
    area_left, area_right = 650, width - pad
    diameter, vs = 196, 88
    cx = (area_left + diameter // 2, area_right - diameter // 2)
    name_w = 236
    names = fit_alike(draw, content.names, width=name_w, height=84, max_size=32, min_size=20, max_lines=2)
    block_h = diameter + 18 + max(n.height for n in names)
    cy = pad + (footer_top - 24 - pad - block_h) // 2 + diameter // 2
    fills = (mix(content.accent, WHITE, 0.15), mix(content.primary, WHITE, 0.3))
    for index in (0, 1):
        draw_avatar(canvas, content.contestants[index], (cx[index], cy), diameter, fills[index], WHITE)
        draw_block(
            draw,
            names[index],
            x=cx[index] - name_w // 2,
            y=cy + diameter // 2 + 18,
            width=name_w,
            fill=ink,
            align="center",
        )
    draw_vs(canvas, ((cx[0] + cx[1]) // 2, cy), vs, content.accent)
    return canvas


def _render_story(content: Content, width: int, height: int) -> Image.Image:
    """9:16. Instagram and TikTok lay their controls over the top and bottom ~250 px: nothing important there."""
    canvas = _background(width, height, content)
    draw = ImageDraw.Draw(canvas)
    ink = text_on(content.primary)
    soft = mix(ink, content.primary, 0.22)
    pad, safe_top, safe_bottom = 80, 260, height - 270
    inner = width - 2 * pad

    y = (
        draw_chip(
            draw, SERIES, x=pad, y=safe_top, size=50, fill=content.accent, max_width=inner, align="center"
        )
        + 36
    )
    line = fit(
        draw,
        f"{content.episode_line} · {content.season}",
        width=inner,
        height=60,
        max_size=42,
        min_size=26,
        max_lines=1,
        bold=False,
    )
    y = draw_block(draw, line, x=pad, y=y, width=inner, fill=soft, align="center") + 40

    # the duel sits at a fixed height; the title fills the space above it
    diameter, vs = 320, 128
    cy = 1110
    title_bottom = cy - diameter // 2 - 60
    title = fit(
        draw,
        content.title,
        width=inner,
        height=title_bottom - y,
        max_size=96,
        min_size=48,
        max_lines=5,
        bold=True,
    )
    draw_block(
        draw,
        title,
        x=pad,
        y=y + max(0, (title_bottom - y - title.height) // 2),
        width=inner,
        fill=ink,
        align="center",
    )

    gap = 150
    cx = (width // 2 - gap // 2 - diameter // 2, width // 2 + gap // 2 + diameter // 2)
    fills = (mix(content.accent, WHITE, 0.15), mix(content.primary, WHITE, 0.3))
    name_w = 420
    names = fit_alike(draw, content.names, width=name_w, height=120, max_size=46, min_size=28, max_lines=2)
    for index in (0, 1):
        draw_avatar(canvas, content.contestants[index], (cx[index], cy), diameter, fills[index], WHITE)
        draw_block(
            draw,
            names[index],
            x=cx[index] - name_w // 2,
            y=cy + diameter // 2 + 28,
            width=name_w,
            fill=ink,
            align="center",
        )
    draw_vs(canvas, (width // 2, cy), vs, content.accent)

    # bottom: site name and short link on a darker card
    card_h = 190
    card_top = safe_bottom - card_h
    footer = mix(content.primary, INK, 0.35)
    draw.rounded_rectangle((pad, card_top, width - pad, safe_bottom), radius=28, fill=footer)
    site = fit(
        draw, content.site, width=inner - 60, height=64, max_size=52, min_size=28, max_lines=1, bold=True
    )
    url = fit(
        draw, content.url, width=inner - 60, height=56, max_size=44, min_size=24, max_lines=1, bold=False
    )
    top = card_top + (card_h - site.height - 12 - url.height) // 2
    top = draw_block(draw, site, x=pad, y=top, width=inner, fill=text_on(footer), align="center") + 12
    draw_block(draw, url, x=pad, y=top, width=inner, fill=text_on(footer), align="center")
    return canvas


def render(content: Content, size: str) -> bytes:
    width, height = SIZES[size]
    drawer = _render_landscape if width > height else _render_story
    canvas = drawer(content, width, height)
    buffer = io.BytesIO()
    canvas.convert("RGB").save(buffer, format="PNG")
    return buffer.getvalue()


def cache_key(episode: Episode, size: str, content: Content | None = None) -> str:
    content = content or content_of(episode)
    return f"duels:share:{episode.pk}:{size}:{content.fingerprint()}"


def share_image(episode: Episode, size: str) -> bytes:
    """The episode's share image as PNG bytes, from the cache when nothing visible changed.
    ``size`` is a key of ``SIZES`` (KeyError otherwise). Who may see it is the caller's business."""
    if size not in SIZES:
        raise KeyError(size)
    content = content_of(episode)
    key = cache_key(episode, size, content)
    data = cache.get(key)
    if data is None:
        data = render(content, size)
        cache.set(key, data, CACHE_SECONDS)
    return data
