"""How much each headline outcome moves when one calibrated parameter moves by 10%: no knife edge.

    python benchmarks/elasticity.py [--seeds 5] [--steps 120] [--jobs 2] [--out results/elasticity]

Runs the shipped baseline and, for every calibrated key of ``scenarios/posterior/calibration.toml``,
the baseline with that key 10% lower and 10% higher, kept inside the key's prior (a step the prior
cuts short is recorded as made: ``ai.top_p`` + 10% would leave the plausible range and switch
decoding off at 1), all on seeds 1..N (common random numbers). Prints a Markdown table: per key,
the change of the AI share of new items (AI plus assisted, mean of months 24-40) at the lower and
upper step, and the arc elasticity of each headline outcome, ``(Y+ - Y-) / Y0 / (relative change
of the key)``, each outcome the mean over the seeds of months 24-40 (what the calibration sees)
and, with ``--steps 120``, of months 109-120 (year 10, the horizon the answers speak of). Writes
``elasticity.csv`` beside it.
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


#: The spans outcomes are averaged over: what the calibration fits, and year 10.
SPANS = {"24–40": (24, 40), "109–120": (109, 120)}


def variants(base, priors, step: float = 0.1) -> dict[str, tuple[str, float, object]]:
    """name -> (key, relative change actually made, scenario): each key 10% down and up, kept inside its prior."""
    out = {}
    for prior in priors:
        key = prior.key
        section, _, name = key.partition(".")
        value = getattr(getattr(base, section), name)
        for sign in (-1, 1):
            candidate = min(max(value * (1 + sign * step), prior.low), prior.high)
            if candidate == value:
                continue
            try:
                scenario = base.with_overrides({key: candidate}, "elasticity")
            except ScenarioError:
                continue
            out[f"{key}{'+' if sign > 0 else '-'}"] = (key, candidate / value - 1, scenario)
    return out


def measure(seeds: int = 5, steps: int = 120, jobs: int = 1, progress: bool = False) -> pd.DataFrame:
    """One row per calibrated key: its steps, the AI share's change at each, and each outcome's arc elasticity per span."""
    base = load(LIBRARY / "baseline.toml", {"run.steps": steps})
    priors = spec.read().priors
    runs_of = variants(base, priors)
    scenarios = {"baseline": base, **{name: s for name, (_, _, s) in runs_of.items()}}
    runs = run_many(scenarios, list(range(1, seeds + 1)), jobs, progress)
    runs["ai_share_new"] = 1.0 - runs["human_share_new"]
    spans = {label: (a, b) for label, (a, b) in SPANS.items() if b <= steps}
    means = {label: runs[runs["step"].between(a, b)].groupby("scenario")[list(OUTCOMES)].mean() for label, (a, b) in spans.items()}
    rows = []
    for prior in priors:
        key = prior.key
        down, up = runs_of.get(f"{key}-"), runs_of.get(f"{key}+")
        if down is None or up is None:
            continue
        early = means["24–40"]
        row = {"key": key, "value": getattr(getattr(base, key.split(".")[0]), key.split(".")[1]), "step_down": down[1], "step_up": up[1]}
        row["ai_share_down"] = early.loc[f"{key}-", "ai_share_new"] - early.loc["baseline", "ai_share_new"]
        row["ai_share_up"] = early.loc[f"{key}+", "ai_share_new"] - early.loc["baseline", "ai_share_new"]
        for label, late in means.items():
            y0 = late.loc["baseline"]
            for outcome in OUTCOMES:
                row[f"{outcome} {label}"] = (
                    (late.loc[f"{key}+", outcome] - late.loc[f"{key}-", outcome]) / y0[outcome] / (up[1] - down[1]) if y0[outcome] else np.nan
                )
        rows.append(row)
    table = pd.DataFrame(rows)
    table.attrs["spans"] = list(spans)
    return table


def markdown(table: pd.DataFrame, seeds: int, steps: int) -> str:
    spans = table.attrs.get("spans", list(SPANS))
    head = "| key | value | steps made | AI share change, lower / upper step | " + " | ".join(f"elasticity: {v}, months {' / '.join(spans)}" for v in OUTCOMES.values()) + " |"
    lines = [head, "|---|---|---|---|" + "---|" * len(OUTCOMES)]
    for _, r in table.iterrows():
        cells = [" / ".join(f"{r[f'{o} {s}']:+.2f}" if np.isfinite(r[f"{o} {s}"]) else "–" for s in spans) for o in OUTCOMES]
        steps_made = f"{r['step_down']:+.0%} / {r['step_up']:+.0%}"
        lines.append(f"| `{r['key']}` | {r['value']:.3g} | {steps_made} | {r['ai_share_down']:+.3f} / {r['ai_share_up']:+.3f} | " + " | ".join(cells) + " |")
    worst = float(np.max(np.abs(table[["ai_share_down", "ai_share_up"]].to_numpy())))
    lines.append("")
    lines.append(
        f"Seeds 1–{seeds}, {steps} months; each key 10% down and up, within its prior (a step the prior cuts short is shown as made); "
        f"outcomes the mean of months {' and of months '.join(spans)}. The largest change of the AI share of new items (months 24–40) "
        f"for one key's step is {worst:.3f} (bound {BOUND})."
    )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python benchmarks/elasticity.py", description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=120)
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
