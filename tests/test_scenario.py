"""Scenarios: schema, TOML loading, --set overrides and one-line errors (model/scenario.py)."""

import re
import tomllib
from pathlib import Path

import pytest
from pydantic import ValidationError

from model.scenario import SECTIONS, Scenario, ScenarioError, describe, key_reference, load, parse_assignment, validate

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "scenarios" / "baseline.toml"

REQUIRED_KEYS = [
    "run.steps",
    "run.seed",
    "run.window",
    "world.dim",
    "world.ideas",
    "world.archive_items",
    "world.item_noise",
    "humans.count",
    "ai.models",
    "ai.train_size",
    "ai.retrain_every",
    "ai.items_per_step",
    "ai.output_growth",
    "ai.capacity",
    "ai.temperature",
    "ai.top_p",
    "ai.variance_estimator",
    "policy.data_regime",
    "policy.human_reserve",
    "policy.detector_tpr",
    "policy.detector_fpr",
]


def schema_fields():
    """{dotted key: pydantic field} for every key of the schema."""
    return {f"{s}.{k}": f for s in SECTIONS for k, f in Scenario.model_fields[s].annotation.model_fields.items()}


def get(scenario, dotted):
    section, key = dotted.split(".")
    return getattr(getattr(scenario, section), key)


def write(tmp_path, text, name="scenario.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_error(path, overrides=None) -> str:
    with pytest.raises(ScenarioError) as info:
        load(path, overrides)
    message = str(info.value)
    assert "\n" not in message and "\r" not in message, f"not one line: {message!r}"
    assert "Traceback" not in message
    return message


# -- defaults and files ---------------------------------------------------------------
def test_empty_file_is_a_valid_scenario_equal_to_the_defaults(tmp_path):
    assert load(write(tmp_path, "")) == Scenario()


def test_empty_sections_are_valid(tmp_path):
    text = "".join(f"[{s}]\n" for s in SECTIONS)
    assert load(write(tmp_path, text)) == Scenario()


def test_baseline_loads_and_is_the_defaults():
    scenario = load(BASELINE)
    assert isinstance(scenario, Scenario)
    # README: "the defaults are the baseline"
    assert scenario == Scenario()


def test_load_accepts_str_paths(tmp_path):
    assert load(str(write(tmp_path, "[ai]\nmodels = 2\n"))).ai.models == 2


@pytest.mark.parametrize("dotted", REQUIRED_KEYS)
def test_every_required_key_exists(dotted):
    assert dotted in schema_fields()
    assert dotted in [row[0] for row in key_reference()]
    get(Scenario(), dotted)  # and the scenario object has it


def test_sections_are_the_six_documented_ones():
    assert SECTIONS == ("run", "world", "humans", "ai", "policy", "platform")
    assert set(Scenario.model_fields) == set(SECTIONS)


def test_values_from_a_file_are_applied(tmp_path):
    text = '[run]\nsteps = 7\nseed = 42\n[ai]\ntop_p = 0.5\nvariance_estimator = "unbiased"\n[policy]\ndata_regime = "window"\n'
    s = load(write(tmp_path, text))
    assert (s.run.steps, s.run.seed, s.ai.top_p, s.ai.variance_estimator, s.policy.data_regime) == (7, 42, 0.5, "unbiased", "window")
    assert s.ai.models == Scenario().ai.models  # untouched keys keep their default


def test_an_integer_is_accepted_for_a_number(tmp_path):
    s = load(write(tmp_path, "[platform]\nattention = 4000\n[ai]\ntop_p = 1\n"))
    assert s.platform.attention == 4000.0 and s.ai.top_p == 1.0


def test_scenario_is_frozen():
    s = Scenario()
    with pytest.raises(ValidationError):
        s.ai.models = 3


# -- round trip -----------------------------------------------------------------------------
def rich_scenario():
    return Scenario().with_overrides(
        {
            "run.steps": 3,
            "run.seed": 123456789,
            "world.ideas": 17,
            "world.item_noise": 0.1,
            "world.discount": 0.3333333333333333,
            "humans.count": 0,
            "ai.models": 1,
            "ai.items_per_step": 1e-7,
            "ai.output_growth": -0.5,
            "ai.temperature": 0.95,
            "ai.variance_estimator": "unbiased",
            "policy.data_regime": "accumulate",
            "policy.human_reserve": 0.1,
            "policy.verified_share": 0.2,
            "platform.attention": 12345.678,
        }
    )


@pytest.mark.parametrize("scenario", [Scenario(), rich_scenario()], ids=["defaults", "rich"])
def test_resolved_toml_round_trips_to_an_equal_scenario(tmp_path, scenario):
    path = write(tmp_path, scenario.to_toml())
    again = load(path)
    assert again == scenario
    assert again.to_toml() == scenario.to_toml()


def test_resolved_toml_writes_every_key():
    data = tomllib.loads(rich_scenario().to_toml())
    written = {f"{s}.{k}" for s, table in data.items() for k in table}
    assert written == set(schema_fields())


# -- overrides -------------------------------------------------------------------------------
def test_overrides_apply_and_validate(tmp_path):
    path = write(tmp_path, "[ai]\nmodels = 2\n")
    s = load(path, {"ai.models": 5, "policy.data_regime": "accumulate", "run.seed": 9})
    assert (s.ai.models, s.policy.data_regime, s.run.seed) == (5, "accumulate", 9)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ai.top_p=0.9", ("ai.top_p", 0.9)),
        ("ai.models=3", ("ai.models", 3)),
        (" ai.models = 3 ", ("ai.models", 3)),
        ("policy.data_regime=window", ("policy.data_regime", "window")),
        ('policy.data_regime="window"', ("policy.data_regime", "window")),
        ("policy.data_regime='window'", ("policy.data_regime", "window")),
        ("ai.top_p=1e-3", ("ai.top_p", 0.001)),
        ("run.seed=0", ("run.seed", 0)),
    ],
)
def test_parse_assignment_reads_values_as_toml(text, expected):
    key, value = parse_assignment(text)
    assert (key, value) == expected
    assert type(value) is type(expected[1])


