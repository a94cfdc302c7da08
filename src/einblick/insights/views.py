"""The insights: the network's dashboard and report, a company's own figures; exports (CSV, XLSX, PDF)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from einblick.catalog.models import Company

from . import exports, rules, selectors
from .forms import PeriodForm
from .tasks import rollup_task

FORMATS = {
    "csv": ("text/csv; charset=utf-8", exports.report_csv, exports.company_csv),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        exports.report_xlsx,
        exports.company_xlsx,
    ),
    "pdf": ("application/pdf", exports.report_pdf, exports.company_pdf),
}


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _period_form(request, **kwargs) -> PeriodForm:
    return PeriodForm(request.GET or None, **kwargs)


@login_required
def dashboard(request):
    if not rules.can_see_network(request.user):
        raise Http404
    form = _period_form(request, districts=selectors.district_names())
    period = form.period()
    context = {
        "form": form,
        "report": selectors.report(period),
        "query": request.GET.urlencode(),
        "raw_days": settings.EINBLICK["INSIGHTS_RAW_DAYS"],
    }
    return render(request, "insights/dashboard.html", context)


@login_required
def report_export(request, fmt: str):
    if not rules.can_see_network(request.user) or fmt not in FORMATS:
        raise Http404
    period = _period_form(request, districts=selectors.district_names()).period()
    content_type, make, _company = FORMATS[fmt]
    report = selectors.report(period)
    return _download(make(report), content_type, exports.filename(report, fmt))


def _company(request, slug: str) -> Company:
    company = get_object_or_404(Company, slug=slug)
    if not rules.can_see_company(request.user, company):
        raise Http404
    return company


@login_required
def company(request, slug: str):
    obj = _company(request, slug)
    form = _period_form(request, with_district=False)
    context = {
        "form": form,
        "report": selectors.company_report(form.period(), obj),
        "company": obj,
        "query": request.GET.urlencode(),
        "raw_days": settings.EINBLICK["INSIGHTS_RAW_DAYS"],
    }
    return render(request, "insights/company.html", context)


@login_required
def company_export(request, slug: str, fmt: str):
    obj = _company(request, slug)
    if fmt not in FORMATS:
        raise Http404
    period = _period_form(request, with_district=False).period()
    content_type, _network, make = FORMATS[fmt]
    report = selectors.company_report(period, obj)
    return _download(make(report), content_type, exports.filename(report, fmt))


@login_required
@require_POST
def refresh(request):
    """Staff ask for the figures to be recounted now (a background task; the page shows when it finished)."""
    if not rules.can_see_network(request.user):
        raise Http404
    rollup_task.enqueue()
    messages.success(request, _("The figures are being recounted; reload the page in a minute."))
    return redirect("insights:dashboard")
