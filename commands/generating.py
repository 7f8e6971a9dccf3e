"""The ``generate`` command: a realistic synthetic program."""

from __future__ import annotations

from typing import Any

import click

from commands.common import FILE, POSITIVE, bad_input, write_or_exit
from models import to_json
from models.outputs import output_problems


@click.command()
@click.option("--patients", required=True, type=click.IntRange(8, 5000), help="Number of patients.")
@click.option(
    "--counselors", type=POSITIVE, help="Counselors (default: enough for the patients, with slack)."
)
@click.option(
    "--rooms", type=POSITIVE, help="Group rooms (default: enough for the patients, plus one)."
)
@click.option("--seed", default=0, type=click.IntRange(0, 2**32 - 1))
@click.option(
    "--sites",
    default=1,
    type=POSITIVE,
    help="Sites of a multi-site organization (patients, rooms and staff per site; some staff float between two).",
)
@click.option("--name", help="Instance name (default generated-<N>p-seed<S>).")
@click.option(
    "--week-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The week's first day, YYYY-MM-DD (for calendar and FHIR exports).",
)
@click.option("--timezone", help="The program's IANA time zone, e.g. America/New_York.")
@click.option("-o", "--output", required=True, type=FILE)
@click.option(
    "--witness", type=FILE, help="Also write the schedule that proves the instance feasible."
)
def generate(output: str, witness: str | None, **program: Any) -> None:
    """Write a realistic synthetic program (feasible by construction at the default ratios)."""
    # ``program``: the other options, which are scheduler.generate's parameters by name.
    if problems := output_problems([output, witness]):
        bad_input(*problems)
    from scheduler.generate import GenerateError
    from scheduler.generate import generate as run_generate

    if program["week_of"] is not None:
        program["week_of"] = program["week_of"].date()
    try:
        inst, proof = run_generate(**program)
    except GenerateError as err:  # its message starts with the parameter's name: the option's
        bad_input(f"--{err}")
    sizes = f"{len(inst.patients)} patients, {len(inst.counselors)} counselors"
    write_or_exit(output, to_json(inst), f"wrote {output}: {sizes}, {len(inst.rooms)} rooms")
    if proof is None:
        click.echo(
            "warning: with these counselors and rooms the instance may be infeasible", err=True
        )
    elif witness:
        done = f"wrote {witness}: a valid schedule ({len(proof.sessions)} sessions)"
        write_or_exit(witness, to_json(proof), done)
