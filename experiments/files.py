"""Results folders: written all or nothing, with the versions that made them; progress bars."""

from __future__ import annotations

import importlib.metadata
import json
import math
import os
import platform
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

PACKAGES = ("mesa", "numpy", "pandas", "networkx", "matplotlib", "pydantic")


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        out[name] = importlib.metadata.version(name)
    return out


def json_value(value):
    """A value JSON can hold: numpy scalars as Python ones, NaN and infinity as null."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def recorded_fingerprint(meta: Path) -> str | None:
    """The fingerprint a resumable folder's JSON file recorded, or None if it is missing or unreadable."""
    try:
        return json.loads(Path(meta).read_text()).get("fingerprint")
    except (OSError, ValueError, AttributeError):
        return None


def seeds_text(seeds) -> str:
    """``seed 3``, ``seeds 1–10`` or ``seeds 2, 5, 9``."""
    seeds = sorted(int(s) for s in seeds)
    if len(seeds) == 1:
        return f"seed {seeds[0]}"
    if seeds == list(range(seeds[0], seeds[-1] + 1)):
        return f"seeds {seeds[0]}–{seeds[-1]}"
    return "seeds " + ", ".join(map(str, seeds))


@contextmanager
def staged_folder(out: Path):
    """Yield an empty staging folder beside ``out``; when the block succeeds, move its files into ``out``.

    So a folder of results is written all or nothing: a failure leaves ``out`` as it was.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        yield staging
        out.mkdir(exist_ok=True)
        for f in sorted(staging.iterdir()):
            os.replace(f, out / f.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


class _Quiet:
    """No progress bar. (A tqdm, even a disabled one, makes a multiprocessing lock, which a server
    stopped by SIGTERM, running a band in a thread, then reports as a leaked semaphore.)"""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def update(self, n: int = 1) -> None:
        pass


def progress_bar(show: bool, **kwargs):
    """A tqdm progress bar on stderr if ``show``, else one that shows and makes nothing."""
    return tqdm(**kwargs) if show else _Quiet()
