"""What a worker process does for the fit: draw particles from one seed until one is accepted.

Each task of a generation has its own seed (from the inference's seed, the generation and the
task's index), so the particles do not depend on how many workers there are, which finishes
first, or whether the fit was interrupted and resumed.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

import cloudpickle
import numpy as np


@dataclass(frozen=True)
class Job:
    """What every task of a generation shares: the library's proposal-simulate-accept function, pickled."""

    simulate_one: bytes
    sample_factory: bytes
    cap: int  # simulations a task may make before it gives up (the minimum acceptance rate)


@dataclass(frozen=True)
class Task:
    point: int  # the generation (+1: the prior's calibration sample is generation -1)
    replicate: int  # the task's index in the generation
    seed: int


@dataclass(frozen=True)
class Done:
    task: Task
    sample: object  # the library's Sample: every particle simulated, the last one accepted
    evaluations: int
    seconds: float
    cpu_seconds: float = 0.0


_loaded: dict[bytes, object] = {}


def _load(blob: bytes):
    if blob not in _loaded:  # one unpickling per worker and generation
        _loaded.clear()
        _loaded[blob] = cloudpickle.loads(blob)
    return _loaded[blob]


def run_task(job: Job, task: Task) -> Done:
    """Simulate particles from the task's seed until one is accepted (or the cap is reached)."""
    start, cpu = time.perf_counter(), time.process_time()
    np.random.seed(task.seed)
    random.seed(task.seed)
    simulate_one = _load(job.simulate_one)
    sample = cloudpickle.loads(job.sample_factory)()
    evaluations = 0
    while evaluations < job.cap:
        particle = simulate_one()
        evaluations += 1
        sample.append(particle)
        if particle.accepted:
            break
    return Done(task, sample, evaluations, time.perf_counter() - start, time.process_time() - cpu)
