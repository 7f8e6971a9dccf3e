"""The checker: recomputes every rule and the objective from the instance and a schedule
alone, independent of the solver (``check``), and the objective's breakdown (``score``)."""

from scheduler.check.checker import TERMS, CheckReport, Penalty, Violation, check

__all__ = ["TERMS", "CheckReport", "Penalty", "Violation", "check"]
