"""The offer import from the BA job search: every write it makes.

``offers_import_ba`` runs one import — from the API (paged) or from recorded pages (files, tests) — and records it
as an ``OfferImport`` with counts and a report. It is idempotent by the BA reference number (``Offer.external_ref``
with ``source = "ba"``): a known offer is updated, a new one created, and BA offers of earlier imports that the
source no longer lists expire (``valid_until`` = yesterday). Each record is written in its own transaction; a bad
record is counted and reported and never stops the rest. Mapping rules are documented in docs/catalog.md.
"""

import logging
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from einblick.core import pagecache

from .. import search
from ..models import Company, Offer, OfferImport, Place, Profession, Site
from ..selectors import Origin, distance_km, place_record, place_resolve
from ..services import _unique_slug, offer_save, site_create
from .client import PAGE_SIZE, Fetch, FetchError, JobSearchClient, job_page_url
from .parse import JobRecord, ParsedPage, parse_page

logger = logging.getLogger(__name__)

VALID_DAYS = 60
MAX_PROBLEMS = 500
MAX_UNKNOWN_FIELDS = 50
PROGRESS_EVERY = 25  # records between two progress updates
_DUAL_STUDY_WORDS = frozenset(["studium", "studiengang", "studierende", "student", "studentin", "bachelor"])
_BASE_TITLE = re.compile(r"\s+[-–]\s+")  # "Elektroniker/in - Energie- und Gebäudetechnik": base before " - "


# --- Profession mapping -----------------------------------------------------------------------------------------
def profession_key(title: str) -> str:
    """The catalogue's normaliser without filler words: "Kaufmann/-frau - Büromanagement" and
    "Kaufmann/-frau für Büromanagement" both become "kaufmann frau bueromanagement"."""
    words = search.normalise(title).split()
    return " ".join(word for word in words if word not in search.STOPWORDS and word != "u")


class ProfessionMatcher:
    """Exact match of a BA profession title against the catalogue: names and their gender forms first, then the
    professions' search terms; a key shared by two professions matches neither. A title "Base - Fachrichtung"
    falls back to its base when the full title is unknown."""

    def __init__(self, professions: Iterable[Profession]):
        self._names: dict[str, set[int]] = defaultdict(set)
        self._terms: dict[str, set[int]] = defaultdict(set)
        self._by_id: dict[int, Profession] = {}
        for profession in professions:
            self._by_id[profession.pk] = profession
            for form in search.gender_forms(profession.name):
                self._names[profession_key(form)].add(profession.pk)
            for term in profession.terms or []:
                if isinstance(term, str):
                    self._terms[profession_key(term)].add(profession.pk)
        self._names.pop("", None)
        self._terms.pop("", None)

    @classmethod
    def from_catalogue(cls) -> "ProfessionMatcher":
        return cls(Profession.objects.filter(is_active=True))

    @staticmethod
    def keys(title: str) -> list[str]:
        keys = [profession_key(title)]
        base = _BASE_TITLE.split(title, maxsplit=1)[0]
        if base != title:
            keys.append(profession_key(base))
        return [key for key in dict.fromkeys(keys) if key]

    def match(self, title: str) -> Profession | None:
        for key in self.keys(title):
            for index in (self._names, self._terms):
                ids = index.get(key)
                if ids and len(ids) == 1:
                    return self._by_id[next(iter(ids))]
        return None


# --- Employer mapping -------------------------------------------------------------------------------------------
class EmployerIndex:
    """Companies by normalised name, loaded once per import; companies created by the import are added."""

    def __init__(self):
        self._ids: dict[str, list[int]] = defaultdict(list)
        for pk, name in Company.objects.values_list("pk", "name"):
            self._ids[search.normalise(name)].append(pk)

    def add(self, company: Company) -> None:
        self._ids[search.normalise(company.name)].append(company.pk)

    def candidates(self, name: str) -> list[int]:
        return list(self._ids.get(search.normalise(name), []))


def _site_at(company_ids: list[int], place: Place) -> Site | None:
    """A site of one of the companies in the same PLZ (preferred) or town; approved companies first."""
    if not company_ids:
        return None
    sites = Site.objects.filter(company_id__in=company_ids).filter(
        Q(place__plz=place.plz) | Q(place__name__iexact=place.name)
    )
    sites = list(sites.select_related("company", "place"))
    if not sites:
        return None

    def rank(site: Site):
        return (
            site.place.plz != place.plz,
            site.company.status != Company.Status.APPROVED,
            site.company_id,
            site.pk,
        )

    return min(sites, key=rank)


