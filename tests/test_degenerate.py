"""Degenerate worlds run to the end, never write inf, and leave a metric empty exactly where it is undefined.

Each case is a tiny world pushed to an edge (nobody writes, everyone leaves, nothing to learn
from, one idea, one dimension, a temperature or nucleus near 0, ...). Every case is checked
for the invariants every run keeps, then for what that edge must show.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from experiments import report
from model.ecosystem import COLUMNS, ContentEcosystem
from experiments.runner import run
from model.scenario import Scenario

BASE = {
    "run.steps": 12,
    "run.rarefy": 50,
    "world.dim": 2,
    "world.archive_items": 500,
    "humans.count": 40,
    "ai.models": 2,
    "ai.train_size": 200,
    "ai.retrain_every": 3,
    "ai.items_per_step": 20.0,
    "platform.attention": 1.25,
}
SHARES = ["human_share_new", "assisted_share_new", "ai_share_new"]
MODEL_COLUMNS = ["human_share_training", "model_coverage", "model_variance", "model_mean_error", "synthetic_depth"]


def simulate(**overrides) -> tuple[ContentEcosystem, pd.DataFrame]:
    data = dict(BASE)
    data.update({k.replace("__", "."): v for k, v in overrides.items()})
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # an overflow or 0/0 on the way is a bug too
        model = ContentEcosystem(Scenario().with_overrides(data), seed=3)
        while model.running:
            model.step()
    ts = model.timeseries()
    check_invariants(ts)
    return model, ts


def check_invariants(ts: pd.DataFrame) -> None:
    assert list(ts.columns) == list(COLUMNS)
    values = ts.astype(float).to_numpy()
    assert not np.isinf(values).any(), f"inf in {[c for c in ts.columns if np.isinf(ts[c].astype(float)).any()]}"
    shares = ts[SHARES].astype(float)
    defined = shares.notna().all(axis=1)
    assert (shares.isna().all(axis=1) | defined).all()  # the three are empty together
    assert ((shares[defined] >= 0) & (shares[defined] <= 1)).all().all()
    assert np.allclose(shares[defined].sum(axis=1), 1.0)
    assert (ts.loc[~defined, "items_new"] == 0).all()  # empty only at a step with no new item
    for c in ("items_new", "new_ideas", "distinct_ideas_recent", "active_humans", "model_generation"):
        assert (ts[c] >= 0).all(), c
    assert ts["human_share_web"].between(0, 1).all()


def test_zero_humans():
    model, ts = simulate(humans__count=0)
    assert (ts["active_humans"] == 0).all()
    assert ts["ai_adoption"].isna().all()  # no creator to adopt anything
    after = ts.iloc[1:]
    published = after[after["items_new"] > 0]  # a month the market leaves without items has no shares
    assert (published["human_share_new"] == 0).all() and (published["ai_share_new"] == 1).all()
    assert after.loc[after["items_new"] == 0, "human_share_new"].isna().all()
    assert ts["human_share_web"].is_monotonic_decreasing


def test_zero_models():
    model, ts = simulate(ai__models=0)
    assert ts[MODEL_COLUMNS].isna().all().all()
    assert (ts["model_generation"] == 0).all()
    assert (ts.iloc[1:]["ai_share_new"] == 0).all() and (ts.iloc[1:]["assisted_share_new"] == 0).all()
    assert ts["human_share_web"].eq(1).all()


def test_nobody_at_all():
    model, ts = simulate(humans__count=0, ai__models=0)
    after = ts.iloc[1:]
    assert (after["items_new"] == 0).all()
    assert after[SHARES + ["simpson_recent", "tail_share_recent", "originality_index", "dispersion_recent"]].isna().all().all()
    assert (after[["distinct_ideas_recent", "effective_ideas_recent", "new_ideas"]] == 0).all().all()
    assert ts["human_share_web"].eq(1).all()


@pytest.mark.parametrize("overrides", [{"humans__cost": 1000.0, "humans__patience": 1}, {"platform__attention": 0.0, "humans__patience": 1}])
def test_every_creator_exits(overrides):
    model, ts = simulate(**overrides)
    assert ts["active_humans"].iloc[0] == 40
    # Every creator who writes loses money and leaves; one who drew no item for its whole patience
    # has a margin of 0, not below it, and may still be counted (a low-productivity Poisson draw).
    assert (model.creators.items == 0).all(), model.creators.items
    assert ts["active_humans"].iloc[-1] < 40 and model.creators.exited >= 40 - ts["active_humans"].iloc[-1]
    gone = ts["active_humans"] == 0
    assert ts.loc[gone, "ai_adoption"].isna().all()
    # The web keeps every item already published; with no attention AI output also stops.
    assert model.web.n >= BASE["world.archive_items"]


def test_empty_training_window_keeps_the_current_generation():
    # Nobody publishes after setup: each retraining finds an empty window.
    model, ts = simulate(humans__count=0, ai__supply="fixed", ai__items_per_step=0.0)
    assert (ts["model_generation"] == 1).all()
    assert ts["model_coverage"].notna().all() and (ts["items_new"].iloc[1:] == 0).all()


@pytest.mark.parametrize("top_up", [True, False])
def test_every_item_filtered_out(top_up):
    model, ts = simulate(policy__detector_tpr=1.0, policy__detector_fpr=1.0, policy__top_up=top_up)
    # Not even the archive survives the filter: no model is ever fitted, none writes.
    assert not any(m.learner.is_fitted for m in model.ai_models)
    assert ts[MODEL_COLUMNS].isna().all().all() and (ts["model_generation"] == 0).all()
    assert (ts["ai_share_new"].iloc[1:] == 0).all() and (ts["assisted_share_new"].iloc[1:] == 0).all()


def test_one_idea():
    model, ts = simulate(world__ideas=1)
    assert (ts["distinct_ideas_recent"] == 1).all() and (ts["effective_ideas_recent"] == 1).all()
    assert (ts["simpson_recent"] == 0).all()
    # One idea is all head: no tail, so the originality index is undefined (empty), not 0/0.
    assert ts["originality_index"].isna().all() and (ts["tail_share_recent"] == 0).all()
    assert (ts["model_coverage"] == 1).all()


def test_variance_collapsed_to_zero():
    # One training item: each model reproduces it exactly.
    model, ts = simulate(ai__train_size=1)
    assert all(np.all(m.learner.vars_ == 0) and len(m.learner.ideas_) == 1 for m in model.ai_models)
    assert (ts["model_variance"] == 0).all()
    model, ts = simulate(world__ideas=1, world__idea_spread=0.0, ai__train_size=1)
    assert (ts["model_variance"] == 0).all()


def test_one_dimension():
    model, ts = simulate(world__dim=1)
    assert model.web.vec.shape[1] == 1
    assert ts[["model_variance", "dispersion_recent", "model_mean_error"]].notna().all().all()


def test_train_size_larger_than_the_web():
    # Each model takes all of its window, no item twice: under replace, the steps since its last fit.
    model, ts = simulate(ai__train_size=10**7)
    lo, hi = model.web.rows(10, 12)
    assert [m.training_size for m in model.ai_models] == [hi - lo] * 2
    # Under accumulate, the whole web (the last fit is at the last step).
    model, ts = simulate(ai__train_size=10**7, policy__data_regime="accumulate")
    assert [m.training_size for m in model.ai_models] == [model.web.n] * 2


@pytest.mark.parametrize("temperature", [1e-9, 1e-3])
def test_temperature_near_zero(temperature):
    model, ts = simulate(ai__temperature=temperature)
    for m in model.ai_models:
        probs = m.learner.probs_
        assert np.isfinite(probs).all() and math.isclose(probs.sum(), 1.0)
        assert probs[0] == probs.max()  # all mass on the most frequent ideas
    assert ts["model_coverage"].notna().all()


def test_top_p_near_zero():
    # Near-greedy decoding: a model keeps only ideas of the count classes that keep any mass in the
    # text world's measurement at this training size (the words seen often enough), and at least one.
    from model.decoding import count_class, rates

    model, ts = simulate(ai__top_p=1e-9)
    for m in model.ai_models:
        assert len(m.learner.ideas_) >= 1 and m.learner.probs_.sum() == pytest.approx(1.0)
        _, retention = rates(1e-9, m.training_size)
        if (retention[count_class(m.learner.counts_)] > 0).any():
            assert (retention[count_class(m.learner.counts_)] > 0).all()
    assert ts["model_coverage"].notna().all()


@pytest.mark.parametrize("steps", [0, 1])
def test_zero_and_one_step(steps):
    model, ts = simulate(run__steps=steps)
    assert len(ts) == steps + 1 and list(ts["step"]) == list(range(steps + 1))


def test_undefined_metrics_are_written_empty(tmp_path):
    result = run(Scenario().with_overrides({**BASE, "humans.count": 0, "ai.models": 0, "run.steps": 2}))
    report.write(result, tmp_path)
    rows = (tmp_path / "timeseries.csv").read_text().splitlines()
    header, last = rows[0].split(","), rows[-1].split(",")
    cells = dict(zip(header, last))
    for column in SHARES + MODEL_COLUMNS + ["ai_adoption", "originality_index"]:
        assert cells[column] == "", column
    assert "inf" not in (tmp_path / "timeseries.csv").read_text().lower()
    assert "Infinity" not in (tmp_path / "summary.json").read_text() and "NaN" not in (tmp_path / "summary.json").read_text()
