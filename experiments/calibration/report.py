"""What a calibration writes: the posterior-predictive check, its figure, the pairs plot and the report.

The predictive check simulates posterior draws, each on a fresh seed that the fit never used,
and reads every pattern's statistic, the held-out patterns' included: a pattern's data should
lie within the model's band, and a held-out pattern's is a prediction, not a fit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from experiments.calibration.simulate import Draw, predict_task  # noqa: E402
from experiments.calibration.spec import Calibration  # noqa: E402
from experiments.calibration.statistics import STATISTICS  # noqa: E402
from experiments.files import progress_bar  # noqa: E402
from experiments.wording import listing  # noqa: E402

#: The predictive band: the central 90% of the draws.
BAND = (0.05, 0.95)
#: A pattern's data are matched when within this many tolerances of the draws' median.
WITHIN = 2.0


@dataclass
class Predictive:
    table: pd.DataFrame  # one row per draw: draw, seed, then every point's statistic
    series: dict[str, np.ndarray]  # pattern -> (draws, steps + 1)


def predictive(calibration: Calibration, posterior: pd.DataFrame, pool, draws: int, progress: bool = True) -> Predictive:
    """Simulate the first ``draws`` rows of ``posterior``, each on a fresh seed, on ``pool``."""
    draws = min(draws, len(posterior))
    seeds = np.random.SeedSequence(calibration.seed, spawn_key=(10**6,)).generate_state(draws, dtype=np.uint32)
    tasks = [Draw(i, 0, int(s), tuple(posterior.iloc[i].items())) for i, s in enumerate(seeds)]
    done = [None] * draws
    with progress_bar(progress, total=draws, unit="draw", desc="predictive check", leave=False) as bar:
        for result in pool.map_unordered(predict_task, calibration, tasks):
            done[result.task.point] = result
            bar.update()
    table = pd.DataFrame([{"draw": r.task.point, "seed": r.task.seed, **r.stats} for r in done])
    names = {name for r in done for name in r.series}
    series = {name: np.array([r.series[name] for r in done]) for name in sorted(names)}
    return Predictive(table, series)


def point_rows(calibration: Calibration, pred: Predictive) -> pd.DataFrame:
    """Per pattern point: the data, its tolerance, the draws' median and 90% band, and whether the data are matched."""
    rows = []
    for pattern in calibration.patterns:
        for pt in pattern.points:
            x = pred.table[pt.name].to_numpy(float)
            x = x[np.isfinite(x)]
            low, mid, high = np.quantile(x, [BAND[0], 0.5, BAND[1]]) if len(x) else (math.nan,) * 3
            rows.append(
                {
                    "pattern": pattern.name,
                    "held_out": pattern.held_out,
                    "statistic": pattern.statistic,
                    "steps": f"{pt.first}-{pt.last}",
                    "data": pt.value,
                    "tolerance": pt.tolerance,
                    "median": mid,
                    "low": low,
                    "high": high,
                    "z": (mid - pt.value) / pt.tolerance,
                    "share_below": float(np.mean(x < pt.value)) if len(x) else math.nan,
                    "matched": abs(mid - pt.value) <= WITHIN * pt.tolerance,
                }
            )
    return pd.DataFrame(rows)


