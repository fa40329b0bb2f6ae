"""The fit: approximate Bayesian computation by sequential Monte Carlo (ABC-SMC, pyabc).

pyabc runs the algorithm (Toni et al. 2009; Beaumont et al. 2009: particles proposed from the
last generation's kernel density, accepted while their distance to the data is below an
epsilon that falls generation by generation, weighted by prior over proposal density) and keeps
its history in SQLite, from which an interrupted fit continues. The distance is the Euclidean
norm of each fitted point's deviation over its tolerance, so a distance of sqrt(points) is a
fit within tolerance on average.

What is ours is the sampler (:class:`SeededSampler`): pyabc's parallel samplers reseed their
workers at random, so a fit would not repeat. Ours gives every task of a generation its own
seed and collects the tasks in order, on a local process pool or a Dask cluster (the executors
``python run.py sweep`` uses), so a fit is a pure function of the calibration file whatever runs
it, and a resumed fit ends where an uninterrupted one does: both take every generation through
the same path (load the history, run one generation).
"""

from __future__ import annotations

import json
import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path

import cloudpickle
import numpy as np
import pandas as pd
import pyabc
from pyabc.sampler import Sampler

from experiments.calibration.simulate import Simulator
from experiments.calibration.spec import Calibration, CalibrationError
from experiments.calibration.worker import Job, Task, run_task
from experiments.files import progress_bar

DB = "abc.db"
STATE = "calibration.json"


class SeededSampler(Sampler):
    """pyabc's sampling step on our executors, each task seeded from (seed, generation, index)."""

    def __init__(self, pool, seed: int, progress: bool = True):
        super().__init__()
        self.pool, self.seed, self.progress = pool, seed, progress

    def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False, ana_vars=None):
        cap = 1 if all_accepted else (int(math.ceil(max_eval / n)) if math.isfinite(max_eval) else 10**9)
        job = Job(cloudpickle.dumps(simulate_one), cloudpickle.dumps(self.sample_factory), cap)
        seeds = np.random.SeedSequence(self.seed, spawn_key=(t + 1,)).generate_state(n, dtype=np.uint32)
        tasks = [Task(t + 1, i, int(s)) for i, s in enumerate(seeds)]
        done: list = [None] * n
        label = "prior sample" if t < 0 else f"generation {t + 1}"
        with progress_bar(self.progress, total=n, unit="particle", desc=label, leave=False) as bar:
            for result in self.pool.map_unordered(run_task, job, tasks):
                done[result.task.replicate] = result
                bar.update()
        sample = self._create_empty_sample()
        for result in done:  # in task order, whatever order they finished in
            sample += result.sample
        self.nr_evaluations_ = sum(r.evaluations for r in done)
        if sample.n_accepted < n:
            sample.ok = False  # some task reached the cap: below the minimum acceptance rate
        return sample


@dataclass
class Generation:
    t: int
    epsilon: float
    accepted: int
    simulations: int
    seconds: float


@dataclass
class Fit:
    """What a fit leaves: the last generation's weighted particles, in scenario keys and values."""

    particles: pd.DataFrame  # one column per calibrated key, natural values
    weights: np.ndarray
    generations: list[Generation]
    wall_time: float  # of this call (a resumed fit counts only what it ran)


class DefensiveTransition(pyabc.MultivariateNormalTransition):
    """pyabc's kernel density proposal mixed with the prior: ``q = (1 - share) KDE + share prior``.

    In twelve dimensions a Gaussian kernel density of a few hundred particles has thin tails, so a
    particle accepted in them gets an importance weight (prior over proposal) that swamps the rest:
    without the mixture a generation of 300 particles had an effective sample size of 2. The prior's
    share bounds every weight by ``1 / share`` times the prior (defensive importance sampling,
    Hesterberg 1995), at the cost of ``share`` of the proposals, drawn from the whole prior.
    """

    def __init__(self, bounds: dict[str, tuple[float, float]], share: float = 0.1):
        super().__init__()
        self.bounds, self.share = bounds, share
        self.density = 1.0 / float(np.prod([high - low for low, high in bounds.values()]))

    def rvs_single(self) -> pyabc.Parameter:
        if np.random.uniform() < self.share:
            return pyabc.Parameter({name: np.random.uniform(low, high) for name, (low, high) in self.bounds.items()})
        return super().rvs_single()

    def pdf(self, x):
        frame = pd.DataFrame([dict(x)]) if not isinstance(x, pd.DataFrame) else x
        inside = np.all([(frame[n] >= low) & (frame[n] <= high) for n, (low, high) in self.bounds.items()], axis=0)
        density = (1 - self.share) * np.asarray(super().pdf(x), float) + self.share * self.density * inside
        return float(density[0]) if not isinstance(x, pd.DataFrame) else density


