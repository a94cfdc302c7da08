"""Reads of the catalogue: public querysets, place look-up, distance filters and the one-box search."""

import math
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from . import search
from .models import Certificate, Company, CompanyMembership, Field, Offer, Place, Profession, Site

EARTH_RADIUS_KM = 6371.0
DISTANCES_KM = (10, 25, 50)


# --- Places and distance ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Origin:
    """A point a pupil searches from: a PLZ or a town, resolved to coordinates."""

    label: str
    latitude: float
    longitude: float


def place_record(text: str) -> Place | None:
    """The Place for "26871", "Papenburg" or "26871 Papenburg" (the first PLZ of a town with several)."""
    text = " ".join((text or "").split())[:80]
    plz = next((part for part in text.split() if part.isdigit() and len(part) == 5), None)
    if plz:
        rest = " ".join(part for part in text.split() if part != plz)
        places = Place.objects.filter(plz=plz)
        return (places.filter(name__iexact=rest).first() if rest else None) or places.order_by("name").first()
    return Place.objects.filter(name__iexact=text).order_by("plz").first() if text else None


def place_resolve(text: str) -> Origin | None:
    """Resolve "26871", "Papenburg" or "26871 Papenburg" to coordinates; None when unknown."""
    text = " ".join((text or "").split())[:80]
    if not text:
        return None
    plz = next((part for part in text.split() if part.isdigit() and len(part) == 5), None)
    if plz:
        rows = list(Place.objects.filter(plz=plz))
        if not rows:
            return None
        label = f"{plz} {rows[0].name}"
    else:
        rows = list(Place.objects.filter(name__iexact=text))
        if not rows:
            folded = search.fold(text)
            rows = [
                p for p in Place.objects.filter(name__istartswith=text[:3]) if search.fold(p.name) == folded
            ]
        if not rows:
            return None
        label = rows[0].name
    return Origin(
        label=label,
        latitude=sum(p.latitude for p in rows) / len(rows),
        longitude=sum(p.longitude for p in rows) / len(rows),
    )


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def bounding_box(origin: Origin, radius_km: float) -> dict[str, float]:
    dlat = radius_km / 111.2
    dlon = radius_km / (111.2 * max(math.cos(math.radians(origin.latitude)), 0.01))
    return {
        "lat_min": origin.latitude - dlat,
        "lat_max": origin.latitude + dlat,
        "lon_min": origin.longitude - dlon,
        "lon_max": origin.longitude + dlon,
    }


def site_q(prefix: str, origin: Origin, radius_km: float) -> Q:
    """Q object selecting rows whose site (reached by ``prefix``) lies in the bounding box of the radius."""
    box = bounding_box(origin, radius_km)
    return Q(
        **{
            f"{prefix}latitude__gte": box["lat_min"],
            f"{prefix}latitude__lte": box["lat_max"],
            f"{prefix}longitude__gte": box["lon_min"],
            f"{prefix}longitude__lte": box["lon_max"],
        }
    )


# --- Public querysets -------------------------------------------------------------------------------------------
def fields_with_professions() -> QuerySet[Field]:
    return Field.objects.prefetch_related(
        Prefetch("professions", queryset=professions_with_counts().order_by("name"))
    ).order_by("position", "name")


def offers_open() -> QuerySet[Offer]:
    return Offer.objects.filter(
        is_hidden=False, valid_until__gte=timezone.localdate(), company__status=Company.Status.APPROVED
    ).select_related("company", "profession", "site__place")


def companies_public() -> QuerySet[Company]:
    return Company.objects.filter(status=Company.Status.APPROVED)


def _count_per_profession(queryset, count_field: str):
    """A correlated subquery counting ``queryset`` rows of the outer profession (0 when none)."""
    counted = (
        queryset.filter(profession_id=OuterRef("pk"))
        .order_by()
        .values("profession_id")
        .annotate(n=Count(count_field))
        .values("n")[:1]
    )
    return Coalesce(Subquery(counted), 0)


def professions_with_counts() -> QuerySet[Profession]:
    """Active professions with ``company_count`` (approved companies training it) and ``offer_count`` (open
    offers). Correlated subqueries stay fast with thousands of companies, unlike joined DISTINCT counts."""
    trains = Company.professions.through.objects.filter(company__status=Company.Status.APPROVED)
    return Profession.objects.filter(is_active=True).annotate(
        company_count=_count_per_profession(trains, "company_id"),
        offer_count=_count_per_profession(offers_open(), "id"),
    )


