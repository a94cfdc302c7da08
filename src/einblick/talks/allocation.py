"""Optimal, fair allocation of pupil–company talks (issue #5) — pure Python, no Django.

Problem: pupils rank up to N wishes (a company, or a profession = "any company that trains it"); companies offer
``seats`` per slot. Hard rules: a pupil is in at most one talk per slot, never twice with the same company, only in
slots of their availability, never beyond a company's seats in a slot, and at least ``min_break`` free slots between
two of their talks. Goals in lexicographic order: (1) pupils with ≥ 1 talk, (2) wishes fulfilled (count, then
higher-ranked first), (3) fewer gaps in the pupils' plans.

Algorithm (decomposition, see ``allocate``):

1. **Assignment and bound — min-cost flow** (OR-Tools ``SimpleMinCostFlow``) on

       source ─► pupil ─► wish (cap 1) ─► [pupil,company] (cap 1) ─► [company, availability class] ─► [company, slot]
       (cap seats) ─► sink,

   where an availability class is the set of pupils with the same set of available slots. The first unit into a
   pupil carries a reward ``B`` larger than all wish rewards together (goal 1); a wish of rank ``r`` carries
   ``A + (N - r)`` with ``A`` larger than every possible sum of the rank terms (goal 2: count first, then ranks).
   The pupil's capacity is the number of talks their availability allows with the minimum break. Every feasible
   plan is a flow of this network (a talk (p, c, t) routes p → its wish → (p, c) → (c, class(p)) → (c, t)), so the
   flow optimum is a **proven upper bound** on pupils with ≥ 1 talk and on wishes fulfilled (the flow drops only
   "one talk per slot per pupil"). Augmenting paths from the source never lower another pupil's inflow, so the
   maximum of wishes is reached together with the maximum of pupils: both bounds come from one solve. With
   availability windows or a minimum break a second relaxation (``_slot_bound``: max flow that keeps "one talk per
   slot per pupil" and drops "each wish / company once") is usually much tighter; the reported bound is the
   smaller of the two.
2. **Scheduling — bipartite edge colouring.** Each company with ``s`` seats becomes ``s`` "tables"; the assigned
   (pupil, company) pairs are edges pupil–table, slots are colours. Edges are coloured one at a time; when no
   common free slot exists, the classic alternating (Kempe) path of slots a/b is swapped (König's algorithm).
   Without availability limits and without a minimum break every pupil has ≤ S edges and every company ≤ s·S, so
   König's theorem guarantees all edges get a slot: **the plan equals the flow bound (proven optimal for goals 1
   and 2)**. With availability windows (of pupils or companies) or a minimum break, a swap is only done if the pupil at the end of the path
   may take the other slot; pairs that still fail are left out, and a fill pass books, for pupils with no talk first,
   any unfulfilled wish with a free seat in a free slot (also via alternating paths). The gap to the bound is
   reported.
3. **Gaps** — a local pass moves talks into slots that shorten a pupil's idle time (goal 3, heuristic).

``fcfs`` is the first-come-first-served baseline (random arrival order).
"""

from __future__ import annotations

import itertools
import random
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

REASONS = ("capacity", "availability", "ranking")
BLOCKED = -2  # a table cell outside the company's time windows


# --------------------------------------------------------------------------------------------------------- model


@dataclass(frozen=True)
class Company:
    id: str
    seats: int  # pupils per slot (parallel talks × group size)
    professions: frozenset[str] = frozenset()
    slots: frozenset[int] | None = None  # slots the company is there; None = every slot


@dataclass(frozen=True)
class Wish:
    """A wish for a company (``company``) or for a profession (``profession``: any company training it)."""

    company: str | None = None
    profession: str | None = None

    def __post_init__(self) -> None:
        if (self.company is None) == (self.profession is None):
            raise ValueError("a wish names either a company or a profession")


@dataclass(frozen=True)
class Pupil:
    id: str
    wishes: tuple[Wish, ...]  # highest-ranked first
    available: frozenset[int] | None = None  # None = every slot


