"""Reads of the insights: everything comes from the daily counts (``DailyStat``) plus a few live counts of small
tables (open places, classes and schools). Counts from 1 to 4 are suppressed (``shown`` → ``None``, "< 5")."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import DailyStat, Rollup

SMALL = 5  # counts from 1 to SMALL − 1 are shown as "< 5"


def shown(value: int | None) -> int | None:
    """``None`` (shown as "< 5") for counts that could point to single pupils; 0 and 5 or more as they are."""
    if value is None:
        return None
    return None if 0 < value < SMALL else value


def shown_group(values: list[int]) -> list[int | None]:
    """``shown`` for the parts of a total that is shown too (weeks, districts): if exactly one part is suppressed,
    the total minus the others would reveal it, so the smallest other non-zero part is suppressed as well."""
    out = [shown(v) for v in values]
    hidden = [i for i, v in enumerate(out) if v is None]
    if len(hidden) == 1:
        others = [(v, i) for i, v in enumerate(values) if i not in hidden and v]
        if others:
            out[min(others)[1]] = None
    return out


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    district: str = ""  # a district key, or "" for the whole region

    def whole_weeks(self) -> "Period":
        """Monday of the first week to Sunday of the last: figures are never shown for single days, which could be
        worked out by comparing two periods a day apart."""
        start = self.start - timedelta(days=self.start.weekday())
        end = self.end + timedelta(days=6 - self.end.weekday())
        return Period(start, end, self.district)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def weeks(self) -> list[date]:
        """The Mondays of the weeks the period touches (the series are weekly sums)."""
        first = self.start - timedelta(days=self.start.weekday())
        return [first + timedelta(weeks=n) for n in range((self.end - first).days // 7 + 1)]


# The metrics of each pillar: (metric, label). Metrics without a district (fair, duels, tandem) always count the
# whole region.
PILLARS = [
    (
        "fair",
        _("Fair “55 Stunden Zukunft”"),
        [
            ("view_programme", _("programme views")),
            ("view_session", _("session views")),
            ("fair_viewers", _("peak viewers (sum per day)")),
            ("fair_questions", _("questions asked")),
            ("booth_visits", _("booth visits")),
        ],
    ),
    (
        "talks",
        _("Talks"),
        [
            ("talk_wishes", _("wishes")),
            ("talks_booked", _("talks booked")),
            ("talks_attended", _("talks held")),
            ("talks_no_show", _("no-shows")),
        ],
    ),
    (
        "events",
        _("Events “Your Way 2 Business”"),
        [
            ("event_places", _("places registered")),
            ("event_attended", _("pupils present")),
            ("event_waitlisted", _("places on waiting lists")),
        ],
    ),
    (
        "duels",
        _("“Mach mal – das Duell”"),
        [
            ("duel_view", _("episode views")),
            ("duel_guess", _("guesses")),
            ("duel_vote", _("votes")),
        ],
    ),
    (
        "tandem",
        _("Digital-Tandem"),
        [
            ("tandem_needs", _("needs stated")),
            ("tandems", _("tandems agreed")),
            ("seminar_people", _("seminar participants")),
        ],
    ),
]
WITHOUT_DISTRICT = {
    "fair_viewers",
    "fair_questions",
    "booth_visits",
    "duel_view",
    "duel_guess",
    "duel_vote",
    "tandem_needs",
    "tandems",
    "seminar_people",
    "event_places_host",
    "event_attended_host",
}


def _stats(period: Period, metrics, *, company_id: int | None = None):
    qs = DailyStat.objects.filter(day__range=(period.start, period.end), metric__in=list(metrics))
    if period.district:
        qs = qs.filter(Q(district=period.district) | Q(metric__in=list(WITHOUT_DISTRICT)))
    if company_id is not None:
        qs = qs.filter(company_id=company_id)
    return qs.order_by()


def totals(period: Period, metrics, *, company_id: int | None = None) -> dict[str, int]:
    metrics = list(metrics)
    found = dict(
        _stats(period, metrics, company_id=company_id).values_list("metric").annotate(n=Sum("value"))
    )
    return {m: found.get(m, 0) for m in metrics}


def weekly(period: Period, metrics, *, company_id: int | None = None) -> dict[str, list[tuple[date, int]]]:
    """Weekly sums (by Monday) of each metric over the period, weeks without counts as 0."""
    metrics = list(metrics)
    rows = (
        _stats(period, metrics, company_id=company_id).values_list("metric", "day").annotate(n=Sum("value"))
    )
    weeks = period.weeks()
    out = {m: dict.fromkeys(weeks, 0) for m in metrics}
    for metric, day, n in rows:
        out[metric][day - timedelta(days=day.weekday())] += n
    return {m: sorted(v.items()) for m, v in out.items()}


def by_district(period: Period, metrics) -> dict[str, dict[str, int]]:
    """{district key: {metric: count}} (``""`` = not known)."""
    out: dict[str, dict[str, int]] = {}
    rows = _stats(period, metrics).values_list("district", "metric").annotate(n=Sum("value"))
    for district, metric, n in rows:
        out.setdefault(district, dict.fromkeys(metrics, 0))[metric] = n
    return out


def by_profession(period: Period, metrics) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {}
    rows = (
        _stats(period, metrics)
        .exclude(profession_id=0)
        .values_list("profession_id", "metric")
        .annotate(n=Sum("value"))
    )
    for profession_id, metric, n in rows:
        out.setdefault(profession_id, dict.fromkeys(metrics, 0))[metric] = n
    return out


def by_company(period: Period, metrics) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {}
    rows = (
        _stats(period, metrics)
        .exclude(company_id=0)
        .values_list("company_id", "metric")
        .annotate(n=Sum("value"))
    )
    for company_id, metric, n in rows:
        out.setdefault(company_id, dict.fromkeys(metrics, 0))[metric] = n
    return out


def district_names() -> dict[str, str]:
    from einblick.catalog.models import Place

    return dict(
        Place.objects.exclude(district_code="")
        .order_by("district_code")
        .values_list("district_code", "district")
        .distinct()
    )


def last_rollup():
    return Rollup.objects.order_by("-finished_at").first()


# ------------------------------------------------------------------------------------------------------- reach


def classes_and_schools(period: Period) -> tuple[int, int]:
    """Classes (and their schools) taking part in the period: a pupil of the class joined, or the class was
    registered for an event or took part in a talk round."""
    from einblick.accounts.models import SchoolClass, User
    from einblick.events.models import Registration

    tz = timezone.get_current_timezone()
    start = datetime.combine(period.start, time.min, tzinfo=tz)
    end = datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=tz)
    # subqueries on the indexed times, not a join over every pupil (bench: 50,000 pupils 104 → 20 ms)
    joined = User.objects.filter(is_pupil=True, date_joined__gte=start, date_joined__lt=end).values(
        "school_class_id"
    )
    registered = Registration.objects.filter(
        created_at__gte=start, created_at__lt=end, school_class__isnull=False
    ).values("school_class_id")
    classes = SchoolClass.objects.filter(Q(pk__in=joined) | Q(pk__in=registered))
    if period.district:
        classes = classes.filter(school__place__district_code=period.district)
    counted = classes.aggregate(classes=Count("pk", distinct=True), schools=Count("school_id", distinct=True))
    return counted["classes"], counted["schools"]


# ------------------------------------------------------------------------------------------ funnel, supply/demand

ENTRY = ("view_check", "view_session", "agenda_adds")  # totals
ENTRY_PROF = ("view_check", "view_session", "agenda_adds_prof")  # per profession
DEMAND = ("view_profession", "view_check", "view_search", "agenda_adds_prof", "talk_wishes")
FUNNEL_STEPS = [
    ("entry", _("interest check, duel or programme")),
    ("profession", _("profession page")),
    ("company", _("company page or booth")),
    ("meet", _("talk or event")),
    ("contact", _("application contact")),
]


@dataclass
class FunnelRow:
    profession_id: int
    name: str
    steps: dict[str, int] = field(default_factory=dict)


def _company_professions(company_ids) -> dict[int, list[int]]:
    from einblick.catalog.models import Company

    through = Company.professions.through
    out: dict[int, list[int]] = {}
    for company_id, profession_id in through.objects.filter(company_id__in=list(company_ids)).values_list(
        "company_id", "profession_id"
    ):
        out.setdefault(company_id, []).append(profession_id)
    return out


FUNNEL_PROF = (*ENTRY_PROF, "view_profession", "event_places_prof", "view_contact")


def funnel(
    period: Period, *, limit: int = 25, per_prof: dict | None = None, steps_weekly: dict | None = None
) -> tuple[dict[str, int], list[FunnelRow]]:
    """The way from a first look to an application contact, in total and per profession (most entries first).
    Company pages, booths and talks count for each profession the company trains in. ``per_prof`` (by_profession
    over at least ``FUNNEL_PROF``) and ``steps_weekly`` (``_funnel_steps_weekly``) may be passed in when the caller
    has them already (one scan of the counts fewer each)."""
    from einblick.catalog.models import Profession

    if per_prof is None:
        per_prof = by_profession(period, FUNNEL_PROF)
    per_company = by_company(period, ["view_company", "booth_visits", "talks_booked"])
    professions_of = _company_professions(per_company)
    rows: dict[int, dict[str, int]] = {}

    def add(pid: int, step: str, n: int) -> None:
        rows.setdefault(pid, dict.fromkeys([s for s, _ in FUNNEL_STEPS], 0))[step] += n

    for pid, m in per_prof.items():
        add(pid, "entry", sum(m[k] for k in ENTRY_PROF))
        add(pid, "profession", m["view_profession"])
        add(pid, "meet", m["event_places_prof"])
        add(pid, "contact", m["view_contact"])
    for cid, m in per_company.items():
        for pid in professions_of.get(cid, ()):
            add(pid, "company", m["view_company"] + m["booth_visits"])  # a booth page view is its visit
            add(pid, "meet", m["talks_booked"])
    steps_weekly = steps_weekly if steps_weekly is not None else _funnel_steps_weekly(period)
    total = {key: sum(n for _week, n in series) for key, series in steps_weekly.items()}
    names = dict(Profession.objects.filter(pk__in=list(rows)).values_list("pk", "name"))
    ranked = sorted(rows.items(), key=lambda item: (-item[1]["entry"], -item[1]["profession"], item[0]))
    return total, [
        FunnelRow(pid, names.get(pid, "?"), steps) for pid, steps in ranked[:limit] if pid in names
    ]


FUNNEL_TOTAL_METRICS = {
    "entry": [*ENTRY, "view_duel", "view_programme"],
    "profession": ["view_profession"],
    "company": ["view_company", "booth_visits"],
    "meet": ["talks_booked", "event_places"],
    "contact": ["view_contact"],
}


def _funnel_steps_weekly(period: Period) -> dict[str, list[tuple[date, int]]]:
    """The funnel's steps week by week, not suppressed (the totals are their sums)."""
    metrics = sorted({m for ms in FUNNEL_TOTAL_METRICS.values() for m in ms})
    weeks = weekly(period, metrics)
    return {
        key: [(week, sum(weeks[m][i][1] for m in ms)) for i, (week, _n) in enumerate(weeks[metrics[0]])]
        for key, ms in FUNNEL_TOTAL_METRICS.items()
    }


