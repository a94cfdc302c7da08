"""Network staff: review registered companies, hide content, import offers from the Bundesagentur für Arbeit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import rules, services
from ..ba import selectors as ba_selectors
from ..ba import services as ba_services
from ..ba.forms import OfferImportForm
from ..forms import ReasonForm
from ..models import Company, Offer


def _require_staff(request):
    if not rules.can_review_companies(request.user):
        raise Http404


@login_required
def company_queue(request):
    _require_staff(request)
    status = request.GET.get("status", Company.Status.PENDING)
    if status not in Company.Status.values:
        status = Company.Status.PENDING
    companies = (
        Company.objects.filter(status=status)
        .prefetch_related("sites__place", "contacts")
        .order_by("created_at")
    )
    return render(
        request,
        "catalog/staff/company_queue.html",
        {
            "companies": companies,
            "status": status,
            "statuses": Company.Status.choices,
            "reason_form": ReasonForm(),
        },
    )


@login_required
@require_POST
def company_decide(request, slug: str, action: str):
    _require_staff(request)
    company = get_object_or_404(Company, slug=slug)
    if action == "approve":
        services.company_approve(company=company, by=request.user)
        messages.success(request, _("%(name)s is approved and visible.") % {"name": company.name})
    elif action in {"reject", "hide"}:
        form = ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Please give a reason."))
            return redirect(f"{reverse('catalog:staff_companies')}?status={company.status}")
        if action == "reject":
            services.company_reject(company=company, by=request.user, reason=form.cleaned_data["reason"])
            messages.success(
                request, _("%(name)s was rejected; the company was told why.") % {"name": company.name}
            )
        else:
            services.company_set_hidden(company=company, hidden=True, reason=form.cleaned_data["reason"])
            messages.success(request, _("%(name)s is hidden.") % {"name": company.name})
    elif action == "unhide" and company.status == Company.Status.HIDDEN:
        services.company_set_hidden(company=company, hidden=False)
        messages.success(request, _("%(name)s is visible again.") % {"name": company.name})
    else:
        raise Http404
    return redirect("catalog:staff_companies")


@login_required
@require_POST
def offer_hide(request, pk: int):
    _require_staff(request)
    offer = get_object_or_404(Offer, pk=pk)
    services.offer_set_hidden(offer=offer, hidden=request.POST.get("hidden") != "0")
    messages.success(request, _("Offer updated."))
    return redirect(offer.company.get_absolute_url())


@login_required
def offer_import(request):
    """Start an import of offers from the BA job search and follow the last imports."""
    _require_staff(request)
    form = OfferImportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if ba_selectors.offer_import_running() is not None:
            messages.error(request, _("An import is already running. Please wait until it has finished."))
        else:
            ba_services.offer_import_start(
                wo=form.cleaned_data["wo"], umkreis=form.cleaned_data["umkreis"], started_by=request.user
            )
            messages.success(request, _("The import has started. This page shows its progress."))
            return redirect("catalog:staff_offer_import")
    imports = ba_selectors.offer_imports_recent()
    return render(
        request,
        "catalog/staff/offer_import.html",
        {"form": form, "imports": imports, "running": any(i.is_running for i in imports)},
    )