@dataclass(frozen=True)
class Instance:
    pupils: tuple[Pupil, ...]
    companies: tuple[Company, ...]
    n_slots: int
    min_break: int = 0  # free slots required between two talks of a pupil


@dataclass(frozen=True)
class Assignment:
    pupil: str
    company: str
    slot: int
    rank: int  # 0-based rank of the fulfilled wish


@dataclass(frozen=True)
class Unfulfilled:
    pupil: str
    rank: int
    wish: Wish
    reason: str  # "capacity" | "availability" | "ranking"


@dataclass(frozen=True)
class Utilisation:
    seats_offered: int
    seats_used: int

    @property
    def share(self) -> float:
        return self.seats_used / self.seats_offered if self.seats_offered else 0.0


@dataclass
class Result:
    assignments: list[Assignment]
    pupils_with_talk: int
    wishes_fulfilled: int
    bound_pupils: int
    bound_wishes: int
    distribution: dict[int, int]  # talks per pupil -> number of pupils
    utilisation: dict[str, Utilisation]
    unfulfilled: list[Unfulfilled]
    gaps: int  # idle slots between a pupil's talks beyond the minimum break, summed
    status: str  # "optimal" (== bound) | "feasible"
    runtime_s: float
    rank_counts: dict[int, int] = field(default_factory=dict)  # wish rank -> fulfilled

    @property
    def share_of_bound(self) -> float:
        return self.wishes_fulfilled / self.bound_wishes if self.bound_wishes else 1.0


# --------------------------------------------------------------------------------------------------------- helpers


class _Prepared:
    """Integer-indexed view of an instance."""

    def __init__(self, inst: Instance) -> None:
        if inst.n_slots <= 0:
            raise ValueError("n_slots must be positive")
        self.inst = inst
        self.S = inst.n_slots
        self.brk = max(0, inst.min_break)
        self.cidx = {c.id: i for i, c in enumerate(inst.companies)}
        if len(self.cidx) != len(inst.companies):
            raise ValueError("duplicate company id")
        by_prof: dict[str, list[int]] = {}
        for i, c in enumerate(inst.companies):
            for prof in sorted(c.professions):
                by_prof.setdefault(prof, []).append(i)
        self.seats = [max(0, c.seats) for c in inst.companies]
        # seats of company c in slot t (0 outside the company's time windows)
        self.cap = [
            [self.seats[i] if c.slots is None or t in c.slots else 0 for t in range(self.S)]
            for i, c in enumerate(inst.companies)
        ]
        self.restricted = any(c.slots is not None and len(c.slots) < self.S for c in inst.companies)
        # per pupil: list of wishes as tuples of company indices (seats > 0 only)
        self.wish_comps: list[list[tuple[int, ...]]] = []
        self.avail: list[list[bool]] = []
        for p in inst.pupils:
            ws = []
            for w in p.wishes:
                if w.company is not None:
                    cs = (self.cidx[w.company],) if w.company in self.cidx else ()
                else:
                    cs = tuple(by_prof.get(w.profession or "", ()))
                ws.append(tuple(c for c in cs if self.seats[c] > 0))
            self.wish_comps.append(ws)
            av = p.available
            self.avail.append([av is None or t in av for t in range(self.S)])
        self.max_rank = max((len(p.wishes) for p in inst.pupils), default=0)

    def max_talks(self, p: int) -> int:
        """Most talks pupil p can have in their availability with the minimum break (greedy earliest = optimal)."""
        n, last = 0, None
        for t in range(self.S):
            if self.avail[p][t] and (last is None or t - last > self.brk):
                n, last = n + 1, t
        return n


def _gaps_of(slots: Iterable[int], brk: int) -> int:
    s = sorted(slots)
    return sum(b - a - 1 - brk for a, b in itertools.pairwise(s))


# --------------------------------------------------------------------------------------------------------- flow


