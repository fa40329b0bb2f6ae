"""What every chart on the page shares: a figure built once and redrawn fast, its fonts, colours and exports.

Each chart builds its ``Figure`` (never pyplot, so nothing is shared between sessions) once
per model and then only moves its lines and points: building axes costs more than drawing
them, and a presenter presses Step many times. Every chart is drawn at one width,
:data:`WIDTH_PX`, in type no smaller than :data:`MIN_FONT_PX`; the page never shows a chart
narrower than :data:`MIN_SHOWN_PX`, so no text reaches the screen under about 12 px
(``MIN_FONT_PX * MIN_SHOWN_PX / WIDTH_PX``). The first run is drawn in blue, the second in orange.
"""

from __future__ import annotations

import io
import textwrap
import threading

import numpy as np
import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple
from matplotlib.patches import Patch

from experiments import axes as honest
from model.web import AI, ASSISTED, HUMAN
from viz.band import label as band_label
from viz.band import label_text as band_label_text

DPI = 100
WIDTH = 7.2  # inches: every chart is WIDTH * DPI pixels wide
WIDTH_PX = int(WIDTH * DPI)
FONT = 11  # points: ticks, labels, legends
TITLE = 13
MIN_FONT_PX = FONT * DPI / 72
#: The narrowest the page shows a chart (its CSS grid's column minimum): type stays at least 12 px on screen.
MIN_SHOWN_PX = int(np.ceil(12 / MIN_FONT_PX * WIDTH_PX))
#: A PNG export is this many pixels wide: a 1920 x 1080 projector's width.
EXPORT_PX = 1920
#: Projector mode draws each chart on a figure this much smaller, in the same type and at the same pixel width: its
#: type is 1 / PROJECTOR_SCALE times larger on screen (20.4 px in a chart shown 720 px wide).
PROJECTOR_SCALE = 0.75
PROJECTOR_FONT_PX = MIN_FONT_PX / PROJECTOR_SCALE
PROJECTOR_ROOM = 0.8  # inches: a projector chart is this much taller than the normal one scaled, for its legend
#: At most this many legend entries a chart in projector mode (the full legend is in the normal view).
PROJECTOR_LEGEND = 6

COLOURS = {HUMAN: "#1f4e79", ASSISTED: "#7fb3e0", AI: "#d62728"}
SOURCE_NAMES = {HUMAN: "human", ASSISTED: "assisted", AI: "AI"}
FIRST, SECOND = "#1f4e79", "#e66101"  # the two runs: blue, orange
GAP = dict(color="#9e9ac8", alpha=0.35, lw=0)  # the shading between the two runs' lines: their difference
#: The difference over the bands of plausible worlds: hatched, so it does not mix with the bands' tints.
GAP_OVER_BANDS = dict(facecolor="none", edgecolor="#54278f", hatch="|||", lw=0, alpha=0.55)
BAND_ALPHA = 0.2  # the band of plausible worlds behind a run's line, in the run's colour
STEP_LABEL = "step (month)"
# JPEG at high quality without chroma subsampling: encoding takes a few ms where PNG takes tens,
# at a similar size, and lines stay crisp.
FORMAT = "jpeg"


