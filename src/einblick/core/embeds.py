"""Two-click embeds for third-party video: nothing loads from the provider before the viewer clicks."""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

from django.conf import settings
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Embed:
    provider: str  # shown to the viewer before the click
    kind: str  # "iframe" or "video"
    src: str
    privacy_url: str = ""


_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{6,20}$")


class UnknownVideoProvider(ValueError):
    pass


def embed_for(url: str, start: int | None = None) -> Embed:
    """The embed for a video URL (from second ``start`` where the player supports it); raises
    UnknownVideoProvider for anything we cannot embed safely."""
    embed = _embed_for(url)
    if start and embed.provider not in {"Instagram", "TikTok"}:  # their players cannot start later
        seconds = int(start)
        if embed.kind == "video":
            src = f"{embed.src}#t={seconds}"
        elif embed.provider == "Vimeo":
            src = f"{embed.src}#t={seconds}s"
        else:
            src = f"{embed.src}{'&' if '?' in embed.src else '?'}start={seconds}"
        embed = Embed(embed.provider, embed.kind, src, embed.privacy_url)
    return embed


def _embed_for(url: str) -> Embed:
    parsed = urlparse((url or "").strip())
    if parsed.scheme not in {"https", "http"} or not parsed.netloc:
        raise UnknownVideoProvider(_("This is not a web address of a video."))
    if parsed.username or parsed.password or parsed.port or not parsed.hostname:
        raise UnknownVideoProvider(_("This is not a web address of a video."))
    host = parsed.hostname.lower().removeprefix("www.").removeprefix("m.")
    path = parsed.path
    if host in {"youtube.com", "youtube-nocookie.com", "youtu.be"}:
        video_id = ""
        if host == "youtu.be":
            video_id = path.strip("/")
        elif path == "/watch":
            video_id = parse_qs(parsed.query).get("v", [""])[0]
        elif path.startswith(("/embed/", "/shorts/", "/live/")):
            video_id = path.split("/")[2]
        if _YOUTUBE_ID.match(video_id):
            return Embed(
                "YouTube",
                "iframe",
                f"https://www.youtube-nocookie.com/embed/{video_id}",
                "https://policies.google.com/privacy",
            )
    elif host in {"vimeo.com", "player.vimeo.com"}:
        video_id = path.rstrip("/").split("/")[-1]
        if video_id.isdigit():
            return Embed(
                "Vimeo",
                "iframe",
                f"https://player.vimeo.com/video/{video_id}?dnt=1",
                "https://vimeo.com/privacy",
            )
    elif host == "instagram.com":
        parts = [p for p in path.split("/") if p]
        if (
            len(parts) >= 2
            and parts[0] in {"p", "reel", "reels", "tv"}
            and re.match(r"^[A-Za-z0-9_-]{5,40}$", parts[1])
        ):
            kind = "reel" if parts[0].startswith("reel") else "p"
            return Embed(
                "Instagram",
                "iframe",
                f"https://www.instagram.com/{kind}/{parts[1]}/embed",
                "https://privacycenter.instagram.com/policy",
            )
    elif host == "tiktok.com":
        match = re.search(r"/video/(\d{6,25})", path) or re.match(r"^/embed/(?:v2/)?(\d{6,25})", path)
        if match:
            return Embed(
                "TikTok",
                "iframe",
                f"https://www.tiktok.com/embed/v2/{match.group(1)}",
                "https://www.tiktok.com/legal/privacy-policy-eea",
            )
    elif "/videos/watch/" in path or "/videos/embed/" in path or path.startswith("/w/"):
        # PeerTube instance: /videos/watch/<uuid>, /w/<short id>
        video_id = path.rstrip("/").split("/")[-1]
        allowed = settings.EINBLICK.get("PEERTUBE_HOSTS") or []
        if re.match(r"^[A-Za-z0-9-]{6,40}$", video_id) and (not allowed or host in allowed):
            return Embed(f"PeerTube ({host})", "iframe", f"https://{host}/videos/embed/{video_id}")
    elif parsed.scheme == "https" and path.lower().endswith((".mp4", ".webm", ".m3u8")):
        return Embed(host, "video", parsed.geturl())
    raise UnknownVideoProvider(
        _(
            "Videos from this address cannot be embedded. Use YouTube, Vimeo, PeerTube, Instagram, TikTok or a "
            "direct MP4/HLS link."
        )
    )