def _slot_bound(pr: _Prepared, caps: list[int]) -> tuple[int, int]:
    """Second relaxation (max flow): keeps "one talk per slot per pupil", drops "one wish / company once".

    source ─► pupil (cap: talks possible) ─► [pupil, slot] (cap 1, available slots) ─► [company, slot] for every
    wished company (cap seats) ─► sink. Every plan is a flow, so the max flow bounds the wishes fulfilled; with
    pupil capacity 1 it bounds the pupils with ≥ 1 talk.
    """
    from ortools.graph.python import max_flow

    S, P, C = pr.S, len(pr.inst.pupils), len(pr.inst.companies)
    out = []
    for first_only in (True, False):
        mf = max_flow.SimpleMaxFlow()
        for c in range(C):
            for t in range(S):
                mf.add_arc_with_capacity(2 + c * S + t, 1, pr.cap[c][t])
        nxt = 2 + C * S
        for p in range(P):
            if caps[p] == 0:
                continue
            comps = sorted({c for w in pr.wish_comps[p] for c in w})
            pn = nxt
            nxt += 1
            mf.add_arc_with_capacity(0, pn, 1 if first_only else caps[p])
            for t in range(S):
                if pr.avail[p][t]:
                    mf.add_arc_with_capacity(pn, nxt, 1)
                    for c in comps:
                        mf.add_arc_with_capacity(nxt, 2 + c * S + t, 1)
                    nxt += 1
        if mf.solve(0, 1) != mf.OPTIMAL:
            raise RuntimeError("max flow failed")
        out.append(mf.optimal_flow())
    return out[0], out[1]


def _flow(pr: _Prepared) -> tuple[int, int, list[list[tuple[int, int]]]]:
    """Min-cost flow relaxation. Returns (bound pupils, bound wishes, per pupil [(company, rank)])."""
    from ortools.graph.python import min_cost_flow

    S, P, C = pr.S, len(pr.inst.pupils), len(pr.inst.companies)
    caps = [min(pr.max_talks(p), sum(1 for w in pr.wish_comps[p] if w)) for p in range(P)]
    total = sum(caps)
    N = max(1, pr.max_rank)
    A = N * total + 1  # count of wishes dominates the sum of the rank terms
    B = total * (A + N) + 1  # a first talk dominates all wish rewards

    tails: list[int] = []
    heads: list[int] = []
    capa: list[int] = []
    cost: list[int] = []

    def arc(u: int, v: int, cp: int, co: int) -> int:
        tails.append(u)
        heads.append(v)
        capa.append(cp)
        cost.append(co)
        return len(tails) - 1

    src, snk = 0, 1
    nxt = 2
    cs_node = {}  # (company, slot) -> node
    for c in range(C):
        for t in range(S):
            cs_node[c, t] = nxt
            arc(nxt, snk, pr.cap[c][t], 0)
            nxt += 1
    class_id: dict[tuple[bool, ...], int] = {}
    ck_node: dict[tuple[int, int], int] = {}
    pupil_node = [0] * P
    wish_arcs: list[list[tuple[int, int, int]]] = []  # per pupil: (arc, company, rank)
    for p in range(P):
        wish_arcs.append([])
        if caps[p] == 0:
            continue
        key = tuple(pr.avail[p])
        k = class_id.setdefault(key, len(class_id))
        pn = nxt
        nxt += 1
        pupil_node[p] = pn
        arc(src, pn, 1, -B)
        if caps[p] > 1:
            arc(src, pn, caps[p] - 1, 0)
        occ = Counter(c for w in pr.wish_comps[p] for c in set(w))
        pc_node: dict[int, int] = {}
        for r, w in enumerate(pr.wish_comps[p]):
            if not w:
                continue
            wn = nxt
            nxt += 1
            arc(pn, wn, 1, -(A + N - r))
            for c in w:
                if (c, k) not in ck_node:
                    ck_node[c, k] = nxt
                    nxt += 1
                    for t in range(S):
                        if key[t] and pr.cap[c][t]:
                            arc(ck_node[c, k], cs_node[c, t], pr.cap[c][t], 0)
                if occ[c] == 1:
                    a = arc(wn, ck_node[c, k], 1, 0)
                else:
                    if c not in pc_node:
                        pc_node[c] = nxt
                        nxt += 1
                        arc(nxt - 1, ck_node[c, k], 1, 0)
                    a = arc(wn, pc_node[c], 1, 0)
                wish_arcs[p].append((a, c, r))
    arc(src, snk, total, 0)  # flow is optional

    mcf = min_cost_flow.SimpleMinCostFlow()
    mcf.add_arcs_with_capacity_and_unit_cost(tails, heads, capa, cost)
    mcf.set_node_supply(src, total)
    mcf.set_node_supply(snk, -total)
    for n in range(2, nxt):
        mcf.set_node_supply(n, 0)
    status = mcf.solve()
    if status != mcf.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed: {status}")
    pairs: list[list[tuple[int, int]]] = []
    bp = bw = 0
    for p in range(P):
        got = [(c, r) for a, c, r in wish_arcs[p] if mcf.flow(a) > 0]
        got.sort(key=lambda x: x[1])
        pairs.append(got)
        bw += len(got)
        bp += bool(got)
    if any(not all(row) for row in pr.avail) or pr.brk or pr.restricted:
        # with windows or breaks the first relaxation ignores "one talk per slot"; take the better bound
        bp2, bw2 = _slot_bound(pr, caps)
        bp, bw = min(bp, bp2), min(bw, bw2)
    return bp, bw, pairs


