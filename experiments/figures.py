"""The figures of a run and of a comparison, drawn with matplotlib's object API (no pyplot state)."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import matplotlib.colors
import matplotlib.ticker
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from experiments.comparison import HEADLINE, band
from experiments.calibration.posterior import worlds_text
from experiments.files import seeds_text

# Good enough to project: at least 150 dpi, legends at least 9 pt, every axis labelled, the
# scenario and seed(s) in every title, retraining marked, a log scale wherever a series
# collapses below a few percent of its peak.
DPI = 150
FONT = 10
LEGEND = 9
XLABEL = "month (step)"
#: Below this fraction of its peak a series is drawn on a log scale.
COLLAPSE = 0.05

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
    """Thin vertical lines at each retraining (multiples of ``ai.retrain_every``), one legend entry."""
    steps = np.arange(every, last_step + 1, every)
    if not 0 < len(steps) <= 40:  # more would be a grey wash, not a marker
        return
    for i, x in enumerate(steps):
        ax.axvline(x, color="0.55", lw=0.7, ls=(0, (2, 3)), zorder=0, gid="retraining", label=f"retraining (every {every} steps)" if i == 0 else None)


def _figure(figsize):
    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    return fig


def _finish(fig, path: Path) -> None:
    fig.savefig(path, dpi=DPI, bbox_inches="tight")


def _style(ax, title: str, ylabel: str, log: bool = False) -> None:
    if log:
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))  # 0.01, not 10^-2
    ax.set_title(title, fontsize=FONT + 1)
    ax.set_xlabel(XLABEL, fontsize=FONT)
    ax.set_ylabel(ylabel + (" (log scale)" if log else ""), fontsize=FONT)
    ax.tick_params(labelsize=FONT - 1)
    ax.grid(alpha=0.25, which="major")


def _from(ts, metric: str, window: int):
    """(steps, values) of ``metric`` from its :func:`first_step` on (from step 1 in a run too short to get there)."""
    start = first_step(metric, window)
    if start > ts["step"].max():
        start = min(1, start)
    rows = ts[ts["step"] >= start]
    return rows["step"].to_numpy(), rows[metric].to_numpy(float)


def positive(*series) -> bool:
    """Some value is finite and positive: a log axis can show it."""
    return any(np.any(np.isfinite(y) & (np.asarray(y, float) > 0)) for y in map(np.asarray, series))


def plot_shares(ts, path: Path, title: str = "", retrain_every: int = 0, window: int = 1) -> Figure:
    """Who writes the web: this step's items by source, the web and training sets; below, the human shares on a log scale."""
    fig = _figure((11, 8))
    top, bottom = fig.subplots(2, 1, gridspec_kw={"height_ratios": [3, 2]})
    steps, last = ts["step"].iloc[1:].to_numpy(), int(ts["step"].iloc[-1])
    body = ts.iloc[1:][["human_share_new", "assisted_share_new", "ai_share_new"]].fillna(0).T.to_numpy()
    top.stackplot(steps, body, labels=["human (new items)", "assisted (new items)", "AI (new items)"], colors=["#2b8cbe", "#a6bddb", "#e34a33"], alpha=0.85)
    top.plot(ts["step"], ts["human_share_web"], color="black", lw=2, label="human share of the whole web")
    # A step function: a training set holds until the next retraining. Drawn over the frame, so a share of 1 stays visible.
    top.plot(ts["step"], ts["human_share_training"], color="black", lw=2, ls="--", drawstyle="steps-post", label="human share of training sets", clip_on=False, zorder=5)
    top.set(xlim=(0, max(1, last)), ylim=(0, 1.06), yticks=np.linspace(0, 1, 6))
    mark_retraining(top, retrain_every, last)
    _style(top, "Who writes the web", "share")
    top.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=LEGEND, framealpha=0.9)

    shares = {"human_share_new": ("human share of new items", "#2b8cbe", "-", "default"),
              "human_share_training": ("human share of training sets", "black", "--", "steps-post"),
              "human_share_web": ("human share of the whole web", "0.45", "-", "default")}
    for metric, (label, color, ls, drawstyle) in shares.items():
        x, y = _from(ts, metric, window)
        bottom.plot(x, y, color=color, ls=ls, lw=2, drawstyle=drawstyle, label=label)
    bottom.set_xlim(0, max(1, last))
    mark_retraining(bottom, retrain_every, last)
    _style(bottom, "The human shares, on a log scale (a fall to 1% is as visible as one to 50%)", "human share", log=positive(ts["human_share_web"]))
    bottom.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=LEGEND, framealpha=0.9)
    fig.suptitle(title, fontsize=FONT + 3, fontweight="bold")
    fig.tight_layout()
    _finish(fig, path)
    return fig


