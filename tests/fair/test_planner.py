"""Programme planner (issue #4): the pure solver (known optima, hard rules under hypothesis), the services (runs
through the task worker, moving and pinning by hand, requests) and the screens (permissions, move with confirmation)."""

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from einblick.fair import planner, services
from einblick.fair.models import Fair, FairDay, PlanRun, Session, SessionRequest, Stage
from tests.factories import CompanyFactory, ProfessionFactory

TZ = ZoneInfo("Europe/Berlin")


def _monday_ahead() -> datetime:
    """08:00 on a Monday two to three weeks ahead: the fair is always still to come."""
    today = datetime.now(TZ).date()
    day = today + timedelta(days=14 + (7 - today.weekday()) % 7)
    return datetime(day.year, day.month, day.day, 8, 0, tzinfo=TZ)


MONDAY = _monday_ahead()
SATURDAY = MONDAY + timedelta(days=5)
DAY = f"{MONDAY:%Y-%m-%d}"
FAST = planner.Options(time_limit=5.0, workers=2, seed=1)


def at(day: datetime, hour: int, minute: int = 0) -> datetime:
    return day.replace(hour=hour, minute=minute)


def window(day: datetime, start: int, end: int) -> planner.Window:
    return planner.Window(at(day, start), at(day, end))


def request(rid: int, company: int | None = None, minutes: int = 30, **kwargs) -> planner.Request:
    return planner.Request(
        id=rid, company=company if company is not None else rid, duration_minutes=minutes, **kwargs
    )


def problem(requests, *, windows=None, stages=(1, 2), fixed=()) -> planner.Problem:
    return planner.Problem(
        windows=tuple(windows or (window(MONDAY, 8, 10),)),
        stages=tuple(stages),
        requests=tuple(requests),
        fixed=tuple(fixed),
    )


def solve(p: planner.Problem, options: planner.Options = FAST) -> planner.Result:
    result = planner.solve(p, options)
    assert planner.check(p, result.placements, options) == []
    return result


def reasons(result: planner.Result) -> dict[int, str]:
    return {u.request: u.reason for u in result.unplaced}


# --- the pure solver ----------------------------------------------------------------------------------------------


def test_exact_fit_is_placed_completely_and_proven_optimal():
    # Two stages × two hours = four one-hour sessions: every request fits, and the solver proves it.
    p = problem([request(i, minutes=60) for i in range(1, 5)])
    result = solve(p)
    assert result.status == "OPTIMAL"
    assert len(result.placements) == 4 and result.unplaced == []
    assert result.best_bound == result.objective
    assert result.placed_bound == 4


def test_one_request_too_many_is_reported_with_a_reason_and_the_bound_proves_it():
    p = problem([request(i, minutes=60) for i in range(1, 6)])
    result = solve(p)
    assert result.status == "OPTIMAL"
    assert len(result.placements) == 4
    assert list(reasons(result).values()) == [planner.Reason.STAGES_FULL]
    assert result.placed_bound == 4  # no plan places five


def test_longer_sessions_do_not_push_out_two_shorter_ones():
    # One stage, 08:00–10:00: a 120-minute request or two of 60 minutes — the count decides.
    p = problem([request(1, minutes=120), request(2, minutes=60), request(3, minutes=60)], stages=(1,))
    result = solve(p)
    assert {pl.request for pl in result.placements} == {2, 3}
    assert reasons(result) == {1: planner.Reason.STAGES_FULL}


def test_preferred_stage_is_honoured_when_there_is_room():
    p = problem([request(1, preferred_stage=2), request(2, preferred_stage=2), request(3, preferred_stage=1)])
    result = solve(p)
    assert {pl.request: pl.stage for pl in result.placements} == {1: 2, 2: 2, 3: 1}
    assert result.stats["preferred_stage"] == 3


def test_pinned_sessions_stay_and_requests_are_placed_around_them():
    pinned = planner.Fixed(
        id=99, stage=1, starts_at=at(MONDAY, 8), ends_at=at(MONDAY, 9, 30), company=7, request=7
    )
    p = problem(
        [
            request(7, minutes=90),
            request(1, minutes=60, preferred_stage=1),
            request(2, minutes=30, preferred_stage=1),
        ],
        stages=(1,),
        fixed=[pinned],
    )
    result = solve(p)
    placed = {pl.request: pl for pl in result.placements}
    assert 7 not in placed and 7 not in reasons(result)  # its pinned session is the plan
    assert placed[2].starts_at == at(MONDAY, 9, 30)  # the only free half hour
    assert reasons(result) == {1: planner.Reason.BLOCKED}