# --------------------------------------------------------------------------------------------------------- schedule


class _Schedule:
    """Slots of pupils and tables (company copies), with alternating-path insertion."""

    MAX_PATH = 400

    def __init__(self, pr: _Prepared) -> None:
        self.pr = pr
        S = pr.S
        self.table_company: list[int] = []
        self.tables: list[list[int]] = []
        for c, s in enumerate(pr.seats):
            self.tables.append(list(range(len(self.table_company), len(self.table_company) + s)))
            self.table_company.extend([c] * s)
        P = len(pr.inst.pupils)
        self.pupil_at = [[-1] * S for _ in range(P)]  # table or -1
        # pupil, -1 (free) or BLOCKED (outside the company's time windows)
        self.table_at = [[-1 if pr.cap[c][t] else BLOCKED for t in range(S)] for c in self.table_company]
        self.free = [list(row) for row in pr.cap]  # free tables per (company, slot)
        self.met: list[dict[int, int]] = [{} for _ in range(P)]  # company -> rank
        self.load = [0] * len(self.table_company)

    def _put(self, p: int, v: int, t: int) -> None:
        self.pupil_at[p][t] = v
        self.table_at[v][t] = p
        self.free[self.table_company[v]][t] -= 1
        self.load[v] += 1

    def _take(self, p: int, v: int, t: int) -> None:
        self.pupil_at[p][t] = -1
        self.table_at[v][t] = -1
        self.free[self.table_company[v]][t] += 1
        self.load[v] -= 1

    def can(self, p: int, t: int, ignore: int = -1) -> bool:
        """May pupil p take slot t (availability, free, minimum break; ``ignore``: a slot being vacated)?"""
        pr = self.pr
        if not pr.avail[p][t] or self.pupil_at[p][t] != -1:
            return False
        row = self.pupil_at[p]
        for u in range(max(0, t - pr.brk), min(pr.S, t + pr.brk + 1)):
            if u != t and u != ignore and row[u] != -1:
                return False
        return True

    def _slot_order(self, p: int) -> list[int]:
        """Slots for p, closest to p's existing talks first (fewer gaps)."""
        row = self.pupil_at[p]
        S = self.pr.S
        if all(v == -1 for v in row):
            return list(range(S))
        # distance to the nearest talk, two sweeps (O(S))
        far = S + 1
        dist = [far] * S
        last = -far
        for t in range(S):
            if row[t] != -1:
                last = t
            dist[t] = t - last
        last = 2 * S + far
        for t in range(S - 1, -1, -1):
            if row[t] != -1:
                last = t
            dist[t] = min(dist[t], last - t)
        return sorted(range(S), key=lambda t: (dist[t], t))

    def insert(self, p: int, c: int, rank: int, steal: bool = False) -> bool:
        """Give p a talk with c: free seat, alternating path, moving another pupil's talk to a free seat, or
        (``steal``, for a pupil without talks) taking the seat of a pupil who keeps ≥ 1 other talk."""
        if c in self.met[p]:
            return False
        order = [t for t in self._slot_order(p) if self.can(p, t)]
        if not order:
            return False
        if self._insert(p, c, rank, order):
            return True
        # moving another pupil's talk needs a free seat of c somewhere
        for t in order if any(self.free[c]) else ():
            for v in self.tables[c]:
                q = self.table_at[v][t]
                if q < 0:
                    continue
                for t2 in range(self.pr.S):
                    if self.free[c][t2] and self.can(q, t2, ignore=t):
                        w = next(w for w in self.tables[c] if self.table_at[w][t2] == -1)
                        self._take(q, v, t)
                        self._put(q, w, t2)
                        self._put(p, v, t)
                        self.met[p][c] = rank
                        return True
        if steal:
            for t in order:
                for v in self.tables[c]:
                    q = self.table_at[v][t]
                    if q >= 0 and len(self.met[q]) >= 2:
                        self._take(q, v, t)
                        del self.met[q][c]
                        self._put(p, v, t)
                        self.met[p][c] = rank
                        return True
        return False

    def _insert(self, p: int, c: int, rank: int, order: list[int]) -> bool:
        """Free seat or alternating path; ``order``: the slots p can take, best first."""
        fr = self.free[c]
        for t in order:
            if fr[t] > 0:
                for v in self.tables[c]:
                    if self.table_at[v][t] == -1:
                        self._put(p, v, t)
                        self.met[p][c] = rank
                        return True
        # alternating paths: a free at p, b free at table v; swap a/b along the path from v
        S = self.pr.S
        for v in sorted(self.tables[c], key=lambda v: self.load[v]):
            trow = self.table_at[v]
            bs = [b for b in range(S) if trow[b] == -1]
            for a in order:
                for b in bs:
                    path = self._path(v, a, b)
                    if path is not None:
                        self._swap(path, a, b)
                        self._put(p, v, a)
                        self.met[p][c] = rank
                        return True
        return False

    def _path(self, v: int, a: int, b: int) -> list[tuple[int, int, int]] | None:
        """Edges (pupil, table, colour) of the a/b path from table v (starting with its a-edge), if swappable."""
        path = []
        cur_v = v
        while True:
            q = self.table_at[cur_v][a]
            if q == -1:
                return path  # ended at a table
            if q == BLOCKED:
                return None
            path.append((q, cur_v, a))
            w = self.pupil_at[q][b]
            if w == -1:
                # q moves its talk from a to b
                return path if self.can(q, b, ignore=a) else None
            path.append((q, w, b))
            cur_v = w
            if len(path) > self.MAX_PATH:
                return None

    def _swap(self, path: list[tuple[int, int, int]], a: int, b: int) -> None:
        for q, w, t in path:
            self._take(q, w, t)
        for q, w, t in path:
            self._put(q, w, b if t == a else a)

    def compact(self, passes: int = 3) -> None:
        """Move talks to slots that reduce a pupil's gaps (same company, any free table)."""
        pr = self.pr
        for _ in range(passes):
            moved = False
            for p, row in enumerate(self.pupil_at):
                used = [t for t in range(pr.S) if row[t] != -1]
                if len(used) < 2:
                    continue
                g = _gaps_of(used, pr.brk)
                if g == 0:
                    continue
                for t in used:
                    v = row[t]
                    c = self.table_company[v]
                    for t2 in range(pr.S):
                        if t2 == t or not self.free[c][t2] or not self.can(p, t2, ignore=t):
                            continue
                        ng = _gaps_of([u for u in used if u != t] + [t2], pr.brk)
                        if ng < g:
                            w = next(w for w in self.tables[c] if self.table_at[w][t2] == -1)
                            self._take(p, v, t)
                            self._put(p, w, t2)
                            used = [u for u in used if u != t] + [t2]
                            g, moved = ng, True
                            break
            if not moved:
                return


