"""Digital-Tandem matching (issue #8): the pure scoring ranks sensibly and explains itself, blocked offers are never
suggested, clustering groups uncovered needs of one topic and district; the ORM adapter works in constant queries.
Method: docs/tandem.md."""

import random
from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from einblick.tandem import matching as m
from einblick.tandem.matching import Cluster, NeedIn, OfferIn, clusters, haversine_km, score, suggest
from tests.factories import CompanyFactory, PlaceFactory, SiteFactory

TODAY = date(2026, 3, 2)

# A small taxonomy: 1 Digital recruiting › 11 own videos, 12 social media, 13 online applications;
# 2 Digital onboarding › 21 digital record book; 3 online exam preparation.
PARENTS = {1: None, 11: 1, 12: 1, 13: 1, 2: None, 21: 2, 3: None}

# (lat, lon) of towns in the demo region.
PAPENBURG = (53.0833, 7.4)
MEPPEN = (52.6906, 7.291)
LEER = (53.2313, 7.461)
NORDHORN = (52.4319, 7.0678)
AURICH = (53.4716, 7.4836)

EMSLAND, LEER_DISTRICT, BENTHEIM = "Landkreis Emsland", "Landkreis Leer", "Landkreis Grafschaft Bentheim"


def need(id=1, *, at=PAPENBURG, **kw) -> NeedIn:
    values = {
        "id": id,
        "topics": frozenset({11}),
        "topic_parents": PARENTS,
        "formats": frozenset({"online", "onsite"}),
        "people": 2,
        "start": None,
        "end": None,
        "budget_limit_eur": 250,
        "lat": at[0] if at else None,
        "lon": at[1] if at else None,
        "district": EMSLAND,
        "company_id": id,
    }
    values.update(kw)
    return NeedIn(**values)


def offer(id=100, *, at=PAPENBURG, **kw) -> OfferIn:
    values = {
        "id": id,
        "topics": frozenset({11}),
        "formats": frozenset({"online"}),
        "starts": TODAY + timedelta(days=14),
        "price_eur": 0,
        "capacity_left": 12,
        "lat": at[0] if at else None,
        "lon": at[1] if at else None,
        "radius_km": 50,
    }
    values.update(kw)
    return OfferIn(**values)


def codes(reasons) -> list[str]:
    return [r.code for r in reasons]


# --- distance -------------------------------------------------------------------------------------------------


def test_haversine_known_distances():
    assert haversine_km(*PAPENBURG, *PAPENBURG) == 0
    assert haversine_km(52.52, 13.405, 53.5511, 9.9937) == pytest.approx(255, abs=3)  # Berlin–Hamburg
    assert haversine_km(*PAPENBURG, *MEPPEN) == pytest.approx(44.3, abs=1)
    assert haversine_km(*PAPENBURG, *MEPPEN) == haversine_km(*MEPPEN, *PAPENBURG)


# --- ranking --------------------------------------------------------------------------------------------------


def test_exact_topic_online_cheap_beats_parent_topic_far_expensive():
    wanted = need(budget_limit_eur=1000)
    good = offer(101, topics={11}, formats={"online"}, price_eur=50)
    # Covers the parent topic only, on site in Meppen (44 km, radius 50), 400 € per person.
    meh = offer(102, topics={1}, formats={"onsite"}, price_eur=400, at=MEPPEN)
    ranked = suggest(wanted, [meh, good], TODAY)
    assert [s.offer_id for s in ranked] == [101, 102]
    best, second = ranked
    assert best.score > second.score
    assert codes(best.reasons) == [
        "topic_exact",
        "format_online",
        "date_in_window",
        "price_within",
        "capacity_ok",
    ]
    assert codes(second.reasons)[:2] == ["topic_parent", "format_onsite"]
    assert second.distance_km == pytest.approx(44.3, abs=1)
    assert best.total_eur == 100 and second.total_eur == 800
    assert best.score == sum(r.points for r in best.reasons)


def test_perfect_offer_scores_100():
    s = score(need(), offer(), TODAY)
    assert s.score == 100 and not s.blocked
    assert [r.points for r in s.reasons] == [40, 20, 15, 15, 10]


