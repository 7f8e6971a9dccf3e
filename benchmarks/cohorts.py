"""Cohort figures before and after the cohort terms (issue 14), with the sessions they cost.

Not a test. For the suite's M (120 patients, ``run.py``'s seed) and the bundled medium,
solves each instance twice in one run (the machine is noisy): "before" with the three
cohort weights at 0 (the solver as it was), "after" with the defaults, and prints for
each the sessions run, the objective, and the cohort figures (patient-blocks with a room
change, with a group type sat twice, the mean Jaccard overlap of a patient's process
peers from one meeting to the next).

    python benchmarks/cohorts.py [--time-limit 60] [--workers 2] [--seed 0]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import instance_for  # noqa: E402
from models import Instance, load_instance  # noqa: E402
from scheduler import SolveSettings, check, solve  # noqa: E402
from scheduler.check.cohorts import cohort_figures  # noqa: E402

COHORT_TERMS = ("room_change", "type_repeat_in_block", "process_peers_changed")


def without_cohorts(instance: Instance) -> Instance:
    """The instance with the cohort terms switched off (weight 0)."""
    weights = instance.weights.model_copy(update=dict.fromkeys(COHORT_TERMS, 0))
    return instance.model_copy(update={"weights": weights})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    settings = SolveSettings(time_limit=args.time_limit, workers=args.workers, seed=args.seed)
    instances = {
        "M": instance_for("M"),
        "medium": load_instance(ROOT / "instances" / "medium.json"),
    }
    header = (
        f"{'instance':<8} {'run':<7} {'sessions':>8} {'objective':>9} "
        f"{'room changes':>12} {'type repeats':>12} {'process overlap':>15}"
    )
    print(header, flush=True)
    for name, inst in instances.items():
        for run, solved in (("before", without_cohorts(inst)), ("after", inst)):
            result = solve(solved, settings)
            report = check(inst, result.schedule)  # scored with the cohort terms on
            f = cohort_figures(inst, result.schedule)
            overlap = "-" if f.process_overlap is None else f"{100 * f.process_overlap:.1f} %"
            print(
                f"{name:<8} {run:<7} {len(result.schedule.sessions):>8} "
                f"{report.objective if report.ok else 'INVALID':>9} "
                f"{f.room_change_pct:>10.1f} % {f.type_repeat_pct:>10.1f} % {overlap:>15}",
                flush=True,
            )
    print(f"\n{args.time_limit:g} s, {args.workers} workers, seed {args.seed}; objective "
          "with the default cohort weights")  # fmt: skip


if __name__ == "__main__":
    main()
