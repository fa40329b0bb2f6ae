"""Properties every run keeps, over random valid scenarios at small scale (hypothesis).

Every drawn scenario runs to the end, and: the three source shares of new items lie in
[0, 1] and sum to 1; counts are never negative; no column holds inf; the human share of
the web never rises while no human is active; the same seed gives the same run; and a
checkpoint taken at any step and resumed gives the same run.
"""

from __future__ import annotations

import tempfile

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model import checkpoint
from model.ecosystem import ContentEcosystem
from model.scenario import Scenario

SHARES = ["human_share_new", "assisted_share_new", "ai_share_new"]
COUNTS = ["items_new", "new_ideas", "distinct_ideas_recent", "active_humans", "model_generation"]

unit = st.floats(0, 1)
KEYS = {
    "run.steps": st.integers(0, 10),
    "run.window": st.integers(1, 4),
    "run.rarefy": st.integers(1, 200),
    "world.dim": st.integers(1, 3),
    "world.ideas": st.sampled_from([0, 0, 1, 2, 7]),
    "world.archive_items": st.integers(1, 300),
    "world.idea_spread": st.floats(0, 3),
    "world.item_noise": st.floats(0.01, 2),
    "world.discount": st.floats(0, 0.9),
    "humans.count": st.integers(0, 30),
    "humans.productivity": st.floats(0, 3),
    "humans.cost": st.floats(0, 3),
    "humans.patience": st.integers(1, 6),
    "humans.pool": st.floats(1, 3),
    "humans.entry_rate": unit,
    "humans.homogenization": unit,
    "humans.memory": st.integers(1, 4),
    "humans.graph_degree": st.integers(0, 6),
    "humans.adoption_p": unit,
    "humans.adoption_q": unit,
    "humans.ai_speedup": st.floats(1, 4),
    "ai.models": st.integers(0, 3),
    "ai.train_size": st.integers(1, 300),
    "ai.retrain_every": st.integers(1, 4),
    "ai.supply": st.sampled_from(["market", "fixed"]),
    "ai.items_per_step": st.floats(0, 30),
    "ai.output_growth": st.floats(-0.5, 0.5),
    "ai.cost": st.floats(0.01, 2),
    "ai.capacity": st.integers(0, 5),
    "ai.temperature": st.floats(0.01, 3),
    "ai.top_p": st.floats(0.001, 1),
    "ai.variance_estimator": st.sampled_from(["mle", "unbiased"]),
    "policy.data_regime": st.sampled_from(["replace", "window", "accumulate"]),
    "policy.window": st.integers(1, 5),
    "policy.human_reserve": st.floats(0, 0.5),
    "policy.verified_share": st.floats(0, 0.5),
    "policy.signed_share": unit,
    "policy.watermark_share": unit,
    "policy.detector_tpr": unit,
    "policy.detector_fpr": unit,
    "policy.detector_tail_bias": st.floats(0, 3),
    "policy.creator_subsidy": st.floats(0, 2),
    "policy.training_royalty": st.floats(0, 2),
    "policy.ai_output_cap": unit,
    "policy.top_up": st.booleans(),
    "platform.attention": st.floats(0, 10),
    "platform.ai_visibility": st.floats(0, 2),
    "platform.assisted_visibility": st.floats(0, 2),
    "platform.novelty_premium": st.floats(0, 3),
    "platform.human_premium": st.floats(0, 2),
    "platform.label_share": unit,
}


@st.composite
def scenarios(draw) -> Scenario:
    keys = draw(st.lists(st.sampled_from(sorted(KEYS)), unique=True, max_size=len(KEYS)))
    # Small by default; the drawn keys override.
    data = {"run.steps": 6, "world.dim": 2, "world.archive_items": 200, "humans.count": 20, "ai.models": 2, "ai.train_size": 100,
            "ai.retrain_every": 2, "ai.items_per_step": 10.0, "platform.attention": 2.0, "run.rarefy": 50}
    data.update({k: draw(KEYS[k]) for k in keys})
    return Scenario().with_overrides(data)


def finish(model: ContentEcosystem) -> pd.DataFrame:
    while model.running:
        model.step()
    return model.timeseries()


def check_invariants(ts: pd.DataFrame) -> None:
    values = ts.astype(float)
    assert not np.isinf(values.to_numpy()).any()
    shares = values[SHARES]
    defined = shares.notna().all(axis=1)
    assert (shares.isna().all(axis=1) | defined).all()
    assert ((shares[defined] >= 0) & (shares[defined] <= 1)).all().all()
    assert np.allclose(shares[defined].sum(axis=1), 1.0, atol=1e-12)
    assert (values[COUNTS] >= 0).all().all()
    web = values["human_share_web"].to_numpy()
    assert ((web >= 0) & (web <= 1)).all()
    # Creators active after step t-1's market are the ones who write at step t.
    idle = values["active_humans"].to_numpy()[:-1] == 0
    assert (web[1:][idle] <= web[:-1][idle]).all()


SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(scenario=scenarios(), seed=st.integers(0, 2**32), data=st.data())
def test_random_scenarios_keep_the_invariants_and_resume_exactly(scenario, seed, data):
    whole = finish(ContentEcosystem(scenario, seed=seed))
    check_invariants(whole)
    assert len(whole) == scenario.run.steps + 1

    again = finish(ContentEcosystem(scenario, seed=seed))
    pd.testing.assert_frame_equal(again, whole, check_exact=True)

    at = data.draw(st.integers(0, scenario.run.steps), label="checkpoint step")
    model = ContentEcosystem(scenario, seed=seed)
    for _ in range(at):
        model.step()
    with tempfile.TemporaryDirectory() as folder:
        resumed = checkpoint.load(checkpoint.save(model, folder)).model
    pd.testing.assert_frame_equal(finish(resumed), whole, check_exact=True)