def test_topic_levels_exact_related_none():
    assert m.topic_level(11, 11, PARENTS) == m.EXACT
    assert m.topic_level(11, 1, PARENTS) == m.RELATED  # the offer covers the parent topic
    assert m.topic_level(1, 11, PARENTS) == m.RELATED  # the need names the parent, the offer a child
    assert m.topic_level(11, 12, PARENTS) == m.RELATED  # siblings
    assert m.topic_level(11, 21, PARENTS) == m.NONE
    assert m.topic_level(1, 2, PARENTS) == m.NONE  # two roots are not siblings
    assert m.topic_level(11, 99, PARENTS) == m.NONE  # unknown topic


def test_topic_fit_orders_exact_over_parent_and_blocks_none():
    wanted = need()
    exact = score(wanted, offer(topics={11}), TODAY)
    sibling = score(wanted, offer(topics={12}), TODAY)
    unrelated = score(wanted, offer(topics={3}), TODAY)
    assert exact.reasons[0] == ("topic_exact", "Exact topic fit (1 of 1 topics)", 40)
    assert sibling.reasons[0].code == "topic_parent" and sibling.reasons[0].points == 20
    assert exact.score - sibling.score == 20
    assert codes(unrelated.blocking) == ["topic_none"]
    assert "topic_none" not in codes(unrelated.reasons)
    assert suggest(wanted, [offer(topics={3})], TODAY) == []


def test_need_without_topic_gets_no_suggestion():
    s = score(need(topics=frozenset()), offer(), TODAY)
    assert codes(s.blocking) == ["topic_none"]


def test_offer_covering_more_of_the_needs_topics_ranks_higher():
    wanted = need(topics={11, 21})  # own videos, digital record book
    both = offer(1, topics={11, 21})
    one = offer(2, topics={11})
    one_and_related = offer(3, topics={11, 2})  # 2 = digital onboarding, the parent of 21
    ranked = suggest(wanted, [one, one_and_related, both], TODAY)
    assert [s.offer_id for s in ranked] == [1, 3, 2]
    assert [s.reasons[0].points for s in ranked] == [40, 38, 35]
    assert ranked[2].reasons[0].text == "Exact topic fit (1 of 2 topics)"


def test_onsite_outside_radius_is_blocked_with_the_distance():
    wanted = need(formats={"onsite"}, at=AURICH, district="Landkreis Aurich")
    far = offer(formats={"onsite", "inhouse"}, at=NORDHORN, radius_km=50)
    s = score(wanted, far, TODAY)
    assert codes(s.blocking) == ["too_far"]
    assert s.distance_km == pytest.approx(117.5, abs=3)
    assert s.blocking[0].text == f"{s.distance_km} km away, outside the 50 km the provider serves"
    assert suggest(wanted, [far], TODAY) == []
    # A wider region served makes it reachable, with fewer points than next door.
    wide = score(wanted, replace(far, radius_km=150), TODAY)
    assert not wide.blocked and codes(wide.reasons)[1] == "format_onsite"
    near = score(wanted, replace(far, radius_km=150, lat=AURICH[0], lon=AURICH[1]), TODAY)
    assert 10 <= wide.reasons[1].points < near.reasons[1].points == 20


def test_online_is_reachable_at_any_distance():
    wanted = need(formats={"online", "onsite"}, at=AURICH)
    s = score(wanted, offer(formats={"online", "onsite"}, at=(48.14, 11.58), radius_km=10), TODAY)  # Munich
    assert not s.blocked
    assert s.reasons[1] == ("format_online", "Online: reachable from anywhere", 20)
    assert s.distance_km > 600  # still reported


def test_no_common_format_blocks():
    s = score(need(formats={"inhouse"}), offer(formats={"online"}), TODAY)
    assert codes(s.blocking) == ["format_none"]
    # An empty list of formats on the need accepts any.
    assert not score(need(formats=frozenset()), offer(formats={"online"}), TODAY).blocked


def test_unknown_location_is_not_blocked_but_scores_low():
    s = score(need(formats={"onsite"}), offer(formats={"onsite"}, at=None), TODAY)
    assert not s.blocked and s.distance_km is None
    assert s.reasons[1] == ("distance_unknown", "On site or in-house, distance unknown (location missing)", 5)


