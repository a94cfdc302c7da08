"""Logging: plain text for `make run`, one JSON object per line in production (``EINBLICK_LOG_FORMAT=json``).

``settings.LOGGING`` is built by :func:`logging_config`; with the JSON format the loggers of uvicorn (server
messages and the access log) write JSON too, so every line a web process prints can be parsed (docs/operations.md,
"Logs"). This module is imported by the settings: it must not import Django models.
"""

import json
import logging
from datetime import UTC, datetime
from typing import Any

# Attributes every LogRecord has; anything else on a record came from ``extra=`` and is passed on.
_RECORD_ATTRS = frozenset(
    vars(logging.LogRecord("", logging.INFO, "", 0, "", None, None)).keys()
    | {"message", "asctime", "color_message", "taskName"}
)
# Extras that are objects, not values: read below, never dumped whole (a request carries cookies and headers).
_SKIP_EXTRAS = frozenset({"request", "scope", "server_time"})


def _request_fields(request: Any) -> dict[str, Any]:
    """Method, path and request id of a Django request (``django.request`` passes it as ``extra``)."""
    fields: dict[str, Any] = {}
    method = getattr(request, "method", None)
    path = getattr(request, "path", None)
    if method:
        fields["method"] = method
    if path:
        fields["path"] = path
    meta = getattr(request, "META", None) or {}
    request_id = meta.get("HTTP_X_REQUEST_ID")
    if request_id:
        fields["request_id"] = str(request_id)[:200]
    return fields


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``time`` (ISO 8601, UTC), ``level``, ``logger``, ``message``; ``exception`` when
    there is one; ``request_id``, ``method``, ``path``, ``status`` when the record carries a request (Django's
    ``django.request`` logger) or is an access-log line of uvicorn; other ``extra=`` values as they are."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.name == "uvicorn.access" and isinstance(record.args, tuple) and len(record.args) == 5:
            client, method, path, _http_version, status = record.args
            entry.update(client=client, method=method, path=path, status=status)
        request = getattr(record, "request", None)
        if request is not None:
            entry.update(_request_fields(request))
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        for key, value in vars(record).items():
            if key in _RECORD_ATTRS or key in _SKIP_EXTRAS or key == "status_code" or key in entry:
                continue
            entry[key] = value if isinstance(value, str | int | float | bool | type(None)) else repr(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def logging_config(log_format: str = "plain", level: str = "INFO") -> dict[str, Any]:
    """The ``LOGGING`` dict: ``log_format`` is ``plain`` (default) or ``json``."""
    log_format = (log_format or "plain").strip().lower()
    if log_format not in {"plain", "json"}:
        raise ValueError(f"EINBLICK_LOG_FORMAT must be 'plain' or 'json', not {log_format!r}")
    config: dict[str, Any] = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
            "json": {"()": "einblick.core.logging.JsonFormatter"},
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": log_format}},
        "root": {"handlers": ["console"], "level": level or "INFO"},
        "loggers": {"django.db.backends": {"level": "WARNING"}},
    }
    if log_format == "json":
        # Python's warnings (e.g. Django's about streaming responses under ASGI) as log records, not bare stderr
        # lines between the JSON ones.
        logging.captureWarnings(True)
        # uvicorn configured its own loggers (text) before it imported Einblick: give them the JSON handler. Their
        # levels stay as uvicorn's --log-level set them. The access log only if uvicorn keeps one: with
        # --no-access-log uvicorn leaves "uvicorn.access" without handlers, and a handler added here would switch
        # it back on.
        config["loggers"]["uvicorn"] = {"handlers": ["console"], "propagate": False}
        access = logging.getLogger("uvicorn.access")
        if access.handlers or access.propagate:
            config["loggers"]["uvicorn.access"] = {"handlers": ["console"], "propagate": False}
    return config
