"""Programme planner: places companies' session requests on the stages of a fair.

Pure model and solver — no Django in here: ``solve(Problem, Options) -> Result`` takes and returns dataclasses, so it
can be tested and benchmarked on its own (``bench/planner.py``). The services build the problem from the database
and write the result back (``services.plan_run_execute``).

Time runs in 15-minute steps from the first opening of the fair. A request of length L needs L/15 consecutive steps
inside one opening window.

Hard rules
- no two sessions overlap on a stage;
- no company is on two stages at once;
- each session lies inside the opening hours and inside the request's availability windows;
- fixed sessions (pinned by staff, or put on a stage by hand outside the planner) stay where they are: requests are
  placed around them;
- requests aimed at school hours lie on a school day between the school-hours bounds (``SchoolHours``, by default
  Monday to Friday 08:00–13:00 local time).

Soft rules
- place as many requests as possible — with a weight larger than all other terms together, so no trade ever places
  fewer requests;
- the request's preferred stage;
- sessions on the same profession are *apart*: the later one starts at least 60 minutes after the earlier one, and
  not before it has ended (this also keeps one profession off two stages at the same time);
- on a re-run, a request keeps the place it had (a tie-breaker for a stable programme).

CP-SAT model. The possible starts of a request on a stage fall into a few runs of consecutive steps (one per day and
availability window, cut by fixed sessions). Each run is one *alternative*: an optional interval whose start has the
run as its (contiguous) domain. At most one alternative of a request is chosen. ``NoOverlap`` over the alternatives
of each stage and over those of each company; a redundant ``Cumulative`` (at most one session per stage at any time)
helps the search. Spread: per profession a ``NoOverlap`` of optional intervals [start, start + max(60, L)); a session
that cannot be apart leaves it and earns nothing.

The search runs in two phases: first the number of placed requests (with preferred stages and stability), then,
with at least that many placed, the full objective including the spread. Both start from a greedy first-fit plan.
The reported best bound is valid for the full objective. With ``Options.deterministic`` CP-SAT's interleaved search
makes the result depend only on the input, the options and the seed — as long as a limit of deterministic time
(``deterministic_time``) rather than wall time ends the search.
"""

from __future__ import annotations

import bisect
import math
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

STEP_MINUTES = 15
MIN_LENGTH, MAX_LENGTH = 15, 180
SPREAD_MINUTES = 60


# --- input ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolHours:
    """When pupils are at school: the window that school-hour formats must fit in (local time)."""

    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday = 0
    start: dtime = dtime(8, 0)
    end: dtime = dtime(13, 0)
    timezone: str = "Europe/Berlin"

    def contains(self, starts_at: datetime, ends_at: datetime) -> bool:
        tz = ZoneInfo(self.timezone)
        start, end = starts_at.astimezone(tz), ends_at.astimezone(tz)
        return (
            start.weekday() in self.weekdays
            and start.date() == end.date()
            and start.time() >= self.start
            and end.time() <= self.end
        )


SCHOOL_HOURS = SchoolHours()


@dataclass(frozen=True)
class Window:
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Request:
    id: int
    company: int
    duration_minutes: int
    professions: frozenset[int] = frozenset()
    availability: tuple[Window, ...] = ()  # empty: whenever the fair is open
    preferred_stage: int | None = None
    school_hours: bool = False
    current_stage: int | None = None  # where a previous run put it (kept if nothing better turns up)
    current_start: datetime | None = None


@dataclass(frozen=True)
class Fixed:
    """A session the planner must not move: pinned by staff, or placed by hand outside the planner."""

    id: int
    stage: int
    starts_at: datetime
    ends_at: datetime
    company: int | None = None
    professions: frozenset[int] = frozenset()
    request: int | None = None  # the request it fulfils (that request is not placed again)


@dataclass(frozen=True)
class Problem:
    windows: tuple[Window, ...]
    stages: tuple[int, ...]
    requests: tuple[Request, ...]
    fixed: tuple[Fixed, ...] = ()


@dataclass(frozen=True)
class Weights:
    preferred_stage: int = 3
    spread: int = 2
    keep: int = 1


@dataclass(frozen=True)
class Options:
    time_limit: float = 20.0  # seconds of wall time for the whole solve
    workers: int = 2
    seed: int = 0
    deterministic: bool = True  # CP-SAT's interleaved search: same input, options and seed → same search
    deterministic_time: float | None = (
        None  # optional limit in CP-SAT's deterministic time (reproducible end)
    )
    step_minutes: int = STEP_MINUTES
    spread_minutes: int = SPREAD_MINUTES
    school_hours: SchoolHours = SCHOOL_HOURS
    weights: Weights = field(default_factory=Weights)
    # Shares of the time limit: phase 1 (placed requests) when there is a spread term; the stages chosen again.
    first_phase_share: float = 0.6
    restage_share: float = 0.1
    hint_greedy: bool = True
    # Large models: both workers improve the plan by large-neighbourhood search (the full-problem search neither
    # improves it nor moves the bound there). None: automatic, above ``lns_threshold`` alternatives.
    lns_only: bool | None = None
    lns_threshold: int = 2000
    redundant_cumulative: bool = (
        False  # a Cumulative over all stages; slows large models down, off by default
    )


# --- output -----------------------------------------------------------------------------------------------------


