"""The README's library example runs as written."""

from __future__ import annotations

import os
import re

from conftest import ROOT


def test_readme_library_example_runs() -> None:
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "the README has a python example"
    cwd = os.getcwd()
    os.chdir(ROOT)  # the example uses paths relative to the repository
    try:
        for code in blocks:
            exec(compile(code, "README.md", "exec"), {})
    finally:
        os.chdir(cwd)
