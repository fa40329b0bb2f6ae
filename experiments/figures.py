"""The figures of a run and of a comparison, drawn with matplotlib's object API (no pyplot state)."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import matplotlib.colors
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from experiments import axes
from experiments.comparison import HEADLINE, MIN_WORLDS, band
from experiments.calibration.posterior import worlds_text
from experiments.files import seeds_text

# Good enough to project: at least 150 dpi, legends at least 9 pt, every axis labelled, the
# scenario and seed(s) in every title, retraining marked, a log scale wherever a series
# collapses below a few percent of its peak, shares and indices from 0 (or a marked break),
# whole-number step ticks, plain numbers on log axes. Layouts are fixed (no tight bounding box,
# which draws a figure twice) and PNGs lightly compressed: the two figures of a run at the
# reference scale are drawn in well under a second (benchmarks/figure_speed.py).
DPI = 150
FONT = 10
LEGEND = 9
XLABEL = "month (step)"
SOURCE_COLOURS = ["#2b8cbe", "#a6bddb", "#e34a33"]  # human, assisted, AI
#: Below this fraction of its peak a series is drawn on a log scale.
COLLAPSE = 0.05
PNG = {"compress_level": 1}  # zlib's fastest level: a third of the encoding time, files about 30% larger

#: Metrics of one step's new items: step 0 is the archive, not a step, so they start at step 1.
PER_STEP = {"items_new", "human_share_new", "assisted_share_new", "ai_share_new", "new_ideas", "ai_attention_share"}
#: Counts over the recent window grow with the number of items in it; drawn once the window is full.
SIZE_DEPENDENT = {"distinct_ideas_recent", "effective_ideas_recent"}
#: Other metrics of the recent window: at step 0 the window is the archive, so they start at step 1.
RECENT = {"simpson_recent", "tail_share_recent", "originality_index", "dispersion_recent", "ideas_rarefied"}


def first_step(metric: str, window: int) -> int:
    """The first step at which ``metric`` means what it means later in the run.

    Step 0 is the archive: its "new items" and "recent items" are the whole pre-AI web, a
    different quantity from any later step's. Counts of distinct ideas also grow while the
    recent window fills (steps 1..window), so they start when it is full.
    """
    if metric in SIZE_DEPENDENT:
        return window
    return 1 if metric in PER_STEP | RECENT else 0


def collapses(*series) -> bool:
    """True if the positive values span more than 1/COLLAPSE: a linear axis would show the low end as 0."""
    values = np.concatenate([np.asarray(s, float).ravel() for s in series])
    values = values[np.isfinite(values) & (values > 0)]
    return len(values) > 1 and values.min() < COLLAPSE * values.max()


def mark_retraining(ax, every: int, last_step: int) -> None:
    """Thin vertical lines at each retraining (multiples of ``ai.retrain_every``), one collection, one legend entry."""
    steps = np.arange(every, last_step + 1, every) if every > 0 else np.zeros(0)
    if not 0 < len(steps) <= 40:  # more would be a grey wash, not a marker
        return
    ax.vlines(steps, 0, 1, transform=ax.get_xaxis_transform(), color="0.55", lw=0.7, linestyles=(0, (2, 3)), zorder=0,
              gid="retraining", label=f"retraining (every {every} steps)")


def _figure(figsize, **adjust):
    fig = Figure(figsize=figsize, dpi=DPI)
    FigureCanvasAgg(fig)
    fig.subplots_adjust(**adjust)
    return fig


def _finish(fig, path: Path) -> None:
    fig.savefig(path, dpi=DPI, pil_kwargs=PNG)


def _style(ax, title: str, ylabel: str, log: bool = False, last: int | None = None) -> None:
    if log:
        ax.set_yscale("log")
        axes.plain_log(ax.yaxis)
    if last is not None:  # a run of no step is one point, at step 0 in the middle
        ax.set_xlim(*((0, last) if last > 0 else (-0.5, 0.5)))
    axes.whole_ticks(ax.xaxis)
    ax.set_title(title, fontsize=FONT + 1)
    ax.set_xlabel(XLABEL, fontsize=FONT)
    ax.set_ylabel(ylabel + (" (log scale)" if log else ""), fontsize=FONT)
    ax.tick_params(labelsize=FONT - 1)
    ax.grid(alpha=0.25, which="major")


def _from(ts, metric: str, window: int):
    """(steps, values) of ``metric`` from its :func:`first_step` on (from step 1 in a run too short to get there,
    and step 0, the archive, in a run of no step)."""
    start, last = first_step(metric, window), int(ts["step"].max())
    if start > last:
        start = min(1, start, last)
    rows = ts[ts["step"] >= start]
    return rows["step"].to_numpy(), rows[metric].to_numpy(float)


def positive(*series) -> bool:
    """Some value is finite and positive: a log axis can show it."""
    return any(np.any(np.isfinite(y) & (np.asarray(y, float) > 0)) for y in map(np.asarray, series))


def _nothing_yet(ax, what: str) -> None:
    ax.text(0.5, 0.5, what, transform=ax.transAxes, ha="center", va="center", fontsize=FONT, color="0.35")


def _legend_right(ax) -> None:
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=LEGEND, framealpha=0.9)


def plot_shares(ts, path: Path, title: str = "", retrain_every: int = 0, window: int = 1) -> Figure:
    """Who writes the web: this step's items by source, the web and training sets; below, the human shares on a log scale."""
    fig = _figure((11, 7.5), left=0.07, right=0.71, bottom=0.075, top=0.9, hspace=0.35)
    top, bottom = fig.subplots(2, 1, gridspec_kw={"height_ratios": [3, 2]})
    steps, last = ts["step"].iloc[1:].to_numpy(), int(ts["step"].iloc[-1])
    body = ts.iloc[1:][["human_share_new", "assisted_share_new", "ai_share_new"]].fillna(0).T.to_numpy()
    if len(steps) == 1:  # one step: bars, since an area of one point has no width
        bottoms = np.r_[0, np.cumsum(body[:, 0])[:-1]]
        for value, base, label, colour in zip(body[:, 0], bottoms, ("human (new items)", "assisted (new items)", "AI (new items)"), SOURCE_COLOURS):
            top.bar(steps, [value], bottom=[base], width=0.4, color=colour, alpha=0.85, label=label)
    elif len(steps):
        top.stackplot(steps, body, labels=["human (new items)", "assisted (new items)", "AI (new items)"], colors=SOURCE_COLOURS, alpha=0.85)
    else:
        _nothing_yet(top, "no step run: step 0 is the archive, before any new item")
    axes.series(top, ts["step"], ts["human_share_web"], color="black", lw=2, label="human share of the whole web")
    # A step function: a training set holds until the next retraining. Drawn over the frame, so a share of 1 stays visible.
    axes.series(top, ts["step"], ts["human_share_training"], color="black", lw=2, ls="--", drawstyle="steps-post", label="human share of training sets",
                clip_on=False, zorder=5)
    top.set(ylim=(0, 1.06), yticks=np.linspace(0, 1, 6))
    mark_retraining(top, retrain_every, last)
    _style(top, "Who writes the web", "share", last=last)
    _legend_right(top)

    shares = {"human_share_new": ("human share of new items", SOURCE_COLOURS[0], "-", "default"),
              "human_share_training": ("human share of training sets", "black", "--", "steps-post"),
              "human_share_web": ("human share of the whole web", "0.45", "-", "default")}
    drawn = []
    for metric, (label, color, ls, drawstyle) in shares.items():
        x, y = _from(ts, metric, window)
        axes.series(bottom, x, y, color=color, ls=ls, lw=2, drawstyle=drawstyle, label=label)
        drawn.append(y)
    mark_retraining(bottom, retrain_every, last)
    log = positive(*drawn)
    _style(bottom, "The human shares, on a log scale (a fall to 1% is as visible as one to 50%)", "human share", log=log, last=last)
    if not log:
        axes.from_zero(bottom, *drawn, top=1.0)
    _legend_right(bottom)
    fig.suptitle(title, fontsize=FONT + 3, fontweight="bold")
    _finish(fig, path)
    return fig


