"""The HiGHS baseline (benchmarks/highs_mip.py) solves the same model as CP-SAT.

Each test solves a model with both solvers and compares the optimum, and checks a
MIP solution by fixing the CP-SAT variables to it and asking CP-SAT.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest
from ortools.sat.python import cp_model

from models import ProgramIndex, load_instance
from scheduler import check
from scheduler.cpsat.cohort_plan import plan_cohorts
from scheduler.cpsat.model import TimetableModel
from scheduler.generate import generate

highspy = pytest.importorskip("highspy")

from benchmarks.highs_mip import solve_mip, to_highs  # noqa: E402
from benchmarks.highs_readback import read_back  # noqa: E402
from benchmarks.highs_translate import as_pb2  # noqa: E402
from benchmarks.run import instance_for  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def cpsat(model: cp_model.CpModel) -> tuple[str, float | None]:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    solver.parameters.max_time_in_seconds = 10
    code = solver.solve(model)
    if code == cp_model.OPTIMAL:
        return "optimal", solver.objective_value
    if code == cp_model.INFEASIBLE:
        return "infeasible", None
    return solver.status_name(code), None


def assert_cpsat_accepts(model: cp_model.CpModel, values: list[float], objective: float) -> None:
    """CP-SAT finds the model feasible, with this objective, once fixed to values."""
    fixed = model.clone()
    for i, v in enumerate(values):
        assert abs(v - round(v)) < 1e-5, f"variable {i} = {v} is not integral"
        fixed.add(fixed.get_int_var_from_proto_index(i) == round(v))
    fixed.clear_hints()
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10
    assert solver.solve(fixed) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    assert solver.objective_value == pytest.approx(objective, abs=1e-6)


def assert_same(model: cp_model.CpModel) -> None:
    """HiGHS and CP-SAT agree on status and optimum, and CP-SAT accepts HiGHS's solution."""
    status, objective = cpsat(model)
    assert status in ("optimal", "infeasible")
    r = solve_mip(model.proto, time_limit=10)
    assert r.status == status
    if status == "optimal":
        assert objective is not None and r.objective is not None and r.values is not None
        assert r.objective == pytest.approx(objective, abs=1e-6)
        assert r.best_bound == pytest.approx(objective, abs=1e-6)
        assert_cpsat_accepts(model, r.values, objective)
    else:
        assert r.objective is None and r.values is None


# ---------------------------------------------------------------------- our models


@pytest.mark.parametrize("aggregate", [True, False], ids=["aggregated", "plain"])
def test_tiny_reaches_the_proven_optimum(aggregate: bool) -> None:
    tm = TimetableModel(load_instance(ROOT / "instances" / "tiny.json"), aggregate=aggregate)
    r = solve_mip(tm.model.proto, time_limit=20)
    assert r.status == "optimal"
    assert r.objective == pytest.approx(480)
    assert r.best_bound == pytest.approx(480)
    assert r.values is not None and len(r.values) == len(tm.model.proto.variables)
    assert r.first_seconds is not None and r.first_seconds <= r.wall_seconds
    assert_cpsat_accepts(tm.model, r.values, 480)


def test_checkpoints_report_the_best_objective_known_then() -> None:
    tm = TimetableModel(load_instance(ROOT / "instances" / "tiny.json"), aggregate=True)
    r = solve_mip(tm.model.proto, time_limit=20, checkpoints=(0.0, 5.0, 60.0))
    assert set(r.objective_at) == {0.0, 5.0, 60.0}
    assert r.objective_at[0.0] is None  # nothing is known before the start
    assert r.objective_at[60.0] == r.objective  # after the end: the final objective
    assert r.size["columns"] >= len(tm.model.proto.variables)


def elements(tm: TimetableModel) -> int:
    return sum(c.WhichOneof("constraint") == "element" for c in as_pb2(tm.model).constraints)


def test_cohort_weights_small_program_reaches_cpsat_optimum() -> None:
    # 8 patients with a planned cohort: the type repeats a patient's rows force
    # (cohorts.py) and the cohort's topic repeats (objective.py) are both elements.
    inst, _ = generate(8, seed=1)
    cohorts = plan_cohorts(ProgramIndex(inst))
    assert cohorts
    tm = TimetableModel(inst, aggregate=True, cohorts=cohorts)
    assert elements(tm) == 9
    assert_same(tm.model)


