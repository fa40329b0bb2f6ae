"""How the originality index depends on its head cut, and the index by source.

The originality index (docs/ODD.md, section 7.17) is the share of recent items on tail ideas
over the tail's share of human culture, the tail being every idea outside the smallest set of
most frequent ideas holding ``HEAD_MASS = 0.8`` of culture. Its level depends on that cut; the
richness index (rarefied distinct ideas of the recent web over those of human culture at the
same sample size) needs none. This module measures both, and the index of human items and of
AI and assisted items, for several head cuts, averaged over the last months of runs:

    python -m experiments.originality [SCENARIO] [--seeds N] [--steps N] [--last N]

prints a Markdown table (docs/validation.md shows it, with the command that made it).
"""

from __future__ import annotations

import argparse

import numpy as np

from experiments import library
from model import metrics
from model.ecosystem import ContentEcosystem
from model.scenario import load
from model.web import HUMAN

#: Head cuts compared; 0.8 is the model's (model.ideas.HEAD_MASS).
MASSES = (0.5, 0.8, 0.9, 0.95)


def indices(model: ContentEcosystem, masses=MASSES) -> np.ndarray:
    """Rows per head cut: (overall, human, AI and assisted) originality index at the model's current step."""
    t, culture, web = model.steps, model.culture, model.web
    lo, hi = web.rows(max(1, t - model.config.run.window + 1), t)
    ideas, human = web.idea[lo:hi], web.source[lo:hi] == HUMAN
    counts = np.bincount(ideas, minlength=culture.n_ideas)
    rows = []
    for mass in masses:
        tail = ~metrics.head_mask(culture.counts, mass)
        c = metrics.tail_share(culture.counts, tail)
        in_tail, human_in_tail = metrics.tail_items_by_source(ideas, human, tail)
        n_human = int(np.count_nonzero(human))
        by_human = metrics.safe_ratio(human_in_tail, n_human)
        by_other = metrics.safe_ratio(in_tail - human_in_tail, len(ideas) - n_human)
        rows.append([metrics.safe_ratio(metrics.tail_share(counts, tail), c), metrics.safe_ratio(by_human, c), metrics.safe_ratio(by_other, c)])
    return np.array(rows)


def measure(scenario, seeds, last: int = 12, masses=MASSES) -> tuple[np.ndarray, np.ndarray]:
    """Per seed, the mean over the last ``last`` steps: indices (seeds, masses, 3) and the richness index (seeds,)."""
    out, richness = [], []
    for seed in seeds:
        model = ContentEcosystem(scenario, seed=seed)
        acc, rich = [], []
        while model.running:
            model.step()
            if model.steps > scenario.run.steps - last:
                acc.append(indices(model, masses))
                rich.append(model.metrics["richness_index"])
        out.append(np.mean(acc, axis=0))
        richness.append(np.mean(rich))
    return np.array(out), np.array(richness)


def table(values: np.ndarray, richness: np.ndarray, masses=MASSES) -> str:
    """Markdown: one row per head cut, the mean over seeds with its standard error."""

    def cell(v):
        return f"{v.mean():.3f} ± {v.std(ddof=1) / np.sqrt(len(v)):.3f}" if len(v) > 1 else f"{v.mean():.3f}"

    lines = ["| head cut (culture mass in the head) | originality index | human items | AI and assisted items | richness index (no cut) |", "|---|---|---|---|---|"]
    for i, mass in enumerate(masses):
        lines.append(f"| {mass:g}{' (the model)' if mass == 0.8 else ''} | {cell(values[:, i, 0])} | {cell(values[:, i, 1])} | {cell(values[:, i, 2])} | {cell(richness)} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="The originality index under several head cuts, overall and by source.")
    parser.add_argument("scenario", nargs="?", default="baseline", help="scenario name or TOML file (default baseline)")
    parser.add_argument("--seeds", type=int, default=3, help="seeds 1..N (default 3)")
    parser.add_argument("--steps", type=int, help="override run.steps")
    parser.add_argument("--last", type=int, default=12, help="months averaged at the end (default 12)")
    args = parser.parse_args(argv)
    scenario = load(library.resolve(args.scenario), {"run.steps": args.steps} if args.steps else None)
    values, richness = measure(scenario, range(1, args.seeds + 1), args.last)
    print(table(values, richness))


if __name__ == "__main__":
    main()
