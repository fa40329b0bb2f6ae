"""Axes that tell the truth, for every figure: a run's, a comparison's (the brief's) and the visual server's.

* Shares and indices start at 0, or the axis is visibly broken (a mark on the axis) and its
  label says where it starts (:func:`zero_or_break`).
* Log axes print plain numbers: 0.001, 0.5, 2,000; never 10^-3 or 9x10^-1 (:func:`plain_log`).
* Steps and generations get whole-number ticks (:func:`whole_ticks`).
* A series of one point is drawn as a point (:func:`series`): a run of ``--steps 0`` shows something.
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import LogFormatter, MaxNLocator

#: When all values lie within this fraction of the highest, a comparison's axis is broken rather than
#: started at 0 (a narrow band far from 0, where a 0-based axis would flatten the differences to nothing).
BREAK_SPAN = 0.2
#: Room above the highest value.
HEADROOM = 0.08


def plain_number(x: float) -> str:
    """0.001, 0.5, 3, 2,000: positional notation, no exponent."""
    if x >= 1000:
        return f"{x:,.0f}"
    if x >= 1 and float(x).is_integer():
        return f"{x:.0f}"
    return np.format_float_positional(x, precision=6, trim="-")


class PlainLogFormatter(LogFormatter):
    """matplotlib's choice of which log ticks to label, in plain numbers."""

    def __call__(self, x, pos=None):
        return plain_number(x) if super().__call__(x, pos) else ""


def plain_log(axis) -> None:
    """Plain labels on a log axis (``ax.xaxis`` or ``ax.yaxis``), on major and minor ticks alike."""
    axis.set_major_formatter(PlainLogFormatter())
    axis.set_minor_formatter(PlainLogFormatter(minor_thresholds=(1, 0.4)))


def whole_ticks(axis, n: int = 8) -> None:
    """Ticks at whole numbers only (steps, generations)."""
    axis.set_major_locator(MaxNLocator(n, integer=True, min_n_ticks=1))


def finite(*series) -> np.ndarray:
    values = [np.asarray(s, float).ravel() for s in series]
    values = np.concatenate(values) if values else np.zeros(0)
    return values[np.isfinite(values)]


def from_zero(ax, *series, top: float | None = None) -> None:
    """A y axis from 0 to the highest value (or ``top``, whichever is higher), with a little headroom."""
    values = finite(*series)
    high = max([top or 0.0, *(values.max(initial=0.0),)])
    ax.set_ylim(0, high * (1 + HEADROOM) if high > 0 else 1)


def zero_or_break(ax, *series, label: str = "") -> bool:
    """From 0, unless every value sits in a narrow band far from 0: then a broken axis, marked and labelled.

    Returns True when the axis is broken. The break is drawn as two slanted strokes on the
    axis's foot and the label gains "(axis from LOW, not 0)".
    """
    values = finite(*series)
    if not len(values) or values.min() <= 0 or values.max() - values.min() > BREAK_SPAN * values.max():
        from_zero(ax, values)
        if label:
            ax.set_ylabel(label)
        return False
    low, high = values.min(), values.max()
    span = max(high - low, 1e-3 * high)
    bottom = max(0.0, low - 0.25 * span)
    ax.set_ylim(bottom, high + 0.15 * span)
    strokes = dict(marker=[(-1, -0.5), (1, 0.5)], markersize=12, linestyle="none", color="black", mew=1.2, clip_on=False, zorder=10)
    ax.plot([0, 0], [0.015, 0.045], transform=ax.transAxes, **strokes)
    ax.set_ylabel(f"{label} (axis from {bottom:.3g}, not 0)" if label else f"axis from {bottom:.3g}, not 0")
    return True


def series(ax, x, y, **style):
    """``ax.plot`` that shows a lone point as a point (a line of one point draws nothing)."""
    x, y = np.asarray(x), np.asarray(y, float)
    if np.isfinite(y).sum() == 1 and "marker" not in style:
        style = {**style, "marker": "o", "markersize": max(6.0, 2.5 * style.get("lw", style.get("linewidth", 2)))}
    return ax.plot(x, y, **style)
