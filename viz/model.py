"""The model the page shows: two scenarios side by side, stepped together on one seed and one world.

:class:`PresentationModel` takes flat keywords (``preset``, ``compare``, ``seed`` and the
levers), which is what Mesa's ModelController passes on Reset, and never raises on a
combination of inputs: a setting that cannot run is reported in
:attr:`PresentationModel.notices` and the preset runs as saved instead. The first scenario
(the preset with the levers) is the model itself; the second (the ``compare`` preset, as
saved) runs beside it with the same seed, world and scale, so both draw the same random
numbers where they do the same thing (common random numbers) and their gap is what the
scenarios change. It keeps what the page needs and the core does not: each metric's
history, the human culture each model generation can produce, and a fixed 2-D projection
of the archive.
"""

from __future__ import annotations


import networkx as nx
import numpy as np
import pandas as pd

from model.ecosystem import COLUMNS, ContentEcosystem
from model.scenario import Scenario, ScenarioError
from viz.presets import BASELINE, baseline_scenario, discover, lever_values, preset_scenario, readable, titles

#: Sections and keys the second scenario takes from the first: the same seed and world, at the same scale.
SHARED_SECTIONS = ("run", "world")
SHARED_KEYS = ("humans.count", "ai.models", "ai.train_size")
#: Grid of the archive's density on the content map.
DENSITY_BINS = 60
#: Share of the archive in the sparse cells that make up the content map's fringe.
FRINGE_MASS = 0.1
# Draws for pictures only (projection, point samples) come from generators seeded here,
# never from the model's own, so watching a run does not change it.
VIEW_SEED = 0



def plain(value):
    """The value behind a page input: the page hands some inputs over as reactive variables."""
    peek = getattr(value, "peek", None)
    return peek() if callable(peek) else value


def parse_seed(value) -> int:
    """A seed from an input box: a whole number >= 0, else :class:`ScenarioError`."""
    value = plain(value)
    try:
        seed = int(str(value).strip())
    except ValueError:
        raise ScenarioError(f"“Seed (both runs)” {value!r}: allowed: a whole number >= 0") from None
    if seed < 0:
        raise ScenarioError(f"“Seed (both runs)” {seed}: allowed: a whole number >= 0")
    return seed


def counterpart_of(live: Scenario, other: Scenario) -> Scenario:
    """``other`` with the live run's seed, horizon, world and scale: the same web under the other scenario."""
    overrides = {f"{section}.{key}": value for section in SHARED_SECTIONS for key, value in getattr(live, section).model_dump().items()}
    for dotted in SHARED_KEYS:
        section, _, key = dotted.partition(".")
        overrides[dotted] = getattr(getattr(live, section), key)
    return other.with_overrides(overrides, "compared")


class History:
    """Each metric after every step of one model, as lists (appending is cheaper than a DataFrame)."""

    def __init__(self):
        self.rows: dict[str, list] = {}

    def record(self, metrics: dict) -> None:
        for name, value in metrics.items():
            self.rows.setdefault(name, []).append(value)

    def __getitem__(self, name: str) -> np.ndarray:
        return np.asarray(self.rows.get(name, ()), float)