def profession_related(profession: Profession, limit: int = 6) -> list[Profession]:
    """Professions of the same field with the most similar interest profile."""
    candidates = Profession.objects.filter(field_id=profession.field_id, is_active=True).exclude(
        pk=profession.pk
    )
    mine = profession.riasec

    def dist(other: Profession) -> float:
        return sum((mine[k] - v) ** 2 for k, v in other.riasec.items())

    return sorted(candidates, key=lambda p: (dist(p), p.name))[:limit]


def company_detail(slug: str, *, include_unpublished: bool = False) -> Company:
    qs = Company.objects.all() if include_unpublished else companies_public()
    return qs.prefetch_related(
        Prefetch("sites", queryset=Site.objects.select_related("place")),
        "contacts",
        Prefetch("professions", queryset=Profession.objects.order_by("name")),
    ).get(slug=slug)


def companies_of(user) -> QuerySet[Company]:
    if not user.is_authenticated:
        return Company.objects.none()
    return Company.objects.filter(memberships__user=user).order_by("name")


def is_member(user, company: Company) -> bool:
    return user.is_authenticated and CompanyMembership.objects.filter(user=user, company=company).exists()


# --- Filtering and distance ordering ----------------------------------------------------------------------------
@dataclass
class Located:
    """An item with its distance in km from the origin (None without an origin)."""

    item: object
    distance: float | None


def with_distance(items, origin: Origin | None, radius_km: float | None, coords) -> list[Located]:
    """Attach distance, drop what lies beyond the radius, sort nearest first (stable by input order otherwise)."""
    if origin is None:
        return [Located(item, None) for item in items]
    located = []
    for item in items:
        dists = [distance_km(origin.latitude, origin.longitude, lat, lon) for lat, lon in coords(item)]
        if not dists:
            continue
        nearest = min(dists)
        if radius_km is None or nearest <= radius_km:
            located.append(Located(item, nearest))
    located.sort(key=lambda loc: loc.distance)
    return located


def offers_filter(
    *,
    field: str = "",
    profession: Profession | None = None,
    kind: str = "",
    district: str = "",
    start_year: int | None = None,
    certificate: str = "",
    origin: Origin | None = None,
    radius_km: float | None = None,
    tokens: list[search.QueryToken] | None = None,
    or_professions: list[int] = (),
    profession_ids: list[int] = (),
) -> list[Located]:
    """Open offers matching all filters; ``tokens`` match the offer's text or one of ``or_professions``."""
    qs = _narrow(offers_open(), "profession", "site", field, profession, district, profession_ids)
    if kind:
        qs = qs.filter(kind=kind)
    if start_year:
        qs = qs.filter(start_date__year=start_year)
    if certificate:
        # Offers the pupil can apply for with this certificate (or a lower requirement).
        allowed = [c for c in Certificate.values if Certificate.rank(c) <= Certificate.rank(certificate)]
        qs = qs.filter(certificate__in=allowed)
    columns = ["search_text", "profession__search_text", "company__search_text"]
    qs = _text_or_professions(qs, tokens, columns, "profession", or_professions)
    if origin and radius_km:
        qs = qs.filter(site_q("site__", origin, radius_km))
    return with_distance(
        qs.order_by("start_date", "id"), origin, radius_km, lambda o: [(o.site.latitude, o.site.longitude)]
    )


def companies_filter(
    *,
    field: str = "",
    profession: Profession | None = None,
    district: str = "",
    origin: Origin | None = None,
    radius_km: float | None = None,
    tokens: list[search.QueryToken] | None = None,
    or_professions: list[int] = (),
    profession_ids: list[int] = (),
) -> list[Located]:
    """Approved companies matching all filters; ``tokens`` match the company's text or one of ``or_professions``.
    With ``profession_ids`` each company gets ``matched_professions``: which of them it trains."""
    qs = _narrow(companies_public(), "professions", "sites", field, profession, district, profession_ids)
    if profession_ids:
        qs = qs.prefetch_related(
            Prefetch(
                "professions",
                queryset=Profession.objects.filter(pk__in=profession_ids).only("pk"),
                to_attr="matched_professions",
            )
        )
    qs = _text_or_professions(
        qs, tokens, ["search_text", "professions__search_text"], "professions", or_professions
    )
    if origin and radius_km:
        qs = qs.filter(Exists(Site.objects.filter(site_q("", origin, radius_km), company=OuterRef("pk"))))
    qs = (
        qs.distinct()
        .prefetch_related(
            Prefetch("sites", queryset=Site.objects.select_related("place")),
        )
        .annotate(
            open_offer_count=Count("offers", filter=Q(offers__in=offers_open().values("pk")), distinct=True)
        )
    )
    return with_distance(
        qs.order_by("name"), origin, radius_km, lambda c: [(s.latitude, s.longitude) for s in c.sites.all()]
    )


