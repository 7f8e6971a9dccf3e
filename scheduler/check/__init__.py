"""The checker: recomputes every rule and the objective from the instance and a schedule
alone, independent of the solver (``check``), and the objective's breakdown (``score``).

One file per rule family (``references``, ``patients``, ``groups``, ``staff``,
``appointments``, ``sites``, ``objective``), the same families as ``scheduler.cpsat``'s;
``checker`` runs them in order on a ``context.Checker`` and returns its ``report``.
"""

from scheduler.check.checker import check
from scheduler.check.report import TERMS, CheckReport, Penalty, Violation

__all__ = ["TERMS", "CheckReport", "Penalty", "Violation", "check"]
