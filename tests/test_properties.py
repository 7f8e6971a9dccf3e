"""Property tests: random small instances through both formulations, and the generator.

``instance_data()`` draws small but valid instances (1-3 days, 1-2 blocks of 1-3 periods,
1-3 stages, 1-4 group types, 0-3 requirement rows, 2-10 patients, 1-3 counselors, 1-3
rooms, random weights). ``instance_data(services=True)`` draws tiny ones (1-2 days, one block
of 1-2 periods, 1-2 stages, 1-3 group types, 2-6 patients, 1-3 counselors, 1-2 group rooms)
with the clinical services, each optional: 0-2 offices and 0-3 individual times of 30-60
minutes (right before or after the block, further away, or overlapping it), individual
counseling 0-2 a week (also by stage), medication management with or without a prescriber,
screening (sometimes with a capacity of 1-3), curricula on some group types (strict or not,
with completed topics), co-facilitation, required roles, family groups, together pairs,
counselor roles and limits (hours a day, individual sessions, caseload), and patients without
a primary counselor. Many instances are infeasible, which is fine: the properties are about
what the solver may return, not about finding schedules (``--hypothesis-show-statistics``
shows the statuses and which services the schedules found use). ``SERVICES_EXAMPLE`` is a
feasible instance that uses every service; the services property runs it every time.

Properties of a solve (both formulations, through ``conftest.solve_checked``):

* every schedule returned passes the checker, with the checker's objective and terms, and
  its bound is at most its objective; no schedule means no sessions, appointments or screens;
* every returned schedule is valid and the plain model is exact, so: plain infeasible =>
  aggregated infeasible; aggregated found => plain not infeasible; a proven plain optimum is
  at most the objective of any aggregated schedule;
* the aggregated model is a relaxation of the plain one except for its documented
  restrictions (avoid pairs per family, one session per period for together types, one
  topic per family for strict curricula: README, "How it solves"). Without them: aggregated
  infeasible => plain infeasible, a proven aggregated optimum is at most any plain
  objective, and two proven optima are equal. Topics of other curricula are chosen after the
  solve in both formulations; they can leave a gap (status ``feasible``) but keep the bound
  valid, so they do not suspend these properties.

A solve that runs out of time (1 s) gives no verdict: "unknown" is neither infeasible nor
found. Nothing is caught: the strategies draw only valid instances, so an ``InputError`` is a
bug of the strategy, and any other exception one of the scheduler.

Properties of ``scheduler.generate.generate``: the witness schedule is accepted by the checker
and no stage is left with fewer than 4 patients.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, event, example, given, note, settings
from hypothesis import strategies as st

from conftest import solve_checked
from models import KINDS, Instance, Schedule, parse_instance
from scheduler import check
from scheduler.generate import generate

DAYS = ["mon", "tue", "wed"]
BLOCK_STARTS = {"am": 9 * 60, "pm": 15 * 60}  # am ends by 14:15 at the latest
GENDERS = ["f", "m"]
TRACKS = ["a", "b"]
WEIGHTS = [
    "session_run",
    "excess_minutes",
    "preferred_missed",
    "load_imbalance_minutes",
    "primary_not_leading",
]
SERVICE_WEIGHTS = ["individual_extra_trip", "topic_repeat", "caseload_imbalance"]
ROLES = ["counselor", "clinician", "prescriber", "case_manager"]
# Roles of a counselor who does not keep the default ["counselor"]; some cannot be primary.
ROLE_SETS = [
    ["clinician"],
    ["counselor", "clinician"],
    ["counselor", "prescriber"],
    ["clinician", "prescriber"],
    ["prescriber"],
    ["case_manager"],
]
# A topic is strict in every type that teaches it or in none (validation rejects a mix), so
# strict and other curricula draw from separate pools; types of one kind may share topics.
STRICT_TOPICS = ["a1", "a2", "a3"]
SOFT_TOPICS = ["b1", "b2", "b3"]


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def subset(draw: st.DrawFn, items: list[Any], min_size: int = 0) -> list[Any]:
    """A random sub-list of ``items``, in their order."""
    picked = draw(st.sets(st.sampled_from(items), min_size=min_size)) if items else set()
    return [x for x in items if x in picked]


def maybe(draw: st.DrawFn, value: st.SearchStrategy[Any], p_none: float = 0.5) -> Any:
    """None (about ``p_none`` of the time) or a value of the strategy."""
    return None if draw(st.integers(0, 99)) < 100 * p_none else draw(value)


def individual_times(
    draw: st.DrawFn, block_start: int, block_end: int, duration: int, loose: bool
) -> list[dict[str, str]]:
    """1-3 (2-3 when loose) non-overlapping individual times of 30-60 minutes, each at least
    ``duration``.

    Each is at a different place: right before or right after the block, some way before or
    after it, or (unless loose) overlapping it, so that nobody attending the block can come.
    """
    lengths = [m for m in (30, 45, 50, 60) if m >= duration]
    places = [
        lambda n: block_start - n,  # ends as the block starts
        lambda n: block_start - n - 60,
        lambda n: block_end,  # starts as the block ends
        lambda n: block_end + 15,
        lambda n: block_end + 90,
    ]
    if not loose:
        places.append(lambda n: block_start + 15)  # overlaps the block
    taken: list[tuple[int, int]] = []
    for place in draw(st.permutations(places))[: draw(st.integers(2 if loose else 1, 3))]:
        length = draw(st.sampled_from(lengths))
        start = place(length)
        if all(start >= end or start + length <= begin for begin, end in taken):
            taken.append((start, start + length))
    return [{"start": hhmm(a), "end": hhmm(b)} for a, b in sorted(taken)]


@st.composite
def instance_data(draw: st.DrawFn, services: bool = False) -> dict[str, Any]:
    """A small random instance, as the JSON dict ``parse_instance`` validates.

    With ``services`` the instance is tiny (1-2 days, one block of 1-2 periods, 1-2 stages,
    1-3 group types, 2-6 patients, 1-3 counselors, 1-2 group rooms) and also draws the
    clinical services: offices and individual times, individual counseling, medication
    management, screening, curricula, co-facilitation, roles, family groups, together pairs,
    staff limits and unassigned primary counselors.
    """
    # Half the instances (three in four with services) are "loose" (few restrictions, mostly
    # feasible), the others "strict" (every restriction often, mostly infeasible).
    # pct(strict, loose): a percentage for the mode.
    loose = draw(st.integers(0, 99)) < 75 if services else draw(st.booleans())

    def pct(strict: int, relaxed: int) -> int:
        return relaxed if loose else strict

    def chance(percent: int) -> bool:
        return draw(st.integers(0, 99)) < percent

    days = DAYS[: draw(st.integers(1, 2 if services else 3))]
    blocks: list[dict[str, Any]] = []
    block_minutes: dict[str, int] = {}  # group minutes of each block
    for bid in ["am", "pm"][: 1 if services else draw(st.integers(1, 2))]:
        t = BLOCK_STARTS[bid]
        periods = []
        block_minutes[bid] = 0
        for _ in range(draw(st.integers(1, 2 if services else 3))):
            length = draw(st.sampled_from([30, 45, 60, 90]))
            periods.append({"start": hhmm(t), "end": hhmm(t + length)})
            block_minutes[bid] += length
            block_end = t + length  # of the last block: services have only one
            t += length + draw(st.sampled_from([0, 0, 15]))
        blocks.append({"id": bid, "periods": periods})
    slots = [f"{d}.{b['id']}" for d in days for b in blocks]
    stages = [f"s{i + 1}" for i in range(draw(st.integers(1, 2 if services else 3)))]

    # 1-3 counselors; at least 2 when loose with services (co-facilitation, appointments).
    n_counselors = draw(st.integers(2 if services and loose else 1, 3))
    group_types = []
    for i in range(draw(st.integers(1, 3 if services else 4))):
        g: dict[str, Any] = {"id": f"g{i}", "kind": draw(st.sampled_from(KINDS))}
        # Mostly small explicit sizes, else the kind defaults (always small when loose with
        # services: 6 patients at most).
        if draw(st.integers(0, 9)) > 0 or (services and loose):
            g["min_size"] = draw(st.sampled_from([1, 1, 2, 2, 3][: 3 if services and loose else 5]))
            g["max_size"] = g["min_size"] + draw(st.integers(2 if services and loose else 0, 4))
        g["stage_matched"] = chance(pct(50, 20))
        g["stages"] = subset(draw, stages, 1) if chance(pct(20, 5)) else None
        g["genders"] = subset(draw, GENDERS, 1) if chance(pct(10, 0)) else None
        g["tracks"] = subset(draw, TRACKS, 1) if chance(pct(10, 0)) else None
        g["requires_flags"] = ["x"] if chance(pct(5, 0)) else []
        if services:
            if chance(40):  # a curriculum, strict or not
                strict = chance(40)
                pool = draw(st.permutations(STRICT_TOPICS if strict else SOFT_TOPICS))
                g["topics"] = pool[: draw(st.integers(1, 3))]
                g["strict_curriculum"] = strict
            elif chance(5):
                g["strict_curriculum"] = True  # without topics: no effect
            if chance(pct(25, 15)):
                g["staff_required"] = 2
            if chance(pct(25, 10)):
                g["requires_role"] = draw(st.sampled_from(ROLES if not loose else ROLES[:2]))
            if chance(pct(20, 10)):
                g["family"] = True
                if draw(st.booleans()):
                    g["family_seats"] = draw(st.integers(1, 3))
        group_types.append(g)
    type_ids = [g["id"] for g in group_types]
    topics = sorted({t for g in group_types for t in g.get("topics", [])})

    requirements = []
    for _ in range(draw(st.integers(0, pct(3, 1)))):
        r: dict[str, Any] = {"stage": maybe(draw, st.sampled_from(stages), 0.6)}
        if draw(st.booleans()):
            r["group_type"] = draw(st.sampled_from(type_ids))
        else:
            r["kind"] = draw(st.sampled_from(KINDS))
        r["min_sessions"] = draw(st.sampled_from([0, 0, 1, 1, 2] if not loose else [0, 1]))
        r["max_sessions"] = maybe(draw, st.integers(r["min_sessions"], r["min_sessions"] + 2))
        requirements.append(r)
    if services and chance(35):  # so that the schedules found use the type's services
        requirements.append({"group_type": draw(st.sampled_from(type_ids)), "min_sessions": 1})

    counselor_ids = [f"C{i + 1}" for i in range(n_counselors)]
    counselors = []
    for cid in counselor_ids:
        c: dict[str, Any] = {
            "id": cid,
            "qualified": type_ids if chance(pct(70, 90)) else subset(draw, type_ids),
            "available": slots if chance(pct(70, 90)) else subset(draw, slots),
        }
        c["max_hours"] = draw(st.integers(1, 8)) if chance(pct(20, 5)) else None
        if services:
            if chance(pct(50, 30)):  # loose: only roles that can be primary
                c["roles"] = draw(st.sampled_from(ROLE_SETS[: pct(6, 4)]))
            if chance(pct(25, 10)):
                c["max_hours_per_day"] = draw(st.sampled_from([0.5, 1, 1.5, 2, 3, 4][pct(0, 3) :]))
            if chance(pct(25, 10)):
                c["max_individual"] = draw(st.integers(pct(0, 2), 4))
            if chance(pct(25, 10)):
                c["max_caseload"] = draw(st.integers(pct(0, 2), 5))
        counselors.append(c)
    # Counselors who can be primary (counselor or clinician role): the only valid references.
    primaries = [
        c["id"] for c in counselors if {"counselor", "clinician"} & set(c.get("roles", ROLES[:1]))
    ]

    rooms = []
    for i in range(draw(st.integers(1, 2 if services else 3))):
        rooms.append(
            {
                "id": f"R{i + 1}",
                "capacity": draw(st.sampled_from([1, 2, 3, 4, 5, 6, 8, 8][pct(0, 3) :])),
                "available": None if chance(pct(70, 90)) else subset(draw, slots),
            }
        )

    def profile() -> dict[str, Any]:
        """Stage, availability and eligibility traits of a patient."""
        return {
            "stage": draw(st.sampled_from(stages)),
            "available": slots
            if chance(pct(70, 85))
            else subset(draw, slots, int(services and loose)),
            "gender": maybe(draw, st.sampled_from(GENDERS), 0.3),
            "track": maybe(draw, st.sampled_from(TRACKS), 0.3),
            "flags": ["x"] if draw(st.booleans()) else [],
        }

    # Patients mostly copy one of one or two profiles (one when loose), so that groups can
    # form; each trait is redrawn one time in five (in twenty when loose).
    profiles = [profile() for _ in range(draw(st.integers(1, pct(2, 1))))]
    patient_ids = [f"P{i + 1}" for i in range(draw(st.integers(2, 6 if services else 10)))]
    patients = []
    for pid in patient_ids:
        traits = dict(draw(st.sampled_from(profiles)))
        fresh = profile()
        for key in traits:
            if chance(pct(20, 5)):
                traits[key] = fresh[key]
        available = traits["available"]
        # min_hours: the hours of 0-2 blocks (so usually a multiple of a block's hours); at
        # most one block a day when loose.
        n_blocks = draw(st.sampled_from([0, 1, 1, 1, 2]))
        minutes = sum(
            block_minutes[draw(st.sampled_from(list(block_minutes)))]
            for _ in range(min(n_blocks, pct(2, len(days))))
        )
        p: dict[str, Any] = {
            "id": pid,
            **traits,
            "min_hours": minutes / 60,
            "min_days": draw(st.sampled_from([0, 0, 1, 1, 2])) if len(days) > 1 else 0,
            "preferred": subset(draw, available) if draw(st.booleans()) else [],
            "primary_counselor": maybe(draw, st.sampled_from(primaries)) if primaries else None,
        }
        if chance(25):
            if services:  # whole blocks (one a day), so that it can be met
                more = draw(st.integers(int(loose), 2)) * block_minutes["am"]
                p["max_hours"] = (minutes + more) / 60
            else:
                p["max_hours"] = minutes / 60 + draw(st.integers(0, 4))
        if chance(pct(25, 5 if services else 15)):
            others = [q for q in patient_ids if q != pid]
            p["avoid"] = subset(draw, others, 1)[:2]
        if services:
            p["medication_management"] = chance(pct(30, 15))
            if topics and chance(30):
                p["completed_topics"] = subset(draw, topics)[:2]
        patients.append(p)

    data: dict[str, Any] = {
        "name": "hypothesis-loose" if loose else "hypothesis-strict",
        "days": days,
        "blocks": blocks,
        "stages": stages,
        "group_types": group_types,
        "requirements": requirements,
        "patients": patients,
        "counselors": counselors,
        "rooms": rooms,
        "weights": {w: draw(st.sampled_from([0, 1, 30, 60])) for w in WEIGHTS},
    }
    if not services:
        return data

    duration = draw(st.sampled_from([30, 40, 45, 50, 60]))
    times = individual_times(draw, BLOCK_STARTS["am"], block_end, duration, loose)
    times = times if chance(60) else []
    data["individual_slots"] = times
    # Offices: at least one when there are individual times (validation requires it), two
    # when loose.
    n_offices = draw(st.integers((2 if loose else 1) if times else 0, 2))
    for i in range(n_offices):
        rooms.append(
            {
                "id": f"O{i + 1}",
                "type": "office",
                "capacity": draw(st.integers(1, 2)),
                "available": None if chance(pct(70, 90)) else subset(draw, slots),
            }
        )
    # Loose: individual sessions (0-1 a week) only when the week's appointment times could
    # hold one per patient.
    fits = len(patients) <= len(days) * len(times) * min(n_offices, len(primaries))
    most = (1 if fits else 0) if loose else 2
    individual: dict[str, Any] = {
        "duration_minutes": duration,
        "per_week": min(most, draw(st.sampled_from([0, 1, 1, 2]))),
    }
    if chance(20):
        individual["per_week_by_stage"] = {
            s: draw(st.integers(0, most)) for s in subset(draw, stages)
        }
    if chance(30):
        individual["adjacent_minutes"] = draw(st.sampled_from([0, 15, 30, 60]))
    data["individual"] = individual
    if chance(pct(50, 35)):
        data["screening"] = {
            "per_week": draw(st.sampled_from([0, 1, 1, 2] if not loose else [0, 1])),
            "capacity_per_block": draw(st.sampled_from([1, 2, 3, 8][pct(0, 1) :])),
        }
    data["together"] = []
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 1, 2] if not loose else [0, 0, 0, 0, 1]))):
        a, b = draw(st.permutations(patient_ids))[:2]
        data["together"].append({"patients": [a, b], "group_type": draw(st.sampled_from(type_ids))})
        for p in patients:  # a pair who must share sessions cannot also avoid each other
            if p["id"] in (a, b):
                p["avoid"] = [q for q in p.get("avoid", []) if q not in (a, b)]
    # Medication needs a prescriber: when loose, there is one.
    medication = any(p["medication_management"] for p in patients)
    prescribers = [c for c in counselors if "prescriber" in c.get("roles", [])]
    if loose and medication and not prescribers:
        c = draw(st.sampled_from(counselors))
        c["roles"] = [*c.get("roles", ROLES[:1]), "prescriber"]
    data["weights"].update({w: draw(st.sampled_from([0, 1, 30, 60, 200])) for w in SERVICE_WEIGHTS})
    return data


def aggregation_is_relaxation(inst: Instance) -> bool:
    """Whether none of the aggregated model's documented restrictions applies (README, "How
    it solves"): no avoid pair, no together pair, no strict curriculum with topics. On such an
    instance the aggregated model is a relaxation of the plain one.

    Topics of other curricula are chosen after the solve in both formulations and only
    affect the reported objective (a valid bound stays a bound), so they do not break it.
    """
    return not (
        any(p.avoid for p in inst.patients)
        or inst.together
        or any(g.strict_curriculum and g.topics for g in inst.group_types)
    )


def services_used(inst: Instance, schedule: Schedule) -> list[str]:
    """Which services a found schedule exercises, for ``event`` statistics."""
    types = {g.id: g for g in inst.group_types}
    paired = {(pid, pair.group_type) for pair in inst.together for pid in pair.patients}
    return [
        name
        for name, used in [
            ("individual sessions", bool(schedule.individual_sessions)),
            ("medication", bool(schedule.medication_appointments)),
            ("screens", bool(schedule.screens)),
            ("assigned primaries", bool(schedule.primary_counselors)),
            ("topics", any(s.topic for s in schedule.sessions)),
            (
                "strict topics",
                any(s.topic and types[s.group_type].strict_curriculum for s in schedule.sessions),
            ),
            ("co-led", any(len(s.counselors) > 1 for s in schedule.sessions)),
            ("required role", any(types[s.group_type].requires_role for s in schedule.sessions)),
            ("family group", any(types[s.group_type].family for s in schedule.sessions)),
            (
                "couples",
                any((p, s.group_type) in paired for s in schedule.sessions for p in s.patients),
            ),
        ]
        if used
    ]


def features(inst: Instance) -> list[str]:
    """Which services an instance uses, for ``event`` statistics."""
    groups = inst.group_types
    return [
        name
        for name, used in [
            ("appointments", bool(inst.individual_slots)),
            ("medication", any(p.medication_management for p in inst.patients)),
            ("screening", inst.screening is not None),
            ("topics", any(g.topics for g in groups)),
            ("strict", any(g.topics and g.strict_curriculum for g in groups)),
            ("co-led", any(g.staff_required > 1 for g in groups)),
            ("role", any(g.requires_role for g in groups)),
            ("family", any(g.family for g in groups)),
            ("together", bool(inst.together)),
            ("unassigned", any(p.primary_counselor is None for p in inst.patients)),
        ]
        if used
    ]


# One worker (the same example gives the same result unless time runs out), at most a second
# a solve: the services instances solve in milliseconds, but a few base ones take seconds to
# prove optimal, and Hypothesis tends to draw variants of them in a row. Out of time, a found
# schedule is "feasible" and none is "unknown": no verdict.
# These compare the model's formulations, so the search starts from scratch (no greedy
# warm start); test_warm_start_is_checked_and_never_beats_the_exact_optimum covers that.
SOLVE = dict(time_limit=1.0, workers=1, warm_start="none")


def solve_both_and_compare(data: dict[str, Any]) -> None:
    """Solve with both formulations (each schedule checked) and compare the verdicts."""
    inst = parse_instance(data)
    plain = solve_checked(inst, formulation="plain", **SOLVE)
    agg = solve_checked(inst, formulation="aggregated", **SOLVE)
    relaxed = aggregation_is_relaxation(inst)
    note(f"plain {plain.status} {plain.objective} {plain.terms}")
    note(f"aggregated {agg.status} {agg.objective} {agg.terms}; relaxation: {relaxed}")
    event(f"plain {plain.status}, aggregated {agg.status}")
    for name in features(inst):
        event(f"instance with {name}")
    for result in (plain, agg):
        if result.found:
            for name in services_used(inst, result.schedule):
                event(f"{result.schedule.status} schedule with {name}")

    for result in (plain, agg):
        s = result.schedule
        if result.found:
            assert result.objective is not None and result.best_bound is not None
            assert result.best_bound <= result.objective + 1e-6
        else:
            assert result.objective is None
            assert s.sessions == [] and s.individual_sessions == []
            assert s.medication_appointments == [] and s.screens == []
            assert s.primary_counselors == {}

    # Every schedule returned is valid (solve_checked) and the plain model is exact, so a
    # schedule found by either formulation proves the instance feasible, and an infeasible
    # plain verdict is one for aggregated too (unless that ran out of time)...
    if agg.found:
        assert plain.status != "infeasible"
    if plain.status == "infeasible":
        assert agg.status in ("infeasible", "unknown")
    # ... and no valid schedule beats a proven optimum of the plain model.
    if plain.status == "optimal" and agg.found:
        assert agg.objective is not None and plain.objective is not None
        assert agg.objective >= plain.objective

    if not relaxed:
        return
    # Without its restrictions the aggregated model is a relaxation of the plain one: it is
    # feasible whenever plain is, and its proven optimum (objective == bound) is a lower bound
    # on every valid schedule. So when both are optimal the objectives are equal.
    if agg.status == "infeasible":
        assert plain.status in ("infeasible", "unknown")
    if agg.status == "optimal" and plain.found:
        assert agg.objective is not None and plain.objective is not None
        assert agg.objective <= plain.objective
    if agg.status == plain.status == "optimal":
        assert agg.objective == plain.objective


@settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(instance_data())
def test_solutions_pass_the_checker_and_formulations_agree(data: dict[str, Any]) -> None:
    solve_both_and_compare(data)


# Every service at once (a strict curriculum with a completed topic, co-led sessions with a
# required role, a family group with a couple, appointments, medication, screens, assigned
# primaries, staff limits), feasible: random draws reach such schedules only now and then.
WEEK = ["mon.am", "tue.am"]
SERVICES_EXAMPLE: dict[str, Any] = {
    "name": "services",
    "days": ["mon", "tue"],
    "blocks": [{"id": "am", "periods": [{"start": "09:00", "end": "10:00"},
                                        {"start": "10:15", "end": "11:15"}]}],
    "stages": ["s1", "s2"],
    "group_types": [
        {"id": "edu", "kind": "psychoeducational", "min_size": 2, "max_size": 6,
         "topics": ["a1", "a2"], "strict_curriculum": True},
        {"id": "skills", "kind": "skills", "min_size": 1, "max_size": 4, "topics": ["b1", "b2"],
         "staff_required": 2, "requires_role": "clinician"},
        {"id": "family", "kind": "interpersonal_process", "min_size": 2, "max_size": 4,
         "family": True, "family_seats": 2},
    ],
    "requirements": [{"group_type": g, "min_sessions": 1} for g in ["edu", "skills", "family"]],
    "patients": [
        {"id": pid, "stage": stage, "available": WEEK, "min_hours": 4, "min_days": 2, **extra}
        for pid, stage, extra in [
            ("P1", "s1", {"primary_counselor": "C1"}),
            ("P2", "s1", {"medication_management": True}),
            ("P3", "s2", {"medication_management": True}),
            ("P4", "s2", {"completed_topics": ["a1"]}),
        ]
    ],
    "counselors": [
        {"id": "C1", "qualified": ["edu", "skills", "family"], "available": WEEK,
         "max_hours_per_day": 3, "max_caseload": 3},
        {"id": "C2", "qualified": ["edu", "skills", "family"], "available": WEEK,
         "roles": ["clinician", "prescriber"], "max_individual": 3},
        {"id": "C3", "qualified": ["skills"], "available": WEEK,
         "roles": ["counselor", "clinician"]},
    ],
    "rooms": [{"id": "R1", "capacity": 8}, {"id": "R2", "capacity": 4},
              {"id": "O1", "type": "office", "capacity": 1},
              {"id": "O2", "type": "office", "capacity": 1}],
    "individual": {"duration_minutes": 45, "per_week": 1, "adjacent_minutes": 15},
    "individual_slots": [{"start": "08:00", "end": "08:45"}, {"start": "11:15", "end": "12:00"},
                         {"start": "13:00", "end": "14:00"}],
    "screening": {"per_week": 1, "capacity_per_block": 3},
    "together": [{"patients": ["P3", "P4"], "group_type": "family"}],
}  # fmt: skip


@settings(
    max_examples=120,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@example(data=SERVICES_EXAMPLE)
@given(instance_data(services=True))
def test_services_pass_the_checker_and_formulations_agree(data: dict[str, Any]) -> None:
    solve_both_and_compare(data)


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(instance_data(services=True))
def test_best_effort_returns_a_checked_timetable(data: dict[str, Any]) -> None:
    # Best effort never gives up on a patient-side rule; the checker accepts the schedule
    # with exactly its listed shortfalls (solve_checked). Instances whose fixed rules alone
    # conflict (e.g. a given caseload above max_caseload) may still have no timetable.
    inst = parse_instance(data)
    result = solve_checked(inst, best_effort=True, **SOLVE)
    if result.found:
        assert result.schedule.best_effort
        plain = solve_checked(inst, **SOLVE)
        if plain.status == "optimal" and result.status == "optimal":
            # The plain optimum has no shortfalls, so best effort's optimum costs at most as
            # much; a shortfall remains only where the instance's weights make it cheaper
            # than meeting the rule (hypothesis draws the weights), never where it costs more.
            assert result.objective is not None and plain.objective is not None
            assert result.objective <= plain.objective
            if not result.schedule.shortfalls:
                assert result.objective == plain.objective


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(instance_data(services=True))
def test_warm_start_is_checked_and_never_beats_the_exact_optimum(data: dict[str, Any]) -> None:
    """With the default greedy warm start, what comes back is checked (solve_checked), is
    never worse than the greedy's own timetable, and never better than the plain model's
    proven optimum: the greedy and the search agree with the exact model."""
    from scheduler.greedy import greedy_schedule

    inst = parse_instance(data)
    warm = solve_checked(inst, time_limit=1.0, workers=1)
    greedy = greedy_schedule(inst).schedule
    event(f"greedy {'valid' if greedy is not None else 'stuck'}, warm {warm.status}")
    if greedy is not None:
        assert warm.found and warm.objective is not None
        assert warm.objective <= (greedy.objective or 0)
    exact = solve_checked(inst, formulation="plain", **SOLVE)
    if exact.status == "optimal" and warm.found:
        assert warm.objective is not None and exact.objective is not None
        assert warm.objective >= exact.objective
    if exact.status == "infeasible":
        assert greedy is None and not warm.found


def test_services_example_uses_every_service() -> None:
    # Keeps the explicit example meaningful: both formulations schedule every service in it
    # (so the checker sees each of them every run) and prove the same optimum.
    inst = parse_instance(SERVICES_EXAMPLE)
    plain = solve_checked(inst, formulation="plain", **SOLVE)
    agg = solve_checked(inst, formulation="aggregated", **SOLVE)
    assert plain.status == agg.status == "optimal"
    assert plain.objective == agg.objective
    for result in (plain, agg):
        assert len(services_used(inst, result.schedule)) == 10, result.schedule


# -- the generator -------------------------------------------------------------------------


def small_stages(inst: Instance) -> list[str]:
    """Stages with 1-3 patients: too few for any stage-matched group of the generator."""
    count: dict[str, int] = {}
    for p in inst.patients:
        count[p.stage] = count.get(p.stage, 0) + 1
    return sorted(s for s, n in count.items() if n < 4)


@settings(max_examples=25, deadline=None, database=None)
@example(patients=8, seed=3)  # regression: see test_generator_small_stages_are_merged
@given(patients=st.integers(8, 60), seed=st.integers(0, 2**32 - 1))
def test_generator_witness_is_accepted(patients: int, seed: int) -> None:
    inst, witness = generate(patients, seed=seed)
    assert len(inst.patients) == patients
    assert witness is not None
    report = check(inst, witness)
    assert report.ok, report.violations[:3]
    assert small_stages(inst) == []


@pytest.mark.parametrize(("patients", "seed"), [(8, 3), (12, 18), (12, 36)])
def test_generator_small_stages_are_merged(patients: int, seed: int) -> None:
    # Regression: _form_cohorts used to merge a too-small last stage (community_integration)
    # back into the previous stage without re-checking its size, e.g. for (8, 3): maintenance
    # 2 -> community_integration 3 -> back to maintenance 3, a cohort below min_size 4, so
    # the witness broke group_size (and the instance was infeasible).
    inst, witness = generate(patients, seed=seed)
    assert small_stages(inst) == []
    assert witness is not None
    assert check(inst, witness).ok


@pytest.mark.parametrize("seed", [113, 51169455, 3528525997, 4169193853])
def test_generator_witness_exists_for_eight_engagement_patients(seed: int) -> None:
    # Regression (found by test_generator_witness_is_accepted): these seeds put all 8 patients
    # in engagement (2 individual sessions a week: 16) in one cohort that attends 3 days, and
    # _default_counselors sized the primaries for that demand spread over the individual
    # times of all 5 days: 3 counselors for the 6 times of the cohort's days, the witness's
    # individual sessions did not fit, the witness was None and some of the instances (113,
    # 4169193853) were infeasible.
    inst, witness = generate(8, seed=seed)
    assert {p.stage for p in inst.patients} == {"engagement"}
    assert witness is not None
    assert check(inst, witness).ok
