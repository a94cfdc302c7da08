"""Security headers for every response: Content Security Policy (no inline scripts) and Permissions Policy."""

from django.conf import settings

# Videos of the fair and the duels come from many hosts (YouTube-nocookie, Vimeo, PeerTube instances, Instagram,
# TikTok), hence frames, images and media from any https origin; scripts only from Einblick itself.
CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",  # style attributes for bars; no inline scripts
    "img-src": "'self' data: https:",
    "media-src": "'self' blob: https:",
    "frame-src": "https:",
    "connect-src": "'self'",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'self'",
}
PERMISSIONS = "camera=(self), microphone=(), geolocation=(self), payment=(), usb=(), interest-cohort=()"


def _policy(embeddable: bool) -> str:
    directives = dict(CSP)
    extra = getattr(settings, "EINBLICK_CSP_EXTRA", {})
    for name, value in extra.items():
        directives[name] = f"{directives.get(name, '')} {value}".strip()
    if embeddable:  # pages meant for other sites' iframes (the duel card)
        directives["frame-ancestors"] = "*"
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        embeddable = getattr(response, "xframe_options_exempt", False)
        response.headers.setdefault("Content-Security-Policy", _policy(embeddable))
        response.headers.setdefault("Permissions-Policy", PERMISSIONS)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response
