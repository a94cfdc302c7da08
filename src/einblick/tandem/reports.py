"""Reports of the Digital-Tandem for the network's funders (issue #8, item 6): companies reached, needs by topic,
seminars and participants, tandems by status and outcome — for a period and optionally one district. Reads only.

Definitions (also stated on the page):

- A company's district is the district of its first site (the head office); companies without a site count under
  "no site given". The district filter uses the same rule.
- A company counts as *reached* if, in the period, it stated a need, had a tandem agreed (created), or registered
  staff for a seminar (an event for companies' staff) that took place in the period (registration not cancelled or
  expired).
- Needs and tandems count when they were created in the period; tandems are shown with their current status.
- Seminars: published events for companies' staff that start in the period. "Registered places" sums the places of
  confirmed registrations; "participants present" sums ``attended`` of checked-in registrations (``places`` when
  the check-in recorded no head count). With a district, registrations count only for companies of that district and
  only seminars held there or with such registrations are listed; places and feedback are the whole seminar's
  (feedback is anonymous).

The number of queries does not depend on the amount of data: everything is aggregated in the database."""

from collections import Counter
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Avg,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from einblick.catalog.models import Company, Site
from einblick.events.models import ACTIVE, Event, Feedback, Registration

from .models import Need, Tandem, Topic, TrainingOffer


def _period(start: date, end: date) -> tuple[datetime, datetime]:
    """The period as [since, until) in the current time zone; ``end`` is included."""
    tz = timezone.get_current_timezone()
    last = min(end, date.max - timedelta(days=1))
    return datetime.combine(start, time.min, tzinfo=tz), datetime.combine(
        last + timedelta(days=1), time.min, tzinfo=tz
    )


def main_district(ref: str = "pk") -> Subquery:
    """The district of a company's first site (its head office), for a company referenced by ``ref``."""
    sites = Site.objects.filter(company=OuterRef(ref)).order_by("pk").values("place__district")[:1]
    return Subquery(sites)


def _district_companies(district: str) -> QuerySet:
    return Company.objects.annotate(main=main_district()).filter(main=district).values("pk")


def districts() -> list[str]:
    """The districts of companies' head offices, for the district filter."""
    names = Company.objects.annotate(main=main_district()).exclude(main="").exclude(main__isnull=True)
    return list(names.values_list("main", flat=True).distinct().order_by("main"))


# ---------------------------------------------------------------------------------------------------- sections


def _companies(since, until, district: str) -> dict:
    needs = Need.objects.filter(company=OuterRef("pk"), created_at__gte=since, created_at__lt=until)
    tandems = Tandem.objects.filter(need__company=OuterRef("pk"), created_at__gte=since, created_at__lt=until)
    seminars = Registration.objects.filter(
        company=OuterRef("pk"),
        status__in=ACTIVE,
        event__audience=Event.Audience.COMPANIES,
        event__status=Event.Status.PUBLISHED,
        event__starts_at__gte=since,
        event__starts_at__lt=until,
    )
    reached = (
        Company.objects.annotate(
            by_need=Exists(needs),
            by_tandem=Exists(tandems),
            by_seminar=Exists(seminars),
            district_name=Coalesce(main_district(), Value("")),
        )
        .filter(Q(by_need=True) | Q(by_tandem=True) | Q(by_seminar=True))
        .order_by()
    )
    if district:
        reached = reached.filter(district_name=district)
    groups = reached.values("district_name", "size", "sector").annotate(
        n=Count("pk"),
        need=Count("pk", filter=Q(by_need=True)),
        tandem=Count("pk", filter=Q(by_tandem=True)),
        seminar=Count("pk", filter=Q(by_seminar=True)),
    )
    by_district, by_size, by_sector = Counter(), Counter(), Counter()
    channels = Counter()
    for row in groups:
        by_district[row["district_name"]] += row["n"]
        by_size[row["size"]] += row["n"]
        by_sector[(row["sector"] or "").strip()] += row["n"]
        for key in ("n", "need", "tandem", "seminar"):
            channels[key] += row[key]

    sizes = [(label, by_size.pop(value, 0)) for value, label in Company.Size.choices]
    sizes += sorted(by_size.items())  # values outside today's choices, should there be any
    no_site = by_district.pop("", 0)
    district_rows = sorted(by_district.items())
    if no_site:
        district_rows.append((_("no site given"), no_site))
    no_sector = by_sector.pop("", 0)
    sector_rows = sorted(by_sector.items(), key=lambda item: (-item[1], item[0].casefold()))
    if no_sector:
        sector_rows.append((_("no sector given"), no_sector))
    return {
        "total": channels["n"],
        "with_need": channels["need"],
        "with_tandem": channels["tandem"],
        "with_seminar": channels["seminar"],
        "by_district": district_rows,
        "by_size": sizes,
        "by_sector": sector_rows,
    }


