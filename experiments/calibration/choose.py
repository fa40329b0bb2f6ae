"""The baseline that fits: the posterior draw whose statistics lie nearest the data on fresh seeds.

The posterior's marginal medians need not be a world that fits (each key's median comes from a
different draw), so the shipped baseline is a draw itself, chosen by a rule fixed before looking
(docs/calibration.md): among the first ``candidates`` distinct draws of the posterior, the one
whose distance to the data (the fit's distance: the Euclidean norm of each fitted point's
deviation in tolerances) averaged over ``seeds`` fresh seeds is smallest. The seeds come from the
calibration's seed on a stream of their own, which neither the fit nor the predictive check uses.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from experiments.calibration.simulate import Draw, predict_task
from experiments.calibration.spec import Calibration
from experiments.files import progress_bar

#: The rule's sizes, fixed before the first shipped choice.
CANDIDATES, SEEDS = 30, 5
#: The stream of the choice's seeds (the predictive check uses 10**6).
STREAM = 2 * 10**6


def distance(calibration: Calibration, stats: dict[str, float]) -> float:
    """The fit's distance: the Euclidean norm of the fitted points' deviations in tolerances (NaN counts as infinite)."""
    total = 0.0
    for pt in calibration.fitted:
        x = stats[pt.name]
        if not math.isfinite(x):
            return math.inf
        total += ((x - pt.value) / pt.tolerance) ** 2
    return math.sqrt(total)


def choose(calibration: Calibration, frame: pd.DataFrame, pool, candidates: int = CANDIDATES, seeds: int = SEEDS, progress: bool = True) -> tuple[int, pd.DataFrame]:
    """(index of the chosen row of ``frame``, one row per candidate: its index and mean distance)."""
    unique = frame.drop_duplicates().index[:candidates]
    states = np.random.SeedSequence(calibration.seed, spawn_key=(STREAM,)).generate_state(seeds, dtype=np.uint32)
    tasks = [Draw(int(i), r, int(s), tuple(frame.loc[i].items())) for i in unique for r, s in enumerate(states)]
    dist: dict[int, list[float]] = {int(i): [] for i in unique}
    with progress_bar(progress, total=len(tasks), unit="run", desc="choosing the baseline", leave=False) as bar:
        for result in pool.map_unordered(predict_task, calibration, tasks):
            dist[result.task.point].append(distance(calibration, result.stats))
            bar.update()
    table = pd.DataFrame({"draw": list(dist), "mean_distance": [float(np.mean(v)) for v in dist.values()]})
    return int(table.loc[table["mean_distance"].idxmin(), "draw"]), table
