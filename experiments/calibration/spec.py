"""The calibration file: the calibrated parameters with their priors, and the patterns they are fitted to.

``scenarios/posterior/calibration.toml`` declares everything ``python run.py calibrate`` fits, so
calibrating one more scenario key is one line under ``[priors]``. Every error is a one-line
:class:`CalibrationError` naming the file and the key, like the scenario files' errors.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from experiments.calibration.statistics import STATISTICS
from model.errors import read_toml
from model.scenario import Scenario, ScenarioError, load

DEFAULT = Path(__file__).resolve().parents[2] / "scenarios" / "posterior" / "calibration.toml"
_TOP = {"base", "steps", "horizon", "seed", "held_out", "full", "quick", "priors", "worlds", "patterns"}
_SETTINGS = {"particles", "generations", "min_acceptance", "draws", "set"}


class CalibrationError(ScenarioError):
    """A calibration file or posterior that cannot be used as asked; one line."""


@dataclass(frozen=True)
class Prior:
    """A calibrated key, uniform between ``low`` and ``high`` (in the logarithm when ``log``)."""

    key: str
    low: float
    high: float
    log: bool = False

    @property
    def name(self) -> str:
        """The parameter's name inside the inference library (a Python identifier)."""
        return self.key.replace(".", "__")

    @property
    def bounds(self) -> tuple[float, float]:
        """The prior's range in the space it is uniform in."""
        return (math.log10(self.low), math.log10(self.high)) if self.log else (self.low, self.high)

    def to_value(self, x: float) -> float:
        return float(10.0**x) if self.log else float(x)

    def from_value(self, v: float) -> float:
        return math.log10(v) if self.log else float(v)


@dataclass(frozen=True)
class Point:
    """One datum of a pattern: the statistic's mean over steps ``first..last`` is ``value`` within ``tolerance``."""

    pattern: str
    index: int
    first: int
    last: int
    value: float
    tolerance: float

    @property
    def name(self) -> str:
        return f"{self.pattern}_{self.index}"


@dataclass(frozen=True)
class Pattern:
    name: str
    statistic: str
    world: str | None
    source: str
    points: tuple[Point, ...]
    held_out: bool


@dataclass(frozen=True)
class Settings:
    particles: int
    generations: int
    min_acceptance: float
    draws: int
    set: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Calibration:
    """A validated calibration file, in its full or its quick setting."""

    path: Path
    base_path: Path
    base: Scenario  # the base scenario, with the setting's [set] applied
    steps: int
    seed: int
    priors: tuple[Prior, ...]
    patterns: tuple[Pattern, ...]
    worlds: dict[str, dict[str, Any]]
    settings: Settings
    quick: bool
    horizon: int = 0  # months the predictive check runs the base world (at least ``steps``)

    @property
    def keys(self) -> list[str]:
        return [p.key for p in self.priors]

    @property
    def points(self) -> list[Point]:
        return [pt for p in self.patterns for pt in p.points]

    @property
    def fitted(self) -> list[Point]:
        return [pt for p in self.patterns if not p.held_out for pt in p.points]

    def observed(self) -> dict[str, float]:
        """The data the fit compares with: one entry per fitted point."""
        return {pt.name: pt.value for pt in self.fitted}

    def weights(self) -> dict[str, float]:
        """Each fitted point's weight in the distance: one over its tolerance."""
        return {pt.name: 1.0 / pt.tolerance for pt in self.fitted}

    def scenario(self, values: dict[str, float], world: str | None = None, steps: int | None = None) -> Scenario:
        """The base with ``values`` of the calibrated keys, run for ``steps`` (default: the fit's), in ``world`` (None: the base world)."""
        overrides = {"run.steps": steps or self.steps, **values, **(self.worlds[world] if world else {})}
        return self.base.with_overrides(overrides, str(self.path))

    def fingerprint(self) -> str:
        """A hash of everything that decides the inference's results, to refuse resuming a different one.

        The stopping rule (``generations``) is left out: it decides how many generations run, not
        what any of them computes, so a fit may be resumed with more generations, or ended at the
        ones it has. What only the predictive check reads is left out too (its ``draws``, the
        ``horizon``, the held-out patterns and the worlds only they use), so a finished fit can be
        checked against data found later without fitting again.
        """
        settings = {k: v for k, v in self.settings.__dict__.items() if k not in ("generations", "draws")}
        fitted = [p for p in self.patterns if not p.held_out]
        spec = {
            # the base's values of the calibrated keys are never read (every particle sets them), so shipping a fit keeps it resumable
            "base": {section: {k: v for k, v in keys.items() if f"{section}.{k}" not in self.keys} for section, keys in self.base.to_dict().items()},
            "steps": self.steps,
            "seed": self.seed,
            "priors": [p.__dict__ for p in self.priors],
            "patterns": [[p.name, p.statistic, p.world, p.held_out, [pt.__dict__ for pt in p.points]] for p in fitted],
            "worlds": {w: v for w, v in self.worlds.items() if any(p.world == w for p in fitted)},
            "settings": settings,
        }
        return hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _fail(source: str, where: str, message: str) -> CalibrationError:
    return CalibrationError(f"{source}: {where}: {message}")


