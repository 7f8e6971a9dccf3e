"""Solve an instance: build the model, run CP-SAT, read the schedule back."""

from __future__ import annotations

import math
import os
import signal
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from ortools.sat.python import cp_model

from models import (
    Appointment,
    GroupType,
    Instance,
    Schedule,
    Session,
    Shortfall,
    load_instance,
)
from models.index import clock
from models.schedule import Status
from scheduler.bound import objective_floor
from scheduler.diagnose import diagnose
from scheduler.draw import draw_screens
from scheduler.hint import add_hint
from scheduler.model import Candidate, TimetableModel
from scheduler.seating import seat_jointly
from scheduler.sites import solve_by_site, spans_sites
from scheduler.split import Part, split_family
from scheduler.topics import assign_topics, count_repeats

_STATUS: dict[Any, Status] = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "feasible",
    cp_model.INFEASIBLE: "infeasible",
    cp_model.UNKNOWN: "unknown",
}


@dataclass(frozen=True)
class SolveSettings:
    """How to run the solver.

    Parameters
    ----------
    time_limit
        Seconds of wall clock; with ``deterministic``, units of CP-SAT's
        deterministic time instead (reproducible, roughly seconds).
    workers
        CP-SAT search workers. More workers than cores still help on 2 cores
        (a wider portfolio moves the bound); 0 lets CP-SAT choose.
    seed
        Random seed of the search, and of the drug-screen draw: the same seed and
        the same attendance give the same screens.
    deterministic
        Stop on deterministic time, not wall clock, so that the same instance,
        seed and ``workers=1`` give the same schedule byte for byte.
    relative_gap
        Stop once (objective - bound) / objective is at most this.
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
        Any other CP-SAT parameter by name, passed through as given.
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


@dataclass
class SolveResult:
    """What a solve returns: the schedule and its statistics.

    Status, objective, bound, gap and terms are read from the schedule, so the
    result and the JSON it writes cannot disagree.
    """

    schedule: Schedule
    wall_seconds: float
    model_stats: dict[str, int]
    first_solution_seconds: float | None = None
    solutions: int = 0
    # The search was stopped before its limit (Ctrl-C, or SIGINT to the process): the
    # schedule is the best found so far, status feasible (or unknown when none was).
    interrupted: bool = False
    # Multi-site: each site's status (the organization's schedule merges the sites').
    site_statuses: dict[str, Status] = field(default_factory=dict)

    @property
    def status(self) -> Status:
        return self.schedule.status

    @property
    def objective(self) -> int | None:
        return self.schedule.objective

    @property
    def best_bound(self) -> float | None:
        return self.schedule.best_bound

    @property
    def gap(self) -> float | None:
        return self.schedule.gap

    @property
    def terms(self) -> dict[str, int]:
        """The objective by term (terms with weight 0 are left out)."""
        return self.schedule.objective_terms

    @property
    def found(self) -> bool:
        """Whether a schedule (optimal or not) was found."""
        return self.status in ("optimal", "feasible")

    def summary(self) -> str:
        """Aligned text lines for a person: status, objective, bound, gap, time, sizes."""
        sessions = self.schedule.sessions
        rows: list[tuple[str, str]] = [
            ("instance", self.schedule.instance),
            ("status", self.status),
        ]
        if self.found:
            rows += [
                ("objective", str(self.objective)),
                ("best bound", _num(self.best_bound)),
                ("gap", f"{100 * self.gap:.2f} %" if self.gap is not None else "-"),
            ]
        rows.append(("time", f"{self.wall_seconds:.2f} s"))
        if self.first_solution_seconds is not None:
            rows.append(("first schedule at", f"{self.first_solution_seconds:.2f} s"))
        if self.interrupted:
            rows.append(("stopped", "interrupted (Ctrl-C): the best schedule found so far"))
        if self.found:
            minutes: dict[str, int] = {}
            for s in sessions:
                mins = s.minutes
                for p in s.patients:
                    minutes[p] = minutes.get(p, 0) + mins
            rows.append(("sessions", str(len(sessions))))
            sched = self.schedule
            for label, count in (
                ("individual sessions", len(sched.individual_sessions)),
                ("medication appointments", len(sched.medication_appointments)),
                ("screens", len(sched.screens)),
                ("primaries assigned", len(sched.primary_counselors)),
                ("shortfalls", len(sched.shortfalls)),
            ):
                if count:
                    rows.append((label, str(count)))
            if minutes:
                low, high = min(minutes.values()) / 60, max(minutes.values()) / 60
                rows.append(("hours per patient", f"{low:.1f} - {high:.1f}"))
            for name, value in self.terms.items():
                rows.append((f"  {name}", str(value)))
        width = max(len(k) for k, _ in rows)
        return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:g}"


@dataclass(frozen=True)
class ProgressEvent:
    """A better schedule was found during the search (the solver's own objective: the
    written schedule's objective is recomputed after the split and can be a little higher)."""

    elapsed: float
    objective: float
    best_bound: float
    solutions: int

    @property
    def gap(self) -> float:
        return max(0.0, (self.objective - self.best_bound) / max(abs(self.objective), 1e-9))


class _Progress(cp_model.CpSolverSolutionCallback):
    """Records when the first schedule was found and reports each better one.

    O(1) per solution when nobody listens, as callbacks slow the search.
    """

    def __init__(
        self,
        started: float,
        listener: Callable[[ProgressEvent], None] | None = None,
        floor: float = 0.0,
        relative_gap: float = 0.0,
    ) -> None:
        super().__init__()
        self.started = started
        self.listener = listener
        self.first_seconds: float | None = None
        self.count = 0
        self.best = math.inf
        self.close_enough = False  # the best schedule is within the gap limit of ``floor``
        self.floor = floor  # a bound known before the search (scheduler.bound)
        self.relative_gap = relative_gap

    def incumbent(self, objective: float) -> None:
        """A schedule found before the search (the greedy one): the first event."""
        self.best = objective
        self.count += 1
        elapsed = time.perf_counter() - self.started
        self.first_seconds = elapsed
        self.close_enough = self._within_gap(objective)
        if self.listener is not None:
            self.listener(ProgressEvent(elapsed, objective, self.floor, self.count))

    def on_solution_callback(self) -> None:
        self.count += 1
        elapsed = time.perf_counter() - self.started
        if self.first_seconds is None:
            self.first_seconds = elapsed
        if self.objective_value >= self.best:
            return  # not better than the schedule found before the search
        self.best = self.objective_value
        if self.listener is not None:
            bound = max(self.best_objective_bound, self.floor)
            self.listener(ProgressEvent(elapsed, self.objective_value, bound, self.count))
        if self._within_gap(self.objective_value):  # CP-SAT's own limit knows only its bound
            self.close_enough = True
            self.stop_search()

    def _within_gap(self, objective: float) -> bool:
        return self.relative_gap > 0 and objective - self.floor <= self.relative_gap * abs(
            objective
        )


def _parameters(settings: SolveSettings) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.num_workers = settings.workers
    p.random_seed = settings.seed
    if settings.deterministic:
        p.max_deterministic_time = settings.time_limit
        if settings.workers != 1:
            p.interleave_search = True  # deterministic for any number of workers
    else:
        p.max_time_in_seconds = settings.time_limit
    p.relative_gap_limit = settings.relative_gap
    for name, value in settings.parameters.items():
        setattr(p, name, value)
    return solver


def solve(
    instance: Instance | str | os.PathLike[str],
    settings: SolveSettings | None = None,
    on_progress: Callable[[ProgressEvent], None] | None = None,
    start_from: Schedule | None = None,
) -> SolveResult:
    """Find a timetable for a week.

    Parameters
    ----------
    instance
        A validated :class:`models.Instance`, or the path of an instance JSON file.
    settings
        Solver settings; defaults to a 60 s limit on 8 workers.
    on_progress
        Called with a :class:`ProgressEvent` each time the search finds a better
        schedule (from the solver's thread: keep it short).
    start_from
        A timetable to start the search from (a hint for every variable: say last
        week's schedule, or one edited by hand). Entries the instance no longer has
        are ignored; it need not be valid, CP-SAT repairs it.

    Returns
    -------
    SolveResult
        Status, schedule, objective, best bound, gap, wall time and the
        objective broken down by term. When no schedule was found the schedule
        has status ``infeasible`` or ``unknown`` and no sessions.
    """
    if not isinstance(instance, Instance):
        instance = load_instance(instance)
    settings = settings or SolveSettings()
    if spans_sites(instance):
        return solve_by_site(instance, settings, on_progress, start_from)
    with _CtrlC() as ctrl_c:
        return _solve_one(instance, settings, on_progress, start_from, ctrl_c)


def _solve_one(
    instance: Instance,
    settings: SolveSettings,
    on_progress: Callable[[ProgressEvent], None] | None,
    start_from: Schedule | None,
    ctrl_c: _CtrlC,
) -> SolveResult:
    """One program (one site): build, warm start, search, read back."""
    started = time.perf_counter()
    # A valid timetable from the greedy construction is the first incumbent: reported at
    # once, returned if the search finds nothing better, and the search's hint.
    warm: Schedule | None = None
    if start_from is not None and not settings.best_effort:
        warm = valid_as_is(instance, start_from)  # a valid start is kept if nothing beats it
    elif start_from is None and settings.warm_start == "greedy" and not settings.best_effort:
        from scheduler.greedy import greedy_schedule

        warm = start_from = greedy_schedule(instance, settings.seed).schedule
    # The patient-by-patient bound (reported, and for the gap limit; as a constraint in the
    # model it did not help the search). Ours, not the plain baseline's.
    aggregate = settings.formulation == "aggregated"
    floor = objective_floor(instance) if aggregate and not settings.best_effort else None
    progress = _Progress(started, on_progress, floor or 0, settings.relative_gap)
    if warm is not None and warm.objective is not None:
        progress.incumbent(warm.objective)
    tm = TimetableModel(instance, aggregate=aggregate, best_effort=settings.best_effort)
    if start_from is not None:
        add_hint(tm, start_from)
    solver = _parameters(settings)
    if ctrl_c.pressed or progress.close_enough:  # skip the search, keep what we have
        solver.parameters.max_time_in_seconds = 0.0
    # During the search CP-SAT catches Ctrl-C itself and returns its best solution.
    code = solver.solve(tm.model, progress)
    ctrl_c.rearm()  # CP-SAT leaves SIGINT at its default action when it is done
    wall = time.perf_counter() - started
    if code == cp_model.MODEL_INVALID:  # a bug in the model builder, never a property of the input
        raise RuntimeError(f"internal error: invalid CP-SAT model: {tm.model.validate()}")
    status = _STATUS[code]
    interrupted = ctrl_c.pressed or (
        not progress.close_enough and _interrupted(code, solver, settings)
    )

    objective = best_bound = gap = None
    terms: dict[str, int] = {}
    sessions: list[Session] = []
    services: dict[str, Any] = {}
    if status in ("optimal", "feasible"):
        sessions = read_sessions(tm, solver)
        assign_topics(tm.index, sessions)
        services = read_services(tm, solver, sessions, settings.seed)
        if settings.best_effort:
            services["shortfalls"] = read_shortfalls(tm, solver)
        terms = {name: w * int(solver.value(expr)) for name, (w, expr) in tm.terms.items()}
        if "topic_repeat" in terms:
            # The model counts only the repeats no choice avoids; the topics chosen for
            # the groups it formed may repeat more.
            terms["topic_repeat"] = instance.weights.topic_repeat * count_repeats(
                tm.index, sessions
            )
        if tm.aggregate and "primary_not_leading" in terms:
            # The model credits a primary counselor who leads any session of the
            # family; the split decides whether the patient sits in theirs.
            terms["primary_not_leading"] = instance.weights.primary_not_leading * _primary_missing(
                instance, sessions
            )
        objective = sum(terms.values())
        best_bound = max(solver.best_objective_bound, floor or 0)
        gap = max(0.0, (objective - best_bound) / max(abs(objective), 1e-9))
        # Optimal only when the bound proves it: a lossy split leaves a gap.
        status, gap = ("optimal", 0.0) if gap < 1e-9 else ("feasible", gap)

    schedule = Schedule(
        instance=instance.name,
        status=status,
        objective=objective,
        best_bound=best_bound,
        gap=gap,
        wall_seconds=None if settings.deterministic else round(wall, 3),
        objective_terms=terms,
        sessions=sessions,
        best_effort=settings.best_effort,
        **services,
    )
    # The greedy's timetable when the search found nothing better. (The aggregated model can
    # be infeasible where the greedy is not: its documented restrictions, e.g. an avoid pair
    # kept out of a whole family. Then it proves nothing.)
    better = warm is not None and (objective is None or (warm.objective or 0) < objective)
    if warm is not None and warm.objective is not None and better:
        schedule = _warm_result(warm, solver, code, settings, wall, floor)
    return SolveResult(
        schedule, wall, tm.stats(), progress.first_seconds, progress.count, interrupted
    )


def valid_as_is(instance: Instance, schedule: Schedule) -> Schedule | None:
    """The schedule, scored by the checker, if it is a valid timetable of ``instance``."""
    from scheduler.checker import check

    if schedule.best_effort:
        return None
    report = check(instance, schedule)
    if not report.ok:
        return None
    terms = report.weighted_terms(instance.weights)
    return schedule.model_copy(
        update={"instance": instance.name, "objective": report.objective, "objective_terms": terms}
    )


def _warm_result(
    warm: Schedule,
    solver: cp_model.CpSolver,
    code: Any,
    settings: SolveSettings,
    wall: float,
    floor: int | None,
) -> Schedule:
    """The greedy timetable, when the search found nothing better, with the search's bound
    (or the patient-by-patient one, ``floor``, if higher)."""
    assert warm.objective is not None
    bound = solver.best_objective_bound if code != cp_model.INFEASIBLE else 0.0
    if not math.isfinite(bound) or bound > warm.objective:
        bound = 0.0  # every term is a count or a spread: 0 is always a bound
    bound = max(bound, floor or 0)
    gap = max(0.0, (warm.objective - bound) / max(abs(warm.objective), 1e-9))
    return warm.model_copy(
        update={
            "status": "optimal" if gap < 1e-9 else "feasible",
            "best_bound": bound,
            "gap": 0.0 if gap < 1e-9 else gap,
            "wall_seconds": None if settings.deterministic else round(wall, 3),
        }
    )


class _CtrlC:
    """Ctrl-C (SIGINT) outside CP-SAT's search, e.g. during the greedy construction, is
    remembered rather than raised, so the solve still ends with the best timetable so far.
    Only in the main thread (elsewhere Python cannot set signal handlers)."""

    def __enter__(self) -> _CtrlC:
        self.pressed = False
        self.previous: Any = None
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._press)
        return self

    def _press(self, signum: int, frame: Any) -> None:
        self.pressed = True

    def rearm(self) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self._press)

    def __exit__(self, *exc: object) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)


