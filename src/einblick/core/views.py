from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from einblick.catalog import selectors as catalog


def home(request):
    return render(request, "core/home.html", catalog.home_overview())


@never_cache
def healthz(request):
    """Liveness and readiness: the process answers and the database is reachable."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok"})
    except Exception:  # pragma: no cover - exercised by operations, not unit tests
        return JsonResponse({"status": "database unavailable"}, status=503)


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)


def safety(request):
    """For parents and teachers: what pupils can and cannot do on Einblick, what is stored, how to report."""
    from django.conf import settings

    return render(
        request,
        "core/safety.html",
        {
            "consent_age": settings.EINBLICK.get("CONSENT_AGE", 16),
            "retention_months": settings.EINBLICK["PUPIL_RETENTION_MONTHS"],
        },
    )
