"""iop-scheduler: weekly IOP group timetables with OR-Tools CP-SAT.

>>> from scheduler import solve, SolveSettings, check

The pipeline, one folder or module a step (see the README's Layout):
instance (``models``) -> first timetable (``greedy``) -> CP-SAT model and read-back
(``cpsat``) -> checker (``check``) -> schedule; ``program`` runs it for one program,
``sites`` for an organization, ``batch`` for many; ``explain`` and ``generate`` stand
beside it. The public entry points are in ``api``.
"""

# The public names are listed once, in api.__all__ (and fit and repair, which sit above api).
from scheduler import api
from scheduler.api import *  # noqa: F403
from scheduler.fit import fit
from scheduler.same_day import RepairResult, repair

__all__ = [*api.__all__, "RepairResult", "fit", "repair"]