class Reason:
    """Why a request was not placed. The service turns code and detail into a sentence in the user's language."""

    TOO_LONG = "too_long"  # longer than every opening window
    OUTSIDE_AVAILABILITY = (
        "outside_availability"  # availability and opening hours leave no room of that length
    )
    SCHOOL_HOURS = "school_hours"  # fits the availability, but not inside school hours
    COMPANY_FIXED = "company_fixed"  # the company's own fixed sessions cover every possible time
    BLOCKED = "blocked"  # fixed sessions take every stage at every possible time
    COMPANY_BUSY = "company_busy"  # a stage is free at some possible time, but the company is on stage then
    STAGES_FULL = "stages_full"  # other placed sessions take every stage at every possible time


@dataclass(frozen=True)
class Placement:
    request: int
    stage: int
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Unplaced:
    request: int
    reason: str
    detail: dict = field(default_factory=dict)


@dataclass
class Progress:
    """Filled while the solver runs; the caller may read it from another thread."""

    phase: int = 0
    solutions: int = 0
    objective: float | None = None
    best_bound: float | None = None
    first_solution_seconds: float | None = None
    started: float = field(default_factory=time.monotonic)


@dataclass
class Result:
    status: str  # OPTIMAL, FEASIBLE, UNKNOWN, MODEL_INVALID
    objective: float
    best_bound: float
    place_weight: int
    placed_bound: int  # proven: no plan places more requests
    placements: list[Placement]
    unplaced: list[Unplaced]
    wall_seconds: float
    first_solution_seconds: float | None
    solutions: int
    greedy_placed: int | None
    stats: dict
    fixed_conflicts: list[tuple[int, int, str]]

    @property
    def gap(self) -> float:
        return (self.best_bound - self.objective) / max(1.0, abs(self.best_bound))


# --- preparation ------------------------------------------------------------------------------------------------


class _Union:
    """Sorted intervals (merged); answers "does [s, e) touch any of them?" in O(log n)."""

    def __init__(self, intervals=()):
        merged: list[list[int]] = []
        for s, e in sorted(intervals):
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        self.spans = [(s, e) for s, e in merged]
        self.starts = [s for s, _ in merged]
        self.ends = [e for _, e in merged]

    def overlaps(self, s: int, e: int) -> bool:
        i = bisect.bisect_left(self.starts, e)
        return i > 0 and self.ends[i - 1] > s


class _Busy:
    """Occupied time of one stage or company in a plan without overlaps: free(s, e) and add(s, e) in O(log n)."""

    def __init__(self):
        self.starts: list[int] = []
        self.ends: list[int] = []

    def free(self, s: int, e: int) -> bool:
        i = bisect.bisect_left(self.starts, e)
        return i == 0 or self.ends[i - 1] <= s

    def add(self, s: int, e: int) -> None:
        i = bisect.bisect_left(self.starts, s)
        self.starts.insert(i, s)
        self.ends.insert(i, e)


def _floor(dt: datetime, origin: datetime) -> int:
    return math.floor((dt - origin).total_seconds() / 60)


def _ceil(dt: datetime, origin: datetime) -> int:
    return math.ceil((dt - origin).total_seconds() / 60)


def gap_after(duration: int, spread_minutes: int = SPREAD_MINUTES) -> int:
    """Minutes the next session on the same profession waits after this one starts."""
    return max(spread_minutes, duration)


def _runs(values: list[int], step: int) -> list[tuple[int, int]]:
    """Maximal runs of consecutive grid values: [0, 15, 30, 90] → [(0, 30), (90, 90)]."""
    runs: list[list[int]] = []
    for v in values:
        if runs and v == runs[-1][1] + step:
            runs[-1][1] = v
        else:
            runs.append([v, v])
    return [(a, b) for a, b in runs]


@dataclass
class _Prepared:
    origin: datetime
    options: dict[
        int, dict[int, list[int]]
    ]  # request -> stage -> allowed starts (minutes from origin, on the grid)
    starts: dict[int, list[int]]  # request -> union over the stages
    candidates: dict[int, list[int]]  # request -> starts before the stages' fixed sessions are taken out
    unplaceable: list[Unplaced]
    requests: dict[int, Request]
    stage_fixed: dict[int, list[tuple[int, int]]]  # merged spans of fixed sessions per stage (minutes)
    fixed_conflicts: list[tuple[int, int, str]]


def _fixed_conflicts(fixed) -> list[tuple[int, int, str]]:
    """Fixed sessions that already break a hard rule among themselves (reported; the planner cannot fix them)."""
    found = []
    ordered = sorted(fixed, key=lambda f: (f.starts_at, f.id))
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b.starts_at >= a.ends_at:
                break
            if a.stage == b.stage:
                found.append((a.id, b.id, "stage"))
            elif a.company is not None and a.company == b.company:
                found.append((a.id, b.id, "company"))
    return found


def _origin(windows) -> datetime:
    # UTC: minutes are absolute, and adding them back never trips over a change of daylight-saving time.
    return min(w.starts_at for w in windows).astimezone(UTC) if windows else datetime(2000, 1, 1, tzinfo=UTC)


