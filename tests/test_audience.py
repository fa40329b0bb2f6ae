"""The audience can leave the web: readers who get answers from AI models spend less attention on it.

Mechanism tests on the small worlds of ``conftest.SMALL``: the readers' uptake follows its Bass
recursion exactly, the web's attention falls with it and with the models' coverage, and creators
lose income (and write less) even where no AI item competes with them.
"""

from __future__ import annotations

import numpy as np
import pytest

from model import attention
from model.ecosystem import ContentEcosystem

from conftest import small_scenario

AUDIENCE = {"platform.substitution": 0.8, "platform.reader_adoption_p": 0.05, "platform.reader_adoption_q": 0.1}


def test_readers_take_up_ai_answers_by_bass_diffusion():
    u = [0.0]
    for _ in range(30):
        u.append(attention.readers_adopt(u[-1], 0.05, 0.1))
    assert np.all(np.diff(u) > 0) and u[-1] < 1
    assert u[1] == pytest.approx(0.05) and u[2] == pytest.approx(0.05 + (0.05 + 0.1 * 0.05) * 0.95)


def test_the_webs_share_of_attention():
    assert attention.web_share(0.0, 0.7, 0.9) == 1.0  # readers who move nothing
    assert attention.web_share(0.8, 0.5, 1.0) == pytest.approx(0.6)
    assert attention.web_share(0.8, 0.5, 0.5) == pytest.approx(0.8)  # worse models keep more readers on the web


def test_the_model_follows_the_recursion_and_pays_out_what_stays_on_the_web():
    model = ContentEcosystem(small_scenario({**AUDIENCE, "run.steps": 12}), seed=1)
    expected = [0.0]
    while model.running:
        model.step()
        expected.append(attention.readers_adopt(expected[-1], 0.05, 0.1))
        coverage = model.metrics["model_coverage"]
        assert 1 - 0.8 * expected[-2] * 1.0 <= model.web_attention <= 1.0
        assert model.web_attention == pytest.approx(1 - 0.8 * expected[-2] * coverage, abs=0.02)  # coverage moves only at retraining
    ts = model.timeseries()
    np.testing.assert_allclose(ts["readers_using_ai"].to_numpy(), expected)
    assert ts["web_attention"].iloc[0] == 1.0 and np.all(np.diff(ts["web_attention"].to_numpy()[1:]) < 0)


def test_no_substitution_keeps_the_whole_audience_on_the_web():
    model = ContentEcosystem(small_scenario({**AUDIENCE, "platform.substitution": 0.0, "run.steps": 6}), seed=2)
    while model.running:
        model.step()
    assert (model.timeseries()["web_attention"] == 1.0).all()


def test_creators_lose_income_and_leave_where_no_ai_item_competes(paired, clearly_positive):
    # No AI items at all (the cap) and no AI tools: only the audience's leaving can cost creators their income.
    alone = {"policy.ai_output_cap": 0.0, "humans.adoption_p": 0.0, "humans.adoption_q": 0.0, "run.steps": 30}
    stay = paired({**alone, "platform.substitution": 0.0}, {**alone, **AUDIENCE}, lambda ts: ts["active_humans"].iloc[-1])
    clearly_positive(stay, what="active creators at month 30, audience staying - leaving")
    left = ContentEcosystem(small_scenario({**alone, **AUDIENCE}), seed=0)
    while left.running:
        left.step()
    assert (left.timeseries()["ai_share_new"].iloc[1:] == 0).all() and left.timeseries()["web_attention"].iloc[-1] < 0.8


def test_policy_payments_are_the_subsidies_paid():
    model = ContentEcosystem(small_scenario({"policy.creator_subsidy": 0.1, "run.steps": 5}), seed=3)
    while model.running:
        model.step()
        ts = model.timeseries().iloc[-1]
        assert ts["policy_payments"] == pytest.approx(0.1 * ts["items_new"] * ts["human_share_new"])
