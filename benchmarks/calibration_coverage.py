"""Does the calibration find a known answer? Simulation-based calibration (Talts et al. 2018).

    python benchmarks/calibration_coverage.py [--replicates 50] [--setting quick|full] [--jobs 2]
        [--scheduler local|tcp://host:port] [--out results/calibration-coverage] [--resume]

Each replicate draws "true" parameters from the priors of scenarios/posterior/calibration.toml,
simulates the patterns' statistics at them on one seed (the data this replicate pretends to
have observed), fits them back with the calibration's quick or full (shipped) setting (the same
ABC-SMC, the same tolerances), and records whether each true value lies inside the posterior's
central 90% interval, and its rank among the posterior's particles. If the method is calibrated,
the 90% intervals hold the truth in about 90% of replicates and the ranks are uniform; an ABC
posterior stopped at a tolerance wider than the data's noise is wider than the exact one, so
coverage above 90% means conservative, below it overconfident.

Replicates are independent, the keys of one replicate are not (one fit), so the coverage of all
keys together gets a bootstrap interval over replicates; each key's share a binomial one. Every
finished replicate is appended to replicates.csv at once and a fit in progress keeps its
generations in fits/, so an interrupted benchmark continues with --resume (a full-setting
replicate takes about an hour on 2 cores). Prints a Markdown table and writes coverage.csv,
ranks.png and coverage.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from experiments.calibration import fit, spec  # noqa: E402
from experiments.calibration.simulate import simulate  # noqa: E402
from experiments.sweep import execute  # noqa: E402

LEVEL = 0.90


class CoverageError(Exception):
    """An --out folder this run may not continue; one line, exit status 2."""


def truth(calibration: spec.Calibration, rng: np.random.Generator) -> dict[str, float]:
    """True values drawn from the priors."""
    return {p.key: p.to_value(rng.uniform(*p.bounds)) for p in calibration.priors}


def with_data(calibration: spec.Calibration, observed: dict[str, float], seed: int) -> spec.Calibration:
    """The calibration with every point's value replaced by the simulated one, and its own seed."""
    patterns = tuple(
        dataclasses.replace(p, points=tuple(dataclasses.replace(pt, value=observed[pt.name]) for pt in p.points)) for p in calibration.patterns
    )
    return dataclasses.replace(calibration, patterns=patterns, seed=seed)


def weighted_quantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    order = np.argsort(x)
    cum = np.cumsum(w[order]) / np.sum(w)
    return float(x[order][min(np.searchsorted(cum, q), len(x) - 1)])


