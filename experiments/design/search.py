"""The search: pymoo's NSGA-II (or NSGA-III) asks for mixes, the sweep's executor runs each on every world.

The algorithm is driven ask-and-tell, so the runs go to :mod:`experiments.sweep.execute`'s
local process pool or Dask cluster, a generation at a time. Every run is appended to
``evaluations.csv`` as it finishes, keyed by the mix's lever values and the world. The search
is a pure function of the design file: pymoo draws from its own generator seeded by the file's
seed, and every candidate meets the same worlds (common random numbers). So resuming replays
the search from the start, reading the runs already in ``evaluations.csv`` instead of making
them again, and reaches the same result as an uninterrupted search.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from experiments.design.spec import Design, World
from experiments.files import progress_bar, recorded_fingerprint
from experiments.sweep.execute import SweepError, _drop_partial_rows, _write_rows, cell
from experiments.sweep.worker import Job, Task, run_task

EVALUATIONS = "evaluations.csv"
META = "design.json"


class DesignError(SweepError):
    """A design that cannot start or resume as asked; one line, like a scenario error."""


def key(mix: dict) -> tuple[str, ...]:
    """A mix as exact text: what identifies its runs in evaluations.csv."""
    return tuple(cell(v) for v in mix.values())


class Store:
    """``evaluations.csv``: one row per run of a mix in a world, appended as runs finish."""

    def __init__(self, design: Design, out: Path):
        self.design, self.path = design, Path(out) / EVALUATIONS
        self.outcomes = [o.name for o in design.outcomes]
        self.columns = ["world", "draw", "seed", *(f"lever.{p.key}" for p in design.levers), *self.outcomes]
        self.results: dict[tuple[tuple[str, ...], int], tuple[float, ...]] = {}
        if self.path.exists():
            _drop_partial_rows(self.path, len(self.columns))
            with self.path.open(newline="") as f:
                reader = csv.reader(f)
                if next(reader, None) != self.columns:
                    raise DesignError(f"{self.path}: its columns differ from this design's; use a fresh --out")
                n = len(self.design.levers)
                for row in reader:
                    self.results[tuple(row[3 : 3 + n]), int(row[0])] = tuple(float(v) for v in row[3 + n :])
        self.ran = 0

    def evaluate(self, mixes: list[dict], worlds: tuple[World, ...], pool, bar) -> np.ndarray:
        """Every mix in every world: an array (mix, outcome, world); only runs not yet stored are made."""
        todo, seen = [], set()
        for i, mix in enumerate(mixes):
            for world in worlds:
                if (key(mix), world.index) in self.results or (key(mix), world.index) in seen:
                    bar.update()
                    continue
                seen.add((key(mix), world.index))
                todo.append(Task(i, world.index, world.run_seed, (*world.values, *mix.items())))
        if todo:
            worlds_by_index = {w.index: w for w in worlds}
            new = not self.path.exists()
            with self.path.open("a", newline="") as f:
                writer = csv.writer(f, lineterminator="\n")
                if new:
                    writer.writerow(self.columns)
                for done in pool.map_unordered(run_task, Job(self.design.base, self.design.outcomes), todo):
                    mix, world = mixes[done.task.point], worlds_by_index[done.task.replicate]
                    self.results[key(mix), world.index] = done.outcomes
                    writer.writerow([cell(v) for v in (world.index, world.draw, world.seed, *mix.values(), *done.outcomes)])
                    f.flush()  # an interrupt loses at most the runs in flight
                    self.ran += 1
                    bar.update()
        return np.array([[self.results[key(mix), w.index] for w in worlds] for mix in mixes]).transpose(0, 2, 1)

    def sort(self) -> None:
        """Rewrite evaluations.csv sorted by mix and world: the same bytes whatever order the runs finished in."""
        if not self.path.exists():
            return
        with self.path.open(newline="") as f:
            header, *rows = list(csv.reader(f))
        n = len(self.design.levers)
        rows.sort(key=lambda r: (r[3 : 3 + n], int(r[0])))
        _write_rows(self.path, [header, *rows])


@dataclass
class Candidate:
    """A mix the search evaluated: its levers, its objectives and constraints over the search's worlds."""

    mix: dict
    generation: int  # the first generation that asked for it
    objectives: dict[str, float]  # objective name -> statistic over the worlds
    met: dict[str, float]  # constraint name -> share of worlds where it holds
    values: np.ndarray  # (outcome, world)

    def feasible(self, design: Design) -> bool:
        return all(self.met[c.name] >= c.share for c in design.constraints)


@dataclass
class Search:
    """What :func:`run` found."""

    candidates: dict[tuple[str, ...], Candidate]
    fronts: list[list[tuple[str, ...]]]  # per generation: the keys of the feasible non-dominated mixes so far
    store: Store = field(repr=False, default=None)


def losses(design: Design, candidates) -> np.ndarray:
    """The objectives as the search minimises them, one row per candidate."""
    return np.array([[o.loss(c.objectives[o.name]) for o in design.objectives] for c in candidates], float).reshape(-1, len(design.objectives))


def front(design: Design, candidates: list[Candidate]) -> list[Candidate]:
    """The feasible candidates no other feasible candidate dominates."""
    from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

    feasible = [c for c in candidates if c.feasible(design)]
    if not feasible:
        return []
    return [feasible[i] for i in sorted(NonDominatedSorting().do(losses(design, feasible), only_non_dominated_front=True))]


def judge(design: Design, mix: dict, values: np.ndarray, generation: int = 0) -> Candidate:
    """A mix's objectives and constraints from its (outcome, world) values."""
    index = {o.name: i for i, o in enumerate(design.outcomes)}
    objectives = {o.name: o.of(values[index[o.outcome]]) for o in design.objectives}
    met = {c.name: c.met(values[index[c.outcome]]) for c in design.constraints}
    return Candidate(mix, generation, objectives, met, values)


