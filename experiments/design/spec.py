"""Design files: the levers, the objectives and constraints over plausible worlds, the worlds, the budget.

A design file is TOML (``scenarios/designs/least_cost.toml`` is the example)::

    base = "../baseline.toml"     # the base scenario, relative to this file
    seed = 2027                   # the search's seed: the whole result is a function of the file and it
    creators = 300                # optional: the world scaled to this many creators (experiments.library.scale)

    [set]                         # optional: fixed changes to the base
    run.steps = 60

    [levers]                      # what the search may set: scenario keys, a range or values each
    policy.creator_subsidy = { range = [0.0, 0.3] }
    policy.data_regime = { values = ["replace", "accumulate"] }

    [objectives]                  # each a statistic over the worlds of a metric's mean over the last `last` steps
    originality = { metric = "originality_index", statistic = "p10", direction = "max" }
    cost = { metric = "policy_payments", statistic = "mean", direction = "min" }

    [constraints]                 # a metric at least (or at most) a bound in a share of the worlds
    originality = { metric = "originality_index", at_least = 0.6, share = 0.9 }

    [worlds]                      # posterior draws x seeds, the same for every candidate
    draws = 6
    seeds = 2

    [search]
    population = 16
    generations = 10

    [check]                       # out of sample: later posterior draws, later seeds
    draws = 12
    seeds = 2

    [choose]
    least = "cost"                # the mix reported in words: least of this objective among robust mixes

    [quick]                       # --quick: the small world of experiments.library.quick and this budget
    population = 8
    generations = 4

Every error is a :class:`ScenarioError`: one line naming the file, the key and what is allowed.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field, ValidationError

from experiments import library
from experiments.sweep.design import Outcome, Parameter, _check_key, _flatten, _parameter, _Strict, _SPEC_KEYS, outcome_metrics
from model.errors import did_you_mean, read_toml
from model.scenario import Scenario, ScenarioError, load

ALGORITHMS = ("nsga2", "nsga3")
STATISTIC = re.compile(r"^(mean|median|min|max|p([1-9]|[1-9][0-9]))$")
#: A float lever moves on a grid of this many steps across its range, so mixes read (and export) as short numbers.
RESOLUTION = 1000


class ObjectiveSpec(_Strict):
    metric: str
    direction: str
    statistic: str = "mean"
    last: int = Field(12, ge=1)


class ConstraintSpec(_Strict):
    metric: str
    at_least: float | None = None
    at_most: float | None = None
    share: float = Field(0.9, gt=0, le=1)
    last: int = Field(12, ge=1)


class WorldsSpec(_Strict):
    draws: int = Field(ge=1)
    seeds: int = Field(1, ge=1)
    posterior: str | None = None


class SearchSpec(_Strict):
    population: int = Field(ge=4)
    generations: int = Field(ge=1)
    algorithm: str = "nsga2"


class CheckSpec(_Strict):
    draws: int = Field(ge=1)
    seeds: int = Field(1, ge=1)


class QuickSpec(_Strict):
    population: int = Field(8, ge=4)
    generations: int = Field(4, ge=1)
    draws: int = Field(3, ge=1)
    seeds: int = Field(2, ge=1)
    check_draws: int = Field(6, ge=1)
    check_seeds: int = Field(1, ge=1)


class ChooseSpec(_Strict):
    least: str


class DesignFile(_Strict):
    base: str
    seed: int = Field(ge=0)
    creators: int | None = Field(None, ge=1)
    set: dict[str, Any] = {}
    levers: dict[str, Any]
    objectives: dict[str, Any]
    constraints: dict[str, Any] = {}
    worlds: dict[str, Any]
    search: dict[str, Any]
    check: dict[str, Any] | None = None
    choose: dict[str, Any] | None = None
    quick: dict[str, Any] | None = None


@dataclass(frozen=True)
class Objective:
    """A statistic over the worlds of one outcome, to maximise or minimise."""

    name: str
    metric: str
    direction: str  # "max" or "min"
    statistic: str
    last: int

    @property
    def column(self) -> str:
        return f"{self.direction}.{self.name}"

    @property
    def outcome(self) -> str:
        return f"{self.metric}.last{self.last}"

    def of(self, values) -> float:
        """The statistic of one mix's values over the worlds."""
        x = np.asarray(values, float)
        if self.statistic.startswith("p"):
            return float(np.quantile(x, int(self.statistic[1:]) / 100))
        return float(getattr(np, self.statistic)(x))

    def loss(self, value: float) -> float:
        """The value as the search minimises it."""
        return -value if self.direction == "max" else value


