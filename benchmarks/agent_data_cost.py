#!/usr/bin/env python3
"""What agent data costs: a run with ``run.agent_data`` off (the default) and on; prints its figures.

    python benchmarks/agent_data_cost.py [SCENARIO] [--repeats N]

Runs the scenario (default: the baseline, 120 steps) N times each way, alternating, on seeds
1..N, and prints the median wall time of setup and steps, and the agent table's size.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from model.ecosystem import ContentEcosystem  # noqa: E402
from model.scenario import load  # noqa: E402


def one_run(scenario, seed: int, agent_data: bool) -> tuple[float, int]:
    start = time.perf_counter()
    model = ContentEcosystem(scenario, seed=seed, run_agent_data=agent_data)
    while model.running:
        model.step()
    seconds = time.perf_counter() - start
    rows = len(model.datacollector.get_agent_vars_dataframe()) if agent_data else 0
    return seconds, rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="baseline")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    scenario = load(args.scenario)
    times: dict[bool, list[float]] = {False: [], True: []}
    rows = 0
    for seed in range(1, args.repeats + 1):
        for on in (False, True):
            seconds, n = one_run(scenario, seed, on)
            times[on].append(seconds)
            rows = max(rows, n)
    off, on = statistics.median(times[False]), statistics.median(times[True])
    print(f"{args.scenario}, {scenario.run.steps} steps, median of {args.repeats} runs (seeds 1-{args.repeats}):")
    print(f"  agent data off (default): {off:.2f} s")
    print(f"  agent data on:            {on:.2f} s ({on / off:.1f}x), {rows:,} agent rows")


if __name__ == "__main__":
    main()
