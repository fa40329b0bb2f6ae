"""ContentEcosystem basics on tiny scenarios (model/ecosystem.py, experiments/runner.py)."""

import pickle

import numpy as np
import pandas as pd
import pytest

from agents.ai_model import AIModel
from agents.human_creator import HumanCreator
from model.ecosystem import COLUMNS, ContentEcosystem
from experiments.runner import run
from model.scenario import Scenario
from model.web import AI, ASSISTED, HUMAN

TINY = dict(
    world_archive_items=1500,
    humans_count=40,
    humans_adoption_p=0.2,  # so that assisted items appear within a few steps
    ai_models=2,
    ai_train_size=400,
    ai_retrain_every=2,
    ai_items_per_step=30.0,
    run_steps=6,
    run_window=3,
    run_rarefy=50,  # below the recent items of every step, so ideas_rarefied is defined
)

MODEL_COLUMNS = ("human_share_training", "model_coverage", "model_variance", "model_mean_error", "synthetic_depth")


def tiny(**changes) -> Scenario:
    return Scenario.from_flat(**{**TINY, **changes})


def stepped(model: ContentEcosystem, n: int | None = None) -> ContentEcosystem:
    for _ in range(model.config.run.steps if n is None else n):
        model.step()
    return model


def assert_same_frames(a: pd.DataFrame, b: pd.DataFrame):
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_exact=True)


def assert_same_web(a: ContentEcosystem, b: ContentEcosystem):
    assert a.web.n == b.web.n
    for name in ("idea", "vec", "source", "author", "depth", "step", "watermark", "signed"):
        np.testing.assert_array_equal(getattr(a.web, name), getattr(b.web, name), err_msg=name)


def edges(model: ContentEcosystem):
    return sorted(tuple(sorted(e)) for e in model.creators.graph.edges())


@pytest.fixture(scope="module")
def ran() -> ContentEcosystem:
    """One tiny model stepped to its end (read-only in the tests)."""
    return stepped(ContentEcosystem(tiny(), seed=11))


# -- the DataCollector -------------------------------------------------------------------
def test_datacollector_has_every_column_at_every_step(ran):
    df = ran.datacollector.get_model_vars_dataframe()
    assert set(COLUMNS) <= set(df.columns)
    steps = ran.config.run.steps
    assert len(df) == steps + 1
    np.testing.assert_array_equal(df["step"].to_numpy(), np.arange(steps + 1))
    # with models and humans, every metric is defined at every step, but at setup no attention is
    # paid and the archive holds no AI item
    for column in ("ai_attention_share", "originality_ai", "homogenization"):
        assert np.isnan(df[column].iloc[0])
        assert not df[column].iloc[1:].isna().any()
    others = df[list(COLUMNS)].drop(columns=["ai_attention_share", "originality_ai", "homogenization"])
    assert not others.isna().any().any(), others.isna().sum()
    ts = ran.timeseries()
    assert list(ts.columns) == list(COLUMNS)
    assert len(ts) == steps + 1


def test_columns_are_the_design_interface():
    assert COLUMNS == (
        "step", "items_new", "human_share_new", "assisted_share_new", "ai_share_new", "human_share_web",
        "human_share_training", "ai_attention_share", "new_ideas", "distinct_ideas_recent", "effective_ideas_recent",
        "ideas_rarefied", "simpson_recent", "tail_share_recent", "originality_index", "originality_human", "originality_ai",
        "human_share_recent", "homogenization", "richness_index", "dispersion_recent", "model_coverage", "model_variance",
        "model_mean_error", "model_generation", "synthetic_depth", "active_humans", "ai_adoption",
        "web_attention", "readers_using_ai", "policy_payments",
    )  # fmt: skip


def test_running_stops_after_run_steps():
    m = ContentEcosystem(tiny(run_steps=3), seed=1)
    assert m.running
    stepped(m, 2)
    assert m.running and m.steps == 2
    m.step()
    assert not m.running and m.steps == 3
    assert not ContentEcosystem(tiny(run_steps=0), seed=1).running


def test_step_zero_is_the_archive(ran):
    row = ran.timeseries().iloc[0]
    assert row["items_new"] == ran.config.world.archive_items == ran.archive_n
    assert row["human_share_new"] == 1.0 and row["human_share_web"] == 1.0
    assert row["originality_index"] == pytest.approx(1.0)
    assert row["dispersion_recent"] == pytest.approx(1.0)
    assert row["model_generation"] == 1
    assert row["synthetic_depth"] == 0.0 and row["human_share_training"] == 1.0


# -- reproducibility --------------------------------------------------------------------
def test_one_seed_reproduces_a_run_to_the_last_digit(ran):
    again = stepped(ContentEcosystem(tiny(), seed=11))
    assert_same_frames(ran.timeseries(), again.timeseries())
    assert_same_frames(ran.datacollector.get_model_vars_dataframe(), again.datacollector.get_model_vars_dataframe())
    assert_same_web(ran, again)
    assert edges(ran) == edges(again)
    np.testing.assert_array_equal(ran.creators.cost, again.creators.cost)
    np.testing.assert_array_equal(ran.creators.adopted, again.creators.adopted)


