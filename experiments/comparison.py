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


def across_worlds(effect: pd.Series, better: int) -> dict[str, float]:
    """The spread of a paired effect across plausible worlds, and how much of its variance the parameters make.

    ``effect`` is indexed by world: by seed, or by (draw, seed). With draws, a world is a draw
    (its effect the mean over its seeds), and the effect's variance splits as a one-way random
    effects analysis does: ``var_seeds`` is the mean variance between the seeds of a draw,
    ``var_parameters`` the variance between draws less the seeds' share of it (at least 0).
    Without draws both are measured only where they can be: ``var_seeds`` over the seeds,
    ``var_parameters`` not at all (NaN); with one seed per draw they cannot be told apart (NaN).
    """
    effect = effect[np.isfinite(effect.to_numpy(float))]
    nan = float("nan")
    if effect.empty:
        return dict.fromkeys(("p05", "p50", "p95", "share_helped", "var_parameters", "var_seeds"), nan)
    if "draw" in (effect.index.names or []):
        groups = effect.groupby(level="draw")
        worlds = groups.mean()
        seeds = groups.size()
        if len(worlds) > 1 and (seeds > 1).all():
            var_seeds = float(groups.var(ddof=1).mean())
            var_parameters = max(0.0, float(worlds.var(ddof=1)) - var_seeds / float(seeds.mean()))
        else:
            var_seeds = var_parameters = nan
    else:
        worlds = effect
        var_seeds, var_parameters = (float(effect.var(ddof=1)) if len(effect) > 1 else nan), nan
    x = worlds.to_numpy(float)
    p05, p50, p95 = np.quantile(x, [0.05, 0.5, 0.95])
    return {
        "p05": float(p05),
        "p50": float(p50),
        "p95": float(p95),
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


#: The columns of a comparison's summary.
SUMMARY = (
    "scenario", "metric", "statistic", "draws", "seeds", "mean", "ci_low", "ci_high", "diff", "diff_low", "diff_high",
    "p05", "p50", "p95", "share_helped", "var_parameters", "var_seeds",
)  # fmt: skip


def summarize(runs: pd.DataFrame, metrics: Sequence[str] | None = None, last: int = LAST, level: float = LEVEL) -> pd.DataFrame:
    """Per scenario and metric, at the final step and over the last ``last`` steps: mean and
    interval, the paired difference from the first scenario with its interval, and the
    difference's spread across plausible worlds (:func:`across_worlds`).

    The intervals are t-intervals over seeds, or, in a comparison over the posterior (``runs``
    has a ``draw`` column), over draws, each draw's value the mean over its seeds: so they carry
    the parameters' uncertainty as well as the seeds'. ``draws`` is 0 without a posterior;
    ``seeds`` is the seeds per draw. ``statistic`` is ``final`` or ``last N steps``.
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
                m = mean_ci(per_world(table[name]), level)
                d = mean_ci(per_world(table[name] - table[scenarios[0]]), level)
                spread = across_worlds(table[name] - table[scenarios[0]], BETTER.get(metric, 1)) if name != scenarios[0] else {}
                row = dict(zip(SUMMARY, (name, metric, label, draws, seeds, m.mean, m.low, m.high, d.mean, d.low, d.high)))
                rows.append({**row, **{k: spread.get(k, float("nan")) for k in SUMMARY[11:]}})
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
    add up to the difference in every world; intervals are t-based over seeds (over draws, each
    its seeds' mean, in a comparison over the posterior). Columns:
    ``scenario, part, mean, low, high, n``; no rows if a column it needs is missing.
    """
    needed = ("human_share_recent", "originality_human", "originality_ai")
    if not set(needed) <= set(runs.columns):
        return pd.DataFrame(columns=["scenario", "part", "mean", "low", "high", "n"])
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
    draws: list[dict[str, float]] = field(default_factory=list)  # the posterior draws run (empty: the scenarios' own values)
    posterior_file: str = ""  # where the draws come from

    @property
    def names(self) -> list[str]:
        return list(self.scenarios)

    @property
    def metrics(self) -> list[str]:
        return measured(self.scenarios.values())
