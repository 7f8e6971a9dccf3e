"""Best known solutions: long solves of the suite's instances, kept with their schedules.

For each instance (the suite's sizes S, M, L, XL at their seeds, and the bundled
``instances/medium.json``) this runs one long solve, checks the schedule with the
checker, and keeps it only if it is strictly better than the stored best:

    python benchmarks/best_known.py --sizes S M medium --time-limit 300 [--seed 0] [--workers 2] \
        [--parameters '{"linearization_level": 2}']
    python benchmarks/best_known.py --check
    python benchmarks/best_known.py --sizes S --store FILE --found-by TEXT --command TEXT \
        --seconds T [--workers W]

``--store`` keeps a schedule found another way (another solver, a longer run) under the
same rule: checked, and strictly better than the stored one.

The table is ``benchmarks/best_known.json`` (sorted, one entry per instance: the
objective, what found it, the command that reproduces the run, its time and date);
each schedule is ``benchmarks/best/NAME.schedule.json.gz`` (gzip of
``models.to_json``, written with mtime 0 so the same schedule gives the same bytes).
``--check`` re-checks every stored schedule against its regenerated instance and
recorded objective, and exits 1 on any mismatch. Objectives are comparable only
between runs of the same objective (issue 14's cohort terms changed it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import io
import json
import resource
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: benchmarks.run, models, scheduler

from benchmarks.run import SIZES, instance_for  # noqa: E402
from models import Instance, Schedule, load_instance, parse_schedule, to_json  # noqa: E402

TABLE = ROOT / "benchmarks" / "best_known.json"
NAMES = [*SIZES, "medium"]
MEDIUM = "instances/medium.json"
WORKERS = 2


def instance_named(name: str) -> Instance:
    """The instance a best-known entry is for, regenerated the way the suite makes it.

    Parameters
    ----------
    name
        A suite size (``S``, ``M``, ``L``, ``XL``) or ``medium`` (the bundled file).
    """
    if name == "medium":
        return load_instance(ROOT / MEDIUM)
    return instance_for(name)


def instance_recipe(name: str) -> str:
    """How to get the instance of an entry, in words a reader can follow."""
    if name == "medium":
        return MEDIUM
    spec = SIZES[name]
    return f"benchmarks/run.py instance_for('{name}') (generate {spec})"


def load_table(path: Path = TABLE) -> dict[str, dict[str, Any]]:
    """The stored best-known entries by instance name (empty if there is no table yet)."""
    if not path.exists():
        return {}
    return json.loads(path.read_text())


def write_table(table: dict[str, dict[str, Any]], path: Path = TABLE) -> None:
    """Write the table sorted by name and key, so reruns change only what improved."""
    path.write_text(json.dumps(table, indent=2, sort_keys=True) + "\n")


def write_schedule(schedule: Schedule, path: Path) -> None:
    """Gzip ``models.to_json(schedule)`` with no name and mtime 0: same schedule, same bytes."""
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0) as fh:
        fh.write(to_json(schedule).encode())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())


def read_schedule(path: Path) -> Schedule:
    """A stored (gzipped) schedule, validated as ``iop-scheduler check`` reads one."""
    return parse_schedule(json.loads(gzip.decompress(path.read_bytes())), str(path))


def entry_problems(
    name: str, entry: dict[str, Any], instance: Instance, base: Path = TABLE.parent
) -> list[str]:
    """What is wrong with one stored entry: empty when its schedule checks and its
    objective is the recorded one.

    Parameters
    ----------
    name
        The entry's instance name (used in the messages).
    entry
        The entry of the table (its ``schedule`` path is relative to ``base``).
    instance
        The instance the schedule is for.
    base
        The folder the entry's ``schedule`` path is relative to.
    """
    from scheduler import check

    path = base / entry["schedule"]
    if not path.exists():
        return [f"{name}: no stored schedule at {path}"]
    report = check(instance, read_schedule(path))
    problems = [f"{name}: {v}" for v in report.violations[:5]] if not report.ok else []
    if report.objective != entry["objective"]:
        problems.append(
            f"{name}: the checker's objective is {report.objective}, "
            f"the table says {entry['objective']}"
        )
    return problems


def check_table(path: Path = TABLE) -> list[str]:
    """Re-check every stored entry against its regenerated instance; the problems found."""
    problems: list[str] = []
    for name, entry in load_table(path).items():
        problems += entry_problems(name, entry, instance_named(name), path.parent)
    return problems


def improve(
    name: str,
    time_limit: float,
    seed: int,
    command: str,
    workers: int = WORKERS,
    parameters: dict[str, Any] | None = None,
) -> dict[str, Any] | None:
    """Solve one instance for ``time_limit`` s; store the schedule if it beats the table.

    Returns the new entry, or None when the run found nothing better (or nothing valid).
    """
    from scheduler import solve
    from scheduler.settings import SolveSettings

    instance = instance_named(name)
    settings = SolveSettings(
        time_limit=time_limit, workers=workers, seed=seed, parameters=dict(parameters or {})
    )
    log = lambda e: print(f"  {name} {e.elapsed:7.1f}s search objective {e.objective:.0f}"  # noqa: E731
                          f" bound {e.best_bound:.0f}", flush=True)  # fmt: skip
    started = time.perf_counter()
    result = solve(instance, settings, on_progress=log)
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{name}: {result.status}, objective {result.objective}, bound {result.best_bound},"
          f" {wall:.0f} s, peak {peak:.0f} MB", flush=True)  # fmt: skip
    if result.objective is None:
        return None
    by = found_by(instance, result.schedule, seed)
    if parameters:
        by += f", CP-SAT parameters {json.dumps(parameters, sort_keys=True)}"
    return keep(name, instance, result.schedule, by, command, wall, workers)


def keep(
    name: str,
    instance: Instance,
    schedule: Schedule,
    found_by: str,
    command: str,
    seconds: float,
    workers: int,
    path: Path = TABLE,
) -> dict[str, Any] | None:
    """Store ``schedule`` as the best known of ``name`` if the checker passes it and its
    objective is strictly better than the table's; returns the new entry, else None.

    Parameters
    ----------
    name
        The entry's instance name (``NAMES``).
    instance
        Its instance (``instance_named(name)``).
    schedule
        The candidate, from any method.
    found_by, command, seconds, workers
        What found it, the command that reproduces the run, its wall seconds and workers.
    path
        The table; the schedule goes to ``best/NAME.schedule.json.gz`` beside it.
    """
    from scheduler import check

    report = check(instance, schedule)
    if not report.ok or report.objective is None:
        print(f"{name}: NOT KEPT, the checker finds violations", flush=True)
        return None
    if schedule.objective is not None and report.objective != schedule.objective:
        print(f"{name}: NOT KEPT, checker objective {report.objective}, the schedule says"
              f" {schedule.objective}", flush=True)  # fmt: skip
        return None
    table = load_table(path)
    old = table.get(name)
    if old is not None and old["objective"] <= report.objective:
        print(f"{name}: {report.objective} does not beat the stored {old['objective']}", flush=True)
        return None
    entry: dict[str, Any] = {
        "objective": report.objective,
        "found_by": found_by,
        "command": command,
        "seconds": round(seconds, 1),
        "workers": workers,
        "date": dt.datetime.now(dt.UTC).date().isoformat(),
        "schedule": f"best/{name}.schedule.json.gz",
        "instance": instance_recipe(name),
        "solver_commit": _commit(),
    }
    write_schedule(schedule, path.parent / entry["schedule"])
    table[name] = entry
    write_table(table, path)
    print(f"{name}: stored {report.objective} (was {old and old['objective']})", flush=True)
    return entry


GREEDY = (
    "the greedy construction (scheduler.greedy): the default solve returned its warm start,"
    " as the search's own schedule read back worse"
)


def found_by(instance: Instance, schedule: Schedule, seed: int) -> str:
    """What found a solve's schedule: the search, or the greedy warm start it kept."""
    from scheduler.greedy import greedy_schedule

    greedy = greedy_schedule(instance, seed).schedule
    if greedy is not None and greedy.sessions == schedule.sessions:
        return GREEDY
    return f"CP-SAT, default solve (aggregated model, greedy warm start), seed {seed}"


