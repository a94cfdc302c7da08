"""Reads of the fair: which fair is current, its phase, "now live", "next", the filtered programme."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import groupby

from django.db.models import Max, Min, Prefetch, Q, QuerySet
from django.utils import timezone

from einblick.catalog import search
from einblick.catalog.models import Profession

from .models import (
    AgendaFeed,
    AgendaItem,
    BoothMaterial,
    BoothQuestion,
    Exhibitor,
    Fair,
    FairDay,
    Session,
    Stage,
)


def fairs_public() -> QuerySet[Fair]:
    return Fair.objects.filter(is_published=True).prefetch_related("days")


def fair_current(now: datetime | None = None) -> Fair | None:
    """The published fair running now (between its first opening and last closing), else the next one to come,
    else the most recent one."""
    now = now or timezone.now()
    fairs = Fair.objects.filter(is_published=True).annotate(
        first=Min("days__starts_at"), last=Max("days__ends_at")
    )
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


def seconds_to_next_change(fair: Fair, now: datetime | None = None) -> float | None:
    """Seconds until the next start or end of a published session or opening window of the fair — when "live
    now", "next" and recordings on its pages change by themselves (for the page cache); None when nothing is left."""
    now = now or timezone.now()
    bounds = Session.objects.filter(fair=fair, status=Session.Status.PUBLISHED).aggregate(
        start=Min("starts_at", filter=Q(starts_at__gt=now)), end=Min("ends_at", filter=Q(ends_at__gt=now))
    )
    times = [t for t in bounds.values() if t is not None]
    times += [t for day in fair.days.all() for t in (day.starts_at, day.ends_at) if t > now]
    return (min(times) - now).total_seconds() if times else None


def sessions_live(fair: Fair, now: datetime | None = None) -> list[Session]:
    now = now or timezone.now()
    return list(sessions_public(fair).filter(starts_at__lte=now, ends_at__gt=now))


def sessions_next(fair: Fair, now: datetime | None = None, limit: int = 6) -> list[Session]:
    now = now or timezone.now()
    return list(sessions_public(fair).filter(starts_at__gt=now)[:limit])


def professions_in_fair(fair: Fair) -> QuerySet[Profession]:
    """Professions shown in at least one session of the fair (for the programme filter)."""
    return (
        Profession.objects.filter(fair_sessions__fair=fair).distinct().order_by("name").only("slug", "name")
    )


def exhibitor_of_session(session: Session) -> Exhibitor | None:
    return Exhibitor.objects.filter(fair_id=session.fair_id, company_id=session.company_id).first()


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
        .select_related("company", "fair")
        .prefetch_related(
            Prefetch("company__professions", queryset=Profession.objects.only("pk", "name", "slug"))
        )
    )


def exhibitor_detail(fair: Fair, company_slug: str) -> Exhibitor:
    return exhibitors_of(fair).get(company__slug=company_slug)


def sessions_of_profession_upcoming(
    profession_ids: list[int], now=None, per_profession: int = 2
) -> dict[int, list]:
    """The next published sessions of current or coming fairs for each profession."""
    now = now or timezone.now()
    sessions = (
        Session.objects.filter(
            fair__is_published=True,
            status=Session.Status.PUBLISHED,
            professions__in=profession_ids,
            ends_at__gt=now,
        )
        .select_related("fair")
        .prefetch_related(
            Prefetch("professions", queryset=Profession.objects.filter(pk__in=profession_ids).only("pk"))
        )
        .order_by("starts_at")[: 10 * len(profession_ids) + 10]
    )
    found: dict[int, list] = {}
    for session in sessions:
        for profession in session.professions.all():
            items = found.setdefault(profession.pk, [])
            if len(items) < per_profession:
                items.append(session)
    return found


# --- Booths (issue #4) --------------------------------------------------------------------------------------------
def fair_public(slug: str) -> Fair | None:
    return fairs_public().filter(slug=slug).first()


def exhibitors_filtered(fair: Fair, *, profession: str = "") -> QuerySet[Exhibitor]:
    qs = exhibitors_of(fair)
    if profession:
        qs = qs.filter(company__professions__slug=profession).distinct()
    return qs


