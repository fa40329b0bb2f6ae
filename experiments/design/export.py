"""``--export N``: mix N of a design's Pareto set as a scenario file that ``run.py run`` and ``compare`` accept."""

from __future__ import annotations

import json
from pathlib import Path

import tomli_w

from experiments.design.spec import Design
from model.scenario import Scenario, ScenarioError


def export(design: Design, out: Path, n: int, command: str) -> Path:
    """Write ``out/mix-N.toml``: the design's base (its world, its [set]) with mix N's levers, keys that differ from the defaults.

    Raises:
        ScenarioError: no Pareto set in ``out``, one made by another design, or no mix N.
    """
    import pandas as pd

    from experiments.design.report import PARETO
    from experiments.design.search import META, DesignError

    pareto = Path(out) / PARETO
    if not pareto.exists():
        raise DesignError(f"--export {n}: {out} holds no {PARETO}; run the design first (without --export), or give its --out")
    try:
        made_by = json.loads((Path(out) / META).read_text()).get("fingerprint")
    except (OSError, ValueError):
        made_by = None
    if made_by != design.fingerprint():
        raise DesignError(f"--export {n}: {pareto} was made by another design than {design.path}{' --quick' * design.quick}; give its --out")
    frame = pd.read_csv(pareto)
    if n not in set(frame["mix"]):
        raise DesignError(f"--export {n}: {pareto} holds mixes 1 to {len(frame)}; allowed: 1 to {len(frame)}" if len(frame)
                          else f"--export {n}: {pareto} is empty: no mix met the constraints")  # fmt: skip
    row = frame[frame["mix"] == n].iloc[0]
    mix = {c.removeprefix("lever."): (v.item() if hasattr(v, "item") else v) for c, v in row.items() if c.startswith("lever.")}
    try:
        scenario = design.base.with_overrides(mix, f"{pareto}, mix {n}")
    except ScenarioError as error:
        raise DesignError(str(error)) from None
    defaults, values = Scenario().to_dict(), scenario.to_dict()
    body = {s: {k: v for k, v in keys.items() if v != defaults[s][k]} for s, keys in values.items()}
    scores = ", ".join(f"{c} = {row[c]:.4g}" for c in frame.columns if c.startswith(("max.", "min.", "met.")))
    header = [
        f"# Design mix {n}: the levers the search of {design.path.name} found, mix {n} of its Pareto set ({scores}).",
        "#",
        f"# Made by: {command} --export {n}",
        f"# From: {pareto}, row of mix {n}. The world is the design's base{' (quick: a small world, short horizon)' * design.quick}, "
        "with its [set]; the levers: " + ", ".join(f"{k} = {v}" for k, v in mix.items()) + ".",
        "# Objectives are statistics over the design's plausible worlds (posterior draws x seeds); compare over them with --posterior.",
    ]
    path = Path(out) / f"mix-{n}.toml"
    path.write_text("\n".join(header) + "\n\n" + tomli_w.dumps({s: keys for s, keys in body.items() if keys}), encoding="utf-8")
    return path
