"""What a failed attempt teaches: the greedy gets ``Stuck`` with one line naming the
step and the ids, and the ``Hints`` it learns from that shape the next attempt."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field


class Stuck(Exception):
    """The greedy cannot go on. ``reason`` is one line (ids only); the rest feeds a hint."""

    def __init__(
        self,
        reason: str,
        kind: str,
        patient: str | None = None,
        slots: Iterable[str] = (),
        culprits: Iterable[tuple[str, str]] = (),
        attended: Iterable[str] = (),
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind  # "seat", "requirement", "reach", "full" or "final"
        self.patient = patient
        self.slots = list(slots)
        # (patient, slot): others whose presence there caused it (to keep out instead)
        self.culprits = list(culprits)
        self.attended = list(attended)  # the patient's blocks, to try keeping them out of


@dataclass
class Hints:
    """What earlier attempts learned; each rebuild reads them."""

    keep_out: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    near_staff: set[str] = field(default_factory=set)
    fewer: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def learn(self, stuck: Stuck) -> bool:
        """Take the hint a failure gives; False when it gives nothing new."""
        pid = stuck.patient
        if stuck.kind == "full":
            new = [s for s in stuck.slots if self.fewer[s] < 3]
            for s in new:
                self.fewer[s] += 1
            return bool(new)
        culprits = [(q, s) for q, s in stuck.culprits if s not in self.keep_out[q]]
        if culprits:
            for q, s in culprits:
                self.keep_out[q].add(s)
            return True
        if pid is None:
            return False
        if stuck.kind == "reach" and pid not in self.near_staff:
            self.near_staff.add(pid)
            return True
        new = [s for s in stuck.slots if s not in self.keep_out[pid]]
        if not new:  # the same again: try the patient's other blocks, one at a time
            new = [s for s in stuck.attended if s not in self.keep_out[pid]][:1]
        self.keep_out[pid].update(new)
        return bool(new)
