"""A rolling program week after week: ``roll`` + solve against last week, or from scratch.

Not a test (tests/test_rolling_simulation.py runs a short one). Week 1 is a generated
rolling program (``scheduler.generate.rolling.rolling_program``) and its witness
schedule. Each following week is rolled from the last (``scheduler.roll``: stages by the
phases, the planned discharges gone, ``--admissions`` new patients in, topics recorded,
last week's schedule as ``previous``) and solved twice with the same time limit: with
last week (the rolled instance as it is: the stability terms and the warm start) and
from scratch (``previous`` removed). Both schedules are checked; the week goes on from
the one solved with last week. For each week it reports the patients, who left and
came, the returning patients moved (a block or a seat changed: the count of
``schedule.changes``, ``scheduler.check.stability``) by each schedule against last
week's, and the objective of each (with last week: including the stability terms; from
scratch: without them; in brackets, the stability terms' part of the first and what they
would add to the second).

    python benchmarks/rolling.py [--weeks 16] [--patients 60] [--admissions 5]
        [--time-limit 10] [--workers 2] [--seed 1] [--out benchmarks/rolling.md]

The default run (16 weeks, 60 patients, 20 s a solve) takes about 11 minutes on 2 cores.
The figures depend on the machine's load (a wall-clock limit); ``--deterministic`` limits
each search by CP-SAT's deterministic time instead (the same figures whatever the load,
but on a busy machine far slower).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models import Instance, Schedule  # noqa: E402
from scheduler import SolveSettings, check, roll, solve  # noqa: E402
from scheduler.check.report import STABILITY_TERMS  # noqa: E402
from scheduler.check.stability import change_counts  # noqa: E402
from scheduler.generate.rolling import rolling_program, weekly_admissions  # noqa: E402


@dataclass
class Week:
    """One simulated week: its people and both solves."""

    number: int
    week_of: dt.date
    patients: int
    discharged: int
    admitted: int
    new_stage: int
    moved_with_previous: int | None
    moved_from_scratch: int | None
    objective_with_previous: int | None
    objective_from_scratch: int | None
    stability_from_scratch: int | None  # what the stability terms would cost it
    valid: bool
    stability_with_previous: int | None = None  # the stability terms' part of its objective


class SimulationError(RuntimeError):
    """A week's schedule was not found or did not pass the checker."""


def simulate(
    weeks: int = 16,
    patients: int = 60,
    admissions: int = 5,
    time_limit: float = 20.0,
    workers: int = 2,
    seed: int = 1,
    echo: bool = False,
    deterministic: bool = False,
) -> tuple[list[Week], list[Instance]]:
    """Run the simulation: the weeks' figures and the weeks' instances (week 1 first).

    Raises :class:`SimulationError` if a week has no valid schedule.
    """
    settings = SolveSettings(
        time_limit=time_limit, workers=workers, seed=0, deterministic=deterministic
    )
    instance, schedule = rolling_program(patients=patients, seed=seed)
    if schedule is None:
        raise SimulationError("week 1: the generator found no witness")
    first = check(instance, schedule)
    rows = [_first_week(instance, schedule, first.ok, first.objective)]
    instances = [instance]
    for n in range(2, weeks + 1):
        to = _week_of(instance) + dt.timedelta(days=7)
        new = weekly_admissions(instance, to, admissions, seed=seed)
        rolled = roll(instance, schedule, to, admit=new)
        kept = solve(rolled, settings)  # rolled.previous: last week's schedule
        scratch_instance = rolled.model_copy(update={"previous": None})
        scratch = solve(scratch_instance, settings)
        ok = _valid(rolled, kept.schedule, kept.found) and _valid(
            scratch_instance, scratch.schedule, scratch.found
        )
        if not kept.found:
            raise SimulationError(f"week {n}: no schedule with last week ({kept.status})")
        rows.append(_week(n, instance, rolled, kept.schedule, scratch.schedule, schedule, ok))
        rows[-1].objective_with_previous = kept.objective
        rows[-1].objective_from_scratch = scratch.objective if scratch.found else None
        terms = kept.schedule.objective_terms
        rows[-1].stability_with_previous = sum(terms.get(t, 0) for t in STABILITY_TERMS)
        if echo:
            print(_line(rows[-1]), flush=True)
        if not ok:
            raise SimulationError(f"week {n}: a schedule failed the checker")
        instance, schedule = rolled, kept.schedule
        instances.append(instance)
    return rows, instances


