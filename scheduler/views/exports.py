"""What ``export`` (and ``solve --export``) says it wrote."""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path


def written_lines(paths: list[Path], directory: str | os.PathLike[str]) -> list[str]:
    """One line per file at the top of ``directory``; one per folder below it, with its
    count (``wrote 42 calendars in out/calendars``): a program has dozens of feeds."""
    root = Path(directory)
    lines: list[str] = []
    folders: dict[Path, list[Path]] = defaultdict(list)
    for path in paths:
        if path.parent == root:
            lines.append(f"wrote {path}")
        else:
            folders[path.parent].append(path)
    for folder, inside in folders.items():
        what = "calendar" if all(p.suffix == ".ics" for p in inside) else "file"
        lines.append(f"wrote {len(inside)} {what}{'' if len(inside) == 1 else 's'} in {folder}")
    return lines