def _interrupted(code: Any, solver: cp_model.CpSolver, settings: SolveSettings) -> bool:
    """Whether the search stopped before its limit without a proof.

    CP-SAT catches SIGINT (``catch_sigint_signal``, on by default) and returns the best
    solution so far. Its response does not say so, but nothing else ends a search early
    without a proof: a gap limit that is met ends it as OPTIMAL.
    """
    if code not in (cp_model.FEASIBLE, cp_model.UNKNOWN):
        return False
    p = solver.parameters
    if (
        not p.catch_sigint_signal
        or p.stop_after_first_solution
        or p.max_number_of_conflicts < 2**62
    ):
        return False  # the caller set another way to stop early
    if settings.deterministic:
        return solver.response_proto.deterministic_time < 0.99 * p.max_deterministic_time
    return solver.wall_time < 0.99 * p.max_time_in_seconds


def _primary_missing(instance: Instance, sessions: list[Session]) -> int:
    """Patients with a primary counselor who leads none of their sessions."""
    led: set[tuple[str, str]] = {(p, c) for s in sessions for p in s.patients for c in s.counselors}
    return sum(
        1
        for p in instance.patients
        if p.primary_counselor is not None and (p.id, p.primary_counselor) not in led
    )


def read_sessions(tm: TimetableModel, solver: cp_model.CpSolver) -> list[Session]:
    """The running sessions, in week order, numbered S001, S002, ..."""
    running: list[tuple[Candidate, str | None]] = []
    families: list[tuple[GroupType, list[Part]]] = []
    with_primary: set[str] = set()
    for cand in tm.candidates:
        n = cand.number
        if solver.value(tm.open[n]) == 0:
            continue
        rooms = [rid for rid, v in tm.rooms_at[n].items() if solver.boolean_value(v)]
        leaders = [cid for cid, v in tm.leads_at[n].items() if solver.boolean_value(v)]
        members = sorted(pid for pid in tm.members[n] if solver.boolean_value(tm.seat[(pid, n)]))
        # Only strict curricula are decided in the model; the others come after the split.
        topic = next(
            (
                t
                for t in cand.group_type.topics
                if (n, t) in tm.topic_on and solver.boolean_value(tm.topic_on[(n, t)])
            ),
            None,
        )
        parts = split_family(tm.index, cand.group_type, rooms, leaders, members, with_primary)
        running.append((cand, topic))
        families.append((cand.group_type, parts))
    if tm.instance.weights.primary_not_leading and any(len(p) > 1 for _, p in families):
        split = seat_jointly(tm.index, families)
    else:
        split = [parts for _, parts in families]
    sessions = [
        Session(
            id="S",  # numbered in week order below
            day=cand.period.day,
            block=cand.period.block,
            period=cand.period.index,
            start=cand.period.start,
            end=cand.period.end,
            group_type=cand.group_type.id,
            stage=cand.stage,
            room=part.room,
            counselors=part.counselors,
            patients=part.patients,
            topic=topic,
        )
        for (cand, topic), parts in zip(running, split)
        for part in parts
    ]
    return tm.index.in_week_order(sessions)


