"""Translate a CP-SAT model (``CpModelProto``) into an exact MIP for HiGHS.

How each constraint becomes rows (``x`` are the CP-SAT variables, all integer,
bounded by their domains; a literal is ``x`` or, for a negative reference, ``1 - x``):

- ``linear`` ``sum(a*x) in [lo, hi]``, with enforcement literals ``e1..ek``: with
  ``S = sum(1 - ej)`` (0 exactly when all hold), ``sum(a*x) + (lo - L)*S >= lo`` and
  ``sum(a*x) - (U - hi)*S <= hi``, where ``[L, U]`` is the activity range implied by
  the variable bounds (a side outside the range is dropped). A domain of several
  intervals (CP-SAT's ``!=``) gets one binary per interval, exactly one of them set,
  each enforcing its interval as above.
- ``bool_or``, ``bool_and``, ``at_most_one``, ``exactly_one``: the usual sums of
  literals, as linear constraints (so with the same enforcement rule).
- ``lin_max`` ``t = max(e_i)``: ``t >= e_i`` for all ``i``, and binaries ``z_i`` with
  ``sum(z_i) = 1`` and ``t <= e_i`` enforced by ``z_i`` (big-M from the bounds).
- ``int_prod`` ``t = b*y`` with ``b`` 0/1-valued: ``Ly*b <= t <= Uy*b`` and
  ``y - Uy*(1 - b) <= t <= y - Ly*(1 - b)``, exact for binary ``b``.
- ``element`` ``t = e[i]`` (``i`` an affine index, the ``e`` affine, or the older
  ``index``/``target``/``vars`` form with variables): a binary ``z_v`` for each value
  ``v`` of ``[0, len(e) - 1]`` within the index's bounds, ``sum(z_v) = 1`` and
  ``i = sum(v*z_v)``; then ``t = sum(c_v*z_v)`` when every ``e_v`` is a constant
  ``c_v``, else ``t = e_v`` enforced by ``z_v`` (big-M from the bounds).
- the objective: HiGHS minimises ``sum(c*x) + offset``; CP-SAT reports that times
  ``scaling_factor`` (0 meaning 1), which is how a maximisation is stored.

Anything else raises :class:`NotImplementedError` naming the constraint type.
Solution hints and search strategies are ignored. highspy is needed only here,
not by the scheduler.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import highspy
import numpy as np
from ortools.sat import cp_model_pb2
from ortools.sat.python import cp_model, cp_model_helper

# A CpModelProto as protobuf, or as the pybind wrapper that CpModel.proto returns in
# OR-Tools 9.15, or the CpModel itself.
ModelLike = cp_model_pb2.CpModelProto | cp_model_helper.CpModelProto | cp_model.CpModel

# An affine expression: ({column: coefficient}, constant), in exact integers.
Expr = tuple[dict[int, int], int]


def to_highs(proto: ModelLike) -> highspy.Highs:
    """Build the MIP for a CP-SAT model, loaded into a silent :class:`highspy.Highs`.

    Columns ``0 .. len(proto.variables) - 1`` are the CP-SAT variables; auxiliary
    binaries follow. The HiGHS objective is CP-SAT's objective before scaling
    (see :func:`objective_scale`).
    """
    return build(as_pb2(proto)).load()


def objective_scale(proto: ModelLike) -> float:
    """The factor taking a HiGHS objective of :func:`to_highs` to CP-SAT's units."""
    objective = proto.proto.objective if isinstance(proto, cp_model.CpModel) else proto.objective
    return objective.scaling_factor or 1.0


def as_pb2(proto: ModelLike) -> cp_model_pb2.CpModelProto:
    """The model as a protobuf message (OR-Tools 9.15 wraps it in pybind instead)."""
    if isinstance(proto, cp_model_pb2.CpModelProto):
        return proto
    if isinstance(proto, cp_model.CpModel):
        proto = proto.proto
    # The wrapper has no in-memory serialisation; its binary export does the job.
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.pb")
        if not cp_model_helper.CpSatHelper.write_model_to_file(proto, path):
            raise RuntimeError("could not export the CP-SAT model")
        out = cp_model_pb2.CpModelProto()
        out.ParseFromString(Path(path).read_bytes())
    return out