@pytest.mark.parametrize("text", ["ai.top_p", "top_p=0.9", "=0.9", "", "ai_top_p:0.9"])
def test_bad_set_syntax_is_one_line_naming_it_and_the_form(text):
    with pytest.raises(ScenarioError) as info:
        parse_assignment(text)
    message = str(info.value)
    assert "\n" not in message
    assert f"--set {text}" in message
    assert "section.key=value" in message


def test_set_values_reach_validation(tmp_path):
    path = write(tmp_path, "")
    s = load(path, dict([parse_assignment("ai.top_p=0.5"), parse_assignment("policy.data_regime=window")]))
    assert s.ai.top_p == 0.5 and s.policy.data_regime == "window"


# -- one-line errors: file, key, what is allowed ---------------------------------------
def test_unknown_key(tmp_path):
    path = write(tmp_path, "[ai]\nmodels = 2\nmodelz = 3\n")
    message = load_error(path)
    assert str(path) in message
    assert "ai.modelz" in message
    assert "unknown key" in message
    for key in Scenario.model_fields["ai"].annotation.model_fields:
        assert key in message  # what is allowed


def test_unknown_section(tmp_path):
    path = write(tmp_path, "[aii]\nmodels = 3\n")
    message = load_error(path)
    assert str(path) in message and "aii" in message and "unknown section" in message
    for section in SECTIONS:
        assert section in message


def test_top_level_key_outside_a_section(tmp_path):
    path = write(tmp_path, "steps = 3\n")
    message = load_error(path)
    assert str(path) in message and "steps" in message
    assert all(section in message for section in SECTIONS)


def test_section_that_is_not_a_table(tmp_path):
    path = write(tmp_path, "ai = 3\n")
    message = load_error(path)
    assert str(path) in message and "ai" in message and "table" in message


@pytest.mark.parametrize(
    "section, key, toml_value",
    [
        ("ai", "models", '"3"'),  # a string for an integer
        ("ai", "models", "3.0"),  # a float for an integer
        ("ai", "models", "3.5"),
        ("ai", "models", "true"),  # a boolean for an integer
        ("run", "seed", "false"),
        ("ai", "top_p", '"0.9"'),  # a string for a number
        ("ai", "top_p", "true"),  # a boolean for a number
        ("world", "dim", "[8]"),
        ("world", "dim", "{ a = 1 }"),
        ("ai", "variance_estimator", "1"),  # a number for a choice
    ],
)
def test_wrong_type(tmp_path, section, key, toml_value):
    path = write(tmp_path, f"[{section}]\n{key} = {toml_value}\n")
    message = load_error(path)
    field = schema_fields()[f"{section}.{key}"]
    assert str(path) in message
    assert f"{section}.{key}" in message
    assert describe(field) in message