def test_timing():
    wanted = need(start=TODAY + timedelta(days=7), end=TODAY + timedelta(days=60))

    def timing(days: int) -> str:
        s = score(wanted, offer(starts=TODAY + timedelta(days=days)), TODAY)
        return s.blocking[0].code if s.blocked else s.reasons[2].code

    assert {days: timing(days) for days in (-1, 0, 3, 7, 30, 60, 61)} == {
        -1: "date_past",
        0: "date_early",
        3: "date_early",
        7: "date_in_window",
        30: "date_in_window",
        60: "date_in_window",
        61: "date_late",
    }
    past = score(wanted, offer(starts=TODAY - timedelta(days=1)), TODAY)
    assert past.blocking[0].text == "Next date 2026-03-01 has passed"
    on_request = score(wanted, offer(starts=None), TODAY)
    in_window = score(wanted, offer(starts=TODAY + timedelta(days=10)), TODAY)
    late = score(wanted, offer(starts=TODAY + timedelta(days=90)), TODAY)
    assert in_window.score > on_request.score > late.score
    # Without a time frame, any date from today on is fine.
    assert codes(score(need(), offer(starts=TODAY), TODAY).reasons)[2] == "date_in_window"


def test_price_against_budget():
    wanted = need(people=2, budget_limit_eur=250)
    free = score(wanted, offer(price_eur=0), TODAY)
    cheap = score(wanted, offer(price_eur=25), TODAY)
    at_limit = score(wanted, offer(price_eur=125), TODAY)
    over = score(wanted, offer(price_eur=200), TODAY)  # 400 € for 2 people
    assert free.score > cheap.score > at_limit.score > over.score
    assert at_limit.reasons[3] == ("price_within", "250 € for 2 people, within the budget", 8)
    assert not over.blocked
    assert over.reasons[3] == ("price_over", "400 € for 2 people, over the budget of 250 €", 0)
    # Price is per person: three people make 100 € each exceed a 250 € budget.
    assert score(need(people=3), offer(price_eur=100), TODAY).reasons[3].code == "price_over"
    assert score(need(people=2), offer(price_eur=100), TODAY).reasons[3].code == "price_within"


def test_free_only_budget_blocks_any_price():
    wanted = need(budget_limit_eur=0)
    assert codes(score(wanted, offer(price_eur=1), TODAY).blocking) == ["price_not_free"]
    assert score(wanted, offer(price_eur=0), TODAY).reasons[3].code == "price_free"
    assert [s.offer_id for s in suggest(wanted, [offer(1, price_eur=5), offer(2, price_eur=0)], TODAY)] == [2]


def test_capacity_left_must_hold_all_people():
    wanted = need(people=3)
    full = score(wanted, offer(capacity_left=2), TODAY)
    assert codes(full.blocking) == ["capacity"]
    assert full.blocking[0].text == "Only 2 places left for 3 people"
    assert score(wanted, offer(capacity_left=3), TODAY).reasons[-1] == (
        "capacity_ok",
        "3 places left for 3 people",
        10,
    )


def test_several_blocking_reasons_are_all_listed():
    s = score(
        need(formats={"onsite"}, budget_limit_eur=0, at=AURICH),
        offer(topics={3}, formats={"onsite"}, at=NORDHORN, starts=TODAY - timedelta(days=3), price_eur=10,
              capacity_left=0),
        TODAY,
    )  # fmt: skip
    assert codes(s.blocking) == ["topic_none", "too_far", "date_past", "price_not_free", "capacity"]
    assert all(r.points == 0 for r in s.blocking)


