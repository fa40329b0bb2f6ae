#!/usr/bin/env python3
"""A comparison over the posterior on a Dask cluster: wall time, runs a second, peak memory of the client and a worker.

    python benchmarks/compare_scaling.py                                  # baseline creator_pay ranking, 30 and 300 draws, 2 workers
    python benchmarks/compare_scaling.py --draws 30 --workers 1 2         # the speed-up from 1 to 2 workers
    python benchmarks/compare_scaling.py --library --draws 30             # every scenario of the library
    python benchmarks/compare_scaling.py --draws 30 --pool                # also the process pool, whose files must be the same

Each case is ``python run.py compare SCENARIO... --posterior N --seeds S --scheduler local --jobs W`` in a
fresh process, timed from start to exit (the cluster's start, the runs, the figures and the brief). While it
runs, the resident memory of the client (the ``run.py`` process) and of every process under it (the Dask
nannies and workers) is sampled every 0.2 s; a worker's peak is the largest of those. Each case's
summary.csv must be the same file as the first case's with as many draws (whatever the workers or executor).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def measure(command: list[str]) -> tuple[float, float, float]:
    """(wall seconds, client peak GB, a worker's peak GB) of ``command``, sampled every 0.2 s."""
    import psutil

    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
    me = psutil.Process(proc.pid)
    client = worker = 0
    while proc.poll() is None:
        try:
            client = max(client, me.memory_info().rss)
            for child in me.children(recursive=True):
                try:
                    worker = max(worker, child.memory_info().rss)
                except psutil.NoSuchProcess:
                    pass
        except psutil.NoSuchProcess:
            pass
        time.sleep(0.2)
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(command)}")
    return time.perf_counter() - start, client / 1e9, worker / 1e9


def main() -> int:
    from experiments.library import names

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scenarios", nargs="+", default=["baseline", "creator_pay", "ranking"], help="library names (first: the reference)")
    p.add_argument("--library", action="store_true", help="every scenario of the library, the baseline first")
    p.add_argument("--draws", type=int, nargs="+", default=[30, 300], help="posterior draws (default: 30 and 300)")
    p.add_argument("--seeds", type=int, default=1, help="seeds a draw (default 1)")
    p.add_argument("--workers", type=int, nargs="+", default=[2], help="Dask workers (default 2)")
    p.add_argument("--pool", action="store_true", help="also run each case on the local process pool with the most workers")
    p.add_argument("--steps", type=int, help="override run.steps (default: the scenarios' 120 months)")
    p.add_argument("--keep", type=Path, help="keep each case's comparison in this folder (default: a temporary one, removed)")
    args = p.parse_args()
    scenarios = ["baseline", *(n for n in names() if n != "baseline")] if args.library else args.scenarios
    print(f"{len(scenarios)} scenarios ({' '.join(scenarios)}), {args.seeds} seed(s) a draw; Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start")
    print(f"{'executor':<30} {'draws':>5} {'runs':>6} {'wall':>9} {'runs/s':>7} {'client peak':>12} {'worker peak':>12}  summary.csv")
    walls = {}
    with tempfile.TemporaryDirectory(prefix="compare-scaling-") as tmp:
        tmp = args.keep or tmp
        for draws in args.draws:
            first = None
            cases = [("dask", w) for w in args.workers] + ([("pool", max(args.workers))] if args.pool else [])
            for kind, workers in cases:
                out = Path(tmp) / f"{kind}-{workers}-{draws}"
                command = [sys.executable, str(ROOT / "run.py"), "compare", *scenarios, "--posterior", str(draws), "--seeds", str(args.seeds),
                           "--jobs", str(workers), "--quiet", "--out", str(out), *(["--steps", str(args.steps)] if args.steps else [])]
                command += ["--scheduler", "local"] if kind == "dask" else []
                wall, client, worker = measure(command)
                runs = len(scenarios) * draws * args.seeds
                summary = (out / "summary.csv").read_bytes()
                first = first or summary
                walls[kind, workers, draws] = wall
                label = f"Dask LocalCluster, {workers} worker{'s' * (workers > 1)}" if kind == "dask" else f"process pool, {workers} workers"
                print(f"{label:<30} {draws:>5} {runs:>6} {wall:>8.1f}s {runs / wall:>7.2f} {client:>10.2f}GB {worker:>10.2f}GB  "
                      f"{'same' if summary == first else 'DIFFERENT'}", flush=True)
    for draws in args.draws:
        if ("dask", 1, draws) in walls and ("dask", 2, draws) in walls:
            print(f"speed-up from 1 to 2 Dask workers, {draws} draws: {walls['dask', 1, draws] / walls['dask', 2, draws]:.2f}x")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
