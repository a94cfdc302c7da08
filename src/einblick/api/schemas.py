"""Shapes of the API's input and output (pydantic via django-ninja); the OpenAPI schema is generated from them."""

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict, create_model, field_validator

MAX_LIMIT = 100
DEFAULT_LIMIT = 20
MAX_OFFSET = 1_000_000
MAX_RADIUS_KM = 200

OfferKind = Literal["apprenticeship", "internship", "dual_study"]
CertificateCode = Literal["ohne", "hauptschule", "mittlerer", "abitur"]
KIND_VALUES = list(OfferKind.__args__)
CERTIFICATE_VALUES = list(CertificateCode.__args__)


# --- Errors and paging ------------------------------------------------------------------------------------------
class ErrorOut(Schema):
    message: str = Field(description="What went wrong, in the language of the request (Accept-Language).")
    errors: dict[str, list[str]] = Field(
        default_factory=dict, description="Messages per parameter or field; `__all__` for the whole input."
    )


class Paging(Schema):
    limit: int = Field(
        DEFAULT_LIMIT,
        ge=1,
        le=MAX_LIMIT,
        description=f"Items per page (1–{MAX_LIMIT}); larger values are refused with 422.",
    )
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Number of items to skip.")


class PageMeta(Schema):
    count: int = Field(description="Number of all matching items.")
    limit: int
    offset: int
    next: str | None = Field(description="URL of the next page, null on the last page.")
    previous: str | None = Field(description="URL of the previous page, null on the first page.")


# --- Filters (query parameters) ---------------------------------------------------------------------------------
SLUG_PATTERN = r"^[-a-zA-Z0-9_]*$"


class FieldFilter(Schema):
    field: str = Field("", max_length=60, pattern=SLUG_PATTERN, description="Slug of an occupational field.")


class ProfessionFilters(Paging, FieldFilter):
    q: str = Field(
        "", max_length=200, description="Text search (umlauts, gender forms, abbreviations, typos)."
    )


class PlaceFilters(Paging):
    plz: str = Field("", pattern=r"^[0-9]{0,5}$", description="Postal code or its beginning, e.g. `268`.")
    name: str = Field("", max_length=80, description="Beginning of the town's name, e.g. `Pap`.")


class CompanyFilters(Paging, FieldFilter):
    profession: str = Field("", max_length=120, pattern=SLUG_PATTERN, description="Slug of a profession.")
    district: str = Field("", pattern=r"^([0-9]{5})?$", description="District key (AGS), e.g. `03454`.")
    place: str = Field(
        "", max_length=80, description="Postal code or town to measure distances from (sorts nearest first)."
    )
    radius_km: float | None = Field(
        None,
        gt=0,
        le=MAX_RADIUS_KM,
        allow_inf_nan=False,
        description=f"Distance from `place` in km (up to {MAX_RADIUS_KM}; default 50 when `place` is given).",
    )
    q: str = Field("", max_length=200, description="Text search.")


class OfferFilters(CompanyFilters):
    kind: OfferKind | None = Field(None, description="Kind of offer.")
    start_year: int | None = Field(None, ge=2000, le=2100, description="Year the training starts.")
    certificate: CertificateCode | None = Field(
        None, description="The pupil's school certificate: offers requiring it or less."
    )
    company: str = Field("", max_length=180, pattern=SLUG_PATTERN, description="Slug of a company.")


# --- Output -----------------------------------------------------------------------------------------------------
def _absolute(context, path: str) -> str:
    request = (context or {}).get("request")
    return request.build_absolute_uri(path) if request else path


class FieldOut(Schema):
    slug: str
    name: str
    name_en: str


class FieldRef(Schema):
    slug: str
    name: str


class ProfessionRef(Schema):
    slug: str
    name: str


class CompanyRef(Schema):
    slug: str
    name: str


class ProfessionOut(Schema):
    slug: str
    name: str
    name_en: str
    field: FieldRef
    kind: str = Field(description="`dual` or `school`.")
    law: str
    duration_months: int
    certificate: str = Field(description="Usual school certificate.")
    description: str
    kldb: str
    riasec: dict[str, int] = Field(description="Interest profile, 0–5 per RIASEC dimension.")
    company_count: int = Field(description="Approved companies training this profession.")
    offer_count: int = Field(description="Open offers.")
    url: str

    @staticmethod
    def resolve_url(obj, context) -> str:
        return _absolute(context, obj.get_absolute_url())


class PlaceOut(Schema):
    plz: str
    name: str
    district: str
    district_code: str
    state: str
    latitude: float
    longitude: float


class SiteOut(Schema):
    id: int
    name: str
    street: str
    plz: str
    town: str
    district: str
    district_code: str
    latitude: float
    longitude: float

    @staticmethod
    def resolve_plz(obj) -> str:
        return obj.place.plz

    @staticmethod
    def resolve_town(obj) -> str:
        return obj.place.name

    @staticmethod
    def resolve_district(obj) -> str:
        return obj.place.district

    @staticmethod
    def resolve_district_code(obj) -> str:
        return obj.place.district_code


class ContactOut(Schema):
    name: str
    role: str
    email: str
    phone: str


