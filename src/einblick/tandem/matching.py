"""Digital-Tandem matching: a company's training need → ranked training offers with reasons; uncovered needs that
several companies share → clusters ("a seminar on X would serve 12 companies in Emsland").

The core (`score`, `suggest`, `clusters`) is pure Python on plain dataclasses, no ORM; `from_models` is the thin
adapter that builds the inputs from model instances in a constant number of queries. The method is documented in
docs/tandem.md; keep both in step.

Score (0–100) = topic (≤ 40) + format and distance (≤ 20) + timing (≤ 15) + price (≤ 15) + capacity (≤ 10).
An offer is *blocked* (never suggested) when no topic fits, no common format is reachable (on-site/in-house beyond
the provider's radius), its next date has passed, it costs money and the company wants free offers only, or fewer
places are left than people to train.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from django.utils import timezone
from django.utils.translation import gettext_lazy, gettext_noop

# --- weights (docs/tandem.md, "Scoring") ---------------------------------------------------------------------
TOPIC_BEST = 30  # × best level over the need's topics (exact 1, related 0.5)
TOPIC_COVERAGE = 10  # × mean level over the need's topics
FORMAT_MAX = 20  # online, or on site/in-house at distance 0
FORMAT_EDGE = 10  # on site/in-house exactly at the provider's radius
FORMAT_UNKNOWN = 5  # on site/in-house, but a location is missing
TIMING_IN_WINDOW = 15
TIMING_ON_REQUEST = 10
TIMING_OUTSIDE = 0
PRICE_MAX = 15  # free of charge
PRICE_AT_LIMIT = 8  # costs exactly the budget limit
CAPACITY_OK = 10

EXACT, RELATED, NONE = 1.0, 0.5, 0.0
ONLINE, ONSITE, INHOUSE = "online", "onsite", "inhouse"
ALL_FORMATS = frozenset({ONLINE, ONSITE, INHOUSE})
PRESENCE = frozenset({ONSITE, INHOUSE})
EARTH_RADIUS_KM = 6371.0088

# Reason codes → English msgids. Placeholders are filled from `Suggestion.facts`.
REASON_MSGIDS: dict[str, str] = {
    "topic_exact": gettext_noop("Exact topic fit (%(topics_matched)s of %(topics_wanted)s topics)"),
    "topic_parent": gettext_noop("Related topic (same parent topic)"),
    "topic_none": gettext_noop("No matching topic"),
    "format_online": gettext_noop("Online: reachable from anywhere"),
    "format_onsite": gettext_noop("On site, %(distance_km)s km away (provider serves %(radius_km)s km)"),
    "format_inhouse": gettext_noop(
        "In-house at the company, %(distance_km)s km away (provider serves %(radius_km)s km)"
    ),
    "distance_unknown": gettext_noop("On site or in-house, distance unknown (location missing)"),
    "format_none": gettext_noop("No common format"),
    "too_far": gettext_noop("%(distance_km)s km away, outside the %(radius_km)s km the provider serves"),
    "date_in_window": gettext_noop("Next date %(starts)s, within the time frame"),
    "date_on_request": gettext_noop("Dates on request"),
    "date_early": gettext_noop("Next date %(starts)s, before the time frame"),
    "date_late": gettext_noop("Next date %(starts)s, after the time frame"),
    "date_past": gettext_noop("Next date %(starts)s has passed"),
    "price_free": gettext_noop("Free of charge"),
    "price_within": gettext_noop("%(total_eur)s € for %(people)s people, within the budget"),
    "price_over": gettext_noop("%(total_eur)s € for %(people)s people, over the budget of %(budget_eur)s €"),
    "price_not_free": gettext_noop("%(total_eur)s € for %(people)s people, but only free offers are wanted"),
    "capacity_ok": gettext_noop("%(capacity_left)s places left for %(people)s people"),
    "capacity": gettext_noop("Only %(capacity_left)s places left for %(people)s people"),
}
# The same texts as gettext_lazy objects, for the views: ``REASON_TEXTS[code] % suggestion.facts``.
REASON_TEXTS = {code: gettext_lazy(msgid) for code, msgid in REASON_MSGIDS.items()}


class Reason(NamedTuple):
    code: str
    text: str  # English, filled in
    points: int


@dataclass(frozen=True, slots=True)
class NeedIn:
    id: int
    topics: frozenset[int]
    topic_parents: Mapping[int, int | None]  # parent of every topic involved (the need's and the offers')
    formats: frozenset[str]  # empty = any format
    people: int
    start: date | None
    end: date | None
    budget_limit_eur: int
    lat: float | None
    lon: float | None
    district: str
    company_id: int | None = None  # None = the need counts as its own company

    def __post_init__(self) -> None:
        object.__setattr__(self, "topics", frozenset(self.topics))
        object.__setattr__(self, "formats", frozenset(self.formats))


@dataclass(frozen=True, slots=True)
class OfferIn:
    id: int
    topics: frozenset[int]
    formats: frozenset[str]
    starts: date | None  # None = on request
    price_eur: int  # per person
    capacity_left: int
    lat: float | None
    lon: float | None
    radius_km: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "topics", frozenset(self.topics))
        object.__setattr__(self, "formats", frozenset(self.formats))


@dataclass(frozen=True, slots=True)
class Suggestion:
    offer_id: int
    score: int
    reasons: list[Reason]
    blocking: list[Reason]
    distance_km: float | None = None
    total_eur: int = 0
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def blocked(self) -> bool:
        return bool(self.blocking)


@dataclass(frozen=True, slots=True)
class Cluster:
    topic_id: int  # a parent topic when `parent_group`
    district: str | None  # None for the online cluster across districts
    need_ids: tuple[int, ...]
    companies: int
    people: int
    online: bool = False
    parent_group: bool = False
    topic_ids: tuple[int, ...] = ()  # the topics gathered (several children under a parent group)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def topic_level(wanted: int, offered: int, parents: Mapping[int, int | None]) -> float:
    """1 for the same topic; 0.5 when one is the other's parent or both share a parent; else 0."""
    if wanted == offered:
        return EXACT
    pw, po = parents.get(wanted), parents.get(offered)
    if pw == offered or po == wanted or (pw is not None and pw == po):
        return RELATED
    return NONE


