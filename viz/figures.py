"""The page's charts as matplotlib figures, one class per component.

Each chart builds its ``Figure`` (never pyplot, so nothing is shared between sessions)
once per model and then only moves its lines and points: building axes costs more
than drawing them, and a presenter presses Step many times. Time runs along a fixed
axis, the whole horizon, so the audience sees how far the run has come. On every
time-series chart the counterfactual, the baseline with the same seed, is a thin grey
line; the gap between the colour and the grey is what the levers did.
"""

from __future__ import annotations

import io
import threading

import numpy as np
import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from model.web import AI, ASSISTED, HUMAN
from viz.model import DENSITY_BINS, FRINGE_MASS

DPI = 72
COLOURS = {HUMAN: "#1f4e79", ASSISTED: "#7fb3e0", AI: "#d62728"}
SOURCE_NAMES = {HUMAN: "human", ASSISTED: "assisted", AI: "AI"}
GREY = dict(color="#8c8c8c", lw=1.0)
STEP_LABEL = "step (month)"
# JPEG at high quality without chroma subsampling: encoding takes about 1 ms where PNG takes 10-20
# (measured on a 400 x 260 chart), at a similar size, and lines stay crisp.
FORMAT = "jpeg"
MAP_POINTS = 600  # recent items drawn on the content map
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


class Chart:
    """A figure built once for a model, then updated in place and drawn as an image.

    What changes from step to step (lines, points, bars, a few labels) is
    registered with :meth:`dynamic`; the rest, axes and labels included, is drawn once
    and kept as a bitmap until an axis range or scale changes. Ranges therefore only
    grow (see :func:`grow`), so most steps redraw only what moved.
    """

    title = ""
    size = (5.6, 3.4)
    grid = (1, 1)

    def __init__(self, model):
        self.fig = Figure(figsize=self.size, dpi=DPI)
        self.canvas = FigureCanvasAgg(self.fig)
        self.axes = self.fig.subplots(*self.grid, squeeze=False)
        self.lock = threading.Lock()  # two sessions may show the server's first model
        self._dynamic: list = []
        self._frame = None  # (axis ranges, background bitmap)
        self.build(model)

    def build(self, model) -> None:
        raise NotImplementedError

    def update(self, model) -> None:
        raise NotImplementedError

    def dynamic(self, artist):
        """Mark an artist as redrawn every step (left out of the kept background)."""
        artist.set_animated(True)
        self._dynamic.append(artist)
        return artist

    def forget(self, artist) -> None:
        """Remove a dynamic artist for good."""
        self._dynamic.remove(artist)
        artist.remove()

    def _ranges(self) -> tuple:
        return tuple((ax.get_xlim(), ax.get_ylim(), ax.get_xscale(), ax.get_yscale()) for ax in self.fig.axes)

    def figure(self, model) -> Figure:
        """The figure, updated to the model's current state (a full draw, for export)."""
        self.update(model)
        for artist in self._dynamic:
            artist.set_animated(False)
        self.canvas.draw()
        for artist in self._dynamic:
            artist.set_animated(True)
        self._frame = None
        return self.fig

    def image(self, model) -> bytes:
        """The chart for the model's current state, as the page shows it (:data:`FORMAT` bytes)."""
        with self.lock:
            self.update(model)
            ranges = self._ranges()
            if self._frame is None or self._frame[0] != ranges:
                self.canvas.draw()
                self._frame = (ranges, self.canvas.copy_from_bbox(self.fig.bbox))
            else:
                self.canvas.restore_region(self._frame[1])
            renderer = self.canvas.get_renderer()
            for artist in self._dynamic:
                artist.draw(renderer)
            image = PIL.Image.frombuffer("RGBA", self.canvas.get_width_height(), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
            out = io.BytesIO()
            image.convert("RGB").save(out, format=FORMAT, quality=92, subsampling=0)
            return out.getvalue()


def grow(ax, values, log: bool = False, headroom: float = 0.15) -> None:
    """Widen the y range to hold ``values``, with headroom; never narrow it (so the kept frame stays valid)."""
    values = np.asarray(values, float)
    values = values[np.isfinite(values) & ((values > 0) if log else True)]
    if not len(values):
        return
    lo, hi = ax.get_ylim()
    vmin, vmax = values.min(), values.max()
    if lo <= vmin and vmax <= hi:
        return
    if log:
        ax.set_ylim(min(lo, vmin / 2), max(hi, vmax * 2))
    else:
        span = max(vmax - vmin, abs(vmax) * 0.1, 1e-9)
        ax.set_ylim(min(lo, vmin - headroom * span), max(hi, vmax + headroom * span))


def _time_axis(ax, model, ylabel: str, title: str | None = None) -> None:
    ax.set(xlim=(0, max(1, model.config.run.steps)), xlabel=STEP_LABEL, ylabel=ylabel)
    if title:
        ax.set_title(title, fontsize=9)
    ax.xaxis.set_major_locator(MaxNLocator(6, integer=True))


def header(fig: Figure, title: str, handles, labels=None, ncols: int = 3) -> None:
    """The chart's title and legend above its axes, where the moving parts never cover them.

    Drawn once with the background: redrawing a legend every step costs more than the data.
    """
    fig.suptitle(title, fontsize=10, y=0.99)
    labels = labels if labels is not None else [h.get_label() for h in handles]
    fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.935), ncols=ncols, fontsize=7, frameon=False)


