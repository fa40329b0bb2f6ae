"""Sweep files: their schema, their validation against the scenario schema, and the designs.

A sweep file is TOML::

    base = "../baseline.toml"        # the base scenario, relative to this file
    design = "sobol"                 # grid | lhs | sobol
    samples = 16                     # lhs: points; sobol: base samples N (N * (D + 2) points); posterior: draws
    seeds = 2                        # replicates per point
    seed = 2024                      # the sweep's seed: every run seed derives from it

    [set]                            # fixed changes to the base, for every run
    run.steps = 40

    [parameters]                     # the levers: dotted scenario keys
    policy.human_reserve = { range = [0.0, 0.3] }
    ai.temperature = { range = [0.8, 1.2], levels = 3 }     # levels: grid only
    policy.data_regime = { values = ["replace", "accumulate"] }

    [outcomes]                       # what each run reports
    originality = { metric = "originality_index" }             # at the final step
    originality_late = { metric = "originality_index", last = 12 }  # mean of the last 12 steps

    [tipping]                        # optional: PRIM scenario discovery
    outcome = "originality"
    below = 0.2

Every error is a :class:`ScenarioError` whose message is one line naming the sweep
file and the key, like the scenario files' errors. A point is a pure function of the
sweep file, and a run's seed a pure function of the sweep's seed and the run's
(point, replicate) indices, so a sweep is the same whoever runs it and in whatever order.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from model import measurement
from model.errors import read_toml
from model.scenario import SECTIONS, Scenario, ScenarioError, load

DESIGNS = ("grid", "lhs", "sobol", "posterior")
_SPEC_KEYS = {"range", "values", "levels"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class ParameterSpec(_Strict):
    """One swept key: a ``range = [low, high]`` or a list of ``values``."""

    range: list[float] | None = Field(None, min_length=2, max_length=2, description="[low, high]")
    values: list[Any] | None = None
    levels: int | None = Field(None, ge=2, description="grid only: evenly spaced values across the range")


class OutcomeSpec(_Strict):
    """One outcome: a metric column at the final step, or its mean over the last ``last`` steps."""

    metric: str
    last: int = Field(1, ge=1, description="mean over the last this many steps (1: the final step)")


class TippingSpec(_Strict):
    """Where an outcome falls below a threshold: PRIM boxes in the lever space."""

    outcome: str
    below: float
    density: float = Field(0.8, gt=0, le=1, description="smallest share of tipped runs a reported box must hold")
    boxes: int = Field(3, ge=1, description="at most this many boxes")


class SweepFile(_Strict):
    """The whole file as written."""

    base: str
    design: str
    samples: int | None = Field(None, ge=1)
    posterior: str | None = None
    seeds: int = Field(1, ge=1)
    seed: int = Field(0, ge=0)
    common_random_numbers: bool = True
    set: dict[str, Any] = {}
    parameters: dict[str, Any]
    outcomes: dict[str, Any]
    tipping: TippingSpec | None = None


@dataclass(frozen=True)
class Parameter:
    """A validated swept key."""

    key: str
    kind: str  # "float", "int" or "values"
    low: float | None = None
    high: float | None = None
    values: tuple = ()
    levels: int | None = None

    @property
    def flat(self) -> str:
        """``section_key``: the key as a Python identifier (EMA Workbench names)."""
        return self.key.replace(".", "_", 1)

    def from_unit(self, u: float):
        """The value at ``u`` in [0, 1]: the range scaled, or one of the values in equal slices."""
        if self.kind == "values":
            return self.values[min(int(u * len(self.values)), len(self.values) - 1)]
        if self.kind == "int":  # each integer in [low, high] gets an equal slice
            return min(math.floor(self.low + u * (self.high - self.low + 1)), self.high)
        return float(self.low + u * (self.high - self.low))

    def grid(self) -> list:
        if self.kind == "values":
            return list(self.values)
        if self.kind == "int":
            return sorted({int(round(v)) for v in np.linspace(self.low, self.high, self.levels)})
        return [float(v) for v in np.linspace(self.low, self.high, self.levels)]


@dataclass(frozen=True)
class Outcome:
    name: str
    metric: str
    last: int = 1

    def of(self, timeseries) -> float:
        """The outcome of one run's timeseries: the final value or the mean of the last ``last`` rows."""
        column = timeseries[self.metric].to_numpy(dtype=float)
        return float(column[-1]) if self.last == 1 else float(np.mean(column[-self.last :]))