def test_suggest_limit_tie_breaks_and_include_blocked():
    wanted = need(budget_limit_eur=1000)
    offers = [
        offer(5, price_eur=10),
        offer(3, price_eur=10),  # same score and price as 5: lower id first
        offer(4, price_eur=5),  # cheaper → more points
        offer(9, price_eur=0, capacity_left=0),  # blocked: capacity
        offer(8, topics={12}),  # related topic
        offer(7, starts=TODAY - timedelta(days=1)),  # blocked: past
    ]
    assert [s.offer_id for s in suggest(wanted, offers, TODAY)] == [4, 3, 5, 8]
    assert [s.offer_id for s in suggest(wanted, offers, TODAY, limit=2)] == [4, 3]
    full = suggest(wanted, offers, TODAY, limit=None, include_blocked=True)
    # Blocked ones come last, ranked by what still counts (9 scores 90 without capacity, 7 scores 85).
    assert [s.offer_id for s in full] == [4, 3, 5, 8, 9, 7]
    assert [s.blocked for s in full] == [False] * 4 + [True] * 2
    assert [codes(s.blocking) for s in full[-2:]] == [["capacity"], ["date_past"]]
    assert [s.score for s in full[-2:]] == [90, 85]
    assert len(suggest(wanted, offers, TODAY, limit=1, include_blocked=True)) == 2


def test_suggest_is_deterministic_under_shuffling():
    rng = random.Random(8)
    wanted = need(budget_limit_eur=1000, formats={"online", "onsite", "inhouse"})
    offers = [random_offer(rng, i) for i in range(40)]
    expected = suggest(wanted, offers, TODAY, limit=None, include_blocked=True)
    for _ in range(5):
        rng.shuffle(offers)
        assert suggest(wanted, offers, TODAY, limit=None, include_blocked=True) == expected


def test_reason_texts_are_lazy_msgids_matching_the_english_texts():
    assert set(m.REASON_TEXTS) == set(m.REASON_MSGIDS)
    s = score(need(formats={"onsite"}), offer(formats={"onsite"}, at=MEPPEN, price_eur=30), TODAY)
    with translation.override("en"):
        for reason in s.reasons:
            assert str(m.REASON_TEXTS[reason.code] % s.facts) == reason.text
    # Every msgid formats with the facts of any suggestion (no missing placeholder).
    for msgid in m.REASON_MSGIDS.values():
        assert "%(" not in msgid % s.facts


def test_explain_formats_numbers_and_dates_for_the_active_language():
    s = score(
        need(formats={"onsite"}, budget_limit_eur=1000),
        offer(formats={"onsite"}, at=MEPPEN, price_eur=600),
        TODAY,
    )
    with translation.override("de"):
        texts = {code: text for code, text, _ in m.explain(s)}
    assert "44,3 km" in texts["format_onsite"]
    assert "16.03.2026" in texts["date_in_window"]
    assert "1.200 €" in texts["price_over"]
    with translation.override("en"):
        assert [(code, points) for code, _, points in m.explain(s)] == [(r.code, r.points) for r in s.reasons]
        assert m.explain(s)[1][1] == "On site, 44.3 km away (provider serves 50 km)"
    far = score(need(formats={"onsite"}), offer(formats={"onsite"}, at=NORDHORN), TODAY)
    with translation.override("de"):
        assert [code for code, _, _ in m.explain(far, blocking=True)] == ["too_far"]


# --- properties with random instances ---------------------------------------------------------------------------

TOPICS = sorted(PARENTS)
TOWNS = [PAPENBURG, MEPPEN, LEER, NORDHORN, AURICH, None]
FORMAT_SETS = [
    frozenset(s) for s in ({"online"}, {"onsite"}, {"inhouse"}, {"online", "onsite"}, set(m.ALL_FORMATS))
]


def random_offer(rng: random.Random, id: int) -> OfferIn:
    return offer(
        id,
        topics=frozenset(rng.sample(TOPICS, rng.randint(1, 3))),
        formats=rng.choice(FORMAT_SETS),
        starts=rng.choice([None, TODAY + timedelta(days=rng.randint(-10, 120))]),
        price_eur=rng.choice([0, 0, 20, 90, 150, 400, 1200]),
        capacity_left=rng.randint(0, 15),
        at=rng.choice(TOWNS),
        radius_km=rng.choice([0, 20, 50, 100]),
    )


