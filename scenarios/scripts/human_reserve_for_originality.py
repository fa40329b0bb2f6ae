#!/usr/bin/env python3
"""How large must a human reserve be to hold originality at today's level for ten years?

Runs the baseline with a human reserve of 0% (no policy) to 50% of every training set, on
common seeds, for 120 months. Today's level is the baseline's originality index over its
first year (months 1-12); each reserve's index in year ten (months 109-120) is compared with
it seed by seed. Prints the table and the answer; writes reserve.csv and reserve.png.

    python scenarios/scripts/human_reserve_for_originality.py [--seeds N] [--jobs N] [--out DIR] [--quick]

Written the way one would in a notebook (docs/api.md): build scenarios from the library with
the keywords ContentEcosystem and mesa.batch_run take, run them over common seeds with
experiments.compare, read the DataFrames, plot.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from experiments.compare import compare, mean_ci, paired_difference, per_seed
from experiments.library import quick
from experiments.figures import mark_retraining, palette
from experiments.files import seeds_text
from model.scenario import load

RESERVES = [0.0, 0.05, 0.1, 0.2, 0.3, 0.5]
YEAR = 12  # months


def main(argv: list[str] | None = None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("results") / "scripts" / "human_reserve")
    parser.add_argument("--quick", action="store_true", help="a small world, 2 years, 3 reserves: seconds")
    args = parser.parse_args(argv)

    reserves = [0.0, 0.2, 0.5] if args.quick else RESERVES
    baseline = quick("baseline") if args.quick else load("baseline", {"run.steps": 10 * YEAR})
    scenarios = {f"reserve {r:.0%}": baseline.with_flat(policy_human_reserve=r) for r in reserves}
    c = compare(scenarios, seeds=args.seeds, jobs=args.jobs, progress=True)
    runs, none = c.runs, next(iter(scenarios))

    # Today's level: the baseline (no reserve) over its first year, per seed.
    first_year = runs[(runs.scenario == none) & runs.step.between(1, YEAR)].groupby("seed")["originality_index"].mean()
    today = mean_ci(first_year)
    final = per_seed(runs, "originality_index", last=YEAR)["last"]  # seeds x scenarios: the last year's mean
    rows = []
    for name, r in zip(scenarios, reserves):
        level, held = mean_ci(final[name]), paired_difference(final[name], first_year.loc[final.index])
        rows.append(
            {"human_reserve": r, "last_year": level.mean, "low": level.low, "high": level.high,
             "vs_today": held.mean, "vs_today_low": held.low, "vs_today_high": held.high}
        )
    table = pd.DataFrame(rows)
    months = int(runs.step.max())

    print(f"Today's originality index (baseline, months 1-{YEAR}): {today.mean:.3f} (95% CI {today.low:.3f} to {today.high:.3f})")
    print(f"Originality index in the last year (months {months - YEAR + 1}-{months}), {seeds_text(c.seeds)}:")
    print(table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    enough = table[table.vs_today >= 0]
    if len(enough):
        best = enough.iloc[0]
        print(f"Answer: a human reserve of {best.human_reserve:.0%} holds the index, on average over seeds, at today's level after {months} months "
              f"(last year minus today {best.vs_today:+.3f}, 95% CI {best.vs_today_low:+.3f} to {best.vs_today_high:+.3f}).")
    else:
        print(f"Answer: none of the reserves tried (up to {reserves[-1]:.0%}) holds the index at today's level for {months} months.")

    args.out.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out / "reserve.csv", index=False)
    plot(runs, table, today, scenarios, c.seeds, args.out / "reserve.png", baseline.ai.retrain_every)
    print(f"wrote {args.out}/reserve.csv and reserve.png")
    return table


def plot(runs: pd.DataFrame, table: pd.DataFrame, today, scenarios: dict, seeds, path: Path, retrain_every: int) -> None:
    fig = Figure(figsize=(13, 5.5))
    FigureCanvasAgg(fig)
    left, right = fig.subplots(1, 2)
    colours = palette(list(scenarios))
    means = runs[runs.step >= 1].groupby(["scenario", "step"], sort=False)["originality_index"].mean()
    for name in scenarios:
        series = means.loc[name]
        left.plot(series.index, series.values, color=colours[name], lw=2, label=name)
    for ax in (left, right):
        ax.axhspan(today.low, today.high, color="0.8", alpha=0.6, lw=0)
        ax.axhline(today.mean, color="0.3", ls="--", lw=1.2, label="today (baseline, first year; band: 95% CI)")
        ax.grid(alpha=0.25)
    mark_retraining(left, retrain_every, int(runs.step.max()))
    left.set(xlabel="month (step)", ylabel="originality index (mean over seeds)", title="Originality index by human reserve")
    left.legend(fontsize=9)
    right.errorbar(table.human_reserve, table.last_year, yerr=[table.last_year - table.low, table.high - table.last_year], fmt="o-", color="#d95f02", capsize=4, lw=2, label="last year, mean and 95% CI")
    right.set(xlabel="human reserve (share of each training set)", ylabel="originality index in the last year", title="The last year against today")
    right.legend(fontsize=9)
    fig.suptitle(f"How large must a human reserve be? baseline, {seeds_text(seeds)}", fontsize=13, fontweight="bold")
    fig.tight_layout()
    fig.savefig(path, dpi=150)


if __name__ == "__main__":
    main()
