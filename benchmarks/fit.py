"""Fitting new admissions into the bundled medium program's week (issue 15's ``fit``).

Not a test. Solves instances/medium.json once (``--time-limit``, 2 workers), then fits
new patients, copies of P001, P041 and P081 under new ids without a primary counselor,
and prints for each the verdict, the placements' costs, the appointments moved, the
patients and sessions moved by a re-solve, and the wall time of ``scheduler.fit``.

    python benchmarks/fit.py [--time-limit 30] [--fit-time-limit 30] [--workers 1]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models import Patient, load_instance  # noqa: E402
from scheduler import SolveSettings, check, fit, solve  # noqa: E402

COPIES = ("P001", "P041", "P081")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=30.0, help="the week's solve")
    ap.add_argument("--fit-time-limit", type=float, default=30.0)
    ap.add_argument("--workers", type=int, default=1, help="fit's CP-SAT workers")
    args = ap.parse_args()

    instance = load_instance(ROOT / "instances" / "medium.json")
    week = solve(instance, SolveSettings(time_limit=args.time_limit, workers=2)).schedule
    assert check(instance, week).ok
    print(f"medium: {len(instance.patients)} patients, week objective {week.objective}")
    for pid in COPIES:
        source = next(p for p in instance.patients if p.id == pid)
        new = Patient.model_validate(
            {
                **source.model_dump(mode="json", exclude={"display_name"}),
                "id": f"N{pid[1:]}",
                "primary_counselor": None,
                "avoid": [],
            }
        )
        started = time.perf_counter()
        result = fit(
            instance, week, new, top=5, time_limit=args.fit_time_limit, workers=args.workers
        )
        seconds = time.perf_counter() - started
        costs = [p.cost for p in result.placements]
        moves = result.moves
        detail = ""
        if moves is not None and moves.placement is not None:
            detail = (
                f"{len(moves.placement.moved_appointments)} appointment(s) moved, cost {moves.cost}"
            )
        elif moves is not None and moves.changes is not None:
            c = moves.changes
            detail = f"{c.patients_moved} patients and {c.sessions_moved} sessions moved, cost {moves.cost}"
        print(f"copy of {pid}: {result.verdict} {costs} {detail} ({seconds:.1f} s)")


if __name__ == "__main__":
    main()
