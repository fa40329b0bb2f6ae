#!/usr/bin/env python3
"""Language mode's speed: tokens per second of sampling and fitting, and the text baseline's wall time.

    python benchmarks/text_speed.py             # the figures below, and the baseline once
    python benchmarks/text_speed.py --runs 3    # the baseline three times (median)

Prints:
* human text: tokens per second the bigram chain writes (documents at mixed originality);
* model sampling: tokens per second an interpolated Kneser-Ney bigram and trigram model writes;
* model fitting: training tokens per second counted and turned into a model (its measures included);
* the text baseline (scenarios/text_baseline.toml: 1,000 humans, 4 models, 120 steps): wall
  time of setup and every step, imports excluded, and the CPU time the run used (the wall time
  grows when other processes share the cores; the load average is printed). Target: at most
  30 s on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np

from experiments.runner import run
from model.scenario import load
from model.text.culture import TextCulture
from model.text.ngram import NGramLearner

BASELINE = ROOT / "scenarios" / "text_baseline.toml"


def rate(fn, tokens: int, repeats: int = 3) -> float:
    """Best tokens per second over a few repeats."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return tokens / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="runs of the text baseline (median wall time)")
    args = parser.parse_args()
    scenario = load(BASELINE)
    culture = TextCulture(scenario.world, np.random.default_rng(0))
    L = scenario.world.doc_tokens
    rng = np.random.default_rng(1)
    originality = np.exp(rng.normal(-0.125, 0.5, 5000))
    print(f"human text (bigram chain):       {rate(lambda: culture.draw_documents(originality, rng), 5000 * L):>12,.0f} tokens/s")
    train = culture.draw_documents(np.ones(20_000), rng)  # a baseline-sized training set
    for order in (2, 3):
        model = NGramLearner(order, culture, top_p=scenario.ai.top_p).fit(train)
        print(f"model sampling (n = {order}):          {rate(lambda m=model: m.sample(5000, rng), 5000 * L):>12,.0f} tokens/s")
        fresh = NGramLearner(order, culture, top_p=scenario.ai.top_p)
        print(f"model fitting (n = {order}, measures): {rate(lambda m=fresh: m.fit(train), train.size):>12,.0f} tokens/s")
    walls, cpus = [], []
    for _ in range(args.runs):
        cpu = time.process_time()
        result = run(scenario)
        cpus.append(time.process_time() - cpu)
        walls.append(result.wall_time)
    print(
        f"text baseline: {statistics.median(walls):.1f} s wall time, {statistics.median(cpus):.1f} s CPU time "
        f"(median of {args.runs}; target <= 30 s), {result.items_total:,} documents; load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
