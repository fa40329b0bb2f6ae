"""The Python API as a Mesa user meets it: seeds, the docstring, agent data, Python input, small worlds.

Everything here runs on Mesa 3.3 (Python 3.11) and Mesa 3.5 (Python 3.12); where the two
differ (batch_run's ``rng`` argument, agent records keyed by ``model.time``) the test says so.
"""

from __future__ import annotations

import inspect
import pydoc
import warnings

import mesa
import numpy as np
import pandas as pd
import pytest

from experiments import compare as compare_module
from experiments import library, report, runner
from experiments.compare import compare
from model import agent_data, checkpoint
from model.ecosystem import ContentEcosystem
from model.keywords import SEED_BITS
from model.scenario import Scenario, ScenarioError, key_reference, load
from model.web import ASSISTED, HUMAN

#: A world of about 0.05 s a run, as flat keywords (what batch_run passes).
FLAT = {
    "run_steps": 8,
    "world_dim": 2,
    "world_archive_items": 1500,
    "humans_count": 60,
    "ai_models": 2,
    "ai_train_size": 400,
    "ai_retrain_every": 4,
    "ai_items_per_step": 3.0,
    "platform_attention": 45.0,
}


def stepped(model: ContentEcosystem) -> ContentEcosystem:
    while model.running:
        model.step()
    return model