def _week_of(instance: Instance) -> dt.date:
    assert instance.week_of is not None
    return instance.week_of


def _valid(instance: Instance, schedule: Schedule, found: bool) -> bool:
    return not found or check(instance, schedule).ok


def _first_week(instance: Instance, schedule: Schedule, ok: bool, objective: int) -> Week:
    return Week(1, _week_of(instance), len(instance.patients), 0, 0, 0, None, None, objective,
                None, None, ok)  # fmt: skip


def _week(
    n: int,
    before: Instance,
    rolled: Instance,
    kept: Schedule,
    scratch: Schedule,
    last: Schedule,
    ok: bool,
) -> Week:
    old = {p.id: p for p in before.patients}
    new = {p.id: p for p in rolled.patients}
    found = bool(scratch.sessions)
    stability = None
    if found:
        terms = check(rolled, scratch, last).terms
        stability = sum(v for k, v in terms.items() if k in STABILITY_TERMS)
    return Week(
        number=n,
        week_of=_week_of(rolled),
        patients=len(rolled.patients),
        discharged=sum(1 for pid in old if pid not in new),
        admitted=sum(1 for pid in new if pid not in old),
        new_stage=sum(1 for pid, p in new.items() if pid in old and old[pid].stage != p.stage),
        moved_with_previous=change_counts(rolled, kept, last).patients_moved,
        moved_from_scratch=change_counts(rolled, scratch, last).patients_moved if found else None,
        objective_with_previous=None,
        objective_from_scratch=None,
        stability_from_scratch=stability,
        valid=ok,
    )


HEADER = (
    "| week | week of | patients | discharged | admitted | new stage | moved, with last week "
    "| moved, from scratch | objective, with last week (stability) | objective, from scratch "
    "(+ stability) | valid |"
)


def _cell(value: object) -> str:
    return "-" if value is None else str(value)


def _line(w: Week) -> str:
    def split(objective: int | None, stability: int | None) -> str | None:
        if objective is None or stability is None:
            return None if objective is None else str(objective)
        return f"{objective} ({stability})"

    kept = split(w.objective_with_previous, w.stability_with_previous)
    scratch = None if w.objective_from_scratch is None else str(w.objective_from_scratch)
    if scratch is not None and w.stability_from_scratch is not None:
        scratch += f" (+ {w.stability_from_scratch})"
    cells = (
        w.number,
        w.week_of,
        w.patients,
        w.discharged,
        w.admitted,
        w.new_stage,
        w.moved_with_previous,
        w.moved_from_scratch,
        kept,
        scratch,
        "yes" if w.valid else "NO",
    )
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def table(rows: list[Week]) -> str:
    """The weeks as a Markdown table."""
    rule = "|" + "---|" * (HEADER.count("|") - 1)
    return "\n".join([HEADER, rule, *(_line(w) for w in rows)])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--weeks", type=int, default=16)
    ap.add_argument("--patients", type=int, default=60)
    ap.add_argument("--admissions", type=int, default=5, help="new patients a week")
    ap.add_argument("--time-limit", type=float, default=20.0, help="seconds a solve")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--deterministic",
        action="store_true",
        help="limit each search by CP-SAT's deterministic time, not the wall clock (the same "
        "figures on a busy machine, but far slower there)",
    )
    ap.add_argument("--out", type=Path, help="also write the table (Markdown) here")
    args = ap.parse_args()
    started = time.monotonic()
    print(HEADER, flush=True)
    rows, _ = simulate(
        args.weeks, args.patients, args.admissions, args.time_limit, args.workers, args.seed,
        echo=True, deterministic=args.deterministic,
    )  # fmt: skip
    elapsed = time.monotonic() - started
    text = table(rows)
    print(f"\n{args.weeks} weeks in {elapsed:.0f} s")
    if args.out is not None:
        clock = "units of deterministic time" if args.deterministic else "s"
        setup = (
            f"{args.weeks} weeks, {args.patients} patients at the start, {args.admissions} "
            f"admitted a week, {args.time_limit:g} {clock} a solve on {args.workers} workers, "
            f"seed {args.seed}; run in {elapsed:.0f} s"
        )
        args.out.write_text(f"# A rolling program, week by week\n\n{setup}\n\n{text}\n")
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
