"""Practical limits: a valid scenario too large or too extreme to run is refused before it starts.

The schema (``model/scenario.py``) says what a key may mean; these ceilings say what one
run on one machine can hold. A value beyond them would run out of memory, overflow a
float to infinity, or take centuries of wall time, so it is refused like any bad input:
:func:`check` raises :class:`ScenarioError` with one line naming the key and its ceiling.
Every ceiling is far beyond the shipped scenarios and benchmarks (a test checks them all).
"""

from __future__ import annotations

import math

from model.scenario import Scenario, ScenarioError

#: The largest value of each key a run accepts (keys with no upper bound in the schema).
CEILINGS: dict[str, float] = {
    "run.seed": 2**63 - 1,  # TOML's integers are 64-bit
    "run.steps": 10_000,
    "run.window": 10_000,
    "run.rarefy": 10**9,
    "run.checkpoint_every": 10_000,
    "world.dim": 1_000,
    "world.ideas": 10**7,
    "world.concentration": 1e9,
    "world.zipf_exponent": 100.0,
    "world.archive_items": 10**8,
    "world.idea_spread": 1e6,
    "world.item_noise": 1e6,
    "humans.count": 10**6,
    "humans.productivity": 1e4,
    "humans.productivity_sigma": 10.0,
    "humans.originality_sigma": 10.0,
    "humans.cost": 1e12,
    "humans.cost_sigma": 10.0,
    "humans.patience": 10_000,
    "humans.pool": 1e4,
    "humans.memory": 10_000,
    "humans.graph_degree": 1_000,
    "humans.ai_speedup": 1e3,
    "ai.models": 1_000,
    "ai.train_size": 10**8,
    "ai.retrain_every": 10_000,
    "ai.items_per_step": 1e7,
    "ai.output_growth": 10.0,
    "ai.cost": 1e12,
    "ai.adjustment": 1e6,
    "ai.max_change": 1e6,
    "ai.capacity": 10**9,
    "ai.temperature": 1e6,
    "policy.window": 10_000,
    "policy.detector_tail_bias": 1e6,
    "policy.creator_subsidy": 1e12,
    "policy.training_royalty": 1e12,
    "platform.attention": 1e15,
    "platform.ai_visibility": 1e6,
    "platform.assisted_visibility": 1e6,
    "platform.novelty_premium": 1e6,
    "platform.human_premium": 1e6,
}

#: Memory a run's web and creators may claim at setup, in bytes.
SETUP_BYTES = 8e9
#: Items a fixed-supply run may plan for its models in one step.
MAX_AI_ITEMS_PER_STEP = 1e8


def check(scenario: Scenario, source: str) -> Scenario:
    """Return ``scenario`` if one run can hold it, else raise :class:`ScenarioError` naming the key."""
    data = scenario.to_dict()
    for dotted, ceiling in CEILINGS.items():
        section, key = dotted.split(".")
        value = data[section][key]
        if value > ceiling:
            shown = f"{ceiling:g}" if isinstance(ceiling, float) else f"{ceiling:,}"
            raise ScenarioError(f"{source}: {dotted} = {value!r}: too large to run; at most {shown}")
    w, h, ai = scenario.world, scenario.humans, scenario.ai
    if h.count * h.pool > 10**7:
        raise ScenarioError(f"{source}: humans.pool = {h.pool!r}: the pool of {h.count} x {h.pool:g} would-be creators is too large; at most 10,000,000")
    web_bytes = 2 * w.archive_items * (4 * w.dim + 24)  # the web's columns, grown by doubling
    if web_bytes > SETUP_BYTES:
        raise ScenarioError(f"{source}: world.archive_items = {w.archive_items}: with world.dim = {w.dim} the archive needs {web_bytes / 1e9:.0f} GB; at most {SETUP_BYTES / 1e9:.0f} GB")
    if ai.supply == "fixed" and ai.models and ai.items_per_step > 0 and scenario.run.steps:
        # In logs: (1 + growth) ** steps overflows a float long before it is refused.
        log_last = math.log(ai.models * ai.items_per_step) + (scenario.run.steps - 1) * math.log1p(max(ai.output_growth, 0.0))
        if log_last > math.log(MAX_AI_ITEMS_PER_STEP):
            raise ScenarioError(
                f"{source}: ai.output_growth = {ai.output_growth!r}: models would publish more than {MAX_AI_ITEMS_PER_STEP:g} items "
                f"a step by step {scenario.run.steps}; lower it or ai.items_per_step"
            )
    return scenario