def exhibitor_professions(fair: Fair) -> QuerySet[Profession]:
    """The professions the exhibitors of a fair train (for the exhibitor filter)."""
    return (
        Profession.objects.filter(companies__exhibitions__fair=fair, companies__status="approved")
        .distinct()
        .order_by("name")
        .only("pk", "slug", "name")
    )


def exhibitor_for_company(fair: Fair, company_slug: str) -> Exhibitor | None:
    """A fair's exhibitor by company, whatever the company's status (for the company's own screens)."""
    return (
        Exhibitor.objects.select_related("fair", "company")
        .filter(fair=fair, company__slug=company_slug)
        .first()
    )


def exhibitions_of_company(company) -> QuerySet[Exhibitor]:
    return Exhibitor.objects.filter(company=company).select_related("fair").order_by("-fair__created_at")


def booth_materials(exhibitor: Exhibitor) -> QuerySet[BoothMaterial]:
    return BoothMaterial.objects.filter(exhibitor=exhibitor).order_by("created_at")


def booth_questions_public(exhibitor: Exhibitor) -> QuerySet[BoothQuestion]:
    return BoothQuestion.objects.filter(
        exhibitor=exhibitor, status=BoothQuestion.Status.ANSWERED, answer_public=True
    ).order_by("-answered_at")


def booth_questions_for_company(exhibitor: Exhibitor) -> dict[str, list[BoothQuestion]]:
    questions = list(BoothQuestion.objects.filter(exhibitor=exhibitor).order_by("-created_at"))
    return {
        "open": [q for q in questions if q.status == BoothQuestion.Status.OPEN][::-1],  # oldest first
        "answered": [q for q in questions if q.status == BoothQuestion.Status.ANSWERED],
        "hidden": [q for q in questions if q.status == BoothQuestion.Status.HIDDEN],
    }


def booth_recordings(fair: Fair, company, now: datetime | None = None) -> list[Session]:
    now = now or timezone.now()
    return list(sessions_public(fair).filter(company=company, ends_at__lte=now).exclude(recording_url="")[:3])


# --- Agenda (issue #4) --------------------------------------------------------------------------------------------
MAX_AGENDA_IDS = 200


def parse_session_ids(raw) -> list[int]:
    """Session ids from a query string (``ids=3,7,12`` or ``ids=3&ids=7``): numbers only, unique, at most 200."""
    values = raw if isinstance(raw, list | tuple) else [raw or ""]
    ids: list[int] = []
    for value in values:
        for part in str(value).replace(" ", ",").split(","):
            if part.isdigit() and len(part) < 12 and int(part) not in ids:
                ids.append(int(part))
    return ids[:MAX_AGENDA_IDS]


def sessions_by_ids(fair: Fair, ids: list[int]) -> list[Session]:
    if not ids:
        return []
    return list(sessions_public(fair).filter(pk__in=ids))


def agenda_session_ids(user) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(AgendaItem.objects.filter(user=user).values_list("session_id", flat=True))


def agenda_items(user, fair: Fair) -> list[AgendaItem]:
    return list(
        AgendaItem.objects.filter(
            user=user,
            session__fair=fair,
            session__status=Session.Status.PUBLISHED,
            session__starts_at__isnull=False,
        )
        .select_related("session__stage", "session__company", "session__fair")
        .prefetch_related(
            Prefetch("session__professions", queryset=Profession.objects.only("pk", "name", "slug"))
        )
        .order_by("session__starts_at", "session__stage__position", "session_id")
    )


def agenda_feed_sessions(user) -> list[Session]:
    """Every bookmarked session of published fairs, cancelled ones included (calendars then show them cancelled)."""
    return list(
        Session.objects.filter(agenda_items__user=user, fair__is_published=True, starts_at__isnull=False)
        .exclude(status=Session.Status.DRAFT)
        .select_related("stage", "company", "fair")
        .order_by("starts_at", "id")
    )


