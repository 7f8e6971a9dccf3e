"""``python -m cli``: the same as ``iop-scheduler``."""

from cli import main

main()
