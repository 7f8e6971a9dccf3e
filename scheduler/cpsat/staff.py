"""Staff rules: who leads a session, counselors' availability, hours and one place at a
time, and primary counselors the solver assigns."""

from __future__ import annotations

from collections import defaultdict

from scheduler.cpsat.variables import ModelBase, Var


def counselors(tm: ModelBase) -> None:
    """staff_required qualified, available counselors per session, one session at a time,
    within max_hours; one of them with the type's required role."""
    by_counselor_period: dict[tuple[str, str, int], list[Var]] = defaultdict(list)
    for cand in tm.candidates:
        g = cand.group_type
        leads = tm.leads_at[cand.number]
        tm.model.add(sum(leads.values()) == g.staff_required * tm.open[cand.number])
        if g.requires_role is not None:
            with_role = [
                v
                for cid, v in leads.items()
                if tm.index.has_role(tm.index.counselor[cid], g.requires_role)
            ]
            tm.model.add(sum(with_role) >= tm.open[cand.number])
        for cid, v in leads.items():
            by_counselor_period[(cid, *cand.period.key)].append(v)
    for vars_ in by_counselor_period.values():
        if len(vars_) > 1:
            tm.model.add_at_most_one(vars_)
    for cid, items in tm.minutes_led.items():
        cap = tm.index.counselor[cid].max_minutes
        if cap is not None:
            ct = tm.model.add(sum(mins * v for mins, v in items) <= cap)
            tm.guard(ct, "counselor_max_hours", cid)


def counselor_availability(tm: ModelBase) -> None:
    """In a diagnosis only: a counselor leads nothing outside their available slots."""
    if not tm.diagnose:
        return
    for cand in tm.candidates:
        for cid, lead in tm.leads_at[cand.number].items():
            if cand.period.slot not in tm.index.counselor[cid].available:
                tm.guard(tm.model.add(lead == 0), "counselor_available", cid)


def counselors_busy(tm: ModelBase) -> None:
    """A counselor is in one appointment at a time, never while leading an overlapping
    group, and within max_individual."""
    m = tm.model
    by_time: dict[tuple[str, str, int], list[Var]] = defaultdict(list)
    individual: dict[str, list[Var]] = defaultdict(list)
    for (kind, _, cid, day, k), v in tm.appts.items():
        by_time[(cid, day, k)].append(v)
        if kind == "individual":
            individual[cid].append(v)
    leads_in: dict[tuple[str, str, int], list[Var]] = defaultdict(list)
    for cand in tm.candidates:
        for cid, v in tm.leads_at[cand.number].items():
            leads_in[(cid, *cand.period.key)].append(v)
    for (cid, day, k), vars_ in by_time.items():
        time = tm.index.appointment_at[(day, k)]
        m.add_at_most_one(vars_)
        for period in tm.index.periods_clashing(time):
            leading = leads_in.get((cid, *period.key), [])
            if leading:
                m.add(sum(vars_) + sum(leading) <= 1)
    for cid, vars_ in individual.items():
        cap = tm.index.counselor[cid].max_individual
        if cap is not None:
            tm.guard(m.add(sum(vars_) <= cap), "max_individual", cid)


def daily_hours(tm: ModelBase) -> None:
    """A counselor's groups and appointments on a day fit their max_hours_per_day."""
    minutes: dict[tuple[str, str], list[tuple[int, Var]]] = defaultdict(list)
    for cand in tm.candidates:
        for cid, v in tm.leads_at[cand.number].items():
            minutes[(cid, cand.period.day)].append((cand.period.minutes, v))
    for (_, _, cid, day, k), v in tm.appts.items():
        minutes[(cid, day)].append((tm.index.appointment_at[(day, k)].minutes, v))
    for (cid, _), items in minutes.items():
        cap = tm.index.counselor[cid].max_minutes_per_day
        if cap is not None:
            ct = tm.model.add(sum(mins * v for mins, v in items) <= cap)
            tm.guard(ct, "counselor_max_hours_per_day", cid)


def primary_counselors(tm: ModelBase) -> None:
    """Each patient without a primary counselor gets one; caseloads within max_caseload."""
    m = tm.model
    idx = tm.index
    for p in idx.unassigned:
        choices = []
        for c in idx.primary_candidates:
            var = m.new_bool_var(f"primary[{p.id},{c.id}]")
            tm.primary[(p.id, c.id)] = var
            choices.append(var)
        m.add(sum(choices) == 1)
    for (kind, pid, cid, _, _), v in tm.appts.items():
        if kind == "individual" and (pid, cid) in tm.primary:
            m.add_implication(v, tm.primary[(pid, cid)])
    for c in idx.primary_candidates:
        if c.max_caseload is not None:
            tm.guard(m.add(tm.caseload(c) <= c.max_caseload), "max_caseload", c.id)