towns = st.sampled_from(TOWNS)
days = st.one_of(st.none(), st.integers(-20, 150).map(lambda d: TODAY + timedelta(days=d)))
topic_sets = st.frozensets(st.sampled_from(TOPICS), min_size=1, max_size=3)
format_sets = st.sampled_from([*FORMAT_SETS, frozenset()])
needs_st = st.builds(
    need,
    id=st.integers(1, 50),
    topics=topic_sets,
    formats=format_sets,
    people=st.integers(1, 20),
    start=days,
    end=days,
    budget_limit_eur=st.sampled_from([0, 250, 1000, 10**9]),
    at=towns,
    district=st.sampled_from([EMSLAND, LEER_DISTRICT, ""]),
    company_id=st.integers(1, 10),
)
offers_st = st.builds(
    offer,
    id=st.integers(1, 10_000),
    topics=topic_sets,
    formats=st.sampled_from(FORMAT_SETS),
    starts=days,
    price_eur=st.sampled_from([0, 10, 60, 200, 700, 3000]),
    capacity_left=st.integers(0, 25),
    at=towns,
    radius_km=st.sampled_from([0, 15, 50, 150]),
)
offer_lists = st.lists(offers_st, max_size=12, unique_by=lambda o: o.id)
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(needs_st, offers_st)
def test_score_is_within_0_and_100_and_adds_up(wanted, candidate):
    s = score(wanted, candidate, TODAY)
    assert 0 <= s.score <= 100
    assert s.score == sum(r.points for r in s.reasons)
    assert all(r.points >= 0 for r in s.reasons)
    assert s.offer_id == candidate.id
    assert s.blocked == bool(s.blocking)
    assert {r.code for r in s.reasons + s.blocking} <= set(m.REASON_MSGIDS)


@PROPERTY
@given(needs_st, offer_lists)
def test_suggest_never_returns_blocked_and_is_sorted(wanted, offers):
    ranked = suggest(wanted, offers, TODAY, limit=None)
    assert not any(s.blocked for s in ranked)
    keys = [(-s.score, s.total_eur, s.offer_id) for s in ranked]
    assert keys == sorted(keys)
    unblocked = {o.id for o in offers if not score(wanted, o, TODAY).blocked}
    assert {s.offer_id for s in ranked} == unblocked
    assert len(suggest(wanted, offers, TODAY, limit=3)) == min(3, len(unblocked))


def perfect_offer_for(wanted: NeedIn) -> OfferIn:
    start = max(wanted.start or TODAY, TODAY)
    return OfferIn(
        id=99_999,
        topics=wanted.topics,
        formats=m.ALL_FORMATS,
        starts=start if wanted.end is None or start <= wanted.end else None,
        price_eur=0,
        capacity_left=wanted.people,
        lat=wanted.lat,
        lon=wanted.lon,
        radius_km=50,
    )


@PROPERTY
@given(needs_st, offer_lists)
def test_adding_a_better_fitting_offer_never_lowers_the_best_score(wanted, offers):
    before = suggest(wanted, offers, TODAY, limit=1)
    better = perfect_offer_for(wanted)
    after = suggest(wanted, [*offers, better], TODAY, limit=1)
    assert after, "a perfectly fitting offer is always suggested"
    assert after[0].score >= (before[0].score if before else 0)
    unknown_place = wanted.lat is None and wanted.formats and "online" not in wanted.formats
    on_request = better.starts is None
    expected = 100 - 15 * bool(unknown_place) - 5 * on_request
    assert score(wanted, better, TODAY).score == expected
    assert after[0].score >= expected
    # And adding any offer never lowers the best score either.
    extra = replace(offers[0], id=77_777) if offers else better
    again = suggest(wanted, [*offers, extra], TODAY, limit=1)
    assert (again[0].score if again else 0) >= (before[0].score if before else 0)


@PROPERTY
@given(needs_st, offers_st)
def test_more_capacity_budget_or_radius_never_lower_the_score(wanted, candidate):
    base = score(wanted, candidate, TODAY)
    for looser_need, looser_offer in [
        (wanted, replace(candidate, capacity_left=candidate.capacity_left + 10)),
        (wanted, replace(candidate, radius_km=candidate.radius_km + 100)),
        (wanted, replace(candidate, price_eur=0)),
        (replace(wanted, budget_limit_eur=wanted.budget_limit_eur + 1000), candidate),
        (wanted, replace(candidate, formats=m.ALL_FORMATS)),
    ]:
        looser = score(looser_need, looser_offer, TODAY)
        assert looser.score >= base.score
        # Never more reasons against (a format may turn from "none in common" into "too far").
        assert len(looser.blocking) <= len(base.blocking)