@dataclass(frozen=True)
class Tipping:
    outcome: str
    below: float
    density: float
    boxes: int


@dataclass(frozen=True)
class Sweep:
    """A validated sweep: the base scenario, the levers, the design and the outcomes."""

    path: Path
    base_path: Path
    base: Scenario  # the base scenario with [set] applied
    design: str
    samples: int | None
    seeds: int
    seed: int
    common_random_numbers: bool
    parameters: tuple[Parameter, ...]
    outcomes: tuple[Outcome, ...]
    tipping: Tipping | None

    @property
    def problem(self) -> dict:
        """The SALib problem: every parameter on [0, 1], mapped to its range or values by :meth:`Parameter.from_unit`."""
        return {"num_vars": len(self.parameters), "names": [p.key for p in self.parameters], "bounds": [[0.0, 1.0]] * len(self.parameters)}

    def points(self) -> list[dict[str, Any]]:
        """Every point of the design, in order: ``{key: value}``. A pure function of the sweep file."""
        if self.design == "grid":
            return [dict(zip(self.keys, combo)) for combo in itertools.product(*(p.grid() for p in self.parameters))]
        if self.design == "posterior":  # point i: posterior draw i, and the levers (if any) by Latin hypercube
            from SALib.sample import latin

            drawn, levers = [p for p in self.parameters if p.kind == "posterior"], [p for p in self.parameters if p.kind != "posterior"]
            problem = {"num_vars": len(levers), "names": [p.key for p in levers], "bounds": [[0.0, 1.0]] * len(levers)}
            unit = latin.sample(problem, self.samples, seed=self.seed) if levers else [[]] * self.samples
            return [{**{p.key: p.values[i] for p in drawn}, **{p.key: p.from_unit(float(u)) for p, u in zip(levers, row)}} for i, row in enumerate(unit)]
        if self.design == "lhs":
            from SALib.sample import latin

            unit = latin.sample(self.problem, self.samples, seed=self.seed)
        else:
            from SALib.sample import sobol

            unit = sobol.sample(self.problem, self.samples, calc_second_order=False, scramble=True, seed=self.seed)
        return [{p.key: p.from_unit(float(u)) for p, u in zip(self.parameters, row)} for row in unit]

    @property
    def keys(self) -> list[str]:
        return [p.key for p in self.parameters]

    def run_seed(self, point: int, replicate: int) -> int:
        """The seed of one run, from the sweep's seed and the run's indices, never from the order runs finish in.

        With common random numbers, replicate r has the same seed at every point, so differences between
        points come from the levers and not from the noise (the usual variance reduction for sensitivity).
        """
        key = (replicate,) if self.common_random_numbers else (point, replicate)
        return int(np.random.SeedSequence(self.seed, spawn_key=key).generate_state(1, dtype=np.uint32)[0])

    def fingerprint(self) -> str:
        """A hash of everything that decides the runs' results, to refuse resuming a different sweep."""
        spec = {
            "base": self.base.to_dict(),
            "design": self.design,
            "samples": self.samples,
            "seeds": self.seeds,
            "seed": self.seed,
            "crn": self.common_random_numbers,
            "parameters": [p.__dict__ for p in self.parameters],
            "outcomes": [o.__dict__ for o in self.outcomes],
        }
        return hashlib.sha256(json.dumps(spec, sort_keys=True, default=list).encode()).hexdigest()[:16]


def _flatten(table: dict, is_leaf, prefix: str = "") -> dict[str, Any]:
    """``{"policy": {"human_reserve": x}}`` and ``{"policy.human_reserve": x}`` both to ``{"policy.human_reserve": x}``."""
    flat = {}
    for name, value in table.items():
        dotted = f"{prefix}.{name}" if prefix else name
        if isinstance(value, dict) and not is_leaf(value):
            flat.update(_flatten(value, is_leaf, dotted))
        else:
            flat[dotted] = value
    return flat


def _field(key: str):
    section, _, name = key.partition(".")
    return Scenario.model_fields[section].annotation.model_fields[name]


def _check_key(key: str, source: str) -> None:
    """Refuse an unknown section or key with the scenario schema's own one-line message."""
    section, _, name = key.partition(".")
    fields = Scenario.model_fields[section].annotation.model_fields if section in SECTIONS else {}
    # Setting a known key to its default always validates, so only an unknown key raises here.
    Scenario().with_overrides({key: fields[name].default if name in fields else None}, source)


