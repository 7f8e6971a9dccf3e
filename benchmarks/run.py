"""Benchmark suite: our solver against three baselines on generated programs of every size.

Not a test: it reports figures and never fails on time. Machines here are noisy
(2 shared cores), so read the baselines as ratios against ours, measured in the
same run. Every run is in a fresh process (its peak memory is its own), and every
schedule any solver returns is checked by the checker.

    python benchmarks/run.py [--sizes S M L XL] [--solvers ours plain greedy highs]
                             [--time-limit 60] [--time-limit-L 120] [--workers 8]

Instances (``scheduler.generate`` at fixed seeds): S 30, M 120, L 400 patients,
XL 1000 patients over 8 sites. Solvers:

- ``ours``: the default solve (aggregated model, greedy warm start; XL one solve
  per site, in parallel).
- ``plain``: baseline (a), the same rules in the plain formulation, searched from
  scratch.
- ``greedy``: baseline (b), a coordinator's construction by hand (``scheduler.greedy``).
- ``highs``: baseline (c), the same (aggregated) model as a MIP solved by HiGHS.

Beside the proven gap (``gap_pct``: objective against the bound), each row has the
**primal gap** against the best known objective of ``benchmarks/best_known.json``
(objective / best known - 1, in %): ``pgap_10s`` and ``pgap_60s`` (L: at 120 s) from
the objective the run had reached then, ``pgap_end`` from the final one, and
``to_1pct_s``, the seconds until it came within 1 % of the best known. Which objective
each is: the checkpoints and ``to_1pct_s`` read the progress events. A solve with a
listener reads each better week of its search back as it goes (``scheduler.progress``),
so ours' and plain's events carry written objectives (``readback_pct`` near 0; XL's
sites are read back one at a time, and its last event is the written objective).
HiGHS's solutions are read back (``benchmarks/highs_readback.py``) after its solve, each
at the time HiGHS found it, so its checkpoints carry written objectives too; its row's
objective is the best written one. ``pgap_end`` is the written, checked objective. The
best known values are written ones.

Writes a table to stdout and a CSV to benchmarks/results/.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import platform
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: benchmarks.highs_mip, also in child processes

from models import Instance, to_json  # noqa: E402
from scheduler.batch import BatchJob, run_local  # noqa: E402
from scheduler.generate import generate  # noqa: E402
from scheduler.settings import SolveSettings  # noqa: E402

SIZES: dict[str, dict[str, int]] = {
    "S": {"patients": 30, "seed": 11},
    "M": {"patients": 120, "seed": 12},
    "L": {"patients": 400, "seed": 13},
    "XL": {"patients": 1000, "seed": 14, "sites": 8},
}
COLUMNS = [
    "size",
    "solver",
    "status",
    "first_s",
    "obj_10s",
    "obj_60s",
    "objective",
    "best_bound",
    "gap_pct",
    "pgap_10s",
    "pgap_60s",
    "pgap_end",
    "to_1pct_s",
    "readback_pct",
    "wall_s",
    "peak_mb",
    "checked",
    "obj_ratio",
    "speedup",
]


BEST_KNOWN = ROOT / "benchmarks" / "best_known.json"


def best_known() -> dict[str, int]:
    """The best known (written, checked) objective per size, from best_known.py's table."""
    if not BEST_KNOWN.exists():
        return {}
    return {name: e["objective"] for name, e in json.loads(BEST_KNOWN.read_text()).items()}


def instance_for(size: str) -> Instance:
    spec = dict(SIZES[size])
    inst, _ = generate(
        spec["patients"], seed=spec["seed"], sites=spec.get("sites", 1), name=f"bench-{size}"
    )
    return inst


def run_cpsat(
    inst: Instance, size: str, formulation: str, limit: float, workers: int, checkpoint: float
) -> dict:
    # Baseline (a) is the plain model searched from scratch: none of our improvements.
    warm = "greedy" if formulation == "aggregated" else "none"
    settings = SolveSettings(
        time_limit=limit,
        workers=workers,
        formulation=formulation,  # type: ignore[arg-type]
        warm_start=warm,  # type: ignore[arg-type]
    )
    (r,) = run_local([BatchJob(size, to_json(inst))], settings, parallel=1)
    return {
        "status": r.status,
        "first_s": r.first_seconds,
        "obj_10s": r.objective_at(10),
        "obj_60s": r.objective_at(60),
        "obj_checkpoint": r.objective_at(checkpoint),
        "objective": r.objective,
        "best_bound": r.best_bound,
        "gap_pct": None if r.gap is None else 100 * r.gap,
        "wall_s": r.wall_seconds,
        "peak_mb": r.peak_memory_mb,
        "checked": r.checked,
        "trace": r.trace,
    }


