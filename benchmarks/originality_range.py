"""The headline with its range: the baseline's originality at year 10 over the plausible worlds.

    python benchmarks/originality_range.py [--draws 40] [--jobs 2]

Runs today's web with no policy in each of the first N plausible worlds of the shipped posterior
(scenarios/posterior/baseline.csv; posterior draw i with seed i) for 120 months, and prints a
Markdown table: for the originality index and the human share of recent items, each the mean of
months 109-120 (year 10) of one world, the median over the worlds, their 5th-95th percentile
range and their lowest and highest. The range is over worlds (parameter and seed uncertainty
together), not an interval of a mean.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from experiments.calibration import posterior  # noqa: E402
from experiments.compare import run_many  # noqa: E402
from experiments.library import LIBRARY  # noqa: E402
from model.scenario import load  # noqa: E402

OUTCOMES = {"originality_index": "originality index", "human_share_recent": "human share of recent items"}
YEAR_10 = (109, 120)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python benchmarks/originality_range.py", description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=40, help="plausible worlds: posterior draws 1..N, draw i with seed i")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    args = parser.parse_args(argv)
    draws = posterior.draws(args.draws)
    runs = run_many({"baseline": load(LIBRARY / "baseline.toml")}, list(range(1, len(draws) + 1)), args.jobs, draws=draws, matched=True)
    year = runs[runs["step"].between(*YEAR_10)].groupby(["draw", "seed"])[list(OUTCOMES)].mean()
    print("| outcome, mean of months 109–120 | median over worlds | 5th–95th percentile | lowest – highest |")
    print("|---|---|---|---|")
    for column, label in OUTCOMES.items():
        v = year[column].to_numpy(float)
        p5, p50, p95 = np.percentile(v, [5, 50, 95])
        print(f"| {label} | {p50:.2f} | {p5:.2f} – {p95:.2f} | {v.min():.2f} – {v.max():.2f} |")
    print()
    print(f"{len(year)} plausible worlds: the first {len(draws)} draws of the shipped posterior, draw i with seed i; today's web with no policy.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
