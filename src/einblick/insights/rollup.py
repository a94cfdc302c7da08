"""Rebuild the daily counts (``DailyStat``) from the raw page views and from the pillars' own tables, then delete raw
page views older than the retention period. Idempotent: a day is rebuilt from scratch each time.

Each ``Source`` is one GROUP BY query: a queryset, the field that gives the day, the expressions for district,
profession and company (or None), and the counted value. Raw page views can be rebuilt only while they exist
(``EINBLICK_INSIGHTS_RAW_DAYS``); older days keep their counts. The pillars' tables can always be recounted.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Max, Min, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from .models import DailySalt, DailyStat, Hit, Rollup

BATCH = 5000


@dataclass(frozen=True)
class Source:
    metric: str
    queryset: object  # a callable returning the queryset (models are loaded lazily)
    day: str  # a DateTimeField (truncated to the local day) or a DateField (``date_field=True``)
    value: object  # an aggregate expression
    district: str | None = None
    profession: str | None = None
    company: str | None = None
    date_field: bool = False
    from_hits: bool = False


def _pupil_district(prefix: str = "") -> str:
    return f"{prefix}school_class__school__place__district_code"


def _sources() -> list[Source]:
    from einblick.accounts.models import User
    from einblick.duels.models import FunnelStep
    from einblick.events.models import HOLDING, Registration
    from einblick.fair.models import AgendaItem, BoothVisit
    from einblick.live.models import Question, ViewerSample
    from einblick.orientation.models import InterestResult
    from einblick.talks.models import Talk, TalkWish
    from einblick.tandem.models import Need, Tandem

    pupils_regs = lambda: Registration.objects.filter(company__isnull=True)  # noqa: E731
    sources = [
        Source(
            f"view_{kind}",
            lambda kind=kind: Hit.objects.filter(kind=kind),
            "at",
            Count("id"),
            district="district",
            profession="profession_id",
            company="company_id",
            from_hits=True,
        )
        for kind in Hit.Kind.values
    ]
    sources += [
        Source(
            "visitors",
            lambda: Hit.objects.all(),
            "at",
            Count("visitor", distinct=True),
            "district",
            from_hits=True,
        ),
        Source(
            "pupils_new",
            lambda: User.objects.filter(is_pupil=True),
            "date_joined",
            Count("id"),
            district=_pupil_district(),
        ),
        Source(
            "checks_saved",
            lambda: InterestResult.objects.all(),
            "created_at",
            Count("id"),
            district=_pupil_district("user__"),
        ),
        # fair
        Source(
            "fair_questions",
            lambda: Question.objects.all(),
            "created_at",
            Count("id"),
            company="session__company_id",
        ),
        Source(
            "fair_viewers",
            lambda: ViewerSample.objects.all(),
            "at",
            Max("count"),
            company="session__company_id",
        ),
        Source(
            "booth_visits",
            lambda: BoothVisit.objects.all(),
            "day",
            Sum("count"),
            company="exhibitor__company_id",
            date_field=True,
        ),
        Source(
            "agenda_adds",
            lambda: AgendaItem.objects.all(),
            "created_at",
            Count("id"),
            district=_pupil_district("user__"),
            company="session__company_id",
        ),
        # per profession (a session with three professions counts for each of them; never added up)
        Source(
            "agenda_adds_prof",
            lambda: AgendaItem.objects.all(),
            "created_at",
            Count("id"),
            district=_pupil_district("user__"),
            profession="session__professions",
        ),
        # talks
        Source(
            "talk_wishes",
            lambda: TalkWish.objects.all(),
            "round__wish_deadline",
            Count("id"),
            district=_pupil_district("pupil__"),
            profession="profession_id",
            company="company_id",
        ),
        Source(
            "talks_booked",
            lambda: Talk.objects.filter(status__in=["booked", "attended", "no_show"]),
            "created_at",
            Count("id"),
            district=_pupil_district("pupil__"),
            company="offer__company_id",
        ),
        Source(
            "talks_attended",
            lambda: Talk.objects.filter(status="attended"),
            "round__first_slot_at",
            Count("id"),
            district=_pupil_district("pupil__"),
            company="offer__company_id",
        ),
        Source(
            "talks_no_show",
            lambda: Talk.objects.filter(status="no_show"),
            "round__first_slot_at",
            Count("id"),
            district=_pupil_district("pupil__"),
            company="offer__company_id",
        ),
        # events (pupils and classes; places, not registrations)
        Source(
            "event_places",
            lambda: pupils_regs().filter(status__in=HOLDING),
            "created_at",
            Sum("places"),
            district="event__place__district_code",
        ),
        Source(
            "event_places_host",
            lambda: pupils_regs().filter(status__in=HOLDING),
            "created_at",
            Sum("places"),
            company="event__hosts",
        ),
        Source(
            "event_places_prof",
            lambda: pupils_regs().filter(status__in=HOLDING),
            "created_at",
            Sum("places"),
            district="event__place__district_code",
            profession="event__professions",
        ),
        Source(
            "event_waitlisted",
            lambda: pupils_regs().filter(status="waitlisted"),
            "created_at",
            Sum("places"),
            district="event__place__district_code",
        ),
        Source(
            "event_attended",
            lambda: pupils_regs().filter(checked_in_at__isnull=False),
            "checked_in_at",
            Sum(Coalesce("attended", "places")),
            district="event__place__district_code",
        ),
        Source(
            "event_attended_host",
            lambda: pupils_regs().filter(checked_in_at__isnull=False),
            "checked_in_at",
            Sum(Coalesce("attended", "places")),
            company="event__hosts",
        ),
        # duels
        *[
            Source(
                f"duel_{kind}",
                lambda kind=kind: FunnelStep.objects.filter(kind=kind),
                "day",
                Sum("count"),
                date_field=True,
            )
            for kind in ("view", "guess", "vote", "booth", "event", "talk", "company")
        ],
        # tandem
        Source("tandem_needs", lambda: Need.objects.all(), "created_at", Count("id"), company="company_id"),
        Source(
            "tandems", lambda: Tandem.objects.all(), "created_at", Count("id"), company="need__company_id"
        ),
        Source(
            "seminar_people",
            lambda: Registration.objects.filter(company__isnull=False, checked_in_at__isnull=False),
            "checked_in_at",
            Sum(Coalesce("attended", "places")),
            company="company_id",
        ),
    ]
    return sources


def _bounds(first: date, last: date):
    tz = timezone.get_current_timezone()
    return datetime.combine(first, time.min, tzinfo=tz), datetime.combine(
        last + timedelta(days=1), time.min, tzinfo=tz
    )


def _rows(source: Source, first: date, last: date):
    qs = source.queryset()
    if source.date_field:
        qs = qs.filter(**{f"{source.day}__range": (first, last)}).annotate(d=F(source.day))
    else:
        start, end = _bounds(first, last)
        qs = qs.filter(**{f"{source.day}__gte": start, f"{source.day}__lt": end}).annotate(
            d=TruncDate(source.day, tzinfo=timezone.get_current_timezone())
        )
    # NULL and "" / 0 are one key (no merging in Python: rows stream into the database)
    qs = qs.annotate(
        dist=Coalesce(F(source.district), Value("")) if source.district else Value(""),
        prof=Coalesce(F(source.profession), Value(0)) if source.profession else Value(0),
        comp=Coalesce(F(source.company), Value(0)) if source.company else Value(0),
    )
    for row in (
        qs.order_by().values("d", "dist", "prof", "comp").annotate(v=source.value).iterator(chunk_size=BATCH)
    ):
        if row["v"]:
            yield DailyStat(
                day=row["d"],
                metric=source.metric,
                district=row["dist"] or "",
                profession_id=row["prof"] or 0,
                company_id=row["comp"] or 0,
                value=row["v"],
            )


PILLAR_DAYS = 60  # the pillars' tables are recounted for this many past days on every run


def _lock() -> None:
    """One recount at a time (cron and the staff button may meet): a transaction-level lock on PostgreSQL; SQLite
    serialises writers anyway."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x1A5167])


