#!/usr/bin/env python3
"""Royalty or subsidy: which keeps more creators per unit of money?

Runs the baseline, three sizes of a subsidy per human item published, and three sizes of a
royalty per human item used in a training set, on common seeds, for 120 months. For each, in
the last year: the extra active creators over the baseline (paired by seed) and the money the
policy pays out per month, read from the timeseries:

* subsidy: ``creator_subsidy`` x human items published (items_new x human_share_new);
* royalty: ``training_royalty`` x human items in the training sets built at each retraining
  (a step where model_generation rises): models x the set's size x human_share_training. The
  set's size is ai.train_size, or every item of the window if it holds fewer; exact for the
  replace regime with no filter and no reserve, as here (archive items have no author to pay).

Prints creators kept per unit of money per month for each size, with 95% intervals, and which
instrument keeps more at equal money: the subsidy's extra creators are read off its own curve
(against what it pays) at what each royalty size pays, seed by seed. Writes pay.csv and pay.png.

    python scenarios/scripts/royalty_or_subsidy.py [--seeds N] [--jobs N] [--out DIR] [--quick]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from experiments.compare import compare, mean_ci
from experiments.library import quick
from experiments.files import seeds_text
from model.scenario import Scenario, load

# Sizes chosen so that what the two pay out overlaps: they are compared at equal money.
SUBSIDIES = [0.0125, 0.025, 0.05, 0.1]
ROYALTIES = [0.0125, 0.025, 0.05, 0.1]
YEAR = 12


def spend(run: pd.DataFrame, scenario: Scenario) -> pd.Series:
    """Money the policy pays out at each step of one run (indexed by step)."""
    run = run.set_index("step")
    human_items = run["items_new"] * run["human_share_new"]
    paid = scenario.policy.creator_subsidy * human_items
    retrained = run["model_generation"].diff().fillna(0) > 0
    last = 0
    for step in run.index[retrained]:
        window = run.loc[last + 1 : step, "items_new"].sum()  # replace: the items since the last training
        size = min(scenario.ai.train_size, window)
        paid.loc[step] += scenario.policy.training_royalty * scenario.ai.models * size * run.loc[step, "human_share_training"]
        last = step
    return paid


def main(argv: list[str] | None = None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("results") / "scripts" / "royalty_or_subsidy")
    parser.add_argument("--quick", action="store_true", help="a small world, 2 years, one size of each: seconds")
    args = parser.parse_args(argv)

    baseline = quick("baseline") if args.quick else load("baseline", {"run.steps": 10 * YEAR})
    sizes = {"subsidy": SUBSIDIES[1::2] if args.quick else SUBSIDIES, "royalty": ROYALTIES[:2] if args.quick else ROYALTIES}
    keyword = {"subsidy": "policy_creator_subsidy", "royalty": "policy_training_royalty"}
    scenarios = {"baseline": baseline}
    for kind, values in sizes.items():
        for v in values:
            scenarios[f"{kind} {v:g}"] = baseline.with_flat(**{keyword[kind]: v})
    c = compare(scenarios, seeds=args.seeds, jobs=args.jobs, progress=True)
    runs = c.runs
    last_year = runs[runs.step > runs.step.max() - YEAR]
    creators = last_year.groupby(["seed", "scenario"])["active_humans"].mean().unstack("scenario")

    rows, money_of, extra_of = [], {}, {}
    for name, scenario in list(scenarios.items())[1:]:
        money = pd.Series({
            seed: spend(runs[(runs.scenario == name) & (runs.seed == seed)], scenario).loc[lambda s: s.index > runs.step.max() - YEAR].mean()
            for seed in c.seeds
        })
        extra = creators[name] - creators["baseline"]
        money_of[name], extra_of[name] = money, extra
        e, m, k = mean_ci(extra), mean_ci(money), mean_ci(extra / money)
        kind, size = name.split()
        rows.append({"instrument": kind, "size": float(size), "money_per_month": m.mean, "extra_creators": e.mean,
                     "extra_low": e.low, "extra_high": e.high, "creators_per_money": k.mean, "per_money_low": k.low, "per_money_high": k.high})
    table = pd.DataFrame(rows)
    print(f"Last year of {int(runs.step.max())} months, {seeds_text(c.seeds)}; extra creators are paired differences from the baseline.")
    print(table.to_string(index=False, float_format=lambda x: f"{x:.4g}"))

    # At equal money: per seed, the subsidy's extra creators against what it pays (a line through 0 and each
    # size) read off at what each royalty size pays; then royalty minus subsidy per unit of money, paired.
    subsidies = [f"subsidy {v:g}" for v in sizes["subsidy"]]
    gaps = []
    for v in sizes["royalty"]:
        name, gap = f"royalty {v:g}", {}
        for seed in c.seeds:
            x = np.array([0.0] + [money_of[n][seed] for n in subsidies])
            y = np.array([0.0] + [extra_of[n][seed] for n in subsidies])
            order = np.argsort(x)
            paid = money_of[name][seed]
            if paid <= x.max():  # no extrapolation beyond the largest subsidy
                gap[seed] = (extra_of[name][seed] - np.interp(paid, x[order], y[order])) / paid
        gaps.append(pd.Series(gap, dtype=float))
        g = mean_ci(gaps[-1])
        if g.n:
            print(f"At what {name} pays ({money_of[name].mean():.4g} a month): royalty minus subsidy {g.mean:+.3g} extra creators "
                  f"per unit of money (95% CI {g.low:+.3g} to {g.high:+.3g}, {g.n} seeds)")
    matched = pd.concat(gaps, axis=1).mean(axis=1).dropna()  # per seed, over the royalty sizes within the subsidies' range
    d = mean_ci(matched)
    if d.n < 2:
        verdict = "no royalty size paid out as little as the subsidies did: widen SUBSIDIES"
    else:
        verdict = (
            "the royalty keeps more creators per unit of money" if d.low > 0
            else "the subsidy keeps more creators per unit of money" if d.high < 0
            else "neither keeps clearly more creators per unit of money at these seeds"
        )
    print(f"Answer: {verdict} (at equal money, royalty minus subsidy: {d.mean:+.3g} extra creators per unit of money a month, "
          f"95% CI {d.low:+.3g} to {d.high:+.3g}; mean over the royalty sizes).")
    args.out.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out / "pay.csv", index=False)
    plot(table, c.seeds, args.out / "pay.png")
    print(f"wrote {args.out}/pay.csv and pay.png")
    return table


def plot(table: pd.DataFrame, seeds, path: Path) -> None:
    fig = Figure(figsize=(8, 5.5))
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    for kind, colour in (("subsidy", "#1b9e77"), ("royalty", "#7570b3")):
        t = table[table.instrument == kind]
        ax.errorbar(t.money_per_month, t.extra_creators, yerr=[t.extra_creators - t.extra_low, t.extra_high - t.extra_creators],
                    fmt="o-", color=colour, capsize=4, lw=2, label=kind)
    ax.axhline(0, color="0.5", lw=0.8)
    ax.set(xlabel="money paid out per month, last year", ylabel="extra active creators over the baseline, last year",
           title=f"Royalty or subsidy? baseline, {seeds_text(seeds)} (mean, 95% CI)")
    ax.legend(fontsize=9)
    ax.grid(alpha=0.25)
    fig.tight_layout()
    fig.savefig(path, dpi=150)


if __name__ == "__main__":
    main()
