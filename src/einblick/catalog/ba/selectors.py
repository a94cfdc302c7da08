"""Reads for the BA import: recent imports with their report in readable form."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from ..models import OfferImport
from .reasons import reason_text

# A running import older than this is taken as dead (worker stopped) and no longer blocks a new one.
STALE_AFTER = timedelta(hours=1)


@dataclass
class ReportLine:
    ref: str
    text: str


def offer_import_running() -> OfferImport | None:
    """The import that is still running (queued or in progress), if any."""
    return (
        OfferImport.objects.filter(
            status=OfferImport.Status.RUNNING, started_at__gte=timezone.now() - STALE_AFTER
        )
        .order_by("-started_at")
        .first()
    )


def offer_imports_recent(limit: int = 10) -> list[OfferImport]:
    """The last imports, newest first, each with ``problem_lines``, ``note_lines``, ``unmapped_titles``."""
    imports = list(OfferImport.objects.select_related("started_by").order_by("-started_at", "-id")[:limit])
    for offer_import in imports:
        report = offer_import.report or {}
        offer_import.problem_lines = [
            ReportLine(item.get("ref", ""), reason_text(item.get("reason", ""), item.get("detail", "")))
            for item in report.get("problems", [])
        ]
        offer_import.note_lines = [
            reason_text(item.get("reason", ""), item.get("detail", "")) for item in report.get("notes", [])
        ]
        offer_import.unmapped_titles = report.get("unmapped", [])
        offer_import.unknown_fields = report.get("unknown_fields", [])
        offer_import.companies_created = report.get("companies_created", 0)
    return imports
