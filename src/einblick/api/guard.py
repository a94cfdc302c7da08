"""What every API operation does around its view: rate limit, refuse unknown or unsafe query parameters,
conditional GET (ETag, 304) and caching headers.

``ApiRouter`` wraps each operation it registers, so no endpoint can forget it.
"""

import hashlib
from functools import wraps

from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from ninja import Router
from ninja.decorators import decorate_view
from ninja.errors import Throttled

from . import ratelimit
from .auth import request_token
from .errors import InvalidInput

PUBLIC_MAX_AGE = 60
EXPOSED_HEADERS = (
    "ETag, Last-Modified, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"
)


def _query_names(operation) -> frozenset[str]:
    names = set()
    for model in operation.models:
        if getattr(model, "__ninja_param_source__", None) == "query":
            names.update(model.__ninja_flatten_map__)
    return frozenset(names)


def _check_query(request, allowed: frozenset[str]) -> None:
    errors = {}
    for name in request.GET:
        if name not in allowed:
            errors[name[:100]] = [_("Unknown parameter.")]
        elif any("\x00" in value for value in request.GET.getlist(name)):
            errors[name] = [_("Null characters are not allowed.")]
    if "\x00" in request.path:
        errors["__all__"] = [_("Null characters are not allowed.")]
    if errors:
        unknown = [name for name, messages in errors.items() if messages == [_("Unknown parameter.")]]
        if unknown:
            message = _("Unknown query parameter: %(names)s.") % {"names": ", ".join(unknown)}
        else:
            message = _("The input is not valid.")
        raise InvalidInput(errors, message=message)


def _etag(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def guard(run):
    operation = run.__self__
    allowed = _query_names(operation)

    @wraps(run)
    def guarded(request, *args, **kwargs):
        public = not operation.auth_callbacks
        token = request_token(request)
        usage = None
        try:
            usage = ratelimit.hit(request, token)
            _check_query(request, allowed)
        except (Throttled, InvalidInput) as exc:
            response = operation.api.on_exception(request, exc)
        else:
            response = run(request, *args, **kwargs)
        if request.method == "GET" and response.status_code == 200:
            if public:
                patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
            else:
                patch_cache_control(response, private=True, no_cache=True)
                patch_vary_headers(response, ["Authorization"])
            response["ETag"] = _etag(response.content)
            response = get_conditional_response(request, etag=response["ETag"], response=response)
        elif response.status_code != 304:
            patch_cache_control(response, no_store=True)
        if usage is not None:
            response["X-RateLimit-Limit"] = str(usage.limit)
            response["X-RateLimit-Remaining"] = str(usage.remaining)
            response["X-RateLimit-Reset"] = str(usage.reset)
        if public:
            response["Access-Control-Allow-Origin"] = "*"
            response["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        return response

    return guarded


class ApiRouter(Router):
    """A router whose operations all pass through ``guard``."""

    def add_api_operation(self, path, methods, view_func, **kwargs):
        decorate_view(guard)(view_func)
        return super().add_api_operation(path, methods, view_func, **kwargs)
