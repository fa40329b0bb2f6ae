"""Validation: the model reproduces the published model-collapse results as its own special cases.

Each check runs a scenario of ``scenarios/validation/`` over many seeds through
``ContentEcosystem`` (the code path ``python run.py run`` uses), reads the model's own
state, and compares it with the theory; tolerances are the sampling error of the seeds
run. ``python run.py validate [--quick]`` runs every check and writes ``validation.md``,
one PNG per check and ``validation.json``.

    from experiments.validation import validate, write
    v = validate(quick=True)
    v.passed, [(c.title, c.verdict) for c in v.results]
    write(v, "results/validation")

Modules: ``theory`` (closed forms and exact recursions), ``sim`` (running seeds, serially
or in a process pool), ``checks`` (one function per published result), ``report``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from experiments.validation.checks import CHECKS, run_check
from experiments.validation.common import SEED_BLOCK, CheckResult, Context
from experiments.validation.report import now, write
from experiments.validation.sim import Runner

#: The most seeds a check may run (each check draws from its own block of seeds).
MAX_SEEDS = SEED_BLOCK


@dataclass
class Validation:
    """The outcome of a validation run."""

    results: list[CheckResult]
    quick: bool
    jobs: int
    wall_time: float
    finished: datetime
    versions: dict[str, str]
    command: str

    @property
    def passed(self) -> bool:
        """No comparison disagrees without a documented reason (a result not reproduced for a known reason is reported, not failed)."""
        return not any(r.unexpected for r in self.results)


def _versions() -> dict[str, str]:
    from experiments.files import versions

    v = versions()
    return {k: v[k] for k in ("python", "mesa", "numpy")}


def validate(
    quick: bool = False,
    *,
    seeds: int | None = None,
    jobs: int = 1,
    only: list[str] | None = None,
    progress: Callable[[CheckResult], None] | None = None,
    command: str = "python run.py validate",
    scheduler: str | None = None,
) -> Validation:
    """Run the checks (all, or those named in ``only``) and return their results.

    Args:
        quick: fewer seeds and generations; the whole run takes well under a minute.
        seeds: seeds for every Monte Carlo check, instead of each check's default.
        jobs: worker processes (1 = serial); results are identical either way. A script that calls this
            with ``jobs > 1`` needs the usual ``if __name__ == "__main__":`` guard (the workers do not fork it).
        only: keys of :data:`CHECKS` to run.
        progress: called with each check's result as it finishes.
        scheduler: a Dask scheduler, ``tcp://host:port``, or ``"local"`` for a Dask cluster of ``jobs`` workers on this
            machine, instead of a process pool; results are identical either way.
    """
    if seeds is not None and not 2 <= seeds <= MAX_SEEDS:
        raise ValueError(f"seeds must be between 2 and {MAX_SEEDS}, not {seeds}")
    keys = list(CHECKS) if not only else only
    unknown = [k for k in keys if k not in CHECKS]
    if unknown:
        raise ValueError(f"unknown check {unknown[0]!r}; checks: {', '.join(CHECKS)}")
    start = time.perf_counter()
    results = []
    with Runner(jobs, scheduler) as runner:
        ctx = Context(quick=quick, runner=runner, seeds=seeds)
        for key in keys:
            result = run_check(key, ctx)
            results.append(result)
            if progress:
                progress(result)
    return Validation(results, quick, max(1, jobs), time.perf_counter() - start, now(), _versions(), command)


__all__ = ["CHECKS", "MAX_SEEDS", "CheckResult", "Validation", "validate", "write"]