def _needs(since, until, district: str) -> dict:
    needs = Need.objects.filter(created_at__gte=since, created_at__lt=until)
    in_period = Q(needs__created_at__gte=since, needs__created_at__lt=until)
    if district:
        needs = needs.filter(company__in=_district_companies(district))
        in_period &= Q(needs__company__in=_district_companies(district))
    totals = needs.order_by().aggregate(
        needs=Count("pk"), companies=Count("company", distinct=True), people=Coalesce(Sum("people"), 0)
    )
    topics = (
        Topic.objects.select_related("parent")
        .annotate(
            n_needs=Count("needs", filter=in_period, distinct=True),
            n_companies=Count("needs__company", filter=in_period, distinct=True),
            n_people=Coalesce(Sum("needs__people", filter=in_period), 0),
        )
        .filter(n_needs__gt=0)
        .order_by("-n_needs", "parent__name", "name")
    )
    rows = [
        {"topic": str(t), "needs": t.n_needs, "companies": t.n_companies, "people": t.n_people}
        for t in topics
    ]
    return {**totals, "by_topic": rows}


def _sum_of(queryset: QuerySet, expression) -> Coalesce:
    """A correlated subquery: the sum of ``expression`` over ``queryset`` (filtered by ``event=OuterRef``)."""
    sums = queryset.order_by().values("event").annotate(total=Sum(expression)).values("total")
    return Coalesce(Subquery(sums, output_field=IntegerField()), 0)


SEMINAR_FIELDS = ("title", "starts_at", "join_url", "capacity", "registered", "present")
SEMINAR_FIELDS += ("n_companies", "rating", "ratings", "provider")