def test_solutions_read_back_to_checked_schedules() -> None:
    inst, _ = generate(8, seed=1)
    tm = TimetableModel(inst, aggregate=True)
    r = solve_mip(tm.model, time_limit=20, keep_solutions=True)
    assert r.status == "optimal" and r.objective is not None and r.solutions
    assert r.solutions[-1][1] == r.values
    written = []
    for _, values in r.solutions:
        week = read_back(inst, tm, values)
        assert week is not None and week.objective is not None
        report = check(inst, week)
        assert report.ok and report.objective == week.objective
        written.append(week.objective)
    # The optimum's week writes the MIP's objective (the model's terms are exact here).
    assert written[-1] == r.objective


def test_bench_s_model_translates() -> None:
    inst = instance_for("S")
    for cohorts in ([], plan_cohorts(ProgramIndex(inst))):
        tm = TimetableModel(inst, aggregate=True, cohorts=cohorts)
        assert elements(tm) >= 30
        h = to_highs(tm.model)
        assert h.getNumCol() > len(tm.model.proto.variables)  # the element's binaries


# ---------------------------------------------------------------------- one constraint type each


def _linear_enforced() -> cp_model.CpModel:
    m = cp_model.CpModel()
    x, y = m.new_int_var(0, 10, "x"), m.new_int_var(-4, 10, "y")
    b, c = m.new_bool_var("b"), m.new_bool_var("c")
    m.add(x + 2 * y >= 7).only_enforce_if(b)
    m.add(x - y == 3).only_enforce_if([b, ~c])
    m.add(x >= 3).only_enforce_if(~b)
    m.add_linear_constraint(x + y, 2, 5).only_enforce_if(~c)
    m.minimize(x + y - 4 * b + 2 * c)
    return m


def _not_equal() -> cp_model.CpModel:
    m = cp_model.CpModel()
    x, y = m.new_int_var(0, 6, "x"), m.new_int_var(0, 6, "y")
    b = m.new_bool_var("b")
    m.add(x != 2)
    m.add(x + y != 5).only_enforce_if(~b)
    m.add_linear_expression_in_domain(x - y, cp_model.Domain.from_intervals([[-6, -4], [1, 1]]))
    m.minimize((x - 2) + 3 * b - y)
    return m


def _bool_or() -> cp_model.CpModel:
    m = cp_model.CpModel()
    a, b, c, d = (m.new_bool_var(n) for n in "abcd")
    m.add_bool_or([a, ~b, c])
    m.add_bool_or([~a, d]).only_enforce_if(~c)
    m.add_bool_or([b, c])
    m.minimize(3 * a + 2 * b + 4 * c + d)
    return m


def _bool_and() -> cp_model.CpModel:
    m = cp_model.CpModel()
    a, b, c, d = (m.new_bool_var(n) for n in "abcd")
    m.add_bool_and([a, ~b]).only_enforce_if(c)
    m.add_bool_and([d]).only_enforce_if([~a, b])
    m.add_implication(d, c)
    m.maximize(2 * c + b + 3 * d - a)
    return m


def _at_most_one() -> cp_model.CpModel:
    m = cp_model.CpModel()
    xs = [m.new_bool_var(f"x{i}") for i in range(6)]
    m.add_at_most_one(xs[:4])
    m.add_at_most_one([xs[2], ~xs[4], xs[5]])
    m.maximize(sum((i + 1) * x for i, x in enumerate(xs)))
    return m


def _exactly_one() -> cp_model.CpModel:
    m = cp_model.CpModel()
    xs = [m.new_bool_var(f"x{i}") for i in range(5)]
    m.add_exactly_one(xs[:3])
    m.add_exactly_one([xs[0], ~xs[3], xs[4]])
    m.minimize(5 * xs[0] + 3 * xs[1] + 4 * xs[2] - 2 * xs[3] + xs[4])
    return m


def _max_equality() -> cp_model.CpModel:
    m = cp_model.CpModel()
    x, y = m.new_int_var(-5, 5, "x"), m.new_int_var(-5, 5, "y")
    t = m.new_int_var(-20, 20, "t")
    m.add_max_equality(t, [x, y + 1, 3 - x, -2])
    m.add(x + y >= 1)
    m.minimize(t)
    return m


def _min_equality() -> cp_model.CpModel:
    m = cp_model.CpModel()
    x, y = m.new_int_var(0, 9, "x"), m.new_int_var(0, 9, "y")
    t = m.new_int_var(-20, 20, "t")
    m.add_min_equality(t, [x, 2 * y, 9 - x, 7])
    m.add(x + y <= 8)
    m.maximize(t)
    return m


def _abs_equality() -> cp_model.CpModel:
    m = cp_model.CpModel()
    x = m.new_int_var(-7, 7, "x")
    t = m.new_int_var(0, 7, "t")
    m.add_abs_equality(t, x - 3)
    m.add(x <= -1)
    m.minimize(t + x)
    return m


