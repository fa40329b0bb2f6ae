"""One simulation of the calibration: parameter values and a seed in, every pattern's statistics out.

Kept apart from the inference library, so the posterior-predictive check, the coverage benchmark
and the worker processes of the fit all simulate through the same function.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from experiments.calibration import statistics
from experiments.calibration.spec import Calibration
from model.ecosystem import ContentEcosystem


def run_world(calibration: Calibration, values: dict[str, float], seed: int, world: str | None, steps: int | None = None):
    """Run the base (in ``world``) with ``values`` of the calibrated keys; the finished model and its timeseries."""
    model = ContentEcosystem(calibration.scenario(values, world, steps), seed=seed)
    while model.running:
        model.step()
    return model, model.timeseries()


def simulate(calibration: Calibration, values: dict[str, float], seed: int, series: bool = False, held_out: bool = True, steps: int | None = None):
    """Every pattern point's statistic for one run of each world the patterns need (common seed).

    Returns ``{point name: value}``, and with ``series`` also ``{pattern name: per-step values}``.
    Without ``held_out`` only the fitted patterns (and their worlds) run; ``steps`` runs the base
    world longer (a world's own ``run.steps`` stays), which leaves every earlier step as it was.
    """
    runs = {}
    stats, per_step = {}, {}
    for pattern in calibration.patterns:
        if pattern.held_out and not held_out:
            continue
        if pattern.world not in runs:
            runs[pattern.world] = run_world(calibration, values, seed, pattern.world, steps)
        model, ts = runs[pattern.world]
        for point in pattern.points:
            stats[point.name] = statistics.value(pattern.statistic, ts, point.first, point.last)
        if series:
            per_step[pattern.name] = statistics.series(pattern.statistic, ts)
    return (stats, per_step) if series else stats


@dataclass(frozen=True)
class Simulator:
    """The model as the inference library calls it: sampled parameters in, summary statistics out.

    Parameters arrive under :attr:`Prior.name` in the prior's space (a logarithm for a log prior).
    The run's seed is drawn from NumPy's global generator, which the sampler seeds per task, so a
    particle is a pure function of the inference's seed.
    """

    calibration: Calibration

    def values(self, parameters) -> dict[str, float]:
        return {p.key: p.to_value(float(parameters[p.name])) for p in self.calibration.priors}

    def __call__(self, parameters) -> dict[str, float]:
        seed = int(np.random.randint(0, 2**31 - 1))
        fitted = [pt.name for pt in self.calibration.fitted]
        try:
            stats = simulate(self.calibration, self.values(parameters), seed, held_out=False)
        except ValueError:  # a combination the schema refuses: never accepted
            return {name: float("nan") for name in fitted}
        return {name: stats[name] for name in fitted}  # held-out patterns stay out of the distance


@dataclass(frozen=True)
class Draw:
    """One run of the predictive check: a posterior draw and a fresh seed."""

    point: int  # the draw's index
    replicate: int
    seed: int
    values: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class Predicted:
    task: Draw
    stats: dict
    series: dict
    seconds: float
    cpu_seconds: float = 0.0


def predict_task(calibration: Calibration, task: Draw) -> Predicted:
    """Every pattern's statistics and per-step series for one draw (a worker's job in the predictive check)."""
    import time

    start, cpu = time.perf_counter(), time.process_time()
    stats, series = simulate(calibration, dict(task.values), task.seed, series=True, steps=calibration.horizon)
    return Predicted(task, stats, series, time.perf_counter() - start, time.process_time() - cpu)
