"""Placeholder: filled in by issue 13."""

from models import Instance, Schedule


def files(instance: Instance, schedule: Schedule) -> dict[str, bytes]:
    raise NotImplementedError
