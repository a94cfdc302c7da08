"""Public read endpoints: occupational fields, professions, companies, offers, places. No key needed.

Only public data: approved companies, open offers, and what their pages show (contact persons included).
"""

from django.http import Http404, HttpResponse
from django.utils.http import http_date
from django.utils.translation import gettext as _
from ninja import Path, Query

from einblick.catalog import selectors as catalog

from . import selectors
from .errors import InvalidInput
from .guard import ApiRouter
from .paging import page
from .schemas import (
    CompanyDetailOut,
    CompanyFilters,
    CompanyPage,
    ErrorOut,
    FieldPage,
    OfferFilters,
    OfferOut,
    OfferPage,
    Paging,
    PlaceFilters,
    PlacePage,
    ProfessionFilters,
    ProfessionOut,
    ProfessionPage,
)

router = ApiRouter(tags=["catalogue"])

ERRORS = {404: ErrorOut, 422: ErrorOut, 429: ErrorOut}
DEFAULT_RADIUS_KM = 50.0
MAX_ID = 2**63 - 1


def _last_modified(response: HttpResponse, items) -> None:
    stamps = [getattr(item, "updated_at", None) for item in items]
    stamps = [stamp for stamp in stamps if stamp]
    if stamps:
        response["Last-Modified"] = http_date(max(stamps).timestamp())


def _location_args(filters: CompanyFilters, errors: dict) -> dict:
    """``field``, ``profession``, ``district``, ``origin``, ``radius_km`` and text filter for the selectors."""
    args: dict = {"district": filters.district}
    if filters.field:
        if not selectors.field_exists(filters.field):
            errors["field"] = [_("Unknown occupational field.")]
        args["field"] = filters.field
    if filters.profession:
        args["profession"] = selectors.profession_active(filters.profession)
        if args["profession"] is None:
            errors["profession"] = [_("Unknown profession.")]
    origin = None
    if filters.place.strip():
        origin = catalog.place_resolve(filters.place)
        if origin is None:
            errors["place"] = [_("We do not know this postal code or town. Please check it.")]
    elif filters.radius_km is not None:
        errors["radius_km"] = [_("Give a postal code or town (place) to measure the distance from.")]
    args["origin"] = origin
    args["radius_km"] = (filters.radius_km or DEFAULT_RADIUS_KM) if origin else None
    if filters.q.strip():
        args.update(selectors.text_filter(filters.q))
    return args


# --- Occupational fields and professions ------------------------------------------------------------------------
@router.get("/fields", response={200: FieldPage, **ERRORS}, summary="List occupational fields")
def field_list(request, paging: Query[Paging]):
    return page(request, selectors.fields_all(), paging)


@router.get("/professions", response={200: ProfessionPage, **ERRORS}, summary="List professions")
def profession_list(request, filters: Query[ProfessionFilters]):
    """Active professions with the number of approved companies and open offers; `q` ranks by relevance."""
    if filters.field and not selectors.field_exists(filters.field):
        raise InvalidInput({"field": [_("Unknown occupational field.")]})
    professions = selectors.professions_list(field=filters.field, query=filters.q.strip())
    return page(request, professions, filters)


@router.get("/professions/{slug}", response={200: ProfessionOut, **ERRORS}, summary="One profession")
def profession_detail(request, slug: str):
    profession = selectors.profession_public(slug)
    if profession is None:
        raise Http404
    return profession


# --- Companies --------------------------------------------------------------------------------------------------
@router.get("/companies", response={200: CompanyPage, **ERRORS}, summary="List companies")
def company_list(request, response: HttpResponse, filters: Query[CompanyFilters]):
    """Approved companies; with `place` nearest first and within `radius_km`, otherwise by name."""
    errors: dict = {}
    args = _location_args(filters, errors)
    if errors:
        raise InvalidInput(errors)
    companies = catalog.companies_filter(**args)
    result = page(request, companies, filters)
    selectors.companies_with_professions(result["results"])
    _last_modified(response, [located.item for located in companies])
    return result


@router.get("/companies/{slug}", response={200: CompanyDetailOut, **ERRORS}, summary="One company")
def company_detail(request, response: HttpResponse, slug: str):
    """An approved company with its sites, professions and contact persons."""
    company = selectors.company_public(slug)
    if company is None:
        raise Http404
    company.open_offer_count = selectors.offers_of_company_public(company).count()
    _last_modified(response, [company])
    return company


# --- Offers -----------------------------------------------------------------------------------------------------
@router.get("/offers", response={200: OfferPage, **ERRORS}, summary="List open offers")
def offer_list(request, response: HttpResponse, filters: Query[OfferFilters]):
    """Open offers (not expired, of approved companies); with `place` nearest first, otherwise by start date."""
    errors: dict = {}
    args = _location_args(filters, errors)
    company = None
    if filters.company:
        company = selectors.company_public_ref(filters.company)
        if company is None:
            errors["company"] = [_("Unknown company.")]
    if errors:
        raise InvalidInput(errors)
    offers = catalog.offers_filter(
        **args, kind=filters.kind or "", certificate=filters.certificate or "", start_year=filters.start_year
    )
    if company is not None:
        offers = [located for located in offers if located.item.company_id == company.pk]
    _last_modified(response, [located.item for located in offers])
    return page(request, offers, filters)


@router.get("/offers/{offer_id}", response={200: OfferOut, **ERRORS}, summary="One open offer")
def offer_detail(request, response: HttpResponse, offer_id: int = Path(..., ge=1, le=MAX_ID)):
    offer = selectors.offer_public(offer_id)
    if offer is None:
        raise Http404
    _last_modified(response, [offer])
    return offer


# --- Places -----------------------------------------------------------------------------------------------------
@router.get("/places", response={200: PlacePage, **ERRORS}, summary="Find places")
def place_list(request, filters: Query[PlaceFilters]):
    """Postal codes with town, district and coordinates — by the beginning of the postal code or the town."""
    return page(request, selectors.places_list(plz=filters.plz, name=filters.name.strip()), filters)
