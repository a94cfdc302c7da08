"""Errors of the API and their one JSON shape: ``{"message": "...", "errors": {field: [messages]}}``."""

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

logger = logging.getLogger("einblick.api")


class InvalidInput(Exception):
    """Bad input found outside pydantic (unknown parameters, unknown slugs or places): answered with 422."""

    def __init__(self, errors: dict[str, list[str]], message: str | None = None):
        self.errors = errors
        self.message = message
        super().__init__(errors)


def error_body(message: str, errors: dict | None = None) -> dict:
    return {
        "message": str(message),
        "errors": {key: [str(m) for m in value] for key, value in (errors or {}).items()},
    }


# Pydantic's error types answered with Django's own (translated) messages; others keep pydantic's text.
def _message(error: dict) -> str:
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Enter a whole number.")
    if kind in {"float_parsing", "float_type", "finite_number"}:
        return _("Enter a number.")
    if kind in {"date_parsing", "date_type", "date_from_datetime_parsing", "date_from_datetime_inexact"}:
        return _("Enter a valid date.")
    if kind == "less_than_equal":
        return _("Ensure this value is less than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("le")
        }
    if kind == "greater_than_equal":
        return _("Ensure this value is greater than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("ge")
        }
    if kind == "literal_error":
        return _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    if kind == "string_pattern_mismatch":
        return _("Enter a valid value.")
    if kind in {"model_attributes_type", "model_type", "dict_type"}:
        return _("Expected a JSON object.")
    if kind == "list_type":
        return _("Enter a list of values.")
    if kind == "extra_forbidden":
        return _("Unknown field.")
    return str(error.get("msg", _("Enter a valid value.")))


def _field_name(loc: tuple | list) -> str:
    """("query", "limit") → "limit"; ("body", "payload", "pay", 0) → "pay.0"; ("body", "payload") → "__all__"."""
    parts = [str(part) for part in loc]
    if parts and parts[0] == "body":
        parts = parts[2:]
    elif parts:
        parts = parts[1:]
    return ".".join(parts) or "__all__"


def ninja_validation_errors(exc: NinjaValidationError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(_field_name(error.get("loc", ())), []).append(_message(error))
    return errors


def install(api) -> None:
    """Register the exception handlers that give every 4xx/5xx answer the same JSON shape."""

    def respond(request, status: int, message: str, errors: dict | None = None):
        return api.create_response(request, error_body(message, errors), status=status)

    @api.exception_handler(NinjaValidationError)
    def on_ninja_validation(request, exc):
        return respond(request, 422, _("The input is not valid."), ninja_validation_errors(exc))

    @api.exception_handler(InvalidInput)
    def on_invalid_input(request, exc):
        return respond(request, 422, exc.message or _("The input is not valid."), exc.errors)

    @api.exception_handler(DjangoValidationError)
    def on_django_validation(request, exc):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return respond(request, 422, _("The input is not valid."), errors)

    @api.exception_handler(Http404)
    def on_not_found(request, exc):
        return respond(request, 404, _("Not found."))

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request, exc):
        response = respond(
            request, 401, exc.message if exc.message != "Unauthorized" else _("Not logged in.")
        )
        response["WWW-Authenticate"] = 'Bearer realm="einblick"'
        return response

    @api.exception_handler(Throttled)
    def on_throttled(request, exc):
        response = respond(request, 429, _("Too many requests. Please wait a moment and try again."))
        if exc.wait is not None:
            response["Retry-After"] = str(int(exc.wait))
        return response

    @api.exception_handler(HttpError)
    def on_http_error(request, exc):
        if exc.status_code == 400:  # django-ninja could not parse the body
            return respond(request, 400, _("The request body is not valid JSON."))
        return respond(request, exc.status_code, exc.message)

    @api.exception_handler(Exception)
    def on_error(request, exc):
        logger.exception("API error on %s %s", request.method, request.path)
        return respond(request, 500, _("Sorry, something went wrong on our side."))
