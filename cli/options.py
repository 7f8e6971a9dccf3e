"""Options shared by ``solve`` and ``batch``, and the parameter types every command uses."""

import click

FILE = click.Path(dir_okay=False)  # a file's path; a directory there is a usage error
POSITIVE = click.IntRange(min=1)

time_limit_option = click.option(
    "--time-limit",
    default=60.0,
    type=click.FloatRange(min=0),
    help="Seconds of search per instance (deterministic time units with --deterministic).",
)
seed_option = click.option(
    "--seed",
    default=0,
    type=int,
    help="Random seed of the search and of the drug-screen draw (same seed, same screens).",
)
gap_option = click.option(
    "--gap",
    "relative_gap",
    default=0.0,
    type=click.FloatRange(0, 1),
    help="Stop once the relative gap is at most this.",
)
warm_start_option = click.option(
    "--warm-start",
    type=click.Choice(["greedy", "none"]),
    default="greedy",
    help="greedy: build a timetable as a coordinator would (in about a second) and start the search from it; none: search from scratch.",
)
formulation_option = click.option(
    "--formulation",
    type=click.Choice(["aggregated", "plain"]),
    default="aggregated",
    help="Model formulation (plain is slower; for comparison).",
)
