"""Running a sweep: a local process pool or a Dask cluster, runs.csv as runs finish, resume.

Results do not depend on the executor nor on the order runs finish in: a run's
seed comes from its (point, replicate) indices (:meth:`Sweep.run_seed`), each row
of ``runs.csv`` is written from the run's own values (floats as ``repr``, which
reads back to the same double), and when the sweep is complete ``runs.csv`` is
rewritten sorted by (point, replicate). A worker that dies loses nothing: the
local pool is restarted and the unfinished runs resubmitted; Dask's scheduler
reruns the lost tasks on other workers.
"""

from __future__ import annotations

import csv
import itertools
import json
import logging
import math
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from model.scenario import ScenarioError
from experiments import interrupts
from experiments.files import progress_bar, recorded_fingerprint
from experiments.sweep.design import Sweep
from experiments.sweep.worker import Done, Job, Task, run_task

RUNS = "runs.csv"
META = "sweep.json"
#: Times a local pool may break (a worker process died) before the sweep gives up.
MAX_RESTARTS = 5
#: The fewest tasks a Dask cluster is given at once (more: four for each worker thread).
WINDOW = 8

#: Dask's diagnostics, kept short for the clusters we start (and our client's end of any other): every process
#: keeps its last 1,000 messages (each task's, with the world it carries: some 40 kB) and a worker keeps an
#: hour of its profiler's samples (about 17 kB a second of a model's run), so their memory grew with the runs
#: until those caps (docs/performance.md, "Memory on Dask").
BOUNDED = {"distributed.admin.low-level-log-length": 32, "distributed.worker.profile.enabled": False}


class SweepError(ScenarioError):
    """A sweep that cannot start or resume as asked; one line, like a scenario error."""


def tasks(sweep: Sweep) -> list[Task]:
    """Every run of the sweep, point by point, replicate by replicate."""
    return [
        Task(i, r, sweep.run_seed(i, r), tuple(values.items()))
        for i, values in enumerate(sweep.points())
        for r in range(sweep.seeds)
    ]


# --- executors ---------------------------------------------------------------------------------


class LocalPool:
    """A pool of worker processes on this machine, reused across runs and calls (imports are paid once per worker).

    Workers are spawned, never forked from the driver's threads, and leave Ctrl-C to the driver
    (:func:`experiments.interrupts.worker_pool`), which stops them at once.
    """

    def __init__(self, jobs: int = 1):
        self.jobs = jobs
        self._pool = None
        self.context = multiprocessing.get_context("spawn")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        return False

    def map_unordered(self, fn: Callable, job, items: Iterable) -> Iterator:
        """``fn(job, item)`` for every item, yielded as each finishes; a broken pool is replaced and its runs resubmitted."""
        pending = dict(enumerate(items))
        restarts = 0
        while pending:
            if self._pool is None:
                self._pool = interrupts.worker_pool(self.jobs, self.context)
            futures = {self._pool.submit(fn, job, item): key for key, item in pending.items()}
            broken = False
            try:
                for future in as_completed(futures):  # waits on every future once, not once per result
                    try:
                        result = future.result()
                    except BrokenProcessPool:  # a worker died: every unfinished run fails alike
                        broken = True
                        break
                    del pending[futures[future]]
                    yield result
            except BaseException:  # an interrupt, or the caller stopped reading: stop the runs at once
                interrupts.abandon(self._pool)
                self._pool = None
                raise
            if broken:
                interrupts.abandon(self._pool)
                self._pool = None
                restarts += 1
                if restarts > MAX_RESTARTS:
                    raise RuntimeError(f"worker processes died {restarts} times; {len(pending)} runs unfinished")


class DaskPool:
    """A Dask distributed cluster: ``"local"`` starts a ``LocalCluster``; ``tcp://host:port`` joins a running scheduler.

    A ``distributed.Client`` may be passed instead (the tests share one cluster). Runs are
    submitted as impure tasks; a task whose worker dies is rerun on another worker by the
    scheduler (up to ``distributed.scheduler.allowed-failures`` times).
    """

    def __init__(self, scheduler="local", jobs: int | None = None):
        import dask
        from distributed import Client, LocalCluster

        self._own = []
        if isinstance(scheduler, Client):
            self.client = scheduler
            return
        with dask.config.set(BOUNDED):
            if scheduler == "local":
                # Its workers' warnings (a task cancelled as a stopped command ends) and tracebacks (a terminal's Ctrl-C
                # reaches them too) would break the one line an interrupt prints; its web routes take a free port (the
                # default 8787 warns when another cluster holds it).
                with interrupts.children_leave_ctrl_c():
                    cluster = LocalCluster(
                        n_workers=jobs or os.cpu_count() or 1, threads_per_worker=1, processes=True, dashboard_address=":0",
                        silence_logs=logging.ERROR,
                    )
                self.client = Client(cluster)
                self._own = [self.client, cluster]
                return
            try:
                self.client = Client(scheduler, timeout="10s")
            except (OSError, TimeoutError, ValueError) as error:
                raise SweepError(f"--scheduler {scheduler}: cannot reach a Dask scheduler there ({error})") from None
            self._own = [self.client]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if len(self._own) > 1:  # our own cluster: its warnings as it stops (a worker slow to exit is killed) are no news
            logging.getLogger("distributed").setLevel(logging.ERROR)
        for thing in self._own:
            thing.close()
        return False

    def map_unordered(self, fn: Callable, job, items: Iterable) -> Iterator:
        from distributed import as_completed

        # The job goes with every task (a few kilobytes), not scattered: scattered data lives on
        # workers, and tasks that need it are cancelled ("lost dependencies") if the worker holding
        # it dies, where a task that carries its own job is simply rerun elsewhere. Only a window of
        # tasks is in flight, so the driver's and the scheduler's memory do not grow with the runs.
        items = iter(items)
        window = max(WINDOW, 4 * sum(self.client.nthreads().values()))
        done = as_completed([self.client.submit(fn, job, item, pure=False) for item in itertools.islice(items, window)])
        for future in done:
            result = future.result()
            future.release()  # the driver keeps nothing but the row
            for item in itertools.islice(items, 1):
                done.add(self.client.submit(fn, job, item, pure=False))
            yield result


