#!/usr/bin/env python3
"""Speed and memory at the project's reference and large scales; prints its figures.

    python benchmarks/reference_scale.py            # reference scale, 3 runs
    python benchmarks/reference_scale.py --large    # also the large scale (slow)

Each run happens in a fresh Python process so that its peak memory (the process's
maximum resident set size, imports included) is its own. Wall time covers model
setup and every step, not the imports.

Targets: reference <= 10 s and <= 1.5 GB on 2 cores; large <= 5 min and <= 6 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SCALES = {
    "reference": (HERE / "reference.toml", 10.0, 1.5),
    "large": (HERE / "large.toml", 300.0, 6.0),
}


def child(path: str) -> None:
    sys.path.insert(0, str(ROOT))
    from experiments.runner import run
    from model.scenario import load

    start = time.perf_counter()
    result = run(load(path))
    wall = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"wall": wall, "items": result.items_total, "steps": result.scenario.run.steps, "peak_gb": peak_kib / 2**20}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="also run the large scale (minutes)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the reference scale (best and median are shown)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return 0

    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    failed = False
    for name in ["reference"] + (["large"] if args.large else []):
        path, max_s, max_gb = SCALES[name]
        runs = []
        for _ in range(args.repeat if name == "reference" else 1):
            out = subprocess.run([sys.executable, __file__, "--child", str(path)], capture_output=True, text=True, check=True)
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        walls = sorted(r["wall"] for r in runs)
        median = walls[len(walls) // 2]
        peak = max(r["peak_gb"] for r in runs)
        r = runs[0]
        ok = median <= max_s and peak <= max_gb
        failed |= not ok
        print(
            f"{name}: {r['items']:,} items, {r['steps']} steps | wall median {median:.2f} s (best {walls[0]:.2f} s, {len(walls)} runs) "
            f"| {r['items'] / median:,.0f} items/s | peak memory {peak:.2f} GB | target <= {max_s:g} s, <= {max_gb:g} GB: {'met' if ok else 'NOT met'}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
