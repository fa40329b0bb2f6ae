#!/usr/bin/env python3
"""What a checkpoint costs: its size and the time to save and load it; prints its figures.

    python benchmarks/checkpoint_cost.py                       # the baseline and the reference scale
    python benchmarks/checkpoint_cost.py SCENARIO [SCENARIO ...]

Each scenario is run to its last step, then checkpointed with ``model.checkpoint.save``
into a temporary folder and loaded back with ``model.checkpoint.load`` (one run each).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from model import checkpoint  # noqa: E402
from model.ecosystem import ContentEcosystem  # noqa: E402
from model.scenario import load  # noqa: E402

DEFAULT = [ROOT / "scenarios" / "baseline.toml", ROOT / "benchmarks" / "reference.toml"]


def main(paths: list[Path]) -> None:
    for path in paths:
        model = ContentEcosystem(load(path))
        start = time.perf_counter()
        while model.running:
            model.step()
        run_s = time.perf_counter() - start
        with tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            saved = checkpoint.save(model, Path(folder))
            save_s = time.perf_counter() - start
            size = saved.stat().st_size
            start = time.perf_counter()
            checkpoint.load(Path(folder))
            load_s = time.perf_counter() - start
        print(f"{Path(path).name}: {model.steps} steps, {model.web.n:,} items, run {run_s:.2f} s; "
              f"checkpoint {size / 1e6:.0f} MB, save {save_s:.2f} s, load {load_s:.2f} s", flush=True)


if __name__ == "__main__":
    main([Path(p) for p in sys.argv[1:]] or DEFAULT)
