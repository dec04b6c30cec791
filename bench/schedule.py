"""The call scheduler on seeded tight instances (issue 10, part 11): CP-SAT against the greedy
baseline on the same instances.

    python bench/schedule.py [--seeds 1 2 3 4 5] [--time-limit 10] [--workers 2]
                             [--json out.json] [--check]

Each instance: 200 requests, 25 interpreters, 14 days at 5-minute granularity, leaders in a
dozen time zones. The principal (New York, 08:00-20:00, 8 calls a day) has 112 call places for
200 requests; Europe and the Middle East compete for the mornings, East Asia for the evenings,
so not every request fits. Printed per seed and solver: requests placed (and CP-SAT's proven
bound on it), weighted lateness, priority inversions, compactness (minutes), the time to the
first feasible schedule (greedy's, before the model build), the model build, the total time,
the proven lower bound on lateness and the lateness against the best known for the instance
(``schedule_reference.json``, written by ``--reference`` runs of at least 60 s), and the proven
gap on lateness ((found - bound) / found). ``--check`` exits 1 when a target of the issue is
missed: CP-SAT lexicographically worse than greedy on any seed; CP-SAT not placing more than
greedy where greedy leaves a placeable request out (fewer than the proven maximum); the maximum
number placed proven on fewer than 3 of the seeds; the first feasible schedule or the model
build later than 0.5 s; lateness above 1.5 times the best known.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
from datetime import date, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from chancery.calls.scheduler import (  # noqa: E402
    CallRequest,
    DailyHours,
    Interpreter,
    Principal,
    Problem,
    Schedule,
    greedy,
    solve,
)

START = date(2026, 3, 2)
REGIONS = {
    # zone: (acceptable local hours, languages)
    "Europe/London": ((9, 19), [None]),
    "Europe/Paris": ((9, 19), ["fr"]),
    "Europe/Berlin": ((9, 19), ["de"]),
    "Europe/Rome": ((9, 19), ["it"]),
    "Europe/Madrid": ((9, 19), ["es"]),
    "Asia/Riyadh": ((9, 20), ["ar"]),
    "Asia/Dubai": ((9, 20), ["ar"]),
    "Asia/Jerusalem": ((9, 20), ["he", None]),
    "Asia/Tokyo": ((7, 22), ["ja"]),
    "Asia/Seoul": ((7, 22), ["ko"]),
    "Asia/Shanghai": ((7, 22), ["zh"]),
    "America/Sao_Paulo": ((9, 19), ["pt"]),
    "America/Mexico_City": ((8, 20), ["es"]),
}
LANGS = ["fr", "de", "it", "es", "ar", "he", "ja", "ko", "zh", "pt"]


def instance(seed: int, n: int = 200, interpreters: int = 25, days: int = 14) -> Problem:
    rnd = random.Random(seed)
    zones = list(REGIONS)
    ranks = list(range(n))
    rnd.shuffle(ranks)
    reqs = []
    for k in range(n):
        z = rnd.choice(zones)
        (a, b), langs = REGIONS[z]
        lang = rnd.choice(langs)
        first = rnd.randint(0, days - 3)
        reqs.append(
            CallRequest(
                f"r{k:03d}",
                ranks[k],
                z,
                DailyHours(time(a), time(b)),
                date.fromordinal(START.toordinal() + first),
                date.fromordinal(START.toordinal() + min(days - 1, first + rnd.randint(1, 6))),
                rnd.choice([10, 15, 20, 25]),
                language=lang,
                brings_interpreter=lang is not None and rnd.random() < 0.2,
            )
        )
    its = []
    for j in range(interpreters):
        zone = rnd.choice(["America/New_York", "Europe/Paris", "America/New_York"])
        start = rnd.choice([7, 8, 9, 12]) if zone == "America/New_York" else rnd.choice([9, 13])
        its.append(
            Interpreter(
                f"i{j:02d}",
                frozenset(rnd.sample(LANGS, rnd.randint(1, 3))),
                zone,
                DailyHours(time(start), time(min(23, start + 8))),
                rnd.randint(2, 4),
            )
        )
    pr = Principal("America/New_York", DailyHours(time(8), time(20)), daily_cap=8, buffer=10)
    return Problem(pr, tuple(reqs), START, days, tuple(its), granularity=5)


REFERENCE = Path(__file__).resolve().parent / "schedule_reference.json"


def _gap(found: int, bound: int) -> str:
    """The proven relative gap of a minimisation: 0 % when proven optimal."""
    if found == 0:
        return "0%"
    return f"{100 * (found - bound) / found:.0f}%"


def targets(seed: int, g: Schedule, c: Schedule, best: dict[str, int], limit: float) -> list[str]:
    """The issue's targets missed on one seed (empty when all are met)."""
    missed = []
    if c.metrics.key() > g.metrics.key():
        missed.append("CP-SAT lexicographically worse than greedy")
    if g.metrics.placed < c.placed_bound and c.metrics.placed <= g.metrics.placed:
        missed.append("greedy left a placeable request out and CP-SAT placed no more")
    if c.first_feasible_seconds > 0.5 or c.build_seconds > 0.5:
        missed.append(
            f"first feasible {c.first_feasible_seconds:.2f} s / build {c.build_seconds:.2f} s "
            "(target 0.5 s)"
        )
    ref = best.get(str(seed))
    if ref is not None and limit <= 10 and c.metrics.lateness > 1.5 * ref:
        missed.append(f"lateness {c.metrics.lateness} above 1.5 x the best known {ref}")
    return missed