def _greedy_job(text: str) -> dict:
    # Imports inside the job: each baseline runs in a fresh process, and its peak memory
    # counts only what that baseline loads.
    import json

    from models import parse_instance
    from scheduler import check
    from scheduler.greedy import greedy_schedule

    inst = parse_instance(json.loads(text))
    started = time.perf_counter()
    res = greedy_schedule(inst)
    wall = time.perf_counter() - started
    out: dict[str, Any] = {"status": "unknown", "wall_s": wall, "first_s": None}
    if res.schedule is not None:
        report = check(inst, res.schedule)
        out.update(
            status="feasible",
            objective=report.objective,
            first_s=wall,
            obj_10s=report.objective if wall <= 10 else None,
            obj_60s=report.objective if wall <= 60 else None,
            obj_checkpoint=report.objective,  # done before any checkpoint of the suite
            trace=[(wall, report.objective, None)],
            checked="ok" if report.ok else "FAIL",
        )
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def _highs_job(text: str, limit: float, threads: int, checkpoint: float) -> dict:
    # Imports inside the job: the peak memory of this fresh process is HiGHS's own.
    import json

    from benchmarks.highs_mip import solve_mip
    from benchmarks.highs_readback import read_back
    from models import parse_instance
    from scheduler.cpsat.model import TimetableModel

    inst = parse_instance(json.loads(text))
    tm = TimetableModel(inst, aggregate=True)
    r = solve_mip(tm.model, time_limit=limit, threads=threads, keep_solutions=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # Each improving solution read back and checked as a solve reads CP-SAT's (after the
    # solve, off its clock): the trace and checkpoints carry written objectives, like ours.
    trace: list[tuple[float, float, None]] = []
    best = None
    for seconds, values in r.solutions:
        week = read_back(inst, tm, values)
        if week is not None and week.objective is not None:
            if best is None or week.objective < best:
                best = week.objective
                trace.append((seconds, float(best), None))
        else:
            print(f"highs: the solution at {seconds:.1f} s does not read back", file=sys.stderr)

    def at(t: float) -> float | None:
        known = [obj for s, obj, _ in trace if s <= t]
        return known[-1] if known else None

    gap = None
    if best is not None and r.best_bound is not None:
        gap = 100 * max(0.0, (best - r.best_bound) / max(abs(best), 1e-9))
    return {
        "status": r.status,
        "first_s": r.first_seconds,
        "obj_10s": at(10.0),
        "obj_60s": at(60.0),
        "obj_checkpoint": at(float(checkpoint)),
        "trace": trace,
        "objective": best,
        "mip_objective": r.objective,  # the model's terms, before the read-back decides more
        "best_bound": r.best_bound,
        "gap_pct": gap,
        "wall_s": r.wall_seconds,
        "peak_mb": peak,
        "checked": "ok" if best is not None else ("FAIL" if r.solutions else "-"),
    }


def _highs_or_error(text: str, limit: float, checkpoint: float) -> dict:
    # The MIP translation covers the constraint kinds it knows; a model using another
    # is reported, not fatal.
    try:
        return in_fresh_process(_highs_job, text, limit, 2, checkpoint)
    except NotImplementedError as err:
        print(f"highs: {err}", file=sys.stderr, flush=True)
        return {"status": "error"}


def in_fresh_process(fn: Any, *args: Any) -> dict:
    with ProcessPoolExecutor(max_workers=1, max_tasks_per_child=1) as pool:
        return pool.submit(fn, *args).result()


def time_to_reach(trace: list[tuple[float, float, Any]], target: float) -> float | None:
    return next((t for t, obj, _ in trace if obj <= target), None)


def primal_gaps(res: dict[str, Any], best: int | None) -> dict[str, float | None]:
    """The primal gaps of one run against the best known objective, in %.

    ``pgap_10s`` and ``pgap_60s`` (the size's checkpoint) and ``to_1pct_s`` read the
    run's trace (the search's objective); ``pgap_end`` its final objective.
    ``readback_pct`` is how much the final objective exceeds the trace's last one: how
    far the search's objective understated the written one in this run.
    """
    if not best:
        return {}

    trace, final = res.get("trace", []), res.get("objective")

    def gap(objective: float | None) -> float | None:
        return None if objective is None else 100 * (objective / best - 1)

    return {
        "pgap_10s": gap(res.get("obj_10s")),
        "pgap_60s": gap(res.get("obj_checkpoint")),
        "pgap_end": gap(final),
        "to_1pct_s": time_to_reach(trace, 1.01 * best),
        "readback_pct": 100 * (final / trace[-1][1] - 1) if trace and final else None,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    ap.add_argument(
        "--solvers", nargs="+", default=["ours", "plain", "greedy", "highs"],
        choices=["ours", "plain", "greedy", "highs"],
    )  # fmt: skip
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--time-limit-L", type=float, default=120.0, help="for L (the target's)")
    ap.add_argument("--workers", type=int, default=8)
    args = ap.parse_args()

    rows: list[dict[str, Any]] = []
    best = best_known()
    print("  ".join(f"{c:>10}" for c in COLUMNS), flush=True)
    for size in args.sizes:
        inst = instance_for(size)
        text = to_json(inst)
        limit = args.time_limit_L if size == "L" else args.time_limit
        checkpoint = 120.0 if size == "L" else 60.0  # the target's checkpoint
        results: dict[str, dict] = {}
        for solver in args.solvers:
            if size == "XL" and solver in ("plain", "highs"):
                continue  # one model of 1000 patients: out of reach, and not the design
            if solver in ("ours", "plain"):
                formulation = "aggregated" if solver == "ours" else "plain"
                res = run_cpsat(inst, size, formulation, limit, args.workers, checkpoint)
            elif solver == "greedy":
                res = in_fresh_process(_greedy_job, text)
            else:
                res = _highs_or_error(text, limit, checkpoint)
            res.update(primal_gaps(res, best.get(size)))
            results[solver] = res
            row = {"size": size, "solver": solver, **res}
            rows.append(row)
            print("  ".join(f"{_fmt(row.get(c)):>10}" for c in COLUMNS), flush=True)
        _ratios(results, rows, size)

    print()
    for row in rows:
        if row["size"] and row.get("obj_ratio") not in (None, "-"):
            print(f"{row['size']:>3} {row['solver']:>7}: objective / ours = {_fmt(row['obj_ratio'])}"
                  f", speedup of ours to reach its final objective = {_fmt(row.get('speedup'))}")  # fmt: skip
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"suite-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}.csv"
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows({c: _fmt(r.get(c)) for c in COLUMNS} for r in rows)
    print(
        "\nPrimal gaps (objective / best known - 1, %) against benchmarks/best_known.json: "
        + (", ".join(f"{n} {best[n]}" for n in args.sizes if n in best) or "none stored")
        + ".\npgap_10s, pgap_60s (L: 120 s) and to_1pct_s use the objective the search "
        "reported then (CP-SAT's; HiGHS's solutions read back after its solve);"
        "\npgap_end uses the final objective (written and checked);"
        "\nreadback_pct: how much the final objective exceeds the search's last one."
    )
    print(
        f"\n{platform.node()} {platform.processor() or platform.machine()}, "
        f"time limit {args.time_limit} s (L {args.time_limit_L} s), {args.workers} workers; "
        f"wrote {path}"
    )


def _ratios(results: dict[str, dict], rows: list[dict[str, Any]], size: str) -> None:
    """Each baseline's objective over ours; and, against plain, how much sooner ours
    reached plain's final objective (the speedup target is 10x)."""
    ours = results.get("ours")
    if not ours or ours.get("objective") is None:
        return
    for row in rows:
        if row["size"] != size or row["solver"] == "ours" or row.get("objective") is None:
            continue
        row["obj_ratio"] = row["objective"] / ours["objective"]
        if row["solver"] == "plain" and row.get("trace"):
            target = row["objective"]
            theirs = time_to_reach(row["trace"], target)
            mine = time_to_reach(ours.get("trace", []), target)
            if theirs is not None and mine is not None:
                row["speedup"] = theirs / max(mine, 1e-3)


def _fmt(x: Any) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:.3g}" if abs(x) < 100 else f"{x:.0f}"
    return str(x)


if __name__ == "__main__":
    main()
