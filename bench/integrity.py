"""What the worker's comparison of changed rows costs (``ledger/integrity.py``): one pass of the
``integrity`` step after N application-made changes, each to a different message (the worst
case: N subjects to check), on the database DATABASE_URL names (default: a fresh SQLite file).

    python bench/integrity.py [--changes 1000] [--json out.json]

Prints the changes queued by the triggers, the pass's wall time and its time per change, and,
as the baseline measured in the same run, the time the application took to make those changes
(N triage transactions): the ratio is what checking a change costs beside making it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--changes", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    os.environ.setdefault("CHANCERY_DATA_DIR", tempfile.mkdtemp(prefix="chancery-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chancery.settings")
    os.environ.setdefault("CHANCERY_LOG_LEVEL", "ERROR")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from chancery.correspondence import services
    from chancery.ledger import integrity
    from chancery.ledger.models import ChangedRow, Event
    from chancery.testing import build_people, build_world

    call_command("migrate", verbosity=0)
    world = build_world()
    people = build_people(world)
    runs = []
    for _ in range(args.repeat):
        messages = [
            services.submit_message(
                services.Submission(
                    principal="president-elect", sender_office=world["pm_ca"].pk,
                    body=f"Congratulations, number {n}.",
                ),
                by=people["liaison_ca"],
            )[0]
            for n in range(args.changes)
        ]
        integrity.check_changed_rows()  # nothing queued by intake; drain anything left
        made = time.perf_counter()
        for message in messages:
            services.triage(message, by=people["officer"], note="")
        made = time.perf_counter() - made
        queued = ChangedRow.objects.count()
        started = time.perf_counter()
        alerts = integrity.check_changed_rows()
        elapsed = time.perf_counter() - started
        assert alerts == 0 and not ChangedRow.objects.exists()
        runs.append({"queued": queued, "seconds": elapsed, "baseline_seconds": made})
    best = min(runs, key=lambda r: r["seconds"])
    result = {
        "database": connection.vendor,
        "changes": args.changes,
        "queued": best["queued"],
        "pass_seconds": round(best["seconds"], 4),
        "ms_per_change": round(1000 * best["seconds"] / best["queued"], 4),
        "baseline_seconds": round(best["baseline_seconds"], 4),
        "ratio_to_baseline": round(best["seconds"] / best["baseline_seconds"], 4),
        "runs": runs,
        "events": Event.objects.count(),
    }
    print(
        f"{connection.vendor}: {args.changes} app-made changes ({best['queued']} queued rows), "
        f"one integrity pass {best['seconds'] * 1000:.0f} ms "
        f"({result['ms_per_change']} ms per change; best of {args.repeat}), 0 alerts; making "
        f"the changes (baseline, same run) {best['baseline_seconds'] * 1000:.0f} ms: ratio "
        f"{result['ratio_to_baseline']:.2f}"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    main()