# --------------------------------------------------------------------------------------------------------- result


def _result(pr: _Prepared, sch: _Schedule, bp: int, bw: int, t0: float, exact: bool) -> Result:
    inst = pr.inst
    S = pr.S
    assignments = []
    dist: Counter[int] = Counter()
    ranks: Counter[int] = Counter()
    gaps = 0
    unfulfilled = []
    for p, pup in enumerate(inst.pupils):
        row = sch.pupil_at[p]
        slots = [t for t in range(S) if row[t] != -1]
        for t in slots:
            c = sch.table_company[row[t]]
            r = sch.met[p][c]
            assignments.append(Assignment(pup.id, inst.companies[c].id, t, r))
            ranks[r] += 1
        dist[len(slots)] += 1
        gaps += _gaps_of(slots, pr.brk)
        done = set(sch.met[p].values())
        free_slots = [t for t in range(S) if sch.can(p, t)]
        for r, w in enumerate(pup.wishes):
            if r in done:
                continue
            comps = pr.wish_comps[p][r]
            if not comps or not any(pr.avail[p][t] and pr.cap[c][t] for c in comps for t in range(S)):
                reason = "availability"  # no fitting company, or no slot the pupil and a company share
            elif not free_slots:
                reason = "ranking"  # the plan is full with other (higher-ranked or needed) talks
            elif all(c in sch.met[p] for c in comps):
                reason = "ranking"  # every fitting company already met through another wish
            elif all(sch.free[c][t] == 0 for c in comps if c not in sch.met[p] for t in free_slots):
                reason = "capacity"
            else:
                reason = "ranking"
            unfulfilled.append(Unfulfilled(pup.id, r, w, reason))
    used: Counter[int] = Counter()
    for v, trow in enumerate(sch.table_at):
        used[sch.table_company[v]] += sum(1 for x in trow if x >= 0)
    util = {c.id: Utilisation(sum(pr.cap[i]), used[i]) for i, c in enumerate(inst.companies)}
    pw = sum(n for k, n in dist.items() if k > 0)
    wf = len(assignments)
    status = "optimal" if (pw == bp and wf == bw) else "feasible"
    if not exact:
        status = "heuristic"
    return Result(
        assignments=sorted(assignments, key=lambda a: (a.pupil, a.slot)),
        pupils_with_talk=pw,
        wishes_fulfilled=wf,
        bound_pupils=bp,
        bound_wishes=bw,
        distribution=dict(sorted(dist.items())),
        utilisation=util,
        unfulfilled=unfulfilled,
        gaps=gaps,
        status=status,
        runtime_s=time.perf_counter() - t0,
        rank_counts=dict(sorted(ranks.items())),
    )