def check_status(status: highspy.HighsStatus, what: str) -> None:
    if status == highspy.HighsStatus.kError:
        raise RuntimeError(f"HiGHS {what} failed")


def _add(a: Expr, b: Expr, scale: int = 1) -> Expr:
    """a + scale * b."""
    terms = dict(a[0])
    for col, coef in b[0].items():
        terms[col] = terms.get(col, 0) + scale * coef
    return terms, a[1] + scale * b[1]


def _total(exprs: Iterable[Expr]) -> Expr:
    out: Expr = ({}, 0)
    for e in exprs:
        out = _add(out, e)
    return out


class _Builder:
    """Columns and rows of the MIP, in exact integers until they go to HiGHS."""

    def __init__(self, model: cp_model_pb2.CpModelProto) -> None:
        self.model = model
        self.lower: list[int] = []
        self.upper: list[int] = []
        for i, var in enumerate(model.variables):
            domain = list(var.domain)
            if len(domain) != 2:
                name = var.name or f"#{i}"
                if not domain:
                    raise ValueError(f"variable {name} has an empty domain")
                raise NotImplementedError(
                    f"variable {name}: domain {domain} has holes (only intervals are supported)"
                )
            self.lower.append(domain[0])
            self.upper.append(domain[1])
        self.num_vars = len(self.lower)
        self.cost = [0.0] * self.num_vars
        self.offset = 0.0
        self.row_lower: list[float] = []
        self.row_upper: list[float] = []
        self.starts: list[int] = []
        self.index: list[int] = []
        self.value: list[float] = []

    # ---- columns, expressions, rows

    def binary(self) -> Expr:
        self.lower.append(0)
        self.upper.append(1)
        self.cost.append(0.0)
        return {len(self.lower) - 1: 1}, 0

    def literal(self, ref: int) -> Expr:
        var = ref if ref >= 0 else -ref - 1
        if not (self.lower[var] >= 0 and self.upper[var] <= 1):
            raise ValueError(f"literal {ref} refers to a non-Boolean variable")
        return ({var: 1}, 0) if ref >= 0 else ({var: -1}, 1)

    def expr(self, e: cp_model_pb2.LinearExpressionProto) -> Expr:
        return self.terms(e.vars, e.coeffs, e.offset)

    @staticmethod
    def terms(refs: Sequence[int], coeffs: Sequence[int], constant: int = 0) -> Expr:
        out: dict[int, int] = {}
        for ref, coef in zip(refs, coeffs):
            # In linear contexts a negative reference is the negated integer.
            var, c = (ref, coef) if ref >= 0 else (-ref - 1, -coef)
            out[var] = out.get(var, 0) + c
        return out, constant

    def bounds(self, e: Expr) -> tuple[int, int]:
        low = high = e[1]
        lower, upper = self.lower, self.upper
        for col, coef in e[0].items():
            if coef > 0:
                low += coef * lower[col]
                high += coef * upper[col]
            else:
                low += coef * upper[col]
                high += coef * lower[col]
        return low, high

    def row(self, terms: dict[int, int], lo: int | None, hi: int | None) -> None:
        self.starts.append(len(self.index))
        for col, coef in terms.items():
            if coef:
                self.index.append(col)
                self.value.append(coef)
        self.row_lower.append(-highspy.kHighsInf if lo is None else lo)
        self.row_upper.append(highspy.kHighsInf if hi is None else hi)

    # ---- constraints

    def linear(
        self, e: Expr, lo: int | None, hi: int | None, enforcement: Sequence[Expr] = ()
    ) -> None:
        """lo <= e <= hi (None: no limit) when every enforcement literal holds."""
        low, high = self.bounds(e)
        need_lo = lo is not None and lo > low
        need_hi = hi is not None and hi < high
        if not enforcement:
            if need_lo or need_hi:
                self.row(
                    e[0],
                    None if lo is None or not need_lo else lo - e[1],
                    None if hi is None or not need_hi else hi - e[1],
                )
            return
        # S = sum(1 - literal): 0 when enforced, at least 1 otherwise.
        slack = _total(_add(({}, 1), lit, -1) for lit in enforcement)
        if lo is not None and need_lo:
            terms, const = _add(e, slack, lo - low)
            self.row(terms, lo - const, None)
        if hi is not None and need_hi:
            terms, const = _add(e, slack, -(high - hi))
            self.row(terms, None, hi - const)

    def in_domain(self, e: Expr, domain: Sequence[int], enforcement: Sequence[Expr]) -> None:
        """e in a CP-SAT domain (sorted disjoint intervals) when enforced."""
        low, high = self.bounds(e)
        intervals = []
        for a, b in zip(domain[::2], domain[1::2]):
            a, b = max(a, low), min(b, high)
            if a <= b:
                intervals.append((a, b))
        if not intervals:  # never satisfied: the enforcement must fail
            if enforcement:
                self.linear(_total(enforcement), None, len(enforcement) - 1)
            else:
                self.row({}, 1, None)  # 0 >= 1: infeasible
        elif len(intervals) == 1:
            self.linear(e, *intervals[0], enforcement)
        else:
            choices = [self.binary() for _ in intervals]
            self.linear(_total(choices), 1, 1)
            for (a, b), z in zip(intervals, choices):
                self.linear(e, a, b, [*enforcement, z])

    def constraint(self, ct: cp_model_pb2.ConstraintProto) -> None:
        kind = ct.WhichOneof("constraint")
        if kind is None:
            return
        enf = [self.literal(r) for r in ct.enforcement_literal]
        if kind == "linear":
            lin = ct.linear
            self.in_domain(self.terms(lin.vars, lin.coeffs), lin.domain, enf)
        elif kind == "bool_or":
            self.linear(_total(map(self.literal, ct.bool_or.literals)), 1, None, enf)
        elif kind == "bool_and":
            for ref in ct.bool_and.literals:
                self.linear(self.literal(ref), 1, None, enf)
        elif kind == "at_most_one":
            self.linear(_total(map(self.literal, ct.at_most_one.literals)), None, 1, enf)
        elif kind == "exactly_one":
            self.linear(_total(map(self.literal, ct.exactly_one.literals)), 1, 1, enf)
        elif kind == "lin_max":
            self.lin_max(ct.lin_max, enf)
        elif kind == "int_prod":
            self.int_prod(ct.int_prod, enf)
        elif kind == "element":
            self.element(ct.element, enf)
        else:
            raise NotImplementedError(f"constraint type {kind!r} is not supported")

    def lin_max(self, c: cp_model_pb2.LinearArgumentProto, enf: list[Expr]) -> None:
        target = self.expr(c.target)
        exprs = [self.expr(e) for e in c.exprs]
        if not exprs:
            raise ValueError("lin_max with no expressions")
        gaps = [_add(target, e, -1) for e in exprs]  # target - e_i
        for gap in gaps:
            self.linear(gap, 0, None, enf)
        if len(gaps) == 1:
            self.linear(gaps[0], None, 0, enf)
            return
        choices = [self.binary() for _ in gaps]
        self.linear(_total(choices), 1, 1)
        for gap, z in zip(gaps, choices):
            self.linear(gap, None, 0, [*enf, z])

    def int_prod(self, c: cp_model_pb2.LinearArgumentProto, enf: list[Expr]) -> None:
        target = self.expr(c.target)
        exprs = [self.expr(e) for e in c.exprs]
        if len(exprs) == 0:
            self.linear(target, 1, 1, enf)
            return
        if len(exprs) == 1:
            self.linear(_add(target, exprs[0], -1), 0, 0, enf)
            return
        if len(exprs) > 2:
            raise NotImplementedError(f"constraint type 'int_prod' with {len(exprs)} factors")
        a, b = exprs
        (la, ua), (lb, ub) = self.bounds(a), self.bounds(b)
        if la == ua or lb == ub:  # a constant factor: t = k * y
            k, y = (la, b) if la == ua else (lb, a)
            self.linear(_add(target, y, -k), 0, 0, enf)
            return
        if la >= 0 and ua <= 1:
            flag, y = a, b
        elif lb >= 0 and ub <= 1:
            flag, y = b, a
        else:
            raise NotImplementedError(
                "constraint type 'int_prod' of two non-Boolean factors is not supported"
            )
        ly, uy = self.bounds(y)
        self.linear(_add(target, flag, -uy), None, 0, enf)  # t <= Uy*b
        self.linear(_add(target, flag, -ly), 0, None, enf)  # t >= Ly*b
        rest = _add(target, y, -1)  # t - y
        self.linear(_add(rest, flag, -ly), None, -ly, enf)  # t <= y - Ly*(1 - b)
        self.linear(_add(rest, flag, -uy), -uy, None, enf)  # t >= y - Uy*(1 - b)

    def element(self, c: cp_model_pb2.ElementConstraintProto, enf: list[Expr]) -> None:
        if c.HasField("linear_index") or c.exprs:
            index, target = self.expr(c.linear_index), self.expr(c.linear_target)
            exprs = [self.expr(e) for e in c.exprs]
        else:  # the older form: variables only (a negative reference is the negation)
            index, target = self.terms([c.index], [1]), self.terms([c.target], [1])
            exprs = [self.terms([ref], [1]) for ref in c.vars]
        low, high = self.bounds(index)
        values = range(max(low, 0), min(high, len(exprs) - 1) + 1)
        if not values:  # no index is possible: the enforcement must fail
            self.in_domain(index, [], enf)
            return
        # One binary per index value; when not enforced, the index is free.
        choices = {v: self.binary() for v in values}
        self.linear(_total(choices.values()), None, 1)
        self.linear(_total(choices.values()), 1, None, enf)
        picked = _total(_add(({}, 0), z, v) for v, z in choices.items())  # sum(v*z_v)
        self.linear(_add(index, picked, -1), 0, 0, enf)
        if all(not exprs[v][0] for v in values):  # constants: t = sum(c_v*z_v)
            chosen = _total(_add(({}, 0), z, exprs[v][1]) for v, z in choices.items())
            self.linear(_add(target, chosen, -1), 0, 0, enf)
            return
        for v, z in choices.items():
            self.linear(_add(target, exprs[v], -1), 0, 0, [*enf, z])

    def objective(self) -> None:
        model = self.model
        if model.HasField("floating_point_objective"):
            raise NotImplementedError("floating_point_objective is not supported")
        obj = model.objective
        terms, _ = self.terms(obj.vars, obj.coeffs)
        for col, coef in terms.items():
            self.cost[col] += coef
        self.offset = obj.offset
        if obj.domain:  # a domain on the sum of the terms, before the offset
            self.in_domain((terms, 0), obj.domain, [])

    # ---- out

    def load(self) -> highspy.Highs:
        h = highspy.Highs()
        check_status(h.setOptionValue("output_flag", False), "setOptionValue(output_flag)")
        num_col, num_row = len(self.lower), len(self.starts)
        check_status(
            h.passModel(
                num_col,
                num_row,
                len(self.index),
                int(highspy.MatrixFormat.kRowwise),
                int(highspy.ObjSense.kMinimize),
                self.offset,
                np.asarray(self.cost, dtype=np.float64),
                np.asarray(self.lower, dtype=np.float64),
                np.asarray(self.upper, dtype=np.float64),
                np.asarray(self.row_lower, dtype=np.float64),
                np.asarray(self.row_upper, dtype=np.float64),
                np.asarray(self.starts, dtype=np.int32),
                np.asarray(self.index, dtype=np.int32),
                np.asarray(self.value, dtype=np.float64),
                np.full(num_col, int(highspy.HighsVarType.kInteger), dtype=np.int32),
            ),
            "passModel",
        )
        return h


def build(model: cp_model_pb2.CpModelProto) -> _Builder:
    builder = _Builder(model)
    for ref in model.assumptions:  # CP-SAT solves with these literals fixed to true
        var = ref if ref >= 0 else -ref - 1
        if ref >= 0:
            builder.lower[var] = max(builder.lower[var], 1)
        else:
            builder.upper[var] = min(builder.upper[var], 0)
    for ct in model.constraints:
        builder.constraint(ct)
    builder.objective()
    return builder