def _points(value: float) -> int:
    """Whole points, halves rounded up (37.5 → 38), as a person would round."""
    return math.floor(value + 0.5)


def _reason(code: str, points: int, facts: Mapping[str, Any]) -> Reason:
    return Reason(code, REASON_MSGIDS[code] % facts, points)


def _distance(need: NeedIn, offer: OfferIn) -> float | None:
    if None in (need.lat, need.lon, offer.lat, offer.lon):
        return None
    return haversine_km(need.lat, need.lon, offer.lat, offer.lon)  # type: ignore[arg-type]


def score(need: NeedIn, offer: OfferIn, today: date) -> Suggestion:
    """How well `offer` serves `need` on `today`: points with reasons, and what blocks it (if anything)."""
    people = max(need.people, 1)
    total = offer.price_eur * people
    distance = _distance(need, offer)
    facts: dict[str, Any] = {
        "people": people,
        "total_eur": total,
        "budget_eur": need.budget_limit_eur,
        "capacity_left": offer.capacity_left,
        "radius_km": offer.radius_km,
        "distance_km": round(distance, 1) if distance is not None else None,
        "starts": offer.starts,
        "topics_wanted": len(need.topics),
        "topics_matched": 0,
    }
    plan: list[tuple[str, int]] = []  # (code, points) for what counts
    blocks: list[str] = []

    # Topic fit.
    levels = [
        max((topic_level(t, o, need.topic_parents) for o in offer.topics), default=NONE) for t in need.topics
    ]
    best = max(levels, default=NONE)
    facts["topics_matched"] = sum(level == EXACT for level in levels)
    if best == NONE:
        blocks.append("topic_none")
    else:
        points = _points(TOPIC_BEST * best + TOPIC_COVERAGE * sum(levels) / len(levels))
        plan.append(("topic_exact" if best == EXACT else "topic_parent", points))

    # Format and distance.
    common = (need.formats or ALL_FORMATS) & offer.formats
    options: list[tuple[int, str]] = []
    if ONLINE in common:
        options.append((FORMAT_MAX, "format_online"))
    presence = common & PRESENCE
    too_far = False
    if presence:
        code = "format_inhouse" if INHOUSE in presence else "format_onsite"
        if distance is None:
            options.append((FORMAT_UNKNOWN, "distance_unknown"))
        elif distance <= offer.radius_km:
            share = distance / offer.radius_km if offer.radius_km else 0.0
            options.append((_points(FORMAT_MAX - (FORMAT_MAX - FORMAT_EDGE) * share), code))
        else:
            too_far = True
    if options:
        points, code = max(options)
        plan.append((code, points))
    else:
        blocks.append("too_far" if too_far else "format_none")

    # Timing.
    if offer.starts is None:
        plan.append(("date_on_request", TIMING_ON_REQUEST))
    elif offer.starts < today:
        blocks.append("date_past")
    else:
        window_start = max(need.start or today, today)
        if offer.starts < window_start:
            plan.append(("date_early", TIMING_OUTSIDE))
        elif need.end is not None and offer.starts > need.end:
            plan.append(("date_late", TIMING_OUTSIDE))
        else:
            plan.append(("date_in_window", TIMING_IN_WINDOW))

    # Price per person × people against the budget band.
    limit = need.budget_limit_eur
    if total == 0:
        plan.append(("price_free", PRICE_MAX))
    elif limit <= 0:
        blocks.append("price_not_free")
    elif total <= limit:
        plan.append(("price_within", _points(PRICE_MAX - (PRICE_MAX - PRICE_AT_LIMIT) * total / limit)))
    else:
        plan.append(("price_over", 0))

    # Capacity left.
    if offer.capacity_left >= people:
        plan.append(("capacity_ok", CAPACITY_OK))
    else:
        blocks.append("capacity")

    reasons = [_reason(code, points, facts) for code, points in plan]
    blocking = [_reason(code, 0, facts) for code in blocks]
    total_points = max(0, min(100, sum(r.points for r in reasons)))
    return Suggestion(
        offer_id=offer.id,
        score=total_points,
        reasons=reasons,
        blocking=blocking,
        distance_km=facts["distance_km"],
        total_eur=total,
        facts=facts,
    )


