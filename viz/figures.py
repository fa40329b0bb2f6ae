"""The page's charts, one class per chart; two runs side by side in each (blue, then orange).

Time runs along a fixed axis, the whole horizon, so the audience sees how far the run has
come. Shares and indices start at 0; log axes print plain numbers; steps and generations
have whole-number ticks; each title names the runs and their seed. Where one chart cannot
hold both runs (the content map, the network), it draws them in two panels.
"""

from __future__ import annotations

import numpy as np
from matplotlib import patheffects
from matplotlib.collections import LineCollection
from matplotlib.colors import LogNorm
from matplotlib.patches import Patch

from experiments import axes as honest
from viz.chart import (
    AI,
    ASSISTED,
    BAND_ALPHA,
    COLOURS,
    FIRST,
    FONT,
    GAP,
    GAP_OVER_BANDS,
    HUMAN,
    SECOND,
    SOURCE_NAMES,
    Chart,
    band_handle,
    band_room,
    run_band,
    frame,
    grow,
    header,
    header_height,
    legend_labels,
    run_lines,
    set_line,
    style,
    time_axis,
)
from viz.model import DENSITY_BINS, FRINGE_MASS

MAP_POINTS = 600  # recent items drawn on each content map
FRINGE_SAMPLE = 20_000  # recent items the fringe share is measured on
NETWORK_STATES = (("writing alone", "#1f4e79"), ("using an AI tool", "#7fb3e0"), ("exited", "#d9d9d9"))


def recent_rows(model) -> tuple[int, int]:
    """Web rows of the recent window (the archive at step 0)."""
    t = model.steps
    first = max(1, t - model.config.run.window + 1) if t else 0
    return model.web.rows(first, t)


def recent_counts(model) -> np.ndarray:
    """Items per idea in the recent window."""
    lo, hi = recent_rows(model)
    return np.bincount(model.web.idea[lo:hi])


def rank_frequency_of(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rank, share of items) of the ideas in ``counts``, most frequent first."""
    counts = np.sort(counts[counts > 0])[::-1]
    return np.arange(1, len(counts) + 1), counts / max(counts.sum(), 1)


def runs(model) -> list:
    """(model, label, colour) of each run shown: the first, then the second when it is another run."""
    shown = [(model, model.label, FIRST)]
    return shown + ([(model.other, model.other_label, SECOND)] if model.other is not None else [])


def _gap(ax, h, b, column, style_=GAP):
    """The shaded difference between the two runs' lines (on the steps both have run)."""
    n = min(len(h["step"]), len(b["step"]))
    return ax.fill_between(h["step"][:n], h[column][:n], b[column][:n], **style_)


#: How each run's band of plausible worlds is drawn over the stacked areas of "Who writes the web" (hatched: a
#: translucent fill there would mix with the areas' colours and read as another source).
HATCHES = (dict(facecolor="none", edgecolor="white", hatch="////", lw=0), dict(facecolor="none", edgecolor="black", hatch="....", lw=0))
#: The second run's orange lines cross the red AI area: a white edge keeps them apart from it.
HALO = [patheffects.withStroke(linewidth=4.5, foreground="white")]


