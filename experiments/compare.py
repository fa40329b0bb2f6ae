"""Comparing scenarios on common seeds: runs in a process pool; ranges over worlds, and how often each wins.

Every scenario runs in the same worlds (common random numbers: the same seeds, and with a posterior
the same draws), so the difference between two scenarios is measured world by world.

    from experiments.compare import compare, write
    c = compare(["baseline", "human_reserve"], seeds=10, jobs=2)   # or {"name": Scenario, library name or path}
    c.runs       # long DataFrame: scenario, seed, step, metric columns
    c.summary    # per scenario and headline metric: mean, range over worlds, paired difference from the first
    write(c, "results/my-comparison")   # runs.csv, summary.csv, pairwise.csv, rank.csv, one PNG per metric, report.html

The statistics are pure functions of arrays (:func:`mean_ci`, :func:`paired_difference`,
:func:`summarize`). With ``jobs > 1`` the runs go to a pool of worker processes started once
(``spawn``: a script doing this needs the ``if __name__ == "__main__":`` guard), with ``scheduler``
to a Dask cluster (the sweep's executors, :func:`experiments.sweep.execute.executor`); the rows come
back in scenario and seed order whatever order the runs finish in, so the tables are the same
for any number of jobs. With ``out`` the runs are streamed to disk as they finish and only their
last steps are held (:mod:`experiments.streamed`): the memory does not grow with the question.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from experiments import how_often, library, streamed
from experiments.files import progress_bar
from experiments.comparison import (  # noqa: F401  (the statistics, for scripts that import them from here)
    HEADLINE,
    LAST,
    LEVEL,
    MIN_WORLDS,
    Comparison,
    Interval,
    band,
    mean_band,
    mean_ci,
    measured,
    originality_sources,
    paired_difference,
    per_seed,
    summarize,
    world_range,
)
from model.scenario import LIBRARY, Scenario, ScenarioError, find, load

# -- running -------------------------------------------------------------------------------------


def worlds(seeds: Sequence[int], draws: Sequence[dict] | None = None, matched: bool = False) -> list[tuple[int, int]]:
    """The (draw, seed) pairs every scenario runs on: each draw with every seed, or with ``matched`` draw i with seed i.

    Without draws the draw is -1: the scenarios' own values.
    """
    if not draws:
        return [(-1, int(s)) for s in seeds]
    if matched and len(draws) < len(seeds):
        raise ValueError(f"{len(seeds)} seeds need {len(seeds)} draws to match, not {len(draws)}")
    if matched:
        return [(i, int(s)) for i, s in enumerate(seeds)]
    return [(i, int(s)) for i in range(len(draws)) for s in seeds]


def world_seed(draw: int, seed: int) -> int:
    """``run.seed`` of world (draw, seed): the seed itself without a posterior; one of its own for each draw, so that
    two draws of equal values (a resampled posterior repeats some) are still two worlds."""
    if draw < 0:
        return int(seed)
    return int(np.random.SeedSequence(int(seed), spawn_key=(int(draw),)).generate_state(1, dtype=np.uint32)[0] >> 1)


def plan(scenarios: Mapping[str, Scenario], seeds: Sequence[int], draws: Sequence[dict] | None = None, matched: bool = False):
    """(job, runs): what every run shares, and every run in the order of runs.csv (scenario, then draw, then seed)."""
    baseline = load(LIBRARY / "baseline.toml") if draws else None
    job = streamed.Job(baseline, streamed.columns(scenarios, bool(draws)))
    pairs = [(name, draw, seed) for name in scenarios for draw, seed in worlds(seeds, draws, matched)]
    values = [tuple(d.items()) for d in draws or ()]
    return job, [
        streamed.World(i, name, draw, seed, world_seed(draw, seed), scenarios[name], values[draw] if draw >= 0 else ())
        for i, (name, draw, seed) in enumerate(pairs)
    ]


def runs_on(pool, job: streamed.Job, todo: Sequence[streamed.World], progress: bool = False, total: int | None = None, initial: int = 0):
    """Every run of ``todo`` on ``pool`` (:func:`experiments.sweep.execute.executor`), yielded as each finishes."""
    total = len(todo) + initial if total is None else total
    with progress_bar(progress, total=total, initial=initial, unit="run", desc="runs") as bar:
        for done in pool.map_unordered(streamed.run_world, job, todo):
            yield done
            bar.update()


def run_many(
    scenarios: Mapping[str, Scenario],
    seeds: Sequence[int],
    jobs: int = 1,
    progress: bool = False,
    draws: Sequence[dict] | None = None,
    matched: bool = False,
    scheduler: str | None = None,
) -> pd.DataFrame:
    """Run every scenario on every world; one long DataFrame: ``scenario, seed, step`` and the metrics.

    Args:
        scenarios: name -> scenario; names become the ``scenario`` column, in this order.
        seeds: the common seeds; each overrides ``run.seed``.
        jobs: worker processes (1 runs here, serially); the result does not depend on it.
        progress: a progress bar of finished runs on stderr.
        draws: posterior draws (``{key: value}``); each replaces the calibrated keys of every scenario
            that leaves them at the baseline's values (:func:`experiments.calibration.posterior.apply`),
            and the frame gains a ``draw`` column: world (draw i, seed s) is the same for every scenario.
        matched: run draw i with seed i only (as many draws as seeds), not every draw with every seed.
        scheduler: a Dask scheduler (``tcp://host:port``, or ``"local"`` for a cluster on this machine) instead
            of a process pool; the result does not depend on it. The whole frame is held in memory:
            :func:`compare` with ``out`` streams the runs to disk instead.
    """
    job, todo = plan(scenarios, seeds, draws, matched)
    results: list[pd.DataFrame | None] = [None] * len(todo)
    if jobs <= 1 and not scheduler:  # here, in this process (the visual server's band runs in a thread)
        with progress_bar(progress, total=len(todo), unit="run", desc="runs") as bar:
            for world in todo:
                results[world.index] = streamed.run_world(job, world).frame
                bar.update()
    else:
        from experiments.sweep import execute

        with execute.executor(min(jobs, len(todo)), scheduler) as pool:
            for done in runs_on(pool, job, todo, progress):
                results[done.world.index] = done.frame
    return pd.concat(results, ignore_index=True)


def stream(job: streamed.Job, todo: Sequence[streamed.World], folder: Path, pool, last: int, progress: bool = False) -> pd.DataFrame:
    """Run what is missing of ``todo`` on ``pool``, each run written to ``folder`` as it finishes; the runs' last steps."""
    steps = todo[0].scenario.run.steps if todo else 0
    tails, missing = streamed.Tails(), []
    for world in todo:
        if streamed.part(folder, world.index).exists():
            tails.add(world.index, streamed.tail(streamed.finished(folder, world.index), job.columns, steps, last))
        else:
            missing.append(world)
    for finished in runs_on(pool, job, missing, progress, total=len(todo), initial=len(todo) - len(missing)):
        tails.add(finished.world.index, streamed.tail(streamed.keep(folder, finished), job.columns, steps, last))
    return tails.frame()


def _is_integer(value) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


def seed_list(seeds: int | Sequence[int]) -> list[int]:
    """``N`` means seeds 1..N; a sequence is taken as given."""
    if _is_integer(seeds):
        if seeds < 1:
            raise ScenarioError(f"seeds = {seeds}: allowed: a number of seeds >= 1, or a list of seeds")
        return list(range(1, int(seeds) + 1))
    try:
        given = list(seeds)
    except TypeError:
        raise ScenarioError(f"seeds = {seeds!r}: allowed: a number of seeds N (seeds 1..N), or a list of distinct integers >= 0") from None
    if not all(_is_integer(s) and s >= 0 for s in given) or len(set(given)) != len(given) or not given:
        raise ScenarioError(f"seeds = {given!r}: allowed: a number of seeds N (seeds 1..N), or a list of distinct integers >= 0")
    return [int(s) for s in given]


def scenarios_of(scenarios) -> tuple[dict[str, Scenario], dict[str, str]]:
    """(name -> Scenario, name -> description) from what a script passes to :func:`compare`.

    A mapping of names to Scenarios, library names or paths; or a list of library names or
    paths, each named after its file. A scenario given by name or path is described by its
    file's first comment line.
    """
    if isinstance(scenarios, str | os.PathLike | Scenario):
        scenarios = [scenarios]
    if not isinstance(scenarios, Mapping | Sequence):
        raise ScenarioError(f"scenarios = {scenarios!r}: allowed: a dict of names to scenarios, or a list of library names or paths")
    if not isinstance(scenarios, Mapping):
        named = {}
        for source in scenarios:
            if isinstance(source, Scenario):
                raise ScenarioError("scenarios: a list holds library names or paths; give Scenarios by name, {'name': scenario}")
            name = find(source).stem
            if name in named:
                raise ScenarioError(f"scenarios: {source}: a scenario named {name} is already in the comparison; give each scenario once")
            named[name] = source
        scenarios = named
    built = {str(name): load(source) for name, source in scenarios.items()}
    described = {str(name): library.description(find(source)) for name, source in scenarios.items() if not isinstance(source, Scenario)}
    return built, described


def mismatch(scenarios: Mapping[str, Scenario], fix: str = "--set run.{key}=N") -> str | None:
    """Why these scenarios cannot be compared step by step (None if they can).

    They must share the horizon and the definitions of the measured quantities: run.steps,
    run.window (what counts as recent) and run.rarefy.
    """
    items = list(scenarios.items())
    for key in ("steps", "window", "rarefy"):
        values = {name: getattr(s.run, key) for name, s in items if hasattr(s.run, key)}
        if len(set(values.values())) > 1:
            shown = ", ".join(f"{name} {value}" for name, value in values.items())
            return f"run.{key} differs between scenarios ({shown}); set it for all with {fix.format(key=key)}"
    return None


def compare(
    scenarios: Mapping[str, Scenario | str | os.PathLike] | Sequence[str | os.PathLike],
    seeds: int | Sequence[int] = 10,
    jobs: int = 1,
    *,
    progress: bool = False,
    descriptions: Mapping[str, str] | None = None,
    command: str = "",
    last: int = LAST,
    posterior: int | str | None = None,
    posterior_file: str | Path | None = None,
    overrides: Mapping[str, object] | None = None,
    scheduler: str | None = None,
    out: str | Path | None = None,
    resume: bool = False,
) -> Comparison:
    """Run ``scenarios`` on common seeds (and plausible worlds) and summarize them against the first one.

    Args:
        scenarios: name -> scenario (a Scenario, a library name or a path), the reference
            first; or a list of library names or paths, named after their files. They must
            agree on run.steps, run.window and run.rarefy (see :func:`mismatch`).
        seeds: ``N`` for seeds 1..N, or the seeds themselves; at least 2 for an interval, or 1 with ``posterior = N``
            (N >= 2) or ``"all"``, whose draws are the replicates.
        jobs: worker processes (or Dask workers, with ``scheduler = "local"``); results do not depend on it.
        progress: a progress bar on stderr.
        descriptions: name -> one line on what the scenario is (for the brief; default: the
            first comment line of each scenario given as a file).
        command: the command that made the comparison (for the brief).
        last: steps averaged at the end.
        posterior: ``N``: every scenario over the first N posterior draws times the seeds, draw i
            and seed s the same world for every scenario; ``"all"``: every draw of the file; ``"matched"``:
            draw i with seed i only; None or 0: the scenarios' own values.
        posterior_file: the posterior (default: the one the project ships).
        overrides: ``{"section.key": value}`` set in every scenario, and named in every scenario's name
            (``baseline (ai.temperature = 0.8)``): in the tables, the figures' legends and the brief.
        scheduler: a Dask scheduler, ``tcp://host:port``, or ``"local"`` for a Dask cluster on this machine, instead
            of a local process pool; results do not depend on it.
        out: stream the runs to disk for :func:`write` into this folder: each run is written to ``.OUT.partial/`` beside
            it as it finishes, and only the runs' last steps stay in memory (``runs`` holds those; ``runs_file`` the
            whole, once written). Without it, every run is held in memory.
        resume: with ``out``, continue an interrupted comparison from the runs in its partial folder.
    """
    scenarios, described = scenarios_of(scenarios)
    if overrides:
        scenarios, described = name_overrides(scenarios, described if descriptions is None else dict(descriptions), dict(overrides))
        descriptions = described
    if not scenarios:
        raise ScenarioError("scenarios: none given; give at least one")
    problem = mismatch(scenarios, fix='with_overrides({{"run.{key}": N}}) on each')
    if problem:
        raise ScenarioError(problem)
    seeds = seed_list(seeds)
    descriptions = described if descriptions is None else descriptions
    if not _is_integer(jobs) or jobs < 1:
        raise ScenarioError(f"jobs = {jobs!r}: allowed: an integer >= 1 (worker processes)")
    jobs = int(jobs)
    draws, source = [], ""
    if posterior:
        from experiments.calibration import posterior as posterior_module

        source = str(posterior_file or posterior_module.SHIPPED)
        count = len(posterior_module.read(source)) if posterior == "all" else len(seeds) if posterior == "matched" else int(posterior)
        draws = posterior_module.draws(count, source)
    replicates = len(draws) if draws and posterior != "matched" else 1
    if len(seeds) < 2 and replicates < 2:
        raise ScenarioError(f"seeds = {seeds}: need at least 2 seeds for a confidence interval (or 1 seed over posterior = N >= 2 draws)")
    start = time.perf_counter()
    if out is None:
        runs, folder = run_many(scenarios, seeds, jobs, progress, draws, posterior == "matched", scheduler), None
    else:
        from experiments import interrupts
        from experiments.sweep import execute
        from model.checkpoint import partial_dir

        job, todo = plan(scenarios, seeds, draws, matched=posterior == "matched")
        folder, stamp = partial_dir(Path(out)), streamed.fingerprint(job, todo, last)
        streamed.prepare(folder, stamp, resume, Path(out))  # refuses another comparison's runs before anything runs
        with execute.executor(min(jobs, len(todo)), scheduler) as pool:
            streamed.start(folder, stamp, command)
            interrupts.saved(f"the finished runs are in {folder}/; continue with the same command and --resume")
            runs = stream(job, todo, folder, pool, last, progress)
    summary = summarize(runs, measured(scenarios.values()), last=last)
    return Comparison(
        dict(scenarios), seeds, runs, summary, time.perf_counter() - start, max(1, jobs), dict(descriptions or {}), command, draws, source,
        dict(overrides or {}), partial=folder,
    )


def name_overrides(scenarios: Mapping[str, Scenario], descriptions: Mapping[str, str], overrides: dict[str, object]):
    """(scenarios, descriptions) with ``overrides`` set in every scenario, each renamed ``NAME (key = value, ...)``."""
    text = library.overrides_text(overrides)
    rename = {name: f"{name} ({text})" if text else name for name in scenarios}
    applied = {rename[name]: s.with_overrides(overrides, source="overrides") for name, s in scenarios.items()}
    return applied, {rename[name]: d for name, d in descriptions.items() if name in rename}


def file_stem(name: str) -> str:
    """A scenario's name as a file name: ``baseline (ai.temperature = 0.8)`` -> ``baseline--ai.temperature_0.8``."""
    stem, _, rest = name.partition(" (")
    return re.sub(r"[^A-Za-z0-9._+-]+", "_", f"{stem}--{rest.rstrip(')')}" if rest else stem).strip("_")


def write(comparison: Comparison, out: str | Path) -> list[Path]:
    """Write ``runs.csv``, ``summary.csv``, ``summary.md`` (the table as Markdown), ``pairwise.csv`` and ``rank.csv``
    (how often each scenario beats each other, and ranks 1st, 2nd, ...: :mod:`experiments.how_often`),
    ``originality_sources.csv`` (the originality index's difference from the first scenario split by source),
    ``figure-METRIC.png`` per headline metric, ``scenario-NAME.toml`` per scenario (resolved, every key) and
    ``report.html``; all or nothing."""
    from experiments import brief, figures, files  # plotting only when writing

    with files.staged_folder(Path(out)) as staging:
        if comparison.partial is None:
            comparison.runs.to_csv(staging / "runs.csv", index=False)
        else:  # streamed: the runs' rows are copied from disk, and the figures read them back a metric at a time
            streamed.assemble(comparison.partial, streamed.columns(comparison.scenarios, bool(comparison.draws)), staging / "runs.csv")
            comparison.runs_file = staging / "runs.csv"
        comparison.summary.to_csv(staging / "summary.csv", index=False)
        span = brief.last_steps(comparison)
        how_often.pairwise(comparison.runs, comparison.metrics, last=span).to_csv(staging / "pairwise.csv", index=False)
        how_often.ranks(comparison.runs, comparison.metrics, last=span).to_csv(staging / "rank.csv", index=False)
        originality_sources(comparison.runs, last=brief.last_steps(comparison)).to_csv(staging / "originality_sources.csv", index=False)
        (staging / "summary.md").write_text(brief.markdown(comparison.summary), encoding="utf-8")
        drawn = {}
        for metric in comparison.metrics:
            path = staging / f"figure-{metric}.png"
            figures.plot_comparison(comparison, metric, path)
            drawn[metric] = path
        for name, scenario in comparison.scenarios.items():
            (staging / f"scenario-{file_stem(name)}.toml").write_text(scenario.to_toml())
        (staging / "report.html").write_text(brief.page(comparison, drawn), encoding="utf-8")
        names = sorted(f.name for f in staging.iterdir())
    if comparison.partial is not None:  # the runs are in runs.csv now
        comparison.runs_file = Path(out) / "runs.csv"
        shutil.rmtree(comparison.partial, ignore_errors=True)
    return [Path(out) / name for name in names]


def terminal_table(comparison: Comparison) -> str:
    """What ``python run.py compare`` prints: per scenario and headline metric, the mean over worlds of the metric
    averaged over the last months of the run, its range over the worlds, and the effect against the first scenario
    with its range and the share of worlds it helped in; a header says what is averaged, and over what."""
    from experiments import brief
    from experiments.calibration.posterior import worlds_text
    from experiments.files import seeds_text

    s = comparison.summary
    table = s[s["statistic"] != "final"]
    span, final = brief.last_steps(comparison), int(comparison.runs["step"].max())
    worlds = worlds_text(comparison) if comparison.draws else f"{len(comparison.seeds)} worlds ({seeds_text(comparison.seeds)})"
    columns = ["scenario", "metric", "mean", "range_low", "range_high", "diff", "p05", "p95", "share_helped"]
    few = int(table.loc[table["mean"].notna(), "worlds"].min()) < MIN_WORLDS
    head = (f"Each metric averaged over the last {span} months of the run (months {final - span + 1}-{final}), then over {worlds}.\n"
            f"mean: the mean over worlds; range_low-range_high: 5th-95th percentile over worlds; diff: the paired difference from "
            f"{comparison.names[0]} (mean), p05-p95 its range; share_helped: the share of worlds in which it helped.")
    if few:
        head += f"\nNo range: a range needs at least {MIN_WORLDS} worlds (run more --seeds, or --posterior N)."
    return head + "\n" + table[columns].to_string(index=False, float_format=lambda x: brief.fmt(x).replace("\u2212", "-"), na_rep="-")
