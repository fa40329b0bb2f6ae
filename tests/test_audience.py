"""The audience can leave the web: readers who get answers from AI models spend less attention on it.

Mechanism tests on the small worlds of ``conftest.SMALL``: the readers' uptake follows its Bass
recursion exactly, the web's attention falls with it and with the models' coverage, and creators
lose income (and write less) even where no AI item competes with them; a web whose fresh supply
falls keeps fewer readers, which closes the loop on a site where AI items are banned.
"""

from __future__ import annotations

import numpy as np
import pytest

from model import attention
from model.ecosystem import ContentEcosystem

from conftest import small_scenario

AUDIENCE = {"platform.substitution": 0.8, "platform.reader_adoption_p": 0.05, "platform.reader_adoption_q": 0.1, "platform.content_pull": 0.0}
ALONE = {"policy.ai_output_cap": 0.0, "humans.adoption_p": 0.0, "humans.adoption_q": 0.0, "run.steps": 30}  # no AI items, no AI tools


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


def test_a_web_keeps_readers_in_proportion_to_its_fresh_supply():
    assert attention.supply_pull(0.5, 1.0, 0.0) == 1.0  # readers who stay whatever the web offers
    assert attention.supply_pull(0.5, 1.0, 0.5) == pytest.approx(0.5**0.5)
    assert attention.supply_pull(3.0, 1.0, 0.9) == 1.0  # more supply than before brings no more readers
    assert attention.supply_pull(0.0, 1.0, 0.5) == 0.0
    assert attention.supply_pull(0.5, 0.0, 0.5) == 1.0  # no reference yet (no human item in the first market)


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
    stay = paired({**ALONE, **AUDIENCE, "platform.substitution": 0.0}, {**ALONE, **AUDIENCE}, lambda ts: ts["active_humans"].iloc[-1])
    clearly_positive(stay, what="active creators at month 30, audience staying - leaving")
    left = ContentEcosystem(small_scenario({**ALONE, **AUDIENCE}), seed=0)
    while left.running:
        left.step()
    assert (left.timeseries()["ai_share_new"].iloc[1:] == 0).all() and left.timeseries()["web_attention"].iloc[-1] < 0.8


def test_where_ai_items_are_banned_readers_follow_the_creators_out(paired, clearly_positive):
    # The loop of a question-and-answer site: fewer readers pay fewer creators, whose thinner supply keeps
    # fewer readers. The small world's creators first grow past the first month's supply, hence a fast exodus.
    site = {**ALONE, **AUDIENCE, "run.steps": 40, "platform.substitution": 1.0, "platform.reader_adoption_p": 0.2}
    pull = {**site, "platform.content_pull": 0.8}
    seeds = tuple(range(17))  # the pilot asked 9 for the attention and 17 for the creators (the runs are cached)
    kept = paired(pull, site, lambda ts: ts["web_attention"].iloc[-20:].mean(), seeds=seeds)
    clearly_positive(-kept, what="web attention in the last 20 months, no pull - pull")
    creators = paired(pull, site, lambda ts: ts["active_humans"].iloc[-1], seeds=seeds)
    clearly_positive(-creators, what="active creators at month 40, no pull - pull")


def test_a_web_that_offers_more_than_before_keeps_its_whole_audience():
    # AI items on top of the human supply: more than the first month's, which brings no more readers.
    model = ContentEcosystem(small_scenario({"platform.substitution": 0.0, "platform.content_pull": 0.9, "run.steps": 12}), seed=4)
    while model.running:
        model.step()
    ts = model.timeseries()
    assert model.supply_reference > 0 and ts["ai_share_new"].iloc[2:].min() > 0.2
    assert (ts["web_attention"] == 1.0).all()


def test_policy_payments_are_the_subsidies_paid():
    model = ContentEcosystem(small_scenario({"policy.creator_subsidy": 0.1, "run.steps": 5}), seed=3)
    while model.running:
        model.step()
        ts = model.timeseries().iloc[-1]
        assert ts["policy_payments"] == pytest.approx(0.1 * ts["items_new"] * ts["human_share_new"])