def read_services(
    tm: TimetableModel, solver: cp_model.CpSolver, sessions: list[Session], seed: int
) -> dict[str, Any]:
    """Appointments (with offices), drawn screens and the primary counselors the solver chose."""
    idx = tm.index
    booked: dict[tuple[str, int], list[tuple[str, str, str]]] = defaultdict(list)
    for (kind, pid, cid, day, k), var in tm.appts.items():
        if solver.boolean_value(var):
            booked[(day, k)].append((kind, pid, cid))
    appointments: dict[str, list[Appointment]] = {"individual": [], "medication": []}
    for when in idx.appointment_times:
        here = sorted(booked.get(when.key, []))
        # Offices are interchangeable: the model kept the count within those open.
        offices = sorted(r.id for r in idx.offices if when.slot in idx.room_slots(r))
        for (kind, pid, cid), office in zip(here, offices):
            appointments[kind].append(
                Appointment(
                    patient=pid,
                    counselor=cid,
                    day=when.day,
                    start=clock(when.start),
                    end=clock(when.end),
                    room=office,
                )
            )
    # How many screens each patient gets: per_week, or fewer in a best-effort shortfall.
    screen_counts: dict[str, int] = defaultdict(int)
    for (pid, _), var in tm.screen.items():
        screen_counts[pid] += int(solver.boolean_value(var))
    attended: dict[str, list[str]] = defaultdict(list)
    for s in sessions:
        for pid in s.patients:
            if s.slot not in attended[pid]:
                attended[pid].append(s.slot)
    return {
        "individual_sessions": appointments["individual"],
        "medication_appointments": appointments["medication"],
        "screens": draw_screens(idx, attended, seed, screen_counts),
        "primary_counselors": {
            pid: cid for (pid, cid), var in tm.primary.items() if solver.boolean_value(var)
        },
    }


