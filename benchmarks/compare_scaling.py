#!/usr/bin/env python3
"""A comparison over the posterior on a Dask cluster: wall time, runs a second, peak memory of the client and a worker.

    python benchmarks/compare_scaling.py                                  # baseline creator_pay ranking, 30 and 300 draws, 2 workers
    python benchmarks/compare_scaling.py --draws 30 --workers 1 2         # the speed-up from 1 to 2 workers
    python benchmarks/compare_scaling.py --library --draws 30             # every scenario of the library
    python benchmarks/compare_scaling.py --draws 30 --pool                # also the process pool, whose files must be the same
    python benchmarks/compare_scaling.py --draws 300 --interrupt          # also stopped half-way (SIGTERM) and resumed

Each case is ``python run.py compare SCENARIO... --posterior N --seeds S --scheduler local --jobs W`` in a
fresh process, timed from start to exit (the cluster's start, the runs, the figures and the brief). While it
runs, the resident memory of the client (the ``run.py`` process) and of every process under it (the Dask
nannies and workers) is sampled every 0.2 s; a worker's peak is the largest of those. Each case's
summary.csv must be the same file as the first case's with as many draws (whatever the workers or executor).
With ``--interrupt`` the Dask case is also run again, stopped by SIGTERM once half its runs are on disk, and
resumed with ``--resume``: its runs.csv and summary.csv must be those of the uninterrupted case.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def measure(command: list[str], stop: tuple[Path, int] | None = None) -> tuple[float, float, float]:
    """(wall seconds, client peak GB, a worker's peak GB) of ``command``, sampled every 0.2 s; with ``stop``
    (folder, n), stopped by SIGTERM once n files are in the folder."""
    import psutil

    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
    me = psutil.Process(proc.pid)
    client = worker = 0
    while proc.poll() is None:
        if stop and stop[0].is_dir() and len(os.listdir(stop[0])) >= stop[1]:
            proc.send_signal(signal.SIGTERM)
            proc.wait()
            if proc.returncode != 128 + signal.SIGTERM:
                sys.exit(f"SIGTERM gave status {proc.returncode}, not 143: {' '.join(command)}")
            return time.perf_counter() - start, client / 1e9, worker / 1e9
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


def compare(args, scenarios: list[str], draws: int, workers: int, out: Path, dask: bool) -> list[str]:
    """The command of one case."""
    command = [sys.executable, str(ROOT / "run.py"), "compare", *scenarios, "--posterior", str(draws), "--seeds", str(args.seeds),
               "--jobs", str(workers), "--quiet", "--out", str(out), *(["--steps", str(args.steps)] if args.steps else [])]
    return command + (["--scheduler", "local"] if dask else [])


def main() -> int:
    from experiments.library import names

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scenarios", nargs="+", default=["baseline", "creator_pay", "ranking"], help="library names (first: the reference)")
    p.add_argument("--library", action="store_true", help="every scenario of the library, the baseline first")
    p.add_argument("--draws", type=int, nargs="+", default=[30, 300], help="posterior draws (default: 30 and 300)")
    p.add_argument("--seeds", type=int, default=1, help="seeds a draw (default 1)")
    p.add_argument("--workers", type=int, nargs="+", default=[2], help="Dask workers (default 2)")
    p.add_argument("--pool", action="store_true", help="also run each case on the local process pool with the most workers")
    p.add_argument("--interrupt", action="store_true", help="also stop the Dask case with the most workers half-way, and resume it")
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
            first, runs = None, len(scenarios) * draws * args.seeds
            cases = [("dask", w) for w in args.workers] + ([("pool", max(args.workers))] if args.pool else [])
            for kind, workers in cases:
                out = Path(tmp) / f"{kind}-{workers}-{draws}"
                wall, client, worker = measure(compare(args, scenarios, draws, workers, out, kind == "dask"))
                summary = (out / "summary.csv").read_bytes()
                first = first or summary
                walls[kind, workers, draws] = wall
                label = f"Dask LocalCluster, {workers} worker{'s' * (workers > 1)}" if kind == "dask" else f"process pool, {workers} workers"
                print(f"{label:<30} {draws:>5} {runs:>6} {wall:>8.1f}s {runs / wall:>7.2f} {client:>10.2f}GB {worker:>10.2f}GB  "
                      f"{'same' if summary == first else 'DIFFERENT'}", flush=True)
            if args.interrupt:
                whole = Path(tmp) / f"dask-{max(args.workers)}-{draws}"
                out = Path(tmp) / f"stopped-{draws}"
                command = compare(args, scenarios, draws, max(args.workers), out, dask=True)
                first_part = measure(command, stop=(out.parent / f".{out.name}.partial" / "runs", runs // 2))
                done = len(os.listdir(out.parent / f".{out.name}.partial" / "runs"))
                second = measure([*command, "--resume"])
                same = all((out / f).read_bytes() == (whole / f).read_bytes() for f in ("runs.csv", "summary.csv"))
                print(f"{'Dask, stopped (SIGTERM)':<30} {draws:>5} {done:>6} {first_part[0]:>8.1f}s {'':>7} {first_part[1]:>10.2f}GB {first_part[2]:>10.2f}GB")
                print(f"{'Dask, --resume':<30} {draws:>5} {runs - done:>6} {second[0]:>8.1f}s {'':>7} {second[1]:>10.2f}GB {second[2]:>10.2f}GB  "
                      f"runs.csv and summary.csv {'the same as uninterrupted' if same else 'DIFFERENT'}", flush=True)
    for draws in args.draws:
        if ("dask", 1, draws) in walls and ("dask", 2, draws) in walls:
            print(f"speed-up from 1 to 2 Dask workers, {draws} draws: {walls['dask', 1, draws] / walls['dask', 2, draws]:.2f}x")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