def _product_bool_bool() -> cp_model.CpModel:
    m = cp_model.CpModel()
    a, b = m.new_bool_var("a"), m.new_bool_var("b")
    p = m.new_bool_var("p")
    m.add_multiplication_equality(p, [a, b])
    m.maximize(5 * p - 2 * a - 2 * b)
    return m


def _product_bool_int() -> cp_model.CpModel:
    m = cp_model.CpModel()
    b, c = m.new_bool_var("b"), m.new_bool_var("c")
    x = m.new_int_var(-3, 6, "x")
    p, q = m.new_int_var(-20, 20, "p"), m.new_int_var(-20, 20, "q")
    m.add_multiplication_equality(p, [x, b])
    m.add_multiplication_equality(q, [2 * x - 1, 1 - c])  # a negated literal as a factor
    m.add(b + c >= 1)
    m.minimize(p + q - x)
    return m


def _element_constants() -> cp_model.CpModel:
    m = cp_model.CpModel()
    i = m.new_int_var(-2, 9, "i")  # CP-SAT keeps the index within the array
    t = m.new_int_var(-10, 10, "t")
    m.add_element(i, [4, -3, 7, 0, 2], t)
    m.add(i != 1)
    m.minimize(t + i)
    return m


def _element_variables() -> cp_model.CpModel:
    m = cp_model.CpModel()
    i = m.new_int_var(0, 3, "i")
    x, y = m.new_int_var(-3, 5, "x"), m.new_int_var(0, 4, "y")
    t = m.new_int_var(-20, 20, "t")
    m.add_element(i, [5, x, 2 * y - 1, x + y], t)  # constants and expressions mixed
    m.add(x + y >= 3)
    m.maximize(3 * t - 2 * x - y - i)
    return m


def _element_affine_index() -> cp_model.CpModel:
    m = cp_model.CpModel()
    j = m.new_int_var(0, 4, "j")
    x = m.new_int_var(0, 6, "x")
    t = m.new_int_var(0, 20, "t")
    m.add_element(2 * j - 1, [9, 3, x, 8, 6, 1], t)  # only odd positions are reachable
    m.add(x >= 4)
    m.minimize(t + x - j)
    return m


def _element_enforced() -> cp_model.CpModel:
    m = cp_model.CpModel()
    i = m.new_int_var(0, 5, "i")
    t, x = m.new_int_var(-9, 9, "t"), m.new_int_var(0, 3, "x")
    b = m.new_bool_var("b")
    m.add_element(i, [3, x + 1, 4], t).only_enforce_if(b)
    m.add(i >= 4).only_enforce_if(~b)  # out of the array: only without b
    m.minimize(t - 2 * b + x)
    return m


def _element_old_fields() -> cp_model.CpModel:
    m = cp_model.CpModel()
    # Before 9.x, element took variables only: index, target, vars.
    m.proto.parse_text_format(
        """
        variables { name: "i" domain: [0, 2] }
        variables { name: "t" domain: [0, 9] }
        variables { name: "a" domain: [3, 5] }
        variables { name: "b" domain: [1, 9] }
        constraints { element { index: 0 target: 1 vars: [2, 3, 2] } }
        constraints { linear { vars: [2, 3] coeffs: [1, 1] domain: [9, 9] } }
        objective { vars: [1, 0] coeffs: [2, 1] }
        """
    )
    return m


def _objective_offset_maximize() -> cp_model.CpModel:
    m = cp_model.CpModel()
    x, y = m.new_int_var(0, 10, "x"), m.new_int_var(0, 10, "y")
    m.add(3 * x + 2 * y <= 17)
    m.add(x - y <= 2)
    m.maximize(4 * x + 3 * y + 11)
    return m


def _infeasible() -> cp_model.CpModel:
    m = cp_model.CpModel()
    a, b = m.new_bool_var("a"), m.new_bool_var("b")
    m.add_exactly_one([a, b])
    m.add_bool_and([a, b])
    m.minimize(a + b)
    return m


@pytest.mark.parametrize(
    "build",
    [
        _linear_enforced,
        _not_equal,
        _bool_or,
        _bool_and,
        _at_most_one,
        _exactly_one,
        _max_equality,
        _min_equality,
        _abs_equality,
        _product_bool_bool,
        _product_bool_int,
        _element_constants,
        _element_variables,
        _element_affine_index,
        _element_enforced,
        _element_old_fields,
        _objective_offset_maximize,
        _infeasible,
    ],
    ids=lambda f: f.__name__.lstrip("_"),
)
def test_each_constraint_type_matches_cpsat(build: Callable[[], cp_model.CpModel]) -> None:
    assert_same(build())


