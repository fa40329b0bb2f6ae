"""Every figure's axes tell the truth: a run's, a text run's and a comparison's (the brief's).

Shares and indices start at 0 or show a marked break, log axes print plain numbers, steps and
generations get whole-number ticks, titles name the scenario and seed, and a run of no step
still shows its one point.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from experiments import axes, compare, figures, library, report, text_report
from experiments.runner import run as run_scenario
from model.scenario import load

#: What matplotlib writes for a power of ten or a coefficient times one ("10^{-3}", "9x10^-1", "1e-05").
EXPONENT = re.compile(r"\^|\\times|\$|e[-+]\d")


def small(**extra):
    return library.quick("baseline").with_overrides(extra) if extra else library.quick("baseline")


def tick_labels(axis) -> list[str]:
    labels = [t.get_text() for t in axis.get_ticklabels(which="both")]
    return [label for label in labels if label]


def assert_honest(fig, title_has=()):
    """The checks every figure passes; returns nothing, fails with the offending axes' title."""
    title = fig._suptitle.get_text() if fig._suptitle is not None else ""
    titles = " ".join([title, *(ax.get_title() for ax in fig.axes)])
    for words in title_has:
        assert words in titles, (words, titles)
    fig.canvas.draw()  # tick labels exist once drawn
    for ax in fig.axes:
        name = ax.get_title() or title
        for axis, scale in ((ax.xaxis, ax.get_xscale()), (ax.yaxis, ax.get_yscale())):
            for label in tick_labels(axis):
                assert not EXPONENT.search(label), (name, label)
            if scale == "log":
                assert axis.get_label_text().endswith("(log scale)") or "log" in axis.get_label_text(), (name, axis.get_label_text())
        if ax.get_yscale() == "linear" and ax.get_yticks().size:
            bottom = ax.get_ylim()[0]
            assert bottom <= 0 or "not 0)" in ax.get_ylabel(), (name, ax.get_ylim(), ax.get_ylabel())
        if "step" in ax.get_xlabel() or "generation" in ax.get_xlabel():
            ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
            assert ticks and all(float(t).is_integer() for t in ticks), (name, ticks)


def visible_points(ax) -> int:
    """Data an eye can see on ``ax``: points of lines with two or more vertices, or a line with a marker, or filled areas and bars."""
    seen = 0
    for line in ax.get_lines():
        n = np.isfinite(np.asarray(line.get_ydata(), float)).sum()
        if n >= 2 or (n == 1 and line.get_marker() not in (None, "", "None", " ")):
            seen += n
    return seen + len(ax.patches) + sum(len(c.get_paths()) for c in ax.collections if c.get_gid() != "retraining")


@pytest.fixture(scope="module")
def quick_run():
    return run_scenario(small(), seed=2)


def test_plain_numbers_on_log_axes():
    assert [axes.plain_number(x) for x in (0.001, 0.5, 0.9, 1.0, 3.0, 2000.0, 1e-5)] == ["0.001", "0.5", "0.9", "1", "3", "2,000", "0.00001"]


def test_run_figures_are_honest(quick_run, tmp_path):
    opts = {"title": "baseline · seed 2", "retrain_every": quick_run.scenario.ai.retrain_every, "window": quick_run.scenario.run.window}
    for fig in (figures.plot_shares(quick_run.timeseries, tmp_path / "s.png", **opts),
                figures.plot_originality(quick_run.timeseries, tmp_path / "o.png", **opts)):
        assert_honest(fig, title_has=("baseline", "seed 2"))
    # the case: an index near 1 and a spread near 1 are drawn from 0, not from 0.75 or 0.985
    originality = figures.plot_originality(quick_run.timeseries, tmp_path / "o.png", **opts)
    index, _, tail, spread = originality.axes
    assert index.get_ylim()[0] == 0 and spread.get_ylim()[0] == 0 and tail.get_ylim()[0] == 0


def test_a_run_of_no_step_shows_a_point_in_every_panel(tmp_path):
    result = run_scenario(small(**{"run.steps": 0}), seed=1)
    written = report.write(result, tmp_path / "out", label="quick")
    assert {"shares.png", "originality.png"} <= {p.name for p in written}
    opts = {"title": "quick · seed 1", "retrain_every": 6, "window": 4}
    shares = figures.plot_shares(result.timeseries, tmp_path / "s.png", **opts)
    originality = figures.plot_originality(result.timeseries, tmp_path / "o.png", **opts)
    for fig in (shares, originality):
        assert_honest(fig, title_has=("quick", "seed 1"))
        for ax in fig.axes:
            assert visible_points(ax) >= 1, ax.get_title()
    assert any("no step run" in t.get_text() for t in shares.axes[0].texts)  # says why there is no area


def test_text_figures_are_honest_and_name_the_run(tmp_path):
    scenario = load(library.LIBRARY / "text_baseline.toml").with_overrides(
        {"run.steps": 12, "humans.count": 60, "world.archive_items": 1500, "ai.train_size": 600, "ai.retrain_every": 3, "run.window": 3}
    )
    result = run_scenario(scenario, seed=3)
    rank = text_report.plot_rank_frequency(result.text, tmp_path / "r.png", "text_baseline · seed 3")
    perplexity = text_report.plot_perplexity(result.timeseries, result.text, tmp_path / "p.png", "text_baseline · seed 3")
    for fig in (rank, perplexity):
        assert_honest(fig, title_has=("text_baseline", "seed 3"))
    generations = perplexity.axes[1]
    assert len(result.text["perplexities"]) >= 4 and all(float(t).is_integer() for t in generations.get_xticks())
    assert rank.axes[0].get_xscale() == rank.axes[0].get_yscale() == "log"


def test_comparison_axes_start_at_zero_or_show_a_marked_break(tmp_path):
    base = small(**{"run.steps": 12})
    comparison = compare.compare({"baseline": base, "accumulate": base.with_overrides({"policy.data_regime": "accumulate"})}, seeds=[1, 2], jobs=1)
    broken = 0
    for metric in comparison.metrics:
        fig = figures.plot_comparison(comparison, metric, tmp_path / f"{metric}.png")
        assert_honest(fig, title_has=("baseline", "accumulate", "seeds 1"))
        ax = fig.axes[0]
        if "not 0)" in ax.get_ylabel():
            broken += 1
            strokes = [line for line in ax.get_lines() if line.get_marker() is not None and not line.get_clip_on()]
            assert strokes, metric  # the break is drawn on the axis, not only written
            low, high = ax.get_ylim()
            assert f"axis from {low:.3g}, not 0" in ax.get_ylabel()
            assert low > 0.7 * high, metric  # a break only where the values sit in a narrow band far from 0
    assert broken < len(comparison.metrics)  # most metrics start at 0


def test_zero_or_break_starts_at_zero_unless_the_values_sit_in_a_narrow_band():
    from matplotlib.figure import Figure

    ax = Figure().subplots()
    assert not axes.zero_or_break(ax, [0.2, 0.9], label="share") and ax.get_ylim()[0] == 0
    ax = Figure().subplots()
    assert axes.zero_or_break(ax, [0.87, 0.94], label="coverage")
    assert 0.8 < ax.get_ylim()[0] < 0.87 and ax.get_ylabel().startswith("coverage (axis from 0.")
