"""The score of a schedule, term by term and entity by entity.

Pure Python, computed by the checker from the instance and the schedule alone,
so it explains hand-edited timetables as well as the solver's: which sessions
cost staff time, which patient misses a preferred slot, whose load is highest.
The JSON form (:meth:`ScoreBreakdown.to_dict`) is a public contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from models import Instance, Schedule
from models.text import printable
from scheduler.check.checker import check
from scheduler.check.report import CheckReport, Penalty, Violation


@dataclass(frozen=True)
class TermScore:
    """One soft term: its weight, its total cost and the entities that make it up."""

    term: str
    weight: int
    cost: int
    entries: list[Penalty]

    @property
    def units(self) -> int:
        """Cost divided by weight: sessions, minutes, patients..."""
        return sum(p.amount for p in self.entries)


@dataclass(frozen=True)
class ScoreBreakdown:
    """A schedule's objective explained; terms in the order of the objective table."""

    instance: str
    objective: int
    terms: list[TermScore]
    violations: list[Violation]

    @property
    def valid(self) -> bool:
        return not self.violations

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: every entry of every term (nothing left out)."""
        return {
            "instance": self.instance,
            "valid": self.valid,
            "objective": self.objective,
            "terms": [
                {
                    "term": t.term,
                    "weight": t.weight,
                    "cost": t.cost,
                    "units": t.units,
                    "entries": [
                        {
                            "ids": list(p.ids),
                            "amount": p.amount,
                            "cost": p.cost,
                            "message": p.message,
                        }
                        for p in t.entries
                    ],
                }
                for t in self.terms
            ],
            "violations": [
                {"rule": v.rule, "ids": list(v.ids), "message": v.message} for v in self.violations
            ],
        }

    def text(self, limit: int | None = 10) -> str:
        """Aligned lines for a person: each term, then its costliest entries (``limit`` per
        term; ``None`` for all)."""
        lines = [f"{printable(self.instance)}: objective {self.objective}"]
        if not self.valid:
            lines.append(f"invalid: {len(self.violations)} violations (see `check`)")
        width = max(len(t.term) for t in self.terms)
        for t in self.terms:
            share = f"{100 * t.cost / self.objective:5.1f} %" if self.objective else "    -"
            lines.append(
                f"{t.term:<{width}}  {t.cost:>8}  {share}  (weight {t.weight}, {t.units} units)"
            )
            ranked = sorted(t.entries, key=lambda p: -p.cost)
            shown = ranked if limit is None else ranked[:limit]
            for p in shown:
                lines.append(f"    {p.cost:>8}  {p.message}")
            hidden = ranked[len(shown) :]
            if hidden:
                rest = sum(p.cost for p in hidden)
                lines.append(f"    {rest:>8}  ... and {len(hidden)} more")
        return "\n".join(lines)


def score(
    instance: Instance,
    schedule: Schedule,
    report: CheckReport | None = None,
    previous: Schedule | None = None,
) -> ScoreBreakdown:
    """Break the objective of ``schedule`` down by term and entity.

    Parameters
    ----------
    instance
        The validated instance the schedule is for.
    schedule
        Any schedule: the solver's, or a hand-edited one.
    report
        The checker's report of this schedule, if already computed (with ``previous``).
    previous
        Last week's schedule: the stability terms are scored against it.

    Returns
    -------
    ScoreBreakdown
        The terms in objective order (terms with weight 0 are left out, and the
        shortfall terms unless the schedule is best effort); their costs sum
        to ``objective``. Violations, if any, are included: an invalid schedule's score
        is reported, not hidden.
    """
    report = report or check(instance, schedule, previous)
    weights = instance.weights.model_dump()
    # The report's terms already leave out the shortfall terms unless best effort.
    by_term: dict[str, list[Penalty]] = {term: [] for term in report.terms}
    for p in report.penalties:
        by_term[p.term].append(p)
    terms = [
        TermScore(term, weights[term], sum(p.cost for p in entries), entries)
        for term, entries in by_term.items()
        if weights[term]
    ]
    return ScoreBreakdown(instance.name, report.objective, terms, list(report.violations))
