"""Cohorts within the week: the model's ``type_repeat_in_block`` changes the optimum, and
the read-back keeps cohorts in their room (``rooming.keep_rooms``) and together
(``seating.seat_jointly``) on hand-made families.
"""

from __future__ import annotations

from models import ProgramIndex, Schedule, Session
from scheduler import check
from scheduler.cpsat.reseat import with_cohorts
from scheduler.cpsat.rooming import keep_rooms
from scheduler.cpsat.seating import seat_jointly
from scheduler.cpsat.split import Part

from .builders import (
    TWO_HOURS,
    assert_optimal,
    base,
    both,
    build,
    counselor,
    group,
    patient,
    room,
    solved,
    weights,
)

FOUR = [patient(p, min_hours=2) for p in ("P1", "P2", "P3", "P4")]


def _two_periods(**w: int) -> dict:
    """mon.am of two hours; G (psychoeducational, up to 4) and H (skills, up to 2); four
    patients who must attend both periods; C1, C2 lead both types; R1, R2 seat 4."""
    return base(
        blocks=[{"id": "am", "periods": TWO_HOURS}],
        group_types=[group("G"), group("H", kind="skills", max_size=2)],
        patients=FOUR,
        counselors=[counselor("C1", ["G", "H"]), counselor("C2", ["G", "H"])],
        rooms=[room("R1"), room("R2")],
        weights=weights(session_run=60, **w),
    )


@both
def test_type_repeat_costs_a_session(formulation: str) -> None:
    # Without the term: one G of all four in each period, 2 sessions = 120.
    assert_optimal(solved(_two_periods(), formulation), 120)
    # With 20 a repeat, G twice costs 4 * 20 = 80 more; G then two H of 2 costs one
    # session more (60) and repeats nothing: 180.
    result = solved(_two_periods(type_repeat_in_block=20), formulation)
    assert_optimal(result, 180, type_repeat_in_block=0)
    assert sorted(s.group_type for s in result.schedule.sessions) == ["G", "H", "H"]


@both
def test_type_repeat_forced_by_a_row_is_free(formulation: str) -> None:
    # Every patient must sit G twice in their one block: the repeat is forced, so it costs
    # nothing and the two G sessions (120) stay the optimum.
    data = _two_periods(type_repeat_in_block=20)
    data["requirements"] = [{"group_type": "G", "min_sessions": 2}]
    assert_optimal(solved(data, formulation), 120, type_repeat_in_block=0)


def _families(index: ProgramIndex, second: list[Part]) -> list:
    g, h = index.group_type["G"], index.group_type["H"]
    first = [Part("R1", ["C1"], ["P1", "P2"]), Part("R2", ["C2"], ["P3", "P4"])]
    return [(g, first), (h, second)]


def test_keep_rooms_swaps_the_second_period() -> None:
    index = ProgramIndex(build(_two_periods(room_change=10)))
    # The cohorts (P1, P2) and (P3, P4) sit together in both periods but the split gave
    # period 2 the rooms the other way round: all four change rooms. Swapping the rooms
    # of either period keeps everyone in their room.
    second = [Part("R2", ["C1"], ["P1", "P2"]), Part("R1", ["C2"], ["P3", "P4"])]
    periods = [index.periods[0], index.periods[1]]
    rooms = keep_rooms(index, _families(index, second), periods)
    assert _room_changes(rooms) == 0
    assert [p.patients for parts in rooms for p in parts] == [["P1", "P2"], ["P3", "P4"]] * 2


def test_keep_rooms_keeps_a_pinned_room() -> None:
    index = ProgramIndex(build(_two_periods(room_change=10)))
    # As above, but a pin names R2 for (P1, P2)'s second session: the first period's
    # rooms swap instead.
    second = [Part("R2", ["C1"], ["P1", "P2"]), Part("R1", ["C2"], ["P3", "P4"])]
    periods = [index.periods[0], index.periods[1]]
    rooms = keep_rooms(index, _families(index, second), periods, fixed={(1, 0)})
    assert [p.room for parts in rooms for p in parts] == ["R2", "R1", "R2", "R1"]


def test_seat_jointly_keeps_cohorts_together() -> None:
    index = ProgramIndex(build(_two_periods(room_change=10, process_peers_changed=5)))
    # Period 2 mixed the cohorts (P1 with P3, P2 with P4): two patients change rooms.
    # Reseating period 2 so that each cohort follows its room costs nothing.
    second = [Part("R1", ["C1"], ["P1", "P3"]), Part("R2", ["C2"], ["P2", "P4"])]
    periods = [index.periods[0], index.periods[1]]
    seated = seat_jointly(index, _families(index, second), periods=periods)
    assert _room_changes(seated) == 0
    assert [p.room for parts in seated for p in parts] == ["R1", "R2"] * 2  # rooms stay


def _room_changes(split: list[list[Part]]) -> int:
    """Patients whose room in period 2 differs from their room in period 1."""
    room = [{pid: part.room for part in parts for pid in part.patients} for parts in split]
    return sum(room[0][pid] != room[1][pid] for pid in room[0])


def test_with_cohorts_improves_a_timetable_made_elsewhere() -> None:
    inst = build(_two_periods(room_change=10))

    def at(sid: str, k: int, g: str, room: str, c: str, patients: list[str]) -> Session:
        start, end = ("09:00", "10:00") if k == 0 else ("10:00", "11:00")
        return Session(
            id=sid, day="mon", block="am", period=k, start=start, end=end, group_type=g,
            stage=None, room=room, counselors=[c], patients=patients, topic=None,
        )  # fmt: skip

    # A valid week (as the greedy could make it) whose second period swapped the rooms:
    # 4 sessions (240) and 4 room changes (40).
    given = Schedule(
        instance=inst.name,
        status="feasible",
        sessions=[
            at("S1", 0, "G", "R1", "C1", ["P1", "P2"]),
            at("S2", 0, "G", "R2", "C2", ["P3", "P4"]),
            at("S3", 1, "H", "R2", "C1", ["P1", "P2"]),
            at("S4", 1, "H", "R1", "C2", ["P3", "P4"]),
        ],
        primary_counselors={"P1": "C1", "P2": "C1", "P3": "C2", "P4": "C2"},
    )
    assert check(inst, given).objective == 280
    better = with_cohorts(inst, given)
    report = check(inst, better)
    # The rooms of one period swap: nobody changes rooms, 240 and the same groups.
    assert report.ok and report.objective == better.objective == 240
    assert sorted(s.patients for s in better.sessions) == sorted(s.patients for s in given.sessions)
