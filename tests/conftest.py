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

Stochastic comparisons use :func:`assert_clearly_positive`: a one-sided t-test on the paired
differences at the error rate of a three-standard-error normal test (0.135%), with the t quantile
of the seeds run. Each test's seed count was chosen before its outcome was seen, from the effect
and its spread over pilot seeds 100-119 (``PILOT=1 pytest ...`` records them in ``pilot.jsonl``
instead of asserting): the fewest seeds, and at least five (so the t quantile stays moderate), at
which the test has 90% power if the spread is as large as the 90% upper confidence bound of the
pilot's (:func:`seeds_needed`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from statistics import NormalDist

import numpy as np
import pytest
from scipy import stats

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
#: One-sided error rate of a "clearly positive" test: that of a three-standard-error normal test.
ALPHA = NormalDist().cdf(-3.0)
#: Pilot mode: every paired comparison runs on seeds 100-109 and records its effect instead of asserting.
PILOT = os.environ.get("PILOT") == "1"
PILOT_SEEDS = tuple(range(100, 120))


def seeds_needed(effect: float, sd: float, pilot: int = len(PILOT_SEEDS), alpha: float = ALPHA, power: float = 0.9, most: int = 80) -> int:
    """The fewest seeds (at least 5) at which a one-sided t-test at ``alpha`` detects ``effect`` with ``power``,
    for a spread as large as the 90% upper confidence bound of ``sd`` measured over ``pilot`` seeds."""
    sd_upper = sd * np.sqrt((pilot - 1) / stats.chi2.ppf(0.1, pilot - 1))
    z = NormalDist().inv_cdf(power)
    for n in range(5, most + 1):
        if effect > 0 and effect / (sd_upper / np.sqrt(n)) >= stats.t.ppf(1 - alpha, n - 1) + z:
            return n
    return most + 1


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
    """statistic(run with ``on``) - statistic(run with ``off``), per seed (the pilot seeds in pilot mode)."""
    seeds = PILOT_SEEDS if PILOT else seeds
    return np.array([statistic(run_series(on, s)) - statistic(run_series(off, s)) for s in seeds], float)


def assert_clearly_positive(diffs: np.ndarray, what: str = "effect", alpha: float = ALPHA) -> None:
    """One-sided t-test: the mean paired difference exceeds t(1 - alpha, n - 1) standard errors across seeds."""
    diffs = np.asarray(diffs, float)
    assert np.all(np.isfinite(diffs)), f"{what}: non-finite differences {diffs}"
    n, mean = len(diffs), diffs.mean()
    se = diffs.std(ddof=1) / np.sqrt(n)
    if PILOT:
        with open("pilot.jsonl", "a", encoding="utf-8") as f:
            f.write(json.dumps({"test": os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0], "what": what, "n": n, "mean": mean, "sd": float(diffs.std(ddof=1)), "needed": seeds_needed(mean, float(diffs.std(ddof=1)))}) + "\n")
        return
    q = stats.t.ppf(1 - alpha, n - 1)
    assert mean > q * se and mean > 0, f"{what}: mean paired difference {mean:.4g} not > t = {q:.2f} x SE {se:.4g} ({n} seeds); diffs {np.round(diffs, 4)}"


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


@pytest.fixture(scope="session")
def free_port():
    """A function that returns a port of 127.0.0.1 nothing listens on (for the servers the tests start)."""
    from viz.serve import free_port

    return free_port


@pytest.fixture
def clearly_positive():
    return assert_clearly_positive


def call(argv, capfd) -> tuple[int, str, str]:
    """The command line run in this process: (exit status, stdout, stderr)."""
    import run as cli

    code = cli.main([str(a) for a in argv])
    out, err = capfd.readouterr()
    return code, out, err


def page_renderer(page_module, monkeypatch):
    """render() -> (the model the page built, the render context): the server's page as a viewer opens it."""
    import solara

    built = []
    real = page_module.new_model
    monkeypatch.setattr(page_module, "new_model", lambda: built.append(real()) or built[-1])

    def render():
        @solara.component
        def Layout():
            with solara.AppLayout():
                page_module.Page()

        _, rc = solara.render(Layout(), handle_error=False)
        return built[-1], rc

    return render


def buttons(rc):
    """The page's Reset, play and Step buttons: one Vue template (viz/run_controls.vue), its state in its props."""
    return rc.find(meta_ref="run-buttons").widget


def press(rc, button: str) -> None:
    """Press ``reset``, ``play_pause`` or ``step`` on a rendered page as the browser does: the template calls the server's handler."""
    getattr(buttons(rc), f"vue_{button}")({})
