#!/usr/bin/env python3
"""Speed of the visual server: one step plus a redraw of every chart, as the page does it.

    python benchmarks/app_speed.py                          # baseline preset, with accumulation, against the baseline
    python benchmarks/app_speed.py --preset ai_flood --compare baseline --set policy_data_regime=replace --steps 60

By default a policy lever is set (``policy_data_regime=accumulate``), so that the second run
(the baseline) steps beside the first: two models step and every chart draws both, the worst
case at the baseline's scale. Each frame is what happens after a press of Step: ``model.step()``
(both runs) and every chart encoded to the image the browser receives. Transport to the
browser is not included. Prints the median, 90th percentile and worst frame in ms, wall-clock
and in CPU time (which other jobs on a shared machine do not inflate), and the share of frames
within the 300 ms target.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import mesa

from model.scenario import parse_assignment
from viz import figures
from viz.model import PresentationModel

TARGET_MS = 300.0


def frame(model) -> tuple[float, float, float]:
    """(step ms, redraw ms, CPU ms) of one step followed by a redraw of every chart, wall-clock and CPU."""
    c0, t0 = time.process_time(), time.perf_counter()
    model.step()
    t1 = time.perf_counter()
    for kind in figures.CHARTS:
        figures.chart(model, kind).image(model)
    return (t1 - t0) * 1000, (time.perf_counter() - t1) * 1000, (time.process_time() - c0) * 1000


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="baseline")
    parser.add_argument("--compare", default="baseline", help="the second run's preset")
    parser.add_argument("--set", action="append", default=None, metavar="LEVER=VALUE", help="flat lever, e.g. policy_data_regime=accumulate")
    parser.add_argument("--steps", type=int, help="frames to time (default: the run's horizon)")
    parser.add_argument("--seed", default="1")
    args = parser.parse_args(argv)
    levers = dict(parse_assignment(text.replace("_", ".", 1)) for text in (args.set if args.set is not None else ["policy_data_regime=accumulate"]))
    levers = {dotted.replace(".", "_", 1): value for dotted, value in levers.items()}

    t0 = time.perf_counter()
    model = PresentationModel(preset=args.preset, compare=args.compare, seed=args.seed, **levers)
    for kind in figures.CHARTS:  # the first frame builds every figure
        figures.chart(model, kind).image(model)
    setup = (time.perf_counter() - t0) * 1000
    if model.notices:
        print("notices:", *model.notices, sep="\n  ")
    steps = args.steps or model.config.run.steps
    frames = np.array([frame(model) for _ in range(steps)])
    total = frames[:, 0] + frames[:, 1]

    c = model.config
    print(f"visual server speed: {model.title}, levers {levers or 'none'}")
    print(f"  scale: {c.humans.count} creators, {c.ai.models} models, archive {c.world.archive_items:,}, train_size {c.ai.train_size:,};"
          f" second run {'beside it' if model.other is not None else 'the same as the first'}")
    print(f"  Python {platform.python_version()}, Mesa {mesa.__version__}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print(f"  setup and first draw: {setup:.0f} ms")
    print(f"  {steps} frames (step + redraw of all {len(figures.CHARTS)} charts), ms:")
    rows = (("step", frames[:, 0]), ("redraw", frames[:, 1]), ("frame", total), ("CPU", frames[:, 2]))
    for name, values in rows:
        print(f"    {name:7s} median {np.median(values):6.0f}   90th pct {np.percentile(values, 90):6.0f}   worst {values.max():6.0f}")
    print(f"  frames within {TARGET_MS:.0f} ms: {np.mean(total <= TARGET_MS):.0%} wall-clock, {np.mean(frames[:, 2] <= TARGET_MS):.0%} in CPU time")
    print("  (wall-clock is what the audience waits; CPU time is the process's own work, what a frame costs on an idle machine)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