def test_different_seeds_differ(ran):
    other = stepped(ContentEcosystem(tiny(), seed=12))
    assert not ran.timeseries().equals(other.timeseries())
    assert edges(ran) != edges(other)
    assert not np.array_equal(ran.web.idea[: ran.archive_n], other.web.idea[: other.archive_n])


def test_the_seed_comes_from_the_scenario_when_not_given():
    a = stepped(ContentEcosystem(tiny(run_seed=4)))
    b = stepped(ContentEcosystem(tiny(), seed=4))
    assert a.config == b.config
    assert_same_frames(a.timeseries(), b.timeseries())


# -- pickling -------------------------------------------------------------------------------
def test_pickled_model_continues_identically():
    original = stepped(ContentEcosystem(tiny(run_steps=6), seed=5), 3)
    copy = pickle.loads(pickle.dumps(original))
    assert copy.steps == original.steps == 3
    assert_same_frames(copy.timeseries(), original.timeseries())
    stepped(original, 3)
    stepped(copy, 3)
    assert_same_frames(copy.timeseries(), original.timeseries())
    assert_same_web(copy, original)
    assert edges(copy) == edges(original)
    assert copy.rng.random() == original.rng.random()  # the generator state travelled too
    # and the copy equals a run that was never pickled
    fresh = stepped(ContentEcosystem(tiny(run_steps=6), seed=5))
    assert_same_frames(copy.timeseries(), fresh.timeseries())


def test_pickled_model_is_independent_of_the_original():
    original = stepped(ContentEcosystem(tiny(), seed=5), 2)
    copy = pickle.loads(pickle.dumps(original))
    stepped(copy, 2)
    assert original.steps == 2 and copy.steps == 4
    assert len(original.timeseries()) == 3


# -- construction ---------------------------------------------------------------------------
def test_flat_keywords_equal_the_equivalent_scenario():
    flat = ContentEcosystem(**TINY, policy_data_regime="accumulate", seed=3)
    nested = ContentEcosystem(tiny(policy_data_regime="accumulate"), seed=3)
    assert flat.config == nested.config
    assert flat.config.policy.data_regime == "accumulate" and flat.config.ai.models == 2
    stepped(flat)
    stepped(nested)
    assert_same_frames(flat.timeseries(), nested.timeseries())
    assert_same_web(flat, nested)


def test_keywords_with_a_scenario_override_it():
    m = ContentEcosystem(tiny(), ai_models=1, ai_top_p=0.5, seed=2)
    assert m.config == tiny(ai_models=1, ai_top_p=0.5, run_seed=2)
    assert len(m.ai_models) == 1


@pytest.mark.parametrize("rng", [7, np.int64(7)])
def test_seed_and_rng_integers_are_the_run_seed(rng):
    by_seed = stepped(ContentEcosystem(tiny(), seed=7))
    by_rng = stepped(ContentEcosystem(tiny(), rng=rng))
    by_config = stepped(ContentEcosystem(tiny(run_seed=7)))
    assert by_seed.config.run.seed == by_rng.config.run.seed == 7
    assert_same_frames(by_seed.timeseries(), by_rng.timeseries())
    assert_same_frames(by_seed.timeseries(), by_config.timeseries())


def test_flat_seed_keyword_without_scenario():
    a = stepped(ContentEcosystem(**TINY, seed=9))
    b = stepped(ContentEcosystem(**{**TINY, "run_seed": 9}))
    assert a.config == b.config
    assert_same_frames(a.timeseries(), b.timeseries())


def test_mesa_agents_mirror_the_model(ran):
    assert len(ran.ai_models) == ran.config.ai.models
    ai_agents = [a for a in ran.agents if isinstance(a, AIModel)]
    humans = [a for a in ran.agents if isinstance(a, HumanCreator)]
    assert len(ai_agents) == ran.config.ai.models
    assert len(humans) == ran.creators.n_active == ran.timeseries()["active_humans"].iloc[-1]
    assert sorted(h.creator_id for h in humans) == ran.creators.id.tolist()  # one agent per active creator


# -- consistency of the metrics with the web ---------------------------------------------
def test_shares_sum_to_one_and_assisted_items_exist(ran):
    ts = ran.timeseries()
    total = ts["human_share_new"] + ts["assisted_share_new"] + ts["ai_share_new"]
    np.testing.assert_allclose(total, 1.0, rtol=0, atol=1e-12)
    assert (ts["assisted_share_new"].iloc[1:] > 0).any()  # the test covers all three sources
    assert (ts["ai_share_new"].iloc[1:] > 0).all()


def test_new_item_counts_and_shares_match_the_web(ran):
    ts = ran.timeseries()
    web = ran.web
    per_step = np.bincount(web.step, minlength=len(ts))
    np.testing.assert_array_equal(ts["items_new"].to_numpy(), per_step)
    for t in range(len(ts)):
        src = web.source[web.step == t]
        for column, code in (("human_share_new", HUMAN), ("assisted_share_new", ASSISTED), ("ai_share_new", AI)):
            assert ts[column].iloc[t] == pytest.approx((src == code).mean(), abs=1e-12)