def _seminars(since, until, district: str) -> dict:
    registrations = Registration.objects.filter(event=OuterRef("pk"))
    if district:
        registrations = registrations.filter(company__in=_district_companies(district))
    confirmed = registrations.filter(status=Registration.Status.CONFIRMED)
    checked_in = registrations.filter(checked_in_at__isnull=False)
    feedback = Feedback.objects.filter(event=OuterRef("pk")).order_by().values("event")
    companies = confirmed.filter(company__isnull=False).order_by().values("event")
    events = (
        Event.objects.filter(
            audience=Event.Audience.COMPANIES,
            status=Event.Status.PUBLISHED,
            starts_at__gte=since,
            starts_at__lt=until,
        )
        .annotate(
            registered=_sum_of(confirmed, "places"),
            present=_sum_of(checked_in, Coalesce("attended", "places")),
            n_companies=Coalesce(
                Subquery(
                    companies.annotate(n=Count("company", distinct=True)).values("n"),
                    output_field=IntegerField(),
                ),
                0,
            ),
            rating=Subquery(feedback.annotate(a=Avg("stars")).values("a")),
            ratings=Coalesce(
                Subquery(feedback.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0
            ),
            provider=Subquery(
                TrainingOffer.objects.filter(event=OuterRef("pk")).order_by("pk").values("provider__name")[:1]
            ),
        )
        .order_by("starts_at", "pk")
    )
    if district:
        taking_part = registrations.filter(Q(status__in=ACTIVE) | Q(checked_in_at__isnull=False))
        events = events.filter(Q(place__district=district) | Q(Exists(taking_part)))
    rows = []
    for event in events.values(*SEMINAR_FIELDS):
        online = bool(event["join_url"])
        rating = event["rating"]
        rows.append(
            {
                "title": event["title"],
                "date": timezone.localtime(event["starts_at"]).date(),
                "online": online,
                "mode": _("online") if online else _("on site"),
                "provider": event["provider"] or "",
                "places": event["capacity"],
                "companies": event["n_companies"],
                "registered": event["registered"],
                "present": event["present"],
                "rating": round(float(rating), 1) if rating is not None else None,
                "ratings": event["ratings"],
            }
        )
    return {
        "count": len(rows),
        "online": sum(1 for r in rows if r["online"]),
        "places": sum(r["places"] for r in rows),
        "registered": sum(r["registered"] for r in rows),
        "present": sum(r["present"] for r in rows),
        "rows": rows,
    }


def _tandems(since, until, district: str) -> dict:
    tandems = Tandem.objects.filter(created_at__gte=since, created_at__lt=until).order_by()
    if district:
        tandems = tandems.filter(need__company__in=_district_companies(district))
    counts = dict(tandems.values_list("status").annotate(n=Count("pk")))
    by_status = [
        {"status": value, "label": label, "count": counts.get(value, 0)}
        for value, label in Tandem.Status.choices
    ]
    done = tandems.filter(status=Tandem.Status.DONE).order_by("need__company__name", "pk")
    outcomes = [
        {"company": company, "provider": provider, "offer": offer, "outcome": outcome}
        for company, provider, offer, outcome in done.values_list(
            "need__company__name", "offer__provider__name", "offer__title", "outcome"
        )
    ]
    return {"total": sum(counts.values()), "by_status": by_status, "outcomes": outcomes}


# -------------------------------------------------------------------------------------------------------- API


def report(*, start: date, end: date, district: str = "") -> dict:
    """The funders' report for ``start``–``end`` (both included), optionally for one district (name)."""
    since, until = _period(start, end)
    return {
        "start": start,
        "end": end,
        "district": district,
        "companies": _companies(since, until, district),
        "needs": _needs(since, until, district),
        "seminars": _seminars(since, until, district),
        "tandems": _tandems(since, until, district),
    }


def _day(value: date) -> str:
    return f"{value:%d.%m.%Y}"


def csv_rows(data: dict) -> tuple[list[str], list[list]]:
    """The whole report as ONE table: the first column names the section, so a spreadsheet can filter by it.
    Columns a section does not use stay empty."""
    header = [
        _("Section"),
        _("Item"),
        _("Date"),
        _("Online or on site"),
        _("Provider"),
        _("Offer"),
        _("Companies"),
        _("Needs"),
        _("People"),
        _("Places"),
        _("Registered places"),
        _("Participants present"),
        _("Rating (average)"),
        _("Ratings"),
        _("Tandems"),
        _("Outcome"),
    ]
    width = len(header)

    def row(section: str, item: str, **values) -> list:
        cells = [section, item] + [""] * (width - 2)
        for key, value in values.items():
            cells[COLUMNS.index(key)] = value
        return cells

    period = f"{_day(data['start'])} – {_day(data['end'])}"
    if data["district"]:
        period += f", {data['district']}"
    rows = [row(_("Period"), period)]

    companies = data["companies"]
    section = _("Companies reached")
    rows.append(row(section, _("Total"), companies=companies["total"]))
    rows.append(row(section, _("with a stated need"), companies=companies["with_need"]))
    rows.append(row(section, _("with a tandem"), companies=companies["with_tandem"]))
    rows.append(row(section, _("with staff registered for a seminar"), companies=companies["with_seminar"]))
    for key, section in (
        ("by_district", _("Companies by district")),
        ("by_size", _("Companies by size")),
        ("by_sector", _("Companies by sector")),
    ):
        rows += [row(section, label, companies=n) for label, n in companies[key]]

    section = _("Needs by topic")
    for t in data["needs"]["by_topic"]:
        rows.append(row(section, t["topic"], companies=t["companies"], needs=t["needs"], people=t["people"]))

    section = _("Seminars")
    for s in data["seminars"]["rows"]:
        rows.append(
            row(
                section,
                s["title"],
                date=_day(s["date"]),
                mode=s["mode"],
                provider=s["provider"],
                companies=s["companies"],
                places=s["places"],
                registered=s["registered"],
                present=s["present"],
                rating=s["rating"],
                ratings=s["ratings"],
            )
        )

    section = _("Tandems by status")
    rows += [row(section, str(s["label"]), tandems=s["count"]) for s in data["tandems"]["by_status"]]
    section = _("Outcomes of completed tandems")
    for o in data["tandems"]["outcomes"]:
        rows.append(
            row(section, o["company"], provider=o["provider"], offer=o["offer"], outcome=o["outcome"])
        )
    return header, rows


# the keys of ``csv_rows``'s columns, in the order of its header
COLUMNS = [
    "section",
    "item",
    "date",
    "mode",
    "provider",
    "offer",
    "companies",
    "needs",
    "people",
    "places",
    "registered",
    "present",
    "rating",
    "ratings",
    "tandems",
    "outcome",
]
