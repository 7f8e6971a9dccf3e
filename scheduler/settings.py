"""How to run a solve: the settings every entry point takes, checked when they are made."""

from __future__ import annotations

import difflib
import math
import numbers
from dataclasses import dataclass, field
from typing import Any, Literal

from ortools.sat import sat_parameters_pb2
from ortools.sat.python import cp_model

MAX_WORKERS = 256  # CP-SAT allows 10,000, but every worker holds a copy of the model
MAX_SEED = 2**31 - 1  # CP-SAT's random_seed is an int32; numpy's draw needs it non-negative
_FIELDS = sat_parameters_pb2.SatParameters.DESCRIPTOR.fields_by_name


class SettingsError(ValueError):
    """A :class:`SolveSettings` field out of range or of the wrong type; the message is
    one line naming the field, e.g. ``seed: -5 is not in 0..2147483647``."""


@dataclass(frozen=True)
class SolveSettings:
    """How to run the solver.

    Parameters
    ----------
    time_limit
        Seconds of wall clock; with ``deterministic``, units of CP-SAT's
        deterministic time instead (reproducible, roughly seconds). A finite number
        at least 0 (0: no time at all: status ``unknown``; the greedy and the model count
        against the limit too, see ``scheduler.budget``).
    workers
        CP-SAT search workers, 0 to ``MAX_WORKERS`` (256). More workers than cores
        still help on 2 cores (a wider portfolio moves the bound); 0 lets CP-SAT choose.
    seed
        Random seed of the search, and of the drug-screen draw: the same seed and
        the same attendance give the same screens. 0 to ``MAX_SEED`` (2**31 - 1).
    deterministic
        Stop on deterministic time, not wall clock, so that the same instance,
        seed and ``workers=1`` give the same schedule byte for byte.
    relative_gap
        Stop once (objective - bound) / objective is at most this (0 to 1).
    formulation
        ``"aggregated"`` (default): interchangeable sessions of a group type in
        a period are one counted family, split into sessions after the solve;
        ``"plain"``: every possible session is its own set of variables (slower;
        kept as a reference and benchmark baseline).
    warm_start
        ``"greedy"``: build a timetable the way a coordinator would
        (``scheduler.greedy``) and start the search from it, so a first schedule
        comes at once; ``"none"``: search from scratch. A ``start_from`` schedule
        given to ``solve`` takes its place.
    best_effort
        Turn each patient's hours, days, requirement rows, appointments and screens
        into penalties (``shortfall_*`` weights), so that a timetable for everyone
        who can be placed always comes back, with the ``shortfalls`` listed.
    parameters
        Any other CP-SAT parameter by name (a field of ``SatParameters`` that holds
        one value, not a list), passed through as given; each name, type and value
        is checked as CP-SAT would check it.

    Raises
    ------
    SettingsError
        When a field is out of range or of the wrong type.
    """

    time_limit: float = 60.0
    workers: int = 8
    seed: int = 0
    deterministic: bool = False
    relative_gap: float = 0.0
    formulation: Literal["aggregated", "plain"] = "aggregated"
    warm_start: Literal["greedy", "none"] = "greedy"
    best_effort: bool = False
    parameters: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _number("time_limit", self.time_limit, 0, math.inf)
        _integer("workers", self.workers, 0, MAX_WORKERS)
        _integer("seed", self.seed, 0, MAX_SEED)
        _number("relative_gap", self.relative_gap, 0, 1)
        for name in ("deterministic", "best_effort"):
            if not isinstance(getattr(self, name), bool):
                raise SettingsError(f"{name}: {getattr(self, name)!r} is not True or False")
        _choice("formulation", self.formulation, ("aggregated", "plain"))
        _choice("warm_start", self.warm_start, ("greedy", "none"))
        if not isinstance(self.parameters, dict):
            raise SettingsError(f"parameters: {self.parameters!r} is not a dict")
        if self.parameters:
            _check_parameters(self.parameters)


def _number(name: str, value: object, low: float, high: float) -> None:
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise SettingsError(f"{name}: {value!r} is not a number")
    if not (math.isfinite(value) and low <= float(value) <= high):
        span = f"a finite number, at least {low:g}" if math.isinf(high) else f"{low:g} to {high:g}"
        raise SettingsError(f"{name}: {value!r} is out of range ({span})")


def _integer(name: str, value: object, low: int, high: int) -> None:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise SettingsError(f"{name}: {value!r} is not a whole number")
    if not low <= int(value) <= high:
        raise SettingsError(f"{name}: {value} is out of range ({low} to {high})")


def _choice(name: str, value: object, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise SettingsError(f"{name}: {value!r} is not one of {', '.join(choices)}")


def _check_parameters(parameters: dict[str, Any]) -> None:
    """Each name a CP-SAT parameter of one value and each value of its type, set as the
    solve sets them; then CP-SAT's own validation of them all (on an empty model: 1 ms)."""
    solver = cp_model.CpSolver()
    for name, value in parameters.items():
        where = f"parameters[{name!r}]"
        spec = _FIELDS.get(name) if isinstance(name, str) else None
        if spec is None:
            close = difflib.get_close_matches(str(name), _FIELDS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise SettingsError(f"{where}: not a CP-SAT parameter{hint}")
        if spec.is_repeated:
            raise SettingsError(f"{where}: a list parameter, which settings cannot pass")
        expected = _expected_type(spec, type(getattr(solver.parameters, name)))
        if expected is not None and not _is_a(value, expected):
            raise SettingsError(f"{where}: {value!r} is not {expected[1]}")
        try:
            setattr(solver.parameters, name, value)
        except (TypeError, ValueError, OverflowError):
            raise SettingsError(f"{where}: {value!r} is out of the parameter's range") from None
    # The check must not print a search log, nor take over Ctrl-C (this may be any thread).
    solver.parameters.log_search_progress = False
    solver.parameters.catch_sigint_signal = False
    if solver.solve(cp_model.CpModel()) == cp_model.MODEL_INVALID:
        raise SettingsError(f"parameters: {solver.solution_info()}")


def _expected_type(spec: Any, current: type) -> tuple[type, str] | None:
    """The Python type a parameter takes, and how to say it; None: not one we know."""
    if spec.cpp_type == spec.CPPTYPE_ENUM:
        example = f"cp_model.{spec.enum_type.values[0].name}"
        return current, f"a {spec.enum_type.name} (such as {example})"
    integer, real = (numbers.Integral, "a whole number"), (numbers.Real, "a number")
    kinds = {
        spec.CPPTYPE_INT32: integer,
        spec.CPPTYPE_INT64: integer,
        spec.CPPTYPE_UINT32: integer,
        spec.CPPTYPE_UINT64: integer,
        spec.CPPTYPE_DOUBLE: real,
        spec.CPPTYPE_FLOAT: real,
        spec.CPPTYPE_BOOL: (bool, "True or False"),
        spec.CPPTYPE_STRING: (str, "a string"),
    }
    return kinds.get(spec.cpp_type)


def _is_a(value: object, expected: tuple[type, str]) -> bool:
    kind = expected[0]
    return isinstance(value, kind) and (kind is bool or not isinstance(value, bool))
