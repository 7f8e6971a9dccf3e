"""A short run of benchmarks/rolling.py: three weeks of a small rolling program, each rolled
from the last and solved with last week and from scratch.

Which of the two moves fewer patients is not guaranteed (a time limit, a week whose
stages changed): only validity and the bookkeeping are asserted.
"""

from __future__ import annotations

import datetime as dt

from benchmarks.rolling import simulate, table
from scheduler import check


def test_three_weeks_roll_and_solve() -> None:
    rows, weeks = simulate(weeks=3, patients=24, admissions=2, time_limit=3, workers=2, seed=1)
    assert [w.number for w in rows] == [1, 2, 3] and all(w.valid for w in rows)
    for n, (before, after) in enumerate(zip(weeks, weeks[1:]), start=2):
        assert after.week_of == before.week_of + dt.timedelta(days=7)  # type: ignore[operator]
        assert after.previous is not None and check(before, after.previous).ok
        old = {p.id: p for p in before.patients}
        new = {p.id: p for p in after.patients}
        left = {pid for pid, p in old.items() if p.discharge and p.discharge < after.week_of}
        assert set(old) - set(new) == left and rows[n - 1].discharged == len(left)
        assert len(set(new) - set(old)) == 2 == rows[n - 1].admitted
        for pid in set(new) & set(old):
            heard = {
                t
                for s in after.previous.sessions
                if pid in s.patients and s.topic
                for t in [s.topic]
            }
            assert set(new[pid].completed_topics) == set(old[pid].completed_topics) | heard
        assert rows[n - 1].moved_with_previous is not None
    assert sum(w.new_stage for w in rows) > 0 and sum(w.discharged for w in rows) > 0
    assert table(rows).count("\n") == 4  # header, rule, three weeks