# --- clusters ---------------------------------------------------------------------------------------------------


def onsite_need(id, topics=(11,), district=EMSLAND, company_id=None, people=2, **kw) -> NeedIn:
    return need(
        id,
        topics=frozenset(topics),
        formats=frozenset({"onsite"}),
        district=district,
        company_id=company_id or id,
        people=people,
        **kw,
    )


def test_cluster_groups_same_topic_and_district_and_separates_districts():
    needs = [
        onsite_need(1),
        onsite_need(2, people=3),
        onsite_need(3),
        onsite_need(4, district=LEER_DISTRICT, at=LEER),
        onsite_need(5, district=LEER_DISTRICT, at=LEER),
        onsite_need(6, topics=(3,)),  # another topic in Emsland
    ]
    result = clusters(needs, [], TODAY, min_companies=2)
    assert result == [
        Cluster(11, EMSLAND, (1, 2, 3), companies=3, people=7, topic_ids=(11,)),
        Cluster(11, LEER_DISTRICT, (4, 5), companies=2, people=4, topic_ids=(11,)),
    ]
    assert [(c.topic_id, c.district) for c in clusters(needs, [], TODAY, min_companies=1)] == [
        (11, EMSLAND),
        (11, LEER_DISTRICT),
        (3, EMSLAND),
    ]


def test_cluster_respects_min_companies_counting_companies_not_needs():
    needs = [onsite_need(1, company_id=10), onsite_need(2, company_id=10), onsite_need(3, company_id=11)]
    assert clusters(needs, [], TODAY, min_companies=3) == []
    (only,) = clusters(needs, [], TODAY, min_companies=2)
    assert only.companies == 2 and only.need_ids == (1, 2, 3) and only.people == 6
    needs.append(onsite_need(4, company_id=12))
    assert clusters(needs, [], TODAY)[0].companies == 3  # default min_companies=3


def test_cluster_excludes_needs_an_offer_covers():
    needs = [onsite_need(i) for i in range(1, 5)]
    covering = offer(topics={11}, formats={"onsite"}, at=MEPPEN)
    assert clusters(needs, [covering], TODAY) == []
    # An offer that cannot serve them does not cover them: past date, too far, another topic only, full.
    not_covering = [
        replace(covering, id=201, starts=TODAY - timedelta(days=1)),
        replace(covering, id=202, lat=AURICH[0], lon=AURICH[1], radius_km=20),
        replace(covering, id=203, topics=frozenset({12})),  # related topic does not cover
        replace(covering, id=204, capacity_left=1),
    ]
    (cluster,) = clusters(needs, not_covering, TODAY)
    assert cluster.need_ids == (1, 2, 3, 4)
    # The offer reaches only the needs near Meppen: those are covered, the far one stays (and misses the minimum).
    mixed = [*needs[:3], onsite_need(5, at=AURICH), onsite_need(6, at=AURICH), onsite_need(7, at=AURICH)]
    near_meppen = replace(covering, radius_km=45)
    (cluster,) = clusters(mixed, [near_meppen], TODAY)
    assert cluster.need_ids == (5, 6, 7)


def test_cluster_uses_only_the_uncovered_topic_of_a_need():
    needs = [onsite_need(i, topics=(11, 3)) for i in (1, 2, 3)]
    exam_prep = offer(topics={3}, formats={"onsite"})
    result = clusters(needs, [exam_prep], TODAY)
    assert [(c.topic_id, c.need_ids) for c in result] == [(11, (1, 2, 3))]


