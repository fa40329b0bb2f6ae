"""Does the calibration find a known answer? Simulation-based calibration (Talts et al. 2018).

    python benchmarks/calibration_coverage.py [--replicates 20] [--jobs 2] [--out results/calibration-coverage]

Each replicate draws "true" parameters from the priors of scenarios/posterior/calibration.toml,
simulates the patterns' statistics at them on one seed (the data this replicate pretends to
have observed), fits them back with the calibration's quick setting (the same ABC-SMC, the same
tolerances), and records whether each true value lies inside the posterior's central 90%
interval, and its rank among the posterior's particles. If the method is calibrated, the 90%
intervals hold the truth in about 90% of replicates and the ranks are uniform; an ABC posterior
stopped at a tolerance wider than the data's noise is wider than the exact one, so coverage
above 90% means conservative, below it overconfident. Prints a Markdown table (coverage per
parameter with a 95% binomial interval) and writes coverage.csv, ranks.png and coverage.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import sys
import tempfile
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


def replicate(calibration: spec.Calibration, r: int, seed: int, pool) -> list[dict]:
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(r,)))
    true = truth(calibration, rng)
    observed = simulate(calibration, true, int(rng.integers(2**31 - 1)))
    if not all(np.isfinite(observed[pt.name]) for pt in calibration.fitted):
        return []  # a world where a fitted statistic is undefined: no data to fit
    data = with_data(calibration, observed, seed + r)
    folder = Path(tempfile.mkdtemp(prefix="coverage-"))
    try:
        result = fit.fit(data, folder, pool, progress=False, say=lambda text: None)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    w = result.weights / result.weights.sum()
    rows = []
    for p in calibration.priors:
        x = result.particles[p.key].to_numpy(float)
        low, high = (weighted_quantile(x, w, q) for q in ((1 - LEVEL) / 2, (1 + LEVEL) / 2))
        rows.append({"replicate": r, "key": p.key, "truth": true[p.key], "low": low, "high": high,
                     "covered": low <= true[p.key] <= high, "rank": float(np.sum(w[x < true[p.key]])), "generations": len(result.generations)})
    return rows


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path("results") / "calibration-coverage")
    args = parser.parse_args(argv)
    calibration = spec.read(quick=True)
    start = time.perf_counter()
    rows = []
    with execute.executor(args.jobs) as pool:
        for r in range(args.replicates):
            rows += replicate(calibration, r, args.seed, pool)
            print(f"replicate {r + 1} of {args.replicates} done, {time.perf_counter() - start:.0f} s", flush=True)
    table = pd.DataFrame(rows)
    args.out.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out / "replicates.csv", index=False)
    cover = summary(table)
    cover.to_csv(args.out / "coverage.csv", index=False)
    figure(table, args.out / "ranks.png")
    lines = ["| key | replicates | 90% interval holds the truth | 95% interval of that share | rank uniformity (KS p) |", "|---|---|---|---|---|"]
    for _, c in cover.iterrows():
        lines.append(f"| `{c['key']}` | {c['replicates']} | {c['covered']} ({c['coverage']:.0%}) | {c['ci_low']:.0%} to {c['ci_high']:.0%} | {c['rank_uniformity_p']:.2f} |")
    overall = table["covered"].mean()
    lines += ["", f"All keys together: {overall:.0%} of {len(table)} intervals hold the truth (nominal {LEVEL:.0%}); "
              f"{args.replicates} replicates of the quick setting, {time.perf_counter() - start:.0f} s with {args.jobs} workers."]
    text = "\n".join(lines) + "\n"
    (args.out / "coverage.md").write_text(text)
    print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
