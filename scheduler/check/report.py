"""What the checker reports: the violations of a schedule, its penalties and objective."""

from __future__ import annotations

from dataclasses import dataclass, field

from models import Weights
from models.schedule import SHORTFALL_TERM

TERMS = (
    "session_run",
    "excess_minutes",
    "preferred_missed",
    "load_imbalance_minutes",
    "primary_not_leading",
    "individual_extra_trip",
    "topic_repeat",
    "caseload_imbalance",
    "room_change",
    "type_repeat_in_block",
    "process_peers_changed",
    "shortfall_minutes",
    "shortfall_days",
    "shortfall_sessions",
)
# Scored only against a previous schedule (scheduler.check.stability), after the others.
STABILITY_TERMS = ("block_changed", "seat_changed", "session_moved", "primary_changed")


@dataclass(frozen=True)
class Violation:
    """A broken hard rule."""

    rule: str
    message: str
    ids: tuple[str, ...]


@dataclass(frozen=True)
class Penalty:
    """One soft-term cost of one entity: ``amount`` units times the term's weight."""

    term: str
    ids: tuple[str, ...]
    amount: int
    cost: int
    message: str


@dataclass
class CheckReport:
    """What the checker found: violations (empty when valid) and the objective."""

    violations: list[Violation] = field(default_factory=list)
    penalties: list[Penalty] = field(default_factory=list)
    best_effort: bool = False  # the schedule's: only then are shortfall terms reported
    stability: bool = False  # checked against a previous schedule: only then stability terms

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def terms(self) -> dict[str, int]:
        shortfall_terms = set(SHORTFALL_TERM.values())
        terms = TERMS + STABILITY_TERMS if self.stability else TERMS
        totals = {term: 0 for term in terms if self.best_effort or term not in shortfall_terms}
        for p in self.penalties:
            totals[p.term] += p.cost
        return totals

    @property
    def objective(self) -> int:
        return sum(p.cost for p in self.penalties)

    def weighted_terms(self, weights: Weights) -> dict[str, int]:
        """The terms with a non-zero weight: what a schedule's ``objective_terms`` lists."""
        return {term: cost for term, cost in self.terms.items() if getattr(weights, term)}

    def rules(self) -> list[str]:
        """The broken rules, one entry per violation, in order found."""
        return [v.rule for v in self.violations]
