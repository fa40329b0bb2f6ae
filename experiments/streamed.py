"""A comparison's runs on any executor, each written to disk as it finishes; what the summaries read; resume.

Every run of a comparison is a :class:`World` (a scenario in a draw with a seed) and a pure function of it
(:func:`run_world`), so it can run in a local process pool or on a Dask cluster (the sweep's executors,
:func:`experiments.sweep.execute.executor`) and come back in any order. A streamed comparison writes each
finished run's rows to a file of its own in the partial folder (``.OUT.partial/runs/000123.csv``, the
run's rows of ``runs.csv`` without the header, written whole or not at all) and keeps in memory only the
last steps of the columns the summaries read (:func:`tail`). ``runs.csv`` is the header and those files in
run order, copied (:func:`assemble`); the figures read one metric back from it at a time. So the memory
held does not grow with the runs' length nor with their number beyond a few numbers a run, and an
interrupted comparison resumes from the runs on disk (:func:`finished`): the same bytes either way.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from experiments.comparison import HEADLINE, LAST
from experiments.files import recorded_fingerprint
from model import measurement
from model.scenario import Scenario, ScenarioError

#: Columns the summaries, the brief and the shift-share split read, besides the headline metrics.
READ = ("human_share_recent", "originality_human", "originality_ai", "policy_payments")
META = "comparison.json"


@dataclass(frozen=True)
class World:
    """One run of a comparison: its row block's position in runs.csv, scenario, draw (-1: none), seed and run.seed;
    the scenario and the draw's values go with it, so that no task carries every scenario and draw (a Dask cluster
    keeps more of each task than its result, and tasks that each carried all 300 draws made its memory grow)."""

    index: int
    name: str
    draw: int
    seed: int
    run_seed: int
    scenario: Scenario
    values: tuple[tuple[str, float], ...] = ()  # the draw's {key: value}


@dataclass(frozen=True)
class Job:
    """What every run of a comparison shares (sent with each task: a few kilobytes)."""

    baseline: Scenario | None  # what a draw's keys are compared with (:func:`experiments.calibration.posterior.apply`)
    columns: tuple[str, ...]  # every column of runs.csv, in order


@dataclass(frozen=True)
class Finished:
    """A finished run: its world and its rows of runs.csv."""

    world: World
    frame: pd.DataFrame
    seconds: float


def columns(scenarios: Mapping[str, Scenario], draws: bool) -> tuple[str, ...]:
    """The columns of runs.csv: the keys of a world, then every metric any scenario measures (as pandas' concat orders them)."""
    keys = ("scenario", "draw", "seed", "run_seed") if draws else ("scenario", "seed")
    return keys + tuple(dict.fromkeys(c for s in scenarios.values() for c in measurement.columns(s)))


def run_world(job: Job, world: World) -> Finished:
    """Run one world; a pure function of (job, world) except for the wall time."""
    from experiments.runner import run

    start = time.perf_counter()
    scenario = world.scenario
    if world.draw >= 0:
        from experiments.calibration import posterior

        scenario = posterior.apply(scenario, dict(world.values), job.baseline)
    frame = run(scenario, seed=world.run_seed).timeseries.reset_index(drop=True)
    keys = {"scenario": world.name, "draw": world.draw, "seed": world.seed, "run_seed": world.run_seed}
    for i, key in enumerate(k for k in keys if k in job.columns):
        frame.insert(i, key, keys[key])
    return Finished(world, frame.reindex(columns=list(job.columns)), time.perf_counter() - start)


def text(frame: pd.DataFrame) -> str:
    """A run's rows as they appear in runs.csv (floats to the last digit, as pandas writes them)."""
    return frame.to_csv(index=False, header=False, lineterminator="\n")


def header(names: Sequence[str]) -> str:
    return pd.DataFrame(columns=list(names)).to_csv(index=False, lineterminator="\n")


def tail(rows: str, names: Sequence[str], steps: int, last: int = LAST) -> pd.DataFrame:
    """The rows of a run the summaries read: its last ``max(last, LAST)`` steps (every function of a comparison but
    its figures reads no other), the keys, the headline metrics and :data:`READ`; parsed from the text written
    (floats read back exactly), so a resumed comparison holds what an uninterrupted one did."""
    keep = [c for c in names if c in ("scenario", "draw", "seed", "run_seed", "step") or c in HEADLINE or c in READ]
    frame = pd.read_csv(io.StringIO(rows), header=None, names=list(names), usecols=keep)
    return frame[frame["step"] > steps - max(last, LAST)].reset_index(drop=True)


def fingerprint(job: Job, worlds: Sequence[World], last: int) -> str:
    """What a partial folder must match to be resumed: the scenarios as run, the draws, the worlds and the span."""
    text = json.dumps(
        {"scenarios": {w.name: w.scenario.to_toml() for w in worlds}, "columns": list(job.columns),
         "worlds": [(w.name, w.draw, w.seed, w.run_seed, w.values) for w in worlds], "last": last},
        sort_keys=True,
    )  # fmt: skip
    return hashlib.sha256(text.encode()).hexdigest()


def part(folder: Path, index: int) -> Path:
    return folder / "runs" / f"{index:06d}.csv"


def prepare(folder: Path, stamp: str, resume: bool, out: Path) -> set[int]:
    """Check the partial folder and return the runs already on disk; refuse another comparison's runs."""
    meta = folder / META
    if folder.exists() and not resume:
        raise ScenarioError(f"--out {out}: {folder} holds the finished runs of an interrupted comparison; add --resume to finish it, "
                            f"or delete {folder}")  # fmt: skip
    if not meta.exists():
        return set()
    if recorded_fingerprint(meta) != stamp:
        raise ScenarioError(f"--resume: {folder} holds runs of another comparison (other scenarios, seeds, draws or --set); "
                            f"delete it, or give another --out than {out}")  # fmt: skip
    return {int(p.stem) for p in (folder / "runs").glob("*.csv") if p.stem.isdigit()}


def start(folder: Path, stamp: str, command: str) -> None:
    (folder / "runs").mkdir(parents=True, exist_ok=True)
    (folder / META).write_text(json.dumps({"fingerprint": stamp, "command": command}, indent=2) + "\n")


def keep(folder: Path, finished: Finished) -> str:
    """Write a finished run's rows, whole or not at all; return them."""
    rows = text(finished.frame)
    path = part(folder, finished.world.index)
    staging = path.with_name(f".{path.name}.tmp")
    staging.write_text(rows, encoding="utf-8")
    os.replace(staging, path)
    return rows


def finished(folder: Path, index: int) -> str:
    return part(folder, index).read_text(encoding="utf-8")


def assemble(folder: Path, names: Sequence[str], path: Path) -> None:
    """runs.csv: the header and every run's rows in run order, copied file by file."""
    parts = sorted((p for p in (folder / "runs").glob("*.csv") if p.stem.isdigit()), key=lambda p: int(p.stem))
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(header(names))
        for each in parts:
            with each.open(encoding="utf-8", newline="") as f:
                shutil.copyfileobj(f, out)


class Tails:
    """The runs' last steps, gathered into a frame a chunk at a time (a small frame a run costs more in pandas'
    overhead than in numbers) and put in run order at the end."""

    CHUNK = 256

    def __init__(self):
        self.chunks: list[pd.DataFrame] = []
        self.pending: list[pd.DataFrame] = []

    def add(self, index: int, frame: pd.DataFrame) -> None:
        self.pending.append(frame.assign(_run=index))
        if len(self.pending) >= self.CHUNK:
            self._fold()

    def _fold(self) -> None:
        if self.pending:
            self.chunks.append(pd.concat(self.pending, ignore_index=True))
            self.pending = []

    def frame(self) -> pd.DataFrame:
        self._fold()
        whole = pd.concat(self.chunks, ignore_index=True)
        return whole.sort_values("_run", kind="stable").drop(columns="_run").reset_index(drop=True)