def explain(suggestion: Suggestion, *, blocking: bool = False) -> list[tuple[str, str, int]]:
    """The reasons (or, with `blocking`, the reasons against) in the active language, with local number and date
    formats: [(code, text, points)]. For templates; the English texts are in `Reason.text`."""
    from django.utils import formats

    facts = dict(suggestion.facts)
    if facts.get("starts") is not None:
        facts["starts"] = formats.date_format(facts["starts"], "SHORT_DATE_FORMAT")
    if facts.get("distance_km") is not None:
        facts["distance_km"] = formats.number_format(facts["distance_km"], decimal_pos=1)
    for key in ("total_eur", "budget_eur"):
        facts[key] = formats.number_format(facts[key], force_grouping=True)
    reasons = suggestion.blocking if blocking else suggestion.reasons
    return [(r.code, str(REASON_TEXTS[r.code] % facts), r.points) for r in reasons]


def _rank_key(s: Suggestion) -> tuple[int, int, int]:
    return (-s.score, s.total_eur, s.offer_id)


def suggest(
    need: NeedIn,
    offers: Iterable[OfferIn],
    today: date,
    limit: int | None = 5,
    *,
    include_blocked: bool = False,
) -> list[Suggestion]:
    """The best `limit` offers for `need`, by score, then price, then id. Blocked offers are left out, or — with
    `include_blocked` — appended after the suggestions (best first, at most `limit` of them too) so staff see why not.
    """
    scored = [score(need, offer, today) for offer in offers]
    ok = sorted((s for s in scored if not s.blocked), key=_rank_key)
    result = ok[:limit] if limit is not None else ok
    if include_blocked:
        blocked = sorted((s for s in scored if s.blocked), key=_rank_key)
        result += blocked[:limit] if limit is not None else blocked
    return result


def covered_topics(need: NeedIn, offers: Sequence[OfferIn], today: date) -> frozenset[int]:
    """The need's topics that some offer it could take (unblocked) lists exactly."""
    covered: set[int] = set()
    for offer in offers:
        shared = (need.topics & offer.topics) - covered
        if shared and not score(need, offer, today).blocked:
            covered |= shared
    return frozenset(covered)


