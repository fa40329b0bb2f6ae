"""What a comparison holds, and its statistics: pure functions of arrays and DataFrames.

Every scenario runs on the same seeds (common random numbers), so the difference between
two scenarios is measured seed by seed, and its interval is that of the paired differences.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from model import measurement
from model.scenario import Scenario

#: The metrics the comparison reports and draws, with a label each; a metric that not every
#: scenario measures is skipped (the last three exist in the text world only, see :func:`measured`).
HEADLINE = {
    "human_share_new": "human share of new items",
    "originality_index": "originality index",
    "richness_index": "richness index (rarefied ideas of the recent web over human culture's)",
    "ideas_rarefied": "ideas in a sample of recent items (rarefied)",
    "model_coverage": "model coverage of human culture",
    "active_humans": "active human creators",
    "ai_attention_share": "AI share of attention",
    "model_perplexity": "models' perplexity on held-out human text",
    "vocabulary_coverage": "vocabulary coverage (human token mass the models can write)",
    "distinct_2_recent": "distinct bigrams per bigram (recent documents)",
}

#: Steps averaged at the end of a run (one year of months).
LAST = 12
LEVEL = 0.95
KEYS = ("scenario", "seed", "step")

# -- statistics: pure functions ---------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """A mean and its two-sided confidence interval over ``n`` values (NaN where undefined)."""

    mean: float
    low: float
    high: float
    n: int


def mean_ci(values, level: float = LEVEL) -> Interval:
    """The mean of the finite ``values`` and its t-based confidence interval.

    ``mean ± t(level, n-1) · s / sqrt(n)`` with ``s`` the sample standard deviation: exact
    for normal data, and the right width for a handful of seeds, where the normal quantile
    would be too narrow. One value has a mean but no interval.
    """
    x = np.asarray(values, float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0:
        return Interval(float("nan"), float("nan"), float("nan"), 0)
    mean = float(x.mean())
    if n == 1:
        return Interval(mean, float("nan"), float("nan"), 1)
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / np.sqrt(n))
    return Interval(mean, mean - half, mean + half, n)


def paired_difference(a, b, level: float = LEVEL) -> Interval:
    """Mean of ``a - b`` over the pairs where both are finite, with its t-based interval."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.shape != b.shape:
        raise ValueError(f"paired values need the same shape, not {a.shape} and {b.shape}")
    return mean_ci(a - b, level)


def band(runs: pd.DataFrame, metric: str, level: float = LEVEL) -> pd.DataFrame:
    """Per scenario and step: the mean of ``metric`` over seeds and its confidence band.

    Columns ``scenario, step, mean, low, high, n``; scenarios in the order they appear.
    """
    g = runs.groupby(["scenario", "step"], sort=False)[metric]
    out = g.agg(mean="mean", sd="std", n="count").reset_index()
    q = stats.t.ppf(0.5 + level / 2, np.maximum(out["n"] - 1, 1))
    half = np.where(out["n"] > 1, q * out["sd"] / np.sqrt(out["n"].clip(lower=1)), np.nan)
    out["low"], out["high"] = out["mean"] - half, out["mean"] + half
    return out[["scenario", "step", "mean", "low", "high", "n"]]


def per_seed(runs: pd.DataFrame, metric: str, last: int = LAST) -> dict[str, pd.DataFrame]:
    """Per scenario and seed: ``metric`` at the final step, and averaged over the last ``last`` steps.

    Returns ``{"final": frame, "last": frame}``, each indexed by seed with one column per
    scenario. The average covers steps after setup only, so a run shorter than ``last``
    averages what it has.
    """
    out = {}
    final_step = runs.groupby("scenario", sort=False)["step"].transform("max")
    tail = runs[(runs["step"] > final_step - last) & (runs["step"] >= min(1, int(runs["step"].max())))]
    for kind, rows in (("final", runs[runs["step"] == final_step]), ("last", tail)):
        table = rows.groupby(["seed", "scenario"], sort=False)[metric].mean().unstack("scenario")
        out[kind] = table[list(dict.fromkeys(runs["scenario"]))]
    return out


def headline(columns) -> list[str]:
    """The headline metrics present among ``columns``, in :data:`HEADLINE` order."""
    return [m for m in HEADLINE if m in set(columns)]


def measured(scenarios: Iterable[Scenario]) -> list[str]:
    """The headline metrics every one of ``scenarios`` measures (the text columns only when all are in the text world)."""
    return headline(measurement.shared_columns(scenarios))