def raw_days_kept(today: date | None = None) -> date:
    """The first day whose raw page views are still kept."""
    today = today or timezone.localdate()
    return today - timedelta(days=settings.EINBLICK["INSIGHTS_RAW_DAYS"])


def rollup(*, first: date | None = None, last: date | None = None, now=None) -> Rollup:
    """Rebuild the counts of the days ``first``..``last``, then delete raw page views older than the retention
    period. By default from the last day of the previous rollup (catching up if it did not run for a while; at most
    back to the oldest raw page view kept) to today."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    kept = raw_days_kept(today)
    oldest = Hit.objects.aggregate(first=Min("at"))["first"]
    if first is None:
        previous = Rollup.objects.order_by("-last_day").first()
        if previous:  # catch up from the last day counted (raw views are never deleted before being counted)
            first = min(previous.last_day, today - timedelta(days=1))
        else:  # the first run: from the oldest raw view (or the pillars' last school year)
            first = min(timezone.localdate(oldest) if oldest else today, today - timedelta(days=PILLAR_DAYS))
    last = last or today
    # the pillars' tables change after the day (attendance marked later, cancellations, waiting lists moving up):
    # they are recounted over a sliding window every time
    pillars_first = min(first, today - timedelta(days=PILLAR_DAYS))
    # raw page views exist from the oldest one on (older ones were deleted after being counted): only those days
    # can be recounted from them; earlier days keep their counts
    hits_first = max(first, timezone.localdate(oldest)) if oldest else last + timedelta(days=1)
    rows = 0
    with transaction.atomic():
        _lock()
        for source in _sources():
            lo = hits_first if source.from_hits else pillars_first
            if lo > last:
                continue
            DailyStat.objects.filter(metric=source.metric, day__range=(lo, last)).delete()
            batch = []
            for stat in _rows(source, lo, last):
                batch.append(stat)
                if len(batch) >= BATCH:
                    DailyStat.objects.bulk_create(batch)
                    rows += len(batch)
                    batch = []
            DailyStat.objects.bulk_create(batch)
            rows += len(batch)
        # raw views go once they are past the retention period and counted (up to ``last``)
        gone_before = min(kept, last + timedelta(days=1))
        start, _ = _bounds(gone_before, gone_before)
        deleted, _ = Hit.objects.filter(at__lt=start).delete()
        # past days' salts go: their visitor keys can no longer be recomputed from an address
        DailySalt.objects.filter(day__lt=today).delete()
        return Rollup.objects.create(
            finished_at=timezone.now(), first_day=first, last_day=last, rows=rows, deleted_hits=deleted
        )
