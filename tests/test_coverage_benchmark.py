"""The calibration's coverage benchmark keeps what finished: --resume runs only the rest, and refuses another setup."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("calibration_coverage", ROOT / "benchmarks" / "calibration_coverage.py")
coverage = importlib.util.module_from_spec(_spec)
sys.modules["calibration_coverage"] = coverage
_spec.loader.exec_module(coverage)


class Stop(Exception):
    pass


def fake_replicates(calls: list[int], stop_at: int | None = None, skip: int | None = None):
    """A replicate that records its index: covered for even keys, stops (an interrupt) at ``stop_at``."""

    def replicate(calibration, r, seed, pool, folder):
        calls.append(r)
        if r == stop_at:
            raise Stop
        if r == skip:
            return []
        return [{"replicate": r, "key": f"k{i}", "truth": 0.5, "low": 0.0, "high": 1.0, "covered": i % 2 == 0, "rank": (r + i) / 10,
                 "generations": 3} for i in range(4)]

    return replicate


def test_an_interrupted_benchmark_resumes_with_the_replicates_it_lacks(tmp_path, monkeypatch, capsys):
    calls: list[int] = []
    out = ["--replicates", "4", "--jobs", "1", "--out", str(tmp_path)]
    monkeypatch.setattr(coverage, "replicate", fake_replicates(calls, stop_at=2, skip=1))
    with pytest.raises(Stop):
        coverage.main(out)
    assert calls == [0, 1, 2]
    assert coverage.main(out) == 2  # the folder holds a run: continue it only when asked
    assert capsys.readouterr().err.count("\n") == 1
    calls.clear()
    monkeypatch.setattr(coverage, "replicate", fake_replicates(calls, skip=1))
    assert coverage.main([*out, "--resume"]) == 0
    assert calls == [2, 3]  # 0 finished, 1 had no data to fit: neither runs again
    table = pd.read_csv(tmp_path / "replicates.csv")
    assert sorted(table["replicate"].unique()) == [0, 2, 3] and len(table) == 12
    assert "50% of 12 intervals" in (tmp_path / "coverage.md").read_text()
    assert coverage.main([*out, "--resume", "--seed", "8"]) == 2  # another benchmark: refused


def test_the_interval_of_all_keys_resamples_whole_replicates():
    # Keys of one replicate move together (one fit): all covered or none. A bootstrap over replicates sees
    # 20 observations, not 200, so its interval is about sqrt(10) wider than one that counts intervals.
    rng = np.random.default_rng(3)
    together = rng.random(20) < 0.8
    table = pd.DataFrame([{"replicate": r, "key": f"k{i}", "covered": bool(together[r])} for r in range(20) for i in range(10)])
    share, low, high = coverage.overall(table, seed=1)
    assert share == together.mean() and low < share < high
    independent = 2 * 1.96 * np.sqrt(share * (1 - share) / len(table))
    assert high - low > 2 * independent


def test_the_level_that_holds_the_truth_is_read_from_the_ranks():
    # A calibrated posterior puts the truth at a uniform rank: its 90% interval is the one to read. A posterior
    # too narrow by half (the truth's standard score twice what the posterior thinks) needs a wider one, as wide
    # as the normal widening says.
    rng = np.random.default_rng(5)

    def table(scale):
        z = rng.standard_normal(4000) * scale
        return pd.DataFrame({"replicate": np.repeat(np.arange(400), 10), "rank": coverage.stats.norm.cdf(z)})

    level, low, high = coverage.needed_level(table(1.0), seed=1)
    assert low < 0.90 < high and abs(level - 0.90) < 0.02
    level, low, high = coverage.needed_level(table(2.0), seed=1)
    assert 0.99 < low and abs(coverage.widening(level) - 2.0) < 0.2
