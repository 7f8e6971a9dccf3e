"""What a workbook can say of an instance: availability as marks in week order."""

from __future__ import annotations

from models.instance import Instance


def in_week_order(instance: Instance) -> Instance:
    """The instance as its workbook gives it back.

    Last week's schedule (``previous``) is not in a workbook. Slot lists are sets: a
    workbook marks each slot once, in week order, so
    ``available`` and ``preferred`` (patients, counselors, rooms) come back sorted in
    week order without repeats, and a patient's preferred slots only where the patient
    is available (``p`` is "available and preferred"; :func:`workbook_losses` says
    when that drops something, which can change the objective). Everything else is kept
    as it is, so
    ``read(write(x)) == in_week_order(x)`` for every valid instance.

    Parameters
    ----------
    instance
        A validated instance.

    Returns
    -------
    Instance
        The same instance with its slot lists in week order.
    """
    week = instance.slots

    def ordered(chosen: list[str] | None, within: list[str] | None = None) -> list[str] | None:
        if chosen is None:
            return None
        keep = set(chosen) & (set(within) if within is not None else set(week))
        return [s for s in week if s in keep]

    patients = [
        p.model_copy(
            update={
                "available": ordered(p.available),
                "preferred": ordered(p.preferred, p.available),
            }
        )
        for p in instance.patients
    ]
    counselors = [
        c.model_copy(update={"available": ordered(c.available)}) for c in instance.counselors
    ]
    rooms = [r.model_copy(update={"available": ordered(r.available)}) for r in instance.rooms]
    return instance.model_copy(
        update={
            "patients": patients,
            "counselors": counselors,
            "rooms": rooms,
            "previous": None,  # no workbook holds it (workbook_losses)
        }
    )


def workbook_losses(instance: Instance) -> list[str]:
    """What a workbook cannot hold of this instance, one line each (usually none).

    A patient's preferred slot where they are not available has no mark (``p`` is
    "available and preferred"), so the workbook leaves it out. That can change the
    objective: a patient whose only preferred slots are such slots misses a preference
    in every block they attend, and with none left, in none. Last week's schedule
    (``previous``, recorded by ``roll``) has no sheet: without it solve is not kept like
    last week unless given ``--previous``.
    """
    lines = []
    if instance.previous is not None:
        lines.append(
            "previous: last week's schedule is not kept in a workbook; give it to solve "
            "with --previous"
        )
    for p in instance.patients:
        lost = [s for s in p.preferred if s not in set(p.available)]
        if lost:
            lines.append(
                f"patients {p.id}: preferred {', '.join(dict.fromkeys(lost))} not among their "
                "available slots; a workbook cannot mark that (p means available and "
                "preferred), so it leaves them out"
            )
    return lines