def _one_line(error: ValidationError, source: str) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "sweep"
    if first["type"] == "extra_forbidden":
        allowed = ", ".join(SweepFile.model_fields) if len(first["loc"]) == 1 else "see the sweep file format in the README"
        return f"{source}: {where}: unknown key; allowed keys: {allowed}"
    if first["type"] == "missing":
        return f"{source}: {where}: missing; a sweep file needs base, design, parameters and outcomes"
    shown = f" = {first['input']!r}" if "input" in first and not isinstance(first["input"], dict) else ""
    return f"{source}: {where}{shown}: {first['msg'].removeprefix('Value error, ')}"


def _parameter(key: str, raw: Any, base: Scenario, design: str, source: str) -> Parameter:
    where = f"{source}: parameters.{key}"
    _check_key(key, f"{source}: parameters")
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where}: give {{ range = [low, high] }} or {{ values = [...] }}")
    try:
        spec = ParameterSpec.model_validate(raw)
    except ValidationError as error:
        raise ScenarioError(_one_line(error, f"{source}: parameters.{key}")) from None
    if (spec.range is None) == (spec.values is None):
        raise ScenarioError(f"{where}: give exactly one of range = [low, high] or values = [...]")
    if spec.levels is not None and (design != "grid" or spec.values is not None):
        raise ScenarioError(f"{where}.levels: only for a range in design = \"grid\"")
    annotation = _field(key).annotation
    check = f"{source}: parameters"
    if spec.values is not None:
        if not spec.values:
            raise ScenarioError(f"{where}.values = []: empty; list at least one value")
        for value in spec.values:
            base.with_overrides({key: value}, check)  # each value must be allowed for the key
        return Parameter(key, "values", values=tuple(spec.values))
    low, high = spec.range
    if annotation not in (int, float):
        raise ScenarioError(f"{where}.range: {key} is not a number; give values = [...] instead")
    if not low < high:
        raise ScenarioError(f"{where}.range = [{low}, {high}]: empty; give [low, high] with low < high")
    kind = "int" if annotation is int else "float"
    if kind == "int":
        if not (float(low).is_integer() and float(high).is_integer()):
            raise ScenarioError(f"{where}.range = [{low}, {high}]: {key} is an integer; give integer bounds")
        low, high = int(low), int(high)
    for end in (low, high):  # both ends must be allowed for the key
        base.with_overrides({key: end}, check)
    if design == "grid" and spec.levels is None:
        raise ScenarioError(f"{where}: design = \"grid\" needs levels = N (N >= 2) for a range")
    return Parameter(key, kind, low=low, high=high, levels=spec.levels)


def _posterior_parameters(spec: SweepFile, path: Path, source: str) -> tuple[Parameter, ...]:
    """The calibrated keys, one value per point: the first ``samples`` draws of the posterior file."""
    from experiments.calibration import posterior

    file = path.parent / spec.posterior if spec.posterior else posterior.SHIPPED
    try:
        draws = posterior.draws(spec.samples, file)
    except ScenarioError as error:
        raise ScenarioError(f"{source}: {str(error).replace('--posterior', 'samples =')}") from None
    return tuple(Parameter(k, "posterior", min(d[k] for d in draws), max(d[k] for d in draws), tuple(d[k] for d in draws)) for k in draws[0])


def outcome_metrics(base: Scenario, kinds=None) -> list[str]:
    """The metric columns every run measures: those of the base scenario's world, or of every
    world in ``kinds`` (the values of a swept ``world.kind``); the text columns only in the text world."""
    kinds = tuple(kinds or (base.world.kind,))
    worlds = [base.with_overrides({"world.kind": kind}, "sweep") for kind in kinds]
    return [c for c in measurement.shared_columns(worlds) if c != "step"]