def funnel_weeks(period: Period, steps_weekly: dict | None = None) -> list[tuple[date, list[int | None]]]:
    """The funnel's steps week by week (whole region or district), each step suppressed as a group."""
    steps = steps_weekly if steps_weekly is not None else _funnel_steps_weekly(period)
    return _weeks_table(steps, [key for key, _label in FUNNEL_STEPS])


@dataclass
class SupplyDemand:
    profession_id: int
    name: str
    places: int
    offers: int
    interest: int

    @property
    def ratio(self) -> float:
        return self.interest / (self.places + 1)


def supply_demand(period: Period, per_prof: dict | None = None) -> list[SupplyDemand]:
    """Per profession (in the district, if chosen): open places now vs. pupils' interest in the period."""
    from einblick.catalog.models import Profession
    from einblick.catalog.selectors import offers_open

    offers = offers_open()
    if period.district:
        offers = offers.filter(site__place__district_code=period.district)
    supply = {
        row["profession_id"]: row
        for row in offers.order_by()
        .values("profession_id")
        .annotate(places=Sum("places"), offers=Count("id"))
    }
    if per_prof is None:
        per_prof = by_profession(period, DEMAND)
    interest = {pid: sum(m.get(k, 0) for k in DEMAND) for pid, m in per_prof.items()}
    ids = set(supply) | set(interest)
    names = dict(Profession.objects.filter(pk__in=ids).values_list("pk", "name"))
    return [
        SupplyDemand(
            pid,
            names[pid],
            supply.get(pid, {}).get("places", 0),
            supply.get(pid, {}).get("offers", 0),
            interest.get(pid, 0),
        )
        for pid in ids
        if pid in names
    ]