def _commit() -> str:
    # The last commit of the solver and models that found it: objectives are comparable
    # only under the same objective (benchmark or docs commits do not change it).
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%h", "--", "scheduler", "models"],
                             cwd=ROOT,
                             capture_output=True, text=True, check=True)  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="+", default=NAMES, choices=NAMES)
    ap.add_argument("--time-limit", type=float, default=300.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=WORKERS)
    ap.add_argument("--parameters", type=json.loads, default={},
                    help='CP-SAT parameters as JSON, e.g. \'{"linearization_level": 2}\'')  # fmt: skip
    ap.add_argument("--check", action="store_true", help="re-check the stored schedules only")
    ap.add_argument("--store", type=Path, metavar="FILE",
                    help="keep this schedule (JSON, or gzipped JSON) for the one name of --sizes"
                    " instead of solving; needs --found-by, --command and --seconds")  # fmt: skip
    ap.add_argument("--found-by", help="with --store: what found it")
    ap.add_argument("--command", help="with --store: the command that found it")
    ap.add_argument("--seconds", type=float, help="with --store: the run's wall seconds")
    args = ap.parse_args()
    if args.check:
        problems = check_table()
        print("\n".join(problems) or f"all {len(load_table())} stored schedules check")
        sys.exit(1 if problems else 0)
    if args.store is not None:
        if len(args.sizes) != 1 or None in (args.found_by, args.command, args.seconds):
            ap.error("--store takes one name in --sizes, --found-by, --command and --seconds")
        (name,) = args.sizes
        data = args.store.read_bytes()
        text = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
        schedule = parse_schedule(json.loads(text), str(args.store))
        kept = keep(name, instance_named(name), schedule, args.found_by, args.command,
                    args.seconds, args.workers)  # fmt: skip
        sys.exit(0 if kept else 1)
    for name in args.sizes:
        command = shlex.join(["python", "benchmarks/best_known.py", "--sizes", name,
                              "--time-limit", f"{args.time_limit:g}", "--seed", str(args.seed),
                              "--workers", str(args.workers)]
                             + (["--parameters", json.dumps(args.parameters, sort_keys=True)]
                                if args.parameters else []))  # fmt: skip
        improve(name, args.time_limit, args.seed, command, args.workers, args.parameters)


if __name__ == "__main__":
    main()
