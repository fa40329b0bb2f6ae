"""The keywords ``ContentEcosystem`` takes: the scenario and seed a model is built from, and their reference.

``ContentEcosystem(scenario=None, *, seed=None, rng=None, **flat)``:

* ``scenario`` is a :class:`~model.scenario.Scenario`, a library name (``"human_reserve"``) or
  a path to a TOML file; None means the defaults. Flat ``section_key=value`` keywords
  override it (what SolaraViz and ``mesa.batch_run`` pass).
* ``seed``, ``rng`` and ``run_seed`` each set ``run.seed``; giving two is an error, as is a
  seed that is not an integer >= 0. With none of them a scenario keeps its own ``run.seed``,
  and a model built from keywords alone draws a fresh seed from the operating system's
  entropy, as Mesa does, so ``mesa.batch_run``'s iterations are replicates. The drawn seed is
  written into the model's scenario, so every run can be repeated from it.
"""

from __future__ import annotations

import secrets
import textwrap
from typing import Any

import numpy as np

from model.scenario import Scenario, ScenarioError, key_reference, load

#: Bits of a freshly drawn seed: exact as a float64 (a pandas row, a JSON reader) and in a spreadsheet's
#: 15 digits, and two of 10,000 replicates share one with a chance under 1 in 5 million.
SEED_BITS = 48


def fresh_seed() -> int:
    """A seed drawn from the operating system's entropy (what Mesa does when given no seed)."""
    return secrets.randbits(SEED_BITS)


def resolve(scenario: Any = None, seed: Any = None, rng: Any = None, **flat: Any) -> Scenario:
    """The scenario a model is built from, with its ``run.seed`` decided.

    Raises:
        ScenarioError: a bad or unknown keyword, two seeds, or a seed that is not an integer >= 0.
    """
    seeds = {"seed": seed, "rng": rng, "run_seed": flat.pop("run_seed", None)}
    given = {name: value for name, value in seeds.items() if value is not None}
    if len(given) > 1:
        shown = ", ".join(f"{name} = {value!r}" for name, value in given.items())
        raise ScenarioError(f"keyword arguments: {shown}: give one of seed, rng and run_seed (each sets run.seed)")
    built = Scenario() if scenario is None else load(scenario)
    if flat:
        built = built.with_flat(**flat)
    if given:
        name, value = given.popitem()
        if name == "rng" and (not isinstance(value, int | np.integer) or isinstance(value, bool | np.bool_)):
            raise ScenarioError(
                f"keyword arguments: rng = {value!r}: allowed: an integer seed >= 0, as for seed "
                "(every draw comes from the model's own generator, seeded by run.seed, so the run can be repeated)"
            )
        return built.with_overrides({"run.seed": value}, "keyword arguments", {"run.seed": name})
    if scenario is None:
        return built.with_overrides({"run.seed": fresh_seed()})
    return built


SEEDS_DOC = """
    Seeds:
        ``seed``, ``rng`` and ``run_seed`` are three names for one key, ``run.seed``, the integer
        that fixes the run to the last digit; give at most one (two are an error, and so is a seed
        that is not an integer >= 0; ``rng`` takes an integer only, not a Generator). Given none, a
        scenario keeps its own ``run.seed`` (1 unless its file or overrides say otherwise, as on the
        command line), while a model built from keywords alone draws a fresh seed from the operating
        system's entropy, as Mesa does, so ``mesa.batch_run(..., iterations=3)`` gives three
        replicates. The seed used is ``model.seed`` (also ``model.config.run.seed``, and the
        DataCollector's ``seed`` column, so batch_run's rows carry it): building the model again
        with it repeats the run exactly.
"""


def reference(width: int = 96) -> str:
    """Every flat keyword with its default, allowed values and meaning, from the schema (for the docstring)."""
    lines = [
        "",
        "    Keyword arguments (``section_key=value``, one per scenario key; ``seed`` and ``steps`` are",
        "    short for ``run_seed`` and ``run_steps``; ``python run.py keys`` prints the same table):",
    ]
    section = None
    for dotted, default, allowed, meaning in key_reference():
        name = dotted.replace(".", "_", 1)
        if dotted.split(".")[0] != section:
            section = dotted.split(".")[0]
            lines += ["", f"    [{section}]"]
        lines.append(f"        {name} = {default!r}  ({allowed})")
        lines += textwrap.wrap(meaning, width, initial_indent=" " * 12, subsequent_indent=" " * 12)
    return "\n".join(lines) + "\n" + SEEDS_DOC


__all__ = ["SEED_BITS", "fresh_seed", "reference", "resolve"]
