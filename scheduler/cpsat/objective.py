"""The soft terms of the objective: each adds a weighted term to ``tm.terms`` (a term of
weight 0 is left out); the model minimizes their sum."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from ortools.sat.python import cp_model

from models.schedule import SHORTFALL_TERM
from scheduler.cpsat.cohort_plan import curriculum
from scheduler.cpsat.variables import ModelBase, Var


def sessions_run(tm: ModelBase) -> None:
    """Fewer sessions means less staff time."""
    tm.term("session_run", tm.instance.weights.session_run, sum(tm.open.values()))


def excess_minutes(tm: ModelBase) -> None:
    """Minutes a patient attends above their min_hours."""
    attended = [
        tm.index.block_minutes(s) * tm.attend[(p.id, s)]
        for p in tm.instance.patients
        for s in tm.index.patient_slots(p)
    ]
    required = sum(p.min_minutes for p in tm.instance.patients)
    # In best effort a patient may be below min_hours: adding the shortfall makes each
    # patient's part max(0, attended - min), as the checker counts it.
    short = [v for (rule, *_), v in tm.shortfalls.items() if rule == "min_hours"]
    excess = sum(attended) - required + sum(short)
    tm.term("excess_minutes", tm.instance.weights.excess_minutes, excess)


def preferred_missed(tm: ModelBase) -> None:
    """Blocks a patient attends outside their preferred slots (when they named some)."""
    missed = [
        tm.attend[(p.id, s)]
        for p in tm.instance.patients
        if p.preferred
        for s in tm.index.patient_slots(p)
        if s not in p.preferred
    ]
    tm.term("preferred_missed", tm.instance.weights.preferred_missed, sum(missed))


def load_imbalance(tm: ModelBase) -> None:
    """Group minutes of the most loaded leader minus those of the least loaded."""
    weight = tm.instance.weights.load_imbalance_minutes
    if not weight:
        return
    horizon = sum(p.minutes for p in tm.index.periods)
    spreads = []
    for site, leaders in tm.index.balance_groups():
        if len(leaders) < 2:
            continue
        loads = {c.id: sum(mins * v for mins, v in tm.minutes_led.get(c.id, [])) for c in leaders}
        spreads.append(_spread(tm, f"load{site or ''}", loads, horizon))
    if spreads:
        tm.term("load_imbalance_minutes", weight, sum(spreads))


def primary_not_leading(tm: ModelBase) -> None:
    """Patients whose primary counselor leads none of their groups."""
    weight = tm.instance.weights.primary_not_leading
    if not weight:
        return
    m = tm.model
    unreachable = 0  # patients whose primary can lead none of their possible sessions
    not_led: list[cp_model.LinearExprT] = []
    for p in tm.instance.patients:
        cid = p.primary_counselor
        if cid is None:
            continue
        together = []
        for n in tm.seats_of[p.id]:
            lead = tm.leads_at[n].get(cid)
            if lead is None:
                continue
            both = m.new_bool_var(f"with_primary[{p.id},{n}]")
            m.add_multiplication_equality(both, [tm.seat[(p.id, n)], lead])
            together.append(both)
        if not together:
            unreachable += 1
            continue
        led = m.new_bool_var(f"primary_leads[{p.id}]")
        m.add_max_equality(led, together)
        not_led.append(1 - led)
    tm.term("primary_not_leading", weight, sum(not_led) + unreachable)


def individual_extra_trip(tm: ModelBase) -> None:
    """Appointments not directly before or after the patient's block that day."""
    weight = tm.instance.weights.individual_extra_trip
    if not weight or not tm.appts:
        return
    m = tm.model
    at_time: dict[tuple[str, str, int], list[Var]] = defaultdict(list)
    for (_, pid, _, day, k), v in tm.appts.items():
        at_time[(pid, day, k)].append(v)
    trips = []
    for (pid, day, k), vars_ in at_time.items():
        time = tm.index.appointment_at[(day, k)]
        for slot in tm.index.day_slots(day):
            attend = tm.attend.get((pid, slot))
            if attend is None or tm.index.next_to(time, slot):
                continue
            # Exactly one appointment at a time, so the sum is a Boolean.
            trip = m.new_bool_var(f"trip[{pid},{time.label},{slot}]")
            m.add_multiplication_equality(trip, [sum(vars_), attend])
            trips.append(trip)
    tm.term("individual_extra_trip", weight, sum(trips))


