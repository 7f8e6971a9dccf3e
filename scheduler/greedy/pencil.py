"""The pencil: appointment times pencilled into the counselors' diaries before and
while the blocks are chosen (``Claims``), and rubbed out again."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from models import Patient
from models.index import AppointmentTime
from scheduler.greedy.hints import Hints
from scheduler.greedy.lookups import Program


@dataclass(frozen=True)
class Claim:
    """An appointment time pencilled in for a patient while their blocks are chosen."""

    kind: str  # "individual" or "medication"
    counselor: str
    time: AppointmentTime
    planned: bool = False  # from the diaries planned first: the patient's blocks follow it


class Claims:
    """Appointment times pencilled in before and while choosing blocks. A counselor holds
    one appointment at a time and an evening patient has only a few times next to their
    block, so a coordinator plans the days with the counselor's diary open, not after."""

    def __init__(
        self,
        prog: Program,
        attend: dict[str, list[str]],
        hints: Hints,
        ideal: dict[str, list[str]] | None = None,
    ) -> None:
        """``ideal``: each patient's blocks chosen for cohorts alone, on whose days
        ``diaries.open_diaries`` plans the diaries."""
        self.prog = prog
        self.hints = hints
        idx = prog.idx
        self.idx = idx
        self.attend = attend
        # (counselor, day, time index) -> the patient pencilled in then
        self.holder: dict[tuple[str, str, int], str] = {}
        self.pinned: set[str] = set()  # the patient being placed: their times stay put
        self.office_load: dict[tuple[str, int], int] = defaultdict(int)
        self.offices_open = {
            t.key: sum(1 for r in idx.offices if t.slot in idx.room_slots(r))
            for t in idx.appointment_times
        }
        self.individual: dict[str, int] = defaultdict(int)  # counselor -> sessions promised
        self.prescribed: dict[str, int] = defaultdict(int)
        self.caseload: dict[str, int] = defaultdict(int)
        for p in prog.inst.patients:
            if p.primary_counselor is not None:
                self.caseload[p.primary_counselor] += 1
        self.primary: dict[str, str] = {}  # assigned to patients who have none
        self.of_patient: dict[str, list[Claim]] = defaultdict(list)
        self._times: dict[tuple[str, str], list[AppointmentTime]] = {}
        self._meeting: dict[tuple[str, str], int] = {}
        self.pressure = self._pressure()
        self.ideal_days = {
            pid: {idx.day_of[s] for s in slots} for pid, slots in (ideal or {}).items()
        }

    def _pressure(self) -> dict[tuple[str, int], float]:
        """How contested each appointment time is: the sessions that could fall there (each
        patient's spread evenly over the times they could come to) per counselor free then.
        Evening times are scarce for patients who can only come in the evening; those who
        can also come in the morning should leave them."""
        idx = self.idx
        demand: dict[tuple[str, int], float] = defaultdict(float)
        for p in self.prog.inst.patients:
            need = idx.individual_per_week(p) + (1 if idx.needs_medication(p) else 0)
            could = [t for t in idx.appointment_times if self._could_come(p, t)]
            for t in could:
                demand[t.key] += need / len(could)
        staff: dict[str, int] = defaultdict(int)
        for c in self.prog.inst.counselors:
            for slot in c.available:
                staff[slot] += 1
        return {
            t.key: demand[t.key] / max(1, min(staff[t.slot], self.offices_open[t.key]))
            for t in idx.appointment_times
        }

    def _could_come(self, p: Patient, t: AppointmentTime) -> bool:
        """Available in the time's block and in a block that day it does not overlap."""
        avail = self.prog.patient_available[p.id]
        return t.slot in avail and any(
            s in avail and s not in self.prog.clashing[t.key] for s in self.idx.day_slots(t.day)
        )

    def times_near(self, p: Patient, slot: str) -> list[AppointmentTime]:
        """The patient's appointment times on the day of ``slot`` if they attend it: in a
        block they are available in, not overlapping it; those next to it first."""
        key = (p.id, slot)
        if key not in self._times:
            idx = self.idx
            avail = self.prog.patient_available[p.id]
            day = idx.day_of[slot]
            times = [
                t
                for t in idx.appointment_times
                if t.day == day and t.slot in avail and slot not in self.prog.clashing[t.key]
            ]
            times.sort(key=lambda t: (not self.prog.next_to(t, slot), t.start))
            self._times[key] = times
        return self._times[key]

    def free(self, cid: str, t: AppointmentTime) -> bool:
        """Whether the counselor works then with nothing pencilled in, and an office is left."""
        return (
            t.slot in self.prog.staff_available[cid]
            and (cid, t.day, t.index) not in self.holder
            and self.office_load[t.key] < self.offices_open[t.key]
        )

    def reclaim(self, pid: str, claim: Claim, t: AppointmentTime) -> None:
        """Move a pencilled-in appointment to another time."""
        self.unclaim(pid, claim)
        self.claim(pid, claim.kind, claim.counselor, t, claim.planned)

    def days_meeting(self, p: Patient, cid: str) -> int:
        """Days the counselor works at one of the patient's possible appointment times."""
        key = (p.id, cid)
        if key not in self._meeting:
            staff = self.prog.staff_available[cid]
            self._meeting[key] = len(
                {
                    self.idx.day_of[s]
                    for s in self.idx.patient_slots(p)
                    if any(t.slot in staff for t in self.times_near(p, s))
                }
            )
        return self._meeting[key]

    def claim(
        self, pid: str, kind: str, cid: str, t: AppointmentTime, planned: bool = False
    ) -> Claim:
        """Pencil in an appointment: the counselor's time and an office."""
        assert (cid, t.day, t.index) not in self.holder, "a counselor's time is pencilled once"
        self.holder[(cid, t.day, t.index)] = pid
        self.office_load[t.key] += 1
        claim = Claim(kind, cid, t, planned)
        self.of_patient[pid].append(claim)
        return claim

    def unclaim(self, pid: str, claim: Claim) -> None:
        """Rub out one pencilled-in appointment."""
        del self.holder[(claim.counselor, claim.time.day, claim.time.index)]
        self.office_load[claim.time.key] -= 1
        self.of_patient[pid].remove(claim)

    def release(self, p: Patient, keep_planned: bool = False, kind: str | None = None) -> None:
        """Rub out the patient's pencilled-in times (of one kind; but the planned ones)."""
        for c in list(self.of_patient.get(p.id, [])):
            if (keep_planned and c.planned) or (kind is not None and c.kind != kind):
                continue
            self.release_one(p.id, c)

    def release_one(self, pid: str, c: Claim) -> None:
        """Rub out one appointment and the session it promised the counselor."""
        self.unclaim(pid, c)
        if c.kind == "individual":
            self.individual[c.counselor] -= 1
        else:
            self.prescribed[c.counselor] -= 1
