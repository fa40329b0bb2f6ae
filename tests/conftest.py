"""Shared small-scenario fixtures for the lever and dynamics tests.

* ``small``: a scenario small enough to run in about 0.1 s (2-d vectors, a
  4,000-item archive, 200 creators, 2 models retraining every 5 steps on 2,000
  items, 40 steps, exogenous AI supply, a neutral audience), with ``{"section.key": value}`` overrides.
* ``simulate``: build a :class:`ContentEcosystem` from ``small`` overrides and a
  seed, run it to the end and return the model.
* ``series``: the timeseries of such a run (cached per overrides and seed, so
  the policy-off runs of paired comparisons are computed once per session).
* ``paired``: per-seed differences of a statistic, policy on minus policy off,
  with the same seeds (common random numbers).
* ``training_spy``: records every training set the model assembles.

Stochastic comparisons use :func:`assert_clearly_positive`: the mean paired
difference must exceed ``z`` standard errors computed across seeds.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pytest

from model import policies
from model.ecosystem import ContentEcosystem
from model.scenario import Scenario

SMALL = {
    "run.steps": 40,
    "world.dim": 2,
    "world.archive_items": 4000,
    "humans.count": 200,
    "ai.models": 2,
    "ai.train_size": 2000,
    "ai.retrain_every": 5,
    "ai.items_per_step": 100.0,
    "platform.attention": 2.0,
    # The mechanics tests run on an exogenous AI supply and a neutral audience, so that each
    # lever's effect is not mixed with the market's response; tests/test_market.py and
    # tests/test_calibration.py run the market at the shipped baseline's settings.
    "ai.supply": "fixed",
    "platform.ai_visibility": 1.0,
    "platform.assisted_visibility": 1.0,
    "platform.novelty_premium": 0.0,
}
SEEDS = tuple(range(6))


def small_scenario(overrides: dict | None = None) -> Scenario:
    data = dict(SMALL)
    data.update(overrides or {})
    return Scenario().with_overrides(data)


def run_model(overrides: dict | None = None, seed: int = 0) -> ContentEcosystem:
    model = ContentEcosystem(small_scenario(overrides), seed=seed)
    while model.running:
        model.step()
    return model


@lru_cache(maxsize=None)
def _cached_series(key: tuple, seed: int):
    return run_model(dict(key), seed).timeseries()


def run_series(overrides: dict | None = None, seed: int = 0):
    """Timeseries of a small run (cached; do not mutate the frame)."""
    return _cached_series(tuple(sorted((overrides or {}).items())), seed)


def paired_differences(on: dict, off: dict, statistic, seeds=SEEDS) -> np.ndarray:
    """statistic(run with ``on``) - statistic(run with ``off``), per seed."""
    return np.array([statistic(run_series(on, s)) - statistic(run_series(off, s)) for s in seeds], float)


def assert_clearly_positive(diffs: np.ndarray, z: float = 3.0, what: str = "effect") -> None:
    """The mean paired difference exceeds ``z`` standard errors across seeds."""
    diffs = np.asarray(diffs, float)
    assert np.all(np.isfinite(diffs)), f"{what}: non-finite differences {diffs}"
    mean = diffs.mean()
    se = diffs.std(ddof=1) / np.sqrt(len(diffs))
    assert mean > z * se and mean > 0, f"{what}: mean paired difference {mean:.4g} not > {z} x SE {se:.4g}; diffs {np.round(diffs, 4)}"


@dataclass
class Training:
    """One training set as assembled by ``policies.training_rows``."""

    step: int  # the step at which it was assembled (0 = setup)
    lo: int  # the regime's window of web rows
    hi: int
    size: int  # ai.train_size
    tail: np.ndarray  # culture's tail mask at that time
    rows: np.ndarray  # the web rows of the training set
    scraped: int
    dropped: int
    web: object

    @property
    def source(self) -> np.ndarray:
        return self.web.source[self.rows]

    @property
    def steps(self) -> np.ndarray:
        return self.web.step[self.rows]


class TrainingSpy:
    def __init__(self):
        self.sets: list[Training] = []

    def after_setup(self) -> list[Training]:
        return [t for t in self.sets if t.step > 0]


@pytest.fixture
def small():
    return small_scenario


@pytest.fixture
def simulate():
    return run_model


@pytest.fixture
def series():
    return run_series


@pytest.fixture
def paired():
    return paired_differences


@pytest.fixture
def training_spy(monkeypatch) -> TrainingSpy:
    """Record every training set a model assembles (the ecosystem calls ``policies.training_rows``)."""
    spy = TrainingSpy()
    original = policies.training_rows

    def recording(web, lo, hi, archive_n, size, policy, tail, rng):
        ts = original(web, lo, hi, archive_n, size, policy, tail, rng)
        # Publishing at step t adds step t to the web's step index, even with no items.
        step = web.steps_published - 1
        spy.sets.append(Training(step, lo, hi, size, np.array(tail, copy=True), ts.rows, ts.scraped, ts.dropped, web))
        return ts

    monkeypatch.setattr(policies, "training_rows", recording)
    return spy


@pytest.fixture
def clearly_positive():
    return assert_clearly_positive