def plot_originality(ts, path: Path, title: str = "", retrain_every: int = 0, window: int = 1) -> Figure:
    """Originality: the index, idea diversity, the tail and what models can still produce, and spread.

    Shares and indices are drawn from 0 (a 1% wobble looks like one), unless they collapse below a
    few percent of their peak, where a log scale shows the fall.
    """
    fig = _figure((12, 8.5), left=0.07, right=0.98, bottom=0.07, top=0.9, hspace=0.42, wspace=0.22)
    panels = fig.subplots(2, 2)
    last = int(ts["step"].iloc[-1])

    def draw(ax, metrics, title, ylabel, reference=None, log=None, legend="lower left"):
        lines = {m: _from(ts, m, window) for m in metrics if m in ts.columns}
        for metric, (x, y) in lines.items():
            label, color = metrics[metric]
            axes.series(ax, x, y, color=color, lw=2, label=label)
        if reference is not None:
            ax.axhline(reference[0], color="0.35", lw=1, ls=":", label=reference[1])
        values = [y for _, y in lines.values()]
        use_log = (collapses(*values) if log is None else log) and positive(*values)
        mark_retraining(ax, retrain_every, last)
        _style(ax, title, ylabel, log=use_log, last=last)
        if not use_log:
            axes.from_zero(ax, *values, top=reference[0] if reference else None)
        ax.legend(fontsize=LEGEND, framealpha=0.9, loc=legend)

    draw(panels[0, 0], {"originality_index": ("originality index", "#d95f02")}, "Originality index",
         "tail share of recent items / tail share of culture", reference=(1.0, "human culture (the archive at step 0)"))
    ideas = {"effective_ideas_recent": ("effective ideas (exp entropy)", "#1b9e77"), "distinct_ideas_recent": ("distinct ideas", "#7570b3"),
             "ideas_rarefied": ("ideas in a sample (rarefied)", "#e7298a")}
    draw(panels[0, 1], ideas, f"Ideas among recent items (from step {window}, when the window is full)", "ideas", log=True, legend="center right")
    draw(panels[1, 0], {"tail_share_recent": ("tail share of recent items", "#e7298a"), "model_coverage": ("culture mass models can produce", "#66a61e")},
         "The tail, and what models can still produce", "share", legend="center left")
    spread = {"model_variance": ("model variance / human", "#e6ab02"), "dispersion_recent": ("dispersion of recent items / archive", "#a6761d")}
    draw(panels[1, 1], spread, "Spread in meaning space (1 = human writing)", "relative to human writing", reference=(1.0, "human writing"), log=False)
    fig.suptitle(title, fontsize=FONT + 3, fontweight="bold")
    _finish(fig, path)
    return fig


