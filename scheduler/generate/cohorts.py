"""Cohorts: patients of one stage and time of day in groups of 4-10, placed on three days,
each with its planned week of nine sessions and the education topics they hear."""

from __future__ import annotations

import itertools
import math
from collections import defaultdict

import numpy as np

from scheduler.generate.draft import Cohort
from scheduler.generate.frame import COHORT_WEEK, DAYS, STAGES, TIMES, TOPIC_TYPE, TOPICS
from scheduler.generate.slots import all_slots

COHORT_MAX = 10  # the smallest max_size of the group types the witness uses


def form_cohorts(rng: np.random.Generator, people: list[dict]) -> list[Cohort]:
    """Split patients of one stage and time of day into cohorts of 4-10."""
    by_key: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for p in people:
        by_key[(p["stage"], p["_time"])].append(p)

    # A stage too small for a cohort joins its nearest non-empty neighbour stage (until
    # none is too small); then a time of day too small moves to the other time of day.
    def size(stage: str) -> int:
        return sum(len(by_key.get((stage, t), [])) for t in TIMES)

    while small := [s for s in STAGES if 0 < size(s) < 4]:
        here = STAGES.index(small[0])
        others = [s for s in STAGES if s != small[0] and size(s) > 0]
        if not others:
            break  # fewer than 4 patients in all: not with patients >= 8
        target = min(others, key=lambda s: (abs(STAGES.index(s) - here), -STAGES.index(s)))
        for t in TIMES:
            for p in by_key.pop((small[0], t), []):
                p["stage"] = target
                by_key[(target, t)].append(p)
    for stage in STAGES:
        for time, other in (("am", "pm"), ("pm", "am")):
            if 0 < len(by_key.get((stage, time), [])) < 4:
                for p in by_key.pop((stage, time)):
                    p["_time"] = other
                    by_key[(stage, other)].append(p)
    cohorts = []
    for (stage, time), group in sorted(by_key.items()):
        if not group:
            continue
        k = math.ceil(len(group) / COHORT_MAX)
        for part in np.array_split(np.arange(len(group)), k):
            cohorts.append(Cohort(stage, time, [group[j]["id"] for j in part], []))
    order = rng.permutation(len(cohorts))
    return [cohorts[i] for i in order]


def place_cohorts(rng: np.random.Generator, cohorts: list[Cohort]) -> dict[str, int]:
    """Give each cohort three days, spreading cohorts evenly over the week."""
    load = dict.fromkeys(all_slots(), 0)
    triples = list(itertools.combinations(DAYS, 3))
    for c in cohorts:

        def cost(days: tuple[str, ...], c: Cohort = c) -> tuple[int, int, float]:
            loads = [load[f"{d}.{c.time}"] for d in days]
            return (max(loads), sum(loads), rng.random())

        days = min(triples, key=cost)
        c.slots = [f"{d}.{c.time}" for d in days]
        for s in c.slots:
            load[s] += 1
    return load


def topic_calendar(rng: np.random.Generator) -> dict[tuple[str, int], str]:
    """The education topic of every (slot, period): one per period, so parallel sessions agree.

    Topics rotate three a block through the week, so two periods share a topic
    only on Monday and Friday of the same time of day.
    """
    calendar = {}
    for block in TIMES:
        offset = int(rng.integers(len(TOPICS)))
        for d, day in enumerate(DAYS):
            for period in range(len(TIMES[block]) - 1):
                topic = TOPICS[(offset + d * (len(TIMES[block]) - 1) + period) % len(TOPICS)]
                calendar[(f"{day}.{block}", period)] = topic
    return calendar


def plan_cohort_weeks(
    rng: np.random.Generator, cohorts: list[Cohort], topics: dict[tuple[str, int], str]
) -> None:
    """Place each cohort's nine sessions: education spread over its blocks, never a topic twice."""
    for c in cohorts:
        week = COHORT_WEEK[c.stage]
        n_edu = week.count(TOPIC_TYPE)
        positions = [(slot, period) for slot in c.slots for period in range(3)]
        per_block = math.ceil(n_edu / len(c.slots))
        education: list[tuple[str, int]] = []
        for i in rng.permutation(len(positions)):
            pos = positions[i]
            if len(education) == n_edu:
                break
            heard = {topics[e] for e in education}
            if topics[pos] not in heard and sum(e[0] == pos[0] for e in education) < per_block:
                education.append(pos)
        # Three days hold at most one Monday-Friday pair: 9 periods give 6+ distinct topics.
        assert len(education) == n_edu, "education periods with distinct topics"
        others = [g for g in week if g != TOPIC_TYPE]
        rest = [pos for pos in positions if pos not in education]
        c.week = dict.fromkeys(education, TOPIC_TYPE)
        for pos, i in zip(rest, rng.permutation(len(others))):
            c.week[pos] = others[i]