def agenda_conflicts(sessions: list[Session]) -> dict[int, list[Session]]:
    """For each session the other sessions of the list that overlap it in time (sweep over the start times)."""
    ordered = sorted((s for s in sessions if s.starts_at and s.ends_at), key=lambda s: (s.starts_at, s.pk))
    conflicts: dict[int, list[Session]] = {s.pk: [] for s in sessions}
    for i, first in enumerate(ordered):
        for second in ordered[i + 1 :]:
            if second.starts_at >= first.ends_at:
                break
            conflicts[first.pk].append(second)
            conflicts[second.pk].append(first)
    return conflicts


BROWSER_AGENDA_KEY = "fair:agenda:{fair_id}"


def browser_agenda_ids(request, fair_id: int) -> list[int]:
    """Bookmarks of a visitor without an account that reached the server (form posts without JavaScript and the
    pings of the script); the script keeps the lasting copy in the browser's localStorage."""
    if request is None or not hasattr(request, "session"):
        return []
    return [
        int(i)
        for i in request.session.get(BROWSER_AGENDA_KEY.format(fair_id=fair_id), [])
        if str(i).isdigit()
    ]


FEED_SALT = "einblick.fair.agenda-feed"


def agenda_feed_token(feed: AgendaFeed) -> str:
    from django.core import signing

    return signing.Signer(salt=FEED_SALT, sep=".").sign(f"{feed.user_id}-{feed.key}")


def agenda_feed_user(token: str):
    """The owner of a feed token, or None if the token was tampered with or revoked (reset)."""
    import hmac

    from django.core import signing

    try:
        value = signing.Signer(salt=FEED_SALT, sep=".").unsign(token or "")
    except signing.BadSignature:
        return None
    user_id, _, key = value.partition("-")
    if not user_id.isdigit() or not key:
        return None
    feed = (
        AgendaFeed.objects.select_related("user").filter(user_id=int(user_id), user__is_active=True).first()
    )
    if feed is None or not hmac.compare_digest(feed.key, key):
        return None
    return feed.user


# --- Programme planner (issue #4) -------------------------------------------------------------------------------


def planner_fairs() -> QuerySet[Fair]:
    from django.db.models import Count

    from .models import SessionRequest

    return Fair.objects.annotate(
        first=Min("days__starts_at"),
        open_requests=Count(
            "session_requests",
            filter=~Q(session_requests__status=SessionRequest.Status.WITHDRAWN),
            distinct=True,
        ),
    ).order_by("-first", "name")


