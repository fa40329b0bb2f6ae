"""The scenario library: one TOML file per policy in ``scenarios/``, found by name.

Each file opens with a comment whose first line says what the policy is; ``python run.py
list`` prints those lines. A name such as ``human_reserve`` stands for
``scenarios/human_reserve.toml``; anything that looks like a path is taken as one.
Result folders are named after the scenario and every override, so different
configurations never share a folder (:func:`folder_name`).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from model.scenario import ScenarioError, did_you_mean

LIBRARY = Path(__file__).resolve().parent.parent / "scenarios"

#: A small world for quick looks and tests (seconds, not minutes): two years of a 100-creator web.
QUICK = {
    "run.steps": 24,
    "run.window": 4,
    "world.dim": 2,
    "world.archive_items": 3000,
    "humans.count": 100,
    "ai.models": 2,
    "ai.train_size": 1000,
    "ai.retrain_every": 4,
    "ai.items_per_step": 50.0,
    "platform.attention": 200.0,
}

#: Longest folder name written out in full; longer ones are cut and get a hash of the whole.
MAX_NAME = 80


def names(folder: Path = LIBRARY) -> list[str]:
    """Scenario names in ``folder``: ``baseline`` first, then alphabetical."""
    found = sorted(p.stem for p in Path(folder).glob("*.toml"))
    return sorted(found, key=lambda n: n != "baseline")


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


def resolve(name: str, folder: Path = LIBRARY) -> Path:
    """The file a scenario argument means: a library name, or a path as given.

    Raises:
        ScenarioError: for a bare name that is not in the library (a missing path is
            left to :func:`model.scenario.load`, which names the file).
    """
    text = str(name)
    if text.endswith(".toml") or "/" in text or "\\" in text or Path(text).is_file():
        return Path(text)
    path = Path(folder) / f"{text}.toml"
    if path.is_file():
        try:  # shown as scenarios/NAME.toml where the library is under the working folder
            return path.relative_to(Path.cwd())
        except ValueError:
            return path
    known = names(folder)
    raise ScenarioError(f"{text}: unknown scenario; {did_you_mean(text, known)}allowed: {', '.join(known)} (or a path to a .toml file)")


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