def _prepare(problem: Problem, options: Options) -> _Prepared:
    step = options.step_minutes
    origin = _origin(problem.windows)
    opening = sorted((_ceil(w.starts_at, origin), _floor(w.ends_at, origin)) for w in problem.windows)
    longest = max((e - s for s, e in opening), default=0)
    stage_fixed: dict[int, list[tuple[int, int]]] = defaultdict(list)
    company_fixed: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for f in problem.fixed:
        span = (_floor(f.starts_at, origin), _ceil(f.ends_at, origin))
        stage_fixed[f.stage].append(span)
        if f.company is not None:
            company_fixed[f.company].append(span)
    stage_union = {k: _Union(stage_fixed.get(k, ())) for k in problem.stages}
    company_union = {c: _Union(spans) for c, spans in company_fixed.items()}
    no_fixed = _Union()
    school_cache: dict[tuple[int, int], bool] = {}

    def in_school(s: int, d: int) -> bool:
        if (s, d) not in school_cache:
            start = origin + timedelta(minutes=s)
            school_cache[s, d] = options.school_hours.contains(start, start + timedelta(minutes=d))
        return school_cache[s, d]

    per_request: dict[int, dict[int, list[int]]] = {}
    starts: dict[int, list[int]] = {}
    all_candidates: dict[int, list[int]] = {}
    unplaceable: list[Unplaced] = []
    pinned = {f.request for f in problem.fixed if f.request is not None}
    for r in problem.requests:
        if r.id in pinned:
            continue  # its pinned session is already on the plan
        d = r.duration_minutes
        if d <= 0:
            raise ValueError(f"request {r.id}: the length must be positive")
        # Grid: every step from the first opening; a window opening off the grid starts at its next step.
        candidates = [s for ws, we in opening for s in range(-(-ws // step) * step, we - d + 1, step)]
        if not candidates:
            unplaceable.append(Unplaced(r.id, Reason.TOO_LONG, {"duration": d, "longest_window": longest}))
            continue
        if r.availability:
            spans = [(_ceil(a.starts_at, origin), _floor(a.ends_at, origin)) for a in r.availability]
            candidates = [s for s in candidates if any(a <= s and s + d <= b for a, b in spans)]
            if not candidates:
                unplaceable.append(Unplaced(r.id, Reason.OUTSIDE_AVAILABILITY, {"duration": d}))
                continue
        if r.school_hours:
            candidates = [s for s in candidates if in_school(s, d)]
            if not candidates:
                unplaceable.append(Unplaced(r.id, Reason.SCHOOL_HOURS, {"duration": d}))
                continue
        own = company_union.get(r.company, no_fixed)
        candidates = [s for s in candidates if not own.overlaps(s, s + d)]
        if not candidates:
            unplaceable.append(Unplaced(r.id, Reason.COMPANY_FIXED, {"duration": d}))
            continue
        per_stage = {}
        for k in problem.stages:
            allowed = [s for s in candidates if not stage_union[k].overlaps(s, s + d)]
            if allowed:
                per_stage[k] = allowed
        if not per_stage:
            unplaceable.append(Unplaced(r.id, Reason.BLOCKED, {"duration": d}))
            continue
        per_request[r.id] = per_stage
        starts[r.id] = sorted({s for allowed in per_stage.values() for s in allowed})
        all_candidates[r.id] = candidates
    return _Prepared(
        origin=origin,
        options=per_request,
        starts=starts,
        candidates=all_candidates,
        unplaceable=unplaceable,
        requests={r.id: r for r in problem.requests},
        stage_fixed={k: u.spans for k, u in stage_union.items()},
        fixed_conflicts=_fixed_conflicts(problem.fixed),
    )


def _may_clash(a_starts: list[int], a_gap: int, b_starts: list[int], b_gap: int) -> bool:
    """Is there a start of a and one of b with b − a in (−b_gap, a_gap), i.e. not apart?"""
    for sa in a_starts:
        i = bisect.bisect_right(b_starts, sa - b_gap)
        if i < len(b_starts) and b_starts[i] < sa + a_gap:
            return True
    return False


@dataclass
class _Spread:
    fixed: dict[int, list[tuple[int, int]]]  # profession -> [(start, end)] of fixed sessions, pairwise apart
    members: dict[int, list[int]]  # profession -> requests that could come too close to another session
    free: list[tuple[int, int]]  # (request, profession) that can never clash: apart whenever placed
    gaps: dict[int, int]


def _spread(prep: _Prepared, problem: Problem, options: Options) -> _Spread:
    """Two sessions on one profession are apart iff their spread intervals [start, start + max(60, length)) do not
    overlap; so "all apart" is a NoOverlap per profession that a session may leave (and then earns nothing)."""
    gaps = {
        rid: gap_after(prep.requests[rid].duration_minutes, options.spread_minutes) for rid in prep.options
    }
    by_profession: dict[int, list[int]] = defaultdict(list)
    for rid in sorted(prep.options):
        for p in sorted(prep.requests[rid].professions):
            by_profession[p].append(rid)
    fixed_by_profession: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for f in sorted(problem.fixed, key=lambda f: (f.starts_at, f.id)):
        fs = _floor(f.starts_at, prep.origin)
        fe = fs + gap_after(_ceil(f.ends_at, prep.origin) - fs, options.spread_minutes)
        for p in f.professions:
            kept = fixed_by_profession[p]
            if not kept or kept[-1][1] <= fs:  # fixed sessions too close to each other stay out
                kept.append((fs, fe))
    members: dict[int, list[int]] = {}
    free: list[tuple[int, int]] = []
    for p, rids in by_profession.items():
        fixed = fixed_by_profession.get(p, [])
        clashing = []
        for rid in rids:
            if any(
                other != rid and _may_clash(prep.starts[rid], gaps[rid], prep.starts[other], gaps[other])
                for other in rids
            ) or any(_may_clash(prep.starts[rid], gaps[rid], [fs], fe - fs) for fs, fe in fixed):
                clashing.append(rid)
            else:
                free.append((rid, p))
        if clashing:
            members[p] = clashing
    return _Spread(
        fixed={p: fixed_by_profession.get(p, []) for p in members}, members=members, free=free, gaps=gaps
    )


def _spread_apart(spread: _Spread, plan: dict[int, tuple[int, int]]) -> set[tuple[int, int]]:
    """(request, profession) of a plan that can count as apart: fixed sessions first, then requests by start."""
    apart = set()
    for p, rids in spread.members.items():
        busy = _Busy()
        for fs, fe in spread.fixed[p]:
            busy.add(fs, fe)
        for rid in sorted((r for r in rids if r in plan), key=lambda r: (plan[r][1], r)):
            s = plan[rid][1]
            if busy.free(s, s + spread.gaps[rid]):
                busy.add(s, s + spread.gaps[rid])
                apart.add((rid, p))
    return apart


def _greedy(prep: _Prepared, problem: Problem, order: list[int], keep: dict) -> dict[int, tuple[int, int]]:
    """First fit: each request in turn where it was before (re-run), else on its preferred stage if it has room,
    else at the earliest free start on any stage."""
    stage_busy = {k: _Busy() for k in problem.stages}
    company_busy: dict[int, _Busy] = defaultdict(_Busy)
    plan = {}
    for rid in order:
        r = prep.requests[rid]
        d = r.duration_minutes
        best = None
        if rid in keep:
            k, s = keep[rid]
            if stage_busy[k].free(s, s + d) and company_busy[r.company].free(s, s + d):
                best = (k, s)
        if best is None:
            for k in sorted(prep.options[rid], key=lambda k: (k != r.preferred_stage, k)):
                s = next(
                    (
                        s
                        for s in prep.options[rid][k]
                        if stage_busy[k].free(s, s + d) and company_busy[r.company].free(s, s + d)
                    ),
                    None,
                )
                if s is not None and (best is None or s < best[1]):
                    best = (k, s)
                    if k == r.preferred_stage:
                        break
        if best is not None:
            k, s = best
            stage_busy[k].add(s, s + d)
            company_busy[r.company].add(s, s + d)
            plan[rid] = best
    return plan


# --- public helpers ---------------------------------------------------------------------------------------------


def candidate_starts(request: Request, windows, options: Options | None = None) -> list[datetime]:
    """Where a request could start on an empty programme (to check a request when it is submitted)."""
    options = options or Options()
    prep = _prepare(Problem(windows=tuple(windows), stages=(0,), requests=(request,)), options)
    return [prep.origin + timedelta(minutes=s) for s in prep.starts.get(request.id, [])]


def unplaceable_reason(request: Request, windows, options: Options | None = None) -> str | None:
    """The reason code if the request can never be placed, even on an empty programme; else None."""
    options = options or Options()
    prep = _prepare(Problem(windows=tuple(windows), stages=(0,), requests=(request,)), options)
    return prep.unplaceable[0].reason if prep.unplaceable else None


# --- solver -----------------------------------------------------------------------------------------------------


def solve(problem: Problem, options: Options | None = None, progress: Progress | None = None) -> Result:
    from ortools.sat.python import cp_model

    options = options or Options()
    progress = progress or Progress()
    started = time.monotonic()
    progress.started = started
    step = options.step_minutes
    weights = options.weights
    prep = _prepare(problem, options)
    rids = sorted(prep.options)
    spread = _spread(prep, problem, options) if weights.spread else _Spread({}, {}, [], {})

    keepable: dict[int, tuple[int, int]] = {}
    for rid in rids:
        r = prep.requests[rid]
        if r.current_stage is not None and r.current_start is not None:
            s = _floor(r.current_start, prep.origin)
            allowed = prep.options[rid].get(r.current_stage, [])
            i = bisect.bisect_left(allowed, s)
            if i < len(allowed) and allowed[i] == s:
                keepable[rid] = (r.current_stage, s)
    n_pref = sum(1 for rid in rids if prep.requests[rid].preferred_stage in prep.options[rid])
    n_spread = sum(len(m) for m in spread.members.values()) + len(spread.free)
    soft_max = weights.preferred_stage * n_pref + weights.keep * len(keepable) + weights.spread * n_spread
    place_weight = soft_max + 1

    # --- model (units: steps) ---
    model = cp_model.CpModel()
    present: dict[int, object] = {}
    alternatives: dict[
        int, list[tuple[int, int, int, object, object]]
    ] = {}  # rid -> [(stage, a, b, start, lit)]
    # Sessions never cross from one opening block (windows merged where they touch) into another, so the NoOverlap
    # of a stage or company splits into one per block: the same rule, much cheaper to propagate.
    blocks = _Union(
        (_ceil(w.starts_at, prep.origin), _floor(w.ends_at, prep.origin)) for w in problem.windows
    )
    stage_intervals: dict[tuple[int, int], list] = defaultdict(list)
    company_intervals: dict[tuple[int, int], list] = defaultdict(list)
    all_intervals = []
    place_terms, pref_terms, keep_terms = [], [], []
    keep_lit = {}
    for rid in rids:
        r = prep.requests[rid]
        d = -(-r.duration_minutes // step)
        p_var = model.new_bool_var(f"p{rid}")
        present[rid] = p_var
        alts = []
        runs = _runs(prep.candidates[rid], step)
        for k, allowed in prep.options[rid].items():
            # One alternative per run of possible starts; where the stage's fixed sessions cut a run, the stage's
            # NoOverlap (which holds them as fixed intervals) keeps the start out of them.
            for a, b in runs:
                i = bisect.bisect_left(allowed, a)
                if i == len(allowed) or allowed[i] > b:
                    continue  # fixed sessions take this whole run on this stage
                lit = model.new_bool_var(f"x{rid}_{k}_{a}")
                s_var = model.new_int_var(a // step, b // step, f"s{rid}_{k}_{a}")
                interval = model.new_optional_fixed_size_interval_var(s_var, d, lit, f"i{rid}_{k}_{a}")
                block = bisect.bisect_right(blocks.starts, a)
                stage_intervals[k, block].append(interval)
                company_intervals[r.company, block].append(interval)
                all_intervals.append(interval)
                alts.append((k, a, b, s_var, lit))
                if k == r.preferred_stage:
                    pref_terms.append(lit)
        alternatives[rid] = alts
        model.add(sum(alt[4] for alt in alts) == p_var)
        place_terms.append(p_var)
        if rid in keepable:
            k, s = keepable[rid]
            alt = next(alt for alt in alts if alt[0] == k and alt[1] <= s <= alt[2])
            keep = model.new_bool_var(f"keep{rid}")
            model.add_implication(keep, alt[4])
            model.add(alt[3] == s // step).only_enforce_if(keep)
            keep_terms.append(keep)
            keep_lit[rid] = keep
    for k, spans in prep.stage_fixed.items():
        rounded = _Union((fs // step, -(-fe // step)) for fs, fe in spans)  # in steps; merged after rounding
        for sa, sb in rounded.spans:
            for block, (ba, bb) in enumerate(blocks.spans, start=1):
                if sa * step < bb and ba < sb * step and (k, block) in stage_intervals:
                    stage_intervals[k, block].append(
                        model.new_fixed_size_interval_var(sa, sb - sa, f"fx{k}_{sa}")
                    )
    for intervals in stage_intervals.values():
        if len(intervals) > 1:
            model.add_no_overlap(intervals)
    for intervals in company_intervals.values():
        if len(intervals) > 1:
            model.add_no_overlap(intervals)
    if all_intervals and options.redundant_cumulative:
        # Redundant: at any time at most as many sessions as stages (fixed sessions count too).
        fixed_intervals = [
            model.new_fixed_size_interval_var(fs // step, -(-fe // step) - fs // step, f"fx{k}_{fs}")
            for k, spans in prep.stage_fixed.items()
            for fs, fe in spans
        ]
        capacity_intervals = all_intervals + fixed_intervals
        model.add_cumulative(capacity_intervals, [1] * len(capacity_intervals), len(problem.stages))
    apart_lit: dict[tuple[int, int, int], object] = {}  # (rid, profession, alternative) -> literal

    def add_spread() -> list:
        """The spread part of the model, added for phase 2 only (phase 1 does not need it)."""
        terms = []
        # Per profession and block of time (windows merged where a spread interval could reach the next one).
        reach = max([options.spread_minutes, *spread.gaps.values()])
        spread_blocks = _Union(
            (_ceil(w.starts_at, prep.origin), _floor(w.ends_at, prep.origin) + reach) for w in problem.windows
        )
        for p, members in spread.members.items():
            intervals: dict[int, list] = defaultdict(list)
            for fs, fe in spread.fixed[p]:
                interval = model.new_fixed_size_interval_var(
                    fs // step, -(-fe // step) - fs // step, f"f{p}_{fs}"
                )
                intervals[bisect.bisect_right(spread_blocks.starts, fs)].append(interval)
            for rid in members:
                g = -(-spread.gaps[rid] // step)
                for n, (_k, a, _b, s_var, lit) in enumerate(alternatives[rid]):
                    q = model.new_bool_var(f"q{rid}_{p}_{n}")
                    model.add_implication(q, lit)
                    interval = model.new_optional_fixed_size_interval_var(s_var, g, q, f"g{rid}_{p}_{a}")
                    intervals[bisect.bisect_right(spread_blocks.starts, a)].append(interval)
                    apart_lit[rid, p, n] = q
                    terms.append(q)
            for group in intervals.values():
                if len(group) > 1:
                    model.add_no_overlap(group)
        return terms + [present[rid] for rid, _p in spread.free]

    phase1 = (
        place_weight * sum(place_terms)
        + weights.preferred_stage * sum(pref_terms)
        + weights.keep * sum(keep_terms)
    )

    def set_hint(plan: dict[int, tuple[int, int]]) -> None:
        model.clear_hints()
        apart = _spread_apart(spread, plan)
        for rid in rids:
            chosen = plan.get(rid)
            model.add_hint(present[rid], chosen is not None)
            for n, (k, a, b, s_var, lit) in enumerate(alternatives[rid]):
                on = chosen is not None and chosen[0] == k and a <= chosen[1] <= b
                model.add_hint(lit, on)
                model.add_hint(s_var, chosen[1] // step if on else a // step)
                for p in prep.requests[rid].professions:
                    if (rid, p, n) in apart_lit:
                        model.add_hint(apart_lit[rid, p, n], on and (rid, p) in apart)
            if rid in keep_lit:
                model.add_hint(keep_lit[rid], chosen is not None and (chosen[0], chosen[1]) == keepable[rid])

    lock = threading.Lock()

    class Callback(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self):
            with lock:
                progress.solutions += 1
                progress.objective = self.objective_value
                progress.best_bound = self.best_objective_bound
                if progress.first_solution_seconds is None:
                    progress.first_solution_seconds = time.monotonic() - started

    n_alternatives = sum(len(alts) for alts in alternatives.values())
    lns_only = options.lns_only if options.lns_only is not None else n_alternatives > options.lns_threshold

    def run(limit: float, det_limit: float | None, presolve: bool = True):
        solver = cp_model.CpSolver()
        params = solver.parameters
        params.use_lns_only = lns_only
        if not presolve:
            params.cp_model_presolve = False
        params.max_time_in_seconds = max(0.05, limit)
        params.num_workers = max(1, options.workers)
        params.random_seed = options.seed
        if options.deterministic:
            params.interleave_search = True
        if det_limit:
            params.max_deterministic_time = det_limit
        status = solver.solve(model, Callback())
        return solver, solver.status_name(status)

    def read(solver) -> dict[int, tuple[int, int]]:
        plan = {}
        for rid in rids:
            if solver.boolean_value(present[rid]):
                k, _a, _b, s_var, _lit = next(
                    alt for alt in alternatives[rid] if solver.boolean_value(alt[4])
                )
                plan[rid] = (k, solver.value(s_var) * step)
        return plan

    greedy_placed = None
    plan: dict[int, tuple[int, int]] = {}
    status_name, bound, placed_bound = "OPTIMAL", 0.0, 0
    source = "solver"
    if rids:
        if options.hint_greedy:
            order = sorted(
                rids,
                key=lambda rid: (
                    rid not in keepable,
                    len(prep.starts[rid]),
                    -prep.requests[rid].duration_minutes,
                    rid,
                ),
            )
            plan = _greedy(prep, problem, order, keepable)
            greedy_placed = len(plan)
            set_hint(plan)
        two_phases = n_spread > 0
        share = options.first_phase_share if two_phases else 1.0
        det = options.deterministic_time
        # Phase 1: as many requests as possible (with preferred stages and stability).
        progress.phase = 1
        model.maximize(phase1)
        limit = options.time_limit * share - (time.monotonic() - started)
        solver, status_name = run(limit, det * share if det else None)
        if status_name in ("OPTIMAL", "FEASIBLE"):
            plan = read(solver)
            bound1 = solver.best_objective_bound
            placed_bound = min(len(rids), int(bound1 // place_weight))
            bound = bound1 + weights.spread * n_spread  # valid for the full objective
            status1 = status_name
        else:  # the solver found no plan in time (huge models, slow machine): keep the greedy plan, if any
            source = "greedy"
            placed_bound, bound, status1 = len(rids), float(place_weight * len(rids) + soft_max), status_name
        if two_phases and status1 in ("OPTIMAL", "FEASIBLE"):
            # Phase 2: at least as many placed, now with the spread.
            progress.phase = 2
            placed_now = len(plan)
            model.add(sum(place_terms) >= placed_now)
            model.maximize(phase1 + weights.spread * sum(add_spread()))
            set_hint(plan)
            limit = options.time_limit * (1 - options.restage_share) - (time.monotonic() - started)
            # Large models: no presolve in phase 2, so the search starts from the phase-1 plan at once (the
            # neighbourhoods of the large-neighbourhood search are presolved on their own).
            solver, status2 = run(limit, det * (1 - share) if det else None, presolve=not lns_only)
            if status2 in ("OPTIMAL", "FEASIBLE"):
                plan = read(solver)
                # Plans with fewer placed requests score below place_weight × placed_now, below this plan.
                bound = min(bound, solver.best_objective_bound)
                status_name = "OPTIMAL" if status1 == "OPTIMAL" and status2 == "OPTIMAL" else "FEASIBLE"
            else:
                status_name = "FEASIBLE"
        if plan and status_name != "OPTIMAL" and (weights.preferred_stage or weights.keep):
            # The search trades stages freely while it counts placed requests; with the times fixed, choose the
            # stages again for preferred stages and stability (a small, fast model; only ever an improvement).
            limit = max(0.5, options.time_limit - (time.monotonic() - started))
            plan = _restage(prep, problem, plan, keepable, options, limit)
    elif not rids:
        status_name = "OPTIMAL"

    placements = [
        Placement(
            request=rid,
            stage=k,
            starts_at=prep.origin + timedelta(minutes=s),
            ends_at=prep.origin + timedelta(minutes=s + prep.requests[rid].duration_minutes),
        )
        for rid, (k, s) in sorted(plan.items())
    ]
    apart = _spread_apart(spread, plan)
    objective = float(
        place_weight * len(plan)
        + weights.preferred_stage
        * sum(1 for rid, (k, _s) in plan.items() if prep.requests[rid].preferred_stage == k)
        + weights.keep * sum(1 for rid, ks in plan.items() if keepable.get(rid) == ks)
        + weights.spread * (len(apart) + sum(1 for rid, _p in spread.free if rid in plan))
    )
    if status_name == "OPTIMAL":
        bound = objective
    bound = max(bound, objective)
    with lock:
        progress.objective, progress.best_bound = objective, bound
    unplaced = list(prep.unplaceable)
    unplaced += _explain(
        prep, problem, plan, [rid for rid in rids if rid not in plan], status_name == "OPTIMAL"
    )
    stats = score(problem, placements, options)
    stats.update(
        source=source if rids else "solver",
        requests=len(problem.requests),
        modelled=len(rids),
        alternatives=n_alternatives,
        lns_only=lns_only,
        spread_terms=n_spread,
        variables=len(model.proto.variables),
        constraints=len(model.proto.constraints),
    )
    return Result(
        status=status_name,
        objective=objective,
        best_bound=bound,
        place_weight=place_weight,
        placed_bound=max(placed_bound, len(plan)) if rids else 0,
        placements=placements,
        unplaced=sorted(unplaced, key=lambda u: u.request),
        wall_seconds=time.monotonic() - started,
        first_solution_seconds=progress.first_solution_seconds if rids else 0.0,
        solutions=progress.solutions,
        greedy_placed=greedy_placed,
        stats=stats,
        fixed_conflicts=prep.fixed_conflicts,
    )


def _restage(
    prep: _Prepared, problem: Problem, plan: dict, keepable: dict, options: Options, limit: float
) -> dict:
    """Keep every start time of ``plan`` and choose the stages again, maximising preferred stages and kept places."""
    from ortools.sat.python import cp_model

    step, weights = options.step_minutes, options.weights
    model = cp_model.CpModel()
    choice: dict[tuple[int, int], object] = {}
    per_stage: dict[int, list] = defaultdict(list)
    objective = []
    for rid, (k0, s) in sorted(plan.items()):
        r = prep.requests[rid]
        d = -(-r.duration_minutes // step)
        literals = []
        for k, allowed in prep.options[rid].items():
            i = bisect.bisect_left(allowed, s)
            if i == len(allowed) or allowed[i] != s:
                continue  # a fixed session takes stage k at that time
            lit = model.new_bool_var(f"y{rid}_{k}")
            choice[rid, k] = lit
            literals.append(lit)
            per_stage[k].append(model.new_optional_fixed_size_interval_var(s // step, d, lit, f"j{rid}_{k}"))
            model.add_hint(lit, k == k0)
            if k == r.preferred_stage:
                objective.append(weights.preferred_stage * lit)
            if keepable.get(rid) == (k, s):
                objective.append(weights.keep * lit)
        model.add_exactly_one(literals)
    for intervals in per_stage.values():
        model.add_no_overlap(intervals)
    model.maximize(sum(objective))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = limit
    solver.parameters.num_workers = max(1, options.workers)
    solver.parameters.random_seed = options.seed
    if options.deterministic:
        solver.parameters.interleave_search = True
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return plan
    chosen = {}
    for rid, (_k0, s) in plan.items():
        stage = next(
            k for k in prep.options[rid] if (rid, k) in choice and solver.boolean_value(choice[rid, k])
        )
        chosen[rid] = (stage, s)
    return chosen


def _explain(prep: _Prepared, problem: Problem, plan, missing: list[int], optimal: bool) -> list[Unplaced]:
    """Why the plan leaves these requests out: every stage is taken whenever they could run, or the company is on
    another stage at the times a stage would be free."""
    stage_busy = {k: _Busy() for k in problem.stages}
    company_busy: dict[int, _Busy] = defaultdict(_Busy)
    for rid, (k, s) in plan.items():
        r = prep.requests[rid]
        stage_busy[k].add(s, s + r.duration_minutes)
        company_busy[r.company].add(s, s + r.duration_minutes)
    found = []
    for rid in missing:
        r = prep.requests[rid]
        d = r.duration_minutes
        stage_free = [
            s for k, allowed in prep.options[rid].items() for s in allowed if stage_busy[k].free(s, s + d)
        ]
        detail = {"duration": d, "optimal": optimal}
        if stage_free and not any(company_busy[r.company].free(s, s + d) for s in stage_free):
            found.append(Unplaced(rid, Reason.COMPANY_BUSY, detail))
        else:
            found.append(Unplaced(rid, Reason.STAGES_FULL, detail))
    return found


def score(problem: Problem, placements: list[Placement], options: Options | None = None) -> dict:
    """Soft-rule figures of a plan: preferred stages honoured, pairs on one profession too close, requests kept."""
    options = options or Options()
    requests = {r.id: r for r in problem.requests}
    items = []
    preferred = kept = 0
    for p in placements:
        r = requests[p.request]
        preferred += r.preferred_stage == p.stage
        kept += r.current_stage == p.stage and r.current_start == p.starts_at
        items.append((p.starts_at, p.ends_at, r.professions, True))
    items += [(f.starts_at, f.ends_at, f.professions, False) for f in problem.fixed]
    close = 0
    spread = timedelta(minutes=options.spread_minutes)
    items.sort(key=lambda item: item[0])
    for i, (a_start, a_end, a_prof, a_req) in enumerate(items):
        for b_start, _b_end, b_prof, b_req in items[i + 1 :]:
            if b_start >= a_start + max(spread, a_end - a_start):
                break
            if (a_req or b_req) and a_prof & b_prof:
                close += 1
    return {"placed": len(placements), "preferred_stage": preferred, "too_close": close, "kept": kept}


def check(problem: Problem, placements: list[Placement], options: Options | None = None) -> list[str]:
    """Every hard rule the plan breaks (empty when it is valid). For tests and the benchmark."""
    options = options or Options()
    requests = {r.id: r for r in problem.requests}
    origin = _origin(problem.windows)
    errors = []
    slots = [
        (p.stage, p.starts_at, p.ends_at, requests[p.request].company, f"r{p.request}") for p in placements
    ]
    slots += [(f.stage, f.starts_at, f.ends_at, f.company, f"f{f.id}") for f in problem.fixed]
    slots.sort(key=lambda slot: slot[1])
    for i, a in enumerate(slots):
        for b in slots[i + 1 :]:
            if b[1] >= a[2]:
                break
            if a[4][0] == "f" and b[4][0] == "f":
                continue  # conflicts among fixed sessions are reported, not made by the planner
            if a[0] == b[0]:
                errors.append(f"{a[4]} and {b[4]} overlap on stage {a[0]}")
            elif a[3] is not None and a[3] == b[3]:
                errors.append(f"company {a[3]} on two stages at once ({a[4]}, {b[4]})")
    for p in placements:
        r = requests[p.request]
        if p.stage not in problem.stages:
            errors.append(f"r{r.id} on unknown stage {p.stage}")
        if p.ends_at - p.starts_at != timedelta(minutes=r.duration_minutes):
            errors.append(f"r{r.id} has the wrong length")
        if not any(w.starts_at <= p.starts_at and p.ends_at <= w.ends_at for w in problem.windows):
            errors.append(f"r{r.id} outside the opening hours")
        if (p.starts_at - origin) % timedelta(minutes=options.step_minutes):
            errors.append(f"r{r.id} off the {options.step_minutes}-minute grid")
        if r.availability and not any(
            a.starts_at <= p.starts_at and p.ends_at <= a.ends_at for a in r.availability
        ):
            errors.append(f"r{r.id} outside its availability")
        if r.school_hours and not options.school_hours.contains(p.starts_at, p.ends_at):
            errors.append(f"r{r.id} outside school hours")
    pinned = {f.request for f in problem.fixed if f.request is not None}
    errors += [f"r{p.request} is pinned but was placed again" for p in placements if p.request in pinned]
    if len({p.request for p in placements}) != len(placements):
        errors.append("a request was placed twice")
    return errors


# --- moving by hand ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """A session on the programme, as the conflict check sees it."""

    id: int
    stage: int
    starts_at: datetime
    ends_at: datetime
    company: int | None = None


@dataclass(frozen=True)
class Conflict:
    kind: str  # see CONFLICT_KINDS
    other: int | None = None  # the other session, where there is one

    @property
    def hard(self) -> bool:
        """Hard conflicts refuse the move; the others need the user's confirmation."""
        return self.kind in HARD_CONFLICTS


CONFLICT_KINDS = ("stage", "company", "opening", "availability", "school_hours")
HARD_CONFLICTS = {"stage"}


def slot_conflicts(
    slot: Slot,
    others,
    windows,
    *,
    availability=(),
    school_hours_required: bool = False,
    school_hours: SchoolHours = SCHOOL_HOURS,
) -> list[Conflict]:
    """What speaks against putting a session at ``slot``: another session on the same stage at that time (never
    allowed), the same company on another stage at that time, outside the opening hours, outside the request's
    availability, outside school hours for a school-hour format."""
    found = []
    for other in sorted(others, key=lambda o: (o.starts_at, o.id)):
        if other.id == slot.id or not (other.starts_at < slot.ends_at and slot.starts_at < other.ends_at):
            continue
        if other.stage == slot.stage:
            found.append(Conflict("stage", other.id))
        elif slot.company is not None and other.company == slot.company:
            found.append(Conflict("company", other.id))
    if not any(w.starts_at <= slot.starts_at and slot.ends_at <= w.ends_at for w in windows):
        found.append(Conflict("opening"))
    if availability and not any(
        a.starts_at <= slot.starts_at and slot.ends_at <= a.ends_at for a in availability
    ):
        found.append(Conflict("availability"))
    if school_hours_required and not school_hours.contains(slot.starts_at, slot.ends_at):
        found.append(Conflict("school_hours"))
    return found


def plan_conflicts(slots, windows) -> list[tuple[Slot, Conflict]]:
    """Conflicts within a whole programme (each pair once): for the warnings above the planner grid."""
    found = []
    ordered = sorted(slots, key=lambda s: (s.starts_at, s.id))
    for i, slot in enumerate(ordered):
        for other in ordered[i + 1 :]:
            if other.starts_at >= slot.ends_at:
                break
            if other.stage == slot.stage:
                found.append((slot, Conflict("stage", other.id)))
            elif slot.company is not None and other.company == slot.company:
                found.append((slot, Conflict("company", other.id)))
        if not any(w.starts_at <= slot.starts_at and slot.ends_at <= w.ends_at for w in windows):
            found.append((slot, Conflict("opening")))
    return found
