"""Exhibitor statistics: a company sees its own booth and sessions, network staff see every exhibitor."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from einblick.core.spreadsheet import to_csv

from .. import rules, selectors, stats
from ..models import Fair


def _company_stats(request, slug: str, company: str):
    fair = Fair.objects.filter(slug=slug).first()
    exhibitor = selectors.exhibitor_for_company(fair, company) if fair else None
    if exhibitor is None or not rules.can_view_company_stats(request.user, exhibitor.company):
        raise Http404
    return stats.exhibitor_stats(exhibitor)


def _csv(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def company_stats(request, slug: str, company: str):
    result = _company_stats(request, slug, company)
    context = {"fair": result.exhibitor.fair, "company": result.exhibitor.company, "stats": result}
    return render(request, "fair/stats_company.html", context)


@login_required
def company_stats_csv(request, slug: str, company: str):
    result = _company_stats(request, slug, company)
    table = request.GET.get("tabelle", "sessions")
    if table == "besuche":
        header, rows = stats.visit_table(result)
        name = f"standbesuche-{slug}-{company}.csv"
    else:
        header, rows = stats.session_table(result)
        name = f"sessions-{slug}-{company}.csv"
    return _csv(to_csv(header, rows), name)


def _staff_fair(request, slug: str) -> Fair:
    fair = Fair.objects.filter(slug=slug).first()
    if fair is None or not rules.can_view_fair_stats(request.user):
        raise Http404
    return fair


@login_required
def fair_stats(request, slug: str):
    fair = _staff_fair(request, slug)
    all_stats = stats.fair_stats(fair)
    totals = {
        "visits": sum(s.visits_total for s in all_stats),
        "booth_questions": sum(s.booth_questions for s in all_stats),
        "questions": sum(s.questions_asked for s in all_stats),
        "agenda": sum(s.agenda_total for s in all_stats),
    }
    return render(request, "fair/stats_fair.html", {"fair": fair, "all_stats": all_stats, "totals": totals})


@login_required
def fair_stats_csv(request, slug: str):
    fair = _staff_fair(request, slug)
    header, rows = stats.exhibitor_table(stats.fair_stats(fair))
    return _csv(to_csv(header, rows), f"aussteller-statistik-{slug}.csv")