class WhoWrites(Chart):
    """Human, assisted and AI shares of new items; the web's and the training sets' human share."""

    title = "Who writes the web"
    size = (5.6, 3.8)

    def build(self, model):
        ax = self.ax = self.axes[0, 0]
        self.fig.subplots_adjust(left=0.1, right=0.98, bottom=0.13, top=0.76)
        self.stack = []
        self.web = self.dynamic(ax.plot([], [], color="black", lw=1.6, label="human share of the web")[0])
        self.training = self.dynamic(ax.plot([], [], color="black", lw=1.4, ls="--", label="human share of training sets")[0])
        self.grey = [self.dynamic(ax.plot([], [], **GREY, **extra)[0]) for extra in ({"label": "baseline, same seed"}, {}, {}, {"ls": "--"})]
        areas = [ax.fill_between([], [], color=COLOURS[s], label=f"{SOURCE_NAMES[s]} share of new items") for s in (HUMAN, ASSISTED, AI)]
        header(self.fig, "Who writes the web", [*areas, self.web, self.training, self.grey[0]])
        _time_axis(ax, model, "share")
        ax.set_ylim(0, 1)

    def update(self, model):
        h, b = model.history, model.baseline_history
        x = h["step"]
        for poly in self.stack:
            self.forget(poly)
        shares = [h[f"{name}_share_new"] for name in ("human", "assisted", "ai")]
        self.stack = self.ax.stackplot(x, *shares, colors=[COLOURS[s] for s in (HUMAN, ASSISTED, AI)])
        for poly in self.stack:  # under the lines
            poly.set_animated(True)
            self._dynamic.insert(0, poly)
        self.web.set_data(x, h["human_share_web"])
        self.training.set_data(x, h["human_share_training"])
        xb = b["step"]
        for line, y in zip(self.grey, (b["human_share_new"], b["human_share_new"] + b["assisted_share_new"], b["human_share_web"], b["human_share_training"])):
            line.set_data(xb, y)


class Originality(Chart):
    """The originality index, ideas among recent items, model coverage and model variance."""

    title = "Originality"
    size = (7.6, 4.4)
    grid = (2, 2)

    def build(self, model):
        self.fig.subplots_adjust(left=0.09, right=0.98, bottom=0.1, top=0.82, hspace=0.6, wspace=0.28)
        ideas = "ideas_rarefied" if model.has_column("ideas_rarefied") else "effective_ideas_recent"
        self.panels = (
            ("originality_index", "Originality index", "tail share / culture's"),
            (ideas, "Ideas in a sample of recent items" if ideas == "ideas_rarefied" else "Effective ideas, recent (exp entropy)", "ideas"),
            ("model_coverage", "Model coverage", "share of culture producible"),
            ("model_variance", "Model variance", "over human variance"),
        )
        self.lines = []
        for ax, (column, title, ylabel) in zip(self.axes.flat, self.panels):
            if column in ("originality_index", "model_variance"):
                ax.axhline(1.0, color="black", lw=0.6, ls=":")
            grey = self.dynamic(ax.plot([], [], **GREY, label="baseline, same seed")[0])
            live = self.dynamic(ax.plot([], [], color=COLOURS[HUMAN], lw=1.8, label="this run")[0])
            self.lines.append((column, live, grey))
            _time_axis(ax, model, ylabel, title)
            ax.set_ylim(0, 1.1 if column != ideas else 1)
        header(self.fig, "Originality", [self.lines[0][1], self.lines[0][2]])
        self.log = False

    def set_log(self, log: bool) -> None:
        """Show the originality index on a log scale (it falls by orders of magnitude)."""
        if log != self.log:
            self.log = log
            index = self.axes[0, 0]
            index.set_yscale("log" if log else "linear")
            index.set_ylim((0.5, 2) if log else (0, 1.1))

    def update(self, model):
        h, b = model.history, model.baseline_history
        for i, (ax, (column, live, grey)) in enumerate(zip(self.axes.flat, self.lines)):
            live.set_data(h["step"], h[column])
            grey.set_data(b["step"], b[column])
            grow(ax, np.r_[h[column], b[column]], log=self.log and i == 0)


