"""A run is a pure function of (scenario, seed): build the model, step it, return the rows."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from experiments.files import progress_bar
from model.ecosystem import ContentEcosystem
from model.scenario import Scenario
from model.text.samples import record as text_record


@dataclass
class RunResult:
    """The outcome of one run."""

    scenario: Scenario  # resolved, with the seed that was used
    timeseries: pd.DataFrame  # one row per step, step 0 being the archive at setup
    wall_time: float  # seconds, setup included
    items_total: int  # items on the web at the end
    text: dict | None = None  # the text world: what model 0 wrote, generation by generation (model/text/samples.py)
    agents: pd.DataFrame | None = None  # with run.agent_data: one row per agent per step (model/agent_data.py)


def run(
    scenario: Scenario | str | Path,
    seed: int | None = None,
    progress: bool = False,
    checkpoints: Path | None = None,
    meta: dict | None = None,
    on_checkpoint: Callable[[int, Path], None] | None = None,
    model: ContentEcosystem | None = None,
) -> RunResult:
    """Run ``scenario`` (a Scenario, a library name or a TOML file; ``seed`` overrides ``run.seed``) to ``run.steps``.

    With ``progress``, a progress bar appears on stderr once a run has taken two seconds.
    With ``checkpoints`` (a folder) and ``run.checkpoint_every = N > 0``, the whole state is
    saved there every N steps (``model/checkpoint/``, with ``meta``: what the results need to
    name the run) and ``on_checkpoint(step, path)`` is called; ``model`` continues a restored model instead of building one. Checkpoints change
    nothing in the run.
    """
    start = time.perf_counter()
    model = model if model is not None else ContentEcosystem(scenario, seed=seed)
    every = model.config.run.checkpoint_every if checkpoints is not None else 0
    if every:
        from model import checkpoint
    with progress_bar(progress, total=model.config.run.steps, initial=model.steps, delay=2, unit="step", leave=False) as bar:
        while model.running:
            model.step()
            bar.update()
            if every and model.steps % every == 0:
                path = checkpoint.save(model, checkpoints, meta)
                if on_checkpoint is not None:
                    on_checkpoint(model.steps, path)
    agents = model.datacollector.get_agent_vars_dataframe().reset_index() if model.config.run.agent_data else None
    return RunResult(model.config, model.timeseries(), time.perf_counter() - start, model.web.n, text_record(model), agents)
