"""Reads of the fair: which fair is current, its phase, "now live", "next", the filtered programme."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import groupby

from django.db.models import Max, Min, Prefetch, Q, QuerySet
from django.utils import timezone

from einblick.catalog import search
from einblick.catalog.models import Profession

from .models import Exhibitor, Fair, FairDay, Session, Stage


def fairs_public() -> QuerySet[Fair]:
    return Fair.objects.filter(is_published=True).prefetch_related("days")


def fair_current(now: datetime | None = None) -> Fair | None:
    """The published fair running now (between its first opening and last closing), else the next one to come,
    else the most recent one."""
    now = now or timezone.now()
    fairs = Fair.objects.filter(is_published=True).annotate(first=Min("days__starts_at"), last=Max("days__ends_at"))
    fairs = fairs.filter(first__isnull=False)
    return (
        fairs.filter(first__lte=now, last__gte=now).order_by("first").first()
        or fairs.filter(first__gt=now).order_by("first").first()
        or fairs.order_by("-last").first()
    )


@dataclass
class Phase:
    """Where the fair stands: before, open (inside an opening window), between two windows, after."""

    name: str
    window: FairDay | None = None  # the current window (open) or the next one (before/between)

    @property
    def is_open(self) -> bool:
        return self.name == "open"


def fair_phase(fair: Fair, now: datetime | None = None) -> Phase:
    now = now or timezone.now()
    days = list(fair.days.all())
    if not days:
        return Phase("before")
    for day in days:
        if day.starts_at <= now < day.ends_at:
            return Phase("open", day)
    upcoming = [d for d in days if d.starts_at > now]
    if not upcoming:
        return Phase("after")
    return Phase("before" if now < days[0].starts_at else "between", upcoming[0])


def fair_hours(fair: Fair) -> float:
    return sum(day.hours for day in fair.days.all())


def sessions_public(fair: Fair) -> QuerySet[Session]:
    return (
        Session.objects.filter(fair=fair, status=Session.Status.PUBLISHED, starts_at__isnull=False)
        .select_related("stage", "company", "fair")
        .prefetch_related(Prefetch("professions", queryset=Profession.objects.only("pk", "name", "slug")))
        .order_by("starts_at", "stage__position", "id")
    )


def sessions_live(fair: Fair, now: datetime | None = None) -> list[Session]:
    now = now or timezone.now()
    return list(sessions_public(fair).filter(starts_at__lte=now, ends_at__gt=now))


def sessions_next(fair: Fair, now: datetime | None = None, limit: int = 6) -> list[Session]:
    now = now or timezone.now()
    return list(sessions_public(fair).filter(starts_at__gt=now)[:limit])


def stages_of(fair: Fair) -> QuerySet[Stage]:
    return fair.stages.order_by("position", "name")


@dataclass
class ProgrammeFilter:
    day: date | None = None
    stage: str = ""
    profession: str = ""
    company: str = ""
    format: str = ""
    query: str = ""
    profession_ids: list[int] | None = None  # from an interest-check result
    archive: bool = False  # only sessions with a recording


def programme(fair: Fair, filters: ProgrammeFilter) -> QuerySet[Session]:
    qs = sessions_public(fair)
    if filters.day:
        start = timezone.make_aware(datetime.combine(filters.day, datetime.min.time()))
        qs = qs.filter(starts_at__gte=start, starts_at__lt=start + timedelta(days=1))
    if filters.stage:
        qs = qs.filter(stage__slug=filters.stage)
    if filters.profession:
        qs = qs.filter(professions__slug=filters.profession)
    if filters.company:
        qs = qs.filter(company__slug=filters.company)
    if filters.format:
        qs = qs.filter(format=filters.format)
    if filters.profession_ids is not None:
        qs = qs.filter(professions__in=filters.profession_ids)
    if filters.archive:
        qs = qs.exclude(recording_url="").filter(ends_at__lte=timezone.now())
    if filters.query:
        tokens = search.parse_query(filters.query)
        for token in tokens:
            any_alt = Q()
            for alt in token.alternatives:
                any_alt |= Q(search_text__contains=alt)
            qs = qs.filter(any_alt)
    return qs.distinct()


def programme_by_day(sessions) -> list[tuple[date, list[Session]]]:
    return [
        (day, list(items))
        for day, items in groupby(sessions, key=lambda s: timezone.localtime(s.starts_at).date())
    ]


def session_detail(fair: Fair, pk: int) -> Session:
    return sessions_public(fair).get(pk=pk)


def exhibitors_of(fair: Fair) -> QuerySet[Exhibitor]:
    return (
        Exhibitor.objects.filter(fair=fair, company__status="approved")
        .select_related("company")
        .prefetch_related(Prefetch("company__professions", queryset=Profession.objects.only("pk", "name", "slug")))
    )


def exhibitor_detail(fair: Fair, company_slug: str) -> Exhibitor:
    return exhibitors_of(fair).get(company__slug=company_slug)


def sessions_of_profession_upcoming(profession_ids: list[int], now=None, per_profession: int = 2) -> dict[int, list]:
    """The next published sessions of current or coming fairs for each profession."""
    now = now or timezone.now()
    sessions = (
        Session.objects.filter(
            fair__is_published=True, status=Session.Status.PUBLISHED, professions__in=profession_ids, ends_at__gt=now
        )
        .select_related("fair")
        .prefetch_related(Prefetch("professions", queryset=Profession.objects.filter(pk__in=profession_ids).only("pk")))
        .order_by("starts_at")[: 10 * len(profession_ids) + 10]
    )
    found: dict[int, list] = {}
    for session in sessions:
        for profession in session.professions.all():
            items = found.setdefault(profession.pk, [])
            if len(items) < per_profession:
                items.append(session)
    return found
