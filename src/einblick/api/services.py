"""Every write of the API app: API keys (create, revoke, mark as used) and offers written through the API."""

import hashlib
import secrets
from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from einblick.catalog import services as catalog_services
from einblick.catalog.models import Company, Offer

from .forms import ApiOfferForm
from .models import ApiToken

TOKEN_PREFIX = "ebk_"
TOUCH_INTERVAL = timedelta(minutes=1)


def token_hash(plain: str) -> str:
    return hashlib.sha256(plain.encode("utf-8", "surrogatepass")).hexdigest()


# --- API keys ---------------------------------------------------------------------------------------------------
def api_token_create(*, company: Company, name: str, created_by) -> tuple[ApiToken, str]:
    """A new key for ``company``. Returns the stored key and the plain token, which is never stored."""
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        company=company,
        name=name.strip(),
        token_hash=token_hash(plain),
        prefix=plain[: len(TOKEN_PREFIX) + 6],
        created_by=created_by if getattr(created_by, "is_authenticated", False) else None,
    )
    return token, plain


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke a key for good; requests with it answer 401 from now on."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_touch(*, token: ApiToken) -> None:
    """Record that a key was used (at most once a minute per key, so reads do not all turn into writes)."""
    now = timezone.now()
    if token.last_used_at and now - token.last_used_at < TOUCH_INTERVAL:
        return
    if not cache.add(f"api:token-touch:{token.pk}", 1, int(TOUCH_INTERVAL.total_seconds())):
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


# --- Offers -----------------------------------------------------------------------------------------------------
def _form_value(value):
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return value


def offer_form_data(offer: Offer) -> dict:
    """An existing offer as input for ``ApiOfferForm`` (the base of a partial update)."""
    return {
        "kind": offer.kind,
        "profession": offer.profession.slug,
        "title": offer.title,
        "site": offer.site_id,
        "start_date": offer.start_date.isoformat(),
        "places": offer.places,
        "certificate": offer.certificate,
        "pay": _form_value(offer.pay),
        "description": offer.description,
        "apply_url": offer.apply_url,
        "apply_email": offer.apply_email,
        "valid_until": offer.valid_until.isoformat(),
    }


def offer_submit(*, company: Company, data: dict, offer: Offer | None = None, partial: bool = False) -> Offer:
    """Create or update an offer of ``company`` from API input.

    Validation is the one of the company screens (``OfferForm``); invalid input raises ``ValidationError`` with
    the form's messages per field and changes nothing. ``partial`` keeps the values that ``data`` leaves out.
    """
    values = offer_form_data(offer) if (offer is not None and partial) else {}
    values.update({key: _form_value(value) for key, value in data.items()})
    if not values.get("site"):
        sites = list(company.sites.values_list("pk", flat=True)[:2])
        if len(sites) == 1:
            values["site"] = sites[0]
    form = ApiOfferForm(data=values, instance=offer, company=company)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    with transaction.atomic():
        return catalog_services.offer_save(company=company, offer=offer, **form.cleaned_data)


def offer_remove(*, offer: Offer) -> None:
    catalog_services.offer_delete(offer=offer)