def test_human_share_web_matches_the_web_sources(ran):
    ts = ran.timeseries()
    web = ran.web
    for t in range(len(ts)):
        upto = web.step <= t
        assert ts["human_share_web"].iloc[t] == pytest.approx((web.source[upto] == HUMAN).mean(), abs=1e-12)
    assert ts["human_share_web"].iloc[-1] == pytest.approx(web.source_totals[HUMAN] / web.n, abs=1e-12)


def test_recent_idea_metrics_match_brute_force(ran):
    ts = ran.timeseries()
    web = ran.web
    window = ran.config.run.window
    first_seen = {}
    for row, (idea, step) in enumerate(zip(web.idea.tolist(), web.step.tolist())):
        first_seen.setdefault(idea, step)
    new_per_step = np.bincount(list(first_seen.values()), minlength=len(ts))
    for t in range(len(ts)):
        assert ts["new_ideas"].iloc[t] == new_per_step[t], t
        lo = 0 if t == 0 else max(1, t - window + 1)
        recent = web.idea[(web.step >= lo) & (web.step <= t)]
        _, counts = np.unique(recent, return_counts=True)
        p = counts / counts.sum()
        assert ts["distinct_ideas_recent"].iloc[t] == len(counts), t
        assert ts["simpson_recent"].iloc[t] == pytest.approx(1 - (p**2).sum(), abs=1e-12)
        assert ts["effective_ideas_recent"].iloc[t] == pytest.approx(np.exp(-(p * np.log(p)).sum()), rel=1e-12)


def test_shares_are_bounded(ran):
    ts = ran.timeseries()
    for column in ("human_share_new", "assisted_share_new", "ai_share_new", "human_share_web", "human_share_training",
                   "simpson_recent", "tail_share_recent", "model_coverage", "ai_adoption"):  # fmt: skip
        assert ((ts[column] >= 0) & (ts[column] <= 1)).all(), column


# -- generations --------------------------------------------------------------------------------
@pytest.mark.parametrize("retrain_every", [1, 2, 3, 4])
def test_model_generation_increments_every_retrain_every_steps(retrain_every):
    m = stepped(ContentEcosystem(tiny(ai_retrain_every=retrain_every, run_steps=8, humans_count=10), seed=1))
    ts = m.timeseries()
    expected = 1 + ts["step"] // retrain_every
    np.testing.assert_array_equal(ts["model_generation"].to_numpy(), expected.to_numpy())
    for ai in m.ai_models:
        assert ai.generation == 1 + 8 // retrain_every
        assert ai.last_trained == (8 // retrain_every) * retrain_every


def test_training_depth_rises_once_models_train_on_model_output(ran):
    ts = ran.timeseries()
    assert ts["synthetic_depth"].iloc[0] == 0.0
    # after the first retraining (step 2), training sets hold AI items of depth >= 1
    assert ts["synthetic_depth"].iloc[2] > 0
    assert ts["human_share_training"].iloc[2] < 1


# -- no models ----------------------------------------------------------------------------------
def test_without_models_the_model_columns_are_nan_and_the_web_is_human():
    m = stepped(ContentEcosystem(tiny(ai_models=0), seed=3))
    ts = m.timeseries()
    assert len(ts) == m.config.run.steps + 1
    for column in MODEL_COLUMNS:
        assert ts[column].isna().all(), column
    assert (ts["model_generation"].fillna(0) == 0).all()
    with_items = ts["items_new"] > 0
    assert with_items.iloc[1:].any()
    assert (ts.loc[with_items, "human_share_new"] == 1.0).all()
    assert (ts["human_share_web"] == 1.0).all()
    assert (ts["assisted_share_new"].fillna(0) == 0).all() and (ts["ai_share_new"].fillna(0) == 0).all()
    assert (m.web.source == HUMAN).all()
    assert not m.creators.adopted.any()  # no tool to adopt


def test_without_humans_only_models_publish_after_setup():
    m = stepped(ContentEcosystem(tiny(humans_count=0), seed=3))
    ts = m.timeseries()
    assert (ts["active_humans"] == 0).all()
    assert (ts["ai_share_new"].iloc[1:] == 1.0).all()
    assert (m.web.source[m.web.step > 0] == AI).all()
    assert m.creators.size == 0


# -- the runner -------------------------------------------------------------------------------
def test_run_equals_stepping_by_hand():
    scenario = tiny()
    result = run(scenario, seed=21)
    by_hand = stepped(ContentEcosystem(scenario, seed=21))
    assert_same_frames(result.timeseries, by_hand.timeseries())
    assert list(result.timeseries.columns) == list(COLUMNS)
    assert result.scenario == by_hand.config and result.scenario.run.seed == 21
    assert result.items_total == by_hand.web.n
    assert result.wall_time > 0


def test_run_uses_the_scenario_seed_by_default():
    scenario = tiny(run_seed=8)
    assert_same_frames(run(scenario).timeseries, run(scenario, seed=8).timeseries)
    assert run(scenario).scenario.run.seed == 8
