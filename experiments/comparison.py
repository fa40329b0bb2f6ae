"""What a comparison holds, and its statistics: pure functions of arrays and DataFrames.

Every scenario runs in the same worlds (a world is a seed, or a posterior draw with a seed: common
random numbers), so the difference between two scenarios is measured world by world. Uncertainty is
shown first as the **range over worlds**, the 5th to 95th percentile of the level and of the effect
(:func:`world_range`), and how often each scenario beats each other (:mod:`experiments.how_often`);
the t-interval of a mean (:func:`mean_ci`) is the error of that mean, which shrinks as more worlds
are run, and is labelled so wherever it is shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

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

#: The direction in which each metric gets better (+1: higher is better), for ``share_helped``.
BETTER = {
    "human_share_new": 1,
    "originality_index": 1,
    "ideas_rarefied": 1,
    "model_coverage": 1,
    "active_humans": 1,
    "ai_attention_share": -1,
    "model_perplexity": -1,
    "vocabulary_coverage": 1,
    "distinct_2_recent": 1,
}

#: The bounds a metric cannot leave (a share in [0, 1], a count at least 0, a perplexity at least 1):
#: no interval of it is drawn or printed beyond them (:func:`bounds`).
BOUNDS = {
    "human_share_new": (0.0, 1.0),
    "model_coverage": (0.0, 1.0),
    "ai_attention_share": (0.0, 1.0),
    "vocabulary_coverage": (0.0, 1.0),
    "distinct_2_recent": (0.0, 1.0),
    "originality_index": (0.0, np.inf),
    "richness_index": (0.0, np.inf),
    "ideas_rarefied": (0.0, np.inf),
    "active_humans": (0.0, np.inf),
    "model_perplexity": (1.0, np.inf),
}

#: Steps averaged at the end of a run (one year of months).
LAST = 12
#: The level of the t-interval of a mean (the error of the mean).
LEVEL = 0.95
#: The share of worlds a range holds: from the 5th to the 95th percentile.
RANGE = 0.90
#: The fewest worlds a range is given for. With 10, the 5th and 95th percentiles lie half-way between the most and
#: the second most extreme world at each end (numpy's linear interpolation, at rank 0.05 (n - 1)); with fewer they
#: are little more than the extremes, a min-max of a handful of worlds rather than a range that holds 90% of them.
MIN_WORLDS = 10
KEYS = ("scenario", "seed", "step")

# -- statistics: pure functions ---------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """A mean and its two-sided confidence interval over ``n`` values (NaN where undefined)."""

    mean: float
    low: float
    high: float
    n: int


def bounds(metric: str, difference: bool = False) -> tuple[float, float]:
    """The values ``metric`` can take (:data:`BOUNDS`; unbounded if not listed); with ``difference``, those of a
    difference of two of its values (a share's difference lies in [-1, 1])."""
    low, high = BOUNDS.get(metric, (-np.inf, np.inf))
    return (low - high, high - low) if difference else (low, high)


def mean_ci(values, level: float = LEVEL, within: tuple[float, float] | None = None) -> Interval:
    """The mean of the finite ``values`` and its t-based confidence interval: the error of the mean.

    ``mean ± t(level, n-1) · s / sqrt(n)`` with ``s`` the sample standard deviation: exact
    for normal data, and the right width for a handful of seeds, where the normal quantile
    would be too narrow. One value has a mean but no interval. ``within`` (low, high) cuts the
    interval at the values the quantity can take (:func:`bounds`): a share's mean is never
    below 0, whatever two seeds' spread gives the t-interval.
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
    low, high = (-np.inf, np.inf) if within is None else within
    return Interval(mean, float(np.clip(mean - half, low, high)), float(np.clip(mean + half, low, high)), n)


def world_range(values, share: float = RANGE, min_worlds: int = MIN_WORLDS) -> tuple[float, float]:
    """(low, high): the central ``share`` of the finite ``values`` (one per world), by default the 5th to 95th
    percentile; NaN with fewer than ``min_worlds`` values (:data:`MIN_WORLDS`), too few for a range.

    Percentiles of values a metric can take are values it can take: a range never leaves a metric's bounds.
    """
    x = np.asarray(values, float)
    x = x[np.isfinite(x)]
    if len(x) < max(min_worlds, 1):
        return float("nan"), float("nan")
    low, high = np.quantile(x, [0.5 - share / 2, 0.5 + share / 2])
    return float(low), float(high)


def paired_difference(a, b, level: float = LEVEL) -> Interval:
    """Mean of ``a - b`` over the pairs where both are finite, with its t-based interval."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.shape != b.shape:
        raise ValueError(f"paired values need the same shape, not {a.shape} and {b.shape}")
    return mean_ci(a - b, level)


def band(runs: pd.DataFrame, metric: str, level: float = RANGE, min_worlds: int = MIN_WORLDS) -> pd.DataFrame:
    """Per scenario and step: the mean of ``metric`` over worlds and its range over them (:func:`world_range`).

    A world is a row of ``runs`` at the step: a seed, or a posterior draw with a seed. ``low`` and ``high``
    hold the central ``level`` of the worlds (the 5th to 95th percentile), NaN where fewer than ``min_worlds``
    worlds were run. Columns ``scenario, step, mean, low, high, n`` (``n``: the worlds); scenarios in the
    order they appear. :func:`mean_band` gives the error of the mean instead.
    """
    g = runs.groupby(["scenario", "step"], sort=False)[metric]
    out = g.agg(mean="mean", n="count").reset_index()
    low, high = g.quantile(0.5 - level / 2).to_numpy(float), g.quantile(0.5 + level / 2).to_numpy(float)
    enough = out["n"].to_numpy() >= max(min_worlds, 1)
    out["low"], out["high"] = np.where(enough, low, np.nan), np.where(enough, high, np.nan)
    return out[["scenario", "step", "mean", "low", "high", "n"]]


def mean_band(runs: pd.DataFrame, metric: str, level: float = LEVEL) -> pd.DataFrame:
    """Per scenario and step: the mean of ``metric`` over worlds and its t-interval (the error of the mean),
    cut at the metric's :func:`bounds`. Columns as :func:`band`'s."""
    g = runs.groupby(["scenario", "step"], sort=False)[metric]
    out = g.agg(mean="mean", sd="std", n="count").reset_index()
    q = stats.t.ppf(0.5 + level / 2, np.maximum(out["n"] - 1, 1))
    half = np.where(out["n"] > 1, q * out["sd"] / np.sqrt(out["n"].clip(lower=1)), np.nan)
    low, high = bounds(metric)
    out["low"], out["high"] = np.clip(out["mean"] - half, low, high), np.clip(out["mean"] + half, low, high)
    return out[["scenario", "step", "mean", "low", "high", "n"]]


def world_keys(runs: pd.DataFrame) -> list[str]:
    """The columns that name a world of a comparison: its seed, and its posterior draw when there is one."""
    return ["draw", "seed"] if "draw" in runs.columns else ["seed"]


def per_seed(runs: pd.DataFrame, metric: str, last: int = LAST) -> dict[str, pd.DataFrame]:
    """Per scenario and world: ``metric`` at the final step, and averaged over the last ``last`` steps.

    Returns ``{"final": frame, "last": frame}``, each indexed by seed (by draw and seed in a
    comparison over the posterior) with one column per scenario. The average covers steps after
    setup only, so a run shorter than ``last`` averages what it has.
    """
    out = {}
    final_step = runs.groupby("scenario", sort=False)["step"].transform("max")
    tail = runs[(runs["step"] > final_step - last) & (runs["step"] >= min(1, int(runs["step"].max())))]
    for kind, rows in (("final", runs[runs["step"] == final_step]), ("last", tail)):
        table = rows.groupby([*world_keys(runs), "scenario"], sort=False)[metric].mean().unstack("scenario")
        out[kind] = table[list(dict.fromkeys(runs["scenario"]))]
    return out


def across_worlds(effect: pd.Series, better: int, min_worlds: int = MIN_WORLDS) -> dict[str, float]:
    """The spread of a paired effect across plausible worlds, and how much of its variance the parameters make.

    ``effect`` is indexed by world: by seed, or by (draw, seed). ``p05`` and ``p95`` are its range over the
    worlds (:func:`world_range`: NaN with fewer than ``min_worlds``), ``p50`` its median and ``share_helped``
    the share of worlds in which it goes the metric's better way, each world a draw with a seed.
    With draws, the effect's variance splits as a one-way random effects analysis does: ``var_seeds``
    is the mean variance between the seeds of a draw, ``var_parameters`` the variance between the
    draws' means less the seeds' share of it (at least 0). Without draws both are measured only where
    they can be: ``var_seeds`` over the seeds, ``var_parameters`` not at all (NaN); with one seed per
    draw they cannot be told apart (NaN).
    """
    effect = effect[np.isfinite(effect.to_numpy(float))]
    nan = float("nan")
    if effect.empty:
        return dict.fromkeys(("p05", "p50", "p95", "share_helped", "var_parameters", "var_seeds"), nan)
    if "draw" in (effect.index.names or []):
        groups = effect.groupby(level="draw")
        seeds = groups.size()
        if len(seeds) > 1 and (seeds > 1).all():
            var_seeds = float(groups.var(ddof=1).mean())
            var_parameters = max(0.0, float(groups.mean().var(ddof=1)) - var_seeds / float(seeds.mean()))
        else:
            var_seeds = var_parameters = nan
    else:
        var_seeds, var_parameters = (float(effect.var(ddof=1)) if len(effect) > 1 else nan), nan
    x = effect.to_numpy(float)
    p05, p95 = world_range(x, min_worlds=min_worlds)
    return {
        "p05": p05,
        "p50": float(np.median(x)),
        "p95": p95,
        "share_helped": float(np.mean(np.sign(x) * better > 0)),
        "var_parameters": var_parameters,
        "var_seeds": var_seeds,
    }


def per_world(values: pd.Series) -> np.ndarray:
    """The replicates an interval is taken over: seeds, or in a comparison over the posterior, draws (each its seeds' mean)."""
    if "draw" in (values.index.names or []):
        return values.groupby(level="draw").mean().to_numpy(float)
    return values.to_numpy(float)


def headline(columns) -> list[str]:
    """The headline metrics present among ``columns``, in :data:`HEADLINE` order."""
    return [m for m in HEADLINE if m in set(columns)]


def measured(scenarios: Iterable[Scenario]) -> list[str]:
    """The headline metrics every one of ``scenarios`` measures (the text columns only when all are in the text world)."""
    return headline(measurement.shared_columns(scenarios))


#: The columns of a comparison's summary. ``range_low``/``range_high`` and ``p05``/``p95`` are the ranges over worlds
#: of the level and of the effect; ``ci_low``/``ci_high`` and ``diff_low``/``diff_high`` the errors of their means.
SUMMARY = (
    "scenario", "metric", "statistic", "draws", "seeds", "worlds", "mean", "range_low", "range_high", "ci_low", "ci_high",
    "diff", "p05", "p50", "p95", "diff_low", "diff_high", "share_helped", "var_parameters", "var_seeds",
)  # fmt: skip


def summarize(runs: pd.DataFrame, metrics: Sequence[str] | None = None, last: int = LAST, level: float = LEVEL) -> pd.DataFrame:
    """Per scenario and metric, at the final step and over the last ``last`` steps: the mean over worlds and the
    range over them (the 5th to 95th percentile, :func:`world_range`), the paired difference from the first
    scenario and its range (``p05``, ``p95``, :func:`across_worlds`), and the error of each mean.

    A world is a seed, or in a comparison over the posterior (``runs`` has a ``draw`` column) a draw with
    a seed; ``worlds`` counts them, and a range needs :data:`MIN_WORLDS` (NaN with fewer). The errors of
    the means (``ci_low``/``ci_high``, ``diff_low``/``diff_high``) are t-intervals over seeds, or over
    draws, each draw's value the mean over its seeds; they shrink as more worlds are run, and are cut at
    the metric's :func:`bounds`. ``draws`` is 0 without a posterior; ``seeds`` is the seeds per draw.
    ``statistic`` is ``final`` or ``last N steps``.
    """
    metrics = headline(runs.columns) if metrics is None else list(metrics)
    scenarios = list(dict.fromkeys(runs["scenario"]))
    span = min(last, max(1, int(runs["step"].max())))
    tables = {metric: per_seed(runs, metric, last) for metric in metrics}
    draws = int(runs["draw"].nunique()) if "draw" in runs.columns else 0
    seeds = int(runs.groupby("draw")["seed"].nunique().max()) if draws else int(runs["seed"].nunique())
    rows = []
    for name in scenarios:
        for metric in metrics:
            for kind, label in (("final", "final"), ("last", f"last {span} steps")):
                table = tables[metric][kind]
                level_of, effect = table[name], table[name] - table[scenarios[0]]
                m = mean_ci(per_world(level_of), level, within=bounds(metric))
                d = mean_ci(per_world(effect), level, within=bounds(metric, difference=True))
                low, high = world_range(level_of)
                spread = across_worlds(effect, BETTER.get(metric, 1)) if name != scenarios[0] else {}
                worlds = int(np.isfinite(level_of.to_numpy(float)).sum())
                row = {"scenario": name, "metric": metric, "statistic": label, "draws": draws, "seeds": seeds, "worlds": worlds,
                       "mean": m.mean, "range_low": low, "range_high": high, "ci_low": m.low, "ci_high": m.high,
                       "diff": d.mean, "diff_low": d.low, "diff_high": d.high}
                spread = {k: spread.get(k, float("nan")) for k in ("p05", "p50", "p95", "share_helped", "var_parameters", "var_seeds")}
                rows.append({**row, **spread})
    return pd.DataFrame(rows, columns=list(SUMMARY))


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

    The split is made step by step and world by world, then averaged over the steps, so the parts
    add up to the difference in every world. ``range_low``/``range_high`` are each part's range over the
    worlds (:func:`world_range`); ``low``/``high`` the error of its mean, t-based over seeds (over draws,
    each its seeds' mean, in a comparison over the posterior). Columns:
    ``scenario, part, mean, range_low, range_high, low, high, n``; no rows if a column it needs is missing.
    """
    columns = ["scenario", "part", "mean", "range_low", "range_high", "low", "high", "n"]
    needed = ("human_share_recent", "originality_human", "originality_ai")
    if not set(needed) <= set(runs.columns):
        return pd.DataFrame(columns=columns)
    final = int(runs["step"].max())
    tail = runs[(runs["step"] > final - last) & (runs["step"] >= min(1, final))]
    names = list(dict.fromkeys(runs["scenario"]))
    worlds = world_keys(runs)
    wide = {name: tail[tail["scenario"] == name].set_index([*worlds, "step"])[list(needed)] for name in names}
    ref = wide[names[0]]
    rows = []
    for name in names[1:]:
        a, b = wide[name].align(ref, join="inner")
        parts = shift_share(*(a[c] for c in needed), *(b[c] for c in needed))
        frame = pd.DataFrame(parts, index=a.index).groupby(level=worlds).mean()
        for part in PARTS:
            ci = mean_ci(per_world(frame[part]), level)
            rows.append((name, part, ci.mean, *world_range(frame[part]), ci.low, ci.high, ci.n))
    return pd.DataFrame(rows, columns=columns)


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
    draws: list[dict[str, float]] = field(default_factory=list)  # the posterior draws run (empty: the scenarios' own values)
    posterior_file: str = ""  # where the draws come from
    overrides: dict[str, object] = field(default_factory=dict)  # {"section.key": value} set in every scenario (in every name)
    partial: Path | None = None  # streamed to disk: the folder of the finished runs, and ``runs`` holds only their last steps
    runs_file: Path | None = None  # streamed: runs.csv, every step of every run, once written

    def series(self, metric: str) -> pd.DataFrame:
        """``scenario, step, METRIC`` of every step of every run: from memory, or read back from runs.csv, one column
        at a time, for a comparison streamed to disk (what a figure draws)."""
        if self.runs_file is None:
            return self.runs[["scenario", "step", metric]]
        return pd.read_csv(self.runs_file, usecols=["scenario", "step", metric], dtype={"scenario": "category"})

    @property
    def names(self) -> list[str]:
        return list(self.scenarios)

    @property
    def seeds_per_draw(self) -> int:
        """Seeds each posterior draw ran with (the seeds, without a posterior)."""
        return int(self.runs.groupby("draw")["seed"].nunique().max()) if self.draws else len(self.seeds)

    @property
    def matched(self) -> bool:
        """Draw i ran with seed i only (``posterior = "matched"``), not every draw with the same seeds (one seed each is that too)."""
        return bool(self.draws) and self.seeds_per_draw == 1 and len(self.seeds) == len(self.draws)

    @property
    def metrics(self) -> list[str]:
        return measured(self.scenarios.values())