def _imported_employer(company_ids: list[int]) -> Company | None:
    """A company an earlier record created from the same BA employer name: pending and without members."""
    return (
        Company.objects.filter(pk__in=company_ids, status=Company.Status.PENDING, memberships__isnull=True)
        .order_by("pk")
        .first()
    )


def company_create_from_ba(*, name: str, place: Place, street: str = "") -> Company:
    """An employer of the BA job search we do not know yet: a pending company (no members, no contact person)
    with one site, for network staff to review."""
    with translation.override(settings.LANGUAGE_CODE):
        note = _("Created by the import from the Bundesagentur für Arbeit. Please complete the profile.")
    company = Company.objects.create(
        name=name[:160],
        slug=_unique_slug(name),
        profile="",
        sector="",
        status=Company.Status.PENDING,
        status_reason=note,
    )
    site_create(company=company, name="", street=street, place=place)
    return company


# --- One import -------------------------------------------------------------------------------------------------
class _Skip(Exception):
    def __init__(self, kind: str, reason: str, detail: str = ""):
        super().__init__(kind, reason, detail)
        self.kind, self.reason, self.detail = kind, reason, detail


@dataclass
class _Run:
    offer_import: OfferImport
    professions: ProfessionMatcher
    employers: EmployerIndex
    counts: Counter = field(default_factory=Counter)
    problems: list[dict] = field(default_factory=list)
    problem_total: int = 0
    unmapped: Counter = field(default_factory=Counter)
    unknown_fields: Counter = field(default_factory=Counter)
    notes: list[dict] = field(default_factory=list)
    seen_refs: set[str] = field(default_factory=set)
    done_refs: set[str] = field(default_factory=set)
    places: dict[tuple[str, str], Place | None] = field(default_factory=dict)
    complete: bool = True
    pages_read: int = 0
    progress: int = 0

    def problem(self, ref: str, reason: str, detail: str = "") -> None:
        self.problem_total += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append({"ref": ref, "reason": reason, "detail": detail})

    def note(self, reason: str, detail: str = "") -> None:
        self.notes.append({"reason": reason, "detail": detail})

    def set_progress(self, percent: float) -> None:
        value = max(0, min(99, int(percent)))
        if value > self.progress:
            self.progress = value
            OfferImport.objects.filter(pk=self.offer_import.pk).update(progress=value)


def next_august_first(today: date) -> date:
    this_year = date(today.year, 8, 1)
    return this_year if this_year > today else date(today.year + 1, 8, 1)


def is_dual_study(title: str) -> bool:
    """ "Duales Studium BWL", "Bachelor of Arts (Dual)", "dualer Studiengang" – but not "duale Ausbildung"."""
    words = search.normalise(title).split()
    if "dual" in words:
        return True
    return any(word.startswith("dual") for word in words) and any(w in _DUAL_STUDY_WORDS for w in words)


def _apply_url(record: JobRecord) -> str:
    url = record.external_url
    if url and len(url) <= 200:
        try:
            URLValidator(schemes=["http", "https"])(url)
            return url
        except ValidationError:
            pass
    return job_page_url(record.ref)


def _place(run: _Run, record: JobRecord):
    """The first location of the record we know, as (location, Place); raises _Skip when none is known."""
    invalid = unknown = ""
    for location in record.locations:
        if location.plz is None and location.raw_plz:
            invalid = invalid or location.raw_plz
            continue
        key = (location.plz or "", location.town)
        if key not in run.places:
            run.places[key] = place_record(f"{location.plz or ''} {location.town}".strip())
        if run.places[key] is not None:
            return location, run.places[key]
        unknown = unknown or " ".join(filter(None, key))
    if unknown:
        raise _Skip("rejected", "unknown_plz", unknown)
    raise _Skip("rejected", "invalid_plz", invalid)


def _employer_site(run: _Run, record: JobRecord, location, place: Place, existing: Offer | None):
    """(company, site, created company or None) for the record's employer at the place."""
    if existing is not None:  # keep the company an earlier import (or staff) chose, if it is there
        site = _site_at([existing.company_id], place)
        if site is not None:
            return site.company, site, None
    ids = run.employers.candidates(record.employer)
    site = _site_at(ids, place)
    if site is not None:
        return site.company, site, None
    company = _imported_employer(ids) if ids else None
    if company is not None:
        return company, site_create(company=company, name="", street=location.street, place=place), None
    company = company_create_from_ba(name=record.employer, place=place, street=location.street)
    return company, company.sites.get(), company


