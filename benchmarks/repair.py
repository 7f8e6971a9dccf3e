"""Same-day repair against a fresh solve of the changed week (issue 15).

Not a test. Publishes the bundled medium program (a solve), makes one counselor
unavailable for one block (by default C14 on thu.am: three sessions, and every
appointment of theirs there has another time; C17 on mon.pm, the busiest, has none),
then repairs the week (``scheduler.repair``) and solves the changed week from scratch,
and prints for each the patients moved, sessions moved and counselors changed against
the published week, the people to call, and the objective (the repair's also without
its stability terms). The least any repair can move is the patients seated with that
counselor in that block (a seat is kept only with all of its counselors): printed too.

    python benchmarks/repair.py [--instance instances/medium.json] [--time-limit 30]
        [--workers 2] [--away C14@thu.am] [--from-day DAY]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models import CounselorAway, Disruption, load_instance  # noqa: E402
from scheduler import SolveSettings, check, diff_schedules, repair, solve  # noqa: E402
from scheduler.check.report import STABILITY_TERMS  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instance", default=str(ROOT / "instances" / "medium.json"))
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--away", default="C14@thu.am", help="COUNSELOR@DAY.BLOCK")
    ap.add_argument("--from-day", default=None)
    args = ap.parse_args()
    settings = SolveSettings(time_limit=args.time_limit, workers=args.workers)

    instance = load_instance(args.instance)
    published = solve(instance, settings).schedule
    print(f"published: objective {published.objective}, {len(published.sessions)} sessions")
    counselor, _, slot = args.away.partition("@")
    theirs = {
        p for s in published.sessions if counselor in s.counselors and s.slot == slot
        for p in s.patients
    }  # fmt: skip
    print(f"{counselor} away in {slot}: {len(theirs)} patients in their sessions (the least)")

    away = Disruption(
        unavailable=[CounselorAway(counselor=counselor, slot=slot)], from_day=args.from_day
    )
    repaired = repair(instance, published, away, settings)
    runs = [("repair", repaired.result)]
    if repaired.found:
        runs.append(("from scratch", solve(repaired.instance, settings)))
    for name, result in runs:
        sched = result.schedule
        if not result.found:
            print(f"{name}: {result.status}")
            continue
        assert check(repaired.instance, sched).ok
        diff = diff_schedules(repaired.instance, published, sched)
        m = diff.moved
        stability = sum(v for k, v in sched.objective_terms.items() if k in STABILITY_TERMS)
        print(
            f"{name}: {m.patients_moved} patients, {m.sessions_moved} sessions moved, "
            f"{m.counselors_changed} counselors changed; to call {len(diff.patients)} patients "
            f"and {len(diff.counselors)} counselors; objective {sched.objective}"
            + (f" ({(sched.objective or 0) - stability} without stability)" if stability else "")
        )
    for line in repaired.past_changes()[:5] + repaired.stuck:
        print(f"  {line}")


if __name__ == "__main__":
    main()