def summarize(runs: pd.DataFrame, metrics: Sequence[str] | None = None, last: int = LAST, level: float = LEVEL) -> pd.DataFrame:
    """Per scenario and metric, at the final step and over the last ``last`` steps: mean and
    interval over seeds, and the paired difference from the first scenario with its interval.

    Columns: ``scenario, metric, statistic, seeds, mean, ci_low, ci_high, diff, diff_low,
    diff_high``. ``statistic`` is ``final`` or ``last N steps``.
    """
    metrics = headline(runs.columns) if metrics is None else list(metrics)
    scenarios = list(dict.fromkeys(runs["scenario"]))
    span = min(last, max(1, int(runs["step"].max())))
    tables = {metric: per_seed(runs, metric, last) for metric in metrics}
    rows = []
    for name in scenarios:
        for metric in metrics:
            for kind, label in (("final", "final"), ("last", f"last {span} steps")):
                table = tables[metric][kind]
                values, reference = table[name].to_numpy(), table[scenarios[0]].to_numpy()
                m, d = mean_ci(values, level), paired_difference(values, reference, level)
                rows.append((name, metric, label, m.n, m.mean, m.low, m.high, d.mean, d.low, d.high))
    columns = ["scenario", "metric", "statistic", "seeds", "mean", "ci_low", "ci_high", "diff", "diff_low", "diff_high"]
    return pd.DataFrame(rows, columns=columns)



# -- who writes, or what is written: the originality index split by source -------------------

#: The parts of a paired difference of the originality index (:func:`originality_sources`).
PARTS = {
    "total": "difference of the originality index",
    "composition": "who writes: the human share of recent items",
    "within_human": "what human items are about",
    "within_ai": "what AI and assisted items are about (what models produce)",
}


def shift_share(s_a, h_a, m_a, s_b, h_b, m_b) -> dict[str, np.ndarray]:
    """Exact two-point shift-share split of ``O_a - O_b`` with ``O = s h + (1 - s) m``.

    ``s`` is the human share of the items, ``h`` the index of human items, ``m`` that of AI and
    assisted items. With bars for the mean of the two sides:
    ``O_a - O_b = (h̄ - m̄)(s_a - s_b) + s̄ (h_a - h_b) + (1 - s̄)(m_a - m_b)``: composition, within
    human, within AI. A source with no item on one side (its index NaN) is given the other side's
    index there (it has no change of its own); absent from both, it contributes nothing.
    """
    s_a, h_a, m_a, s_b, h_b, m_b = (np.asarray(x, float) for x in (s_a, h_a, m_a, s_b, h_b, m_b))
    h_a, h_b = np.where(np.isnan(h_a), h_b, h_a), np.where(np.isnan(h_b), h_a, h_b)
    m_a, m_b = np.where(np.isnan(m_a), m_b, m_a), np.where(np.isnan(m_b), m_a, m_b)
    h_a, h_b, m_a, m_b = (np.nan_to_num(x) for x in (h_a, h_b, m_a, m_b))
    s_bar = (s_a + s_b) / 2
    parts = {
        "composition": ((h_a + h_b) / 2 - (m_a + m_b) / 2) * (s_a - s_b),
        "within_human": s_bar * (h_a - h_b),
        "within_ai": (1 - s_bar) * (m_a - m_b),
    }
    parts["total"] = (s_a * h_a + (1 - s_a) * m_a) - (s_b * h_b + (1 - s_b) * m_b)
    return parts


def originality_sources(runs: pd.DataFrame, last: int = LAST, level: float = LEVEL) -> pd.DataFrame:
    """Per scenario against the first: the paired difference of the originality index over the
    last ``last`` steps, split exactly into who writes and what each source writes (:func:`shift_share`).

    The split is made step by step and seed by seed, then averaged over the steps, so the parts
    add up to the difference in every seed; intervals are t-based over seeds. Columns:
    ``scenario, part, mean, low, high, n``; no rows if a column it needs is missing.
    """
    needed = ("human_share_recent", "originality_human", "originality_ai")
    if not set(needed) <= set(runs.columns):
        return pd.DataFrame(columns=["scenario", "part", "mean", "low", "high", "n"])
    final = int(runs["step"].max())
    tail = runs[(runs["step"] > final - last) & (runs["step"] >= min(1, final))]
    names = list(dict.fromkeys(runs["scenario"]))
    wide = {name: tail[tail["scenario"] == name].set_index(["seed", "step"])[list(needed)] for name in names}
    ref = wide[names[0]]
    rows = []
    for name in names[1:]:
        a, b = wide[name].align(ref, join="inner")
        parts = shift_share(*(a[c] for c in needed), *(b[c] for c in needed))
        frame = pd.DataFrame(parts, index=a.index).groupby(level="seed").mean()
        for part in PARTS:
            ci = mean_ci(frame[part].to_numpy(), level)
            rows.append((name, part, ci.mean, ci.low, ci.high, ci.n))
    return pd.DataFrame(rows, columns=["scenario", "part", "mean", "low", "high", "n"])


@dataclass
class Comparison:
    """The outcome of :func:`compare`."""

    scenarios: dict[str, Scenario]  # name -> scenario as run (run.seed is replaced by each seed)
    seeds: list[int]
    runs: pd.DataFrame
    summary: pd.DataFrame
    wall_time: float
    jobs: int
    descriptions: dict[str, str] = field(default_factory=dict)  # name -> one line on the policy
    command: str = ""

    @property
    def names(self) -> list[str]:
        return list(self.scenarios)

    @property
    def metrics(self) -> list[str]:
        return measured(self.scenarios.values())
