"""Every example of docs/api.md runs: each ```python block as a script of its own, as a reader would run it.

A block runs in a fresh Python process in an empty folder (so what it writes goes there), with
the repository importable, matplotlib drawing to files, and warnings shown. The mesa.batch_run
example runs in two worker processes under its ``if __name__ == "__main__":`` guard.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PAGE = REPO / "docs" / "api.md"
BLOCKS = re.findall(r"^```python\n(.*?)^```", PAGE.read_text(encoding="utf-8"), re.S | re.M)


def test_the_page_has_its_examples_and_the_readme_links_to_it():
    assert len(BLOCKS) >= 7
    assert any("mesa.batch_run" in b and 'if __name__ == "__main__":' in b and "number_processes=2" in b for b in BLOCKS)
    assert "docs/api.md" in (REPO / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i + 1}" for i in range(len(BLOCKS))])
def test_example_runs(code: str, tmp_path):
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]), "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert done.stdout.strip(), "an example prints what it shows"
