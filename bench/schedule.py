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
(``schedule_reference.json``, written by ``--reference`` runs of at least 60 s). ``--check``
exits 1 unless CP-SAT is never worse than greedy (lexicographically) and places at least as
many calls.
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
    rows, failures = [], []
    for seed in args.seeds:
        p = instance(seed)
        g = greedy(p)
        c = solve(p, time_limit=args.time_limit, workers=args.workers)
        if args.reference and (str(seed) not in best or c.metrics.lateness < best[str(seed)]):
            best[str(seed)] = c.metrics.lateness
            REFERENCE.write_text(json.dumps(best, indent=2, sort_keys=True) + "\n")
        rows += [row(seed, g, best), row(seed, c, best)]
        if c.metrics.key() > g.metrics.key() or c.metrics.placed < g.metrics.placed:
            failures.append(seed)
    cols = list(rows[0])
    print(" ".join(f"{c:>12}" if i else f"{c:>5}" for i, c in enumerate(cols)))
    for r in rows:
        print(" ".join(f"{r[c]!s:>12}" if i else f"{r[c]!s:>5}" for i, c in enumerate(cols)))
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
    if args.check and failures:
        print(f"CP-SAT worse than greedy on seeds {failures}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
