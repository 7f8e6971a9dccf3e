"""Next week's instance from this week's and its schedule (``iop-scheduler roll``).

A rolling program's week follows the last: the same program a week later, its patients
a week further into their stay (their stage and hours from the instance's phases,
:mod:`models.phases`), those discharged gone, the new admissions in, each patient's
curriculum extended by the topics they heard, and this week's schedule recorded as
``previous`` so that solving the new week keeps it like this one. Pure Python: no
solver.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from models import InputError, Instance, Patient, Schedule, parse_instance, to_json

ONE_WEEK = dt.timedelta(days=7)


def roll(
    instance: Instance,
    schedule: Schedule,
    to: dt.date | None = None,
    admit: Iterable[Patient | Mapping[str, Any]] = (),
    discharge: Iterable[str] = (),
) -> Instance:
    """Next week's instance.

    Parameters
    ----------
    instance
        This week's instance, with a ``week_of``.
    schedule
        This week's schedule for it (holding a timetable): the topics each patient heard
        are added to their ``completed_topics``, and it becomes the new ``previous``.
    to
        The new week's first day: after this week's (default: a week later).
    admit
        New patients (models or JSON objects), usually with ``admitted`` dates.
    discharge
        Ids of patients who leave; patients whose planned ``discharge`` is before ``to``
        leave too.

    Returns
    -------
    Instance
        The new week, validated: ``week_of`` is ``to``, the patients who stay have their
        stage and hours from the phase of their new week (those with a fixed stage keep
        it), pairs (``together``) and ``avoid`` entries naming a patient who left are
        dropped, and so are all of last week's ``pins`` (they fixed that week).

    Raises
    ------
    InputError
        One line per problem: no ``week_of``, ``to`` not after it, a schedule without a
        timetable or for another instance, an unknown id to discharge, an admitted id
        already in use, a new week the data does not fit (a patient in no phase...).
    """
    week_of, problems = instance.week_of, _problems(instance, schedule, to, discharge)
    if problems or week_of is None:
        raise InputError("roll", problems)
    to = to or week_of + ONE_WEEK
    leaving = set(discharge) | {
        p.id for p in instance.patients if p.discharge is not None and p.discharge < to
    }
    new = [_as_data(p) for p in admit]
    staying = {p.id for p in instance.patients} - leaving
    taken = [str(p.get("id")) for p in new if p.get("id") in staying]
    if taken:
        raise InputError("roll", [f"admit: '{t}' is already a patient" for t in taken])
    data = json.loads(to_json(instance))  # as given: what phases derived is left out
    heard = topics_heard(schedule)
    patients = []
    for p in data["patients"]:
        if p["id"] in leaving:
            continue
        p["completed_topics"] = list(dict.fromkeys([*p["completed_topics"], *heard[p["id"]]]))
        p["avoid"] = [other for other in p["avoid"] if other not in leaving]
        patients.append(p)
    data["patients"] = patients + new
    data["together"] = [pair for pair in data["together"] if not set(pair["patients"]) & leaving]
    data["week_of"] = to.isoformat()
    data.pop("pins", None)
    data["previous"] = json.loads(to_json(schedule))
    return parse_instance(data, f"the week of {to}")


def _problems(
    instance: Instance, schedule: Schedule, to: dt.date | None, discharge: Iterable[str]
) -> list[str]:
    """What makes rolling these inputs impossible, one line each."""
    problems = []
    if instance.week_of is None:
        problems.append("instance: week_of: required to roll to the next week")
    elif to is not None and to <= instance.week_of:
        problems.append(f"to: {to} is not after the instance's week_of {instance.week_of}")
    if schedule.instance != instance.name:
        problems.append(f"schedule: for '{schedule.instance}', not '{instance.name}'")
    if not schedule.found:
        problems.append(f"schedule: status '{schedule.status}': it holds no timetable")
    ids = {p.id for p in instance.patients}
    problems += [f"discharge: '{d}' is not a patient id" for d in discharge if d not in ids]
    return problems


def _as_data(patient: Patient | Mapping[str, Any]) -> dict[str, Any]:
    """A new patient as JSON data (a model as it would be written)."""
    if isinstance(patient, Patient):
        return dict(json.loads(patient.model_dump_json()))
    return dict(patient)


def topics_heard(schedule: Schedule) -> dict[str, list[str]]:
    """Each patient's curriculum topics of the week, in the week's order (a patient who
    heard none: an empty list)."""
    heard: dict[str, list[str]] = defaultdict(list)
    for session in schedule.sessions:
        if session.topic is not None:
            for pid in session.patients:
                heard[pid].append(session.topic)
    return heard


@dataclass
class RollSummary:
    """What changed from one week to the next, in counts and ids (for the command)."""

    discharged: list[str] = field(default_factory=list)
    admitted: list[str] = field(default_factory=list)
    advanced: list[str] = field(default_factory=list)  # stage changed
    pins_dropped: int = 0
    topics_recorded: int = 0

    def lines(self) -> list[str]:
        def ids(xs: list[str]) -> str:
            return f" ({', '.join(xs)})" if xs else ""

        return [
            f"discharged: {len(self.discharged)}{ids(self.discharged)}",
            f"admitted: {len(self.admitted)}{ids(self.admitted)}",
            f"new stage: {len(self.advanced)}{ids(self.advanced)}",
            f"topics recorded: {self.topics_recorded}",
            f"pins dropped: {self.pins_dropped} (they fixed last week)",
        ]


def roll_summary(before: Instance, after: Instance) -> RollSummary:
    """What :func:`roll` changed: who left, who came, whose stage changed."""
    old = {p.id: p for p in before.patients}
    new = {p.id: p for p in after.patients}
    return RollSummary(
        discharged=[pid for pid in old if pid not in new],
        admitted=[pid for pid in new if pid not in old],
        advanced=[pid for pid, p in new.items() if pid in old and old[pid].stage != p.stage],
        pins_dropped=len(before.pins),
        topics_recorded=sum(
            len(p.completed_topics) - len(old[pid].completed_topics)
            for pid, p in new.items()
            if pid in old
        ),
    )
