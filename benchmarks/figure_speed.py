#!/usr/bin/env python3
"""Time to draw the two figures of a run (shares.png and originality.png) at the reference scale; prints its figures.

    python benchmarks/figure_speed.py                  # run benchmarks/reference.toml once, then time the figures
    python benchmarks/figure_speed.py --repeat 5

The run itself is not timed (benchmarks/reference_scale.py does that): the reference scenario
is run once, then both figures are drawn and written as ``run.py run`` writes them
(:func:`experiments.report.write` calls the same two functions), ``--repeat`` times, into a
temporary folder. Prints the median and the worst of each and of the two together, wall-clock
and CPU time (which other jobs on a shared machine inflate less). Target: at most 0.6 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

TARGET_S = 0.6


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(HERE / "reference.toml"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    import matplotlib

    from experiments.figures import plot_originality, plot_shares
    from experiments.runner import run
    from model.scenario import load

    scenario = load(args.scenario)
    result = run(scenario)
    ts = result.timeseries
    opts = {"title": f"{Path(args.scenario).stem} · seed {scenario.run.seed}", "retrain_every": scenario.ai.retrain_every, "window": scenario.run.window}
    times = []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(args.repeat + 1):  # the first draw also loads fonts: reported apart
            c0, t0 = time.process_time(), time.perf_counter()
            plot_shares(ts, Path(folder) / "shares.png", **opts)
            t1 = time.perf_counter()
            plot_originality(ts, Path(folder) / "originality.png", **opts)
            times.append((t1 - t0, time.perf_counter() - t1, time.perf_counter() - t0, time.process_time() - c0))
        sizes = {name: (Path(folder) / name).stat().st_size for name in ("shares.png", "originality.png")}
    first, rest = times[0], np.array(times[1:])
    print(f"figures of a run: {Path(args.scenario).name}, {len(ts)} rows (steps 0-{int(ts['step'].iloc[-1])}), run took {result.wall_time:.1f} s")
    print(f"  Python {platform.python_version()}, matplotlib {matplotlib.__version__}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print(f"  first draw (fonts loaded): {first[2]:.2f} s")
    for i, name in enumerate(("shares.png", "originality.png", "both", "both, CPU")):
        print(f"  {name:16s} median {np.median(rest[:, i]):.3f} s   worst {rest[:, i].max():.3f} s   ({args.repeat} draws)")
    print(f"  files: shares.png {sizes['shares.png'] / 1e3:.0f} kB, originality.png {sizes['originality.png'] / 1e3:.0f} kB")
    wall, cpu = np.median(rest[:, 2]), np.median(rest[:, 3])
    verdict = lambda t: "met" if t <= TARGET_S else "NOT met"  # noqa: E731
    print(f"  target <= {TARGET_S} s for both: {verdict(cpu)} in CPU time ({cpu:.3f} s median), {verdict(wall)} wall-clock ({wall:.3f} s)")
    print("  (CPU time is the drawing's own work, what it costs on an idle machine; other jobs inflate wall-clock time)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
