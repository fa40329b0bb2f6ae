"""Every answer over the posterior: the posterior file, comparisons over plausible worlds, the brief's words.

A small posterior file is written here (four draws of three calibrated keys around the
defaults), so these tests do not depend on the posterior the project ships. The runs use the
tiny world of ``tests/test_compare.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import call
from experiments import brief, compare, comparison, library
from experiments.calibration import posterior
from experiments.calibration.spec import CalibrationError
from experiments.runner import run as run_scenario
from model.scenario import Scenario, load

from test_compare import RESERVE, TINY

DRAWS = pd.DataFrame(
    {
        "ai.cost": [0.10, 0.16, 0.13, 0.10],
        "platform.ai_visibility": [0.15, 0.25, 0.2, 0.15],
        "platform.substitution": [0.3, 0.6, 0.5, 0.3],
    }
)


@pytest.fixture
def draws_file(tmp_path):
    path = tmp_path / "posterior.csv"
    posterior.write(path, DRAWS, ["a test posterior", "made by hand"])
    return path


@pytest.fixture
def workdir(tmp_path, monkeypatch, draws_file):
    (tmp_path / "tiny.toml").write_text(TINY)
    (tmp_path / "reserve.toml").write_text(RESERVE)
    # A policy that sets a calibrated key itself keeps its own value in every world.
    (tmp_path / "ranked.toml").write_text(TINY.replace("[platform]\n", "[platform]\nai_visibility = 0.05\n"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


# -- the file --------------------------------------------------------------------------------------


def test_a_posterior_file_reads_back_to_the_last_digit(draws_file):
    frame = posterior.read(draws_file)
    pd.testing.assert_frame_equal(frame, DRAWS)
    assert posterior.comments(draws_file) == ["a test posterior", "made by hand"]
    assert posterior.draws(2, draws_file) == DRAWS.head(2).to_dict("records")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("# only a comment\n", "empty"),
        ("ai.cost,platform.ai_visibility\n", "no draws"),
        ("ai.cost,ai.costt\n0.1,0.2\n", "ai.costt: unknown key"),
        ("ai.cost\n0.1\nabc\n", "ai.cost, draw 1 = 'abc': not a finite number"),
        ("ai.cost\n0.1\n-1\n", "ai.cost = -1.0: allowed: number >= 0"),
        ('ai.cost\n0.1\n"0.2\n', "malformed CSV"),
    ],
)
def test_a_bad_posterior_file_is_refused_in_one_line(tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(CalibrationError, match=message) as error:
        posterior.read(path)
    assert str(path) in str(error.value) and "\n" not in str(error.value)


def test_more_draws_than_the_file_holds_is_refused(draws_file):
    with pytest.raises(CalibrationError, match="holds 4 draws; ask for at most 4"):
        posterior.draws(5, draws_file)


def test_resampling_keeps_the_weights():
    particles = pd.DataFrame({"x": [0.0, 1.0, 2.0]})
    draws = posterior.resample(particles, np.array([0.7, 0.2, 0.1]), 1000, seed=3)
    assert len(draws) == 1000 and set(draws["x"]) <= {0.0, 1.0, 2.0}
    np.testing.assert_allclose(draws["x"].value_counts(normalize=True).sort_index().to_numpy(), [0.7, 0.2, 0.1], atol=0.002)


def test_a_draw_replaces_only_the_keys_a_scenario_leaves_at_the_baselines():
    base = Scenario()
    ranked = base.with_overrides({"platform.ai_visibility": 0.05})
    draw = {"ai.cost": 0.2, "platform.ai_visibility": 0.3}
    assert posterior.apply(base, draw, base).ai.cost == 0.2 and posterior.apply(base, draw, base).platform.ai_visibility == 0.3
    assert posterior.apply(ranked, draw, base).platform.ai_visibility == 0.05  # the policy's own value
    assert posterior.apply(ranked, draw, base).ai.cost == 0.2


# -- the statistics across worlds -----------------------------------------------------------------


def test_variance_splits_into_parameters_and_seeds():
    rng = np.random.default_rng(0)
    draws, seeds = 400, 6
    between, within = 0.5, 0.2  # standard deviations of the draws' effects and of the seeds around them
    effect = rng.normal(1.0, between, draws)[:, None] + rng.normal(0, within, (draws, seeds))
    index = pd.MultiIndex.from_product([range(draws), range(1, seeds + 1)], names=["draw", "seed"])
    spread = comparison.across_worlds(pd.Series(effect.ravel(), index=index), better=1)
    assert spread["var_seeds"] == pytest.approx(within**2, rel=0.06)
    assert spread["var_parameters"] == pytest.approx(between**2, rel=0.15)
    worlds = effect.ravel()  # a world is a draw with a seed
    assert (spread["p05"], spread["p50"], spread["p95"]) == pytest.approx(tuple(np.quantile(worlds, [0.05, 0.5, 0.95])))
    assert spread["share_helped"] == pytest.approx(np.mean(worlds > 0))
    assert comparison.across_worlds(pd.Series(-effect.ravel(), index=index), better=-1)["share_helped"] == spread["share_helped"]


def test_without_draws_or_with_one_seed_per_draw_the_split_is_not_made():
    by_seed = comparison.across_worlds(pd.Series([0.1, 0.3, -0.1], index=pd.Index([1, 2, 3], name="seed")), better=1)
    assert np.isnan(by_seed["var_parameters"]) and by_seed["var_seeds"] == pytest.approx(np.var([0.1, 0.3, -0.1], ddof=1))
    assert by_seed["share_helped"] == pytest.approx(2 / 3)
    matched = pd.Series([0.1, 0.3, -0.1], index=pd.MultiIndex.from_tuples([(0, 1), (1, 2), (2, 3)], names=["draw", "seed"]))
    spread = comparison.across_worlds(matched, better=1)
    assert np.isnan(spread["var_parameters"]) and np.isnan(spread["var_seeds"])


# -- comparisons over the posterior ---------------------------------------------------------------


@pytest.fixture(scope="module")
def over_worlds(tmp_path_factory):
    root = tmp_path_factory.mktemp("worlds")
    (root / "tiny.toml").write_text(TINY)
    (root / "reserve.toml").write_text(RESERVE)
    (root / "ranked.toml").write_text(TINY.replace("[platform]\n", "[platform]\nai_visibility = 0.05\n"))
    posterior.write(root / "posterior.csv", DRAWS, ["test"])
    scenarios = {name: load(root / f"{name}.toml") for name in ("tiny", "reserve", "ranked")}
    crossed = compare.compare(scenarios, seeds=2, jobs=2, posterior=3, posterior_file=root / "posterior.csv")
    matched = compare.compare(scenarios, seeds=3, jobs=1, posterior="matched", posterior_file=root / "posterior.csv")
    return root, scenarios, crossed, matched


def test_every_scenario_runs_in_the_same_worlds(over_worlds):
    root, scenarios, crossed, _ = over_worlds
    runs = crossed.runs
    assert list(runs.columns[:5]) == ["scenario", "draw", "seed", "run_seed", "step"]
    worlds = runs[runs.step == 0].groupby("scenario", sort=False)[["draw", "seed", "run_seed"]].apply(lambda f: list(map(tuple, f.to_numpy())))
    assert worlds["tiny"] == worlds["reserve"] == worlds["ranked"]
    assert [(d, s) for d, s, _ in worlds["tiny"]] == [(d, s) for d in range(3) for s in (1, 2)]
    assert len({r for _, _, r in worlds["tiny"]}) == 6  # draws 0 and 3 are equal in the file; their worlds are not
    # a block of rows is the run of the scenario with the draw's values and the world's seed, made on its own
    draw, seed, run_seed = worlds["reserve"][3]
    applied = scenarios["reserve"].with_overrides({k: float(v) for k, v in DRAWS.iloc[draw].items()})
    ts = run_scenario(applied, seed=int(run_seed)).timeseries
    block = runs[(runs.scenario == "reserve") & (runs.draw == draw) & (runs.seed == seed)]
    np.testing.assert_allclose(block["originality_index"].to_numpy(), ts["originality_index"].to_numpy())


def test_a_policy_keeps_its_own_value_of_a_calibrated_key(over_worlds):
    _, _, crossed, _ = over_worlds
    runs = crossed.runs
    tiny = runs[(runs.scenario == "tiny") & (runs.step > 0)].groupby("draw")["ai_attention_share"].mean()
    ranked = runs[(runs.scenario == "ranked") & (runs.step > 0)].groupby("draw")["ai_attention_share"].mean()
    assert (ranked < tiny).all()  # visibility 0.05 in every world, below every draw's


def test_the_summary_is_over_draws_and_its_spread_is_over_worlds(over_worlds):
    _, _, crossed, _ = over_worlds
    s = crossed.summary
    assert list(s.columns) == list(comparison.SUMMARY)
    row = s[(s.scenario == "reserve") & (s.metric == "originality_index") & (s.statistic == "final")].iloc[0]
    runs = crossed.runs
    final = runs[runs.step == runs.step.max()].pivot_table(index=["draw", "seed"], columns="scenario", values="originality_index")
    per_draw = (final["reserve"] - final["tiny"]).groupby(level="draw").mean()
    assert row["draws"] == 3 and row["seeds"] == 2
    assert row["diff"] == pytest.approx(per_draw.mean())
    assert row["diff_high"] - row["diff"] == pytest.approx(comparison.mean_ci(per_draw).high - per_draw.mean())
    worlds = final["reserve"] - final["tiny"]  # the spread is over worlds, each a draw with a seed: 6, too few for a range
    assert row["worlds"] == 6 and np.isnan(row["p05"]) and np.isnan(row["range_low"])
    assert row["p50"] == pytest.approx(worlds.median()) and row["share_helped"] == pytest.approx(np.mean(worlds > 0))
    assert np.isfinite(row["var_seeds"]) and row["var_parameters"] >= 0
    reference = s[s.scenario == "tiny"]
    assert reference[["p05", "p50", "p95", "share_helped", "var_parameters", "var_seeds"]].isna().all().all()


def test_matched_worlds_pair_draw_i_with_seed_i(over_worlds):
    _, _, _, matched = over_worlds
    pairs = matched.runs[matched.runs.step == 0][["draw", "seed"]].drop_duplicates().to_numpy().tolist()
    assert pairs == [[0, 1], [1, 2], [2, 3]]
    row = matched.summary[(matched.summary.scenario == "reserve") & (matched.summary.metric == "originality_index")].iloc[0]
    assert row["draws"] == 3 and row["seeds"] == 1 and np.isnan(row["var_parameters"])
    page = brief.page(matched, {})  # one seed a world: three worlds, not three draws times three seeds
    assert "3 plausible worlds (posterior draw i with seed i, seeds 1–3)" in page and "1 seed per draw" in page and "× 3 seeds" not in page


def test_the_brief_speaks_of_plausible_worlds_and_display_names(over_worlds):
    root, scenarios, crossed, _ = over_worlds
    crossed.descriptions.update({"tiny": "Tiny: a test world", "reserve": "Human reserve: a fifth from the archive"})
    text = "".join(brief.reading(crossed)) + brief.page(crossed, {})
    assert "6 plausible worlds" in text and "Human reserve" in text and "of 6 plausible worlds" in text
    assert "Tiny" in text and "ranked" not in text.split("<h2>The scenarios</h2>")[0].replace("Ranked", "")
    assert "1 of 1" not in text


def test_one_policy_reads_in_the_singular(workdir, capfd, draws_file):
    code, out, err = call(["compare", "tiny.toml", "reserve.toml", "--seeds", "2", "--posterior", "2", "--posterior-file", draws_file,
                           "--out", "cmp", "--quiet"], capfd)
    assert code == 0, err
    page = (workdir / "cmp" / "report.html").read_text()
    assert "The policy clearly keeps" in page or "The policy does not clearly keep" in page
    assert "1 of 1 polic" not in page and "1 of 1 scenarios" not in page
    assert "plausible worlds" in page and "2 posterior draws × 2 seeds" in page


def test_display_names_come_from_the_descriptions():
    assert library.display_name("creator_pay", "Creator pay: a subsidy per human item") == "Creator pay"
    assert library.display_name("my_policy", "") == "My policy"
    assert library.display_name("x", "A sentence with no title at all, and a colon much later than forty characters: here") == "X"


# -- the command line -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--posterior", "5"], "holds 4 draws; ask for at most 4"),
        (["--posterior", "-1"], "--posterior -1: give a number of draws >= 0"),
        (["--posterior", "2", "--posterior-file", "missing.csv"], "missing.csv: file not found"),
    ],
)
def test_bad_posterior_arguments_exit_2_and_write_nothing(workdir, capfd, draws_file, args, message):
    if "--posterior-file" not in args:
        args = [*args, "--posterior-file", draws_file]
    code, out, err = call(["compare", "tiny.toml", "reserve.toml", "--seeds", "2", "--out", "never", *args], capfd)
    assert code == 2 and err.count("\n") == 1 and err.startswith("error: ") and message in err, err
    assert not (workdir / "never").exists()


def test_an_empty_posterior_file_exits_2(workdir, capfd):
    (workdir / "empty.csv").write_text("")
    code, out, err = call(["compare", "tiny.toml", "--seeds", "2", "--posterior", "1", "--posterior-file", "empty.csv", "--out", "never"], capfd)
    assert code == 2 and "empty.csv: empty" in err and not (workdir / "never").exists()


# -- sweeps over the posterior --------------------------------------------------------------------


POSTERIOR_SWEEP = """\
base = "tiny.toml"
design = "posterior"
posterior = "posterior.csv"
samples = 3
seeds = 1
seed = 4