def read_shortfalls(tm: TimetableModel, solver: cp_model.CpSolver) -> list[Shortfall]:
    """What each patient lacks in a best-effort schedule, with the reason when one is known."""
    idx = tm.index
    missing = [(key, int(solver.value(v))) for key, v in tm.shortfalls.items()]
    missing = [(key, short) for key, short in missing if short > 0]
    if not missing:
        return []
    reasons = _reasons(tm.instance)
    rows = []
    for (rule, pid, *row), short in missing:
        p = idx.patient[pid]
        needed: float
        if rule == "min_hours":
            needed = p.min_hours
            got = round((p.min_minutes - short) / 60, 2)
        elif rule == "min_days":
            needed, got = p.min_days, p.min_days - short
        elif rule == "requirement":
            needed = idx.instance.requirements[int(row[0])].min_sessions
            got = needed - short
        elif rule == "individual":
            needed = idx.individual_per_week(p)
            got = needed - short
        elif rule == "medication":
            needed, got = 1, 1 - short
        else:  # screens
            needed = idx.screens_per_week()
            got = needed - short
        rows.append(
            Shortfall(
                patient=pid,
                rule=rule,  # type: ignore[arg-type]
                requirement=int(row[0]) if row else None,
                needed=needed,
                got=got,
                reason=reasons.get(pid, reasons.get("")),
            )
        )
    return rows


def _reasons(instance: Instance) -> dict[str, str]:
    """Patient id -> why (from the pre-checks and the diagnosis); "" -> a general reason."""
    found = diagnose(instance, time_limit=10.0)
    reasons: dict[str, str] = {}
    for f in found.findings:
        for ident in f.ids:
            reasons.setdefault(ident, f.message)
    if found.conflict:
        text = "cannot all hold: " + "; ".join(c.message for c in found.conflict)
        for c in found.conflict:
            for ident in c.ids:
                reasons.setdefault(ident, text)
        reasons[""] = text
    elif found.findings:
        reasons[""] = found.findings[0].message
    return reasons