def _outcome(name: str, raw: Any, steps: int | None, source: str, metrics: list[str]) -> Outcome:
    where = f"{source}: outcomes.{name}"
    if isinstance(raw, str):
        raw = {"metric": raw}
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where}: give {{ metric = \"COLUMN\" }} or {{ metric = \"COLUMN\", last = K }}")
    try:
        spec = OutcomeSpec.model_validate(raw)
    except ValidationError as error:
        raise ScenarioError(_one_line(error, f"{source}: outcomes.{name}")) from None
    if spec.metric in measurement.TEXT_COLUMNS and spec.metric not in metrics:
        raise ScenarioError(f"{where}.metric = {spec.metric!r}: measured in the text world only (world.kind = \"text\"); allowed: {', '.join(metrics)}")
    if spec.metric not in metrics:
        raise ScenarioError(f"{where}.metric = {spec.metric!r}: unknown metric; allowed: {', '.join(metrics)}")
    if steps is not None and spec.last > steps + 1:
        raise ScenarioError(f"{where}.last = {spec.last}: more than the run's {steps + 1} rows (run.steps = {steps}, plus step 0)")
    return Outcome(name, spec.metric, spec.last)


def read(path: str | Path) -> Sweep:
    """Read and validate a sweep file; every key is checked before anything runs."""
    path = Path(path)
    source = str(path)
    data = read_toml(path)
    try:
        spec = SweepFile.model_validate(data)
    except ValidationError as error:
        raise ScenarioError(_one_line(error, source)) from None
    if spec.design not in DESIGNS:
        raise ScenarioError(f"{source}: design = {spec.design!r}: unknown design; allowed: one of {', '.join(DESIGNS)}")
    if spec.design != "grid" and spec.samples is None:
        raise ScenarioError(f"{source}: samples: missing; design = {spec.design!r} needs samples = N")
    if spec.design == "grid" and spec.samples is not None:
        raise ScenarioError(f"{source}: samples: not used by design = \"grid\" (the levels decide the points); remove it")

    base_path = path.parent / spec.base
    fixed = _flatten(spec.set, lambda value: False)
    for key in fixed:
        _check_key(key, f"{source}: set")
    try:
        base = load(base_path)
    except ScenarioError as error:
        raise ScenarioError(f"{source}: base = {spec.base!r}: {error}") from None
    if fixed:
        base = base.with_overrides(fixed, f"{source}: set")

    raw_parameters = _flatten(spec.parameters, lambda value: bool(value.keys() & _SPEC_KEYS))
    if not raw_parameters and spec.design != "posterior":
        raise ScenarioError(f"{source}: [parameters]: empty; name at least one scenario key with a range or values")
    parameters = tuple(_parameter(key, raw, base, spec.design, source) for key, raw in raw_parameters.items())
    if spec.posterior is not None and spec.design != "posterior":
        raise ScenarioError(f"{source}: posterior: only for design = \"posterior\"; remove it")
    if spec.design == "posterior":
        drawn = _posterior_parameters(spec, path, source)
        for p in drawn:
            if p.key in fixed or p.key in raw_parameters:
                raise ScenarioError(f"{source}: {p.key}: a calibrated key the posterior draws; remove it from [set] and [parameters]")
        parameters = drawn + parameters
    for p in parameters:
        if p.key in fixed:
            raise ScenarioError(f"{source}: parameters.{p.key}: also in [set]; a key is either fixed or swept")

    if not spec.outcomes:
        raise ScenarioError(f"{source}: [outcomes]: empty; name at least one, e.g. originality = {{ metric = \"originality_index\" }}")
    steps = None if "run.steps" in {p.key for p in parameters} else base.run.steps
    metrics = outcome_metrics(base, next((p.values for p in parameters if p.key == "world.kind"), None))
    outcomes = tuple(_outcome(name, raw, steps, source, metrics) for name, raw in spec.outcomes.items())
    clash = {o.name for o in outcomes} & ({p.key for p in parameters} | {"point", "replicate", "seed"})
    if clash:
        raise ScenarioError(f"{source}: outcomes.{min(clash)}: the name is taken by a column of runs.csv; rename the outcome")

    tipping = None
    if spec.tipping is not None:
        names = [o.name for o in outcomes]
        if spec.tipping.outcome not in names:
            raise ScenarioError(f"{source}: tipping.outcome = {spec.tipping.outcome!r}: not an outcome of this sweep; allowed: {', '.join(names)}")
        tipping = Tipping(spec.tipping.outcome, spec.tipping.below, spec.tipping.density, spec.tipping.boxes)
    return Sweep(
        path, base_path, base, spec.design, spec.samples, spec.seeds, spec.seed, spec.common_random_numbers, parameters, outcomes, tipping
    )


__all__ = ["DESIGNS", "Outcome", "Parameter", "Sweep", "Tipping", "read"]
