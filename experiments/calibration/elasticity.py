"""How much each headline outcome moves when one calibrated parameter moves by 10%: no knife edge.

    python benchmarks/elasticity.py [--seeds 5] [--steps 40] [--jobs 2] [--out results/elasticity]

Runs the shipped baseline and, for every calibrated key of ``scenarios/posterior/calibration.toml``,
the baseline with that key 10% lower and 10% higher (kept inside what the key allows), all on
seeds 1..N (common random numbers). Prints a Markdown table: per key, the change of the AI share
of new items (AI plus assisted, mean of steps 24-40) at -10% and +10%, and the arc elasticity
of each headline outcome, ``(Y+ - Y-) / Y0 / (relative change of the key)``, each outcome the
mean of steps 24 to the end over the seeds. Writes ``elasticity.csv`` beside it.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.calibration import spec
from experiments.compare import run_many
from experiments.library import LIBRARY
from model.scenario import ScenarioError, load

OUTCOMES = {
    "ai_share_new": "AI share of new items",
    "originality_index": "originality index",
    "ideas_rarefied": "ideas (rarefied)",
    "model_coverage": "model coverage",
    "active_humans": "active creators",
    "ai_attention_share": "AI share of attention",
    "web_attention": "web attention",
}
#: Largest change of the AI share of new items a 10% change of one key may make (the issue's test of a knife edge).
BOUND = 0.06


def variants(base, keys: list[str], step: float = 0.1) -> dict[str, tuple[str, float, object]]:
    """name -> (key, relative change actually made, scenario): each key 10% down and up, clipped to what it allows."""
    out = {}
    for key in keys:
        section, _, name = key.partition(".")
        value = getattr(getattr(base, section), name)
        for sign in (-1, 1):
            wanted = value * (1 + sign * step)
            for candidate in (wanted, 1.0 if wanted > 1 else wanted):
                try:
                    scenario = base.with_overrides({key: candidate}, "elasticity")
                    break
                except ScenarioError:
                    continue
            else:
                continue
            out[f"{key}{'+' if sign > 0 else '-'}"] = (key, candidate / value - 1, scenario)
    return out


def measure(seeds: int = 5, steps: int = 40, jobs: int = 1, first: int = 24, progress: bool = False) -> pd.DataFrame:
    """One row per calibrated key: the AI share's change at -10% and +10%, and each outcome's arc elasticity."""
    base = load(LIBRARY / "baseline.toml", {"run.steps": steps})
    keys = spec.read().keys
    runs_of = variants(base, keys)
    scenarios = {"baseline": base, **{name: s for name, (_, _, s) in runs_of.items()}}
    runs = run_many(scenarios, list(range(1, seeds + 1)), jobs, progress)
    runs["ai_share_new"] = 1.0 - runs["human_share_new"]
    late = runs[runs["step"] >= first].groupby("scenario")[list(OUTCOMES)].mean()
    y0 = late.loc["baseline"]
    rows = []
    for key in keys:
        down, up = runs_of.get(f"{key}-"), runs_of.get(f"{key}+")
        if down is None or up is None:
            continue
        row = {"key": key, "value": getattr(getattr(base, key.split(".")[0]), key.split(".")[1])}
        row["ai_share_minus10"] = late.loc[f"{key}-", "ai_share_new"] - y0["ai_share_new"]
        row["ai_share_plus10"] = late.loc[f"{key}+", "ai_share_new"] - y0["ai_share_new"]
        span = up[1] - down[1]
        for outcome in OUTCOMES:
            row[outcome] = (late.loc[f"{key}+", outcome] - late.loc[f"{key}-", outcome]) / y0[outcome] / span if y0[outcome] else np.nan
        rows.append(row)
    table = pd.DataFrame(rows)
    table.attrs["baseline"] = y0.to_dict()
    return table


def markdown(table: pd.DataFrame, seeds: int, steps: int) -> str:
    head = "| key | value | AI share change at −10% | at +10% | " + " | ".join(f"elasticity: {v}" for v in OUTCOMES.values()) + " |"
    lines = [head, "|---|---|---|---|" + "---|" * len(OUTCOMES)]
    for _, r in table.iterrows():
        cells = [f"{r[o]:+.2f}" if np.isfinite(r[o]) else "–" for o in OUTCOMES]
        lines.append(f"| `{r['key']}` | {r['value']:.3g} | {r['ai_share_minus10']:+.3f} | {r['ai_share_plus10']:+.3f} | " + " | ".join(cells) + " |")
    worst = float(np.max(np.abs(table[["ai_share_minus10", "ai_share_plus10"]].to_numpy())))
    lines.append("")
    lines.append(
        f"Seeds 1–{seeds}, {steps} months, outcomes the mean of months 24–{steps}; the largest change of the AI share of new items "
        f"for a 10% change of one key is {worst:.3f} (bound {BOUND})."
    )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python benchmarks/elasticity.py", description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--out", type=Path, default=Path("results") / "elasticity")
    args = parser.parse_args(argv)
    table = measure(args.seeds, args.steps, args.jobs, progress=True)
    args.out.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out / "elasticity.csv", index=False)
    text = markdown(table, args.seeds, args.steps)
    (args.out / "elasticity.md").write_text(text)
    print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