class Generations:
    """The ideas each model generation can produce, per (generation, lab)."""

    def __init__(self):
        self.ideas: dict[int, dict[int, np.ndarray]] = {}

    def record(self, model: ContentEcosystem) -> None:
        for m in model.ai_models:
            if m.learner.is_fitted:
                self.ideas.setdefault(m.generation, {}).setdefault(m.lab, m.learner.ideas_)

    def coverage(self, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(generations, mean over labs of the share of ``weights`` each can produce)."""
        gens = np.array(sorted(self.ideas), int)
        cover = [np.mean([weights[ideas].sum() for ideas in self.ideas[g].values()]) for g in gens]
        return gens, np.asarray(cover, float)


class Projection:
    """A fixed 2-D view of meaning space: the archive's top two principal axes and its density."""

    def __init__(self, archive_vecs: np.ndarray, sample: int = 5000):
        rng = np.random.default_rng(VIEW_SEED)
        rows = rng.choice(len(archive_vecs), size=min(sample, len(archive_vecs)), replace=False)
        x = np.asarray(archive_vecs[rows], float)
        self.mean = x.mean(axis=0)
        _, _, vt = np.linalg.svd(x - self.mean, full_matrices=False)
        axes = np.zeros((2, x.shape[1]))
        axes[: len(vt)] = vt[:2]  # a 1-D world has one axis; the second stays flat
        self.axes = axes
        xy = self(archive_vecs)
        lo, hi = np.percentile(xy, [0.5, 99.5], axis=0)
        pad = 0.1 * (hi - lo) + 1e-9
        self.extent = (lo[0] - pad[0], hi[0] + pad[0], lo[1] - pad[1], hi[1] + pad[1])
        density, _, _ = np.histogram2d(xy[:, 0], xy[:, 1], bins=DENSITY_BINS, range=[self.extent[:2], self.extent[2:]])
        self.density = density.T / max(density.sum(), 1)
        # The fringe: the sparsest cells, together holding FRINGE_MASS of the archive, and beyond the grid.
        cells = np.sort(self.density[self.density > 0])
        self.fringe_level = float(cells[min(np.searchsorted(np.cumsum(cells), FRINGE_MASS), len(cells) - 1)]) if len(cells) else 0.0
        self.archive_fringe = self.fringe_share(archive_vecs)

    def __call__(self, vecs: np.ndarray) -> np.ndarray:
        # In float32, as the web stores vectors: a picture needs no more, and it is twice as fast.
        return (vecs - self.mean.astype(np.float32)) @ self.axes.T.astype(np.float32)

    def fringe_share(self, vecs: np.ndarray) -> float:
        """Share of ``vecs`` that fall in the archive's sparse fringe: the tails of meaning space."""
        if not len(vecs):
            return float("nan")
        xy = self(vecs)
        x0, x1, y0, y1 = self.extent
        ix = np.floor((xy[:, 0] - x0) / (x1 - x0) * DENSITY_BINS).astype(int)
        iy = np.floor((xy[:, 1] - y0) / (y1 - y0) * DENSITY_BINS).astype(int)
        inside = (ix >= 0) & (ix < DENSITY_BINS) & (iy >= 0) & (iy < DENSITY_BINS)
        sparse = np.ones(len(xy), bool)
        sparse[inside] = self.density[iy[inside], ix[inside]] <= self.fringe_level
        return float(sparse.mean())


class NetworkSample:
    """A fixed sample of the social graph: its first creators (the best connected) and a layout."""

    def __init__(self, graph: nx.Graph, size: int = 150):
        self.nodes = np.array(sorted(graph.nodes)[:size], int)
        sub = graph.subgraph(self.nodes.tolist())
        pos = nx.spring_layout(sub, seed=VIEW_SEED, iterations=40) if len(self.nodes) else {}
        self.xy = np.array([pos[n] for n in self.nodes.tolist()], float).reshape(-1, 2)
        index = {n: i for i, n in enumerate(self.nodes.tolist())}
        self.edges = np.array([(index[a], index[b]) for a, b in sub.edges], int).reshape(-1, 2)


class PresentationModel(ContentEcosystem):
    """A preset with the page's levers applied, stepped together with a second scenario.

    Args:
        preset: the first scenario's preset name (a scenario file's stem); the levers apply to it.
        compare: the second scenario's preset name; it runs as saved, with the first one's seed,
            world and scale.
        seed: the seed of both runs (an integer or its text).
        scenario: ignored; Mesa 3.5's Reset passes its own scenario object.
        **kwargs: flat ``section_key`` levers; each one given overrides the preset.

    Attributes:
        preset, compare: the two presets' names.
        other: the second run, or None when it is the same run as the first (then the
            ``other_*`` attributes are the first run's).
        notices: messages for the audience about inputs that could not be used.
        changed: the levers set away from the preset's values, by flat keyword.
        history, other_history: every metric after every step, of each run.
        generations, other_generations: the ideas of every model generation so far, of each run.
        projection: the fixed 2-D view of the archive (the same archive for both runs).
        archive_counts: archive items per idea.
        network: the fixed sample of the social graph that the page draws.
    """

    def __init__(self, preset: str = BASELINE, compare: str = BASELINE, seed="1", scenario=None, **kwargs):
        # Mesa 3.5's Reset also passes `scenario`, Mesa's own experiment object (its rng);
        # the scenario here is the preset's, and the seed input sets the seed.
        del scenario
        presets = discover()
        self.preset, self.compare = plain(preset), plain(compare)
        self.titles = titles(presets)
        #: The page's inputs this model was built from (what Reset applied), to mark inputs changed since.
        self.inputs = {"preset": self.preset, "compare": self.compare, "seed": plain(seed), **{k: plain(v) for k, v in kwargs.items()}}
        self.notices: list[str] = []
        self.stopped = False  # a step failed; the page says why
        self.changed: dict = {}  # levers set away from the preset's values
        live, second = self._scenarios(presets, seed, {k: plain(v) for k, v in kwargs.items()})
        try:
            super().__init__(live)
        except Exception as error:  # noqa: BLE001 - a live audience gets a message, never a traceback
            saved = self._saved  # the preset as saved, with the seed; if even that fails, the preset file is broken
            self.notices.append(f"These settings cannot run ({type(error).__name__}: {readable(str(error))}). Showing {self.title_of(self.preset)} as saved.")
            self.changed = {}
            live = saved
            self.__dict__.pop("step", None)  # Mesa's __init__ wraps self.step; a second __init__ must not wrap the wrapper
            super().__init__(live)
        other = counterpart_of(live, second)
        self.other = None if other == live else self._second(other)
        self.projection = Projection(self.web.vec[: self.archive_n])
        self.archive_counts = np.bincount(self.web.idea[: self.archive_n])
        self.network = NetworkSample(self.creators.graph)
        self.history, self.generations = History(), Generations()
        self._other_history, self._other_generations = History(), Generations()
        self._observe()

    def _second(self, scenario: Scenario) -> ContentEcosystem | None:
        try:
            return ContentEcosystem(scenario)
        except Exception as error:  # noqa: BLE001
            self.notices.append(f"{self.title_of(self.compare)} cannot run beside {self.title_of(self.preset)} ({type(error).__name__}: {readable(str(error))}); showing one run.")
            self.compare = self.preset
            return None

    def _scenarios(self, presets, seed, levers: dict) -> tuple[Scenario, Scenario]:
        """(first, second): the preset with the levers and seed, and the compared preset; each failure a notice."""
        try:
            baseline = baseline_scenario(presets)
        except ScenarioError as error:
            self.notices.append(f"The baseline preset cannot be read ({error}); it is replaced by the defaults.")
            baseline = Scenario()
        scenario = self._preset(self.preset, presets, baseline)
        second = scenario if self.compare == self.preset else self._preset(self.compare, presets, baseline)
        try:
            scenario = scenario.with_overrides({"run.seed": parse_seed(seed)}, "seed")
        except ScenarioError as error:
            self.notices.append(f"{error}; using the preset's seed, {scenario.run.seed}.")
        self._saved = scenario
        try:
            live = scenario.with_flat(**levers)
            saved = lever_values(scenario)
            self.changed = {name: value for name, value in levers.items() if name in saved and saved[name] != value}
            return live, second
        except ScenarioError as error:
            self.notices.append(f"These settings cannot run: {readable(str(error))}. Showing {self.title_of(self.preset)} as saved.")
            return scenario, second

    def _preset(self, name: str, presets, baseline: Scenario) -> Scenario:
        """The scenario of preset ``name``; an unknown or broken one is reported and replaced by the baseline."""
        if name == BASELINE and BASELINE not in presets:
            return baseline
        try:
            return preset_scenario(name, presets)
        except ScenarioError as error:
            self.notices.append(f"{error}. Showing the baseline instead.")
            if name == self.preset:
                self.preset = BASELINE
            if name == self.compare:
                self.compare = BASELINE
            return baseline

    @property
    def label(self) -> str:
        """The first run's name on the page: its preset, marked when levers moved it away from the preset."""
        return f"{self.title_of(self.preset)} (levers moved)" if self.changed else self.title_of(self.preset)

    @property
    def other_label(self) -> str:
        return self.title_of(self.compare)

    def title_of(self, preset: str) -> str:
        """A preset's title as the page shows it (its file's first line up to the colon), not its file name."""
        found = self.titles.get(preset)
        return found.title if found else preset

    @property
    def name(self) -> str:
        """The first run's name in exported data: its preset's file name, marked when levers moved it."""
        return f"{self.preset} (levers moved)" if self.changed else self.preset

    @property
    def title(self) -> str:
        """The runs and their seed, for every chart's title."""
        runs = self.label if self.other is None else f"{self.label} vs {self.other_label}"
        return f"{runs} · seed {self.config.run.seed}"

    @property
    def other_model(self) -> ContentEcosystem:
        """The second run (the first one when they are the same run)."""
        return self if self.other is None else self.other

    @property
    def other_history(self) -> History:
        return self.history if self.other is None else self._other_history

    @property
    def other_generations(self) -> Generations:
        return self.generations if self.other is None else self._other_generations

    def step(self) -> None:
        """One step of both runs."""
        if self.stopped:
            return
        try:
            super().step()
            if self.other is not None and self.other.running:
                self.other.step()
        except Exception as error:  # noqa: BLE001 - a live audience gets a message, never a traceback
            self.running, self.stopped = False, True
            self.notices.append(f"The model stopped at step {self.steps}: {type(error).__name__}: {error}")
            return
        self._observe()

    def _observe(self) -> None:
        self.history.record(self.metrics)
        self.generations.record(self)
        if self.other is not None:
            self._other_history.record(self.other.metrics)
            self._other_generations.record(self.other)

    def timeseries_table(self, bands=()) -> pd.DataFrame:
        """Both runs' metrics at every step so far, one row per run and step (the page's CSV export).

        With ``bands`` (one per run, :class:`viz.band.Band`), each run's rows also hold its band:
        ``band_low_M`` and ``band_high_M`` per metric ``M`` drawn with one, and ``band_worlds``.
        """
        runs = [(self.name, self.history)] + ([] if self.other is None else [(self.compare, self._other_history)])
        frames = []
        for i, (name, history) in enumerate(runs):
            frame = pd.DataFrame(history.rows)
            frame.insert(0, "seed", self.config.run.seed)
            frame.insert(0, "scenario", name)
            if i < len(bands):
                band = bands[i]
                columns = {"step": band.steps, "band_worlds": band.worlds}
                for metric in band.low:
                    columns[f"band_low_{metric}"], columns[f"band_high_{metric}"] = band.low[metric], band.high[metric]
                frame = frame.merge(pd.DataFrame(columns), on="step", how="left")
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)

    @staticmethod
    def has_column(name: str) -> bool:
        """Whether the core measures ``name`` (``ideas_rarefied`` arrives with the market)."""
        return name in COLUMNS