[parameters]
policy.human_reserve = { range = [0.0, 0.3] }

[outcomes]
originality = { metric = "originality_index" }
"""


def test_a_sweep_can_sample_the_posterior_instead_of_a_box(workdir):
    from experiments.sweep import design

    (workdir / "sweep.toml").write_text(POSTERIOR_SWEEP)
    sweep = design.read(workdir / "sweep.toml")
    points = sweep.points()
    assert len(points) == 3
    for i, point in enumerate(points):
        assert {k: point[k] for k in DRAWS.columns} == DRAWS.iloc[i].to_dict()  # point i is draw i
        assert 0.0 <= point["policy.human_reserve"] <= 0.3
    assert len({p["policy.human_reserve"] for p in points}) == 3  # the lever by Latin hypercube


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("samples = 3", "samples = 9"), "holds 4 draws"),
        (('posterior = "posterior.csv"', 'posterior = "nope.csv"'), "nope.csv: file not found"),
        (("[parameters]\n", "[parameters]\nai.cost = { range = [0.1, 0.2] }\n"), "ai.cost: a calibrated key the posterior draws"),
        (('design = "posterior"', 'design = "lhs"'), "posterior: only for design"),
    ],
)
def test_a_bad_posterior_sweep_is_refused_in_one_line(workdir, change, message):
    from experiments.sweep import design
    from model.scenario import ScenarioError

    (workdir / "sweep.toml").write_text(POSTERIOR_SWEEP.replace(*change))
    with pytest.raises(ScenarioError, match=message) as error:
        design.read(workdir / "sweep.toml")
    assert "\n" not in str(error.value) and "sweep.toml" in str(error.value)