def test_scattered_children_form_a_parent_topic_cluster():
    needs = [onsite_need(1, topics=(11,)), onsite_need(2, topics=(12,)), onsite_need(3, topics=(13,))]
    (cluster,) = clusters(needs, [], TODAY)
    assert cluster.topic_id == 1 and cluster.parent_group
    assert cluster.topic_ids == (11, 12, 13) and cluster.need_ids == (1, 2, 3) and cluster.companies == 3
    # Children of another parent are not pooled with them.
    other = [onsite_need(1, topics=(11,)), onsite_need(2, topics=(12,)), onsite_need(3, topics=(21,))]
    assert clusters(other, [], TODAY) == []
    # A child that reaches the minimum on its own stays a cluster of its own; the lone sibling is not pooled.
    strong = [*(onsite_need(i, topics=(11,)) for i in (1, 2, 3)), onsite_need(4, topics=(12,))]
    assert [(c.topic_id, c.need_ids, c.parent_group) for c in clusters(strong, [], TODAY)] == [
        (11, (1, 2, 3), False)
    ]


def test_online_cluster_across_districts():
    def online_need(id, district, at):
        return need(id, formats=frozenset({"online"}), district=district, at=at)

    needs = [
        online_need(1, EMSLAND, PAPENBURG),
        online_need(2, EMSLAND, MEPPEN),
        online_need(3, LEER_DISTRICT, LEER),
        online_need(4, BENTHEIM, NORDHORN),
        onsite_need(5, district=BENTHEIM, at=NORDHORN),  # on site only: not in the online cluster
    ]
    (cluster,) = clusters(needs, [], TODAY)
    assert cluster == Cluster(11, None, (1, 2, 3, 4), companies=4, people=8, online=True, topic_ids=(11,))
    # When the online cluster holds exactly a district cluster's needs, only the district cluster is shown.
    same = [online_need(i, EMSLAND, PAPENBURG) for i in (1, 2, 3)]
    assert [(c.district, c.online) for c in clusters(same, [], TODAY)] == [(EMSLAND, False)]
    # A need without a known district joins the online cluster only.
    nowhere = [*same, need(9, formats=frozenset({"online"}), district="", at=None)]
    result = clusters(nowhere, [], TODAY)
    assert [(c.district, c.need_ids) for c in result] == [(None, (1, 2, 3, 9)), (EMSLAND, (1, 2, 3))]


def test_clusters_are_sorted_by_companies_and_deterministic():
    needs = [
        *(onsite_need(i, topics=(3,), district=LEER_DISTRICT, at=LEER) for i in range(1, 4)),
        *(onsite_need(i, topics=(21,)) for i in range(10, 15)),
        *(onsite_need(i, topics=(11,), district=BENTHEIM, at=NORDHORN) for i in range(20, 24)),
    ]
    result = clusters(needs, [], TODAY)
    assert [(c.topic_id, c.companies) for c in result] == [(21, 5), (11, 4), (3, 3)]
    shuffled = needs[:]
    random.Random(3).shuffle(shuffled)
    assert clusters(shuffled, [], TODAY) == result


# --- adapter (ORM) ----------------------------------------------------------------------------------------------


@pytest.fixture
def taxonomy(db):
    from einblick.tandem.models import Topic

    recruiting = Topic.objects.create(name="Digitales Recruiting")
    videos = Topic.objects.create(name="Eigene Videos", parent=recruiting)
    social = Topic.objects.create(name="Social Media", parent=recruiting)
    exams = Topic.objects.create(name="Online-Prüfungsvorbereitung")
    return {"recruiting": recruiting, "videos": videos, "social": social, "exams": exams}


def make_need(topics, *, town=0, people=2, budget="low", formats=("online", "onsite"), site=True, **kw):
    from einblick.tandem.models import Need

    company = CompanyFactory()
    if site:
        SiteFactory(company=company, place=PlaceFactory.town(town))
    need_obj = Need.objects.create(company=company, people=people, budget=budget, formats=list(formats), **kw)
    need_obj.topics.set(topics)
    return need_obj


def make_offer(topics, *, town=0, capacity=12, radius_km=50, **kw):
    from einblick.tandem.models import Provider, TrainingOffer

    place = PlaceFactory.town(town) if town is not None else None
    provider = Provider.objects.create(name=f"Bildungsträger {town}", place=place, radius_km=radius_km)
    values = {"title": "Azubi-Videos mit dem Smartphone", "formats": ["online"], "capacity": capacity}
    values.update(kw)
    offer_obj = TrainingOffer.objects.create(provider=provider, **values)
    offer_obj.topics.set(topics)
    return offer_obj