class ContentMap(Chart):
    """A sample of recent items over the archive's density, in the archive's fixed 2-D projection."""

    title = "Content map"
    size = (5.6, 3.8)

    def build(self, model):
        proj = model.projection
        ax = self.ax = self.axes[0, 0]
        self.fig.subplots_adjust(left=0.1, right=0.98, bottom=0.12, top=0.8)
        density = np.where(proj.density > 0, proj.density, np.nan)
        ax.imshow(density, origin="lower", extent=proj.extent, aspect="auto", cmap="Greys", norm=LogNorm(), alpha=0.7)
        centres = [np.linspace(lo, hi, 2 * DENSITY_BINS + 1)[1::2] for lo, hi in (proj.extent[:2], proj.extent[2:])]
        ax.contour(*centres, proj.density, levels=[proj.fringe_level], colors="#444444", linewidths=0.6, linestyles="--")
        self.points = {
            s: self.dynamic(ax.scatter([], [], s=6, color=COLOURS[s], linewidths=0, label=SOURCE_NAMES[s])) for s in (HUMAN, ASSISTED, AI)
        }
        self.shares = self.dynamic(ax.text(0.99, 0.98, "", ha="right", va="top", transform=ax.transAxes, fontsize=8))
        self.empty = self.dynamic(ax.text(0.5, 0.5, "no items published in the recent window", ha="center", va="center", transform=ax.transAxes))
        ax.set(xlim=proj.extent[:2], ylim=proj.extent[2:], xlabel="archive's 1st principal axis", ylabel="archive's 2nd principal axis")
        handles = [*self.points.values(), ax.fill_between([], [], color="#999999", label="archive density")]
        handles.append(ax.plot([], [], color="#444444", lw=0.6, ls="--", label=f"fringe: the sparsest {FRINGE_MASS:.0%} of the archive")[0])
        header(self.fig, f"Content map: up to {MAP_POINTS} recent items over the archive", handles, ncols=3)
        self.fringe = self.dynamic(ax.text(0.99, 0.02, "", ha="right", va="bottom", transform=ax.transAxes, fontsize=8))

    def update(self, model):
        lo, hi = recent_rows(model)
        n = min(MAP_POINTS, hi - lo)
        rng = np.random.default_rng(model.steps)  # the same picture for the same step; never the model's generator
        rows = np.sort(rng.choice(hi - lo, size=n, replace=False)) + lo if n else np.zeros(0, int)
        xy, source = model.projection(model.web.vec[rows]), model.web.source[rows]
        for s, points in self.points.items():
            points.set_offsets(xy[source == s])
        self.shares.set_text(" · ".join(f"{SOURCE_NAMES[s]} {np.mean(source == s):.0%}" for s in self.points) if n else "")
        stride = max(1, (hi - lo) // FRINGE_SAMPLE)  # every k-th recent item: precise enough, and fast
        fringe = model.projection.fringe_share(model.web.vec[lo:hi:stride]) if hi > lo else float("nan")
        self.fringe.set_text(f"in the fringe: {fringe:.1%} (archive {model.projection.archive_fringe:.1%})" if hi > lo else "")
        self.empty.set_visible(n == 0)


class RankFrequency(Chart):
    """Rank–frequency of ideas, log–log: the recent web against the archive."""

    title = "Rank-frequency of ideas"

    def build(self, model):
        ax = self.ax = self.axes[0, 0]
        self.fig.subplots_adjust(left=0.12, right=0.98, bottom=0.14, top=0.8)
        ranks, freq = rank_frequency_of(model.archive_counts)
        archive = ax.plot(*thin(ranks, freq), color="black", lw=1.2, ls=":", label="archive (pre-AI web)")[0]
        self.grey = self.dynamic(ax.plot([], [], **GREY, label="recent web, baseline")[0])
        self.live = self.dynamic(ax.plot([], [], color=COLOURS[HUMAN], lw=1.8, label="recent web, this run")[0])
        ax.set(xscale="log", yscale="log", xlabel="rank of idea", ylabel="share of items")
        ax.set_xlim(0.8, max(10, 1.5 * len(ranks)))
        ax.set_ylim(freq.min() / 2, 1)
        header(self.fig, "Rank–frequency of ideas on the recent web", [archive, self.grey, self.live])

    def update(self, model):
        ranks, freq = rank_frequency_of(recent_counts(model))
        branks, bfreq = rank_frequency_of(recent_counts(model.baseline_model))
        self.live.set_data(*thin(ranks, freq))
        self.grey.set_data(*thin(branks, bfreq))
        if len(ranks) or len(branks):
            top = max(len(ranks), len(branks))
            if top > self.ax.get_xlim()[1]:
                self.ax.set_xlim(0.8, 1.5 * top)
            grow(self.ax, np.r_[freq, bfreq], log=True)


def thin(ranks: np.ndarray, freq: np.ndarray, points: int = 300) -> tuple[np.ndarray, np.ndarray]:
    """About ``points`` log-spaced points of a rank–frequency curve: the same picture, far fewer vertices."""
    if len(ranks) <= points:
        return ranks, freq
    keep = np.unique(np.geomspace(1, len(ranks), points).astype(int)) - 1
    return ranks[keep], freq[keep]


class Network(Chart):
    """A fixed sample of the social graph, coloured by each creator's state now."""

    title = "Creator network"
    size = (5.6, 3.6)

    def build(self, model):
        sample = model.network
        ax = self.ax = self.axes[0, 0]
        self.fig.subplots_adjust(left=0.06, right=0.98, bottom=0.1, top=0.83)
        ax.set(xticks=[], yticks=[], xlabel="force-directed layout: near = connected", ylabel="(positions have no units)")
        handles = [ax.scatter([], [], s=22, color=colour, edgecolors="#555555", linewidths=0.3, label=name) for name, colour in NETWORK_STATES]
        header(self.fig, f"Creator network: a sample of {len(sample.nodes)} creators", handles)
        self.counts = self.dynamic(ax.text(0.99, 0.98, "", ha="right", va="top", transform=ax.transAxes, fontsize=8))
        if not len(sample.nodes):
            ax.text(0.5, 0.5, "no human creators in this run", ha="center", va="center", transform=ax.transAxes)
            return
        ax.add_collection(LineCollection(sample.xy[sample.edges], colors="#bbbbbb", linewidths=0.4, zorder=1))
        self.nodes = self.dynamic(ax.scatter(sample.xy[:, 0], sample.xy[:, 1], s=22, edgecolors="#555555", linewidths=0.3, zorder=2))
        pad = 0.08
        lo, hi = sample.xy.min(axis=0), sample.xy.max(axis=0)
        ax.set(xlim=(lo[0] - pad, hi[0] + pad), ylim=(lo[1] - pad, hi[1] + 0.2))  # room for the counts

    def update(self, model):
        sample, pop = model.network, model.creators
        if not len(sample.nodes):
            return
        rows = pop.rows_of(sample.nodes)  # -1: the creator has left
        adopted = np.zeros(len(rows), bool)
        adopted[rows >= 0] = pop.adopted[rows[rows >= 0]]  # indexes nothing once every creator has left
        states = np.where(rows < 0, 2, np.where(adopted, 1, 0))
        self.nodes.set_facecolors([NETWORK_STATES[s][1] for s in states])
        self.counts.set_text(" · ".join(f"{name} {int((states == code).sum())}" for code, (name, _) in enumerate(NETWORK_STATES)))


class Generations(Chart):
    """For each model generation so far, the share of today's human culture it can still produce."""

    title = "Generations"

    def build(self, model):
        ax = self.ax = self.axes[0, 0]
        self.fig.subplots_adjust(left=0.11, right=0.98, bottom=0.14, top=0.8)
        self.bars = []
        self.grey = self.dynamic(ax.plot([], [], **GREY, marker="_", markersize=14, ls="", mew=2, label="baseline, same seed")[0])
        self.empty = self.dynamic(ax.text(0.5, 0.5, "no model has been trained", ha="center", va="center", transform=ax.transAxes))
        ax.set(ylim=(0, 1.02), xlabel="model generation", ylabel="share of today's human culture")
        ax.xaxis.set_major_locator(MaxNLocator(12, integer=True))
        horizon = max(1, model.config.run.steps) // model.config.ai.retrain_every + 1
        ax.set_xlim(0.4, horizon + 0.6)
        bars = ax.bar([], [], color=COLOURS[HUMAN], label="this run")
        header(self.fig, "Generations: human culture each can still produce", [bars, self.grey])

    def update(self, model):
        gens, cover = model.generations.coverage(model.culture.weights())
        for bar in self.bars:
            self.forget(bar)
        self.bars = self.ax.bar(gens, cover, color=COLOURS[HUMAN], width=0.7).patches
        for bar in self.bars:  # under the baseline's marks
            bar.set_animated(True)
        self._dynamic[:0] = self.bars
        self.grey.set_data(*model.baseline_generations.coverage(model.baseline_model.culture.weights()))
        self.empty.set_visible(not len(gens))


#: Every chart the page shows, in order.
CHARTS = (WhoWrites, Originality, ContentMap, RankFrequency, Network, Generations)


def chart(model, kind: type[Chart]) -> Chart:
    """The model's instance of a chart, built on first use."""
    views = model.__dict__.setdefault("_charts", {})
    if kind not in views:
        views[kind] = kind(model)
    return views[kind]