def clusters(
    needs: Iterable[NeedIn], offers: Iterable[OfferIn], today: date, min_companies: int = 3
) -> list[Cluster]:
    """Groups of open needs whose topic no reachable offer covers, shared by at least `min_companies` companies.

    For each district (the company's) and topic: one cluster. Topics of one parent whose groups stay below
    `min_companies` are pooled into a parent-topic cluster. Needs that accept online also form an "online" cluster
    across districts (left out when it holds exactly the needs of one district cluster). A need can appear in its
    district cluster and in the online cluster: clusters are proposals, not a partition. Sorted by companies, then
    people (both descending), district clusters before online ones, then topic and district.
    """
    offers = list(offers)
    needs = list(needs)
    # (location, topic) → needs; location is a district name or None for online.
    groups: dict[str | None, dict[int, list[NeedIn]]] = defaultdict(lambda: defaultdict(list))
    parents: dict[int, int | None] = {}
    for need in needs:
        parents.update(need.topic_parents)
        missing = need.topics - covered_topics(need, offers, today)
        for topic in missing:
            if need.district:
                groups[need.district][topic].append(need)
            if not need.formats or ONLINE in need.formats:
                groups[None][topic].append(need)

    def company_count(members: Iterable[NeedIn]) -> int:
        return len({("c", n.company_id) if n.company_id is not None else ("n", n.id) for n in members})

    def make(topic: int, location: str | None, topics: Iterable[int], members: Iterable[NeedIn]) -> Cluster:
        unique = {n.id: n for n in members}
        topic_ids = tuple(sorted(set(topics)))
        return Cluster(
            topic_id=topic,
            district=location,
            need_ids=tuple(sorted(unique)),
            companies=company_count(unique.values()),
            people=sum(n.people for n in unique.values()),
            online=location is None,
            parent_group=topic_ids != (topic,),
            topic_ids=topic_ids,
        )

    result: list[Cluster] = []
    district_sets: set[tuple[int, tuple[int, ...]]] = set()
    for location in sorted(groups, key=lambda loc: (loc is None, loc or "")):
        by_topic = groups[location]
        pools: dict[int, list[int]] = defaultdict(list)
        for topic in sorted(by_topic):
            members = by_topic[topic]
            if company_count(members) >= min_companies:
                cluster = make(topic, location, [topic], members)
            else:
                root = parents.get(topic) or topic
                pools[root].append(topic)
                continue
            if location is None and (topic, cluster.need_ids) in district_sets:
                continue
            if location is not None:
                district_sets.add((topic, cluster.need_ids))
            result.append(cluster)
        for root, topics in sorted(pools.items()):
            members = [n for t in topics for n in by_topic[t]]
            if len(topics) < 2 or company_count(members) < min_companies:
                continue
            cluster = make(root, location, topics, members)
            if location is None and (root, cluster.need_ids) in district_sets:
                continue
            if location is not None:
                district_sets.add((root, cluster.need_ids))
            result.append(cluster)
    result.sort(key=lambda c: (-c.companies, -c.people, c.online, c.topic_id, c.district or ""))
    return result


# --- adapter --------------------------------------------------------------------------------------------------
CONFIRMED_TANDEM = ("planned", "running")


def from_models(need_qs, offer_qs) -> tuple[list[NeedIn], list[OfferIn]]:
    """NeedIn/OfferIn lists from querysets of `Need` and `TrainingOffer` in five queries whatever their size.

    The caller chooses which needs (usually open ones) and offers (usually active ones) take part. A need's location
    is its company's first site; an offer's is its provider's town. `capacity_left` = capacity − people of the
    needs in planned or running tandems on that offer (never below 0). `topic_parents` is one map shared by all
    needs, holding the parent of every topic of the given needs and offers.
    """
    from django.db.models import Prefetch, Q, Sum

    from einblick.catalog.models import Site

    from .models import BUDGET_LIMIT, Topic

    topic_qs = Topic.objects.order_by().only("id", "parent_id")
    need_rows = list(
        need_qs.select_related("company").prefetch_related(
            Prefetch("topics", queryset=topic_qs),
            Prefetch("company__sites", queryset=Site.objects.select_related("place").order_by("id")),
        )
    )
    offer_rows = list(
        offer_qs.select_related("provider__place", "event")
        .prefetch_related(Prefetch("topics", queryset=topic_qs))
        .annotate(
            tandem_people_booked=Sum(
                "tandems__need__people", filter=Q(tandems__status__in=CONFIRMED_TANDEM), default=0
            )
        )
    )
    parents: dict[int, int | None] = {}
    for row in [*need_rows, *offer_rows]:
        parents.update((t.id, t.parent_id) for t in row.topics.all())

    needs = []
    for need in need_rows:
        sites = list(need.company.sites.all())
        site = sites[0] if sites else None
        needs.append(
            NeedIn(
                id=need.id,
                topics=frozenset(t.id for t in need.topics.all()),
                topic_parents=parents,
                formats=frozenset(need.formats or ()),
                people=need.people,
                start=need.start,
                end=need.end,
                budget_limit_eur=BUDGET_LIMIT.get(need.budget, 0),
                lat=site.latitude if site else None,
                lon=site.longitude if site else None,
                district=site.place.district if site else "",
                company_id=need.company_id,
            )
        )
    offers = []
    for offer in offer_rows:
        place = offer.provider.place
        offers.append(
            OfferIn(
                id=offer.id,
                topics=frozenset(t.id for t in offer.topics.all()),
                formats=frozenset(offer.formats or ()),
                # a seminar's date is its event's (the offer's own date may be stale once staff move the event)
                starts=timezone.localdate(offer.event.starts_at) if offer.event_id else offer.starts,
                price_eur=offer.price_eur,
                capacity_left=max(0, offer.capacity - (offer.tandem_people_booked or 0)),
                lat=place.latitude if place else None,
                lon=place.longitude if place else None,
                radius_km=offer.provider.radius_km,
            )
        )
    return needs, offers
