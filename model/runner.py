"""A run is a pure function of (scenario, seed): build the model, step it, return the rows."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pandas as pd
from tqdm.auto import tqdm

from model.ecosystem import ContentEcosystem
from model.scenario import Scenario
from model.text import report as text_report


@dataclass
class RunResult:
    """The outcome of one run."""

    scenario: Scenario  # resolved, with the seed that was used
    timeseries: pd.DataFrame  # one row per step, step 0 being the archive at setup
    wall_time: float  # seconds, setup included
    items_total: int  # items on the web at the end
    text: dict | None = None  # the text world: what model 0 wrote, generation by generation (model/text/report.py)


def run(scenario: Scenario, seed: int | None = None, progress: bool = False) -> RunResult:
    """Run ``scenario`` (with ``seed`` overriding ``run.seed``) to ``run.steps``.

    With ``progress``, a progress bar appears on stderr once a run has taken two seconds.
    """
    start = time.perf_counter()
    model = ContentEcosystem(scenario, seed=seed)
    with tqdm(total=model.config.run.steps, disable=not progress, delay=2, unit="step", leave=False) as bar:
        while model.running:
            model.step()
            bar.update()
    return RunResult(model.config, model.timeseries(), time.perf_counter() - start, model.web.n, text_report.record(model))
