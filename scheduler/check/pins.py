"""Pins: every session, attendance and appointment the instance fixes is in the schedule."""

from __future__ import annotations

from scheduler.check.context import Checker


def pins(ck: Checker) -> None:
    """Every pin holds: its session runs as given, the patient attends, the appointment is
    booked at that time. A pin is named by its 1-based number and what it says."""
    schedule = ck.schedule
    for number, pin in enumerate(ck.inst.pins, start=1):
        if pin.kind == "session":
            held = any(pin.held_by(s) for s in ck.sessions)
            missing = "no such session"
        elif pin.kind == "attend":
            held = any(s.slot == pin.slot for s in ck.patient_sessions.get(pin.patient or "", []))
            missing = f"{pin.patient} does not attend {pin.slot}"
        else:
            booked = (
                schedule.individual_sessions
                if pin.kind == "individual"
                else schedule.medication_appointments
            )
            held = any(pin.held_by_appointment(pin.kind, a) for a in booked)
            missing = "no such appointment"
        if not held:
            ids = [pin.patient] if pin.patient else [*pin.patients, *pin.counselors]
            ck.violation("pin", f"pin {number} ({pin.label}): {missing}", str(number), *ids)
