"""Public pages of the catalogue: professions, companies, offers and the one-box search. No account needed."""

from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from einblick.core.pagecache import cached_page
from einblick.insights.tracking import track

from .. import rules, selectors
from ..forms import CompanyFilterForm, LocationFilterForm, OfferFilterForm
from ..jsonld import job_posting, organization
from ..models import Company

PAGE_SIZE = 20


def _page(request, items):
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("seite"))


def profession_list(request):
    field_slug = request.GET.get("feld", "")[:60]
    fields = selectors.fields_with_professions()
    if field_slug:
        fields = fields.filter(slug=field_slug)
    return render(request, "catalog/profession_list.html", {"fields": fields, "field_slug": field_slug})


@cached_page(params=("ort", "umkreis"))
def profession_detail(request, slug: str):
    profession = get_object_or_404(selectors.professions_with_counts().select_related("field"), slug=slug)
    form = LocationFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {"origin": None, "radius_km": None}
    companies = selectors.companies_filter(
        profession=profession, origin=data["origin"], radius_km=data["radius_km"]
    )
    offers = selectors.offers_filter(
        profession=profession, origin=data["origin"], radius_km=data["radius_km"]
    )
    track(request, "profession", profession=profession)
    context = {
        "profession": profession,
        "form": form,
        "companies": companies[:20],
        "offers": offers[:20],
        "related": selectors.profession_related(profession),
    }
    return render(request, "catalog/profession_detail.html", context)


def _filter_args(data: dict) -> dict:
    return {
        "field": data["feld"].slug if data.get("feld") else "",
        "profession": data.get("beruf"),
        "district": data.get("kreis", ""),
        "origin": data.get("origin"),
        "radius_km": data.get("radius_km"),
    }


def company_list(request):
    form = CompanyFilterForm(request.GET or None)
    items = selectors.companies_filter(**_filter_args(form.cleaned_data)) if form.is_valid() else []
    if not form.is_bound:
        items = selectors.companies_filter()
    return render(request, "catalog/company_list.html", {"form": form, "page": _page(request, items)})


def company_detail(request, slug: str):
    company = get_object_or_404(Company, slug=slug)
    if not rules.can_preview_company(request.user, company):
        raise Http404
    company = selectors.company_detail(slug, include_unpublished=True)
    if company.is_public:
        track(request, "company", company=company)
    offers = selectors.offers_open().filter(company=company)
    return render(
        request,
        "catalog/company_detail.html",
        {"company": company, "offers": offers, "json_ld": organization(company, request)},
    )


def offer_list(request):
    form = OfferFilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        items = selectors.offers_filter(
            **_filter_args(data),
            kind=data.get("art", ""),
            certificate=data.get("abschluss", ""),
            start_year=data.get("beginn"),
        )
    else:
        items = [] if form.is_bound else selectors.offers_filter()
    return render(request, "catalog/offer_list.html", {"form": form, "page": _page(request, items)})


def offer_detail(request, pk: int):
    offer = get_object_or_404(selectors.offers_open(), pk=pk)
    track(request, "offer", profession=offer.profession_id, company=offer.company_id)
    return render(
        request, "catalog/offer_detail.html", {"offer": offer, "json_ld": job_posting(offer, request)}
    )


def search(request):
    query = request.GET.get("q", "").strip()[:200]
    form = LocationFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {"origin": None, "radius_km": None}
    result = None
    if query:
        result = selectors.search_all(query, origin=data["origin"], radius_km=data["radius_km"])
        best = result.professions[0] if result.professions else None
        track(request, "search", profession=best)
    context = {
        "query": query,
        "form": form,
        "result": result,
        "empty_query": "q" in request.GET and not query,
    }
    if context["empty_query"]:
        context["hint"] = _("Please type what you are looking for, e.g. a profession or a company.")
    return render(request, "catalog/search.html", context)


def offer_apply(request, pk: int):
    """The "apply online" button: counted as an application contact (no personal data), then on to the company's
    own application page (the stored link of the offer, so no open redirect)."""
    offer = get_object_or_404(selectors.offers_open(), pk=pk)
    if not offer.apply_url:
        raise Http404
    track(request, "contact", profession=offer.profession_id, company=offer.company_id)
    return HttpResponseRedirect(offer.apply_url)
