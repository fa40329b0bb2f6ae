"""Comparing scenarios on common seeds: runs in a process pool, means with 95% confidence intervals.

Every scenario runs on the same seeds (common random numbers), so the difference between
two scenarios is measured seed by seed, and its interval is that of the paired differences.

    from model.compare import compare, write
    from model.scenario import load
    c = compare({"baseline": load("scenarios/baseline.toml"),
                 "human_reserve": load("scenarios/human_reserve.toml")}, seeds=10, jobs=2)
    c.runs       # long DataFrame: scenario, seed, step, metric columns
    c.summary    # per scenario and headline metric: mean, 95% CI, paired difference from the first
    write(c, "results/my-comparison")   # runs.csv, summary.csv, one PNG per metric, report.html

The statistics are pure functions of arrays (:func:`mean_ci`, :func:`paired_difference`,
:func:`summarize`). With ``jobs > 1`` the runs go to a pool of worker processes started once
(``spawn``: a script doing this needs the ``if __name__ == "__main__":`` guard); the rows come
back in scenario and seed order whatever order the runs finish in, so the tables are the same
for any number of jobs.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import as_completed
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
from tqdm.auto import tqdm

from model import interrupts, measurement
from model.runner import run
from model.scenario import Scenario

#: The metrics the comparison reports and draws, with a label each; a metric that not every
#: scenario measures is skipped (the last three exist in the text world only, see :func:`measured`).
HEADLINE = {
    "human_share_new": "human share of new items",
    "originality_index": "originality index",
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


# -- running -------------------------------------------------------------------------------------


def _run_one(job: tuple[Scenario, int]) -> pd.DataFrame:
    scenario, seed = job
    return run(scenario, seed=seed).timeseries


def run_many(scenarios: Mapping[str, Scenario], seeds: Sequence[int], jobs: int = 1, progress: bool = False) -> pd.DataFrame:
    """Run every scenario on every seed; one long DataFrame: ``scenario, seed, step`` and the metrics.

    Args:
        scenarios: name -> scenario; names become the ``scenario`` column, in this order.
        seeds: the common seeds; each overrides ``run.seed``.
        jobs: worker processes (1 runs here, serially); the result does not depend on it.
        progress: a progress bar of finished runs on stderr.
    """
    tasks = [(name, scenario, int(seed)) for name, scenario in scenarios.items() for seed in seeds]
    results: list[pd.DataFrame | None] = [None] * len(tasks)
    with tqdm(total=len(tasks), disable=not progress, unit="run", desc="runs") as bar:
        if jobs <= 1 or len(tasks) <= 1:
            for i, (_, scenario, seed) in enumerate(tasks):
                results[i] = _run_one((scenario, seed))
                bar.update()
        else:
            context = multiprocessing.get_context("spawn")  # no fork of a process that may hold threads
            with interrupts.worker_pool(min(jobs, len(tasks)), context) as pool:  # workers leave Ctrl-C to us
                futures = {pool.submit(_run_one, (scenario, seed)): i for i, (_, scenario, seed) in enumerate(tasks)}
                try:
                    for future in as_completed(futures):
                        results[futures[future]] = future.result()
                        bar.update()
                except BaseException:
                    interrupts.abandon(pool)  # an interrupt stops the runs at once
                    raise
    frames = []
    for (name, _, seed), ts in zip(tasks, results):
        ts = ts.reset_index(drop=True)
        ts.insert(0, "seed", seed)
        ts.insert(0, "scenario", name)
        frames.append(ts)
    return pd.concat(frames, ignore_index=True)


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


def seed_list(seeds: int | Sequence[int]) -> list[int]:
    """``N`` means seeds 1..N; a sequence is taken as given."""
    if isinstance(seeds, int | np.integer):
        if seeds < 1:
            raise ValueError(f"seeds must be at least 1, not {seeds}")
        return list(range(1, int(seeds) + 1))
    out = [int(s) for s in seeds]
    if len(set(out)) != len(out) or not out:
        raise ValueError(f"seeds must be distinct and not empty, not {out}")
    return out


def mismatch(scenarios: Mapping[str, Scenario]) -> str | None:
    """Why these scenarios cannot be compared step by step (None if they can).

    They must share the horizon and the definitions of the measured quantities: run.steps,
    run.window (what counts as recent) and run.rarefy.
    """
    items = list(scenarios.items())
    for key in ("steps", "window", "rarefy"):
        values = {name: getattr(s.run, key) for name, s in items if hasattr(s.run, key)}
        if len(set(values.values())) > 1:
            shown = ", ".join(f"{name} {value}" for name, value in values.items())
            return f"run.{key} differs between scenarios ({shown}); set it for all with --set run.{key}=N"
    return None


def compare(
    scenarios: Mapping[str, Scenario],
    seeds: int | Sequence[int] = 10,
    jobs: int = 1,
    *,
    progress: bool = False,
    descriptions: Mapping[str, str] | None = None,
    command: str = "",
    last: int = LAST,
) -> Comparison:
    """Run ``scenarios`` on common seeds and summarize them against the first one.

    Args:
        scenarios: name -> scenario, the reference first. They must agree on run.steps,
            run.window and run.rarefy (see :func:`mismatch`).
        seeds: ``N`` for seeds 1..N, or the seeds themselves.
        jobs: worker processes; results do not depend on it.
        progress: a progress bar on stderr.
        descriptions: name -> one line on what the scenario is (for the brief).
        command: the command that made the comparison (for the brief).
        last: steps averaged at the end.
    """
    if not scenarios:
        raise ValueError("give at least one scenario")
    problem = mismatch(scenarios)
    if problem:
        raise ValueError(problem)
    seeds = seed_list(seeds)
    start = time.perf_counter()
    runs = run_many(scenarios, seeds, jobs, progress)
    summary = summarize(runs, measured(scenarios.values()), last=last)
    return Comparison(dict(scenarios), seeds, runs, summary, time.perf_counter() - start, max(1, jobs), dict(descriptions or {}), command)


def write(comparison: Comparison, out: str | Path) -> list[Path]:
    """Write ``runs.csv``, ``summary.csv``, ``summary.md`` (the table as Markdown), ``figure-METRIC.png`` per headline metric,
    ``scenario-NAME.toml`` per scenario (resolved, every key) and ``report.html``; all or nothing."""
    from model import brief, report  # plotting only when writing

    with report.staged_folder(Path(out)) as staging:
        comparison.runs.to_csv(staging / "runs.csv", index=False)
        comparison.summary.to_csv(staging / "summary.csv", index=False)
        (staging / "summary.md").write_text(brief.markdown(comparison.summary), encoding="utf-8")
        figures = {}
        for metric in comparison.metrics:
            path = staging / f"figure-{metric}.png"
            report.plot_comparison(comparison, metric, path)
            figures[metric] = path
        for name, scenario in comparison.scenarios.items():
            (staging / f"scenario-{name}.toml").write_text(scenario.to_toml())
        (staging / "report.html").write_text(brief.page(comparison, figures), encoding="utf-8")
        names = sorted(f.name for f in staging.iterdir())
    return [Path(out) / name for name in names]