def batch_run(parameters: dict, **kwargs) -> pd.DataFrame:
    """mesa.batch_run in this process, its deprecation of ``iterations`` on Mesa 3.5 silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        rows = mesa.batch_run(ContentEcosystem, parameters, number_processes=1, display_progress=False, **kwargs)
    return pd.DataFrame(rows)


# -- 1. seeds the Mesa way ---------------------------------------------------------------------
def test_a_model_built_from_keywords_alone_draws_a_fresh_seed_and_records_it():
    a, b = stepped(ContentEcosystem(**FLAT)), stepped(ContentEcosystem(**FLAT))
    assert a.seed != b.seed and 0 <= a.seed < 2**SEED_BITS
    assert a.seed == a.config.run.seed
    assert set(a.datacollector.get_model_vars_dataframe()["seed"]) == {a.seed}
    again = stepped(ContentEcosystem(**FLAT, seed=a.seed))  # the recorded seed repeats the run
    pd.testing.assert_frame_equal(again.timeseries(), a.timeseries(), check_exact=True)
    assert not a.timeseries().equals(b.timeseries())


def test_a_scenario_keeps_its_own_seed():
    scenario = Scenario.from_flat(**FLAT)
    assert ContentEcosystem(scenario).seed == ContentEcosystem(scenario).seed == 1
    assert ContentEcosystem(scenario.with_flat(run_seed=7)).seed == 7
    assert ContentEcosystem(scenario, seed=3).seed == 3  # a keyword overrides the scenario


@pytest.mark.parametrize("name", ["seed", "rng", "run_seed"])
def test_seed_rng_and_run_seed_are_one_key(name):
    assert ContentEcosystem(**FLAT, **{name: np.int64(11)}).seed == 11


@pytest.mark.parametrize(
    "given, named",
    [
        ({"seed": 3, "run_seed": 4}, ("seed = 3", "run_seed = 4")),
        ({"seed": 3, "rng": 3}, ("seed = 3", "rng = 3")),
        ({"rng": 3, "run_seed": 4}, ("rng = 3", "run_seed = 4")),
        ({"seed": 2.5}, ("seed = 2.5", "integer >= 0")),
        ({"seed": 2.0}, ("seed = 2.0", "integer >= 0")),
        ({"seed": -1}, ("seed = -1", "integer >= 0")),
        ({"seed": True}, ("seed = True", "integer >= 0")),
        ({"rng": 2.5}, ("rng = 2.5", "integer seed")),
        ({"rng": np.random.default_rng(1)}, ("rng = Generator", "integer seed")),
        ({"steps": 3, "run_steps": 4}, ("steps", "run_steps")),
    ],
)
def test_a_conflicting_or_non_integer_seed_is_a_one_line_error(given, named):
    with pytest.raises(ScenarioError) as info:
        ContentEcosystem(**{k: v for k, v in FLAT.items() if k != "run_steps"}, **given)
    message = str(info.value)
    assert "\n" not in message and "--set" not in message
    assert all(text in message for text in named), message


def test_batch_run_iterations_are_replicates_with_their_seeds_recorded():
    rows = batch_run({**FLAT, "humans_count": np.arange(40, 61, 20)}, iterations=3, max_steps=8)
    assert len(rows) == 6 and rows["seed"].notna().all()
    for count, group in rows.groupby("humans_count"):
        assert group["seed"].nunique() == 3, group  # three replicates, not three copies
        assert group["originality_index"].nunique() == 3, group
    # The seed of a row repeats it. Its Step is the last on Mesa 3.5, one before on Mesa 3.3 (which
    # expects a model to collect before each step; this one collects after setup and after each step).
    first = rows.iloc[0]
    again = stepped(ContentEcosystem(**{**FLAT, "humans_count": int(first.humans_count)}, seed=int(first.seed)))
    assert int(first.Step) in (again.steps, again.steps - 1)
    assert again.timeseries()["originality_index"].iloc[int(first.Step)] == first.originality_index


def test_batch_run_with_chosen_seeds_through_run_seed():
    rows = batch_run({**FLAT, "run_seed": [1, 2]}, max_steps=8)  # on Mesa 3.5 batch_run also passes seed=None
    assert sorted(rows["seed"]) == [1, 2]
    two = rows.set_index("seed").loc[2]
    assert two.originality_index == stepped(ContentEcosystem(**FLAT, seed=2)).timeseries()["originality_index"].iloc[int(two.Step)]


@pytest.mark.skipif("rng" not in inspect.signature(mesa.batch_run).parameters, reason="Mesa 3.3's batch_run has no rng argument")
def test_batch_run_rng_argument_sets_the_seeds_on_mesa_35():
    rows = batch_run(dict(FLAT), rng=[5, 6], max_steps=8)
    assert sorted(rows["seed"]) == [5, 6]


# -- 2. the model documents itself ---------------------------------------------------------------
def test_help_lists_every_keyword_with_default_range_and_meaning():
    text = pydoc.render_doc(ContentEcosystem, renderer=pydoc.plaintext)
    for dotted, default, allowed, meaning in key_reference():
        assert f"{dotted.replace('.', '_', 1)} = {default!r}  ({allowed})" in text, dotted
        assert " ".join(meaning.split()) in " ".join(text.replace("|", " ").split()), dotted
    words = " ".join(text.replace("|", " ").split())
    for phrase in ("seed", "rng", "run_seed", "fresh seed", "operating system's entropy", "give at most one"):
        assert phrase in words, phrase
    assert "you have to pass either seed or rng" not in text  # Mesa's docstring is not the model's


# -- 3. agent data ---------------------------------------------------------------------------------
def test_agent_data_is_off_by_default():
    model = stepped(ContentEcosystem(**FLAT, seed=1))
    assert model.datacollector.agent_reporters == {}


def test_agent_data_describes_every_agent_and_changes_no_trajectory():
    off = stepped(ContentEcosystem(**FLAT, seed=4))
    on = stepped(ContentEcosystem(**FLAT, seed=4, run_agent_data=True))
    pd.testing.assert_frame_equal(on.timeseries(), off.timeseries(), check_exact=True)
    table = on.datacollector.get_agent_vars_dataframe()
    assert list(table.columns) == list(agent_data.COLUMNS)
    steps = table.index.get_level_values("Step")
    assert sorted(set(steps)) == list(range(on.steps + 1))  # step 0 is setup (a float on Mesa 3.5)
    last = table[steps == on.steps].droplevel("Step")
    creators, models = last[last.kind == "creator"], last[last.kind == "ai_model"]
    pop = on.creators
    assert creators.index.tolist() == pop.id.tolist()  # AgentID = creator id
    np.testing.assert_array_equal(creators["income"], pop.income)
    np.testing.assert_array_equal(creators["margin"], pop.income - pop.spent)
    assert table["uses_tool"].dtype == bool
    np.testing.assert_array_equal(creators["uses_tool"], pop.adopted)
    # A creator's items are the items on the web whose author is its AgentID.
    web = on.web
    written = web.author[(web.source == HUMAN) | (web.source == ASSISTED)]
    np.testing.assert_array_equal(creators["items_total"], np.bincount(written[written >= 0], minlength=pop.next_id)[pop.id])
    assert creators["items"].sum() == ((web.step == on.steps) & (web.source != 2)).sum()
    assert creators[["generation", "output", "training_human_share"]].isna().all().all()
    assert models.index.tolist() == [-1 - m.lab for m in on.ai_models]
    assert models["generation"].tolist() == [m.generation for m in on.ai_models]
    assert models["output"].tolist() == [m.output for m in on.ai_models]
    assert models[["income", "margin", "items"]].isna().all().all() and not models["uses_tool"].any()


def test_a_creators_unique_id_is_the_author_id_on_its_items():
    model = stepped(ContentEcosystem(**FLAT, seed=2))
    authors = set(model.web.author[model.web.source == HUMAN][model.archive_n :].tolist())
    ids = {a.unique_id for a in model.agents if a.__class__.__name__ == "HumanCreator"}
    assert ids == set(model.creators.id.tolist()) and ids & authors
    assert len({a.unique_id for a in model.agents}) == len(model.agents)  # unique across kinds


def test_batch_run_returns_agent_rows():
    rows = batch_run({**FLAT, "run_agent_data": True, "run_seed": 3}, max_steps=8)
    table = stepped(ContentEcosystem(**FLAT, seed=3, run_agent_data=True)).datacollector.get_agent_vars_dataframe()
    step = rows["Step"].iloc[0]
    assert (rows["Step"] == step).all() and set(agent_data.COLUMNS) <= set(rows.columns)
    expected = table.xs(step, level="Step")
    assert rows["AgentID"].tolist() == expected.index.tolist()
    assert rows["income"].fillna(-1).tolist() == expected["income"].fillna(-1).tolist()


def test_checkpoints_keep_agent_data(tmp_path):
    whole = stepped(ContentEcosystem(**FLAT, seed=5, run_agent_data=True))
    half = ContentEcosystem(**FLAT, seed=5, run_agent_data=True)
    for _ in range(4):
        half.step()
    resumed = stepped(checkpoint.load(checkpoint.save(half, tmp_path)).model)
    pd.testing.assert_frame_equal(
        resumed.datacollector.get_agent_vars_dataframe(), whole.datacollector.get_agent_vars_dataframe(), check_exact=True
    )


def test_a_run_with_agent_data_writes_agents_csv(tmp_path):
    result = runner.run(Scenario.from_flat(**FLAT, run_agent_data=True), seed=1)
    written = {p.name for p in report.write(result, tmp_path / "on")}
    assert "agents.csv" in written
    assert len(pd.read_csv(tmp_path / "on" / "agents.csv")) == len(result.agents)  # off, a run writes none (tests/test_cli.py)


# -- 4. Python input on Python's terms ---------------------------------------------------------------
def test_numpy_scalars_are_accepted_wherever_numbers_are():
    model = ContentEcosystem(**{**FLAT, "humans_count": np.int64(50), "policy_human_reserve": np.float64(0.2), "policy_top_up": np.bool_(False)})
    assert (model.config.humans.count, model.config.policy.human_reserve, model.config.policy.top_up) == (50, 0.2, False)
    assert type(model.config.humans.count) is int
    assert Scenario(policy={"human_reserve": np.float32(0.5)}).policy.human_reserve == 0.5
    assert load("baseline", {"humans.count": np.int32(7)}).humans.count == 7


def test_library_names_paths_and_scenarios_are_accepted_everywhere(tmp_path):
    named = load("human_reserve")
    assert named == load("scenarios/human_reserve.toml") == load(library.LIBRARY / "human_reserve.toml") == load(named)
    assert ContentEcosystem("human_reserve", **FLAT).config.policy.human_reserve == named.policy.human_reserve
    path = tmp_path / "small.toml"
    path.write_text(Scenario.from_flat(**FLAT).to_toml())
    by_path, by_object = runner.run(str(path)), runner.run(Scenario.from_flat(**FLAT))
    pd.testing.assert_frame_equal(by_path.timeseries, by_object.timeseries, check_exact=True)
    built, described = compare_module.scenarios_of({"a": "baseline", "b": named, "c": path})
    assert built == {"a": load("baseline"), "b": named, "c": load(path)} and described["a"] and "b" not in described
    assert list(compare_module.scenarios_of(["baseline", "human_reserve"])[0]) == ["baseline", "human_reserve"]


def test_compare_takes_paths_and_refuses_fewer_than_two_seeds(tmp_path):
    for name, reserve in (("none", 0.0), ("some", 0.3)):
        (tmp_path / f"{name}.toml").write_text(Scenario.from_flat(**FLAT, policy_human_reserve=reserve).to_toml())
    c = compare([tmp_path / "none.toml", str(tmp_path / "some.toml")], seeds=np.int64(2))
    assert list(c.scenarios) == ["none", "some"] and c.seeds == [1, 2] and c.summary["ci_low"].notna().any()
    for seeds in (1, [3], 0):
        with pytest.raises(ScenarioError, match="seed"):
            compare({"a": Scenario.from_flat(**FLAT)}, seeds=seeds)


@pytest.mark.parametrize(
    "call, keyword",
    [
        (lambda: ContentEcosystem(**{**FLAT, "humans_count": 2.5}), "humans_count = 2.5"),
        (lambda: ContentEcosystem(**FLAT, humans_cont=3), "humans_cont"),
        (lambda: ContentEcosystem(**FLAT, ai_top_p=2), "ai_top_p = 2"),
        (lambda: ContentEcosystem(**FLAT, policy_human_reserve=0.6, policy_verified_share=0.6), "human_reserve + verified_share"),
        (lambda: Scenario(policy={"human_reserve": 2}), "policy.human_reserve = 2"),
        (lambda: Scenario(polcy={}), "polcy"),
        (lambda: Scenario.from_flat(ai_models="2"), "ai_models = '2'"),
        (lambda: load("human_reserv"), "human_reserv: unknown scenario"),
        (lambda: load(3), "3: not a scenario"),
        (lambda: load("baseline", {"ai.top_p": 3}), "ai.top_p = 3"),
        (lambda: runner.run("baseline", seed=2.5), "seed = 2.5"),
        (lambda: compare({"a": "baseline"}, seeds=2.5), "seeds = 2.5"),
        (lambda: compare({"a": "baseline"}, jobs=0), "jobs = 0"),
        (lambda: compare({"a": "nosuch"}), "nosuch: unknown scenario"),
        (lambda: compare(5), "scenarios = 5"),
        (lambda: library.scale("baseline", creators=0), "creators = 0"),
    ],
)
def test_every_python_error_is_one_line_naming_the_keyword(call, keyword):
    with pytest.raises(ScenarioError) as info:
        call()
    message = str(info.value)
    assert "\n" not in message and "--set" not in message and keyword in message, message


# -- 5. small worlds on purpose ----------------------------------------------------------------------
def test_scale_multiplies_every_size_and_keeps_everything_else():
    base = load("baseline")
    small = library.scale(base, creators=np.int64(200))
    f = 200 / base.humans.count
    assert small.humans.count == 200 and small.world.archive_items == round(base.world.archive_items * f)
    assert small.ai.train_size == round(base.ai.train_size * f) and small.ai.items_per_step == pytest.approx(base.ai.items_per_step * f)
    flat = lambda s: {k: v for sec, keys in s.to_dict().items() for k, v in ((f"{sec}.{k}", v) for k, v in keys.items())}  # noqa: E731
    changed = {k for k, v in flat(small).items() if v != flat(base)[k]}
    assert changed == set(library.SIZES)
    assert library.scale("human_reserve", 100).policy.human_reserve == load("human_reserve").policy.human_reserve
    assert (library.quick().humans.count, library.quick().run.steps) == (100, 24)


@pytest.mark.xfail(
    strict=True,
    reason="platform.attention is an absolute amount until the market expresses it per creator (the market work); "
    "when that lands this passes: remove the mark",
)
def test_a_scaled_down_world_behaves_like_the_default():
    """The AI share of new items, steps 24-40, mean over seeds 1-5: within 0.1 of the default world's,
    the resolution of its calibration (a band of 0.40-0.62, tests/test_calibration.py)."""
    def ai_share(scenario) -> float:
        runs = [runner.run(scenario.with_overrides({"run.steps": 40}), seed=s).timeseries for s in range(1, 6)]
        return float(np.mean([(ts["ai_share_new"] + ts["assisted_share_new"])[24:41].mean() for ts in runs]))

    assert abs(ai_share(library.scale("baseline", 200)) - ai_share(load("baseline"))) <= 0.1


def test_a_model_with_agent_data_pickles_and_goes_on_alike():
    import pickle

    model = ContentEcosystem(**FLAT, seed=6, run_agent_data=True)
    for _ in range(3):
        model.step()
    copy = stepped(pickle.loads(pickle.dumps(model)))
    pd.testing.assert_frame_equal(
        copy.datacollector.get_agent_vars_dataframe(), stepped(model).datacollector.get_agent_vars_dataframe(), check_exact=True
    )