def _import_record(run: _Run, record: JobRecord, *, today: date) -> str:
    """Create or update the offer of one record; returns "new" or "updated", raises _Skip."""
    location, place = _place(run, record)
    profession = run.professions.match(record.profession_title)
    if profession is None:
        raise _Skip("unmapped", "unmapped_profession", record.profession_title)
    existing = Offer.objects.filter(source=Offer.Source.BA, external_ref=record.ref).order_by("pk").first()
    apply_url = _apply_url(record)
    with translation.override(settings.LANGUAGE_CODE):
        note = _(
            "This offer comes from the job search of the Bundesagentur für Arbeit. Details and application:"
        )
    start = (
        record.start_date if record.start_date and record.start_date >= today else next_august_first(today)
    )
    fields = {
        "profession": profession,
        "kind": Offer.Kind.DUAL_STUDY if is_dual_study(record.title) else Offer.Kind.APPRENTICESHIP,
        "title": record.title[:200],
        "start_date": start,
        "description": f"{record.title}\n\n{note} {apply_url}"[:5000],
        "apply_url": apply_url,
        "valid_until": today + timedelta(days=VALID_DAYS),
        "external_ref": record.ref,
        "source": Offer.Source.BA,
    }
    if existing is None:
        fields["places"] = 1
    with transaction.atomic():
        company, site, created = _employer_site(run, record, location, place, existing)
        try:
            offer_save(company=company, offer=existing, site=site, **fields)
        except ValidationError as error:
            detail = "; ".join(
                f"{key}: {' '.join(map(str, msgs))}" for key, msgs in error.message_dict.items()
            )
            raise _Skip("rejected", "invalid_offer", detail[:300]) from error
    if created is not None:
        run.employers.add(created)
        run.counts["companies_created"] += 1
    return "updated" if existing else "new"


def _import_page(run: _Run, page: ParsedPage, *, today: date, base: float, share: float) -> None:
    run.seen_refs |= page.refs
    run.unknown_fields.update(page.unknown_fields)
    for problem in page.problems:
        run.counts["rejected"] += 1
        run.problem(problem.ref, problem.reason, problem.detail)
        if problem.reason in {"malformed_json", "malformed_page"}:
            run.complete = False
    total = len(page.records)
    for position, record in enumerate(page.records, start=1):
        if record.ref in run.done_refs:  # the same offer twice (paging shifted): imported once
            continue
        run.done_refs.add(record.ref)
        try:
            outcome = _import_record(run, record, today=today)
        except _Skip as skip:
            run.counts[skip.kind] += 1
            run.problem(record.ref, skip.reason, skip.detail)
            if skip.kind == "unmapped":
                run.unmapped[record.profession_title] += 1
            continue
        except Exception as error:  # one broken record must not stop the rest
            logger.exception("BA import: record %s failed", record.ref)
            run.counts["rejected"] += 1
            run.problem(record.ref, "error", f"{type(error).__name__}: {error}"[:300])
            continue
        run.counts[outcome] += 1
        if position % PROGRESS_EVERY == 0:
            run.set_progress(base + share * position / total)


def _expire_vanished(run: _Run, *, today: date, origin: Origin | None, radius_km: float | None) -> int:
    """BA offers still open that this import did not see expire — within the searched area only."""
    rows = Offer.objects.filter(source=Offer.Source.BA, valid_until__gte=today).values_list(
        "pk", "external_ref", "site__latitude", "site__longitude"
    )
    ids = [
        pk
        for pk, ref, lat, lon in rows
        if ref not in run.seen_refs
        and (origin is None or distance_km(origin.latitude, origin.longitude, lat, lon) <= radius_km)
    ]
    now = timezone.now()
    for start in range(0, len(ids), 500):
        Offer.objects.filter(pk__in=ids[start : start + 500]).update(
            valid_until=today - timedelta(days=1), updated_at=now
        )
    if ids:
        pagecache.invalidate()
    return len(ids)


def _finish(run: _Run, *, status: str) -> OfferImport:
    if run.problem_total > len(run.problems):
        run.note("problems_truncated", str(MAX_PROBLEMS))
    offer_import = run.offer_import
    offer_import.status, offer_import.finished_at = status, timezone.now()
    offer_import.progress = 100 if status == OfferImport.Status.DONE else run.progress
    for key in ("new", "updated", "expired", "unmapped", "rejected"):
        setattr(offer_import, key, run.counts[key])
    offer_import.report = {
        "problems": run.problems,
        "unmapped": [
            {"title": t, "count": n} for t, n in sorted(run.unmapped.items(), key=lambda i: (-i[1], i[0]))
        ],
        "unknown_fields": [
            {"field": f, "count": n} for f, n in run.unknown_fields.most_common(MAX_UNKNOWN_FIELDS)
        ],
        "notes": run.notes,
        "companies_created": run.counts["companies_created"],
        "pages": run.pages_read,
    }
    offer_import.save()
    return offer_import


