"""Step 6, booking: primary counselors, individual sessions and medication
appointments in free offices, the pencilled-in times first."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from models import Patient
from models.index import AppointmentTime
from scheduler.greedy.groups import Groups
from scheduler.greedy.hints import Stuck
from scheduler.greedy.lookups import Program
from scheduler.greedy.pencil import Claims


@dataclass(frozen=True)
class Booking:
    """An appointment booked: the patient, counselor, time and office."""

    patient: str
    counselor: str
    time: AppointmentTime
    office: str


class Appointments:
    """Primary counselors, individual sessions and medication appointments, one patient at a
    time: the least flexible first, next to the patient's block where possible."""

    def __init__(
        self, prog: Program, attend: dict[str, list[str]], groups: Groups, claims: Claims
    ) -> None:
        self.prog = prog
        self.idx = prog.idx
        self.attend = attend
        self.claims = claims
        self.leads = groups.leads
        self.day_minutes = defaultdict(int, groups.day_minutes)
        self.booked: set[tuple[str, str, int]] = set()  # (person, day, time index)
        self.offices_used: dict[tuple[str, int], set[str]] = defaultdict(set)
        self.individual_count: dict[str, int] = defaultdict(int)
        self.medication_count: dict[str, int] = defaultdict(int)
        self.caseload: dict[str, int] = defaultdict(int)
        for p in prog.inst.patients:
            if p.primary_counselor is not None:
                self.caseload[p.primary_counselor] += 1
        self.assigned: dict[str, str] = {}
        self.individual: list[Booking] = []
        self.medication: list[Booking] = []
        self.times = {p.id: self._patient_times(p) for p in prog.inst.patients}
        # Pencilled-in times not booked yet: nobody else takes them (nor their office).
        self.pending_staff = dict(claims.holder)
        self.pending_offices: dict[tuple[str, int], set[tuple[str, str]]] = defaultdict(set)
        for pid, pencilled in claims.of_patient.items():
            for c in pencilled:
                self.pending_offices[c.time.key].add((pid, c.kind))

    def run(self) -> None:
        idx = self.idx
        given = [p for p in self.prog.inst.patients if p.primary_counselor is not None]
        given.sort(key=lambda p: (self._options(p, p.primary_counselor or ""), p.id))
        for p in given:
            if idx.individual_per_week(p) and not self._book_individual(
                p, p.primary_counselor or ""
            ):
                raise Stuck(
                    f"individual sessions: {p.id} cannot meet primary counselor "
                    f"{p.primary_counselor} at a free time and office on the days {p.id} attends",
                    "reach",
                    p.id,
                    self._slots_without(p, p.primary_counselor or ""),
                    attended=self.attend[p.id],
                )
            self._settle(p, "individual")
        for p in idx.unassigned:
            self._assign_primary(p)
            self._settle(p, "individual")
        on_medication = [p for p in self.prog.inst.patients if idx.needs_medication(p)]
        on_medication.sort(key=lambda p: (len(self.times[p.id]), p.id))
        for p in on_medication:
            self._book_medication(p)
            self._settle(p, "medication")

    def _settle(self, p: Patient, kind: str) -> None:
        """The patient's pencilled-in times of this kind are booked or given up."""
        for c in self.claims.of_patient.get(p.id, []):
            if c.kind == kind:
                self.pending_staff.pop((c.counselor, c.time.day, c.time.index), None)
                self.pending_offices[c.time.key].discard((p.id, kind))

    def _patient_times(self, p: Patient) -> list[AppointmentTime]:
        """Times on the patient's days, in a block they are available in, not overlapping
        the block they attend; those right next to it first."""
        idx = self.idx
        avail = self.prog.patient_available[p.id]
        block_on = {idx.day_of[s]: s for s in self.attend[p.id]}
        times = [
            t
            for t in idx.appointment_times
            if t.day in block_on
            and t.slot in avail
            and block_on[t.day] not in self.prog.clashing[t.key]
        ]
        return sorted(
            times,
            key=lambda t: (
                not self.prog.next_to(t, block_on[t.day]),
                self.prog.day_rank[t.day],
                t.start,
            ),
        )

    def _options(self, p: Patient, cid: str) -> int:
        return sum(1 for t in self.times[p.id] if t.slot in self.prog.staff_available[cid])

    def _slots_without(self, p: Patient, cid: str) -> list[str]:
        """The patient's blocks on days the counselor cannot see them (hint: avoid them)."""
        days = {t.day for t in self.times[p.id] if self._counselor_free(cid, t, p.id)}
        return [s for s in self.attend[p.id] if self.idx.day_of[s] not in days]

    def _counselor_free(self, cid: str, t: AppointmentTime, pid: str) -> bool:
        c = self.idx.counselor[cid]
        if t.slot not in self.prog.staff_available[cid] or (cid, t.day, t.index) in self.booked:
            return False
        if self.pending_staff.get((cid, t.day, t.index), pid) != pid:
            return False
        if any((cid, q.slot, q.index) in self.leads for q in self.prog.periods_clashing[t.key]):
            return False
        cap = c.max_minutes_per_day
        return cap is None or self.day_minutes[(cid, t.day)] + t.minutes <= cap

    def _office(self, t: AppointmentTime, pid: str) -> str | None:
        """A free office, leaving enough for the times others have pencilled in."""
        used = self.offices_used[t.key]
        free = [
            r.id for r in self.idx.offices if r.id not in used and t.slot in self.idx.room_slots(r)
        ]
        held = sum(1 for other, _ in self.pending_offices[t.key] if other != pid)
        return free[0] if len(free) > held else None

    def _free_times(self, p: Patient, cid: str) -> list[AppointmentTime]:
        """The patient's times the counselor and an office are free, best first."""
        free = [
            t
            for t in self.times[p.id]
            if (p.id, t.day, t.index) not in self.booked
            and self._counselor_free(cid, t, p.id)
            and self._office(t, p.id) is not None
        ]
        # Next to the block first (the order of self.times), then the emptiest time.
        rank = {t.key: i for i, t in enumerate(self.times[p.id])}
        return sorted(
            free,
            key=lambda t: (
                not self.prog.next_to(t, self._block_on(p, t.day)),
                len(self.offices_used[t.key]),
                rank[t.key],
            ),
        )

    def _block_on(self, p: Patient, day: str) -> str:
        return next(s for s in self.attend[p.id] if self.idx.day_of[s] == day)

    def _book(self, p: Patient, cid: str, t: AppointmentTime) -> Booking:
        office = self._office(t, p.id)
        assert office is not None, "an office was found free before booking"
        self.booked.add((p.id, t.day, t.index))
        self.booked.add((cid, t.day, t.index))
        self.offices_used[t.key].add(office)
        self.day_minutes[(cid, t.day)] += t.minutes
        return Booking(p.id, cid, t, office)

    def _pencilled(self, p: Patient, kind: str, cid: str) -> list[AppointmentTime]:
        return [
            c.time
            for c in self.claims.of_patient.get(p.id, [])
            if c.kind == kind and c.counselor == cid
        ]

    def _book_individual(self, p: Patient, cid: str) -> bool:
        """The patient's individual sessions with ``cid``, each on another day: the times
        pencilled in first."""
        need = self.idx.individual_per_week(p)
        cap = self.idx.counselor[cid].max_individual
        if cap is not None and self.individual_count[cid] + need > cap:
            return False
        free = self._free_times(p, cid)
        free_keys = {t.key for t in free}
        pencilled = [t for t in self._pencilled(p, "individual", cid) if t.key in free_keys]
        picks: list[AppointmentTime] = []
        for t in pencilled + free:
            if len(picks) == need:
                break
            if all(t.day != q.day for q in picks):
                picks.append(t)
        if len(picks) < need:
            return False
        for t in picks:
            self.individual.append(self._book(p, cid, t))
        self.individual_count[cid] += need
        return True

    def _assign_primary(self, p: Patient) -> None:
        """The counselor or clinician with the smallest caseload who can see the patient."""
        candidates = [
            c
            for c in self.idx.primary_candidates
            if c.max_caseload is None or self.caseload[c.id] < c.max_caseload
        ]
        pencilled = self.claims.primary.get(p.id)
        candidates.sort(
            key=lambda c: (c.id != pencilled, self.caseload[c.id], -self._options(p, c.id), c.id)
        )
        need = self.idx.individual_per_week(p)
        for c in candidates:
            if need == 0 or self._book_individual(p, c.id):
                self.assigned[p.id] = c.id
                self.caseload[c.id] += 1
                return
        raise Stuck(
            f"primary counselors: no counselor or clinician with room in their caseload can see "
            f"{p.id} on the days {p.id} attends",
            "reach",
            p.id,
            self.attend[p.id][:1],
            attended=self.attend[p.id],
        )

    def _book_medication(self, p: Patient) -> None:
        best: tuple[tuple[bool, bool, int, int, int], str, AppointmentTime] | None = None
        rank = {t.key: i for i, t in enumerate(self.times[p.id])}
        for c in self.idx.prescribers:
            pencilled = {t.key for t in self._pencilled(p, "medication", c.id)}
            for t in self._free_times(p, c.id):
                key = (
                    t.key not in pencilled,
                    not self.prog.next_to(t, self._block_on(p, t.day)),
                    self.medication_count[c.id],
                    len(self.offices_used[t.key]),
                    rank[t.key],
                )
                if best is None or key < best[0]:
                    best = (key, c.id, t)
        if best is None:
            raise Stuck(
                f"medication: no prescriber has a free time and office on the days {p.id} attends",
                "reach",
                p.id,
                self.attend[p.id][:1],
                attended=self.attend[p.id],
            )
        _, cid, t = best
        self.medication.append(self._book(p, cid, t))
        self.medication_count[cid] += 1