def palette(names) -> dict[str, str]:
    """One colour per scenario, the reference (first) in black; the same for every figure of a comparison."""
    colours = ["black", *(c for m in ("tab10", "Dark2", "Set1") for c in matplotlib.colormaps[m].colors)]
    return {name: matplotlib.colors.to_hex(colours[i % len(colours)]) for i, name in enumerate(names)}


def plot_comparison(comparison, metric: str, path: Path, label: str | None = None) -> Figure:
    """One headline metric: each scenario's mean over worlds with its range over them (5th to 95th percentile,
    :func:`experiments.comparison.band`; no band with fewer than :data:`~experiments.comparison.MIN_WORLDS` worlds)."""
    first = next(iter(comparison.scenarios.values()))
    window, every = first.run.window, first.ai.retrain_every
    same_retraining = len({s.ai.retrain_every for s in comparison.scenarios.values()}) == 1
    series = comparison.series(metric)
    last = int(series["step"].max())
    b = band(series, metric)
    b = b[b["step"] >= first_step(metric, window)]
    colours = palette(comparison.names)
    log = collapses(b["mean"])
    fig = _figure((11, 6.2), left=0.08, right=0.74, bottom=0.1, top=0.86)
    ax = fig.subplots()
    for name in comparison.names:
        rows = b[b["scenario"] == name]
        low = rows["low"].to_numpy(float)
        if log:  # a band reaching 0 cannot be drawn on a log axis: cut it at the smallest mean shown
            floor = np.nanmin(np.where(b["mean"] > 0, b["mean"], np.nan))
            low = np.where(low > 0, low, floor)
        if np.isfinite(rows["high"].to_numpy(float)).any():  # no band where there are too few worlds for a range
            ax.fill_between(rows["step"], low, rows["high"], color=colours[name], alpha=0.15, lw=0)
        axes.series(ax, rows["step"], rows["mean"], color=colours[name], lw=2.6 if name == comparison.names[0] else 1.8, label=name)
    if same_retraining:
        mark_retraining(ax, every, last)
    what = label or HEADLINE.get(metric, metric)
    _style(ax, "", what, log=log, last=last)
    if not log:  # from 0, or a marked break where every scenario sits in a narrow band far from 0
        axes.zero_or_break(ax, b["low"], b["high"], b["mean"], label=what)
    worlds = int(b["n"].min()) if len(b) else 0
    shading = "band: 5th-95th percentile" if worlds >= MIN_WORLDS else f"no band: {worlds} worlds,\na range needs {MIN_WORLDS}"
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=LEGEND, framealpha=0.9, title=f"scenario (line: mean of\nthe worlds; {shading})",
              title_fontsize=LEGEND)
    names = comparison.names
    vs = f"{names[0]} against " + ", ".join(names[1:]) if len(names) > 1 else names[0]
    if len(vs) > 90:
        vs = f"{names[0]} against {len(names) - 1} other scenario{'s' * (len(names) > 2)}"
    worlds = worlds_text(comparison) if comparison.draws else seeds_text(comparison.seeds)
    ax.set_title(f"{what[0].upper() + what[1:]}\n{vs}; {worlds}", fontsize=FONT + 2)
    _finish(fig, path)
    return fig
