"""Comparing scenarios on common seeds: runs in a process pool, means with 95% confidence intervals.

Every scenario runs on the same seeds (common random numbers), so the difference between
two scenarios is measured seed by seed, and its interval is that of the paired differences.

    from experiments.compare import compare, write
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
from collections.abc import Mapping, Sequence
from concurrent.futures import as_completed
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from experiments import interrupts
from experiments.comparison import (  # noqa: F401  (the statistics, for scripts that import them from here)
    HEADLINE,
    LAST,
    LEVEL,
    Comparison,
    Interval,
    band,
    mean_ci,
    measured,
    originality_sources,
    paired_difference,
    per_seed,
    summarize,
)
from experiments.runner import run
from model.scenario import Scenario

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
    """Write ``runs.csv``, ``summary.csv``, ``summary.md`` (the table as Markdown), ``originality_sources.csv`` (the
    originality index's difference from the first scenario split by source), ``figure-METRIC.png`` per headline metric,
    ``scenario-NAME.toml`` per scenario (resolved, every key) and ``report.html``; all or nothing."""
    from experiments import brief, figures, files  # plotting only when writing

    with files.staged_folder(Path(out)) as staging:
        comparison.runs.to_csv(staging / "runs.csv", index=False)
        comparison.summary.to_csv(staging / "summary.csv", index=False)
        originality_sources(comparison.runs, last=brief.last_steps(comparison)).to_csv(staging / "originality_sources.csv", index=False)
        (staging / "summary.md").write_text(brief.markdown(comparison.summary), encoding="utf-8")
        drawn = {}
        for metric in comparison.metrics:
            path = staging / f"figure-{metric}.png"
            figures.plot_comparison(comparison, metric, path)
            drawn[metric] = path
        for name, scenario in comparison.scenarios.items():
            (staging / f"scenario-{name}.toml").write_text(scenario.to_toml())
        (staging / "report.html").write_text(brief.page(comparison, drawn), encoding="utf-8")
        names = sorted(f.name for f in staging.iterdir())
    return [Path(out) / name for name in names]
