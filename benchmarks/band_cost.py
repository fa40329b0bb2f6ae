#!/usr/bin/env python3
"""What the visual server's band of plausible worlds costs: seconds, memory, and the live frames meanwhile.

    python benchmarks/band_cost.py                       # the baseline preset, 8 worlds, the shipped posterior
    python benchmarks/band_cost.py --preset ai_flood --worlds 8 --posterior results/calibration/posterior.csv

Makes the band as the page does (:func:`viz.band.compute`: the preset over the first K posterior
draws, draw i with seed i, at the preset's own scale and horizon) and prints its wall-clock and
CPU time, how far the process's peak memory rose while it was made, and what the band itself
holds. Then it times the page's frames (a step of the live run and a redraw of every chart, as
``benchmarks/app_speed.py`` does) with nothing else running and while a band is made in a thread
beside them, as on the page: the live run never waits for a band, but it shares the process.
Without a posterior file it draws a stand-in of K draws from the calibration's priors (uniform,
seed 0) and says so: the priors are wider than any posterior, so the figures are an upper bound.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import mesa

from experiments.calibration import posterior, spec
from viz import band, figures
from viz.model import PresentationModel


def memory_mb(field: str) -> float:
    """``VmRSS`` (now) or ``VmHWM`` (the peak since the last reset) of this process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # Linux: the peak (VmHWM) starts again from now
    except OSError:
        pass


def stand_in(k: int, folder: Path) -> Path:
    """K draws from the calibration's priors (uniform, in the logarithm where the prior is), as a posterior file."""
    rng = np.random.default_rng(0)
    priors = spec.read().priors
    draws = pd.DataFrame({p.key: [p.to_value(x) for x in rng.uniform(*p.bounds, k)] for p in priors})
    path = folder / "prior_draws.csv"
    posterior.write(path, draws, [f"{k} draws from the priors of scenarios/posterior/calibration.toml (benchmarks/band_cost.py)"])
    return path


def frame(model) -> float:
    """ms of one step of the live run and a redraw of every chart."""
    t0 = time.perf_counter()
    model.step()
    for kind in figures.CHARTS:
        figures.chart(model, kind).image(model)
    return (time.perf_counter() - t0) * 1000


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="baseline")
    parser.add_argument("--worlds", type=int, default=band.K, help=f"posterior draws in the band (default {band.K}, the page's)")
    parser.add_argument("--posterior", type=Path, help="a posterior file (default: CONTENT_POSTERIOR, else the shipped one)")
    parser.add_argument("--frames", type=int, default=40, help="frames timed alone, and at most as many while a band is made")
    args = parser.parse_args(argv)
    temp = tempfile.TemporaryDirectory()
    path = args.posterior or band.posterior_file()
    root = Path(__file__).resolve().parent.parent
    source = str(path.resolve().relative_to(root)) if path.resolve().is_relative_to(root) else str(path)
    if not path.is_file():
        path = stand_in(args.worlds, Path(temp.name))
        source = f"no posterior file; a stand-in of {args.worlds} draws from the calibration's priors"

    model = PresentationModel(preset=args.preset, compare=args.preset)
    scenario = model.config
    band.compute(scenario.with_overrides({"run.steps": 1}, "warm-up"), 1, path)  # imports and first-call costs apart
    before = memory_mb("VmRSS")
    reset_peak()
    c0, t0 = time.process_time(), time.perf_counter()
    made = band.compute(scenario, args.worlds, path)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = memory_mb("VmHWM")
    held = sum(a.nbytes for a in (*made.low.values(), *made.high.values(), made.steps))

    for kind in figures.CHARTS:  # the first frame builds every figure
        figures.chart(model, kind).image(model)
    alone = [frame(model) for _ in range(args.frames)]
    other = scenario.with_overrides({"run.seed": 2, "policy.data_regime": "accumulate"}, "another band")  # not the one made above
    beside = threading.Thread(target=band.compute, args=(other, args.worlds, path))
    beside.start()
    during = []
    while beside.is_alive() and model.running and len(during) < args.frames:
        during.append(frame(model))
    beside.join()

    c = scenario
    print(f"band of plausible worlds: {args.preset}, {made.worlds} worlds (posterior draw i with seed i), {c.run.steps} steps")
    print(f"  scale: {c.humans.count} creators, {c.ai.models} models, archive {c.world.archive_items:,}, train_size {c.ai.train_size:,}")
    print(f"  posterior: {source}")
    print(f"  Python {platform.python_version()}, Mesa {mesa.__version__}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print(f"  made in {wall:.1f} s wall-clock, {cpu:.1f} s CPU ({wall / made.worlds:.2f} s a world)")
    print(f"  memory: {before:.0f} MB before, peak {peak:.0f} MB while it was made (+{peak - before:.0f} MB); the band holds {held / 1024:.0f} kB")
    print(f"  live frames (step + redraw of all {len(figures.CHARTS)} charts), median ms: {np.median(alone):.0f} alone ({len(alone)} frames),"
          f" {np.median(during):.0f} while a band is made beside them ({len(during)} frames)" if during else "  (the band was made before a frame)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