def test_company_own_fixed_session_blocks_its_requests_on_every_stage():
    pinned = planner.Fixed(id=50, stage=1, starts_at=at(MONDAY, 8), ends_at=at(MONDAY, 10), company=3)
    result = solve(problem([request(1, company=3)], fixed=[pinned]))
    assert reasons(result) == {1: planner.Reason.COMPANY_FIXED}


def test_school_hours_only_monday_to_friday_8_to_13():
    windows = [window(MONDAY, 8, 19), window(SATURDAY, 8, 19)]
    saturday_only = (window(SATURDAY, 8, 19),)
    p = problem(
        [
            request(1, minutes=60, school_hours=True),
            request(2, minutes=60, school_hours=True, availability=saturday_only),
            request(3, minutes=60, availability=saturday_only),
            request(4, minutes=60, school_hours=True, availability=(window(MONDAY, 12, 19),)),
        ],
        windows=windows,
    )
    result = solve(p)
    placed = {pl.request: pl for pl in result.placements}
    assert at(MONDAY, 8) <= placed[1].starts_at and placed[1].ends_at <= at(MONDAY, 13)
    assert placed[3].starts_at.astimezone(TZ).weekday() == 5  # no school-hour rule: Saturday is fine
    assert placed[4].starts_at == at(MONDAY, 12)  # 12:00–13:00 is the only school hour it is available
    assert reasons(result) == {2: planner.Reason.SCHOOL_HOURS}


def test_school_hours_are_a_setting_of_the_solver():
    afternoon = planner.SchoolHours(weekdays=(0,), start=at(MONDAY, 14).time(), end=at(MONDAY, 16).time())
    options = planner.Options(time_limit=5, school_hours=afternoon)
    result = solve(problem([request(1, school_hours=True)], windows=[window(MONDAY, 8, 19)]), options)
    assert result.placements[0].starts_at >= at(MONDAY, 14)


def test_a_company_is_never_on_two_stages_at_once():
    # One company, three one-hour requests, three stages, one hour open: only one can run.
    result = solve(
        problem(
            [request(i, company=1, minutes=60) for i in (1, 2, 3)],
            windows=[window(MONDAY, 8, 9)],
            stages=(1, 2, 3),
        )
    )
    assert len(result.placements) == 1
    assert sorted(reasons(result).values()) == [planner.Reason.COMPANY_BUSY] * 2


def test_requests_that_can_never_be_placed_say_why():
    p = problem(
        [
            request(1, minutes=180),  # the fair is open two hours
            request(2, availability=(window(SATURDAY, 8, 12),)),  # not open on Saturday
            request(
                3, minutes=60, availability=(planner.Window(at(MONDAY, 9, 30), at(MONDAY, 10)),)
            ),  # 30 min
        ]
    )
    result = solve(p)
    assert reasons(result) == {
        1: planner.Reason.TOO_LONG,
        2: planner.Reason.OUTSIDE_AVAILABILITY,
        3: planner.Reason.OUTSIDE_AVAILABILITY,
    }
    assert result.placements == [] and result.status == "OPTIMAL"


def test_sessions_on_the_same_profession_are_kept_apart():
    # Two stages, two hours: two 30-minute sessions on one profession start at least 60 minutes apart.
    p = problem([request(1, professions=frozenset({5})), request(2, professions=frozenset({5}))])
    result = solve(p)
    first, second = sorted(result.placements, key=lambda pl: pl.starts_at)
    assert second.starts_at - first.starts_at >= timedelta(minutes=60)
    assert result.stats["too_close"] == 0


def test_spread_never_costs_a_placed_request():
    # Four sessions on one profession in one hour on four stages: all placed although none can be apart.
    p = problem(
        [request(i, professions=frozenset({5}), minutes=60) for i in range(1, 5)],
        windows=[window(MONDAY, 8, 9)],
        stages=(1, 2, 3, 4),
    )
    assert len(solve(p).placements) == 4