class WhoWrites(Chart):
    """Human, assisted and AI shares of the first run's new items; the human shares of both runs; the bands of their human share of new items."""

    title = "Who writes the web"
    slug = "who_writes_the_web"
    height = 6.0
    banded = True

    def build(self, model):
        ax = self.ax = self.axes[0, 0]
        self.stack = []
        dot = dict(marker="o", markevery=[-1], markersize=4)  # the latest point: a run at step 0 shows one
        # In projector mode (at most six legend entries) the human share of the whole web is left to the normal view.
        self.web = None if self.projector else self.dynamic(ax.plot([], [], color="black", lw=1.8, label="human share of the whole web", **dot)[0])
        self.training = self.dynamic(ax.plot([], [], color="black", lw=1.6, ls="--", label="human share of training sets", **dot)[0])
        of = " (new items)" if self.projector else " share of new items"
        areas = [Patch(color=COLOURS[s], label=f"{SOURCE_NAMES[s]}{of}") for s in (HUMAN, ASSISTED, AI)]
        handles = [*areas, *([self.web] if self.web else []), self.training]
        self.second = []
        if model.other is not None:
            styles = ({"lw": 2.6, "label": f"{model.other_label}: human share of new items"},
                      {"lw": 1.6, "ls": ":", "label": f"{model.other_label}: of the web"},
                      {"lw": 1.6, "ls": "--", "label": f"{model.other_label}: of training sets"})
            self.second = [self.dynamic(ax.plot([], [], color=SECOND, path_effects=HALO, **kw)[0]) for kw in styles[: 1 if self.projector else 3]]
            handles += self.second
        self.band_polys = []
        if self.bands:
            handles += band_handle(self, [{**HATCHES[0], "facecolor": COLOURS[HUMAN]}, {**HATCHES[1], "facecolor": "white"}])
        frame(self.fig, top=header_height(legend_labels(handles) + band_room(self), 2, self.fig))
        header(self.fig, "Who writes the web", model.title, handles)
        time_axis(ax, model, "share" if self.projector else f"share ({model.label}: areas and black lines)")
        ax.set_ylim(0, 1.02)

    def update(self, model):
        h, b = model.history, model.other_history
        x = h["step"]
        for poly in self.stack:
            self.forget(poly)
        shares = [h[f"{name}_share_new"] for name in ("human", "assisted", "ai")]
        if len(x) > 1:  # step 0 is the archive: no new items yet
            self.stack = self.ax.stackplot(x[1:], *(s[1:] for s in shares), colors=[COLOURS[s] for s in (HUMAN, ASSISTED, AI)])
        else:
            self.stack = []
        for poly in self.stack:  # under the lines
            poly.set_animated(True)
            self._dynamic.insert(0, poly)
        for poly in self.band_polys:
            self.forget(poly)
        bands = [run_band(self, self.ax, i, "human_share_new", model.steps, 1, **HATCHES[i]) for i in range(len(self.bands))]
        self.band_polys = [poly for poly in bands if poly is not None]
        self._dynamic[len(self.stack):len(self.stack)] = self.band_polys  # over the areas, under the lines
        if self.web is not None:
            set_line(self.web, x, h["human_share_web"])
        set_line(self.training, x, h["human_share_training"])
        for line, column in zip(self.second, ("human_share_new", "human_share_web", "human_share_training")):
            start = 1 if column.endswith("_new") else 0
            set_line(line, b["step"][start:], b[column][start:])


class Originality(Chart):
    """The originality index, ideas among recent items, model coverage and model variance, for both runs."""

    title = "Originality"
    slug = "originality"
    height = 6.0
    grid = (2, 2)
    banded = True

    def build(self, model):
        ideas = "ideas_rarefied" if model.has_column("ideas_rarefied") else "effective_ideas_recent"
        self.panels = (
            ("originality_index", "Originality index (1 = human culture)", "index"),
            (ideas, "Ideas in a sample of recent items" if ideas == "ideas_rarefied" else "Effective ideas, recent", "ideas"),
            ("model_coverage", "Model coverage of culture", "share"),
            ("model_variance", "Model variance / human", "ratio"),
        )
        self.lines, self.gaps = [], [None] * 4
        short = ("Originality index", "Ideas, recent", "Model coverage", "Model variance")  # projector mode: titles that fit a panel
        for ax, (column, title, ylabel), brief in zip(self.axes.flat, self.panels, short):
            title = brief if self.projector else title
            if column in ("originality_index", "model_variance"):
                ax.axhline(1.0, color="black", lw=0.8, ls=":")
            first, second = (self.dynamic(line) if line is not None else None for line in run_lines(ax, model))
            self.lines.append((column, first, second))
            time_axis(ax, model, "" if self.projector else ylabel, title)
            if self.projector and ax in self.axes[0]:
                ax.set_xlabel("")  # the bottom row's label says it, and the room goes to the type
            ax.set_ylim(0, 1.1 if column != ideas else 1)
        self.gap_style = GAP_OVER_BANDS if self.bands else GAP
        handles = [self.lines[0][1]] + ([self.lines[0][2], Patch(**self.gap_style, label="difference")] if model.other is not None else [])
        handles += band_handle(self)
        self.band_polys = []
        ncols = 2 if self.projector else 3
        frame(self.fig, top=header_height(legend_labels(handles) + band_room(self), ncols, self.fig) + 0.2, left=0.75 if not self.projector else 0.55, bottom=0.62, hspace=0.62 if not self.projector else 0.45, wspace=0.32)
        header(self.fig, "Originality", model.title, handles, ncols=ncols)
        self.log = False

    def set_log(self, log: bool) -> None:
        """Show the originality index on a log scale (it falls by orders of magnitude), with plain numbers."""
        if log != self.log:
            self.log = log
            index = self.axes[0, 0]
            index.set_yscale("log" if log else "linear")
            if log:
                honest.plain_log(index.yaxis)
            index.set_ylabel("index (log scale)" if log else "index", fontsize=FONT)
            index.set_ylim((0.5, 2) if log else (0, 1.1))

    def update(self, model):
        h, b = model.history, model.other_history
        for poly in self.band_polys:
            self.forget(poly)
        self.band_polys = []
        for i, (ax, (column, first, second)) in enumerate(zip(self.axes.flat, self.lines)):
            bands = [poly for run in range(len(self.bands)) if (poly := run_band(self, ax, run, column, model.steps)) is not None]
            self.band_polys += bands
            self._dynamic[:0] = bands  # under the difference and the lines
            set_line(first, h["step"], h[column])
            set_line(second, b["step"], b[column])
            if second is not None:
                if self.gaps[i] is not None:
                    self.forget(self.gaps[i])
                self.gaps[i] = self.dynamic(_gap(ax, h, b, column, self.gap_style))
                self._dynamic.remove(self.gaps[i])
                self._dynamic.insert(0, self.gaps[i])  # under the lines
            shown = [poly.get_paths()[0].vertices[:, 1] for poly in bands if poly.get_paths()]
            grow(ax, np.concatenate([h[column], b[column], *shown]), log=self.log and i == 0)


