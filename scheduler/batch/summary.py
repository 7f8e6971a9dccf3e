"""A batch's results for people and spreadsheets: one line per finished job, the table,
the CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from models.text import printable
from scheduler.batch.jobs import JobResult

SUMMARY_COLUMNS = [
    "instance",
    "status",
    "objective",
    "best_bound",
    "gap_pct",
    "first_s",
    "wall_s",
    "workers",
    "peak_mb",
    "checked",
    "note",
]


def summary_rows(results: Iterable[JobResult]) -> list[dict[str, str]]:
    """One row of text per job, for the table and the CSV."""
    rows = []
    for r in sorted(results, key=lambda r: r.name):
        note = r.error or r.write_error or ("interrupted" if r.interrupted else "")
        rows.append(
            {
                "instance": r.name,
                "status": r.status,
                "objective": _fmt(r.objective),
                "best_bound": _fmt(r.best_bound),
                "gap_pct": _fmt(None if r.gap is None else round(100 * r.gap, 2)),
                "first_s": _fmt(r.first_seconds),
                "wall_s": _fmt(r.wall_seconds),
                "workers": str(r.workers),
                "peak_mb": _fmt(r.peak_memory_mb),
                "checked": r.checked,
                "note": note,
            }
        )
    return rows


def result_line(r: JobResult) -> str:
    """One line as a job finishes: name, status, objective and gap, and any error."""
    figures = f"objective {r.objective}, gap {100 * r.gap:.1f} %" if r.gap is not None else ""
    problem = r.error or r.write_error
    return printable(
        f"{r.name}: {r.status} {figures}".rstrip() + (f" ({problem})" if problem else "")
    )


def summary_table(results: Iterable[JobResult]) -> str:
    """An aligned text table, one line per job (names and notes :func:`printable`)."""
    rows = [{c: printable(text) for c, text in r.items()} for r in summary_rows(results)]
    widths = {c: max([len(c)] + [len(r[c]) for r in rows]) for c in SUMMARY_COLUMNS}
    lines = ["  ".join(c.ljust(widths[c]) for c in SUMMARY_COLUMNS).rstrip()]
    lines += ["  ".join(r[c].ljust(widths[c]) for c in SUMMARY_COLUMNS).rstrip() for r in rows]
    return "\n".join(lines)


def summary_csv(results: Iterable[JobResult]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=SUMMARY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(summary_rows(results))
    return buf.getvalue()


def _fmt(x: float | int | None) -> str:
    if x is None:
        return "-"
    return f"{x:g}" if isinstance(x, float) else str(x)
