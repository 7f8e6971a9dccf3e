"""Solve our CP-SAT model as a MIP with HiGHS: a baseline for the benchmark.

Issue 5 asks how CP-SAT compares with "the same model as a MIP solved by HiGHS".
A second, hand-written MIP formulation could drift from ours and would answer a
different question, so this module translates the ``CpModelProto`` that
:class:`scheduler.cpsat.model.TimetableModel` builds, constraint by constraint. The
reformulation is exact: an integer point is feasible for the CP-SAT model if and
only if it extends (with suitable values of the auxiliary binaries) to a point
feasible for the MIP, and the objective is the same. Objectives and bounds are
reported in CP-SAT's units, so they compare directly with
``CpSolver.objective_value`` and ``best_objective_bound``.

The translation is in ``benchmarks/highs_translate.py``.

    python benchmarks/highs_mip.py [--time-limit 60] [--threads 2] \
        [--formulation aggregated plain] [--read-back [--save FILE]] [NAMES...]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import highspy

if __package__ in (None, ""):  # run as a script: the repository root holds benchmarks/
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.highs_translate import (  # noqa: E402
    ModelLike,
    as_pb2,
    build,
    check_status,
    objective_scale,
    to_highs,
)
from models import Instance, Schedule, load_instance  # noqa: E402
from scheduler.cpsat.model import TimetableModel  # noqa: E402

__all__ = ["MipResult", "objective_scale", "solve_mip", "to_highs"]

_EPS = 1e-6


@dataclass
class MipResult:
    status: str  # "optimal" | "feasible" | "infeasible" | "unknown"
    # In CP-SAT's objective units: scaling_factor * (sum + offset).
    objective: float | None
    best_bound: float | None
    # Wall seconds from the start of solve_mip (so including the translation) to
    # the first feasible MIP solution.
    first_seconds: float | None
    # Best objective known at each checkpoint (seconds on the same clock as
    # first_seconds); None if there was none yet. A checkpoint after the end of
    # the solve gets the final objective.
    objective_at: dict[float, float | None]
    wall_seconds: float
    # The solution, indexed like the CpModelProto variables (for verification).
    values: list[float] | None
    # Seconds spent translating the model and loading it into HiGHS.
    build_seconds: float = 0.0
    # Columns, rows and nonzeros of the MIP handed to HiGHS.
    size: dict[str, int] = field(default_factory=dict)
    # With keep_solutions: every improving solution, (seconds, values indexed like the
    # CpModelProto variables), in the order found.
    solutions: list[tuple[float, list[float]]] = field(default_factory=list)


def solve_mip(
    proto: ModelLike,
    time_limit: float,
    threads: int = 2,
    checkpoints: Iterable[float] = (10.0, 60.0),
    keep_solutions: bool = False,
) -> MipResult:
    """Solve a CP-SAT model with HiGHS, within ``time_limit`` seconds of solving.

    As with CP-SAT in ``scheduler.program``, the time limit covers the solve and
    the clock (for ``first_seconds``, ``objective_at`` and ``wall_seconds``)
    starts before the model is built. ``keep_solutions`` keeps every improving
    solution in ``MipResult.solutions`` (to read each back, ``highs_readback``).
    """
    started = time.perf_counter()
    model = as_pb2(proto)
    scale = objective_scale(model)
    h = build(model).load()
    built = time.perf_counter() - started
    size = {"columns": h.getNumCol(), "rows": h.getNumRow(), "nonzeros": h.getNumNz()}

    for name, value in (
        ("time_limit", float(time_limit)),
        ("threads", int(threads)),
        ("mip_rel_gap", 0.0),
    ):
        check_status(h.setOptionValue(name, value), f"setOptionValue({name})")

    found: list[tuple[float, float]] = []  # (seconds, HiGHS objective) of each improvement
    solutions: list[tuple[float, list[float]]] = []
    num_vars = len(model.variables)

    def on_improving(event: Any) -> None:
        seconds = time.perf_counter() - started
        found.append((seconds, event.data_out.objective_function_value))
        if keep_solutions:
            solutions.append((seconds, list(event.data_out.mip_solution[:num_vars])))

    h.cbMipImprovingSolution.subscribe(on_improving)
    h.run()
    wall = time.perf_counter() - started

    info = h.getInfo()
    model_status = h.getModelStatus()
    has_solution = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
    objective = best_bound = None
    values = None
    if has_solution:
        final = info.objective_function_value
        if not found or final < min(v for _, v in found) - _EPS:
            # Found without an improving-solution callback (e.g. by presolve alone).
            found.append((wall, final))
        objective = scale * final
        values = list(h.getSolution().col_value[:num_vars])
        if keep_solutions and (not solutions or solutions[-1][1] != values):
            solutions.append((found[-1][0], values))
    if abs(info.mip_dual_bound) < highspy.kHighsInf:
        best_bound = scale * info.mip_dual_bound

    if model_status == highspy.HighsModelStatus.kOptimal and has_solution:
        status = "optimal"
        best_bound = objective if best_bound is None else best_bound
    elif model_status in (
        highspy.HighsModelStatus.kInfeasible,
        # Every column is bounded, so the MIP cannot be unbounded.
        highspy.HighsModelStatus.kUnboundedOrInfeasible,
    ):
        status = "infeasible"
    elif has_solution:
        status = "feasible"
    else:
        status = "unknown"

    objective_at: dict[float, float | None] = {}
    for at in checkpoints:
        known = [v for s, v in found if s <= at]
        objective_at[float(at)] = scale * min(known) if known else None

    return MipResult(
        status=status,
        objective=objective,
        best_bound=best_bound,
        first_seconds=min(s for s, _ in found) if found else None,
        objective_at=objective_at,
        wall_seconds=wall,
        values=values,
        build_seconds=built,
        size=size,
        solutions=solutions,
    )


# --------------------------------------------------------------------------- command line


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", default=["tiny", "small"], help="instances/NAME.json"
                    " or a suite size (S, M, L)")  # fmt: skip
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--formulation", nargs="+", default=["aggregated"])
    ap.add_argument("--read-back", action="store_true",
                    help="read back and check each improving solution (highs_readback.py)")  # fmt: skip
    ap.add_argument("--save", type=Path, help="with --read-back: the best checked schedule"
                    " of the last instance, as JSON")  # fmt: skip
    args = ap.parse_args()

    from benchmarks.run import SIZES, instance_for

    root = Path(__file__).resolve().parent.parent
    for name in args.names:
        if name in SIZES:
            instance = instance_for(name)
        else:
            instance = load_instance(root / "instances" / f"{name}.json")
        for formulation in args.formulation:
            tm = TimetableModel(instance, aggregate=formulation == "aggregated")
            r = solve_mip(tm.model.proto, args.time_limit, args.threads,
                          keep_solutions=args.read_back)  # fmt: skip
            print(
                f"{name} {formulation}: {r.status} objective {r.objective} bound {r.best_bound} "
                f"first {_fmt(r.first_seconds)} s, wall {r.wall_seconds:.1f} s "
                f"(build {r.build_seconds:.2f} s), at {r.objective_at}, MIP {r.size}",
                flush=True,
            )
            if args.read_back:
                _read_back_all(instance, tm, r, args.save)


def _read_back_all(instance: Instance, tm: TimetableModel, r: MipResult, save: Path | None) -> None:
    """Print each improving solution's written objective; save the best checked one."""
    from benchmarks.highs_readback import read_back
    from models import to_json

    best: Schedule | None = None
    for seconds, values in r.solutions:
        week = read_back(instance, tm, values)
        written = "does not read back" if week is None else f"written {week.objective}"
        print(f"  found at {seconds:.1f} s: {written}", flush=True)
        if week is not None and (best is None or (week.objective or 0) < (best.objective or 0)):
            best = week
    if best is not None and save is not None:
        save.write_text(to_json(best))
        print(f"  saved the best checked schedule ({best.objective}) to {save}", flush=True)


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


if __name__ == "__main__":
    main()