class Chart:
    """A figure built once for a model, then updated in place and drawn as an image.

    What changes from step to step (lines, points, bars, a few labels) is
    registered with :meth:`dynamic`; the rest, axes and labels included, is drawn once
    and kept as a bitmap until an axis range or scale changes. Ranges therefore only
    grow (see :func:`grow`), so most steps redraw only what moved.
    """

    title = ""
    height = 5.0  # inches
    grid = (1, 1)
    slug = "chart"  # the export's file name
    banded = False  # draws the band of plausible worlds behind its lines (viz/band.py)

    def __init__(self, model, bands=(), projector: bool = False):
        self.bands = tuple(bands) if self.banded else ()  # one per run shown, or none
        self.projector = projector
        # The same pixel width either way; in projector mode fewer inches of figure, so the same points of type are larger in it.
        self.fig = Figure(figsize=self.size(projector), dpi=DPI / PROJECTOR_SCALE if projector else DPI)
        self.canvas = FigureCanvasAgg(self.fig)
        self.axes = self.fig.subplots(*self.grid, squeeze=False)
        self.lock = threading.Lock()  # the play thread and a download may draw at once
        self._dynamic: list = []
        self._frame = None  # (axis ranges, background bitmap)
        self.build(model)

    @classmethod
    def size(cls, projector: bool = False) -> tuple[float, float]:
        """(width, height) in inches; in projector mode a little taller for its larger legend."""
        if projector:
            return WIDTH * PROJECTOR_SCALE, cls.height * PROJECTOR_SCALE + PROJECTOR_ROOM
        return WIDTH, cls.height

    @classmethod
    def aspect(cls, projector: bool = False) -> float:
        width, height = cls.size(projector)
        return width / height

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
        """The figure, updated to the model's current state and fully drawn (for export and tests)."""
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

    def png(self, model, width: int = EXPORT_PX) -> bytes:
        """The chart as a PNG ``width`` pixels wide (the same picture, every line and letter scaled up)."""
        with self.lock:
            fig = self.figure(model)
            for artist in self._dynamic:  # savefig draws afresh: the moving parts must be in it
                artist.set_animated(False)
            out = io.BytesIO()
            line = getattr(fig, "runs_line", None)
            shown = line.get_text() if line is not None else ""
            if line is not None:  # a picture on its own says when it was taken: the runs, the seed and the month
                line.set_text(f"{shown} · month {model.steps} of {model.config.run.steps}")
            try:
                fig.savefig(out, format="png", dpi=fig.dpi * width / WIDTH_PX)
            finally:
                if line is not None:
                    line.set_text(shown)
                for artist in self._dynamic:
                    artist.set_animated(True)
                self._frame = None
            return out.getvalue()


def frame(fig: Figure, top: float, left: float = 0.85, bottom: float = 0.62, right: float = 0.2, **spacing) -> None:
    """Margins in inches (a fixed layout: the chart never shifts as its numbers change)."""
    w, h = fig.get_size_inches()
    fig.subplots_adjust(left=left / w, right=1 - right / w, bottom=bottom / h, top=1 - top / h, **spacing)


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


def style(ax, xlabel: str = "", ylabel: str = "", title: str = "") -> None:
    """Every label and tick of ``ax`` in the chart's type size."""
    if xlabel:
        ax.set_xlabel(xlabel, fontsize=FONT)
    if ylabel:
        ax.set_ylabel(ylabel, fontsize=FONT)
    if title:
        ax.set_title(title, fontsize=FONT, pad=4)
    ax.tick_params(labelsize=FONT, which="both")


def time_axis(ax, model, ylabel: str, title: str = "") -> None:
    """The whole horizon along x, whole-number steps, y from 0."""
    horizon = max(1, model.config.run.steps)
    ax.set(xlim=(0, horizon * 1.025), ylim=(0, 1))  # room for the dot on the last step: inside the axes, not cut in half
    honest.whole_ticks(ax.xaxis, 5)
    style(ax, STEP_LABEL, ylabel, title)


def _wrap_width(fig: Figure, ncols: int) -> int:
    """Characters of legend text that fit a legend column of ``fig`` (an average letter is about 0.55 em wide)."""
    em = FONT / 72
    column = fig.get_size_inches()[0] / ncols - (1.8 + 0.8 + 1.2) * em  # less the handle, its pad and the column spacing
    return max(12, int(column / (0.53 * em)))


def wrapped(labels, fig: Figure, ncols: int) -> list[str]:
    """Legend labels wrapped to their column's width, so a long name breaks onto a second line instead of being cut off."""
    width = _wrap_width(fig, ncols)
    return ["\n".join(textwrap.wrap(label, width, break_on_hyphens=False)) or label for label in labels]


