"""Benchmark of the talk allocation (src/einblick/talks/allocation.py) against first-come-first-served booking.

    .venv/bin/python bench/talks.py [--quick] [--seed 1] [--only NAME]

Generates realistic fairs — company popularity skewed like real fairs (Zipf-like: a few companies wanted by many),
3–6 ranked wishes per pupil of which ~20 % name a profession ("any company that trains it"), 2–10 seats per company
and slot (bigger companies have more tables) — and runs on the same instance FCFS booking (pupils in random arrival
order, each books their wishes in rank order in the earliest free slot) and Einblick's allocation. Prints pupils with
≥ 1 talk, wishes fulfilled, share of the proven upper bound (min-cost-flow relaxation) and run time; every plan is
checked against the hard rules. Sizes: 3,600 pupils / 94 companies / 16 slots and 20,000 / 300 / 24, each with
unrestricted availability, with availability windows of a quarter of the day, and with those windows plus every
second company present for only two thirds of the day. ``--quick``: small sizes.
"""

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from einblick.talks import allocation as al


def generate(
    *,
    pupils: int,
    companies: int,
    slots: int,
    windows: bool,
    seed: int,
    min_break: int = 0,
    company_windows: bool = False,
) -> al.Instance:
    rng = random.Random(seed)
    n_prof = max(5, companies // 3)
    profs = [f"prof{i}" for i in range(n_prof)]
    prof_weight = [1 / (i + 1) ** 0.8 for i in range(n_prof)]
    comps = []
    for i in range(companies):
        size = rng.random()
        seats = 2 + int(8 * size**2)  # 2..10 tables per slot, most companies small
        ps = frozenset(rng.choices(profs, weights=prof_weight, k=rng.randint(1, 3)))
        present = None
        if company_windows and i % 2:  # every second company is there only for two thirds of the day
            length = max(1, 2 * slots // 3)
            start = rng.randint(0, slots - length)
            present = frozenset(range(start, start + length))
        comps.append(al.Company(f"c{i}", seats, ps, present))
    # popularity: Zipf-like over a random permutation, a bit correlated with size
    order = list(range(companies))
    rng.shuffle(order)
    pop = [0.0] * companies
    for r, c in enumerate(order):
        pop[c] = 1 / (r + 1) ** 1.0 * (0.5 + comps[c].seats / 10)
    win = max(1, slots // 4)
    ps_out = []
    for i in range(pupils):
        n = rng.randint(3, 6)
        wishes: list[al.Wish] = []
        chosen: set[int] = set()
        while len(wishes) < n:
            if rng.random() < 0.2:
                prof = rng.choices(profs, weights=prof_weight)[0]
                w = al.Wish(profession=prof)
                if w in wishes:
                    continue
                wishes.append(w)
            else:
                c = rng.choices(range(companies), weights=pop)[0]
                if c in chosen:
                    continue
                chosen.add(c)
                wishes.append(al.Wish(company=f"c{c}"))
        avail = None
        if windows:
            start = rng.randint(0, slots - win)
            avail = frozenset(range(start, start + win))
        ps_out.append(al.Pupil(f"p{i}", tuple(wishes), avail))
    return al.Instance(tuple(ps_out), tuple(comps), slots, min_break)


SIZES = {
    "3600/94/16": {"pupils": 3600, "companies": 94, "slots": 16},
    "20000/300/24": {"pupils": 20000, "companies": 300, "slots": 24},
}
QUICK = {
    "400/20/8": {"pupils": 400, "companies": 20, "slots": 8},
    "1500/50/12": {"pupils": 1500, "companies": 50, "slots": 12},
}


def row(name: str, method: str, r: al.Result) -> str:
    return (
        f"| {name} | {method} | {r.pupils_with_talk:,} / {r.bound_pupils:,} | {r.wishes_fulfilled:,} | "
        f"{r.bound_wishes:,} | {100 * r.share_of_bound:.2f} % | {r.gaps:,} | {r.runtime_s:.1f} s |"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", default=None, help="run only sizes whose name contains this")
    args = ap.parse_args()
    sizes = QUICK if args.quick else SIZES
    print(
        "| instance | method | pupils ≥ 1 talk (bound) | wishes fulfilled | bound | share of bound | gaps | time |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for windows, company_windows in ((False, False), (True, False), (True, True)):
        for name, kw in sizes.items():
            label = f"{name}{' windows ¼' if windows else ''}{' + company ⅔' if company_windows else ''}"
            if args.only and args.only not in label:
                continue
            inst = generate(**kw, windows=windows, seed=args.seed, company_windows=company_windows)
            f = al.fcfs(inst, seed=args.seed)
            e = al.allocate(inst)
            for r in (f, e):
                bad = al.violations(inst, r.assignments)
                if bad:
                    raise SystemExit(f"hard rule broken: {bad[:5]}")
            print(row(label, "FCFS", f), flush=True)
            print(row(label, "Einblick", e), flush=True)
            reasons: dict[str, int] = {}
            for u in e.unfulfilled:
                reasons[u.reason] = reasons.get(u.reason, 0) + 1
            print(
                f"|  | distribution {e.distribution}; unfulfilled {reasons}; status {e.status} | | | | | | |",
                flush=True,
            )


if __name__ == "__main__":
    main()
