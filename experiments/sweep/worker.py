"""What a worker process does for one run of a sweep; kept small so workers import little besides the model."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from experiments.runner import run
from model.scenario import Scenario


@dataclass(frozen=True)
class Job:
    """What every run of a sweep shares: the base scenario and the outcomes to report."""

    base: Scenario
    outcomes: tuple  # of design.Outcome


@dataclass(frozen=True)
class Task:
    """One run: a point of the design, a replicate, its seed and the point's values."""

    point: int
    replicate: int
    seed: int
    values: tuple[tuple[str, Any], ...]  # (dotted key, value) pairs


@dataclass(frozen=True)
class Done:
    """A finished run: its task, its outcomes in the sweep's order, its wall and CPU time (not part of the results)."""

    task: Task
    outcomes: tuple[float, ...]
    seconds: float
    cpu_seconds: float = 0.0


def run_task(job: Job, task: Task) -> Done:
    """Run one point and replicate; a pure function of (job, task) except for the wall time."""
    start, cpu = time.perf_counter(), time.process_time()
    scenario = job.base.with_overrides({**dict(task.values), "run.seed": task.seed}, "sweep")
    timeseries = run(scenario).timeseries
    outcomes = tuple(outcome.of(timeseries) for outcome in job.outcomes)
    return Done(task, outcomes, time.perf_counter() - start, time.process_time() - cpu)