def plot_originality(ts, path: Path, title: str = "", retrain_every: int = 0, window: int = 1) -> Figure:
    """Originality: the index, idea diversity, the tail and what models can still produce, and spread."""
    fig = _figure((13, 9))
    axes = fig.subplots(2, 2)
    last = int(ts["step"].iloc[-1])

    def draw(ax, metrics, title, ylabel, reference=None, log=None):
        lines = {m: _from(ts, m, window) for m in metrics if m in ts.columns}
        for metric, (x, y) in lines.items():
            label, color = metrics[metric]
            ax.plot(x, y, color=color, lw=2, label=label)
        if reference is not None:
            ax.axhline(reference[0], color="0.35", lw=1, ls=":", label=reference[1])
        values = [y for _, y in lines.values()]
        use_log = (collapses(*values) if log is None else log) and positive(*values)
        ax.set_xlim(0, max(1, last))
        mark_retraining(ax, retrain_every, last)
        _style(ax, title, ylabel, log=use_log)
        ax.legend(fontsize=LEGEND, framealpha=0.9, loc="best")

    draw(axes[0, 0], {"originality_index": ("originality index", "#d95f02")}, "Originality index",
         "tail share of recent items / tail share of culture", reference=(1.0, "human culture (the archive at step 0)"))
    ideas = {"effective_ideas_recent": ("effective ideas (exp entropy)", "#1b9e77"), "distinct_ideas_recent": ("distinct ideas", "#7570b3"),
             "ideas_rarefied": ("ideas in a sample (rarefied)", "#e7298a")}
    draw(axes[0, 1], ideas, f"Ideas among recent items (from step {window}, when the window is full)", "ideas", log=True)
    draw(axes[1, 0], {"tail_share_recent": ("tail share of recent items", "#e7298a"), "model_coverage": ("culture mass models can produce", "#66a61e")},
         "The tail, and what models can still produce", "share")
    spread = {"model_variance": ("model variance / human", "#e6ab02"), "dispersion_recent": ("dispersion of recent items / archive", "#a6761d")}
    draw(axes[1, 1], spread, "Spread in meaning space (1 = human writing)", "relative to human writing", reference=(1.0, "human writing"), log=False)
    fig.suptitle(title, fontsize=FONT + 3, fontweight="bold")
    fig.tight_layout()
    _finish(fig, path)
    return fig


def palette(names) -> dict[str, str]:
    """One colour per scenario, the reference (first) in black; the same for every figure of a comparison."""
    colours = ["black", *(c for m in ("tab10", "Dark2", "Set1") for c in matplotlib.colormaps[m].colors)]
    return {name: matplotlib.colors.to_hex(colours[i % len(colours)]) for i, name in enumerate(names)}


def plot_comparison(comparison, metric: str, path: Path, label: str | None = None) -> Figure:
    """One headline metric: each scenario's mean over seeds with its 95% band."""
    runs = comparison.runs
    first = next(iter(comparison.scenarios.values()))
    window, every = first.run.window, first.ai.retrain_every
    same_retraining = len({s.ai.retrain_every for s in comparison.scenarios.values()}) == 1
    b = band(runs, metric)
    b = b[b["step"] >= first_step(metric, window)]
    colours = palette(comparison.names)
    log = collapses(b["mean"])
    fig = _figure((11, 6.2))
    ax = fig.subplots()
    for name in comparison.names:
        rows = b[b["scenario"] == name]
        low = rows["low"].to_numpy(float)
        if log:  # a band reaching 0 cannot be drawn on a log axis: cut it at the smallest mean shown
            floor = np.nanmin(np.where(b["mean"] > 0, b["mean"], np.nan))
            low = np.where(low > 0, low, floor)
        ax.fill_between(rows["step"], low, rows["high"], color=colours[name], alpha=0.15, lw=0)
        ax.plot(rows["step"], rows["mean"], color=colours[name], lw=2.6 if name == comparison.names[0] else 1.8, label=name)
    last = int(runs["step"].max())
    ax.set_xlim(0, max(1, last))
    if same_retraining:
        mark_retraining(ax, every, last)
    what = label or HEADLINE.get(metric, metric)
    _style(ax, "", what, log=log)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=LEGEND, framealpha=0.9, title="scenario (mean, 95% band)", title_fontsize=LEGEND)
    names = comparison.names
    vs = f"{names[0]} against " + ", ".join(names[1:]) if len(names) > 1 else names[0]
    if len(vs) > 90:
        vs = f"{names[0]} against {len(names) - 1} other scenarios"
    worlds = worlds_text(comparison) if comparison.draws else seeds_text(comparison.seeds)
    ax.set_title(f"{what[0].upper() + what[1:]}\n{vs}; {worlds}", fontsize=FONT + 2)
    fig.tight_layout()
    _finish(fig, path)
    return fig
