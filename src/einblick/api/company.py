"""Endpoints for a company's own offers, authenticated with the company's API key (``Authorization: Bearer``).

Writes use the validation of the company screens (``OfferForm``) and ``catalog.services.offer_save``.
Another company's offer answers 404.
"""

from django.http import Http404
from ninja import Path, Query
from ninja.responses import Status

from . import rules, selectors, services
from .auth import ApiKeyAuth
from .guard import ApiRouter
from .paging import page
from .schemas import ErrorOut, OfferIn, OfferPatch, OwnCompanyOut, OwnOfferOut, OwnOfferPage, Paging

router = ApiRouter(auth=ApiKeyAuth(), tags=["company (API key)"])

ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}
BODY_ERRORS = {400: ErrorOut, **ERRORS}  # 400: the body is not JSON
MAX_ID = 2**63 - 1


def _own_offer(request, offer_id: int):
    token = request.auth
    offer = selectors.offers_own(token.company).filter(pk=offer_id).first()
    if offer is None or not rules.token_can_write_offer(token, offer):
        raise Http404
    return offer


def _reloaded(request, offer):
    return selectors.offers_own(request.auth.company).get(pk=offer.pk)


@router.get("", response={200: OwnCompanyOut, **ERRORS}, summary="The company of the API key")
def company_self(request):
    """Your company with its sites: the `id` of a site is what an offer's `site` expects."""
    company = selectors.company_own(request.auth.company)
    company.api_key = request.auth
    return company


@router.get("/offers", response={200: OwnOfferPage, **ERRORS}, summary="List your offers")
def own_offer_list(request, paging: Query[Paging]):
    """All offers of your company, expired and hidden ones included, newest first."""
    return page(request, selectors.offers_own(request.auth.company), paging)


@router.post("/offers", response={201: OwnOfferOut, **BODY_ERRORS}, summary="Create an offer")
def own_offer_create(request, payload: OfferIn):
    offer = services.offer_submit(company=request.auth.company, data=payload.model_dump())
    return Status(201, _reloaded(request, offer))


@router.get("/offers/{offer_id}", response={200: OwnOfferOut, **ERRORS}, summary="One of your offers")
def own_offer_detail(request, offer_id: int = Path(..., ge=1, le=MAX_ID)):
    return _own_offer(request, offer_id)


@router.put("/offers/{offer_id}", response={200: OwnOfferOut, **BODY_ERRORS}, summary="Replace an offer")
def own_offer_replace(request, payload: OfferIn, offer_id: int = Path(..., ge=1, le=MAX_ID)):
    offer = _own_offer(request, offer_id)
    offer = services.offer_submit(company=request.auth.company, offer=offer, data=payload.model_dump())
    return _reloaded(request, offer)


@router.patch("/offers/{offer_id}", response={200: OwnOfferOut, **BODY_ERRORS}, summary="Change an offer")
def own_offer_update(request, payload: OfferPatch, offer_id: int = Path(..., ge=1, le=MAX_ID)):
    """Only the fields you send change; `null` empties an optional field."""
    offer = _own_offer(request, offer_id)
    data = payload.model_dump(exclude_unset=True)
    offer = services.offer_submit(company=request.auth.company, offer=offer, data=data, partial=True)
    return _reloaded(request, offer)


@router.delete("/offers/{offer_id}", response={204: None, **ERRORS}, summary="Delete an offer")
def own_offer_delete(request, offer_id: int = Path(..., ge=1, le=MAX_ID)):
    services.offer_remove(offer=_own_offer(request, offer_id))
    return Status(204, None)
