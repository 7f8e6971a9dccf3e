"""``iop-scheduler generate``: a synthetic program, feasible by construction."""

from __future__ import annotations

from typing import Any

import click

from cli.common import bad_input, check_writable
from cli.options import FILE, POSITIVE
from models import to_json, write_text_atomic


@click.command()
@click.option("--patients", required=True, type=click.IntRange(min=8), help="Number of patients.")
@click.option(
    "--counselors", type=POSITIVE, help="Counselors (default: enough for the patients, with slack)."
)
@click.option(
    "--rooms", type=POSITIVE, help="Group rooms (default: enough for the patients, plus one)."
)
@click.option("--seed", default=0, type=int)
@click.option(
    "--sites",
    default=1,
    type=POSITIVE,
    help="Sites of a multi-site organization (patients, rooms and staff per site; some staff float between two).",
)
@click.option("--name", help="Instance name (default generated-<N>p-seed<S>).")
@click.option("-o", "--output", required=True, type=FILE)
@click.option(
    "--witness", type=FILE, help="Also write the schedule that proves the instance feasible."
)
def generate(output: str, witness: str | None, **program: Any) -> None:
    """Write a realistic synthetic program (feasible by construction at the default ratios)."""
    # ``program``: the other options, which are scheduler.generate's parameters by name.
    check_writable(output)
    if witness:
        check_writable(witness)
    from scheduler.generate import GenerateError
    from scheduler.generate import generate as run_generate

    try:
        inst, proof = run_generate(**program)
    except GenerateError as err:
        bad_input(f"--sites: {err}")
    write_text_atomic(output, to_json(inst))
    click.echo(
        f"wrote {output}: {len(inst.patients)} patients, {len(inst.counselors)} counselors, "
        f"{len(inst.rooms)} rooms"
    )
    if proof is None:
        click.echo(
            "warning: with these counselors and rooms the instance may be infeasible", err=True
        )
    elif witness:
        write_text_atomic(witness, to_json(proof))
        click.echo(f"wrote {witness}: a valid schedule ({len(proof.sessions)} sessions)")