def _abc(calibration: Calibration, sampler: Sampler) -> pyabc.ABCSMC:
    bounds = {p.name: p.bounds for p in calibration.priors}
    priors = pyabc.Distribution(**{name: pyabc.RV("uniform", low, high - low) for name, (low, high) in bounds.items()})
    distance = pyabc.PNormDistance(p=2, fixed_weights=calibration.weights())
    return pyabc.ABCSMC(
        Simulator(calibration), priors, distance, population_size=calibration.settings.particles, sampler=sampler,
        transitions=DefensiveTransition(bounds),
    )


def _quiet() -> None:
    for name in ("ABC", "pyabc", "Sampler", "History", "Epsilon", "Distance", "Acceptor"):
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("ABC").propagate = False


def prepare(calibration: Calibration, out: Path) -> int:
    """Check ``out`` for a fit to continue; the generations already done (0: a fresh start). Writes nothing."""
    db, state = out / DB, out / STATE
    if out.exists() and not out.is_dir():
        raise CalibrationError(f"--out {out}: exists and is not a folder; give a folder path")
    if not db.exists():
        return 0
    try:
        previous = json.loads(state.read_text())
    except (OSError, ValueError):
        previous = {}
    if previous.get("fingerprint") != calibration.fingerprint():
        raise CalibrationError(f"--out {out}: holds another calibration's history ({DB}); give another --out or remove it")
    return int(previous.get("generations", 0))


def fit(calibration: Calibration, out: Path, pool, progress: bool = True, say=print) -> Fit:
    """Run (or continue) the ABC-SMC fit into ``out``; one generation at a time, each saved as it ends."""
    _quiet()
    start = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    db = f"sqlite:///{(out / DB).resolve()}"
    done = prepare(calibration, out)
    settings = calibration.settings
    record = {"fingerprint": calibration.fingerprint(), "generations": done, "file": str(calibration.path), "quick": calibration.quick}
    generations: list[Generation] = []
    while done < settings.generations:
        np.random.seed(calibration.seed)  # pyabc's own draws in this process, if any
        abc = _abc(calibration, SeededSampler(pool, calibration.seed, progress))
        if done == 0 and not (out / DB).exists():
            (out / STATE).write_text(json.dumps(record, indent=2) + "\n")  # first: a history always has its state
            abc.new(db, calibration.observed())
        else:
            abc.load(db, 1)
        began = time.perf_counter()
        history = abc.run(max_nr_populations=1, min_acceptance_rate=settings.min_acceptance)
        if history.max_t + 1 == done:  # the generation fell below the minimum acceptance rate
            say(f"stopped: generation {done + 1} accepted fewer than {settings.min_acceptance:.0%} of its simulations")
            break
        pops = history.get_all_populations()
        row = pops[pops["t"] == history.max_t].iloc[0]
        done = history.max_t + 1
        generation = Generation(done, float(row["epsilon"]), settings.particles, int(row["samples"]), time.perf_counter() - began)
        generations.append(generation)
        record["generations"] = done
        (out / STATE).write_text(json.dumps(record, indent=2) + "\n")
        say(
            f"generation {done} of at most {settings.generations}: epsilon {generation.epsilon:.3g}, "
            f"{settings.particles} accepted of {generation.simulations} simulations "
            f"({settings.particles / generation.simulations:.0%}), {generation.seconds:.0f} s"
        )
    if done == 0:
        raise CalibrationError(f"{calibration.path}: no generation was accepted; widen the priors or the tolerances")
    history = pyabc.History(db)
    history.id = 1
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    particles = pd.DataFrame({p.key: [p.to_value(x) for x in frame[p.name]] for p in calibration.priors})
    return Fit(particles, np.asarray(weights, float), generations, time.perf_counter() - start)


def history_table(out: Path) -> pd.DataFrame:
    """Every generation of the fit in ``out``: t, epsilon, simulations."""
    history = pyabc.History(f"sqlite:///{(out / DB).resolve()}")
    history.id = 1
    pops = history.get_all_populations()
    return pops[pops["t"] >= 0][["t", "epsilon", "samples"]].reset_index(drop=True)
