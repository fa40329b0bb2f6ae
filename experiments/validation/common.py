"""What every check shares: its context (quick or full, seeds, runner), its result, its panels and their styles."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from experiments.validation.sim import Runner
from experiments.validation.stats import Comparison, Z
from model.scenario import Scenario, load

ROOT = Path(__file__).resolve().parents[2]


SCENARIOS = ROOT / "scenarios" / "validation"


#: Each experiment draws its seeds from its own block of this many.
SEED_BLOCK = 100_000


@dataclass
class Series:
    """One drawn element of a panel: a line, a band between y and y2, bars or points with error bars."""

    kind: str  # line | band | bars | points | hline
    x: np.ndarray
    y: np.ndarray
    y2: np.ndarray | None = None
    label: str = ""
    color: str = "black"
    style: str = "-"


@dataclass
class Panel:
    title: str
    xlabel: str
    ylabel: str
    series: list[Series]
    yscale: str = "linear"
    xscale: str = "linear"


@dataclass
class CheckResult:
    key: str
    title: str
    claim: str
    source: str
    setting: str
    theory: str  # the theory in words and formulas, as tested
    scenario: str  # the scenario file(s), relative to the repository
    comparisons: list[Comparison]
    panels: list[Panel]
    notes: list[str] = field(default_factory=list)
    tables: list[tuple[str, list[str], list[list[str]]]] = field(default_factory=list)  # (caption, header, rows)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        """Every comparison agrees: the published result is reproduced."""
        return all(c.passed for c in self.comparisons)

    @property
    def verdict(self) -> str:
        return "REPRODUCED" if self.passed else "NOT REPRODUCED"

    @property
    def unexpected(self) -> list:
        """Comparisons that disagree with no documented reason: errors of the model or of the check."""
        return [c for c in self.comparisons if not c.passed and not c.known]

    @property
    def reasons(self) -> list[str]:
        """The documented reasons of the comparisons that disagree."""
        return list(dict.fromkeys(c.known for c in self.comparisons if not c.passed and c.known))


@dataclass
class Context:
    """How a validation is run: quick or full, how many seeds, and the runner (serial or pool)."""

    quick: bool
    runner: Runner
    seeds: int | None = None  # overrides every Monte Carlo check's default number of seeds

    def n_seeds(self, quick: int, full: int) -> int:
        return self.seeds if self.seeds else (quick if self.quick else full)

    def seed_range(self, check: int, n: int) -> range:
        """Seeds of the ``check``-th experiment: its own block, so the checks are independent."""
        return range(SEED_BLOCK * check + 1, SEED_BLOCK * check + n + 1)

    def scenario(self, name: str, quick_steps: int | None = None, overrides: dict | None = None) -> Scenario:
        over = dict(overrides or {})
        if self.quick and quick_steps is not None:
            over["run.steps"] = quick_steps
        return load(SCENARIOS / name, over or None)


def chain_band(x, chains, label, color) -> list[Series]:
    """Median of chains (columns of ``chains`` are generations) and its 10-90% band."""
    q10, q50, q90 = np.quantile(chains, [0.1, 0.5, 0.9], axis=0)
    return [
        Series("band", x, q10, q90, f"{label}: 10–90% of chains", color),
        Series("line", x, q50, label=f"{label}: median", color=color),
    ]


def mean_band(x, mean, se, label, color) -> list[Series]:
    """Simulated mean and its ±Z SE band."""
    return [
        Series("band", x, mean - Z * se, mean + Z * se, f"{label}: mean ±{Z:g} SE", color),
        Series("line", x, mean, label=f"{label}: mean", color=color, style="--"),
    ]


THEORY = {"color": "black"}


SIM = "#2b8cbe"


SIM2 = "#e6550d"


SIM3 = "#31a354"


def split_gaussian(X: np.ndarray, d: int, sigma2: float):
    """Split a gaussian trace: variances/sigma2 (N, rows, d), mean errors/sigma (N, rows, d), metrics."""
    return X[:, :, :d] / sigma2, X[:, :, d : 2 * d] / math.sqrt(sigma2), X[:, :, 2 * d], X[:, :, 2 * d + 1]


def setting(sc: Scenario, seeds: range, extra: str = "") -> str:
    ai, w = sc.ai, sc.world
    n_seeds = len(seeds)
    chains = f" ({n_seeds * w.dim} chains: d = {w.dim} independent dimensions per seed)" if w.ideas == 1 and w.dim > 1 else ""
    regime = sc.policy.data_regime + (f", human_reserve α = {sc.policy.human_reserve:g}" if sc.policy.human_reserve else "")
    return (
        f"M = {ai.items_per_step:g} items per generation, "
        f"train_size = {ai.train_size if ai.train_size < 10**6 else 'all items (10⁶)'}, "
        f"generations 1–{sc.run.steps + 1} (run.steps = {sc.run.steps}), estimator {ai.variance_estimator}, regime {regime}, "
        f"temperature {ai.temperature:g}, archive {w.archive_items} items, "
        f"{n_seeds} seeds ({seeds.start}–{seeds.stop - 1}){chains}{extra}"
    )
