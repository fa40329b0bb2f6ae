#!/usr/bin/env python3
"""Sweep throughput: 1 against 2 workers, a Dask LocalCluster, per-run overhead, driver memory.

    python benchmarks/sweep_scaling.py                  # 200 runs at the examples' scale, 1 and 2 workers, Dask
    python benchmarks/sweep_scaling.py --runs 40        # quicker
    python benchmarks/sweep_scaling.py --memory 5000    # also the driver's peak memory over a 5,000-run sweep

The runs are those of scenarios/sweeps/sobol_levers.toml (the baseline with 60 steps, a 10,000-item
archive, 300 creators), on a Latin hypercube of its levers. Each executor runs the same sweep from a
cold start (its workers start and import the model inside the measured time) and must write the same
runs.csv. Overhead per run is the sweep's wall time, less the time before the first run began
(starting workers), less the runs' own wall times, over the number of runs; it is what scheduling,
pickling and writing a row cost. Targets: 2 workers at least 1.7 times as fast as 1; overhead
under 5% of a run. The driver's memory is its peak resident set (the workers are separate processes).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EXAMPLE = """\
base = "{base}"
design = "lhs"
samples = {points}
seeds = 2
seed = 1

[set]
run.steps = {steps}
world.archive_items = {archive}
humans.count = {humans}
ai.train_size = {train}
ai.items_per_step = 75.0
platform.attention = 4.0

[parameters]
policy.human_reserve = {{ range = [0.0, 0.3] }}
policy.detector_tpr = {{ range = [0.0, 0.9] }}
policy.data_regime = {{ values = ["replace", "accumulate"] }}

[outcomes]
originality = {{ metric = "originality_index" }}
"""


def sweep_file(folder: Path, runs: int, steps: int = 60, archive: int = 10_000, humans: int = 300, train: int = 4000) -> Path:
    path = folder / f"sweep_{runs}_{steps}.toml"
    text = EXAMPLE.format(base=ROOT / "scenarios" / "baseline.toml", points=runs // 2, steps=steps, archive=archive, humans=humans, train=train)
    path.write_text(text)
    return path


def measure(path: Path, out: Path, jobs: int, scheduler: str | None) -> dict:
    from experiments.sweep import design, execute

    sweep = design.read(path)
    start = time.perf_counter()
    with execute.executor(jobs, scheduler) as pool:
        done = execute.run_sweep(sweep, out, pool, progress=False)
    wall = time.perf_counter() - start  # the Dask cluster's start and close included
    overhead = (done.wall_time - done.startup - done.run_time / jobs) / done.ran
    return {
        "wall": wall,
        "startup": done.startup,
        "mean_run": done.run_time / done.ran,
        "cpu_share": done.cpu_time / done.run_time,  # 1: the runs had their cores to themselves
        "busy": done.run_time / ((done.wall_time - done.startup) * jobs),  # share of the time the workers were running runs
        "load": os.getloadavg()[0],
        "overhead_per_run": overhead,
        "runs": done.ran,
    }


def memory_child(runs: int, folder: str) -> None:
    """A sweep of ``runs`` tiny one-step runs in this process; prints the driver's peak memory (it grows with the runs' number, not their size)."""
    from experiments.sweep import design, execute

    path = sweep_file(Path(folder), runs, steps=1, archive=500, humans=20, train=200)
    start = time.perf_counter()
    with execute.LocalPool(2) as pool:
        done = execute.run_sweep(design.read(path), Path(folder) / "memory", pool, progress=False)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB -> GiB on Linux
    print(json.dumps({"runs": done.ran, "wall": time.perf_counter() - start, "peak_gb": peak}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="runs per sweep (default 200)")
    parser.add_argument("--memory", type=int, default=0, metavar="RUNS", help="also measure the driver's memory over a sweep of this many runs")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask LocalCluster")
    parser.add_argument("--memory-child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--case", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:  # one executor, measured in a fresh process so each starts cold
        path, out, jobs, scheduler = args.case
        print(json.dumps(measure(Path(path), Path(out), int(jobs), None if scheduler == "-" else scheduler)))
        return 0
    if args.memory_child:
        memory_child(int(args.memory_child[0]), args.memory_child[1])
        return 0

    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; Python {platform.python_version()}; {os.cpu_count()} CPUs; load {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = sweep_file(folder, args.runs)
        results = {}
        cases = [("local pool, 1 worker", 1, None), ("local pool, 2 workers", 2, None)]
        if not args.no_dask:
            cases.append(("Dask LocalCluster, 2 workers", 2, "local"))
        for name, jobs, scheduler in cases:
            out = folder / name.replace(" ", "_").replace(",", "")
            child = subprocess.run(
                [sys.executable, __file__, "--case", str(path), str(out), str(jobs), scheduler or "-"], capture_output=True, text=True, check=True
            )
            results[name] = r = json.loads(child.stdout.strip().splitlines()[-1]) | {"csv": (out / "runs.csv").read_bytes()}
            print(
                f"{name:30s} {r['runs']} runs in {r['wall']:6.1f} s ({r['runs'] / r['wall']:.2f} runs/s); "
                f"start {r['startup']:.1f} s; mean run {r['mean_run']:.3f} s; "
                f"overhead {r['overhead_per_run'] * 1000:.1f} ms a run = {100 * r['overhead_per_run'] / r['mean_run']:.2f}% of a run; "
                f"workers busy {100 * r['busy']:.0f}%; runs got {100 * r['cpu_share']:.0f}% of a CPU; load {r['load']:.1f}"
            )
        one, two = results["local pool, 1 worker"], results["local pool, 2 workers"]
        print(f"speed-up, 2 workers over 1: {one['wall'] / two['wall']:.2f}x (target >= 1.7x)")
        print(f"runs.csv identical across executors: {len({r['csv'] for r in results.values()}) == 1}")
        if args.memory:
            child = subprocess.run(
                [sys.executable, __file__, "--memory-child", str(args.memory), tmp], capture_output=True, text=True, check=True
            )
            m = json.loads(child.stdout.strip().splitlines()[-1])
            print(f"driver peak memory over a {m['runs']}-run sweep: {m['peak_gb']:.2f} GB ({m['wall']:.0f} s; target < 1 GB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