def row(seed: int, s: Schedule, best: dict[str, int]) -> dict[str, object]:
    m = s.metrics
    late = {ph.name: ph for ph in s.phases}.get("lateness")
    ref = best.get(str(seed))
    ratio: object = ""
    if ref is not None:
        ratio = round(m.lateness / ref, 2) if ref else ("1.0" if m.lateness == 0 else "inf")
    return {
        "seed": seed,
        "solver": s.solver,
        "status": s.status,
        "placed": m.placed,
        "placed_bound": s.placed_bound if s.solver == "cp-sat" else "",
        "lateness": m.lateness,
        "late_bound": late.bound if late else "",
        "late/best": ratio,
        "late_gap": _gap(m.lateness, late.bound) if late else "",
        "inversions": m.inversions,
        "compactness": m.compactness,
        "first_feas_s": round(s.first_feasible_seconds, 3),
        "build_s": round(s.build_seconds, 3) if s.solver == "cp-sat" else "",
        "total_s": round(s.seconds, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--check", action="store_true")
    parser.add_argument(
        "--reference",
        action="store_true",
        help=f"store the best lateness found (with the placed count) in {REFERENCE.name}",
    )
    args = parser.parse_args()
    best: dict[str, int] = json.loads(REFERENCE.read_text()) if REFERENCE.exists() else {}
    rows, missed, proven = [], [], 0
    for seed in args.seeds:
        p = instance(seed)
        g = greedy(p)
        c = solve(p, time_limit=args.time_limit, workers=args.workers)
        if args.reference and (str(seed) not in best or c.metrics.lateness < best[str(seed)]):
            best[str(seed)] = c.metrics.lateness
            REFERENCE.write_text(json.dumps(best, indent=2, sort_keys=True) + "\n")
        rows += [row(seed, g, best), row(seed, c, best)]
        proven += c.metrics.placed == c.placed_bound
        missed += [f"seed {seed}: {m}" for m in targets(seed, g, c, best, args.time_limit)]
    if proven < min(3, len(args.seeds)):
        missed.append(f"maximum placed proven on {proven} of {len(args.seeds)} seeds (target 3)")
    cols = list(rows[0])
    print(" ".join(f"{c:>12}" if i else f"{c:>5}" for i, c in enumerate(cols)))
    for r in rows:
        print(" ".join(f"{r[c]!s:>12}" if i else f"{r[c]!s:>5}" for i, c in enumerate(cols)))
    print(f"maximum placed proven on {proven} of {len(args.seeds)} seeds")
    print("targets: all met" if not missed else "targets missed:\n  " + "\n  ".join(missed))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                    "time_limit": args.time_limit,
                    "workers": args.workers,
                    "rows": rows,
                },
                indent=2,
            )
        )
    if args.check and missed:
        sys.exit(1)


if __name__ == "__main__":
    main()
