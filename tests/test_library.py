"""The scenario library: every policy file documented, setting only its policy keys, and each
policy moving its metrics in the documented direction against the baseline.

The direction tests run the shipped files with their policy settings as written, on a smaller
world (the keys in ``SCALE``, except any a file sets itself), on common seeds 1..6; an effect
counts when the mean paired difference from the baseline exceeds 3 standard errors across seeds.
Tests marked ``needs_market`` concern the AI market (``ai.supply = "market"``) and its
``ai_attention_share`` column; they are skipped until the model has that column.
"""

from __future__ import annotations

import tomllib

import numpy as np
import pytest
from conftest import SMALL  # tests/ is on sys.path under pytest (rootdir conftest)

from model import compare, library
from model.ecosystem import COLUMNS
from model.scenario import load

ISSUE = ["baseline", "ai_flood", "accumulate", "human_reserve", "watermark_filter", "detector_filter", "provenance", "creator_pay", "ai_cap", "ranking", "combined"]
POLICIES = [n for n in ISSUE if n != "baseline"]
#: The parts of ``combined``.
PARTS = ["watermark_filter", "provenance", "creator_pay", "ranking", "human_reserve"]

SCALE = {**SMALL, "run.window": 6}  # the lever tests' small world; recent = the last 6 of its 40 steps
SEEDS = range(1, 7)
LAST = 12

needs_market = pytest.mark.skipif("ai_attention_share" not in COLUMNS, reason="needs the AI market (ai.supply) and its ai_attention_share column")


def keys_of(name: str) -> dict:
    """The ``section.key`` values a library file writes."""
    data = tomllib.loads((library.LIBRARY / f"{name}.toml").read_text(encoding="utf-8"))
    return {f"{section}.{key}": value for section, keys in data.items() for key, value in keys.items()}


def header(name: str) -> str:
    lines = (library.LIBRARY / f"{name}.toml").read_text(encoding="utf-8").splitlines()
    block = []
    for line in lines:
        if not line.startswith("#"):
            break
        block.append(line.lstrip("# "))
    return "\n".join(block)


# -- the files -------------------------------------------------------------------------------------


def test_the_library_holds_every_scenario_of_the_issue():
    assert set(ISSUE) <= set(library.names())
    assert library.names()[0] == "baseline"


@pytest.mark.parametrize("name", library.names())
def test_every_file_loads_and_opens_with_a_one_line_description(name):
    load(library.LIBRARY / f"{name}.toml")
    assert header(name).splitlines()[0].strip() == library.description(library.LIBRARY / f"{name}.toml") != ""


@pytest.mark.parametrize("name", POLICIES)
def test_each_policy_says_what_it_is_its_real_world_counterpart_and_its_sources(name):
    text = header(name)
    assert "What:" in text and "Real world" in text, name
    assert "numbers" in text.lower() or "sources" in text.lower(), name
    if name != "combined":  # combined points to its parts
        assert any(year in text for year in ("2023", "2024", "2025", "2026")), f"{name}: cite dated sources"


@pytest.mark.parametrize("name", POLICIES)
def test_policy_files_set_only_their_policy_keys(name):
    """The scale and the world come from the defaults (the calibrated baseline): a policy file writes only its levers."""
    keys = keys_of(name)
    assert keys
    if name == "ai_flood":
        assert keys == {"ai.supply": "fixed", "ai.items_per_step": 250.0, "ai.output_growth": 0.02}
    else:
        assert {k.split(".")[0] for k in keys} <= {"policy", "platform"}, keys


def test_combined_is_exactly_its_parts():
    merged = {}
    for part in PARTS:
        merged.update(keys_of(part))
    assert keys_of("combined") == merged


def test_ranking_demotes_ai_below_the_baseline_and_the_cap_binds():
    base = load(library.LIBRARY / "baseline.toml")
    assert load(library.LIBRARY / "ranking.toml").platform.ai_visibility < base.platform.ai_visibility
    assert load(library.LIBRARY / "ai_cap.toml").policy.ai_output_cap < base.policy.ai_output_cap


# -- the directions --------------------------------------------------------------------------------


def shipped(name: str, extra: dict | None = None):
    """A library file at its own policy settings, in the smaller world of ``SCALE`` (a policy's own keys win)."""
    own = {} if name == "baseline" else keys_of(name)
    return load(library.LIBRARY / f"{name}.toml", {**{k: v for k, v in SCALE.items() if k not in own}, **(extra or {})})


@pytest.fixture(scope="module")
def runs():
    return compare.run_many({name: shipped(name) for name in ISSUE}, SEEDS)


def paired(runs, name: str, metric: str, transform=lambda v: v) -> np.ndarray:
    """Per seed: ``transform(metric)`` averaged over the last 12 steps under ``name``, minus the same under the baseline."""
    rows = runs[runs["step"] > SCALE["run.steps"] - LAST]
    table = rows.assign(value=transform(rows[metric])).groupby(["seed", "scenario"])["value"].mean().unstack("scenario")
    return (table[name] - table["baseline"]).to_numpy()


# (scenario, metric, +1 raises / -1 lowers): the directions the README documents
DIRECTIONS = [
    ("human_reserve", "originality_index", +1),
    ("human_reserve", "model_coverage", +1),
    ("accumulate", "originality_index", +1),
    ("accumulate", "model_coverage", +1),
    ("watermark_filter", "human_share_training", +1),
    ("detector_filter", "human_share_training", +1),
    ("provenance", "human_share_training", +1),
    ("creator_pay", "active_humans", +1),
    ("ai_cap", "ai_share_new", -1),
    ("ranking", "human_share_new", +1),
    ("combined", "originality_index", +1),
    ("combined", "human_share_training", +1),
    pytest.param("ranking", "ai_attention_share", -1, marks=needs_market),
    pytest.param("ai_flood", "human_share_new", -1, marks=needs_market),
    pytest.param("ai_flood", "originality_index", -1, marks=needs_market),
]


@pytest.mark.parametrize(("name", "metric", "sign"), DIRECTIONS)
def test_each_policy_moves_its_metric_in_the_documented_direction(runs, clearly_positive, name, metric, sign):
    clearly_positive(sign * paired(runs, name, metric), what=f"{name}: {metric} {'up' if sign > 0 else 'down'} against the baseline")


def test_accumulation_keeps_model_variance_nearer_1(runs, clearly_positive):
    closer = -paired(runs, "accumulate", "model_variance", transform=lambda v: (v - 1).abs())
    clearly_positive(closer, what="accumulate: |model_variance - 1| smaller than the baseline's")


def test_a_perfect_filter_keeps_the_training_sets_human(runs):
    """Every AI and assisted item flagged, none human: each training set after setup is all human."""
    perfect = compare.run_many({"perfect": shipped("detector_filter", {"policy.detector_tpr": 1.0, "policy.detector_fpr": 0.0})}, [1, 2])
    assert (perfect["human_share_training"] == 1.0).all()
    assert (runs[runs.scenario == "baseline"]["human_share_training"].iloc[-1]) < 1.0  # without it they are not


def test_the_cap_holds_at_every_step(runs):
    capped = runs[(runs.scenario == "ai_cap") & (runs.step >= 1)]
    cap = load(library.LIBRARY / "ai_cap.toml").policy.ai_output_cap
    assert (capped["ai_share_new"] <= cap + 1e-12).all()
    assert runs[(runs.scenario == "baseline") & (runs.step >= 1)]["ai_share_new"].max() > cap  # it binds