def _narrow(qs, rel: str, site_rel: str, field, profession, district, profession_ids):
    """Filters shared by offers (``rel="profession"``) and companies (``rel="professions"``)."""
    if profession_ids:
        qs = qs.filter(**{f"{rel}__in": profession_ids})
    if field:
        qs = qs.filter(**{f"{rel}__field__slug": field})
    if profession:
        qs = qs.filter(**{rel: profession})
    if district:
        qs = qs.filter(**{f"{site_rel}__place__district_code": district})
    return qs


def _text_or_professions(qs, tokens, columns: list[str], rel: str, or_professions):
    """Rows whose text matches every token, or that belong to one of ``or_professions``."""
    if not tokens:
        return qs
    text = text_match_q(tokens, columns)
    return qs.filter(text | Q(**{f"{rel}__in": or_professions}) if or_professions else text)


def text_match_q(tokens: list[search.QueryToken], columns: list[str]) -> Q:
    """Every token must match one of its alternatives in one of the columns (substring on normalised text)."""
    q = Q()
    for token in tokens:
        any_alt = Q()
        for alt in token.alternatives:
            for column in columns:
                any_alt |= Q(**{f"{column}__contains": alt})
        q &= any_alt
    return q


# --- One-box search ---------------------------------------------------------------------------------------------
VOCABULARY_CACHE_KEY = "catalog:search-vocabulary:v1"


def search_vocabulary() -> set[str]:
    vocab = cache.get(VOCABULARY_CACHE_KEY)
    if vocab is None:
        texts = list(Profession.objects.filter(is_active=True).values_list("search_text", flat=True))
        texts += list(companies_public().values_list("search_text", flat=True))
        vocab = search.vocabulary_of(texts)
        cache.set(VOCABULARY_CACHE_KEY, vocab, 300)
    return vocab


def search_vocabulary_reset() -> None:
    cache.delete(VOCABULARY_CACHE_KEY)


def professions_search(tokens: list[search.QueryToken], limit: int = 20) -> list[Profession]:
    """Professions ranked by relevance; on PostgreSQL full-text search (German) adds stemmed matches."""
    if not tokens:
        return []
    candidates = professions_with_counts().select_related("field")
    scored = []
    fts_ids = _postgres_fulltext_ids(tokens) if connection.vendor == "postgresql" else set()
    for profession in candidates:
        name_text = search.document(search.gender_forms(profession.name))
        score = search.score_text(tokens, name_text, profession.search_text)
        if not score and profession.pk in fts_ids:
            score = 0.5
        if score:
            scored.append((-score, profession.name, profession))
    scored.sort(key=lambda row: (row[0], row[1]))
    return [row[2] for row in scored[:limit]]


def _postgres_fulltext_ids(tokens: list[search.QueryToken]) -> set[int]:
    from django.contrib.postgres.search import SearchQuery, SearchVector

    query = None
    for token in tokens:
        alt_query = None
        for alt in token.alternatives:
            q = SearchQuery(alt, config="german", search_type="plain")
            alt_query = q if alt_query is None else alt_query | q
        query = alt_query if query is None else query & alt_query
    vector = SearchVector("search_text", config="german")
    return set(
        Profession.objects.annotate(v=vector).filter(v=query, is_active=True).values_list("pk", flat=True)
    )


@dataclass
class SearchResult:
    query: str
    tokens: list[search.QueryToken]
    professions: list[Profession]
    companies: list[Located]
    offers: list[Located]

    @property
    def is_empty(self) -> bool:
        return not (self.professions or self.companies or self.offers)


def search_all(query: str, *, origin: Origin | None = None, radius_km: float | None = None) -> SearchResult:
    """Search professions, companies and offers from one box, nearest first when a place is given."""
    tokens = search.parse_query(query, search_vocabulary())
    professions = professions_search(tokens)
    if not tokens:
        return SearchResult(query, tokens, [], [], [])
    # Companies and offers match by their own text or by one of the best-matching professions.
    best = [p.pk for p in professions[:5]]
    companies = companies_filter(tokens=tokens, or_professions=best, origin=origin, radius_km=radius_km)
    offers = offers_filter(tokens=tokens, or_professions=best, origin=origin, radius_km=radius_km)
    return SearchResult(query, tokens, professions, companies, offers)


def home_overview() -> dict:
    today = timezone.localdate()
    return {
        "fields": Field.objects.annotate(profession_count=Count("professions")).order_by("position"),
        "profession_count": Profession.objects.filter(is_active=True).count(),
        "company_count": companies_public().count(),
        "offer_count": offers_open().count(),
        "latest_offers": offers_open().filter(start_date__gte=today).order_by("-created_at")[:6],
    }