# --------------------------------------------------------------------------------------------------------- API


def allocate(inst: Instance) -> Result:
    """Einblick's allocation: flow bound + assignment, edge-colouring schedule, fill, gap compaction."""
    t0 = time.perf_counter()
    pr = _Prepared(inst)
    bp, bw, pairs = _flow(pr)
    sch = _Schedule(pr)
    P = len(inst.pupils)
    # first talks of every pupil first, then second talks, ... (losses hit extra talks, not first ones)
    depth = max((len(x) for x in pairs), default=0)
    for i in range(depth):
        for p in range(P):
            if i < len(pairs[p]):
                c, r = pairs[p][i]
                sch.insert(p, c, r)
    # fill: pupils without a talk first, then everyone, wishes in rank order
    if sum(len(m) for m in sch.met) < bw or sum(1 for m in sch.met if m) < bp:
        for only_empty in (True, False):
            for p in range(P):
                if only_empty and sch.met[p]:
                    continue
                for r, comps in enumerate(pr.wish_comps[p]):
                    if r in sch.met[p].values():
                        continue
                    for c in comps:
                        if sch.insert(p, c, r, steal=only_empty):
                            break
    sch.compact()
    return _result(pr, sch, bp, bw, t0, exact=True)


def fcfs(inst: Instance, seed: int = 0) -> Result:
    """First come, first served: pupils in random order book each wish (rank order) in the earliest free slot."""
    t0 = time.perf_counter()
    pr = _Prepared(inst)
    sch = _Schedule(pr)
    order = list(range(len(inst.pupils)))
    random.Random(seed).shuffle(order)
    for p in order:
        for r, comps in enumerate(pr.wish_comps[p]):
            for c in comps:
                if c in sch.met[p]:
                    continue
                t = next((t for t in range(pr.S) if sch.free[c][t] > 0 and sch.can(p, t)), None)
                if t is not None:
                    v = next(v for v in sch.tables[c] if sch.table_at[v][t] == -1)
                    sch._put(p, v, t)
                    sch.met[p][c] = r
                    break
    runtime = time.perf_counter() - t0
    bp, bw, _ = _flow(pr)  # the same proven bound, for comparison (not part of the run time)
    res = _result(pr, sch, bp, bw, t0, exact=False)
    res.runtime_s = runtime
    return res