def random_model(rng: random.Random) -> cp_model.CpModel:
    """A small model mixing every supported constraint type at random."""
    m = cp_model.CpModel()
    bools = [m.new_bool_var(f"b{i}") for i in range(4)]
    ints = [m.new_int_var(rng.randint(-4, 0), rng.randint(1, 5), f"x{i}") for i in range(3)]

    def literal() -> cp_model.LiteralT:
        b = rng.choice(bools)
        return b if rng.random() < 0.5 else ~b

    def literals(k: int) -> list[cp_model.LiteralT]:
        return [literal() for _ in range(k)]

    def expr() -> cp_model.LinearExprT:
        vs = rng.sample(ints + bools, rng.randint(1, 3))
        return sum(rng.randint(-3, 3) * v for v in vs) + rng.randint(-2, 2)

    def enforce(ct: cp_model.Constraint) -> None:
        if rng.random() < 0.5:
            ct.only_enforce_if(literals(rng.randint(1, 2)))

    for _ in range(rng.randint(2, 6)):
        kind = rng.choice(
            ["le", "eq", "ne", "or", "and", "amo", "eo", "max", "min", "prod_b", "prod_i", "elem"]
        )
        if kind == "le":
            enforce(m.add(expr() <= rng.randint(-3, 6)))
        elif kind == "eq":
            enforce(m.add(expr() == rng.randint(-2, 3)))
        elif kind == "ne":
            enforce(m.add(expr() != rng.randint(-2, 2)))
        elif kind == "or":
            enforce(m.add_bool_or(literals(rng.randint(1, 3))))
        elif kind == "and":
            enforce(m.add_bool_and(literals(rng.randint(1, 3))))
        elif kind == "amo":
            m.add_at_most_one(literals(rng.randint(2, 4)))
        elif kind == "eo":
            m.add_exactly_one(literals(rng.randint(2, 4)))
        elif kind in ("max", "min"):
            t = m.new_int_var(-30, 30, f"t{len(m.proto.variables)}")
            exprs = [expr() for _ in range(rng.randint(1, 4))]
            (m.add_max_equality if kind == "max" else m.add_min_equality)(t, exprs)
        elif kind == "elem":
            t = m.new_int_var(-30, 30, f"t{len(m.proto.variables)}")
            array = [expr() if rng.random() < 0.5 else rng.randint(-5, 5) for _ in range(4)]
            enforce(m.add_element(rng.choice(ints), array, t))
        elif kind == "prod_b":
            p = m.new_bool_var(f"p{len(m.proto.variables)}")
            m.add_multiplication_equality(p, literal(), rng.choice(bools))
        else:
            p = m.new_int_var(-60, 60, f"p{len(m.proto.variables)}")
            m.add_multiplication_equality(p, [expr(), rng.choice(bools)])
    objective = sum(rng.randint(-5, 5) * v for v in bools + ints) + rng.randint(-9, 9)
    (m.minimize if rng.random() < 0.5 else m.maximize)(objective)
    return m


@pytest.mark.parametrize("seed", range(40))
def test_random_models_match_cpsat(seed: int) -> None:
    assert_same(random_model(random.Random(seed)))


# ---------------------------------------------------------------------- what it refuses


def test_unsupported_constraints_are_named() -> None:
    m = cp_model.CpModel()
    xs = [m.new_int_var(0, 3, f"x{i}") for i in range(3)]
    m.add_all_different(xs)
    with pytest.raises(NotImplementedError, match="all_diff"):
        to_highs(m.proto)

    m = cp_model.CpModel()
    start = m.new_int_var(0, 5, "start")
    m.add_no_overlap([m.new_fixed_size_interval_var(start, 2, "job")])
    with pytest.raises(NotImplementedError, match="interval"):
        to_highs(m.proto)

    m = cp_model.CpModel()
    x, y = m.new_int_var(0, 5, "x"), m.new_int_var(0, 5, "y")
    m.add_multiplication_equality(m.new_int_var(0, 25, "p"), [x, y])
    with pytest.raises(NotImplementedError, match="int_prod"):
        to_highs(m.proto)


def test_domains_with_holes_are_refused_by_name() -> None:
    m = cp_model.CpModel()
    m.new_int_var_from_domain(cp_model.Domain.from_values([1, 3, 4]), "gappy")
    with pytest.raises(NotImplementedError, match="gappy"):
        to_highs(m.proto)