def topic_repeat(tm: ModelBase) -> None:
    """Repeats no topic choice can avoid: sessions beyond the topics still new to a patient.

    A lower bound of the term: the topics themselves are chosen after the solve, and the
    schedule reports the repeats of that choice (never fewer than this count).
    """
    weight = tm.instance.weights.topic_repeat
    soft = [g for g in tm.instance.group_types if g.topics and not g.strict_curriculum]
    if not weight or not any(g.topics for g in tm.instance.group_types):
        return
    soft_ids = {g.id for g in soft}
    forced = _cohort_topic_repeats(tm, soft_ids)
    in_cohorts = {pid for cohort in tm.cohorts for pid in cohort.patients}
    for p in tm.instance.patients:
        if p.id in in_cohorts:
            continue
        seats = [
            tm.seat[(p.id, n)]
            for n in tm.seats_of[p.id]
            if tm.candidates[n].group_type.id in soft_ids
        ]
        new = {t for g in soft if tm.index.eligible(p, g) for t in g.topics}
        new -= set(p.completed_topics)
        if len(seats) > len(new):
            repeats = tm.model.new_int_var(0, len(seats), f"forced_repeats[{p.id}]")
            tm.model.add_max_equality(repeats, [0, sum(seats) - len(new)])
            forced.append(repeats)
    tm.term("topic_repeat", weight, sum(forced))


def _cohort_topic_repeats(tm: ModelBase, soft_ids: set[str]) -> list[cp_model.LinearExprT]:
    """The repeats of each planned cohort's topics, when it sits ``S`` sessions with a
    curriculum chosen after the solve: its members hear the ``S`` topics fewest of them
    have heard (each topic once a week), then topics all of them heard this week.

    Exact when every member sits every such session of the cohort and no one else
    joins; it guides the search to fewer of those sessions where the cohort has heard
    most topics (cohort weeks have no valid bound anyway)."""
    m = tm.model
    found: list[cp_model.LinearExprT] = []
    for k, cohort in enumerate(tm.cohorts):
        sessions = [
            v
            for (c, n), v in tm.cohort_sits.items()
            if c == k and tm.candidates[n].group_type.id in soft_ids
        ]
        if not sessions:
            continue
        topics, _ = curriculum(tm.index, tm.index.patient[cohort.patients[0]].stage)
        heard = sorted(
            sum(t in tm.index.patient[pid].completed_topics for pid in cohort.patients)
            for t in topics
        )
        cost = [0]
        for s in range(1, len(sessions) + 1):
            extra = heard[s - 1] if s <= len(heard) else len(cohort.patients)
            cost.append(cost[-1] + extra)
        if not any(cost):
            continue
        count = m.new_int_var(0, len(sessions), f"cohort_topic_sessions[{k}]")
        m.add(count == sum(sessions))
        repeats = m.new_int_var(0, cost[-1], f"cohort_topic_repeats[{k}]")
        m.add_element(count, cost, repeats)
        found.append(repeats)
    return found


def caseload_imbalance(tm: ModelBase) -> None:
    """Largest minus smallest caseload, when the solver assigns primary counselors."""
    weight = tm.instance.weights.caseload_imbalance
    if not weight:
        return
    spreads = []
    for site, candidates in tm.index.caseload_groups():
        if len(candidates) >= 2:
            loads = {c.id: tm.caseload(c) for c in candidates}
            horizon = len(tm.instance.patients)
            spreads.append(_spread(tm, f"caseload{site or ''}", loads, horizon))
    if spreads:
        tm.term("caseload_imbalance", weight, sum(spreads))


def shortfall(tm: ModelBase) -> None:
    """Best effort: minutes below min_hours, days below min_days, and sessions missing
    from requirement rows, appointments and screens."""
    if not tm.best_effort:
        return
    w = tm.instance.weights
    by_term: dict[str, list[Var]] = defaultdict(list)
    for (rule, *_), short in tm.shortfalls.items():
        by_term[SHORTFALL_TERM[rule]].append(short)
    for term in ("shortfall_minutes", "shortfall_days", "shortfall_sessions"):
        tm.term(term, getattr(w, term), sum(by_term[term]))


def _spread(
    tm: ModelBase, name: str, values: Mapping[str, cp_model.LinearExprT], horizon: int
) -> cp_model.LinearExprT:
    """Largest minus smallest of ``values`` (each within 0..horizon)."""
    m = tm.model
    loads = []
    for key, expr in values.items():
        load = m.new_int_var(0, horizon, f"{name}[{key}]")
        m.add(load == expr)
        loads.append(load)
    most = m.new_int_var(0, horizon, f"{name}_max")
    least = m.new_int_var(0, horizon, f"{name}_min")
    # Equalities, not bounds: the term must equal the checker's value in every solution.
    m.add_max_equality(most, loads)
    m.add_min_equality(least, loads)
    return most - least