def violations(inst: Instance, assignments: Sequence[Assignment]) -> list[str]:
    """Every broken hard rule of a plan (empty list = valid)."""
    out = []
    comps = {c.id: c for c in inst.companies}
    pupils = {p.id: p for p in inst.pupils}
    seen_slot: set[tuple[str, int]] = set()
    seen_comp: set[tuple[str, str]] = set()
    per_cs: Counter[tuple[str, int]] = Counter()
    slots_of: dict[str, list[int]] = {}
    for a in assignments:
        p = pupils.get(a.pupil)
        if p is None or a.company not in comps:
            out.append(f"unknown pupil/company in {a}")
            continue
        if not 0 <= a.slot < inst.n_slots:
            out.append(f"slot out of range: {a}")
        if (a.pupil, a.slot) in seen_slot:
            out.append(f"two talks in one slot: {a}")
        seen_slot.add((a.pupil, a.slot))
        if (a.pupil, a.company) in seen_comp:
            out.append(f"same company twice: {a}")
        seen_comp.add((a.pupil, a.company))
        if p.available is not None and a.slot not in p.available:
            out.append(f"outside availability: {a}")
        if comps[a.company].slots is not None and a.slot not in comps[a.company].slots:
            out.append(f"outside the company's time windows: {a}")
        per_cs[a.company, a.slot] += 1
        slots_of.setdefault(a.pupil, []).append(a.slot)
        w = p.wishes[a.rank] if 0 <= a.rank < len(p.wishes) else None
        if w is None or not (
            w.company == a.company
            or (w.profession is not None and w.profession in comps[a.company].professions)
        ):
            out.append(f"talk does not fulfil the wish it claims: {a}")
    for (c, t), n in per_cs.items():
        if n > comps[c].seats:
            out.append(f"capacity exceeded: {c} slot {t}: {n} > {comps[c].seats}")
    for pid, ss in slots_of.items():
        ss.sort()
        for x, y in itertools.pairwise(ss):
            if y - x <= inst.min_break:
                out.append(f"minimum break broken for {pid}: slots {x}, {y}")
    ranks: Counter[tuple[str, int]] = Counter((a.pupil, a.rank) for a in assignments)
    out.extend(f"wish fulfilled twice: {k}" for k, n in ranks.items() if n > 1)
    return out
