"""Benchmark of the programme planner (src/einblick/fair/planner.py) on a generated fair.

    .venv/bin/python bench/planner.py [--companies 300] [--per-company 2] [--stages 6] [--days 5] [--hours 11]
                                      [--time-limit 20] [--workers 2] [--seed 1] [--free-search] [--pinned 0]

Generates a fair of ``--days`` opening windows of ``--hours`` hours (Monday to Friday, 08:00–19:00 by default: 55
hours in 15-minute steps) with ``--stages`` stages, and ``--companies`` companies with ``--per-company`` session
requests each: lengths of 15–90 minutes (mostly 30–60), about half aimed at school hours (Mon–Fri 08:00–13:00),
availability "any time" / on two or three days / on some days between given hours, 1–2 professions per request from
80 professions of skewed popularity, a preferred stage for most. ``--pinned N`` pins N sessions of a first plan and
re-runs around them.

Prints the size of the model, the greedy first-fit baseline, the time to the first feasible plan, the final
objective and best bound (and what they mean in placed requests), placed/unplaced with reasons, and checks every
hard rule of the result. Figures go to bench/README.md; nothing here is asserted.
"""

import argparse
import random
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from einblick.fair import planner

TZ = ZoneInfo("Europe/Berlin")
LENGTHS = [(15, 20), (30, 55), (45, 15), (60, 10)]


def generate(
    *, companies: int, per_company: int, stages: int, days: int, hours: int, seed: int
) -> planner.Problem:
    rng = random.Random(seed)
    first = datetime(2026, 11, 30, 8, 0, tzinfo=TZ)  # a Monday
    windows = tuple(
        planner.Window(first + timedelta(days=k), first + timedelta(days=k, hours=hours)) for k in range(days)
    )
    stage_ids = tuple(range(1, stages + 1))
    professions = list(range(1, 81))
    popularity = [1 / (rank + 1) ** 0.8 for rank in range(len(professions))]
    requests = []
    rid = 0
    for company in range(1, companies + 1):
        own = set(rng.choices(professions, weights=popularity, k=rng.randint(1, 3)))
        home_stage = stage_ids[min(own) % stages]
        pattern = rng.random()
        if pattern < 0.4:
            availability = ()
        elif pattern < 0.75:
            chosen = sorted(rng.sample(range(days), k=min(days, rng.randint(2, 3))))
            availability = tuple(windows[k] for k in chosen)
        else:
            chosen = sorted(rng.sample(range(days), k=min(days, rng.randint(1, 3))))
            availability = []
            for k in chosen:
                begin = rng.choice([8, 9, 10, 13, 14])
                length = rng.choice([3, 4, 5])
                start = windows[k].starts_at.replace(hour=begin)
                availability.append(
                    planner.Window(start, min(windows[k].ends_at, start + timedelta(hours=length)))
                )
            availability = tuple(availability)
        for _ in range(per_company):
            rid += 1
            duration = rng.choices([m for m, _ in LENGTHS], weights=[w for _, w in LENGTHS])[0]
            requests.append(
                planner.Request(
                    id=rid,
                    company=company,
                    duration_minutes=duration,
                    professions=frozenset(rng.sample(sorted(own), k=min(len(own), rng.randint(1, 2)))),
                    availability=availability,
                    preferred_stage=home_stage if rng.random() < 0.7 else None,
                    school_hours=rng.random() < 0.4,
                )
            )
    return planner.Problem(windows=windows, stages=stage_ids, requests=tuple(requests))


def report(label: str, problem: planner.Problem, result: planner.Result, options: planner.Options) -> None:
    errors = planner.check(problem, result.placements, options)
    reasons = Counter(u.reason for u in result.unplaced)
    n_pinned = sum(1 for f in problem.fixed if f.request is not None)
    pinned = f" + {n_pinned} pinned" if n_pinned else ""
    print(f"--- {label}")
    print(
        f"status {result.status}  wall {result.wall_seconds:.1f} s  first feasible "
        f"{result.first_solution_seconds if result.first_solution_seconds is None else round(result.first_solution_seconds, 2)} s  "
        f"solutions {result.solutions}"
    )
    print(
        f"objective {result.objective:.0f}  best bound {result.best_bound:.0f}  gap {100 * result.gap:.3f} %  "
        f"(weight of one placed request {result.place_weight})"
    )
    print(
        f"placed {len(result.placements)}{pinned} / {len(problem.requests)}  (greedy first fit {result.greedy_placed}, "
        f"proven at most {result.placed_bound})  unplaced {len(result.unplaced)}: {dict(reasons)}"
    )
    print(
        f"preferred stage {result.stats['preferred_stage']}  same profession too close {result.stats['too_close']}  "
        f"kept {result.stats['kept']}  hard-rule violations {len(errors)}"
    )
    for error in errors[:5]:
        print("  !", error)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--companies", type=int, default=300)
    parser.add_argument("--per-company", type=int, default=2)
    parser.add_argument("--stages", type=int, default=6)
    parser.add_argument("--days", type=int, default=5)
    parser.add_argument("--hours", type=int, default=11)
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--free-search", action="store_true", help="CP-SAT's parallel portfolio (not deterministic)"
    )
    parser.add_argument("--pinned", type=int, default=0, help="pin this many sessions and re-run around them")
    args = parser.parse_args()

    t0 = time.monotonic()
    problem = generate(
        companies=args.companies,
        per_company=args.per_company,
        stages=args.stages,
        days=args.days,
        hours=args.hours,
        seed=args.seed,
    )
    demand = sum(r.duration_minutes for r in problem.requests)
    capacity = len(problem.stages) * sum(
        (w.ends_at - w.starts_at).total_seconds() // 60 for w in problem.windows
    )
    school = sum(r.duration_minutes for r in problem.requests if r.school_hours)
    print(
        f"{len(problem.requests)} requests of {args.companies} companies, {len(problem.stages)} stages, "
        f"{args.days} × {args.hours} h; demand {demand / capacity:.0%} of stage time, school-hour demand "
        f"{school / (len(problem.stages) * 5 * 60 * min(args.days, 5)):.0%} of school-hour stage time; "
        f"generated in {time.monotonic() - t0:.2f} s"
    )
    options = planner.Options(
        time_limit=args.time_limit, workers=args.workers, seed=args.seed, deterministic=not args.free_search
    )
    result = planner.solve(problem, options)
    print(
        f"model: {result.stats['variables']} variables, {result.stats['constraints']} constraints, "
        f"{result.stats['spread_terms']} profession terms"
    )
    report("first run", problem, result, options)

    if args.pinned:
        rng = random.Random(args.seed)
        chosen = rng.sample(result.placements, k=min(args.pinned, len(result.placements)))
        requests = {r.id: r for r in problem.requests}
        fixed = tuple(
            planner.Fixed(
                id=10_000 + p.request,
                stage=p.stage,
                starts_at=p.starts_at,
                ends_at=p.ends_at,
                company=requests[p.request].company,
                professions=requests[p.request].professions,
                request=p.request,
            )
            for p in chosen
        )
        placed = {p.request: p for p in result.placements}
        rerun = planner.Problem(
            windows=problem.windows,
            stages=problem.stages,
            requests=tuple(
                planner.Request(
                    **{
                        **r.__dict__,
                        "current_stage": placed[r.id].stage if r.id in placed else None,
                        "current_start": placed[r.id].starts_at if r.id in placed else None,
                    }
                )
                for r in problem.requests
            ),
            fixed=fixed,
        )
        again = planner.solve(rerun, options)
        report(f"re-run around {len(fixed)} pinned sessions", rerun, again, options)


if __name__ == "__main__":
    main()