class ContentMap(Chart):
    """A sample of recent items over the archive's density, in the archive's fixed 2-D projection; a panel per run."""

    title = "Content map"
    slug = "content_map"

    def build(self, model):
        proj = model.projection
        shown = runs(model)
        self.grid = (1, len(shown))
        self.fig.clear()
        self.axes = self.fig.subplots(1, len(shown), squeeze=False, sharey=True)
        frame(self.fig, top=header_height(5, 3) + 0.22, left=0.55, bottom=0.5, wspace=0.06)
        density = np.where(proj.density > 0, proj.density, np.nan)
        centres = [np.linspace(lo, hi, 2 * DENSITY_BINS + 1)[1::2] for lo, hi in (proj.extent[:2], proj.extent[2:])]
        self.panels = []
        for ax, (_, label, colour) in zip(self.axes.flat, shown):
            ax.imshow(density, origin="lower", extent=proj.extent, aspect="auto", cmap="Greys", norm=LogNorm(), alpha=0.7)
            ax.contour(*centres, proj.density, levels=[proj.fringe_level], colors="#444444", linewidths=0.8, linestyles="--")
            points = {s: self.dynamic(ax.scatter([], [], s=7, color=COLOURS[s], linewidths=0)) for s in (HUMAN, ASSISTED, AI)}
            fringe = self.dynamic(ax.text(0.98, 0.02, "", ha="right", va="bottom", transform=ax.transAxes, fontsize=FONT,
                                          bbox=dict(facecolor="white", alpha=0.8, lw=0, pad=1.5)))
            empty = self.dynamic(ax.text(0.5, 0.5, "no recent items", ha="center", va="center", transform=ax.transAxes, fontsize=FONT))
            ax.set(xlim=proj.extent[:2], ylim=proj.extent[2:], xticks=[], yticks=[])
            ax.set_title(label, fontsize=FONT, color=colour, fontweight="bold", pad=4)
            style(ax, "1st principal axis of the archive")
            self.panels.append((points, fringe, empty))
        style(self.axes[0, 0], ylabel="2nd principal axis")
        handles = [Patch(color=COLOURS[s], label=SOURCE_NAMES[s]) for s in (HUMAN, ASSISTED, AI)]
        handles += [Patch(color="#999999", label="archive density"),
                    self.axes[0, 0].plot([], [], color="#444444", lw=0.8, ls="--", label=f"fringe: the sparsest {FRINGE_MASS:.0%}")[0]]
        header(self.fig, f"Content map: {MAP_POINTS} recent items over the archive", model.title, handles, ncols=3)

    def update(self, model):
        for (points, fringe, empty), (run, _, _) in zip(self.panels, runs(model)):
            lo, hi = recent_rows(run)
            n = min(MAP_POINTS, hi - lo)
            rng = np.random.default_rng(run.steps)  # the same picture for the same step; never the model's generator
            rows = np.sort(rng.choice(hi - lo, size=n, replace=False)) + lo if n else np.zeros(0, int)
            xy, source = model.projection(run.web.vec[rows]), run.web.source[rows]
            for s, scatter in points.items():
                scatter.set_offsets(xy[source == s])
            stride = max(1, (hi - lo) // FRINGE_SAMPLE)  # every k-th recent item: precise enough, and fast
            share = model.projection.fringe_share(run.web.vec[lo:hi:stride]) if hi > lo else float("nan")
            fringe.set_text(f"in the fringe: {share:.1%} (archive {model.projection.archive_fringe:.1%})" if hi > lo else "")
            empty.set_visible(n == 0)


class RankFrequency(Chart):
    """Rank–frequency of ideas, log–log: each run's recent web against the archive."""

    title = "Rank-frequency of ideas"
    slug = "rank_frequency"

    def build(self, model):
        ax = self.ax = self.axes[0, 0]
        ranks, freq = rank_frequency_of(model.archive_counts)
        archive = ax.plot(*thin(ranks, freq), color="black", lw=1.4, ls=":", label="archive (pre-AI web)")[0]
        self.first, self.second = (self.dynamic(line) if line is not None else None for line in run_lines(ax, model))
        frame(self.fig, top=header_height(legend_labels([archive, self.first, self.second][: 3 if self.second else 2]), 3, self.fig), left=0.95)
        ax.set(xscale="log", yscale="log")
        honest.plain_log(ax.xaxis)
        honest.plain_log(ax.yaxis)
        style(ax, "rank of idea (log scale)", "share of recent items (log scale)")
        ax.set_xlim(0.8, max(10, 1.5 * len(ranks)))
        ax.set_ylim(freq.min() / 2, 1)
        handles = [archive, self.first] + ([self.second] if self.second is not None else [])
        header(self.fig, "Rank–frequency of ideas on the recent web", model.title, handles, ncols=3)

    def update(self, model):
        curves = [rank_frequency_of(recent_counts(run)) for run, _, _ in runs(model)]
        for line, (ranks, freq) in zip((self.first, self.second), curves):
            set_line(line, *thin(ranks, freq))
        top = max(len(ranks) for ranks, _ in curves)
        if top > self.ax.get_xlim()[1]:
            self.ax.set_xlim(0.8, 1.5 * top)
        grow(self.ax, np.concatenate([freq for _, freq in curves]), log=True)


def thin(ranks: np.ndarray, freq: np.ndarray, points: int = 300) -> tuple[np.ndarray, np.ndarray]:
    """About ``points`` log-spaced points of a rank–frequency curve: the same picture, far fewer vertices."""
    if len(ranks) <= points:
        return ranks, freq
    keep = np.unique(np.geomspace(1, len(ranks), points).astype(int)) - 1
    return ranks[keep], freq[keep]


class Network(Chart):
    """A fixed sample of the social graph, coloured by each creator's state now; a panel per run."""

    title = "Creator network"
    slug = "creator_network"

    def build(self, model):
        sample = model.network
        shown = runs(model)
        self.fig.clear()
        self.axes = self.fig.subplots(1, len(shown), squeeze=False)
        frame(self.fig, top=header_height(3, 3) + 0.22, left=0.2, bottom=0.5, right=0.2, wspace=0.05)
        handles = [self.axes[0, 0].scatter([], [], s=30, color=colour, edgecolors="#555555", linewidths=0.3, label=name) for name, colour in NETWORK_STATES]
        header(self.fig, f"Creator network: a sample of {len(sample.nodes)} creators", model.title, handles, ncols=3)
        self.panels = []
        pad = 0.08
        lo, hi = (sample.xy.min(axis=0), sample.xy.max(axis=0)) if len(sample.nodes) else (np.zeros(2), np.ones(2))
        for ax, (_, label, colour) in zip(self.axes.flat, shown):
            ax.set(xticks=[], yticks=[], xlim=(lo[0] - pad, hi[0] + pad), ylim=(lo[1] - pad, hi[1] + pad))
            ax.set_title(label, fontsize=FONT, color=colour, fontweight="bold", pad=4)
            counts = self.dynamic(ax.text(0.5, -0.02, "", ha="center", va="top", transform=ax.transAxes, fontsize=FONT))
            if not len(sample.nodes):
                ax.text(0.5, 0.5, "no human creators", ha="center", va="center", transform=ax.transAxes, fontsize=FONT)
                self.panels.append((None, counts))
                continue
            ax.add_collection(LineCollection(sample.xy[sample.edges], colors="#bbbbbb", linewidths=0.4, zorder=1))
            nodes = self.dynamic(ax.scatter(sample.xy[:, 0], sample.xy[:, 1], s=26, edgecolors="#555555", linewidths=0.3, zorder=2))
            self.panels.append((nodes, counts))

    def update(self, model):
        sample = model.network
        for (nodes, counts), (run, _, _) in zip(self.panels, runs(model)):
            if nodes is None:
                continue
            pop = run.creators
            rows = pop.rows_of(sample.nodes)  # -1: the creator has left
            adopted = np.zeros(len(rows), bool)
            adopted[rows >= 0] = pop.adopted[rows[rows >= 0]]  # indexes nothing once every creator has left
            states = np.where(rows < 0, 2, np.where(adopted, 1, 0))
            nodes.set_facecolors([NETWORK_STATES[s][1] for s in states])
            counts.set_text(" · ".join(f"{name.split()[-1]} {int((states == code).sum())}" for code, (name, _) in enumerate(NETWORK_STATES)))


class Generations(Chart):
    """For each model generation so far, the share of today's human culture it can still produce; a bar per run."""

    title = "Generations"
    slug = "generations"

    def build(self, model):
        ax = self.ax = self.axes[0, 0]
        frame(self.fig, top=header_height([label for _, label, _ in runs(model)], 2, self.fig), left=0.85)
        self.bars = []
        self.empty = self.dynamic(ax.text(0.5, 0.5, "no model has been trained", ha="center", va="center", transform=ax.transAxes, fontsize=FONT))
        ax.set(ylim=(0, 1.02))
        style(ax, "model generation", "share of today's culture")
        honest.whole_ticks(ax.xaxis, 12)
        horizon = max(1, model.config.run.steps) // model.config.ai.retrain_every + 1
        ax.set_xlim(0.4, horizon + 0.6)
        handles = [Patch(color=colour, label=label) for _, label, colour in runs(model)]
        header(self.fig, "Generations: the human culture each can still produce", model.title, handles, ncols=2)

    def update(self, model):
        for bar in self.bars:
            self.forget(bar)
        shown = runs(model)
        width = 0.8 / len(shown)
        self.bars = []
        for i, (run, _, colour) in enumerate(shown):
            generations = model.generations if i == 0 else model.other_generations
            gens, cover = generations.coverage(run.culture.weights())
            offset = (i - (len(shown) - 1) / 2) * width
            self.bars += self.ax.bar(gens + offset, cover, color=colour, width=width * 0.95).patches
        for bar in self.bars:
            bar.set_animated(True)
        self._dynamic[:0] = self.bars
        self.empty.set_visible(not self.bars)


#: Every chart the page shows, in order: the two headline charts first.
CHARTS = (WhoWrites, Originality, ContentMap, RankFrequency, Network, Generations)


def chart(model, kind: type[Chart], bands=(), projector: bool = False) -> Chart:
    """The model's instance of a chart, built on first use; a chart that draws bands is built again for other bands.

    Without bands, and with them, are two charts (the legend differs), as are the normal and the projector views, so
    switching either is quick.
    """
    views = model.__dict__.setdefault("_charts", {})
    bands = tuple(bands) if kind.banded else ()
    key = (kind, bool(bands), projector)
    view = views.get(key)
    if view is None or len(view.bands) != len(bands) or any(a is not b for a, b in zip(view.bands, bands)):
        views[key] = view = kind(model, bands, projector)
    return view