def planner_requests(fair: Fair):
    """All requests of a fair for the staff list: open, planned, unplaced first; withdrawn last."""
    from django.db.models import Case, IntegerField, Value, When

    from .models import SessionRequest

    order = Case(
        When(status=SessionRequest.Status.UNPLACED, then=Value(0)),
        When(status=SessionRequest.Status.OPEN, then=Value(1)),
        When(status=SessionRequest.Status.PLANNED, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return (
        SessionRequest.objects.filter(fair=fair)
        .select_related("company", "preferred_stage", "session__stage")
        .prefetch_related(Prefetch("professions", queryset=Profession.objects.only("pk", "name")))
        .annotate(order=order)
        .order_by("order", "company__name", "pk")
    )


def company_requests(fair: Fair, company):
    from .models import SessionRequest

    return (
        SessionRequest.objects.filter(fair=fair, company=company)
        .select_related("preferred_stage", "session__stage")
        .prefetch_related(Prefetch("professions", queryset=Profession.objects.only("pk", "name")))
        .order_by("-created_at", "-pk")
    )


def plan_runs(fair: Fair, limit: int = 5):
    from .models import PlanRun

    return list(PlanRun.objects.filter(fair=fair).select_related("created_by")[:limit])


def planner_sessions(fair: Fair) -> list[Session]:
    """Every session with a place on the programme (drafts included, cancelled not)."""
    return list(
        Session.objects.filter(fair=fair, stage__isnull=False, starts_at__isnull=False)
        .exclude(status=Session.Status.CANCELLED)
        .select_related("stage", "company", "request")
        .order_by("starts_at", "stage__position", "pk")
    )


def planner_days(fair: Fair) -> list[date]:
    return sorted({timezone.localtime(day.starts_at).date() for day in fair.days.all()})


@dataclass
class GridCell:
    rowspan: int
    sessions: list
    start: datetime


@dataclass
class GridRow:
    time: datetime
    school: bool
    cells: list  # (stage, GridCell) for the cells that begin in this row


def planner_grid(
    fair: Fair, day: date, sessions: list[Session], *, step_minutes: int = 15, school_hours=None
):
    """One day of the programme as a table: a row per 15 minutes, a column per stage; a session spans its rows
    (sessions that touch the same rows on a stage share a cell, so overlaps stay visible)."""
    stages = list(fair.stages.all())
    day_start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    day_end = day_start + timedelta(days=1)
    windows = [w for w in fair.days.all() if w.starts_at < day_end and w.ends_at > day_start]
    todays = [s for s in sessions if day_start <= s.starts_at < day_end]
    starts = [w.starts_at for w in windows] + [s.starts_at for s in todays]
    ends = [w.ends_at for w in windows] + [s.ends_at for s in todays]
    if not starts:
        return stages, []
    step = timedelta(minutes=step_minutes)
    first = timezone.localtime(min(starts))
    first = first.replace(minute=first.minute - first.minute % step_minutes, second=0, microsecond=0)
    last = max(ends)
    count = max(1, -(-(last - first) // step))
    times = [first + i * step for i in range(count)]

    def row_of(moment: datetime) -> int:
        return max(0, min(count - 1, (moment - first) // step))

    rows = [
        GridRow(
            time=t,
            school=bool(school_hours and school_hours.contains(t, t + step)),
            cells=[],
        )
        for t in times
    ]
    for stage in stages:
        mine = sorted((s for s in todays if s.stage_id == stage.pk), key=lambda s: (s.starts_at, s.pk))
        cells: list[tuple[int, int, list]] = []  # (first row, last row, sessions)
        for session in mine:
            a = row_of(session.starts_at)
            b = max(a, row_of(session.ends_at - timedelta(microseconds=1)))
            if cells and a <= cells[-1][1]:
                cells[-1] = (cells[-1][0], max(b, cells[-1][1]), [*cells[-1][2], session])
            else:
                cells.append((a, b, [session]))
        row = 0
        for a, b, grouped in cells:
            for empty in range(row, a):
                rows[empty].cells.append((stage, GridCell(1, [], times[empty])))
            rows[a].cells.append((stage, GridCell(b - a + 1, grouped, times[a])))
            row = b + 1
        for empty in range(row, count):
            rows[empty].cells.append((stage, GridCell(1, [], times[empty])))
    return stages, rows


def plan_warnings(fair: Fair, sessions: list[Session]):
    """Conflicts on the programme as it stands: (session, conflict, other session or None)."""
    from . import planner

    by_id = {s.pk: s for s in sessions}
    slots = [planner.Slot(s.pk, s.stage_id, s.starts_at, s.ends_at, s.company_id) for s in sessions]
    windows = [planner.Window(d.starts_at, d.ends_at) for d in fair.days.all()]
    return [
        (by_id[slot.id], conflict, by_id.get(conflict.other))
        for slot, conflict in planner.plan_conflicts(slots, windows)
    ]


def company_request_counts(company) -> dict[int, int]:
    """Fair id → the company's requests there (withdrawn ones not counted)."""
    from django.db.models import Count

    from .models import SessionRequest

    rows = (
        SessionRequest.objects.filter(company=company)
        .exclude(status=SessionRequest.Status.WITHDRAWN)
        .values("fair_id")
        .annotate(n=Count("pk"))
    )
    return {row["fair_id"]: row["n"] for row in rows}


def fairs_open_for_requests(now: datetime | None = None) -> QuerySet[Fair]:
    """Fairs companies may still ask for sessions at: their last opening window has not ended."""
    now = now or timezone.now()
    return planner_fairs().annotate(last=Max("days__ends_at")).filter(last__gt=now)
