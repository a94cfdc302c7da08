"""Talk allocation (src/einblick/talks/allocation.py): optimum on small cases, lexicographic goals, hard rules."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from einblick.talks.allocation import Assignment, Company, Instance, Pupil, Wish, allocate, fcfs, violations


def W(c):
    return Wish(company=c)


def P(pid, *wishes, available=None):
    return Pupil(pid, tuple(W(w) if isinstance(w, str) else w for w in wishes), available)


def test_small_known_optimum():
    inst = Instance(
        pupils=(P("a", "x", "y"), P("b", "x", "y"), P("c", "x")),
        companies=(Company("x", 1), Company("y", 1)),
        n_slots=2,
    )
    r = allocate(inst)
    assert violations(inst, r.assignments) == []
    # x has 2 seats, y has 2 seats; c can only meet x → 4 talks, all pupils served
    assert (r.pupils_with_talk, r.wishes_fulfilled) == (3, 4)
    assert (r.bound_pupils, r.bound_wishes) == (3, 4)
    assert r.status == "optimal"
    assert r.distribution == {1: 2, 2: 1}
    assert r.utilisation["x"].seats_used == 2 and r.utilisation["x"].share == 1.0


def test_first_talk_beats_second_talk_even_if_higher_ranked():
    # a prefers y, but y's two seats are needed by b and c (their only wish): a gets x (rank 2) only
    inst = Instance(
        pupils=(P("a", "y", "x"), P("b", "y"), P("c", "y")),
        companies=(Company("x", 1), Company("y", 1)),
        n_slots=2,
    )
    r = allocate(inst)
    assert r.pupils_with_talk == 3
    assert {(a.pupil, a.company) for a in r.assignments} == {("a", "x"), ("b", "y"), ("c", "y")}
    (u,) = [u for u in r.unfulfilled if u.pupil == "a"]
    assert u.rank == 0 and u.reason == "capacity"
    f = fcfs(inst, seed=0)
    assert f.pupils_with_talk <= r.pupils_with_talk


def test_more_wishes_then_higher_ranked():
    # one seat of x: a ranks it first, b second; b's first wish y is free → both get their first wish
    inst = Instance(
        pupils=(P("a", "x"), P("b", "y", "x")),
        companies=(Company("x", 1), Company("y", 1)),
        n_slots=1,
    )
    r = allocate(inst)
    assert {(a.pupil, a.company, a.rank) for a in r.assignments} == {("a", "x", 0), ("b", "y", 0)}
    assert r.rank_counts == {0: 2}


def test_profession_wish_any_company_and_never_twice():
    inst = Instance(
        pupils=(P("a", "x", Wish(profession="cook"), Wish(profession="cook")),),
        companies=(Company("x", 1, frozenset({"cook"})), Company("y", 1, frozenset({"cook"}))),
        n_slots=3,
    )
    r = allocate(inst)
    assert violations(inst, r.assignments) == []
    assert sorted(a.company for a in r.assignments) == [
        "x",
        "y",
    ]  # x and y once each, third wish unfulfillable
    assert r.wishes_fulfilled == r.bound_wishes == 2
    assert [u.reason for u in r.unfulfilled] == ["ranking"]


def test_availability_and_break_and_reasons():
    inst = Instance(
        pupils=(P("a", "x", "y", "z", available=frozenset({0, 1, 2})),),
        companies=(Company("x", 1), Company("y", 1), Company("z", 0)),
        n_slots=4,
        min_break=1,
    )
    r = allocate(inst)
    assert violations(inst, r.assignments) == []
    assert sorted(a.slot for a in r.assignments) == [0, 2]
    assert r.wishes_fulfilled == r.bound_wishes == 2
    assert [(u.rank, u.reason) for u in r.unfulfilled] == [(2, "availability")]


def test_capacity_reason_and_fcfs_baseline():
    inst = Instance(
        pupils=tuple(P(f"p{i}", "x") for i in range(3)),
        companies=(Company("x", 1),),
        n_slots=2,
    )
    r = allocate(inst)
    assert r.pupils_with_talk == 2 and r.bound_pupils == 2
    assert [u.reason for u in r.unfulfilled] == ["capacity"]
    f = fcfs(inst, seed=3)
    assert violations(inst, f.assignments) == [] and f.pupils_with_talk == 2


def test_company_time_windows_are_kept_and_reported():
    # x is there only in slot 0, y only in slot 1; the pupil wanting x but free only in slot 1 cannot meet x
    inst = Instance(
        pupils=(P("a", W("x"), W("y")), P("b", W("x"), available=frozenset({1}))),
        companies=(Company("x", 1, slots=frozenset({0})), Company("y", 1, slots=frozenset({1}))),
        n_slots=2,
    )
    r = allocate(inst)
    assert violations(inst, r.assignments) == []
    assert {(a.pupil, a.company, a.slot) for a in r.assignments} == {("a", "x", 0), ("a", "y", 1)}
    assert r.utilisation["x"].seats_offered == 1 and r.utilisation["y"].seats_offered == 1
    assert [(u.pupil, u.reason) for u in r.unfulfilled] == [("b", "availability")]
    assert (r.pupils_with_talk, r.bound_pupils) == (1, 1)
    wrong = violations(inst, [Assignment("b", "x", 1, 0)])
    assert wrong == ["outside the company's time windows: Assignment(pupil='b', company='x', slot=1, rank=0)"]


@st.composite
def instances(draw, restricted=True):
    n_slots = draw(st.integers(1, 6))
    n_comp = draw(st.integers(1, 5))
    profs = ["p0", "p1", "p2"]
    companies = tuple(
        Company(
            f"c{i}",
            draw(st.integers(0, 3)),
            frozenset(draw(st.lists(st.sampled_from(profs), max_size=2))),
            frozenset(draw(st.lists(st.integers(0, n_slots - 1), max_size=n_slots)))
            if restricted and draw(st.booleans())
            else None,
        )
        for i in range(n_comp)
    )
    pupils = []
    for i in range(draw(st.integers(0, 14))):
        wishes = draw(
            st.lists(
                st.one_of(
                    st.integers(0, n_comp - 1).map(lambda c: Wish(company=f"c{c}")),
                    st.sampled_from(profs).map(lambda p: Wish(profession=p)),
                ),
                max_size=4,
                unique=True,
            )
        )
        avail = None
        if restricted and draw(st.booleans()):
            avail = frozenset(draw(st.lists(st.integers(0, n_slots - 1), max_size=n_slots)))
        pupils.append(Pupil(f"q{i}", tuple(wishes), avail))
    brk = draw(st.integers(0, 2)) if restricted else 0
    return Instance(tuple(pupils), companies, n_slots, brk)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_hard_rules_and_bound_on_random_instances(inst):
    r = allocate(inst)
    assert violations(inst, r.assignments) == []
    assert r.wishes_fulfilled <= r.bound_wishes
    assert r.pupils_with_talk <= r.bound_pupils
    assert sum(r.distribution.values()) == len(inst.pupils)
    assert sum(k * n for k, n in r.distribution.items()) == r.wishes_fulfilled
    assert len(r.unfulfilled) == sum(len(p.wishes) for p in inst.pupils) - r.wishes_fulfilled
    assert all(u.reason in ("capacity", "availability", "ranking") for u in r.unfulfilled)
    f = fcfs(inst, seed=1)
    assert violations(inst, f.assignments) == []
    assert f.wishes_fulfilled <= r.bound_wishes and f.pupils_with_talk <= r.bound_pupils


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(restricted=False), st.integers(0, 5))
def test_unrestricted_reaches_the_bound_and_beats_fcfs(inst, seed):
    r = allocate(inst)
    assert violations(inst, r.assignments) == []
    assert (r.pupils_with_talk, r.wishes_fulfilled) == (r.bound_pupils, r.bound_wishes)
    assert r.status == "optimal"
    f = fcfs(inst, seed=seed)
    assert f.pupils_with_talk <= r.pupils_with_talk
    assert f.wishes_fulfilled <= r.wishes_fulfilled


def test_deterministic():
    import random

    rng = random.Random(7)
    comps = tuple(Company(f"c{i}", rng.randint(1, 3), frozenset({f"p{i % 3}"})) for i in range(8))
    pupils = tuple(
        Pupil(
            f"q{i}",
            (*tuple(Wish(company=f"c{c}") for c in rng.sample(range(8), 4)), Wish(profession="p1")),
            frozenset(range(s := rng.randint(0, 4), s + 3)),
        )
        for i in range(60)
    )
    inst = Instance(pupils, comps, 7, 1)
    a, b = allocate(inst), allocate(inst)
    assert a.assignments == b.assignments and a.unfulfilled == b.unfulfilled
    assert fcfs(inst, seed=2).assignments == fcfs(inst, seed=2).assignments
