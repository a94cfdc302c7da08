"""The error pages. A database that is away for a moment (restart, failover) answers 503 "gleich wieder da" with
``Retry-After`` instead of a 500 — rendered without touching the database (no session, no user); Django opens a
fresh connection on the next request (``CONN_HEALTH_CHECKS``), so Einblick recovers without a restart."""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 10


def server_error(request):
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        logger.warning("database unavailable: %s", error)
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "500.html", status=500)
