"""The scenario library: one TOML file per policy in ``scenarios/``, found by name.

Each file opens with a comment whose first line says what the policy is; ``python run.py
list`` prints those lines. A name such as ``human_reserve`` stands for
``scenarios/human_reserve.toml``; anything that looks like a path is taken as one.
Result folders are named after the scenario and every override, so different
configurations never share a folder (:func:`folder_name`).
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any

import numpy as np

from model.scenario import LIBRARY, library_names as names  # noqa: F401  (the library lives with the schema)
from model.scenario import find as resolve  # noqa: F401  (a library name, or a path as given)
from model.scenario import Scenario, ScenarioError, load

#: The keys that measure the world's size, scaled together by :func:`scale`.
SIZES = ("humans.count", "world.archive_items", "ai.train_size", "ai.items_per_step")


def scale(scenario: Scenario | str | os.PathLike = "baseline", creators: int = 100) -> Scenario:
    """The scenario's world scaled to ``creators`` creators at setup, every size in proportion.

    ``humans.count`` becomes ``creators``, and the archive (``world.archive_items``), the
    training sets (``ai.train_size``) and the AI models' starting output (``ai.items_per_step``)
    are multiplied by ``creators / humans.count`` (counts rounded, at least 1). Everything
    that is not a size stays: shares, rates, costs, the graph's degree, the horizon, the
    policy, the seed. The audience's attention (``platform.attention``) is not touched: the
    market work makes it an amount per creator, so that it follows ``humans.count`` by itself.

    Args:
        scenario: a Scenario, a library name or a TOML file's path.
        creators: creators at setup in the scaled world, an integer >= 1.

    Raises:
        ScenarioError: a bad scenario or count, or a scenario with no creators to scale from.
    """
    base = load(scenario)
    if not isinstance(creators, int | np.integer) or isinstance(creators, bool) or creators < 1:
        raise ScenarioError(f"creators = {creators!r}: allowed: an integer >= 1")
    if base.humans.count == 0:
        raise ScenarioError("scale: the scenario has humans.count = 0, so there is no size to scale from")
    n, was = int(creators), base.humans.count
    world, ai = base.world, base.ai
    return base.with_overrides(
        {
            "humans.count": n,
            "world.archive_items": max(1, round(world.archive_items * n / was)),
            "ai.train_size": max(1, round(ai.train_size * n / was)),
            "ai.items_per_step": ai.items_per_step * n / was,
        },
        "scale",
    )


def quick(scenario: Scenario | str | os.PathLike = "baseline") -> Scenario:
    """A small world for quick looks and tests (a second a run): :func:`scale` to 100 creators, 24 steps."""
    return scale(scenario, 100).with_overrides({"run.steps": 24}, "quick")


#: Longest folder name written out in full; longer ones are cut and get a hash of the whole.
MAX_NAME = 80


def description(path: str | Path) -> str:
    """The first comment line of a scenario file, without its ``#`` ("" if it has none)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return ""
    for line in lines:
        text = line.strip()
        if text.startswith("#") and text.strip("# "):
            return text.lstrip("#").strip()
        if text and not text.startswith("#"):
            break  # the file does not open with a comment
    return ""


def entries(folder: Path = LIBRARY) -> list[tuple[str, str]]:
    """(name, one-line description) of every scenario in the library."""
    return [(n, description(Path(folder) / f"{n}.toml")) for n in names(folder)]


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def ordered_overrides(overrides: dict[str, Any]) -> list[tuple[str, Any]]:
    """Overrides in a stable order: run.seed, run.steps, then the other keys alphabetically."""
    first = [k for k in ("run.seed", "run.steps") if k in overrides]
    return [(k, overrides[k]) for k in first + sorted(k for k in overrides if k not in first)]


def folder_name(stem: str, overrides: dict[str, Any] | None = None) -> str:
    """A folder name for ``stem`` run with ``{"section.key": value}`` overrides.

    ``baseline`` with no overrides, ``baseline--seed7--steps100--ai.temperature0.8`` with
    some: the same configuration always gets the same name, different ones never share
    one. Names longer than :data:`MAX_NAME` are cut and end in a hash of the full name.
    """
    parts = [stem]
    for key, value in ordered_overrides(overrides or {}):
        key = {"run.seed": "seed", "run.steps": "steps"}.get(key, key)
        parts.append(f"{key}{_value_text(value)}")
    full = re.sub(r"[^A-Za-z0-9._+-]", "_", "--".join(parts))
    if len(full) <= MAX_NAME:
        return full
    digest = hashlib.sha1(full.encode()).hexdigest()[:8]
    return f"{full[: MAX_NAME - 9].rstrip('-_.+')}-{digest}"


def overrides_text(overrides: dict[str, Any] | None) -> str:
    """``ai.temperature = 0.8, run.steps = 100``: the overrides for a figure title ("" if none)."""
    return ", ".join(f"{k} = {_value_text(v)}" for k, v in ordered_overrides(overrides or {}) if k != "run.seed")