def test_a_rerun_keeps_sessions_where_they_were():
    current = {1: (2, at(MONDAY, 9)), 2: (1, at(MONDAY, 8, 30))}
    p = problem(
        [request(rid, current_stage=stage, current_start=start) for rid, (stage, start) in current.items()]
    )
    result = solve(p)
    assert {pl.request: (pl.stage, pl.starts_at) for pl in result.placements} == current
    assert result.stats["kept"] == 2


def random_problem(rng: random.Random, n: int = 40) -> planner.Problem:
    windows = [window(MONDAY + timedelta(days=d), 8, 14) for d in range(2)]
    requests = []
    for rid in range(1, n + 1):
        availability = () if rng.random() < 0.5 else (windows[rng.randrange(2)],)
        requests.append(
            request(
                rid,
                company=rng.randrange(1, n // 2),
                minutes=rng.choice([15, 30, 45, 60]),
                professions=frozenset(rng.sample(range(1, 6), k=rng.randint(0, 2))),
                availability=availability,
                preferred_stage=rng.choice([None, 1, 2, 3]),
                school_hours=rng.random() < 0.4,
            )
        )
    return problem(requests, windows=windows, stages=(1, 2, 3))


def test_same_seed_same_plan():
    p = random_problem(random.Random(4))
    options = planner.Options(time_limit=30, workers=2, seed=3, deterministic_time=2.0)
    first, second = planner.solve(p, options), planner.solve(p, options)
    assert first.placements == second.placements
    assert first.objective == second.objective


def test_moving_by_hand_conflicts():
    others = [
        planner.Slot(1, stage=1, starts_at=at(MONDAY, 8), ends_at=at(MONDAY, 9), company=10),
        planner.Slot(2, stage=2, starts_at=at(MONDAY, 9), ends_at=at(MONDAY, 10), company=20),
    ]
    windows = [window(MONDAY, 8, 10)]
    slot = planner.Slot(3, stage=1, starts_at=at(MONDAY, 8, 30), ends_at=at(MONDAY, 9, 30), company=20)
    kinds = [c.kind for c in planner.slot_conflicts(slot, others, windows)]
    assert kinds == ["stage", "company"]
    late = planner.Slot(3, stage=1, starts_at=at(MONDAY, 9, 30), ends_at=at(MONDAY, 10, 30), company=30)
    found = planner.slot_conflicts(late, others, windows, school_hours_required=True)
    assert [c.kind for c in found] == ["opening"]
    assert not any(c.hard for c in found)
    saturday = planner.Slot(4, stage=2, starts_at=at(SATURDAY, 9), ends_at=at(SATURDAY, 10))
    found = planner.slot_conflicts(saturday, others, [window(SATURDAY, 8, 12)], school_hours_required=True)
    assert [c.kind for c in found] == ["school_hours"]


@st.composite
def small_problems(draw):
    n_windows = draw(st.integers(1, 2))
    windows = [
        window(MONDAY + timedelta(days=5 * k), draw(st.integers(7, 10)), draw(st.integers(11, 15)))
        for k in range(n_windows)
    ]  # Monday and Saturday
    stages = tuple(range(1, draw(st.integers(1, 3)) + 1))
    fixed = []
    for fid in range(draw(st.integers(0, 2))):
        w = draw(st.sampled_from(windows))
        start = w.starts_at + timedelta(minutes=15 * draw(st.integers(0, 12)))
        fixed.append(
            planner.Fixed(
                id=100 + fid,
                stage=draw(st.sampled_from(stages)),
                starts_at=start,
                ends_at=start + timedelta(minutes=draw(st.sampled_from([30, 60]))),
                company=draw(st.sampled_from([None, 1, 2])),
                professions=frozenset(draw(st.sets(st.integers(1, 3), max_size=2))),
            )
        )
    requests = []
    for rid in range(1, draw(st.integers(1, 9)) + 1):
        availability = ()
        if draw(st.booleans()):
            w = draw(st.sampled_from(windows))
            a = w.starts_at + timedelta(minutes=15 * draw(st.integers(0, 8)))
            availability = (planner.Window(a, a + timedelta(minutes=15 * draw(st.integers(1, 16)))),)
        requests.append(
            request(
                rid,
                company=draw(st.integers(1, 4)),
                minutes=15 * draw(st.integers(1, 8)),
                professions=frozenset(draw(st.sets(st.integers(1, 3), max_size=2))),
                availability=availability,
                preferred_stage=draw(st.sampled_from([None, *stages])),
                school_hours=draw(st.booleans()),
            )
        )
    return planner.Problem(
        windows=tuple(windows), stages=stages, requests=tuple(requests), fixed=tuple(fixed)
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_every_plan_keeps_the_hard_rules(p):
    options = planner.Options(time_limit=3, workers=1, seed=0)
    result = planner.solve(p, options)
    assert planner.check(p, result.placements, options) == []
    placed = {pl.request for pl in result.placements}
    unplaced = {u.request for u in result.unplaced}
    assert not placed & unplaced
    assert placed | unplaced == {r.id for r in p.requests}  # each request is either placed or explained
    assert result.objective <= result.best_bound
    assert len(placed) <= result.placed_bound


# --- services -----------------------------------------------------------------------------------------------------


@pytest.fixture
def planner_fair(db):
    fair = Fair.objects.create(name="55 Stunden Zukunft – Frühjahr", slug="fruehjahr")
    FairDay.objects.create(fair=fair, starts_at=at(MONDAY, 8), ends_at=at(MONDAY, 12))
    FairDay.objects.create(fair=fair, starts_at=at(SATURDAY, 10), ends_at=at(SATURDAY, 12))
    Stage.objects.create(fair=fair, name="Bühne 1", slug="buehne-1", position=0)
    Stage.objects.create(fair=fair, name="Bühne 2", slug="buehne-2", position=1)
    return fair


def add_request(fair, company, *, minutes=60, availability=None, school_hours=False, title="", **kwargs):
    return services.session_request_create(
        fair=fair,
        company=company,
        title=title or f"Ausbildung bei {company.name}",
        duration_minutes=minutes,
        availability=availability or [(d.starts_at, d.ends_at) for d in fair.days.all()],
        school_hours=school_hours,
        **kwargs,
    )


def test_request_validation_messages_are_german_and_nothing_is_saved(planner_fair, company_a):
    from django.core.exceptions import ValidationError

    saturday = planner_fair.days.last()
    cases = [
        ({"minutes": 20}, "duration_minutes", "15-Minuten"),
        (
            {"availability": [(at(SATURDAY, 14), at(SATURDAY, 15))]},
            "availability",
            "außerhalb der Öffnungszeiten",
        ),
        (
            {"availability": [(saturday.starts_at, saturday.ends_at)], "school_hours": True},
            "school_hours",
            "keine Schulzeit",
        ),
        ({"minutes": 180, "availability": [(at(MONDAY, 8), at(MONDAY, 10))]}, "availability", "180 Minuten"),
    ]
    for kwargs, field, text in cases:
        with pytest.raises(ValidationError) as error:
            add_request(planner_fair, company_a, **kwargs)
        assert text in " ".join(error.value.message_dict[field]), (field, error.value.message_dict)
    assert not SessionRequest.objects.exists()


def test_plan_run_through_the_task_worker_writes_sessions_and_reasons(
    planner_fair, company_a, company_b, run_tasks, staff
):
    profession = ProfessionFactory()
    company_c = CompanyFactory(name="Elektro Hinrichs", slug="hinrichs")
    stage_2 = planner_fair.stages.get(slug="buehne-2")
    monday = [(at(MONDAY, 8), at(MONDAY, 12))]
    first = add_request(planner_fair, company_a, minutes=120, availability=monday, professions=[profession])
    second = add_request(planner_fair, company_b, minutes=120, availability=monday, preferred_stage=stage_2)
    third = add_request(planner_fair, company_c, minutes=180, availability=monday, school_hours=True)
    fourth = add_request(planner_fair, company_c, minutes=180, availability=monday)
    saturday = add_request(
        planner_fair, company_a, minutes=60, availability=[(at(SATURDAY, 10), at(SATURDAY, 12))]
    )

    run, created = services.plan_run_start(fair=planner_fair, by=staff)
    assert created and run.status == PlanRun.Status.QUEUED
    again, created_again = services.plan_run_start(fair=planner_fair, by=staff)
    assert again.pk == run.pk and not created_again  # no second run while one is queued
    assert run_tasks() == 1

    run.refresh_from_db()
    assert run.status == PlanRun.Status.DONE, run.error
    assert run.solver_status == "OPTIMAL"
    assert (run.placed, run.unplaced, run.requests) == (4, 1, 5)
    assert run.best_bound >= run.objective > 0
    for r in (first, second, third, fourth, saturday):
        r.refresh_from_db()
    placed = [
        r for r in (first, second, third, fourth, saturday) if r.status == SessionRequest.Status.PLANNED
    ]
    assert len(placed) == 4
    for r in placed:
        assert r.session.stage is not None and r.session.starts_at is not None
        assert r.session.status == Session.Status.DRAFT
        assert r.session.ends_at - r.session.starts_at == timedelta(minutes=r.duration_minutes)
    assert second.session.stage == stage_2
    assert list(first.session.professions.all()) == [profession]
    # Company C has two 180-minute requests on a 4-hour Monday: one is left out, with the reason in German.
    left = next(r for r in (third, fourth) if r.status == SessionRequest.Status.UNPLACED)
    assert left.session is None
    assert "Bühnen" in left.unplaced_reason or "Betrieb" in left.unplaced_reason
    assert services.plan_publish(fair=planner_fair) == 4
    assert Session.objects.filter(fair=planner_fair, status=Session.Status.PUBLISHED).count() == 4


def test_rerun_keeps_pinned_and_hand_moved_sessions(planner_fair, company_a, company_b, run_tasks):
    stage_2 = planner_fair.stages.get(slug="buehne-2")
    a = add_request(planner_fair, company_a, minutes=60, availability=[(at(MONDAY, 8), at(MONDAY, 12))])
    b = add_request(planner_fair, company_b, minutes=60, availability=[(at(MONDAY, 8), at(MONDAY, 12))])
    services.plan_run_start(fair=planner_fair)
    run_tasks()
    a.refresh_from_db()
    b.refresh_from_db()
    moved = services.session_move(session=a.session, stage=stage_2, starts_at=at(MONDAY, 11))
    assert moved.is_pinned
    services.session_pin(session=b.session, pinned=True)
    b_place = (b.session.stage_id, b.session.starts_at)

    services.plan_run_start(fair=planner_fair)
    run_tasks()
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.session.stage, a.session.starts_at) == (stage_2, at(MONDAY, 11))
    assert (b.session.stage_id, b.session.starts_at) == b_place
    assert PlanRun.objects.filter(status=PlanRun.Status.DONE).count() == 2


def test_a_run_never_overwrites_what_changed_while_it_was_solving(planner_fair, company_a, company_b):
    stage_1 = planner_fair.stages.first()
    a = add_request(planner_fair, company_a, minutes=60)
    b = add_request(planner_fair, company_b, minutes=60)
    p = services.plan_problem(planner_fair)
    result = planner.solve(p, services.planner_options(time_limit=5))
    # Meanwhile staff place request b by hand exactly where the solver wants request a.
    target = next(pl for pl in result.placements if pl.request == a.pk)
    stage = Stage.objects.get(pk=target.stage)
    services.session_request_place(session_request=b, stage=stage, starts_at=target.starts_at)
    counts = services.plan_apply(
        fair=planner_fair, result=result, started_at=at(MONDAY, 0) - timedelta(days=400)
    )
    a.refresh_from_db()
    b.refresh_from_db()
    assert b.session.is_pinned and b.session.stage == stage and b.session.starts_at == target.starts_at
    assert a.status == SessionRequest.Status.UNPLACED and a.session is None
    assert counts["skipped"] == 1  # b: pinned meanwhile
    assert stage_1 is not None


def test_withdrawing_removes_a_draft_and_cancels_a_published_session(planner_fair, company_a, run_tasks):
    a = add_request(planner_fair, company_a, minutes=60)
    b = add_request(planner_fair, company_a, minutes=30, title="Azubis erzählen")
    services.plan_run_start(fair=planner_fair)
    run_tasks()
    a.refresh_from_db()
    b.refresh_from_db()
    draft_pk = a.session.pk
    services.plan_publish(fair=planner_fair)
    Session.objects.filter(pk=draft_pk).update(status=Session.Status.DRAFT)
    services.session_request_withdraw(session_request=a)
    services.session_request_withdraw(session_request=b)
    assert not Session.objects.filter(pk=draft_pk).exists()
    assert Session.objects.get(title="Azubis erzählen").status == Session.Status.CANCELLED
    assert set(SessionRequest.objects.values_list("status", flat=True)) == {SessionRequest.Status.WITHDRAWN}


def test_moves_refuse_stage_overlaps_and_ask_before_other_conflicts(planner_fair, company_a, company_b):
    stage_1, stage_2 = planner_fair.stages.all()
    first = services.session_save(
        fair=planner_fair,
        stage=stage_1,
        company=company_a,
        title="Werkstattführung",
        starts_at=at(MONDAY, 9),
        ends_at=at(MONDAY, 10),
    )
    second = services.session_save(
        fair=planner_fair,
        stage=stage_2,
        company=company_a,
        title="Azubis erzählen",
        starts_at=at(MONDAY, 8),
        ends_at=at(MONDAY, 8, 30),
    )
    with pytest.raises(services.MoveRefused) as refused:
        services.session_move(session=second, stage=stage_1, starts_at=at(MONDAY, 9, 30), confirm=True)
    assert [c.kind for c in refused.value.conflicts] == ["stage"]
    with pytest.raises(services.MoveNeedsConfirmation) as asked:
        services.session_move(session=second, stage=stage_2, starts_at=at(MONDAY, 9, 15))
    assert [c.kind for c in asked.value.conflicts] == ["company"]
    second.refresh_from_db()
    assert second.starts_at == at(MONDAY, 8)  # nothing changed without confirmation
    moved = services.session_move(session=second, stage=stage_2, starts_at=at(MONDAY, 9, 15), confirm=True)
    assert moved.starts_at == at(MONDAY, 9, 15) and moved.ends_at == at(MONDAY, 9, 45) and moved.is_pinned
    assert first.stage == stage_1


# --- screens ------------------------------------------------------------------------------------------------------


@pytest.fixture
def planned(planner_fair, company_a, company_b):
    stage_1, stage_2 = planner_fair.stages.all()
    a = add_request(planner_fair, company_a, minutes=60, title="Werkstattführung Meyer")
    sessions = [
        services.session_save(
            fair=planner_fair,
            stage=stage_1,
            company=company_a,
            title="Werkstattführung Meyer",
            starts_at=at(MONDAY, 9),
            ends_at=at(MONDAY, 10),
            status=Session.Status.DRAFT,
        ),
        services.session_save(
            fair=planner_fair,
            stage=stage_2,
            company=company_b,
            title="Tischlern live",
            starts_at=at(MONDAY, 8),
            ends_at=at(MONDAY, 8, 30),
        ),
    ]
    SessionRequest.objects.filter(pk=a.pk).update(session=sessions[0], status=SessionRequest.Status.PLANNED)
    return sessions


@pytest.mark.parametrize(
    ("name", "role", "expected"),
    [
        ("planner", "staff", 200),
        ("planner", "member_a", 404),
        ("planner", "anonymous", 302),
        ("planner_index", "staff", 200),
        ("planner_index", "member_b", 404),
        ("plan_status", "staff", 200),
        ("plan_status", "member_a", 404),
        ("session_move", "staff", 200),
        ("session_move", "member_a", 404),
        ("session_move", "anonymous", 302),
        ("request_list", "member_a", 200),
        ("request_list", "staff", 200),
        ("request_list", "member_b", 404),
        ("request_list", "anonymous", 302),
        ("request_add", "member_a", 200),
        ("request_add", "member_b", 404),
        ("company_fairs", "member_a", 200),
        ("company_fairs", "member_b", 404),
    ],
)
def test_permission_matrix(
    client, login, planner_fair, planned, company_a, member_a, member_b, staff, name, role, expected
):
    kwargs = {
        "planner": {"slug": planner_fair.slug},
        "planner_index": {},
        "plan_status": {"slug": planner_fair.slug},
        "session_move": {"slug": planner_fair.slug, "pk": planned[0].pk},
        "request_list": {"slug": planner_fair.slug, "company": company_a.slug},
        "request_add": {"slug": planner_fair.slug, "company": company_a.slug},
        "company_fairs": {"company": company_a.slug},
    }[name]
    login({"staff": staff, "member_a": member_a, "member_b": member_b, "anonymous": None}[role])
    response = client.get(reverse(f"fair:{name}", kwargs=kwargs))
    assert response.status_code == expected
    if expected == 302:
        assert reverse("accounts:login") in response["Location"]


def test_planner_page_shows_the_grid_and_the_unplaced_requests(
    client, login, staff, planner_fair, planned, company_b
):
    SessionRequest.objects.create(
        fair=planner_fair,
        company=company_b,
        title="Tischlern für Eltern",
        duration_minutes=60,
        status=SessionRequest.Status.UNPLACED,
        unplaced_reason="Alle Bühnen sind belegt.",
    )
    login(staff)
    page = client.get(reverse("fair:planner", args=[planner_fair.slug]) + f"?tag={DAY}").content.decode()
    assert "Werkstattführung Meyer" in page and "Tischlern live" in page
    assert 'rowspan="4"' in page  # one hour = four 15-minute rows
    assert "Alle Bühnen sind belegt." in page and "Von Hand einplanen" in page
    assert "Planen" in page


def test_planner_page_query_count_does_not_grow(
    client, login, staff, planner_fair, planned, company_b, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(staff)
    url = reverse("fair:planner", args=[planner_fair.slug]) + f"?tag={DAY}"
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    stage = planner_fair.stages.first()
    for hour in (10, 11):
        r = add_request(
            planner_fair, company_b, minutes=30, title=f"Mehr {hour}", professions=[ProfessionFactory()]
        )
        session = services.session_save(
            fair=planner_fair,
            stage=stage,
            company=company_b,
            title=f"Mehr {hour}",
            starts_at=at(MONDAY, hour),
            ends_at=at(MONDAY, hour, 30),
        )
        SessionRequest.objects.filter(pk=r.pk).update(session=session, status=SessionRequest.Status.PLANNED)
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few)


def test_move_with_warning_needs_confirmation_and_overlap_is_refused(
    client, login, staff, planner_fair, planned, company_b
):
    login(staff)
    brink = planned[1]
    stage_1, stage_2 = planner_fair.stages.all()
    url = reverse("fair:session_move", args=[planner_fair.slug, brink.pk])
    # Onto Meyer's session on stage 1: refused, whatever the user confirms.
    response = client.post(
        url, {"stage": stage_1.pk, "starts_at": f"{DAY}T09:30", "pin": "on", "confirm": "1"}
    )
    assert response.status_code == 200
    assert "nicht möglich" in response.content.decode()
    brink.refresh_from_db()
    assert brink.starts_at == at(MONDAY, 8)
    # Outside the opening hours: a warning, nothing moved yet …
    data = {"stage": stage_2.pk, "starts_at": f"{DAY}T12:00", "pin": "on"}
    response = client.post(url, data)
    page = response.content.decode()
    assert "Außerhalb der Öffnungszeiten" in page and "Trotzdem verschieben" in page
    brink.refresh_from_db()
    assert brink.starts_at == at(MONDAY, 8)
    # … a confirmation for another time does not count …
    stale = {**data, "confirm": "1", "confirmed_for": f"{stage_2.pk}|{at(MONDAY, 11).isoformat()}"}
    assert client.post(url, stale).status_code == 200
    brink.refresh_from_db()
    assert brink.starts_at == at(MONDAY, 8)
    # … "move anyway" for what was shown moves and pins it.
    fingerprint = f"{stage_2.pk}|{at(MONDAY, 12).isoformat()}"
    response = client.post(url, {**data, "confirm": "1", "confirmed_for": fingerprint})
    assert response.status_code == 302
    brink.refresh_from_db()
    assert brink.starts_at == at(MONDAY, 12) and brink.is_pinned


def test_plan_button_queues_a_run_and_the_status_box_reports_it(
    client, login, staff, planner_fair, planned, run_tasks
):
    login(staff)
    response = client.post(reverse("fair:plan_start", args=[planner_fair.slug]))
    assert response.status_code == 302
    status_url = reverse("fair:plan_status", args=[planner_fair.slug])
    assert "data-poll" in client.get(status_url).content.decode()
    run_tasks()
    box = client.get(status_url).content.decode()
    assert "data-poll" not in box and "OPTIMAL" in box


def test_pin_toggle(client, login, staff, planner_fair, planned):
    login(staff)
    session = planned[1]
    client.post(reverse("fair:session_pin", args=[planner_fair.slug, session.pk]), {"pinned": "1"})
    session.refresh_from_db()
    assert session.is_pinned
    client.post(reverse("fair:session_pin", args=[planner_fair.slug, session.pk]), {"pinned": "0"})
    session.refresh_from_db()
    assert not session.is_pinned


def test_company_submits_sees_and_withdraws_requests(
    client, login, planner_fair, company_a, member_a, profession
):
    login(member_a)
    monday, saturday = planner_fair.days.all()
    url = reverse("fair:request_add", args=[planner_fair.slug, company_a.slug])
    data = {
        "title": "Mechatronik zum Anfassen",
        "description": "Unsere Azubis zeigen die Werkstatt.",
        "format": "tour",
        "professions": [profession.pk],
        "duration_minutes": "45",
        "preferred_stage": "",
        "school_hours": "on",
        f"day_{monday.pk}": "on",
        f"from_{monday.pk}": "09:00",
        f"to_{monday.pk}": "11:00",
    }
    # Saturday only, but aimed at school hours: a clear message, the values are kept, nothing saved.
    bad = {**data, f"day_{monday.pk}": "", f"day_{saturday.pk}": "on"}
    page = client.post(url, bad).content.decode()
    assert "keine Schulzeit" in page and "Mechatronik zum Anfassen" in page
    assert not SessionRequest.objects.exists()
    page = client.post(url, {**data, f"from_{monday.pk}": "06:00"}).content.decode()
    assert "Öffnungszeit" in page
    response = client.post(url, data)
    assert response.status_code == 302
    created = SessionRequest.objects.get()
    assert created.availability == [[at(MONDAY, 9).isoformat(), at(MONDAY, 11).isoformat()]]
    assert created.duration_minutes == 45 and created.school_hours
    listing = client.get(
        reverse("fair:request_list", args=[planner_fair.slug, company_a.slug])
    ).content.decode()
    assert "Mechatronik zum Anfassen" in listing and "wartet auf planung" in listing.lower()
    client.post(reverse("fair:request_withdraw", args=[planner_fair.slug, company_a.slug, created.pk]))
    created.refresh_from_db()
    assert created.status == SessionRequest.Status.WITHDRAWN


def test_a_member_of_another_company_cannot_withdraw(client, login, planner_fair, company_a, member_b):
    r = add_request(planner_fair, company_a)
    login(member_b)
    response = client.post(reverse("fair:request_withdraw", args=[planner_fair.slug, company_a.slug, r.pk]))
    assert response.status_code == 404
    r.refresh_from_db()
    assert r.status == SessionRequest.Status.OPEN


def test_planner_is_linked_for_staff_and_companies(client, login, staff, planner_fair, company_a, member_a):
    login(staff)
    assert reverse("fair:planner_index") in client.get(reverse("accounts:home")).content.decode()
    login(member_a)
    page = client.get(reverse("catalog:company_manage", args=[company_a.slug])).content.decode()
    assert reverse("fair:company_fairs", args=[company_a.slug]) in page


def test_a_fair_that_is_over_takes_no_more_requests(client, login, company_a, member_a):
    past = Fair.objects.create(name="55 Stunden Zukunft 2020", slug="2020")
    FairDay.objects.create(
        fair=past, starts_at=datetime(2020, 3, 2, 8, tzinfo=TZ), ends_at=datetime(2020, 3, 2, 19, tzinfo=TZ)
    )
    login(member_a)
    response = client.get(reverse("fair:request_add", args=[past.slug, company_a.slug]), follow=True)
    assert "nimmt keine" in response.content.decode()
    assert past.name not in client.get(reverse("fair:company_fairs", args=[company_a.slug])).content.decode()