def replicate(calibration: spec.Calibration, r: int, seed: int, pool, folder: Path) -> list[dict]:
    """One replicate's rows (none if a fitted statistic is undefined at its truth); its fit resumes from ``folder``."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(r,)))
    true = truth(calibration, rng)
    observed = simulate(calibration, true, int(rng.integers(2**31 - 1)))
    if not all(np.isfinite(observed[pt.name]) for pt in calibration.fitted):
        return []  # a world where a fitted statistic is undefined: no data to fit
    data = with_data(calibration, observed, seed + r)
    result = fit.fit(data, folder, pool, progress=False, say=lambda text: None)
    shutil.rmtree(folder, ignore_errors=True)
    w = result.weights / result.weights.sum()
    rows = []
    for p in calibration.priors:
        x = result.particles[p.key].to_numpy(float)
        low, high = (weighted_quantile(x, w, q) for q in ((1 - LEVEL) / 2, (1 + LEVEL) / 2))
        rows.append({"replicate": r, "key": p.key, "truth": true[p.key], "low": low, "high": high,
                     "covered": low <= true[p.key] <= high, "rank": float(np.sum(w[x < true[p.key]])), "generations": len(result.generations)})
    return rows


def overall(table: pd.DataFrame, seed: int) -> tuple[float, float, float]:
    """Coverage of all keys together, with a 95% bootstrap interval that resamples whole replicates."""
    per_replicate = table.groupby("replicate")["covered"].mean().to_numpy(float)
    if len(per_replicate) < 2:
        return float(per_replicate.mean()), float("nan"), float("nan")
    ci = stats.bootstrap((per_replicate,), np.mean, confidence_level=0.95, n_resamples=9999, method="percentile",
                         random_state=np.random.default_rng(seed)).confidence_interval
    return float(table["covered"].mean()), float(ci.low), float(ci.high)


def needed_level(table: pd.DataFrame, seed: int) -> tuple[float, float, float]:
    """The central posterior interval that holds the truth in 90% of cases, with a bootstrap interval over replicates.

    A truth at posterior rank r (the posterior's weight below it) lies inside exactly the central intervals of level
    |2r - 1| and wider, so the 90th percentile of |2r - 1| is the level a reader must take to hold the truth 90% of
    the time: 0.90 if the method is calibrated, more if its intervals are too narrow."""
    table = table.assign(level=(2 * table["rank"] - 1).abs())
    groups = [g.to_numpy(float) for _, g in table.groupby("replicate")["level"]]
    point = float(np.quantile(np.concatenate(groups), LEVEL))
    if len(groups) < 2:
        return point, float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    boot = [np.quantile(np.concatenate([groups[i] for i in rng.integers(len(groups), size=len(groups))]), LEVEL) for _ in range(2000)]
    return point, float(np.quantile(boot, 0.025)), float(np.quantile(boot, 0.975))


def widening(level: float) -> float:
    """How much wider than the nominal 90% interval the ``level`` interval is, for a normal posterior."""
    return float(stats.norm.ppf((1 + level) / 2) / stats.norm.ppf((1 + LEVEL) / 2))


def summary(table: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for key, g in table.groupby("key", sort=False):
        n, k = len(g), int(g["covered"].sum())
        ci = stats.binomtest(k, n).proportion_ci(0.95)
        rows.append({"key": key, "replicates": n, "covered": k, "coverage": k / n, "ci_low": ci.low, "ci_high": ci.high,
                     "rank_uniformity_p": stats.kstest(g["rank"], "uniform").pvalue})
    return pd.DataFrame(rows)


def figure(table: pd.DataFrame, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = list(dict.fromkeys(table["key"]))
    cols = 4
    rows = -(-len(keys) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.4 * rows), squeeze=False)
    for ax, key in zip(axes.flat, keys):
        ax.hist(table.loc[table["key"] == key, "rank"], bins=np.linspace(0, 1, 6), color="#1f4e79", alpha=0.8)
        ax.axhline((table["key"] == key).sum() / 5, color="#999999", ls=":")
        ax.set_title(key, fontsize=8)
        ax.set_xlim(0, 1)
    for ax in list(axes.flat)[len(keys):]:
        ax.axis("off")
    fig.suptitle("Rank of the true value in its posterior, per replicate (uniform if calibrated; dotted: the uniform count)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def progress_file(out: Path, calibration: spec.Calibration, args, resume: bool) -> dict:
    """What has finished, from an earlier sitting (--resume) or nothing; refuses to mix two different benchmarks."""
    meta = out / "progress.json"
    setup = {"fingerprint": calibration.fingerprint(), "setting": args.setting, "seed": args.seed}
    if not meta.exists():
        return {**setup, "done": [], "skipped": [], "seconds": 0.0}
    if not resume:
        raise CoverageError(f"{out}: holds an earlier coverage run; add --resume to continue it, or give another --out")
    state = json.loads(meta.read_text())
    if {k: state.get(k) for k in setup} != setup:
        raise CoverageError(f"{out}: made with another calibration, setting or --seed; give another --out")
    return state


def run(args) -> tuple[pd.DataFrame, dict]:
    """Replicates 0 .. N-1, those not yet done, each appended to replicates.csv as it finishes."""
    calibration = spec.read(quick=args.setting == "quick")
    args.out.mkdir(parents=True, exist_ok=True)
    state = progress_file(args.out, calibration, args, args.resume)
    csv_path = args.out / "replicates.csv"
    old = pd.read_csv(csv_path) if state["done"] and csv_path.exists() else pd.DataFrame()
    if len(old):  # rows of a replicate whose progress was never recorded are written again
        old = old[old["replicate"].isin(state["done"])]
    if len(old):
        old.to_csv(csv_path, index=False)
    else:
        csv_path.write_text("")
    start = time.perf_counter()
    finished = set(state["done"]) | set(state["skipped"])
    with execute.executor(args.jobs, args.scheduler) as pool:
        for r in range(args.replicates):
            if r in finished:
                continue
            rows = replicate(calibration, r, args.seed, pool, args.out / "fits" / f"replicate-{r}")
            if rows:
                pd.DataFrame(rows).to_csv(csv_path, mode="a", header=not csv_path.stat().st_size, index=False)
            state["done" if rows else "skipped"].append(r)
            state["seconds"] = state.get("seconds", 0.0) + time.perf_counter() - start
            start = time.perf_counter()
            (args.out / "progress.json").write_text(json.dumps(state))
            print(f"replicate {r + 1} of {args.replicates} done, {state['seconds']:.0f} s of fitting so far", flush=True)
    table = pd.read_csv(csv_path)
    return table[table["replicate"] < args.replicates], state


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=50)
    parser.add_argument("--setting", choices=("quick", "full"), default="quick", help="the fit's quick setting, or the full one that ships")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--scheduler", help="a Dask scheduler: local, or tcp://host:port (default: a process pool)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path("results") / "calibration-coverage")
    parser.add_argument("--resume", action="store_true", help="continue the replicates already in --out")
    args = parser.parse_args(argv)
    try:
        table, state = run(args)
    except CoverageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    cover = summary(table)
    cover.to_csv(args.out / "coverage.csv", index=False)
    figure(table, args.out / "ranks.png")
    lines = ["| key | replicates | 90% interval holds the truth | 95% interval of that share | rank uniformity (KS p) |", "|---|---|---|---|---|"]
    for _, c in cover.iterrows():
        lines.append(f"| `{c['key']}` | {c['replicates']} | {c['covered']} ({c['coverage']:.0%}) | {c['ci_low']:.0%} to {c['ci_high']:.0%} | {c['rank_uniformity_p']:.2f} |")
    share, low, high = overall(table, args.seed)
    n = table["replicate"].nunique()
    lines += ["", f"All keys together: {share:.0%} of {len(table)} intervals hold the truth (nominal {LEVEL:.0%}; 95% bootstrap "
              f"interval over the {n} replicates {low:.0%} to {high:.0%}); {n} replicates of the {args.setting} setting, "
              f"{state['seconds']:.0f} s of fitting with {args.jobs} workers{' on Dask' if args.scheduler else ''}."]
    need, need_low, need_high = needed_level(table, args.seed)
    if need < 1:
        lines += ["", f"To hold the truth {LEVEL:.0%} of the time, read the posterior's central {need:.0%} interval (95% bootstrap "
                  f"interval {need_low:.0%} to {need_high:.0%}): for a normal posterior {widening(need):.2f} times as wide as its "
                  f"{LEVEL:.0%} interval ({widening(need_low):.2f} to {f'{widening(need_high):.2f}' if need_high < 1 else 'any width'})."]
    else:
        lines += ["", f"In {1 - LEVEL:.0%} or more of cases the truth lies outside every particle: no interval of the posterior holds "
                  f"it {LEVEL:.0%} of the time."]
    text = "\n".join(lines) + "\n"
    (args.out / "coverage.md").write_text(text)
    print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