@dataclass(frozen=True)
class Constraint:
    """One outcome at least (or at most) ``bound`` in at least ``share`` of the worlds."""

    name: str
    metric: str
    kind: str  # "at_least" or "at_most"
    bound: float
    share: float
    last: int

    @property
    def outcome(self) -> str:
        return f"{self.metric}.last{self.last}"

    def margin(self, values) -> np.ndarray:
        """How far each world's value is on the right side of the bound (negative: the world fails)."""
        x = np.asarray(values, float)
        return x - self.bound if self.kind == "at_least" else self.bound - x

    def met(self, values) -> float:
        """The share of worlds where the bound holds."""
        return float(np.mean(self.margin(values) >= 0))

    def text(self) -> str:
        word = "above" if self.kind == "at_least" else "below"
        return f"{self.metric} {word} {self.bound:g} in {self.share:.0%} of plausible worlds"


@dataclass(frozen=True)
class World:
    """One plausible world: posterior draw ``draw`` with seed ``seed``; ``index`` numbers every world of the design."""

    index: int
    draw: int
    seed: int
    run_seed: int
    values: tuple[tuple[str, float], ...]  # the draw's calibrated keys this design lets it set


@dataclass(frozen=True)
class Design:
    """A validated design file."""

    path: Path
    base: Scenario
    seed: int
    levers: tuple[Parameter, ...]
    objectives: tuple[Objective, ...]
    constraints: tuple[Constraint, ...]
    worlds: tuple[World, ...]  # the worlds the search evaluates every candidate on
    check_worlds: tuple[World, ...]  # later draws and seeds, for the out-of-sample check
    population: int
    generations: int
    algorithm: str
    choose: str
    quick: bool
    posterior: Path

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def outcomes(self) -> tuple[Outcome, ...]:
        """What every run reports: each (metric, last) the objectives and constraints use, once."""
        pairs = dict.fromkeys((o.outcome, o.metric, o.last) for o in (*self.objectives, *self.constraints))
        return tuple(Outcome(name, metric, last) for name, metric, last in pairs)

    def mix(self, unit) -> dict[str, Any]:
        """The levers' values at a point of the unit cube (float levers on a grid of :data:`RESOLUTION` steps)."""
        out = {}
        for p, u in zip(self.levers, unit):
            u = min(max(float(u), 0.0), 1.0)
            if p.kind == "float":
                out[p.key] = float(f"{p.low + round(u * RESOLUTION) / RESOLUTION * (p.high - p.low):.6g}")
            else:
                out[p.key] = p.from_unit(u)
        return out

    def fingerprint(self) -> str:
        """A hash of everything that decides the results, to refuse resuming a different design."""
        spec = {
            "base": self.base.to_dict(), "seed": self.seed, "levers": [p.__dict__ for p in self.levers],
            "objectives": [o.__dict__ for o in self.objectives], "constraints": [c.__dict__ for c in self.constraints],
            "worlds": [w.__dict__ for w in self.worlds + self.check_worlds],
            "search": [self.population, self.generations, self.algorithm],
        }  # fmt: skip
        return hashlib.sha256(json.dumps(spec, sort_keys=True, default=list).encode()).hexdigest()[:16]


def _validated(cls: type[BaseModel], raw: Any, where: str, join: str = ".") -> BaseModel:
    """``raw`` as ``cls``, or one line naming the key (``where`` + ``join`` + key) and what it allows."""
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where}: give a table {{ {', '.join(f'{k} = ...' for k in cls.model_fields)} }}")
    try:
        return cls.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        key = where + join + ".".join(str(part) for part in first["loc"])
        if first["type"] == "extra_forbidden":
            name = str(first["loc"][-1])
            raise ScenarioError(f"{key}: unknown key; {did_you_mean(name, cls.model_fields)}allowed: {', '.join(cls.model_fields)}") from None
        if first["type"] == "missing":
            raise ScenarioError(f"{key}: missing; needed: {', '.join(k for k, f in cls.model_fields.items() if f.is_required())}") from None
        shown = f" = {first['input']!r}" if "input" in first and not isinstance(first["input"], dict) else ""
        raise ScenarioError(f"{key}{shown}: {first['msg'].removeprefix('Value error, ')}") from None


def _worlds(draws: list[dict], first_draw: int, seeds: range, start: int, base: Scenario, levers: set[str]) -> tuple[World, ...]:
    """Each draw with each seed; a draw sets the calibrated keys the base leaves at the baseline's value, except levers."""
    from experiments.calibration import posterior
    from experiments.compare import world_seed

    baseline = load(posterior.BASELINE)
    out = []
    for i, draw in enumerate(draws):
        own = tuple((k, v) for k, v in draw.items() if k not in levers and _value(base, k) == _value(baseline, k))
        for s in seeds:
            d = first_draw + i
            out.append(World(start + len(out), d, s, world_seed(d, s), own))
    return tuple(out)


def _value(scenario: Scenario, key: str):
    section, _, name = key.partition(".")
    return getattr(getattr(scenario, section), name)