def wanted_few_places(rows: list[SupplyDemand], limit: int = 10) -> list[SupplyDemand]:
    """Much wanted, few places: interest of at least 5, highest interest per place first."""
    return sorted((r for r in rows if r.interest >= SMALL), key=lambda r: (-r.ratio, -r.interest, r.name))[
        :limit
    ]


def places_nobody_looks(rows: list[SupplyDemand], limit: int = 10) -> list[SupplyDemand]:
    """Many places, nobody looks: open places, least interest per place first."""
    return sorted((r for r in rows if r.places > 0), key=lambda r: (r.ratio, -r.places, r.name))[:limit]


# ----------------------------------------------------------------------------------------------- the whole report


def _weekly_shown(series: list[tuple[date, int]]) -> list[tuple[date, int | None]]:
    return list(zip([week for week, _n in series], shown_group([n for _week, n in series]), strict=True))


CACHE_SECONDS = 6 * 3600


def report(period: Period) -> dict:
    """``report_uncached``, kept in the cache until the next recount (the figures change only then)."""
    from django.core.cache import cache

    latest = last_rollup()
    key = f"insights:report:{latest.pk if latest else 0}:{period.start}:{period.end}:{period.district}"
    found = cache.get(key)
    if found is None:
        found = report_uncached(period)
        cache.set(key, found, CACHE_SECONDS)
    return found