def _number(value: Any, source: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail(source, where, f"{value!r} is not a finite number")
    return float(value)


def _integer(value: Any, source: str, where: str, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise _fail(source, where, f"{value!r}: allowed: an integer >= {least}")
    return value


def _table(value: Any, source: str, where: str) -> dict:
    if not isinstance(value, dict):
        raise _fail(source, where, "must be a table")
    return value


def _prior(key: str, raw: Any, base: Scenario, source: str) -> Prior:
    where = f"priors.{key}"
    base.with_overrides({key: _default(key)}, f"{source}: priors")  # an unknown key gets the schema's own message
    section, _, name = key.partition(".")
    if Scenario.model_fields[section].annotation.model_fields[name].annotation is not float:
        raise _fail(source, where, "only a real-valued key can be calibrated")
    spec = _table(raw, source, where)
    unknown = set(spec) - {"low", "high", "scale"}
    if unknown or not {"low", "high"} <= set(spec):
        raise _fail(source, where, "give { low = L, high = H } and optionally scale = \"log\"")
    low, high = _number(spec["low"], source, f"{where}.low"), _number(spec["high"], source, f"{where}.high")
    scale = spec.get("scale", "linear")
    if scale not in ("linear", "log"):
        raise _fail(source, f"{where}.scale", f"{scale!r}: allowed: \"linear\" or \"log\"")
    if not low < high:
        raise _fail(source, where, f"low = {low}, high = {high}: empty; give low < high")
    if scale == "log" and low <= 0:
        raise _fail(source, where, "scale = \"log\" needs low > 0")
    for end in (low, high):  # both ends must be allowed for the key
        base.with_overrides({key: end}, f"{source}: priors")
    return Prior(key, low, high, scale == "log")


def _default(key: str):
    section, _, name = key.partition(".")
    fields = Scenario.model_fields[section].annotation.model_fields if section in Scenario.model_fields else {}
    return fields[name].default if name in fields else None


def _settings(raw: Any, source: str, where: str) -> Settings:
    spec = _table(raw, source, where)
    unknown = set(spec) - _SETTINGS
    if unknown:
        raise _fail(source, f"{where}.{min(unknown)}", f"unknown key; allowed: {', '.join(sorted(_SETTINGS))}")
    missing = _SETTINGS - {"set"} - set(spec)
    if missing:
        raise _fail(source, f"{where}.{min(missing)}", "missing")
    acceptance = _number(spec["min_acceptance"], source, f"{where}.min_acceptance")
    if not 0 <= acceptance < 1:
        raise _fail(source, f"{where}.min_acceptance", f"{acceptance}: allowed: a number in [0, 1)")
    return Settings(
        _integer(spec["particles"], source, f"{where}.particles", 2),
        _integer(spec["generations"], source, f"{where}.generations", 1),
        acceptance,
        _integer(spec["draws"], source, f"{where}.draws", 2),
        dict(_table(spec.get("set", {}), source, f"{where}.set")),
    )


def _pattern(name: str, raw: Any, steps: int, worlds: dict, held_out: bool, source: str) -> Pattern:
    where = f"patterns.{name}"
    spec = _table(raw, source, where)
    unknown = set(spec) - {"statistic", "source", "tolerance", "points", "world"}
    if unknown:
        raise _fail(source, f"{where}.{min(unknown)}", "unknown key; allowed: statistic, source, tolerance, points, world")
    statistic = spec.get("statistic")
    if statistic not in STATISTICS:
        raise _fail(source, f"{where}.statistic", f"{statistic!r}: allowed: {', '.join(STATISTICS)}")
    if not isinstance(spec.get("source"), str) or not spec["source"].strip():
        raise _fail(source, f"{where}.source", "missing; every pattern names where its data come from")
    world = spec.get("world")
    if world is not None and world not in worlds:
        raise _fail(source, f"{where}.world", f"{world!r}: not a [worlds] table; allowed: {', '.join(worlds) or 'none defined'}")
    horizon = int(worlds[world].get("run.steps", steps)) if world else steps
    points = spec.get("points")
    if not isinstance(points, list) or not points:
        raise _fail(source, f"{where}.points", "no data; give at least one { steps = [first, last], value = V }")
    default_tolerance = spec.get("tolerance")
    out = []
    for i, point in enumerate(points):
        at = f"{where}.points[{i}]"
        point = _table(point, source, at)
        if set(point) - {"steps", "value", "tolerance"} or not {"steps", "value"} <= set(point):
            raise _fail(source, at, "give { steps = [first, last], value = V } and optionally tolerance = T")
        span = point["steps"]
        if not (isinstance(span, list) and len(span) == 2 and all(isinstance(s, int) and not isinstance(s, bool) for s in span)):
            raise _fail(source, f"{at}.steps", f"{span!r}: give [first, last], two integers")
        if not 1 <= span[0] <= span[1] <= horizon:
            raise _fail(source, f"{at}.steps", f"{span}: allowed: 1 <= first <= last <= {horizon} (the months simulated)")
        tolerance = point.get("tolerance", default_tolerance)
        if tolerance is None:
            raise _fail(source, f"{at}.tolerance", "missing; give the pattern or the point a tolerance")
        tolerance = _number(tolerance, source, f"{at}.tolerance")
        if tolerance <= 0:
            raise _fail(source, f"{at}.tolerance", f"{tolerance}: allowed: a number > 0")
        out.append(Point(name, i, span[0], span[1], _number(point["value"], source, f"{at}.value"), tolerance))
    return Pattern(name, statistic, world, spec["source"], tuple(out), held_out)


def read(path: str | Path = DEFAULT, quick: bool = False) -> Calibration:
    """Read and check a calibration file before anything runs; ``quick`` takes its [quick] setting."""
    path = Path(path)
    source = str(path)
    data = read_toml(path, CalibrationError)
    unknown = set(data) - _TOP
    if unknown:
        raise _fail(source, min(unknown), f"unknown key; allowed: {', '.join(sorted(_TOP))}")
    for key in ("base", "steps", "seed", "full", "quick", "priors", "patterns"):
        if key not in data:
            raise _fail(source, key, "missing")
    if not isinstance(data["base"], str):
        raise _fail(source, "base", "give the base scenario's path, relative to this file")
    base_path = path.parent / data["base"]
    try:
        base = load(base_path)
    except ScenarioError as error:
        raise _fail(source, "base", str(error)) from None
    steps = _integer(data["steps"], source, "steps", 1)
    horizon = _integer(data.get("horizon", steps), source, "horizon", steps)
    seed = _integer(data["seed"], source, "seed", 0)
    settings = _settings(data["quick" if quick else "full"], source, "quick" if quick else "full")
    if settings.set:
        base = base.with_overrides(settings.set, f"{source}: {'quick' if quick else 'full'}.set")

    priors = tuple(_prior(key, raw, base, source) for key, raw in _table(data["priors"], source, "priors").items())
    if not priors:
        raise _fail(source, "priors", "empty; name at least one scenario key to calibrate")
    worlds = {}
    for name, overrides in _table(data.get("worlds", {}), source, "worlds").items():
        overrides = dict(_table(overrides, source, f"worlds.{name}"))
        base.with_overrides(overrides, f"{source}: worlds.{name}")
        worlds[name] = overrides
    held = data.get("held_out", [])
    if not isinstance(held, list) or not all(isinstance(h, str) for h in held):
        raise _fail(source, "held_out", "give a list of pattern names")
    raw_patterns = _table(data["patterns"], source, "patterns")
    for name in held:
        if name not in raw_patterns:
            raise _fail(source, "held_out", f"{name!r}: not a pattern; allowed: {', '.join(raw_patterns)}")
    patterns = tuple(_pattern(name, raw, steps, worlds, name in held, source) for name, raw in raw_patterns.items())
    if not any(not p.held_out for p in patterns):
        raise _fail(source, "patterns", "every pattern is held out; fit at least one")
    return Calibration(path, base_path, base, steps, seed, priors, patterns, worlds, settings, quick, horizon)