def predictive_figure(calibration: Calibration, pred: Predictive, path) -> None:
    """Each pattern's data (with its tolerance) against the model's 90% band over the posterior."""
    n = len(calibration.patterns)
    cols = min(3, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 3.8 * rows), squeeze=False)
    for ax, pattern in zip(axes.flat, calibration.patterns):
        color = "#c0392b" if pattern.held_out else "#1f4e79"
        if pattern.name in pred.series:
            y = pred.series[pattern.name]
            steps = np.arange(y.shape[1])
            keep = slice(1, None)  # step 0 is the archive
            low, mid, high = np.nanquantile(y[:, keep], [BAND[0], 0.5, BAND[1]], axis=0)
            ax.fill_between(steps[keep], low, high, color="#999999", alpha=0.35, lw=0, label="model: 90% of posterior draws")
            ax.plot(steps[keep], mid, color="#444444", lw=1.5, label="model: median")
            for pt in pattern.points:
                centre = (pt.first + pt.last) / 2
                ax.errorbar(centre, pt.value, yerr=pt.tolerance, xerr=(pt.last - pt.first) / 2, fmt="o", color=color, capsize=3)
            ax.set_xlabel("month since November 2022")
            ax.set_ylim(0, max(1.0 if pattern.statistic == "web_attention" else 0.0, float(np.nanmax(high)) * 1.15, max(p.value + p.tolerance for p in pattern.points) * 1.15))
        else:
            values = [pred.table[pt.name].dropna().to_numpy(float) for pt in pattern.points]
            ax.boxplot(values, whis=(5, 95), showfliers=False)
            for i, pt in enumerate(pattern.points, start=1):
                ax.errorbar(i + 0.25, pt.value, yerr=pt.tolerance, fmt="o", color=color, capsize=3)
            ax.set_xticks(range(1, len(pattern.points) + 1), [f"months {pt.first}-{pt.last}" for pt in pattern.points])
            ax.axhline(1.0, color="#999999", lw=0.8, ls=":")
            ax.set_ylim(0, max(2.0, max(float(np.max(v)) for v in values if len(v)) * 1.1))
        ax.set_ylabel(STATISTICS[pattern.statistic][2], fontsize=9)
        ax.set_title(pattern.name + (" (held out)" if pattern.held_out else ""), fontsize=10, color=color)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7, loc="lower right")
    fig.suptitle(f"Posterior-predictive check: {len(pred.table)} posterior draws, one fresh seed each (dots: data ± tolerance)", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def pairs_figure(calibration: Calibration, posterior: pd.DataFrame, path) -> None:
    """The posterior's marginals (diagonal) and pairs (below it), on the priors' ranges."""
    priors = calibration.priors
    d = len(priors)
    fig, axes = plt.subplots(d, d, figsize=(1.6 * d + 1, 1.6 * d + 1), squeeze=False)
    for i, pi in enumerate(priors):
        for j, pj in enumerate(priors):
            ax = axes[i, j]
            if j > i:
                ax.axis("off")
                continue
            x = posterior[pj.key].to_numpy(float)
            if pj.log:
                ax.set_xscale("log")
            ax.set_xlim(pj.low, pj.high)
            if i == j:
                bins = np.logspace(*pj.bounds, 20) if pj.log else np.linspace(pj.low, pj.high, 20)
                ax.hist(x, bins=bins, color="#1f4e79", alpha=0.8)
                ax.set_yticks([])
            else:
                y = posterior[pi.key].to_numpy(float)
                ax.scatter(x, y, s=3, alpha=0.35, color="#1f4e79", lw=0)
                if pi.log:
                    ax.set_yscale("log")
                ax.set_ylim(pi.low, pi.high)
            ax.tick_params(labelsize=6)
            if i == d - 1:
                ax.set_xlabel(pj.key, fontsize=7)
            else:
                ax.set_xticklabels([])
            if j == 0 and i > 0:
                ax.set_ylabel(pi.key, fontsize=7)
            elif j > 0 and i != j:
                ax.set_yticklabels([])
    fig.suptitle(f"Posterior of the calibrated parameters ({len(posterior)} draws; axes span each prior)", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def parameter_rows(calibration: Calibration, posterior: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for p in calibration.priors:
        x = posterior[p.key].to_numpy(float)
        low, mid, high = np.quantile(x, [BAND[0], 0.5, BAND[1]])
        rows.append({"key": p.key, "prior": f"{'log-uniform' if p.log else 'uniform'} [{p.low:g}, {p.high:g}]", "median": mid, "low": low, "high": high})
    return pd.DataFrame(rows)


def _g(x: float) -> str:
    return "–" if not math.isfinite(x) else f"{x:.3g}"


def markdown(calibration: Calibration, posterior: pd.DataFrame, points: pd.DataFrame, history: pd.DataFrame, meta: dict) -> str:
    """The calibration report: what was fitted, the posterior, each pattern against the model, the held-out prediction."""
    lines = [
        "# Calibration report",
        "",
        f"Command: `{meta['command']}`; file `{calibration.path}`{' (quick setting)' if calibration.quick else ''}; seed {calibration.seed}.",
        f"ABC-SMC (pyabc {meta['pyabc']}): {len(history)} generations of {calibration.settings.particles} particles, "
        f"{int(history['samples'].sum()):,} simulations of {calibration.steps} months; final epsilon {history['epsilon'].iloc[-1]:.3g} "
        f"(the distance is the Euclidean norm of the fitted points' deviations in tolerances; {len(calibration.fitted)} points, "
        f"so sqrt({len(calibration.fitted)}) = {math.sqrt(len(calibration.fitted)):.2f} is a fit within tolerance on average); "
        f"{meta['seconds']:.0f} s of fitting.",
        "",
        "## The posterior",
        "",
        f"{len(posterior)} draws of equal weight: median and central 90% interval of each calibrated key.",
        "",
        "| key | prior | median | 5% | 95% |",
        "|---|---|---|---|---|",
    ]
    for _, r in parameter_rows(calibration, posterior).iterrows():
        lines.append(f"| `{r['key']}` | {r['prior']} | {_g(r['median'])} | {_g(r['low'])} | {_g(r['high'])} |")
    draws = len(meta.get("predictive_draws", [])) or meta.get("draws", 0)
    lines += [
        "",
        "## The patterns against the model",
        "",
        f"Posterior-predictive check: {draws} posterior draws, each on a fresh seed. A point is matched when the draws' "
        f"median lies within {WITHIN:g} tolerances of the data.",
        "",
        "| pattern | months | data ± tolerance | model median | model 90% band | (median − data) / tolerance | matched |",
        "|---|---|---|---|---|---|---|",
    ]
    for _, r in points.iterrows():
        name = f"{r['pattern']} (held out)" if r["held_out"] else r["pattern"]
        lines.append(
            f"| {name} | {r['steps']} | {_g(r['data'])} ± {_g(r['tolerance'])} | {_g(r['median'])} | {_g(r['low'])} to {_g(r['high'])} | "
            f"{r['z']:+.2f} | {'yes' if r['matched'] else 'no'} |"
        )
    held = points[points["held_out"]]
    if len(held):
        inside = ((held["data"] >= held["low"]) & (held["data"] <= held["high"])).sum()
        names = sorted(set(held["pattern"]))
        many = len(names) > 1
        lines += [
            "",
            "## The held-out patterns" if many else "## The held-out pattern",
            "",
            f"{listing(names)} {'were' if many else 'was'} left out of the fit. "
            f"Of {'their' if many else 'its'} {len(held)} points, {inside} lie inside the posterior's 90% predictive band and "
            f"{int(held['matched'].sum())} within {WITHIN:g} tolerances of the model's median; "
            f"the mean standardized error is {held['z'].mean():+.2f} tolerances.",
        ]
    lines += ["", "## Sources", ""]
    for pattern in calibration.patterns:
        lines.append(f"- **{pattern.name}**{' (held out)' if pattern.held_out else ''}: {pattern.source}.")
    return "\n".join(lines) + "\n"