def _fetch_and_import(
    run: _Run, client: JobSearchClient, *, wo: str, umkreis: int, max_pages: int, today: date
) -> None:
    """Fetch and import page after page until the results end (or ``max_pages``); each page is imported before
    the next is fetched, so a failing page keeps what came before."""
    expected, number, total = max_pages, 1, None
    while number <= expected:
        label = f"page={number}"
        try:
            content = client.jobs(wo=wo, umkreis=umkreis, page=number, size=PAGE_SIZE)
        except FetchError as error:
            run.complete = False
            run.note("fetch_failed", f"{label}: {error}")
            return
        page = parse_page(content, label=label)
        run.pages_read += 1
        if page.total is not None:
            total = page.total
            expected = min(max_pages, max(1, math.ceil(total / PAGE_SIZE)))
        share = 95 / expected
        _import_page(run, page, today=today, base=share * (number - 1), share=share)
        run.set_progress(share * number)
        if page.shape == "broken" and total is None:
            return  # we cannot tell whether more pages follow; _import_page marked the run incomplete
        if page.shape == "empty" or (total is None and len(page.refs) + len(page.problems) < PAGE_SIZE):
            return  # no results, or a short page: the last one
        number += 1
    if total is None or total > max_pages * PAGE_SIZE:
        run.complete = False
        run.note("incomplete", f"{max_pages * PAGE_SIZE} / {total if total is not None else '?'}")


def offers_import_ba(
    *,
    pages: Iterable[bytes | str | dict] | None = None,
    wo: str = "",
    umkreis: int | None = None,
    max_pages: int | None = None,
    fetch: Fetch | None = None,
    started_by=None,
    offer_import: OfferImport | None = None,
    labels: list[str] | None = None,
) -> OfferImport:
    """Run one import and return its record.

    With ``pages`` (raw JSON of recorded search pages, e.g. files; ``labels`` name them in the report) nothing is
    fetched; otherwise the API is asked for ``wo``/``umkreis`` page by page (at most ``max_pages``), through
    ``fetch`` when given. An existing ``offer_import`` (queued by ``offer_import_start``) supplies the parameters
    and is filled in. Vanished offers expire only when every page was read: within ``umkreis`` km of ``wo`` when a
    place is given, everywhere otherwise.
    """
    if offer_import is None:
        params = {"wo": wo, "umkreis": umkreis}
        if pages is None:
            params["pages"] = max_pages or settings.EINBLICK_BA_PAGES
        else:
            params["files"] = list(labels or [])
        offer_import = OfferImport.objects.create(params=params, started_by=started_by)
    params = offer_import.params or {}
    wo, umkreis = params.get("wo") or "", int(params.get("umkreis") or 0)
    run = _Run(
        offer_import=offer_import, professions=ProfessionMatcher.from_catalogue(), employers=EmployerIndex()
    )
    today = timezone.localdate()
    try:
        if pages is None:
            client = JobSearchClient.from_settings(fetch=fetch)
            max_pages = int(params.get("pages") or settings.EINBLICK_BA_PAGES)
            _fetch_and_import(run, client, wo=wo, umkreis=umkreis, max_pages=max_pages, today=today)
        else:
            pages = list(pages)
            for number, content in enumerate(pages, start=1):
                label = labels[number - 1] if labels and len(labels) >= number else f"page={number}"
                share = 95 / len(pages)
                _import_page(
                    run, parse_page(content, label=label), today=today, base=share * (number - 1), share=share
                )
                run.pages_read += 1
                run.set_progress(share * number)
        if run.pages_read == 0:
            return _finish(run, status=OfferImport.Status.FAILED)
        origin = place_resolve(wo) if wo else None
        if wo and origin is None:
            run.complete = False
            run.note("unknown_area", wo)
        if run.complete:
            run.counts["expired"] = _expire_vanished(run, today=today, origin=origin, radius_km=umkreis)
        else:
            run.note("not_expired")
        return _finish(run, status=OfferImport.Status.DONE)
    except Exception as error:
        run.note("failed", f"{type(error).__name__}: {error}"[:300])
        _finish(run, status=OfferImport.Status.FAILED)
        raise


def offer_import_start(*, wo: str, umkreis: int, pages: int | None = None, started_by=None) -> OfferImport:
    """Record an import for ``wo``/``umkreis`` and queue it for the task worker."""
    from .tasks import offer_import_run

    offer_import = OfferImport.objects.create(
        params={"wo": wo, "umkreis": umkreis, "pages": pages or settings.EINBLICK_BA_PAGES},
        started_by=started_by,
    )
    offer_import_run.enqueue(import_id=offer_import.pk)
    return offer_import