def test_from_models_builds_inputs(taxonomy):
    from einblick.tandem.models import BUDGET_LIMIT, Need, Tandem, TrainingOffer

    wanted = make_need([taxonomy["videos"], taxonomy["exams"]], town=1, people=3, budget="medium",
                       start=TODAY, end=TODAY + timedelta(days=90))  # fmt: skip
    homeless = make_need([taxonomy["social"]], site=False, budget="free", formats=["online"])
    course = make_offer([taxonomy["recruiting"]], town=0, capacity=10, radius_km=80, price_eur=120,
                        formats=["online", "onsite"], starts=TODAY + timedelta(days=20))  # fmt: skip
    mentoring = make_offer([taxonomy["videos"]], town=None, capacity=2)
    # Confirmed tandems use places; done and dropped ones do not.
    for people, status in [(3, "planned"), (4, "running"), (5, "done"), (6, "dropped")]:
        other = make_need([taxonomy["videos"]], people=people)
        Tandem.objects.create(need=other, offer=course, status=status)
    Tandem.objects.create(need=make_need([taxonomy["videos"]], people=5), offer=mentoring, status="running")

    needs, offers = m.from_models(
        Need.objects.filter(pk__in=[wanted.pk, homeless.pk]).order_by("pk"),
        TrainingOffer.objects.filter(pk__in=[course.pk, mentoring.pk]).order_by("pk"),
    )
    n1, n2 = needs
    assert n1.id == wanted.pk and n1.company_id == wanted.company_id
    assert n1.topics == {taxonomy["videos"].pk, taxonomy["exams"].pk}
    assert n1.formats == {"online", "onsite"} and n1.people == 3
    assert (n1.start, n1.end) == (TODAY, TODAY + timedelta(days=90))
    assert n1.budget_limit_eur == BUDGET_LIMIT["medium"] == 1000
    assert (n1.lat, n1.lon, n1.district) == (52.6906, 7.291, "Landkreis Emsland")  # Meppen
    assert n1.topic_parents[taxonomy["videos"].pk] == taxonomy["recruiting"].pk
    assert n1.topic_parents[taxonomy["recruiting"].pk] is None
    assert n1.topic_parents[taxonomy["exams"].pk] is None
    assert (n2.lat, n2.lon, n2.district, n2.budget_limit_eur) == (None, None, "", 0)

    o1, o2 = offers
    assert o1.id == course.pk and o1.topics == {taxonomy["recruiting"].pk}
    assert o1.capacity_left == 10 - 3 - 4
    assert (o1.lat, o1.lon, o1.radius_km, o1.price_eur) == (53.0833, 7.4, 80, 120)
    assert o1.starts == TODAY + timedelta(days=20) and o1.formats == {"online", "onsite"}
    assert o2.capacity_left == 0  # never negative: 2 places, 5 people
    assert (o2.lat, o2.lon) == (None, None)

    # And the inputs work end to end: the course suits the Meppen company (related topic, within budget).
    (s,) = suggest(n1, offers, TODAY)
    assert s.offer_id == course.pk
    assert codes(s.reasons) == [
        "topic_parent",
        "format_online",
        "date_in_window",
        "price_within",
        "capacity_ok",
    ]


def test_from_models_query_count_is_constant(taxonomy):
    from einblick.tandem.models import Need, Tandem, TrainingOffer

    def count_for(n: int) -> tuple[int, int]:
        Tandem.objects.all().delete()
        Need.objects.all().delete()
        TrainingOffer.objects.all().delete()
        for i in range(n):
            make_need([taxonomy["videos"], taxonomy["social"]], town=i % 6)
            o = make_offer([taxonomy["videos"]], town=i % 6)
            Tandem.objects.create(need=make_need([taxonomy["exams"]]), offer=o, status="planned")
        with CaptureQueriesContext(connection) as ctx:
            needs, offers = m.from_models(Need.objects.all(), TrainingOffer.objects.all())
            suggest(needs[0], offers, TODAY)
            clusters(needs, offers, TODAY)
        assert len(needs) == 2 * n and len(offers) == n
        return len(ctx.captured_queries), len(needs)

    one, _ = count_for(1)
    five, _ = count_for(5)
    assert one == five == 5