@pytest.mark.parametrize(
    "dotted, value",
    [
        ("run.steps", "-1"),
        ("run.window", "0"),
        ("world.dim", "0"),
        ("world.discount", "1.0"),  # [0, 1)
        ("world.concentration", "0.0"),  # > 0
        ("world.item_noise", "-0.5"),
        ("ai.top_p", "1.5"),
        ("ai.top_p", "0.0"),  # (0, 1]
        ("ai.top_p", "nan"),
        ("ai.temperature", "0.0"),
        ("ai.output_growth", "-1.0"),  # > -1
        ("ai.retrain_every", "0"),
        ("humans.homogenization", "1.01"),
        ("humans.ai_speedup", "0.5"),
        ("policy.human_reserve", "-0.1"),
        ("policy.detector_fpr", "2.0"),
        ("platform.attention", "-1.0"),
    ],
)
def test_out_of_range(tmp_path, dotted, value):
    section, key = dotted.split(".")
    path = write(tmp_path, f"[{section}]\n{key} = {value}\n")
    message = load_error(path)
    assert str(path) in message
    assert dotted in message
    assert describe(schema_fields()[dotted]) in message


@pytest.mark.parametrize("dotted, allowed", [("ai.top_p", "number in (0, 1]"), ("run.window", "integer >= 1"), ("world.discount", "number in [0, 1)"), ("ai.output_growth", "number > -1")])
def test_allowed_is_written_in_words(dotted, allowed):
    assert describe(schema_fields()[dotted]) == allowed


@pytest.mark.parametrize("dotted, value", [("policy.data_regime", '"sometimes"'), ("ai.variance_estimator", '"MLE"'), ("policy.data_regime", '""')])
def test_bad_enum(tmp_path, dotted, value):
    section, key = dotted.split(".")
    path = write(tmp_path, f"[{section}]\n{key} = {value}\n")
    message = load_error(path)
    assert str(path) in message and dotted in message
    choices = {"policy.data_regime": ["replace", "window", "accumulate"], "ai.variance_estimator": ["mle", "unbiased"]}[dotted]
    assert "one of" in message
    assert all(c in message for c in choices)


@pytest.mark.parametrize(
    "text",
    [
        "[ai\nmodels = 3\n",
        "[ai]\nmodels = \n",
        "[ai]\nmodels = 3\nmodels = 4\n",
        '[ai]\nvariance_estimator = "mle\n',
        "[ai]\nmodels 3\n",
    ],
)
def test_malformed_toml(tmp_path, text):
    path = write(tmp_path, text)
    message = load_error(path)
    assert str(path) in message
    assert "TOML" in message
    assert re.search(r"line \d+", message)  # where


def test_missing_file(tmp_path):
    path = tmp_path / "nope" / "missing.toml"
    message = load_error(path)
    assert str(path) in message and "not found" in message


def test_unreadable_files_are_one_line(tmp_path):
    assert str(tmp_path) in load_error(tmp_path)  # a folder
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00[ai]\n")
    assert str(binary) in load_error(binary)


def test_cross_field_constraint(tmp_path):
    path = write(tmp_path, "[policy]\nhuman_reserve = 0.6\nverified_share = 0.6\n")
    message = load_error(path)
    assert str(path) in message
    assert "human_reserve" in message and "verified_share" in message
    assert "<= 1" in message
    # each alone is fine, and the sum may be exactly 1
    assert load(write(tmp_path, "[policy]\nhuman_reserve = 0.5\nverified_share = 0.5\n", "ok.toml")).policy.human_reserve == 0.5


def test_cross_field_constraint_from_set(tmp_path):
    path = write(tmp_path, "[policy]\nhuman_reserve = 0.6\n")
    message = load_error(path, {"policy.verified_share": 0.6})
    assert str(path) in message and "--set" in message
    assert "human_reserve" in message and "verified_share" in message


