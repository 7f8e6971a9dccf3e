"""The answer of ``fit`` as text for a coordinator: ids only, one block per placement."""

from __future__ import annotations

from models.fit import FitResult, Moves, Placement
from models.text import printable


def fit_lines(result: FitResult) -> list[str]:
    """The verdict, then a block per placement (or the moves, or the reasons)."""
    who = printable(result.patient)
    if result.verdict == "fits":
        n = len(result.placements)
        best = "proven best first" if result.proven else "best first (not all proven in time)"
        lines = [
            f"{who} fits without moving anyone: {n} placement{'s' if n > 1 else ''}, {best}; "
            f"the week's objective is {result.objective}"
        ]
        for p in result.placements:
            lines += placement_lines(p)
        return lines
    lines = [f"{who} fits nowhere as the week stands:", *(f"why: {r}" for r in result.reasons)]
    if result.verdict == "moves" and result.moves is not None:
        return lines + moves_lines(result.moves)
    status = "" if result.moves is None else f" (re-solving the week: {result.moves.status})"
    return [f"{who} cannot be admitted this week{status}:", *(f"why: {r}" for r in result.reasons)]


def placement_lines(p: Placement) -> list[str]:
    """``1. tue.pm, thu.pm: relapse_prevention S012 (C03, R2), ...; +180 objective (...)``
    and a line of appointments, primary counselor and screens."""
    seats = ", ".join(
        f"{s.group_type} {s.session}"
        + (f" [{s.topic}]" if s.topic else "")
        + f" ({', '.join([*s.counselors, s.room])})"
        for s in p.seats
    )
    terms = ", ".join(f"{t} {v:+d}" for t, v in p.terms.items() if v)
    head = f"{p.rank}. {', '.join(p.blocks)}: {seats}; {p.cost:+d} objective"
    lines = [printable(head + (f" ({terms})" if terms else ""))]
    extra = [f"{a.kind} {a.counselor} {a.day} {a.start}-{a.end} ({a.room})" for a in p.appointments]
    if p.primary_counselor is not None:
        extra.append(
            f"primary {p.primary_counselor}" + (" (assigned)" if p.primary_assigned else "")
        )
    if p.screens:
        extra.append(f"screen{'s' if len(p.screens) > 1 else ''} {', '.join(p.screens)}")
    if extra:
        lines.append(printable("   " + "; ".join(extra)))
    return lines


def moves_lines(m: Moves) -> list[str]:
    """What moves, by id: others' appointments (then the placement), or the re-solve's."""
    if m.placement is not None:
        moved = m.placement.moved_appointments
        each = ", ".join(
            f"{a.patient} {a.kind} {a.counselor} {a.day} {a.start} -> {a.to_day} {a.to_start}"
            for a in moved
        )
        head = f"with moves: {len(moved)} appointment{'s' if len(moved) > 1 else ''} of others "
        return [printable(f"{head}moved ({each}); nobody's groups change")] + placement_lines(
            m.placement
        )

    def listed(ids: list[str], one: str, many: str) -> str:
        names = f" ({', '.join(ids)})" if ids else ""
        return f"{len(ids)} {one if len(ids) == 1 else many}{names}"

    return [
        printable(
            "with moves: "
            + listed(m.patients_moved, "patient moved", "patients moved")
            + ", "
            + listed(m.sessions_moved, "session moved", "sessions moved")
            + ", "
            + listed(m.counselors_changed, "counselor changed", "counselors changed")
            + f"; objective {m.objective} ({m.cost:+d}), status {m.status}"
        )
    ]
