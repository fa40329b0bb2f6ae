"""The band of plausible worlds behind the headline charts' live lines.

A run on the page is one world: one seed, and the calibrated parameters at the values of
``scenarios/baseline.toml``. The band is the range, step by step, of the same scenario in
:data:`K` other plausible worlds: posterior draw ``i`` with seed ``i`` (seeds 1..K), exactly the
worlds of ``python run.py compare SCENARIO --seeds K --posterior`` (its "matched" mode,
:func:`experiments.compare.run_many`), so a band can be remade outside the page. A key the
scenario sets itself (a policy's, or a lever moved on the page) keeps its value in every world
(:func:`experiments.calibration.posterior.apply`).

The runs are made in the background, in the viewer's thread (``solara.use_thread``), one band at
a time per server; a band depends only on the scenario as run (its seed aside), ``K`` and the
posterior file, so the server keeps the latest :data:`KEPT` bands it made (:class:`Bands`) and a
second viewer of the same preset gets it at once. ``CONTENT_POSTERIOR=FILE`` serves another
posterior file; without one there is no band, and :func:`unavailable` says why in one line.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from experiments.calibration import posterior
from experiments.compare import run_many, seed_list
from model.scenario import Scenario, ScenarioError

#: Plausible worlds per band: few enough to be made in seconds at the baseline's scale, and a range
#: (not a 5-95% envelope: eight worlds are too few for quantiles).
K = 8
#: Names another posterior file than the one the project ships.
POSTERIOR_ENV = "CONTENT_POSTERIOR"
#: Bands the server keeps (each a few kB: two floats per step and metric).
KEPT = 16
#: The metrics the headline charts draw with a band.
METRICS = ("human_share_new", "originality_index", "ideas_rarefied", "effective_ideas_recent", "model_coverage", "model_variance")


def posterior_file() -> Path:
    """The posterior the bands are drawn from: ``CONTENT_POSTERIOR``, else the shipped one."""
    return Path(os.environ.get(POSTERIOR_ENV) or posterior.SHIPPED)


def unavailable(path: Path | None = None) -> str:
    """Why there can be no band ("" when the posterior file is there)."""
    path = posterior_file() if path is None else path
    if path.is_file():
        return ""
    return f"No band of plausible worlds: no posterior file {path.name} (python run.py calibrate makes one)."


@dataclass(frozen=True)
class Band:
    """Per step, the lowest and highest value of each metric over ``worlds`` plausible worlds of one scenario."""

    steps: np.ndarray
    low: dict[str, np.ndarray]
    high: dict[str, np.ndarray]
    worlds: int
    source: str  # the posterior file

    def upto(self, metric: str, step: int, first: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(steps, low, high) of ``metric`` from step ``first`` to ``step``: the band behind a line drawn so far."""
        keep = (self.steps >= first) & (self.steps <= step)
        return self.steps[keep], self.low[metric][keep], self.high[metric][keep]


def compute(scenario: Scenario, k: int = K, path: str | Path | None = None) -> Band:
    """The band of ``scenario`` over the first ``k`` draws of the posterior (fewer if the file holds fewer).

    Raises:
        CalibrationError: the posterior file is missing or malformed.
    """
    path = posterior_file() if path is None else Path(path)
    k = min(k, len(posterior.read(path)))
    runs = run_many({"band": scenario}, seed_list(k), draws=posterior.draws(k, path), matched=True)
    metrics = [m for m in METRICS if m in runs.columns]
    per_step = runs.groupby("step")[metrics]
    low, high = per_step.min(), per_step.max()
    return Band(low.index.to_numpy(), {m: low[m].to_numpy(float) for m in metrics}, {m: high[m].to_numpy(float) for m in metrics}, k, str(path))


class Bands:
    """The bands this server has made, the latest ``kept``; each made once, by the first viewer who asks.

    Another viewer asking for a band being made waits for it; only one band is made at a time,
    so viewers' bands never take more than one core between them.
    """

    def __init__(self, kept: int = KEPT):
        self.kept = kept
        self.lock = threading.Lock()
        self.making = threading.Lock()
        self.entries: OrderedDict[tuple, _Entry] = OrderedDict()

    @staticmethod
    def key(scenario: Scenario, k: int, path: Path) -> tuple:
        stat = path.stat()
        return scenario.with_overrides({"run.seed": 0}, "band").model_dump_json(), k, str(path.resolve()), stat.st_mtime_ns, stat.st_size

    def get(self, scenario: Scenario, k: int = K, path: Path | None = None) -> Band:
        """The band of ``scenario``: made now, or kept from before.

        Raises:
            ScenarioError: one line on why it cannot be made (it is asked afresh next time).
        """
        path = posterior_file() if path is None else path
        try:
            key = self.key(scenario, k, path)
        except OSError:
            raise ScenarioError(unavailable(path) or f"{path}: cannot be read") from None
        with self.lock:
            entry = self.entries.get(key)
            owner = entry is None
            if owner:
                entry = self.entries[key] = _Entry()
            self.entries.move_to_end(key)
            done = [name for name, e in self.entries.items() if e.ready.is_set()]
            for name in done[: max(0, len(self.entries) - self.kept)]:
                del self.entries[name]
        if owner:
            try:
                with self.making:
                    entry.band = compute(scenario, k, path)
            except Exception as error:  # noqa: BLE001 - the page shows one line, never a traceback
                entry.error = f"No band of plausible worlds: {type(error).__name__}: {error}"
                with self.lock:
                    self.entries.pop(key, None)
            finally:
                entry.ready.set()
        entry.ready.wait()
        if entry.band is None:
            raise ScenarioError(entry.error)
        return entry.band


@dataclass
class _Entry:
    ready: threading.Event = field(default_factory=threading.Event)
    band: Band | None = None
    error: str = ""


#: The server's bands (the viz layer's only cache; the model keeps none).
BANDS = Bands()
COMPUTING = "computing plausible worlds…"


@dataclass(frozen=True)
class View:
    """What the page shows of the bands: one per run drawn (or none), and a line saying why when there are none."""

    bands: tuple = ()
    note: str = ""
    model: object = None  # a weak reference to the model the bands belong to

    def belongs(self, model) -> bool:
        """Whether the view was made for ``model`` (and not for the one before a Reset)."""
        return self.model is not None and self.model() is model

    def of(self, model) -> tuple:
        """The bands, if they belong to ``model``."""
        return self.bands if self.belongs(model) else ()


def worlds(model, k: int = K, bands: Bands = BANDS) -> View:
    """The bands of the page's runs (the first, and the second when it is another run), made or kept."""
    reason = unavailable()
    if reason:
        return View(note=reason)
    runs = [model] + ([model.other] if model.other is not None else [])
    try:
        made = tuple(bands.get(run.config, k) for run in runs)
    except ScenarioError as error:
        return View(note=str(error), model=weakref.ref(model))
    return View(made, "", weakref.ref(model))


def label_text(worlds: int = K) -> str:
    """What the legend calls the shading of ``worlds`` worlds."""
    return f"range of {worlds} plausible worlds (posterior draws)"


def label(band: Band) -> str:
    """What the legend calls the band's shading."""
    return label_text(band.worlds)
