"""Reads of the API app: key look-up and the querysets behind the endpoints (public data only)."""

from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from einblick.catalog import search
from einblick.catalog import selectors as catalog
from einblick.catalog.models import Company, Field, Offer, Place, Profession, Site

from .models import ApiToken
from .services import TOKEN_PREFIX, token_hash


def api_token_active(plain: str) -> ApiToken | None:
    """The active key for a plain token, with its company; None for unknown or revoked keys."""
    plain = (plain or "").strip()
    if not plain.startswith(TOKEN_PREFIX) or len(plain) > 200:
        return None
    return (
        ApiToken.objects.select_related("company")
        .filter(token_hash=token_hash(plain), revoked_at__isnull=True)
        .first()
    )


def api_tokens_of(company: Company) -> QuerySet[ApiToken]:
    return company.api_tokens.select_related("created_by").order_by("revoked_at", "-created_at", "-id")


# --- Public catalogue -------------------------------------------------------------------------------------------
def field_exists(slug: str) -> bool:
    return Field.objects.filter(slug=slug).exists()


def profession_active(slug: str) -> Profession | None:
    return Profession.objects.filter(slug=slug, is_active=True).first()


def company_public_ref(slug: str) -> Company | None:
    """An approved company by slug, without its details (for filters)."""
    return catalog.companies_public().filter(slug=slug).first()


def fields_all() -> QuerySet[Field]:
    return Field.objects.order_by("position", "name")


def professions_list(*, field: str = "", query: str = "") -> list[Profession]:
    """Active professions with their counts; with ``query`` ranked by relevance (as the search page does)."""
    if query:
        tokens = search.parse_query(query, catalog.search_vocabulary())
        professions = catalog.professions_search(tokens, limit=10_000) if tokens else []
        return [p for p in professions if not field or p.field.slug == field]
    qs = catalog.professions_with_counts().select_related("field").order_by("name")
    return list(qs.filter(field__slug=field) if field else qs)


def profession_public(slug: str) -> Profession | None:
    return catalog.professions_with_counts().select_related("field").filter(slug=slug).first()


def text_filter(query: str) -> dict:
    """``tokens`` and ``or_professions`` for the catalogue's filters, as the one-box search builds them."""
    tokens = search.parse_query(query, catalog.search_vocabulary()) if query else []
    if not tokens:
        return {}
    best = [p.pk for p in catalog.professions_search(tokens)[:5]]
    return {"tokens": tokens, "or_professions": best}


def companies_with_professions(companies: list[Company]) -> list[Company]:
    """Load the professions of a page of companies in one query."""
    prefetch_related_objects(companies, Prefetch("professions", queryset=Profession.objects.order_by("name")))
    return companies


def company_public(slug: str) -> Company | None:
    try:
        return catalog.company_detail(slug)
    except Company.DoesNotExist:
        return None


def offers_of_company_public(company: Company) -> QuerySet[Offer]:
    return catalog.offers_open().filter(company=company)


def offer_public(pk: int) -> Offer | None:
    return catalog.offers_open().filter(pk=pk).first()


def places_list(*, plz: str = "", name: str = "") -> QuerySet[Place]:
    qs = Place.objects.order_by("plz", "name")
    if plz:
        qs = qs.filter(plz__startswith=plz)
    if name:
        qs = qs.filter(name__istartswith=name).order_by("name", "plz")
    return qs


# --- A company's own offers (API key) ---------------------------------------------------------------------------
def offers_own(company: Company) -> QuerySet[Offer]:
    """All offers of the company, expired and hidden ones included, newest first."""
    return (
        Offer.objects.filter(company=company)
        .select_related("company", "profession", "site__place")
        .order_by("-created_at", "-id")
    )


def company_own(company: Company) -> Company:
    return Company.objects.prefetch_related(
        Prefetch("sites", queryset=Site.objects.select_related("place").order_by("id"))
    ).get(pk=company.pk)
