"""Running the validation scenarios over many seeds, through ``ContentEcosystem`` itself.

A run is a pure function of (scenario, seed): it builds the model, steps it, and after
setup and after every step reads a few numbers from the model's own state (a *trace*).
Seeds run serially, in a pool of worker processes or on a Dask cluster, started once; the results
are the same either way, in seed order.
"""

from __future__ import annotations

from typing import Self

import numpy as np

from model.ecosystem import ContentEcosystem
from model.scenario import Scenario
from model.web import AI, HUMAN

# -- traces: what is read from a model after setup and after each step ------------------


def trace_gaussian(model: ContentEcosystem) -> np.ndarray:
    """One idea: the learned per-dimension variances, the mean's error per dimension, and two metrics.

    Layout: ``vars_[0]`` (d values), ``means_[0] - centroid`` (d values),
    ``model_variance``, ``model_mean_error``.
    """
    learner = model.ai_models[0].learner
    err = learner.means_[0] - model.culture.centroids[learner.ideas_[0]]
    return np.concatenate([learner.vars_[0], err, [model.metrics["model_variance"], model.metrics["model_mean_error"]]])


def trace_ideas(model: ContentEcosystem) -> np.ndarray:
    """Fixed vocabulary: the learned probability of every idea (dense), then ``simpson_recent``."""
    learner = model.ai_models[0].learner
    probs = np.zeros(model.culture.n_ideas)
    probs[learner.ideas_] = learner.probs_
    return np.concatenate([probs, [model.metrics["simpson_recent"]]])


def trace_missing(model: ContentEcosystem) -> np.ndarray:
    """The memorizing model's test error and its expectation for the next generation.

    Layout: ``1 - model_coverage`` (culture's mass on ideas the model cannot produce), the
    expected value of the same for a model fitted on T = ``ai.items_per_step`` of this model's
    items, ``sum_i p_i u_i`` with ``u_i = (1 - q_i)**T``, culture's mass on the ideas this model
    never produces, and ``sum_i p_i**2 u_i (1 - u_i)``, the variance of that missing mass if
    ideas went unseen independently (an upper bound: under multinomial sampling they are
    negatively correlated).
    """
    learner = model.ai_models[0].learner
    p = model.culture.weights()
    q = np.zeros(len(p))
    q[learner.ideas_] = learner.probs_
    u = (1.0 - q) ** int(model.config.ai.items_per_step)
    return np.array([1.0 - model.metrics["model_coverage"], float((p * u).sum()), float(p[q == 0].sum()), float((p * p * u * (1.0 - u)).sum())])


def trace_market(model: ContentEcosystem) -> np.ndarray:
    """The market: AI and human items published this step, and the price of a unit of ranking weight."""
    t = model.steps
    sources = model.web.window_sources(t, t)
    return np.array([sources[AI], sources[HUMAN], model.price])


def trace_perplexity(model: ContentEcosystem) -> np.ndarray:
    """The text world: ``model_perplexity``, the models' perplexity on held-out human text."""
    return np.array([model.metrics["model_perplexity"]])


TRACES = {"gaussian": trace_gaussian, "ideas": trace_ideas, "missing": trace_missing, "market": trace_market, "perplexity": trace_perplexity}


def fixed_on_one_idea(model: ContentEcosystem) -> bool:
    """The discrete chain is absorbed: the model can only ever reproduce its single idea."""
    return len(model.ai_models[0].learner.ideas_) == 1


STOPS = {"fixation": fixed_on_one_idea}


def run_seed(scenario: Scenario, seed: int, trace: str, stop: str | None = None) -> np.ndarray:
    """Rows ``0..run.steps`` of a trace for one seed (row 0 is setup, row t is after step t).

    With ``stop``, stepping ends once the chain is absorbed and the last row is repeated:
    an absorbed state does not change (the skipped steps could only reproduce it).
    """
    read = TRACES[trace]
    done = STOPS[stop] if stop else None
    model = ContentEcosystem(scenario, seed=seed)
    rows = [read(model)]
    while model.running and not (done and done(model)):
        model.step()
        rows.append(read(model))
    rows += [rows[-1]] * (scenario.run.steps + 1 - len(rows))
    return np.array(rows)


def _run_chunk(job, chunk) -> tuple[int, np.ndarray]:
    """(position, traces) of a chunk of seeds: ``job`` is (scenario, trace, stop), ``chunk`` (position, seeds)."""
    scenario, trace, stop = job
    position, seeds = chunk
    return position, np.stack([run_seed(scenario, s, trace, stop) for s in seeds])


class Runner:
    """Runs many seeds of a scenario, serially (``jobs=1``) or on the sweep's executors, started once: a local process
    pool, or a Dask cluster with ``scheduler`` (:func:`experiments.sweep.execute.executor`; a lost worker's seeds are rerun)."""

    def __init__(self, jobs: int = 1, scheduler: str | None = None):
        self.jobs = max(1, int(jobs))
        self._pool = None
        if self.jobs > 1 or scheduler:
            from experiments.sweep import execute

            self._pool = execute.executor(self.jobs, scheduler)

    def seeds(self, scenario: Scenario, seeds, trace: str, stop: str | None = None) -> np.ndarray:
        """Array (seeds, steps + 1, width): one trace per seed, in seed order, however many workers run them."""
        seeds = [int(s) for s in seeds]
        if self._pool is None:
            return _run_chunk((scenario, trace, stop), (0, seeds))[1]
        chunks = [list(c) for c in np.array_split(np.array(seeds), min(len(seeds), 4 * self.jobs))]
        parts = dict(self._pool.map_unordered(_run_chunk, (scenario, trace, stop), list(enumerate(chunks))))
        return np.concatenate([parts[i] for i in range(len(chunks))])

    def close(self) -> None:
        """Shut the workers down (an interrupt during runs has stopped them already: the executor does as it passes)."""
        if self._pool is not None:
            self._pool.__exit__(None, None, None)
            self._pool = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