def read(path: str | Path, quick: bool = False) -> Design:
    """Read and validate a design file; every key is checked before anything runs."""
    from experiments.calibration import posterior

    path = Path(path)
    source = str(path)
    spec = _validated(DesignFile, read_toml(path), source, ": ")
    try:
        base = load(path.parent / spec.base)
    except ScenarioError as error:
        raise ScenarioError(f"{source}: base = {spec.base!r}: {error}") from None
    fixed = _flatten(spec.set, lambda value: False)
    for key in fixed:
        _check_key(key, f"{source}: set")
    base = base.with_overrides(fixed, f"{source}: set") if fixed else base
    if spec.creators is not None:
        base = library.scale(base, spec.creators)
    if quick:
        base = library.quick(base)

    raw = _flatten(spec.levers, lambda value: bool(value.keys() & _SPEC_KEYS))
    if not raw:
        raise ScenarioError(f"{source}: [levers]: empty; name at least one scenario key with a range or values")
    levers = []
    for key, value in raw.items():
        if key in fixed:
            raise ScenarioError(f"{source}: levers.{key}: also in [set]; a key is either fixed or a lever")
        try:
            levers.append(_parameter(key, value, base, "lhs", source))
        except ScenarioError as error:
            raise ScenarioError(str(error).replace(f"{source}: parameters", f"{source}: levers")) from None

    metrics = outcome_metrics(base)
    steps = base.run.steps

    def checked_metric(where: str, metric: str, last: int) -> None:
        if metric not in metrics:
            raise ScenarioError(f"{where}.metric = {metric!r}: unknown metric; {did_you_mean(metric, metrics)}allowed: {', '.join(metrics)}")
        if last > steps + 1:
            raise ScenarioError(f"{where}.last = {last}: more than the run's {steps + 1} rows (run.steps = {steps}, plus step 0)")

    objectives = []
    for name, value in spec.objectives.items():
        where = f"{source}: objectives.{name}"
        o = _validated(ObjectiveSpec, value, where)
        checked_metric(where, o.metric, o.last)
        if o.direction not in ("max", "min"):
            raise ScenarioError(f"{where}.direction = {o.direction!r}: allowed: max, min")
        if not STATISTIC.match(o.statistic):
            raise ScenarioError(f"{where}.statistic = {o.statistic!r}: allowed: mean, median, min, max, or pNN (a percentile, p1 to p99)")
        objectives.append(Objective(name, o.metric, o.direction, o.statistic, o.last))
    if len(objectives) < 2:
        raise ScenarioError(f"{source}: [objectives]: name at least two (one objective is an optimisation, not a trade-off)")

    constraints = []
    for name, value in spec.constraints.items():
        where = f"{source}: constraints.{name}"
        c = _validated(ConstraintSpec, value, where)
        checked_metric(where, c.metric, c.last)
        if (c.at_least is None) == (c.at_most is None):
            raise ScenarioError(f"{where}: give exactly one of at_least = X or at_most = X")
        kind, bound = ("at_least", c.at_least) if c.at_least is not None else ("at_most", c.at_most)
        constraints.append(Constraint(name, c.metric, kind, float(bound), c.share, c.last))

    worlds = _validated(WorldsSpec, spec.worlds, f"{source}: worlds")
    search = _validated(SearchSpec, spec.search, f"{source}: search")
    check = _validated(CheckSpec, spec.check, f"{source}: check") if spec.check is not None else None
    fast = _validated(QuickSpec, spec.quick or {}, f"{source}: quick")
    if search.algorithm not in ALGORITHMS:
        raise ScenarioError(f"{source}: search.algorithm = {search.algorithm!r}: {did_you_mean(search.algorithm, ALGORITHMS)}allowed: {', '.join(ALGORITHMS)}")
    names = [o.name for o in objectives]
    choose = names[0]
    if spec.choose is not None:
        choose = _validated(ChooseSpec, spec.choose, f"{source}: choose").least
        if choose not in names:
            raise ScenarioError(f"{source}: choose.least = {choose!r}: not an objective; {did_you_mean(choose, names)}allowed: {', '.join(names)}")

    n_draws, n_seeds = (fast.draws, fast.seeds) if quick else (worlds.draws, worlds.seeds)
    c_draws, c_seeds = (fast.check_draws, fast.check_seeds) if quick else ((check.draws, check.seeds) if check else (0, 0))
    population, generations = (fast.population, fast.generations) if quick else (search.population, search.generations)
    file = (path.parent / worlds.posterior) if worlds.posterior else posterior.SHIPPED
    try:
        draws = posterior.draws(n_draws + c_draws, file)
    except ScenarioError as error:
        raise ScenarioError(f"{source}: worlds.draws + check.draws: {str(error).removeprefix(f'--posterior {n_draws + c_draws}: ')}") from None
    keys = {p.key for p in levers}
    searched = _worlds(draws[:n_draws], 0, range(1, n_seeds + 1), 0, base, keys)
    checked = _worlds(draws[n_draws:], n_draws, range(n_seeds + 1, n_seeds + c_seeds + 1), len(searched), base, keys)
    return Design(
        path, base, spec.seed, tuple(levers), tuple(objectives), tuple(constraints), searched, checked,
        population, generations, search.algorithm, choose, quick, file,
    )  # fmt: skip