def warm_reports(today: date | None = None) -> int:
    """Compute the presets (last 30 and 90 days, this school year; region and each district) after a recount, so
    the first visitor of the dashboard does not wait."""
    from .forms import school_year_start

    today = today or timezone.localdate()
    starts = [today - timedelta(days=29), today - timedelta(days=89), school_year_start(today)]
    count = 0
    for start in starts:
        for district in ["", *district_names()]:
            report(Period(start, today, district).whole_weeks())
            count += 1
    return count


def report_uncached(period: Period) -> dict:
    """Everything the dashboard, the printable report and the exports show, already suppressed."""
    pillar_metrics = [m for _, _, metrics in PILLARS for m, _ in metrics]
    pillar_totals = totals(period, pillar_metrics)
    pillar_weeks = weekly(period, pillar_metrics)
    reach_totals = totals(period, ["visitors", "pupils_new", "checks_saved"])
    reach_weeks = weekly(period, ["visitors", "pupils_new"])
    classes, schools = classes_and_schools(period)
    names = district_names()
    districts = by_district(Period(period.start, period.end), ["visitors", "pupils_new"])
    # one scan per profession for the funnel and supply/demand, one weekly scan for the funnel's steps and totals
    per_prof = by_profession(period, sorted({*FUNNEL_PROF, *DEMAND}))
    steps_weekly = _funnel_steps_weekly(period)
    total, funnel_rows = funnel(period, per_prof=per_prof, steps_weekly=steps_weekly)
    sd = supply_demand(period, per_prof=per_prof)
    ordered = sorted(districts.items(), key=lambda item: names.get(item[0], "~"))
    visitors = shown_group([m["visitors"] for _code, m in ordered])
    pupils = shown_group([m["pupils_new"] for _code, m in ordered])
    by_district_rows = [
        (names.get(code, "") or _("not known"), visitors[i], pupils[i])
        for i, (code, _m) in enumerate(ordered)
    ]
    wanted = [(r.name, shown(r.interest), r.places, r.offers) for r in wanted_few_places(sd)]
    unseen = [(r.name, shown(r.interest), r.places, r.offers) for r in places_nobody_looks(sd)]
    return {
        "period": period,
        "district_name": names.get(period.district, ""),
        "rollup": last_rollup(),
        "reach": {
            "visitors": shown(reach_totals["visitors"]),
            "pupils_new": shown(reach_totals["pupils_new"]),
            "checks_saved": shown(reach_totals["checks_saved"]),
            "classes": shown(classes),
            "schools": shown(schools),
            "visitors_weekly": _weekly_shown(reach_weeks["visitors"]),
            "pupils_weekly": _weekly_shown(reach_weeks["pupils_new"]),
            "by_district": by_district_rows,
            "by_district_visitors": [(name, visitors) for name, visitors, _pupils in by_district_rows],
        },
        "pillars": [
            {
                "key": key,
                "title": title,
                "metrics": [
                    {
                        "metric": metric,
                        "label": label,
                        "value": shown(pillar_totals[metric]),
                        "weekly": _weekly_shown(pillar_weeks[metric]),
                        "regional": metric in WITHOUT_DISTRICT,
                    }
                    for metric, label in metrics
                ],
                "weeks": _weeks_table(pillar_weeks, [m for m, _label in metrics]),
            }
            for key, title, metrics in PILLARS
        ],
        "no_show_rate": _rate(pillar_totals["talks_no_show"], pillar_totals["talks_attended"]),
        "funnel": {
            "steps": [(label, shown(total[key])) for key, label in FUNNEL_STEPS],
            "rows": _funnel_rows(funnel_rows),
            "weeks": funnel_weeks(period, steps_weekly),
        },
        "wanted": wanted,
        "unseen": unseen,
        "supply_tables": [
            ("wanted", _("Much wanted, few places"), wanted),
            ("unseen", _("Many places, nobody looks"), unseen),
        ],
    }


