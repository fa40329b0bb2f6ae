"""The scenario scripts in scenarios/scripts/ run end to end at small scale (their --quick mode)."""

from __future__ import annotations

import runpy
from pathlib import Path

import pandas as pd
import pytest

from experiments.library import LIBRARY

SCRIPTS = sorted((LIBRARY / "scripts").glob("*.py"))


def test_there_are_at_least_two_scripts():
    assert len(SCRIPTS) >= 2


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_script_runs_and_answers_its_question(script: Path, tmp_path, capsys):
    namespace = runpy.run_path(str(script))  # not as __main__: main() is called below, at small scale
    table = namespace["main"](["--quick", "--seeds", "2", "--jobs", "1", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    answer = [line for line in out.splitlines() if line.startswith("Answer: ")]
    assert len(answer) == 1, out
    csv = sorted(tmp_path.glob("*.csv"))
    assert len(csv) == 1 and len(sorted(tmp_path.glob("*.png"))) == 1
    written = pd.read_csv(csv[0])
    assert len(written) == len(table) >= 2 and written.notna().all().all(), written
