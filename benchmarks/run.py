"""Benchmark: solve bundled instances and report status, objective, bound, gap and times.

Not a test: it reports figures and never fails on time. Machines here are noisy
(2 shared cores), so compare formulations as ratios measured in the same run.

    python benchmarks/run.py [--time-limit 60] [--workers 8] [--formulation aggregated plain] [NAMES...]

Writes a table to stdout and a CSV to benchmarks/results/.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import platform
from pathlib import Path

from models import load_instance
from scheduler import SolveSettings, check, solve

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = [
    "instance",
    "formulation",
    "status",
    "first_s",
    "objective",
    "best_bound",
    "gap_pct",
    "wall_s",
    "checked",
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", default=["tiny", "small", "medium"])
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--formulation", nargs="+", default=["aggregated", "plain"])
    args = ap.parse_args()

    rows = []
    for name in args.names:
        instance = load_instance(ROOT / "instances" / f"{name}.json")
        for formulation in args.formulation:
            settings = SolveSettings(
                time_limit=args.time_limit, workers=args.workers, formulation=formulation
            )
            r = solve(instance, settings)
            report = check(instance, r.schedule) if r.found else None
            row = {
                "instance": name,
                "formulation": formulation,
                "status": r.status,
                "first_s": _fmt(r.first_solution_seconds),
                "objective": _fmt(r.objective),
                "best_bound": _fmt(r.best_bound),
                "gap_pct": _fmt(None if r.gap is None else 100 * r.gap),
                "wall_s": _fmt(r.wall_seconds),
                "checked": "-"
                if report is None
                else ("ok" if report.ok and report.objective == r.objective else "FAIL"),
            }
            rows.append(row)
            print("  ".join(f"{row[c]:>12}" for c in COLUMNS), flush=True)

    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = out / f"run-{stamp}.csv"
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    print(
        f"\n{platform.node()} {platform.processor() or platform.machine()}, "
        f"time limit {args.time_limit} s, {args.workers} workers; wrote {path}"
    )


def _fmt(x: float | int | None) -> str:
    if x is None:
        return "-"
    return f"{x:.2f}" if isinstance(x, float) else str(x)


if __name__ == "__main__":
    main()