def header_height(entries, ncols: int, fig: Figure | None = None) -> float:
    """Inches above the axes for the title, the runs' line and a legend of ``entries`` in ``ncols`` columns.

    ``entries`` is a count, or the labels themselves with ``fig``: then each label's wrapped lines count.
    """
    if isinstance(entries, int):
        lines = -(-entries // ncols)
    else:
        heights = [label.count("\n") + 1 for label in wrapped(entries, fig, ncols)]
        per_column = -(-len(heights) // ncols)  # the legend fills its columns top to bottom
        lines = max((sum(heights[i:i + per_column]) for i in range(0, len(heights), per_column)), default=0)
    return 0.72 + 0.27 * lines + 0.12


def legend_labels(handles) -> list[str]:
    return [(h[0] if isinstance(h, tuple) else h).get_label() for h in handles]


def header(fig: Figure, title: str, runs: str, handles, labels=None, ncols: int = 2) -> None:
    """The chart's title, the runs it shows and its legend above its axes, where the moving parts never cover them.

    Drawn once with the background: redrawing a legend every step costs more than the data. Labels wrap to their column.
    """
    h = fig.get_size_inches()[1]
    fig.suptitle(title, fontsize=TITLE, y=1 - 0.06 / h, va="top", fontweight="bold")
    fig.runs_line = fig.text(0.5, 1 - 0.34 / h, runs, ha="center", va="top", fontsize=FONT, wrap=True)  # an export adds the month
    labels = wrapped(labels if labels is not None else legend_labels(handles), fig, ncols)
    fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 1 - 0.62 / h), ncols=ncols, fontsize=FONT, frameon=False,
               handlelength=1.8, columnspacing=1.2, labelspacing=0.3, borderaxespad=0, handler_map={tuple: HandlerTuple(ndivide=None, pad=0)})


def band_handle(chart: Chart, styles=None) -> list:
    """The legend entry of the chart's bands: a swatch per run, side by side, in the run's colour or ``styles`` (none without bands)."""
    if not chart.bands:
        return []
    styles = styles or [dict(color=c, alpha=BAND_ALPHA * 2, lw=0) for c in (FIRST, SECOND)]
    handle = tuple(Patch(**style_) for style_ in styles[: len(chart.bands)])
    handle[0].set_label(band_label(chart.bands[0]))
    return [handle]


def run_lines(ax, model, **style_):
    """The two runs' lines on ``ax`` (blue, orange), each with a dot at its latest point; the second only if it is another run."""
    first = ax.plot([], [], color=FIRST, lw=2.2, marker="o", markevery=[-1], markersize=5, label=model.label, **style_)[0]
    second = ax.plot([], [], color=SECOND, lw=2.0, marker="o", markevery=[-1], markersize=5, label=model.other_label, **style_)[0] if model.other is not None else None
    return first, second


def set_line(line, x, y) -> None:
    """Data for a run's line (its dot marks the latest point, so a single step shows)."""
    if line is not None:
        line.set_data(x, y)
        line.set_markevery([len(x) - 1] if len(x) else None)


def band_room(chart: Chart) -> list[str]:
    """A banded chart keeps a legend entry's room for its band before the band arrives, so the chart does not jump when it does."""
    return [band_label_text()] if chart.banded and not chart.bands else []


def run_band(chart: Chart, ax, run: int, metric: str, step: int, first: int = 0, **style_):
    """Run ``run``'s band of ``metric`` up to ``step``, as a dynamic artist drawn before every line (None if it has none)."""
    band = chart.bands[run] if run < len(chart.bands) else None
    if band is None or metric not in band.low:
        return None
    x, low, high = band.upto(metric, step, first)
    style_ = style_ or dict(color=(FIRST, SECOND)[run], alpha=BAND_ALPHA, lw=0)
    poly = chart.dynamic(ax.fill_between(x, low, high, zorder=1.5, **style_))
    chart._dynamic.remove(poly)
    return poly
