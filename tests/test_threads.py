"""A run is a function of (scenario, seed) alone, not of how many threads the BLAS library uses.

A threaded BLAS dot product splits its sum by thread, so its last digit depends on the thread
count; a reduction that feeds the dynamics or a metric must not go through one. The text world
has tens of thousands of ideas (words), above the size at which OpenBLAS starts threading.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

RUN = """
import hashlib, sys
sys.path.insert(0, {root!r})
from experiments.runner import run
from model.scenario import Scenario
overrides = {{"world.kind": "text", "world.archive_items": 2000, "humans.count": 150, "ai.train_size": 2000,
             "ai.retrain_every": 2, "ai.items_per_step": 40.0, "run.steps": 4, "run.window": 2, "run.rarefy": 200}}
result = run(Scenario().with_overrides(overrides, "test"), seed=5)
print(hashlib.sha256(result.timeseries.to_csv(float_format="%.17g").encode()).hexdigest())
"""


def digest(threads: int) -> str:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": str(threads), "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)}
    out = subprocess.run([sys.executable, "-c", RUN.format(root=str(ROOT))], env=env, capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def test_a_run_is_the_same_to_the_last_digit_with_one_or_two_blas_threads():
    assert digest(1) == digest(2)