def status_quo(design: Design) -> np.ndarray | None:
    """The base's own lever values in the unit cube (None if one lies outside its lever's range)."""
    unit = []
    for p in design.levers:
        section, _, name = p.key.partition(".")
        v = getattr(getattr(design.base, section), name)
        if p.kind == "values":
            unit.append((p.values.index(v) + 0.5) / len(p.values) if v in p.values else None)
        elif p.low <= v <= p.high:
            unit.append((v - p.low + 0.5 * (p.kind == "int")) / (p.high - p.low + (p.kind == "int")))
        else:
            unit.append(None)
    return None if None in unit else np.array(unit)


def first_generation(design: Design) -> np.ndarray:
    """A Latin hypercube of the levers, whose first mix is the status quo (the base's values) when it lies in the ranges:
    so the search always knows what doing nothing gives."""
    from scipy.stats import qmc

    unit = qmc.LatinHypercube(d=len(design.levers), seed=design.seed).random(design.population)
    now = status_quo(design)
    if now is not None:
        unit[0] = now
    return unit


def _algorithm(design: Design):
    sampling = first_generation(design)
    if design.algorithm == "nsga3":
        from pymoo.algorithms.moo.nsga3 import NSGA3
        from pymoo.util.ref_dirs import get_reference_directions

        directions = get_reference_directions("energy", len(design.objectives), design.population, seed=design.seed)
        return NSGA3(directions, pop_size=design.population, sampling=sampling)
    from pymoo.algorithms.moo.nsga2 import NSGA2

    return NSGA2(pop_size=design.population, sampling=sampling)


def prepare(design: Design, out: Path, resume: bool) -> None:
    """Refuse a folder holding another design, or a finished one without ``--resume``. Writes nothing."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise DesignError(f"--out {out}: exists and is not a folder; give a folder path")
    if not (out / EVALUATIONS).exists():
        return
    if not resume:
        raise DesignError(f"--out {out}: already holds {EVALUATIONS}; add --resume to finish that search, or give another folder")
    if recorded_fingerprint(out / META) != design.fingerprint():
        raise DesignError(f"--out {out}: holds a different design than {design.path} (the file, its base or --quick changed); use a fresh --out")


def run(design: Design, out: Path, pool, progress: bool = True) -> Search:
    """Search (or finish searching) into ``out``: every generation asked, evaluated on every world, told."""
    from pymoo.core.evaluator import Evaluator
    from pymoo.core.problem import Problem
    from pymoo.problems.static import StaticProblem

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    meta = {"design_file": str(design.path), "fingerprint": design.fingerprint(), "quick": design.quick}
    (out / META).write_text(json.dumps(meta, indent=2) + "\n")
    store = Store(design, out)
    problem = Problem(n_var=len(design.levers), n_obj=len(design.objectives), n_ieq_constr=len(design.constraints), xl=0.0, xu=1.0)
    algorithm = _algorithm(design)
    algorithm.setup(problem, termination=("n_gen", design.generations), seed=design.seed, verbose=False)
    candidates: dict[tuple[str, ...], Candidate] = {}
    fronts = []
    total = design.population * design.generations * len(design.worlds)
    with progress_bar(progress, total=total, unit="run", smoothing=0.05, desc="search") as bar:
        for generation in range(1, design.generations + 1):
            population = algorithm.ask()
            mixes = [design.mix(x) for x in population.get("X")]
            values = store.evaluate(mixes, design.worlds, pool, bar)
            judged = [candidates.get(key(m)) or judge(design, m, v, generation) for m, v in zip(mixes, values)]
            for c in judged:
                candidates.setdefault(key(c.mix), c)
            shares = np.array([[c.share - j.met[c.name] for c in design.constraints] for j in judged], float).reshape(len(judged), -1)
            outputs = {"F": losses(design, judged), **({"G": shares} if design.constraints else {})}
            Evaluator().eval(StaticProblem(problem, **outputs), population)
            algorithm.tell(infills=population)
            fronts.append([key(c.mix) for c in front(design, list(candidates.values()))])
            bar.update((design.population - len(mixes)) * len(design.worlds))  # pymoo may ask for fewer
    return Search(candidates, fronts, store)


def convergence(design: Design, search: Search) -> list[dict]:
    """Per generation: mixes evaluated so far (and their runs), feasible mixes, the front's size, and its hypervolume.

    The hypervolume is that of the front in objectives scaled to [0, 1] between the best and worst
    values any feasible mix reached in the whole search (all minimised), from the point (1.1, ...):
    the same scale for every generation, so it can only grow.
    """
    from pymoo.indicators.hv import HV

    feasible = [c for c in search.candidates.values() if c.feasible(design)]
    rows = []
    if feasible:
        f = losses(design, feasible)
        ideal, nadir = f.min(axis=0), f.max(axis=0)
        span = np.where(nadir > ideal, nadir - ideal, 1.0)
        indicator = HV(ref_point=np.full(len(design.objectives), 1.1))
    order = list(search.candidates.values())
    for g, keys in enumerate(search.fronts, start=1):
        seen = [c for c in order if c.generation <= g]
        members = [search.candidates[k] for k in keys]
        hv = float(indicator((losses(design, members) - ideal) / span)) if members else 0.0
        rows.append({"generation": g, "mixes": len(seen), "runs": len(seen) * len(design.worlds), "feasible": sum(c.feasible(design) for c in seen),
                     "front": len(members), "hypervolume": hv})
    return rows