@pytest.mark.parametrize(
    "overrides, key, allowed",
    [
        ({"ai.modelz": 3}, "ai.modelz", "models"),
        ({"aii.models": 3}, "aii.models", "policy"),
        ({"ai.models": "x"}, "ai.models", "integer >= 0"),
        ({"ai.top_p": 1.5}, "ai.top_p", "number in (0, 1]"),
        ({"run.steps": -1}, "run.steps", "integer >= 0"),
        ({"policy.data_regime": "never"}, "policy.data_regime", "one of replace, window, accumulate"),
    ],
)
def test_bad_overrides_name_the_file_the_key_and_what_is_allowed(tmp_path, overrides, key, allowed):
    path = write(tmp_path, "[ai]\nmodels = 2\n")
    message = load_error(path, overrides)
    assert str(path) in message and "--set" in message
    assert key in message and allowed in message


def test_the_first_of_several_errors_is_reported_on_one_line(tmp_path):
    path = write(tmp_path, "[ai]\nmodels = -1\ntop_p = 7.0\n[run]\nsteps = -3\n")
    message = load_error(path)
    assert str(path) in message
    assert sum(k in message for k in ("ai.models", "ai.top_p", "run.steps")) == 1


@pytest.mark.parametrize("dotted", ["ai.items_per_step", "world.concentration", "platform.attention", "ai.output_growth", "ai.temperature"])
def test_infinite_numbers_are_refused(tmp_path, dotted):
    section, key = dotted.split(".")
    path = write(tmp_path, f"[{section}]\n{key} = inf\n")
    message = load_error(path)
    assert dotted in message


# -- Scenario.from_flat ---------------------------------------------------------------------
def test_from_flat_equals_the_nested_scenario():
    flat = Scenario.from_flat(ai_models=2, policy_data_regime="accumulate", world_archive_items=300, ai_variance_estimator="unbiased", humans_ai_speedup=2.0)
    nested = validate(
        {"ai": {"models": 2, "variance_estimator": "unbiased"}, "policy": {"data_regime": "accumulate"}, "world": {"archive_items": 300}, "humans": {"ai_speedup": 2.0}},
        "test",
    )
    assert flat == nested
    assert flat.humans.ai_speedup == 2.0 and flat.ai.variance_estimator == "unbiased"


def test_from_flat_short_forms_of_seed_and_steps():
    assert Scenario.from_flat(seed=5, steps=7) == Scenario.from_flat(run_seed=5, run_steps=7)
    s = Scenario.from_flat(seed=5, steps=7)
    assert (s.run.seed, s.run.steps) == (5, 7)


def test_from_flat_with_nothing_is_the_defaults():
    assert Scenario.from_flat() == Scenario()


@pytest.mark.parametrize("name", ["models", "foo_bar", "ai_", "ai_modelz", "run_steps_x"])
def test_from_flat_unknown_names_are_one_line_errors(name):
    with pytest.raises(ScenarioError) as info:
        Scenario.from_flat(**{name: 1})
    message = str(info.value)
    assert "\n" not in message
    assert "keyword arguments" in message


def test_from_flat_bad_value_names_the_key_and_what_is_allowed():
    with pytest.raises(ScenarioError) as info:
        Scenario.from_flat(ai_top_p=2.0)
    message = str(info.value)
    assert "\n" not in message and "ai.top_p" in message and "number in (0, 1]" in message


# -- the "Scenario keys" page (docs/keys.md) ------------------------------------------------------
def readme_key_table():
    section = (REPO / "docs" / "keys.md").read_text(encoding="utf-8")
    rows = []
    for line in section.splitlines():
        m = re.match(r"^\|\s*`([^`]+)`\s*\|\s*`([^`]*)`\s*\|\s*(.*?)\s*\|\s*(.*?)\s*\|\s*$", line)
        if m:
            rows.append(m.groups())
    return rows


def test_readme_lists_exactly_the_schema_keys_in_order():
    readme = [row[0] for row in readme_key_table()]
    schema = [row[0] for row in key_reference()]
    assert len(readme) == len(set(readme)), "duplicate keys in docs/keys.md"
    assert readme == schema


def test_readme_defaults_and_allowed_match_the_schema():
    defaults = Scenario()
    reference = {key: (default, allowed) for key, default, allowed, _ in key_reference()}
    for key, default_text, allowed, _meaning in readme_key_table():
        default = tomllib.loads(f"v = {default_text}")["v"]
        assert default == get(defaults, key), key
        assert type(default) is type(get(defaults, key)), key
        assert default == reference[key][0], key
        assert allowed == reference[key][1], key


def test_key_reference_defaults_are_the_scenario_defaults():
    defaults = Scenario()
    for key, default, allowed, meaning in key_reference():
        assert default == get(defaults, key)
        assert allowed and meaning, key