def _funnel_rows(rows: list[FunnelRow]) -> list[tuple[str, list[int | None]]]:
    """Per profession, each step's column suppressed as a group (the step's total is shown too)."""
    columns = [shown_group([row.steps[key] for row in rows]) for key, _label in FUNNEL_STEPS]
    return [(row.name, [column[i] for column in columns]) for i, row in enumerate(rows)]


def _weeks_table(weeks: dict[str, list[tuple[date, int]]], metrics: list[str]) -> list[tuple[date, list]]:
    """Rows of (week, [count per metric]) with each metric's column suppressed as a group."""
    columns = [_weekly_shown(weeks[m]) for m in metrics]
    return [(week, [column[i][1] for column in columns]) for i, (week, _n) in enumerate(columns[0])]


def _rate(part: int, rest: int) -> int | None:
    """Percent of ``part`` in ``part + rest``; ``None`` when either count is suppressed (the rate would reveal it)
    or there are fewer than 5 in all."""
    whole = part + rest
    if whole < SMALL or shown(part) is None or shown(rest) is None:
        return None
    return round(100 * part / whole)


COMPANY_METRICS = [
    ("view_company", _("company page views")),
    ("view_offer", _("offer views")),
    ("view_contact", _("application contacts")),
    ("view_booth", _("booth page views")),
    ("booth_visits", _("booth visits")),
    ("fair_viewers", _("peak viewers of your sessions (sum per day)")),
    ("fair_questions", _("questions in your sessions")),
    ("talk_wishes", _("talk wishes")),
    ("talks_booked", _("talks booked")),
    ("talks_attended", _("talks held")),
    ("talks_no_show", _("no-shows")),
    ("event_places_host", _("places registered for your events")),
    ("event_attended_host", _("pupils present at your events")),
]


def company_report(period: Period, company) -> dict:
    """The same figures for one company (its sessions, booth, talks, events, offers), suppressed."""
    from einblick.catalog.selectors import offers_open

    metrics = [m for m, _ in COMPANY_METRICS]
    found = totals(Period(period.start, period.end), metrics, company_id=company.pk)
    weeks = weekly(Period(period.start, period.end), ["view_company", "view_offer"], company_id=company.pk)
    offers = offers_open().filter(company=company).order_by().aggregate(n=Count("id"), places=Sum("places"))
    return {
        "period": period,
        "company": company,
        "rollup": last_rollup(),
        "metrics": [
            {"metric": m, "label": label, "value": shown(found[m]), "weekly": None}
            for m, label in COMPANY_METRICS
        ],
        "views_weekly": _weekly_shown(
            [(w, a + b) for (w, a), (_, b) in zip(weeks["view_company"], weeks["view_offer"], strict=True)]
        ),
        "offers": offers["n"] or 0,
        "places": offers["places"] or 0,
        "no_show_rate": _rate(found["talks_no_show"], found["talks_attended"]),
    }