def executor(jobs: int = 1, scheduler: str | None = None):
    """The executor the command line asks for."""
    return DaskPool(scheduler, jobs) if scheduler else LocalPool(jobs)


# --- runs.csv ---------------------------------------------------------------------------------------


def columns(sweep: Sweep) -> list[str]:
    return ["point", "replicate", "seed", *sweep.keys, *(o.name for o in sweep.outcomes)]


def cell(value) -> str:
    """Exact text of a value: floats as repr (reads back to the same double), booleans as TOML does."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else repr(value)
    return str(value)


def row(done: Done) -> list[str]:
    task = done.task
    return [cell(v) for v in (task.point, task.replicate, task.seed, *(v for _, v in task.values), *done.outcomes)]


def _done_pairs(path: Path, header: list[str]) -> set[tuple[int, int]]:
    """(point, replicate) of every complete row already in runs.csv."""
    with path.open(newline="") as f:
        reader = csv.reader(f)
        if next(reader, None) != header:
            raise SweepError(f"{path}: its columns differ from this sweep's; use a fresh --out")
        return {(int(r[0]), int(r[1])) for r in reader if len(r) == len(header)}


def _drop_partial_rows(path: Path, width: int) -> None:
    """A sweep killed while writing may leave a last line cut short: keep only complete rows."""
    with path.open(newline="") as f:
        rows = list(csv.reader(f))
    if all(len(r) == width for r in rows) and path.read_bytes().endswith(b"\n"):
        return
    _write_rows(path, [r for r in rows if len(r) == width])


def _write_rows(path: Path, rows: list[list[str]]) -> None:
    staging = path.with_name(f".{path.name}.tmp")
    with staging.open("w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    os.replace(staging, path)


def sort_runs(path: Path) -> None:
    """Rewrite runs.csv sorted by (point, replicate): the same bytes whichever executor ran it."""
    with path.open(newline="") as f:
        header, *rows = list(csv.reader(f))
    rows.sort(key=lambda r: (int(r[0]), int(r[1])))
    _write_rows(path, [header, *rows])


# --- the driver ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What a call to :func:`run_sweep` did."""

    total: int  # runs in the sweep
    ran: int  # runs made by this call (the rest were already in runs.csv)
    wall_time: float
    run_time: float  # sum of the runs' own wall times
    cpu_time: float  # sum of the runs' CPU times: below run_time when other processes share the cores
    startup: float = 0.0  # seconds before the first run began: starting workers, importing, sending the job


def prepare(sweep: Sweep, out: Path, resume: bool) -> set[tuple[int, int]]:
    """Check ``out`` and return the runs already done; refuse to mix two sweeps in one folder. Writes nothing."""
    runs, meta = out / RUNS, out / META
    if out.exists() and not out.is_dir():
        raise SweepError(f"--out {out}: exists and is not a folder; give a folder path")
    if not resume:
        if runs.exists():
            raise SweepError(f"--out {out}: already holds {RUNS}; add --resume to finish that sweep, or give another folder")
        return set()
    if not runs.exists() or not meta.exists():
        return set()  # nothing to resume: start afresh
    if recorded_fingerprint(meta) != sweep.fingerprint():
        raise SweepError(f"--out {out}: holds a different sweep than {sweep.path} (the sweep file or base scenario changed); use a fresh --out")
    _drop_partial_rows(runs, len(columns(sweep)))
    return _done_pairs(runs, columns(sweep))


def run_sweep(
    sweep: Sweep,
    out: Path,
    pool,
    resume: bool = False,
    progress: bool = True,
    fn: Callable[[Job, Task], Done] = run_task,
) -> Outcome:
    """Run every missing run of ``sweep`` on ``pool``, appending rows to ``out/runs.csv`` as they finish."""
    start = time.perf_counter()
    done = prepare(sweep, out, resume)
    todo = [t for t in tasks(sweep) if (t.point, t.replicate) not in done]
    total = len(done) + len(todo)
    out.mkdir(parents=True, exist_ok=True)
    meta = {
        "sweep_file": str(sweep.path),
        "base_scenario": str(sweep.base_path),
        "fingerprint": sweep.fingerprint(),
        "design": sweep.design,
        "points": total // sweep.seeds,
        "seeds": sweep.seeds,
        "runs": total,
    }
    (out / META).write_text(json.dumps(meta, indent=2) + "\n")
    (out / "base.toml").write_text(sweep.base.to_toml())
    runs = out / RUNS
    run_time, cpu_time, startup = 0.0, 0.0, None
    new = not runs.exists()
    with runs.open("a", newline="") as f, progress_bar(progress, total=total, initial=len(done), unit="run", smoothing=0.05) as bar:
        writer = csv.writer(f, lineterminator="\n")
        if new:
            writer.writerow(columns(sweep))
        for result in pool.map_unordered(fn, Job(sweep.base, sweep.outcomes), todo):
            writer.writerow(row(result))
            f.flush()  # a crash loses at most the run in hand
            run_time += result.seconds
            cpu_time += result.cpu_seconds
            if startup is None:
                startup = time.perf_counter() - start - result.seconds
            bar.update()
    sort_runs(runs)
    return Outcome(total, len(todo), time.perf_counter() - start, run_time, cpu_time, startup or 0.0)
