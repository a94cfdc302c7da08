"""Authentication of company clients: ``Authorization: Bearer <API key>``."""

from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from . import selectors, services

_CACHE_ATTR = "_einblick_api_token"


def request_token(request):
    """The active API key the request carries (looked up once per request); None without a valid key."""
    if not hasattr(request, _CACHE_ATTR):
        token = None
        scheme, _sep, value = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            token = selectors.api_token_active(value.strip())
            if token is not None:
                services.api_token_touch(token=token)
        setattr(request, _CACHE_ATTR, token)
    return getattr(request, _CACHE_ATTR)


class ApiKeyAuth(HttpBearer):
    """A company's API key, created by its members under "API access" in the company settings."""

    def __call__(self, request):
        token = request_token(request)
        if token is None:
            raise AuthenticationError(message=_("Missing, unknown or revoked API key."))
        return token

    def authenticate(self, request, token):  # pragma: no cover - __call__ does the work
        return request_token(request)