class CompanyOut(Schema):
    slug: str
    name: str
    sector: str
    size: str
    profile: str
    website: str
    logo: str | None
    url: str
    sites: list[SiteOut]
    professions: list[ProfessionRef]
    open_offer_count: int
    distance_km: float | None = Field(None, description="Distance of the nearest site from `place`.")
    updated_at: datetime

    @staticmethod
    def resolve_url(obj, context) -> str:
        return _absolute(context, obj.get_absolute_url())

    @staticmethod
    def resolve_logo(obj, context) -> str | None:
        return _absolute(context, obj.logo.url) if obj.logo else None

    @staticmethod
    def resolve_sites(obj) -> list:
        return list(obj.sites.all())

    @staticmethod
    def resolve_professions(obj) -> list:
        return list(obj.professions.all())


class CompanyDetailOut(CompanyOut):
    contacts: list[ContactOut]
    social_links: dict[str, str] = Field(description="Instagram, Facebook, LinkedIn, YouTube, TikTok.")

    @staticmethod
    def resolve_contacts(obj) -> list:
        return list(obj.contacts.all())

    @staticmethod
    def resolve_social_links(obj) -> dict[str, str]:
        return dict(obj.social_links)


class OfferOut(Schema):
    id: int
    title: str
    kind: str
    profession: ProfessionRef
    company: CompanyRef
    site: SiteOut
    start_date: date
    places: int
    certificate: str = Field(description="Required school certificate.")
    pay: list[int] = Field(description="Training pay per month (EUR) by training year.")
    description: str
    apply_url: str
    apply_email: str
    valid_until: date
    url: str
    distance_km: float | None = Field(None, description="Distance from `place`.")
    updated_at: datetime

    @staticmethod
    def resolve_title(obj) -> str:
        return obj.display_title

    @staticmethod
    def resolve_url(obj, context) -> str:
        return _absolute(context, obj.get_absolute_url())

    @staticmethod
    def resolve_pay(obj) -> list[int]:
        return [int(v) for v in obj.pay or [] if isinstance(v, int | float)]


class OwnOfferOut(OfferOut):
    is_open: bool = Field(description="Shown to pupils now (not expired, not hidden, company approved).")
    is_hidden: bool = Field(description="Hidden by the network's staff.")
    created_at: datetime

    @staticmethod
    def resolve_is_open(obj) -> bool:
        return obj.is_open and obj.company.is_public


class ApiTokenOut(Schema):
    name: str
    prefix: str
    created_at: datetime


class OwnCompanyOut(Schema):
    slug: str
    name: str
    status: str
    url: str
    sites: list[SiteOut] = Field(description="Sites with the ids to use as `site` of an offer.")
    api_key: ApiTokenOut

    @staticmethod
    def resolve_url(obj, context) -> str:
        return _absolute(context, obj.get_absolute_url())

    @staticmethod
    def resolve_sites(obj) -> list:
        return list(obj.sites.all())


def page_schema(name: str, item: type[Schema]) -> type[Schema]:
    return create_model(name, __base__=PageMeta, results=(list[item], ...))


FieldPage = page_schema("FieldPage", FieldOut)
ProfessionPage = page_schema("ProfessionPage", ProfessionOut)
PlacePage = page_schema("PlacePage", PlaceOut)
CompanyPage = page_schema("CompanyPage", CompanyOut)
OfferPage = page_schema("OfferPage", OfferOut)
OwnOfferPage = page_schema("OwnOfferPage", OwnOfferOut)


# --- Input ------------------------------------------------------------------------------------------------------
def _doc(**extra) -> dict:
    """Documented constraints that ``OfferForm`` checks (so bad input gets the same messages as the screens)."""
    return {"json_schema_extra": extra}


class _OfferInput(Schema):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_lone_surrogates(cls, value):
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError("invalid characters") from None
        return value


class OfferIn(_OfferInput):
    """An offer as a company writes it. The rules are those of the company screens."""

    kind: str = Field("apprenticeship", **_doc(enum=KIND_VALUES))
    profession: str = Field(description="Slug of the profession (see /professions).")
    title: str = Field("", description="Leave empty to use the profession.", **_doc(maxLength=200))
    site: int | None = Field(
        None, description="Id of one of your sites (see /company); may be left out when you have only one."
    )
    start_date: date = Field(description="Not in the past.")
    places: int = Field(1, **_doc(minimum=1, maximum=500))
    certificate: str = Field(
        "ohne", description="Required school certificate.", **_doc(enum=CERTIFICATE_VALUES)
    )
    pay: list[int] = Field(
        default_factory=list,
        description="Training pay per month (EUR) by training year.",
        **_doc(maxItems=4, items={"type": "integer", "minimum": 0, "maximum": 5000}),
    )
    description: str = Field(**_doc(maxLength=5000))
    apply_url: str = Field("", description="Application link; this or `apply_email` is required.")
    apply_email: str = Field("", description="Application e-mail; this or `apply_url` is required.")
    valid_until: date = Field(description="Last day the offer is shown; not in the past.")


class OfferPatch(_OfferInput):
    """Only the fields to change; `null` empties an optional field."""

    kind: str | None = Field(None, **_doc(enum=KIND_VALUES))
    profession: str | None = None
    title: str | None = None
    site: int | None = None
    start_date: date | None = None
    places: int | None = None
    certificate: str | None = Field(None, **_doc(enum=CERTIFICATE_VALUES))
    pay: list[int] | None = None
    description: str | None = None
    apply_url: str | None = None
    apply_email: str | None = None
    valid_until: date | None = None
