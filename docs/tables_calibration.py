"""The renderers of docs/calibration.md's tables (docs/tables.py registers them)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from experiments.comparison import HEADLINE

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "results"


def calibration_posterior(_) -> str:
    """The shipped posterior: each calibrated key's prior, median and central 90% interval, and how the fit went."""
    from experiments.calibration import posterior, report, ship, spec

    draws = posterior.read(posterior.SHIPPED)
    rows = report.parameter_rows(spec.read(), draws)
    fit = next((c for c in posterior.comments(posterior.SHIPPED) if c.startswith("Fit:")), "")
    chosen = ship.baseline_draw()
    lines = [f"{len(draws)} draws of equal weight (`scenarios/posterior/baseline.csv`). {fit}.", "",
             f"| key | prior | median | 5% | 95% | the baseline (draw {chosen}) |", "|---|---|---|---|---|---|"]
    for _, r in rows.iterrows():
        value = posterior.rounded(float(draws.iloc[chosen][r["key"]]))
        lines.append(f"| `{r['key']}` | {r['prior']} | {r['median']:.3g} | {r['low']:.3g} | {r['high']:.3g} | {value:.3g} |")
    return "\n".join(lines)


def calibration_patterns(_) -> str:
    points = pd.read_csv(RESULTS / "calibration" / "patterns.csv")
    lines = ["| pattern | months | data ± tolerance | model median | model 90% band | (median − data) / tolerance | matched |", "|---|---|---|---|---|---|---|"]
    for _, r in points.iterrows():
        name = f"{r['pattern']} (held out)" if r["held_out"] else r["pattern"]
        lines.append(f"| {name} | {r['steps']} | {r['data']:.3g} ± {r['tolerance']:.3g} | {r['median']:.3g} | {r['low']:.3g} to {r['high']:.3g} | "
                     f"{r['z']:+.2f} | {'yes' if r['matched'] else 'no'} |")
    return "\n".join(lines)


def calibration_figures(_) -> str:
    for name in ("predictive", "pairs"):
        shutil.copyfile(RESULTS / "calibration" / f"{name}.png", ROOT / "docs" / "img" / f"calibration-{name}.png")
    return ""


def over_worlds(_) -> str:
    from experiments.wording import number, signed

    s = pd.read_csv(RESULTS / "posterior-creator_pay" / "summary.csv")
    s = s[(s["scenario"] == "creator_pay") & (s["statistic"] != "final")]
    columns = ["diff", "diff_low", "diff_high", "p05", "p50", "p95", "share_helped", "var_parameters", "var_seeds"]
    lines = ["| metric | effect | error of the mean (95%) | p05 | p50 | p95 | share helped | var. parameters | var. seeds |", "|---|---|---|---|---|---|---|---|---|"]
    for _, r in s.iterrows():
        d = {c: r[c] for c in columns}
        n = number  # plain decimals, no exponent
        lines.append(f"| {HEADLINE[r['metric']]} | {signed(d['diff'])} | {n(d['diff_low'])} to {n(d['diff_high'])} | {n(d['p05'])} | {n(d['p50'])} | "
                     f"{n(d['p95'])} | {d['share_helped']:.0%} | {n(d['var_parameters'])} | {n(d['var_seeds'])} |")
    return "\n".join(lines)
