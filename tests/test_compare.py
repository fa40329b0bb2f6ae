"""Comparisons over common seeds: the statistics, the runs, the files and the command line.

The statistics are checked against independent computations and, for the intervals'
coverage, against a synthetic case with a known mean. The runs and files use a tiny scenario
(a 1,500-item archive, 40 creators, 8 steps), through ``run.main`` in-process.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import run as cli
from conftest import call
from experiments import compare, comparison, figures, how_often, library, report, wording
from experiments.runner import run as run_scenario
from model.scenario import ScenarioError, load

TINY = """\
# A tiny world for tests.
[run]
steps = 8
window = 3

[world]
archive_items = 1500
dim = 2

[humans]
count = 40

[ai]
models = 2
train_size = 400
retrain_every = 3
items_per_step = 20.0

[platform]
attention = 2.0
"""
RESERVE = TINY.replace("# A tiny world for tests.", "# The tiny world with a human reserve.") + "\n[policy]\nhuman_reserve = 0.3\n"

# -- statistics ----------------------------------------------------------------------------------


def test_mean_ci_is_the_t_interval_over_the_finite_values():
    x = np.array([0.3, 1.2, -0.4, 2.2, 0.9, np.nan])
    ci = comparison.mean_ci(x)
    finite = x[np.isfinite(x)]
    low, high = stats.t.interval(0.95, len(finite) - 1, loc=finite.mean(), scale=stats.sem(finite))
    assert ci.n == 5 and ci.mean == pytest.approx(finite.mean())
    assert (ci.low, ci.high) == pytest.approx((low, high), rel=1e-12)
    one = comparison.mean_ci([4.0])
    assert one.mean == 4.0 and np.isnan(one.low) and np.isnan(one.high)
    assert comparison.mean_ci([np.nan]).n == 0


def test_paired_difference_uses_only_complete_pairs():
    a = np.array([1.0, 2.0, np.nan, 4.0])
    b = np.array([0.5, 1.0, 3.0, np.nan])
    d = comparison.paired_difference(a, b)
    assert d.n == 2 and d.mean == pytest.approx(0.75)
    with pytest.raises(ValueError):
        comparison.paired_difference([1.0, 2.0], [1.0])


def _coverage(interval, samples, truth) -> float:
    hits = [(c.low <= truth <= c.high) for c in map(interval, samples)]
    return float(np.mean(hits))


def test_intervals_cover_the_true_mean_at_their_nominal_rate():
    """2,000 synthetic samples of 10 values with a known mean: about 95% of the intervals hold it.

    The tolerance is 3 binomial standard errors of a 95% rate over 2,000 trials (0.0146); a
    normal-quantile interval, too narrow for 10 values (about 92%), fails the same check.
    """
    rng = np.random.default_rng(20261126)
    reps, n, mean, sd = 2000, 10, 3.0, 2.0
    tol = 3 * np.sqrt(0.95 * 0.05 / reps)
    samples = rng.normal(mean, sd, size=(reps, n))
    assert abs(_coverage(comparison.mean_ci, samples, mean) - 0.95) <= tol

    # paired: a common per-seed part (the seed's luck) plus a policy effect of 0.4 with its own noise
    luck = rng.normal(0, 5.0, size=(reps, n))
    a, b = luck + rng.normal(0.4, 1.0, size=(reps, n)), luck + rng.normal(0.0, 1.0, size=(reps, n))
    pairs = np.stack([a, b], axis=1)
    assert abs(_coverage(lambda p: comparison.paired_difference(p[0], p[1]), pairs, 0.4) - 0.95) <= tol

    def z_interval(x):  # what the check rejects
        half = 1.96 * x.std(ddof=1) / np.sqrt(len(x))
        return comparison.Interval(x.mean(), x.mean() - half, x.mean() + half, len(x))

    assert _coverage(z_interval, samples, mean) < 0.95 - tol


def synthetic_runs(steps=20, seeds=(1, 2, 3, 4)) -> pd.DataFrame:
    """Two scenarios; B is A plus 0.5 at every step of every seed, A varies a lot between seeds."""
    rng = np.random.default_rng(7)
    rows = []
    for seed in seeds:
        level = rng.normal(0, 10)
        for step in range(steps + 1):
            value = level + 0.1 * step + rng.normal(0, 1)
            rows.append(("A", seed, step, value))
            rows.append(("B", seed, step, value + 0.5))
    runs = pd.DataFrame(rows, columns=["scenario", "seed", "step", "originality_index"])
    return runs.sort_values(["scenario", "seed", "step"], kind="stable").reset_index(drop=True)


def test_summary_pairs_seeds_and_averages_the_last_steps():
    runs = synthetic_runs()
    s = comparison.summarize(runs, ["originality_index"], last=12)
    assert list(s["statistic"].unique()) == ["final", "last 12 steps"]
    b_last = s[(s.scenario == "B") & (s.statistic == "last 12 steps")].iloc[0]
    # the difference is exactly 0.5 on every seed: a paired interval of zero width, far narrower
    # than the interval of B's own mean, which carries the seeds' different levels
    assert b_last["diff"] == pytest.approx(0.5) and b_last["diff_high"] - b_last["diff_low"] == pytest.approx(0, abs=1e-9)
    assert b_last["ci_high"] - b_last["ci_low"] > 5
    # recomputed by hand: per seed, the mean of steps 9..20
    per_seed = runs[(runs.scenario == "B") & (runs.step >= 9)].groupby("seed")["originality_index"].mean()
    assert b_last["mean"] == pytest.approx(per_seed.mean())
    final = runs[(runs.scenario == "A") & (runs.step == 20)]["originality_index"]
    a_final = s[(s.scenario == "A") & (s.statistic == "final")].iloc[0]
    assert a_final["mean"] == pytest.approx(final.mean()) and a_final["seeds"] == 4


def test_band_is_the_range_over_worlds_at_each_step_and_none_with_too_few():
    runs = synthetic_runs(seeds=range(1, 13))
    b = comparison.band(runs, "originality_index")
    row = b[(b.scenario == "A") & (b.step == 7)].iloc[0]
    values = runs[(runs.scenario == "A") & (runs.step == 7)]["originality_index"].to_numpy()
    assert (row["mean"], row["low"], row["high"], row["n"]) == pytest.approx((values.mean(), *np.quantile(values, [0.05, 0.95]), 12))
    assert (values < row["low"]).sum() == 1 and (values > row["high"]).sum() == 1  # 12 worlds: one beyond each end
    few = comparison.band(synthetic_runs(seeds=range(1, comparison.MIN_WORLDS)), "originality_index")
    assert few["low"].isna().all() and few["high"].isna().all() and few["mean"].notna().all()
    # the error of the mean is another function, cut at the metric's bounds
    m = comparison.mean_band(runs, "originality_index")
    ci = comparison.mean_ci(values, within=comparison.bounds("originality_index"))
    assert tuple(m[(m.scenario == "A") & (m.step == 7)].iloc[0][["mean", "low", "high"]]) == pytest.approx((ci.mean, ci.low, ci.high))


def share_runs(seeds=(1, 2)) -> pd.DataFrame:
    """Two scenarios measuring a share near 0 and a count near 0, 12 steps: B a little higher than A on every seed."""
    rows = []
    for seed in seeds:
        for step in range(13):
            a = 0.01 * seed * (step > 0)
            rows += [("A", seed, step, a, 500 * seed), ("B", seed, step, a + 0.002, 500 * seed + 40)]
    return pd.DataFrame(rows, columns=["scenario", "seed", "step", "human_share_new", "active_humans"])


def test_no_interval_of_a_bounded_metric_leaves_its_bounds():
    """Two seeds far apart: the t-interval of a share's mean would reach below 0 (t = 12.7), and of a count too."""
    s = comparison.summarize(share_runs(), ["human_share_new", "active_humans"])
    raw = comparison.mean_ci([0.01, 0.02])
    assert raw.low < 0  # what the interval would say unbounded
    for _, r in s.iterrows():
        assert r["ci_low"] >= 0 and (r["ci_high"] <= 1 or r["metric"] == "active_humans"), r
        assert r["worlds"] == 2 and np.isnan(r["range_low"]) and np.isnan(r["range_high"])  # 2 worlds: no range
    b = s[(s.scenario == "B") & (s.metric == "human_share_new") & (s.statistic == "final")].iloc[0]
    assert b["diff"] == pytest.approx(0.002) and -1 <= b["diff_low"] <= b["diff_high"] <= 1 and np.isnan(b["p05"])
    assert comparison.mean_ci([0.2, 0.9], within=(0.0, 1.0)).high == 1.0
    assert comparison.world_range(np.linspace(0, 1, 21)) == pytest.approx((0.05, 0.95))
    assert np.isnan(comparison.world_range(np.arange(9.0))[0]) and np.isfinite(comparison.world_range(np.arange(10.0))[0])


def test_summary_ranges_are_percentiles_over_draw_and_seed_worlds():
    rng = np.random.default_rng(3)
    rows = []
    for draw in range(5):
        for seed in (1, 2, 3):
            a = rng.random()
            rows += [("A", draw, seed, 1, a), ("B", draw, seed, 1, a + rng.normal(0.1, 0.05))]
    runs = pd.DataFrame(rows, columns=["scenario", "draw", "seed", "step", "originality_index"])
    s = comparison.summarize(runs, ["originality_index"])
    b = s[(s.scenario == "B") & (s.statistic == "final")].iloc[0]
    wide = runs.pivot_table(index=["draw", "seed"], columns="scenario", values="originality_index")
    effect = wide["B"] - wide["A"]
    assert b["worlds"] == 15 and b["draws"] == 5 and b["seeds"] == 3
    assert (b["range_low"], b["range_high"]) == pytest.approx(tuple(np.quantile(wide["B"], [0.05, 0.95])))
    assert (b["p05"], b["p50"], b["p95"]) == pytest.approx(tuple(np.quantile(effect, [0.05, 0.5, 0.95])))
    assert b["share_helped"] == pytest.approx(np.mean(effect > 0))
    # the error of the mean stays over draws (each its seeds' mean)
    assert b["diff_high"] - b["diff"] == pytest.approx(comparison.mean_ci(effect.groupby(level="draw").mean()).high - effect.groupby(level="draw").mean().mean())
    assert list(s.columns) == list(comparison.SUMMARY)


# -- how often ------------------------------------------------------------------------------------


def test_pairwise_and_ranks_count_worlds_where_the_answer_is_known():
    """Four worlds, three scenarios, the mean of the last 2 steps: C beats A in 3 worlds and ties in 1; B is best in 2."""
    last = {  # per world (seed): A, B, C
        1: (1.0, 3.0, 2.0),
        2: (1.0, 3.0, 2.0),
        3: (2.0, 0.0, 3.0),
        4: (2.0, 1.0, 2.0),
    }
    rows = []
    for seed, values in last.items():
        for name, value in zip("ABC", values):
            rows += [(name, seed, 0, 99.0), (name, seed, 1, value - 1), (name, seed, 2, value + 1)]  # steps 1-2 average to value
    runs = pd.DataFrame(rows, columns=["scenario", "seed", "step", "originality_index"])
    runs["ai_attention_share"] = runs["originality_index"] / 10  # lower is better: the order turns round
    pairs = how_often.pairwise(runs, ["originality_index", "ai_attention_share"], last=2)
    assert list(pairs.columns) == ["scenario_a", "scenario_b", "metric", "share_a_better", "worlds"]
    assert len(pairs) == 2 * 6 and (pairs["worlds"] == 4).all()
    got = pairs.set_index(["metric", "scenario_a", "scenario_b"])["share_a_better"]
    assert got["originality_index", "C", "A"] == 0.75 and got["originality_index", "A", "C"] == 0  # a tie is no win
    assert got["originality_index", "B", "C"] == 0.5 and got["originality_index", "C", "B"] == 0.5
    assert got["ai_attention_share", "A", "C"] == 0.75 and got["ai_attention_share", "B", "A"] == 0.5
    rank = how_often.ranks(runs, ["originality_index"], last=2).set_index("scenario")
    assert list(rank.columns) == ["metric", "worlds", "rank_1", "rank_2", "rank_3"]
    assert tuple(rank.loc["B", ["rank_1", "rank_2", "rank_3"]]) == (0.5, 0, 0.5)
    assert tuple(rank.loc["C", ["rank_1", "rank_2", "rank_3"]]) == (0.5, 0.5, 0)  # world 4: A and C tie for first
    assert tuple(rank.loc["A", ["rank_1", "rank_2", "rank_3"]]) == (0.25, 0.25, 0.5)
    words = wording.rank_words(rank.reset_index().iloc[1], draws=True)
    assert words == "first in 2 of 4 plausible worlds and third in 2"
    assert wording.rank_words(rank.reset_index().iloc[0], draws=False) == "third in 2 of 4 seeds, first in 1 and second in 1"
    shown = {"A": "A", "B": "B", "C": "C"}  # B and C are each first in 2 worlds: the brief names both
    assert how_often.most_often_first(rank.reset_index(), "originality_index", shown, draws=True) == "B and C each rank first in 2 of 4 plausible worlds"


def test_numbers_read_without_exponents_or_a_1x_for_a_small_change():
    assert wording.number(3.54e-05) == "0.0000354" and wording.number(0.00695) == "0.00695" and wording.number(1683.2) == "1,683"
    assert wording.number(-580.0) == "\u2212580" and wording.number(0.9996) == "1.00" and wording.number(99.96) == "100"
    assert wording.between(3.54e-05, 0.00695) == "0.0000354 to 0.00695"
    assert wording.change(0.9035, 0.9) == "+0.39%" and wording.change(2.7, 0.9) == "3.0 times" and wording.change(0.45, 0.9) == "\u221250%"
    assert wording.clearly(0, 4, "keep x", first=True) == "none of the 4 policies clearly keeps x"
    assert wording.clearly(1, 4, "keep x", first=True) == "1 of 4 policies clearly keeps x" and wording.clearly(2, 4, "keep x", first=False) == "2 policies clearly keep x"
    assert wording.clearly(0, 1, "keep x", first=True) == "the policy does not clearly keep x"
    for x in np.geomspace(1e-9, 1e9, 200):
        assert "e" not in wording.number(x) and "e" not in wording.number(-x)


def test_headline_metrics_missing_from_the_runs_are_skipped():
    assert comparison.headline(["step", "originality_index", "active_humans"]) == ["originality_index", "active_humans"]
    assert "ideas_rarefied" in comparison.HEADLINE and "ai_attention_share" in comparison.HEADLINE


def test_seed_list():
    assert compare.seed_list(3) == [1, 2, 3]
    assert compare.seed_list([5, 2]) == [5, 2]
    for bad in (0, [1, 1], []):
        with pytest.raises(ValueError):
            compare.seed_list(bad)


# -- folder names --------------------------------------------------------------------------------


def test_folder_names_reflect_every_override_and_are_stable():
    assert library.folder_name("baseline") == "baseline"
    readme = library.folder_name("baseline", {"ai.temperature": 0.8, "run.steps": 100, "run.seed": 7})
    assert readme == "baseline--seed7--steps100--ai.temperature0.8"
    assert library.folder_name("baseline", {"run.seed": 7, "ai.temperature": 0.8, "run.steps": 100}) == readme
    assert library.folder_name("baseline", {"ai.temperature": 0.9}) != library.folder_name("baseline", {"ai.temperature": 0.8})
    assert library.folder_name("x", {"policy.data_regime": "a b/c"}) == "x--policy.data_regimea_b_c"
    many = {f"policy.key{i}": i / 7 for i in range(12)}
    long = library.folder_name("baseline", many)
    assert len(long) <= library.MAX_NAME and re.search(r"-[0-9a-f]{8}$", long)
    assert long == library.folder_name("baseline", dict(reversed(list(many.items()))))
    assert long != library.folder_name("baseline", {**many, "policy.key0": 1})


def test_names_resolve_to_library_files_and_paths_stay_paths(tmp_path):
    assert library.resolve("human_reserve").resolve() == library.LIBRARY / "human_reserve.toml"
    assert library.resolve("some/where.toml") == Path("some/where.toml")
    with pytest.raises(ScenarioError, match="nosuch: unknown scenario; allowed: baseline, "):
        library.resolve("nosuch")


# -- the command line ----------------------------------------------------------------------------


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    (tmp_path / "tiny.toml").write_text(TINY)
    (tmp_path / "reserve.toml").write_text(RESERVE)
    (tmp_path / "broken.toml").write_text(TINY.replace("[ai]\n", "[ai]\nmodelz = 3\n"))
    (tmp_path / "longer.toml").write_text(TINY.replace("steps = 8", "steps = 9"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def pixels_per_metre(path: Path) -> int:
    data = path.read_bytes()
    at = data.index(b"pHYs")
    x, y, unit = struct.unpack(">IIB", data[at + 4 : at + 13])
    assert unit == 1
    return min(x, y)


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    """One comparison with --jobs 1 into the default folder, one with --jobs 2 into --out (once per module)."""
    root = tmp_path_factory.mktemp("compare")
    (root / "tiny.toml").write_text(TINY)
    (root / "reserve.toml").write_text(RESERVE)
    # The scenarios' own values (--posterior 0): comparisons over the posterior are tests/test_posterior.py's.
    args = ["compare", "tiny.toml", "reserve.toml", "--seeds", "3", "--posterior", "0", "--quiet"]
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        codes = cli.main(args + ["--jobs", "1"]), cli.main(args + ["--jobs", "2", "--out", str(root / "pooled")])
    return root, codes


def test_jobs_1_and_2_write_identical_runs(compared):
    workdir, codes = compared
    assert codes == (0, 0)
    default = workdir / "results" / "compare--tiny+reserve--posterior0--seeds3"
    assert (default / "runs.csv").read_bytes() == (workdir / "pooled" / "runs.csv").read_bytes()
    assert (default / "summary.csv").read_bytes() == (workdir / "pooled" / "summary.csv").read_bytes()


def test_runs_csv_holds_every_run_in_scenario_and_seed_order(compared):
    workdir, _ = compared
    runs = pd.read_csv(workdir / "pooled" / "runs.csv")
    assert list(runs.columns[:3]) == ["scenario", "seed", "step"]
    assert list(dict.fromkeys(runs["scenario"])) == ["tiny", "reserve"]
    assert runs.groupby("scenario", sort=False)["seed"].apply(lambda s: list(dict.fromkeys(s))).tolist() == [[1, 2, 3]] * 2
    # a block of rows is exactly that run, made on its own
    ts = run_scenario(load(workdir / "reserve.toml"), seed=2).timeseries
    block = runs[(runs.scenario == "reserve") & (runs.seed == 2)].drop(columns=["scenario", "seed"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(block, pd.read_csv(pd.io.common.StringIO(ts.to_csv(index=False))), check_dtype=False)


def test_summary_csv_agrees_with_runs_csv(compared):
    workdir, _ = compared
    runs = pd.read_csv(workdir / "pooled" / "runs.csv")
    summary = pd.read_csv(workdir / "pooled" / "summary.csv")
    row = summary[(summary.scenario == "reserve") & (summary.metric == "originality_index") & (summary.statistic == "final")].iloc[0]
    final = runs[runs.step == 8].pivot(index="seed", columns="scenario", values="originality_index")
    diff = final["reserve"] - final["tiny"]
    half = stats.t.ppf(0.975, 2) * diff.std(ddof=1) / np.sqrt(3)
    assert row["seeds"] == 3 and row["mean"] == pytest.approx(final["reserve"].mean())
    assert (row["diff"], row["diff_low"], row["diff_high"]) == pytest.approx((diff.mean(), diff.mean() - half, diff.mean() + half))
    assert set(summary["metric"]) == set(comparison.headline(runs.columns))
    table = (workdir / "pooled" / "summary.md").read_text().splitlines()
    assert len(table) == 4 and table[2].startswith("| `tiny` |") and table[3].startswith("| `reserve` |")
    shown = ("+" if row["diff"] > 0 else "") + wording.number(row["diff"])
    assert shown not in table[3]  # the table shows the last 12 steps, not the final step ...
    last = summary[(summary.scenario == "reserve") & (summary.metric == "originality_index") & (summary.statistic != "final")].iloc[0]
    assert f"{wording.number(last['mean'])} (no range)" in table[3]  # ... with its range, and 3 worlds are too few for one


def test_figures_and_the_self_contained_brief(compared):
    workdir, _ = compared
    out = workdir / "pooled"
    metrics = comparison.headline(pd.read_csv(out / "runs.csv", nrows=1).columns)
    figures = sorted(out.glob("figure-*.png"))
    assert [p.name for p in figures] == sorted(f"figure-{m}.png" for m in metrics)
    for path in figures:
        assert pixels_per_metre(path) >= 150 / 0.0254 - 1  # at least 150 dpi
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count('src="data:image/png;base64,') == len(figures)
    assert not re.search(r"(src|href)=\"(?!data:)", page) and "<script" not in page and "<link" not in page and "@import" not in page
    for text in ("tiny", "reserve", "The question", "Caveats", "3 seeds", "policy.human_reserve = 0.3", "python run.py compare tiny.toml reserve.toml --seeds 3 --posterior 0"):
        assert text in page, text
    assert {p.name for p in out.glob("scenario-*.toml")} == {"scenario-tiny.toml", "scenario-reserve.toml"}
    assert load(out / "scenario-reserve.toml") == load(workdir / "reserve.toml")


# -- who writes, or what models lose ----------------------------------------------------------------


def test_shift_share_parts_add_up_to_the_difference_exactly():
    rng = np.random.default_rng(0)
    s_a, s_b, h_a, h_b, m_a, m_b = rng.random((6, 50))
    parts = comparison.shift_share(s_a, h_a, m_a, s_b, h_b, m_b)
    total = (s_a * h_a + (1 - s_a) * m_a) - (s_b * h_b + (1 - s_b) * m_b)
    np.testing.assert_allclose(parts["total"], total, rtol=1e-12)
    np.testing.assert_allclose(parts["composition"] + parts["within_human"] + parts["within_ai"], total, rtol=1e-12, atol=1e-15)
    # only the human share moves: all of it is composition
    only = comparison.shift_share(0.8, 1.0, 0.4, 0.5, 1.0, 0.4)
    assert only["composition"] == pytest.approx(0.3 * 0.6) and only["within_human"] == only["within_ai"] == 0
    # no AI item on one side: its index is taken from the other side, and the parts still add up
    gap = comparison.shift_share(1.0, 0.9, np.nan, 0.6, 0.8, 0.3)
    assert gap["within_ai"] == 0 and gap["total"] == pytest.approx(0.9 - (0.6 * 0.8 + 0.4 * 0.3))
    assert gap["composition"] + gap["within_human"] == pytest.approx(gap["total"])


def test_originality_sources_split_the_summary_difference(compared):
    workdir, _ = compared
    out = workdir / "pooled"
    runs = pd.read_csv(out / "runs.csv")
    split = pd.read_csv(out / "originality_sources.csv").set_index("part")
    summary = pd.read_csv(out / "summary.csv")
    row = summary[(summary.scenario == "reserve") & (summary.metric == "originality_index") & (summary.statistic != "final")].iloc[0]
    assert split.loc["total", "mean"] == pytest.approx(row["diff"], rel=1e-9)
    assert split.loc[["composition", "within_human", "within_ai"], "mean"].sum() == pytest.approx(row["diff"], rel=1e-9)
    assert (split["n"] == 3).all() and (split["low"] <= split["mean"]).all() and (split["mean"] <= split["high"]).all()
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Who writes, or what models lose" in page and "shift-share" in page
    assert set(runs["scenario"]) == {"tiny", "reserve"}


# -- language mode -------------------------------------------------------------------------------

TEXT_COLUMNS = ["model_perplexity", "vocabulary_coverage", "distinct_2_recent"]


def test_text_comparison_shows_the_text_columns_with_intervals(workdir, capfd):
    """Two tiny text-world scenarios: the table, summary.csv, summary.md and the brief carry the text columns."""
    (workdir / "text.toml").write_text(TINY.replace("[world]\n", '[world]\nkind = "text"\n'))
    (workdir / "text_reserve.toml").write_text(RESERVE.replace("[world]\n", '[world]\nkind = "text"\n'))
    code, out, err = call(["compare", "text.toml", "text_reserve.toml", "--seeds", "3", "--posterior", "0", "--jobs", "1", "--out", "cmp"], capfd)
    assert code == 0, err
    runs, summary = pd.read_csv(workdir / "cmp" / "runs.csv"), pd.read_csv(workdir / "cmp" / "summary.csv")
    assert set(TEXT_COLUMNS) <= set(summary["metric"]) and set(summary["metric"]) == set(comparison.headline(runs.columns))
    for metric in TEXT_COLUMNS:  # each against its own computation from runs.csv: the mean of steps 1..8 per seed, a t interval
        per_seed = runs[(runs.scenario == "text_reserve") & (runs.step >= 1)].groupby("seed")[metric].mean()
        half = stats.t.ppf(0.975, 2) * per_seed.std(ddof=1) / np.sqrt(3)
        row = summary[(summary.scenario == "text_reserve") & (summary.metric == metric) & (summary.statistic == "last 8 steps")].iloc[0]
        assert (row["mean"], row["ci_low"], row["ci_high"]) == pytest.approx((per_seed.mean(), per_seed.mean() - half, per_seed.mean() + half))
        assert half > 0 and np.isfinite(row["diff_low"])
        assert re.search(rf"text_reserve\s+{metric}\s", out)  # the table printed on stdout
    table = (workdir / "cmp" / "summary.md").read_text().splitlines()
    assert all(comparison.HEADLINE[m] in table[0] for m in TEXT_COLUMNS)
    perplexity = summary[(summary.scenario == "text") & (summary.metric == "model_perplexity") & (summary.statistic == "last 8 steps")].iloc[0]
    assert f"{perplexity['mean']:,.1f} (no range)" in table[2]
    page = (workdir / "cmp" / "report.html").read_text(encoding="utf-8")
    for metric in TEXT_COLUMNS:
        assert (workdir / "cmp" / f"figure-{metric}.png").exists() and f"<b>{comparison.HEADLINE[metric][0].upper()}" in page
    assert "n-gram language model" in page and "per-idea Gaussian" not in page  # the caveats of the text world


def test_a_comparison_across_worlds_reports_only_what_both_measure(workdir):
    (workdir / "text.toml").write_text(TINY.replace("[world]\n", '[world]\nkind = "text"\n'))
    tiny, text = load(workdir / "tiny.toml"), load(workdir / "text.toml")
    assert comparison.measured([text]) == comparison.headline(comparison.HEADLINE) and set(TEXT_COLUMNS) <= set(comparison.measured([text]))
    assert comparison.measured([tiny, text]) == comparison.measured([tiny]) and not set(TEXT_COLUMNS) & set(comparison.measured([tiny]))
    c = compare.compare({"ideas": tiny, "text": text}, seeds=2)
    assert set(c.summary["metric"]) == set(c.metrics) == set(comparison.measured([tiny]))
    assert "model_perplexity" in c.runs.columns  # the text runs' own column stays in runs.csv


def test_a_set_override_names_every_scenario_everywhere_and_the_table_says_what_it_averages(workdir, capfd):
    """--set is in every scenario's name (summary.csv, pairwise.csv, rank.csv, summary.md, the brief's prose, the
    files); with 2 seeds nothing claims a range and no interval of a bounded metric leaves its bounds."""
    code, out, err = call(["compare", "tiny.toml", "reserve.toml", "--seeds", "2", "--posterior", "0", "--jobs", "1",
                           "--set", "ai.temperature=0.8", "--out", "cmp"], capfd)
    assert code == 0, err
    named = ["tiny (ai.temperature = 0.8)", "reserve (ai.temperature = 0.8)"]
    folder = workdir / "cmp"
    summary = pd.read_csv(folder / "summary.csv")
    assert list(dict.fromkeys(summary["scenario"])) == named and list(dict.fromkeys(pd.read_csv(folder / "runs.csv")["scenario"])) == named
    assert set(pd.read_csv(folder / "pairwise.csv")["scenario_a"]) == set(named) and list(pd.read_csv(folder / "rank.csv")["scenario"].unique()) == named
    assert "| `reserve (ai.temperature = 0.8)` |" in (folder / "summary.md").read_text()
    assert load(folder / "scenario-reserve--ai.temperature_0.8.toml").ai.temperature == 0.8
    page = (folder / "report.html").read_text(encoding="utf-8")
    found = page.split("<h2>What we found</h2>")[1].split("<h2>")[0]
    assert "Tiny (ai.temperature = 0.8)" in found and "Reserve (ai.temperature = 0.8)" in found
    assert "too few worlds for a range (2; a range needs at least 10)" in found and "error of the mean" in found
    assert not re.search(r"\de[-+]?\d", page.split("<img")[0]) and "1\u00d7" not in page  # no exponent, no "1x"
    checked = summary[summary.metric.isin(list(comparison.BOUNDS))].dropna(subset=["ci_low"])
    assert {"human_share_new", "active_humans", "model_coverage"} <= set(checked["metric"])
    for metric, rows in checked.groupby("metric"):
        low, high = comparison.BOUNDS[metric]
        assert ((rows["ci_low"] >= low) & (rows["ci_high"] <= high)).all(), metric
    head = out.splitlines()[0]
    assert head.startswith("Each metric averaged over the last 8 months of the run (months 1-8), then over 2 worlds (seeds 1–2).")
    assert "No range: a range needs at least 10 worlds" in out and "tiny (ai.temperature = 0.8)" in out


def test_figure_legends_name_the_overrides_and_say_what_the_band_is(workdir, tmp_path):
    c = compare.compare({"tiny": load(workdir / "tiny.toml")}, seeds=2, overrides={"ai.temperature": 0.8})
    fig = figures.plot_comparison(c, "originality_index", tmp_path / "f.png")
    legend = fig.axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()][0] == "tiny (ai.temperature = 0.8)"
    assert "no band: 2 worlds" in legend.get_title().get_text() and not fig.axes[0].collections[1:]  # no band drawn


BAD = {
    "unknown scenario name": (["compare", "tiny.toml", "nosuch"], ["nosuch", "unknown scenario", "baseline"]),
    "--seeds 1": (["compare", "tiny.toml", "--seeds", "1"], ["--seeds 1", "at least 2"]),
    "--seeds 0": (["compare", "tiny.toml", "--seeds", "0"], ["--seeds 0"]),
    "--seeds abc": (["compare", "tiny.toml", "--seeds", "abc"], ["--seeds", "abc"]),
    "--jobs 0": (["compare", "tiny.toml", "--jobs", "0"], ["--jobs 0"]),
    "scenario file with an error": (["compare", "tiny.toml", "broken.toml"], ["broken.toml", "ai.modelz"]),
    "missing file": (["compare", "tiny.toml", "missing.toml"], ["missing.toml", "not found"]),
    "bad --set": (["compare", "tiny.toml", "--set", "ai.top_p=2"], ["tiny.toml", "ai.top_p", "(0, 1]"]),
    "--steps -1": (["compare", "tiny.toml", "--steps", "-1"], ["run.steps", "integer >= 0"]),
    "different horizons": (["compare", "tiny.toml", "longer.toml"], ["run.steps", "tiny 8", "longer 9"]),
    "a scenario twice": (["compare", "tiny.toml", "tiny.toml"], ["tiny", "once"]),
    "no scenario": (["compare"], ["SCENARIO"]),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_exits_2_with_one_line_and_writes_nothing(workdir, capfd, case):
    argv, must = BAD[case]
    before = sorted(p.name for p in workdir.iterdir())
    code, out, err = call(argv, capfd)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("error: "), err
    for text in must:
        assert text in err, (text, err)
    assert sorted(p.name for p in workdir.iterdir()) == before  # not even results/


def test_run_accepts_a_library_name(monkeypatch, capfd):
    """``run.py run human_reserve`` means scenarios/human_reserve.toml (checked up to the run itself)."""
    seen = {}

    def fake_run(scenario, progress=False, **checkpointing):
        seen["scenario"] = scenario
        raise SystemExit(0)

    monkeypatch.setattr("experiments.runner.run", fake_run)
    monkeypatch.chdir(library.LIBRARY.parent)
    with pytest.raises(SystemExit):
        cli.main(["run", "human_reserve", "--quiet", "--out", "/tmp/never-written-by-this-test"])
    assert seen["scenario"] == load(library.LIBRARY / "human_reserve.toml")
    assert not Path("/tmp/never-written-by-this-test").exists()


def test_list_prints_every_scenario_with_its_first_comment_line(capfd):
    code, out, err = call(["list"], capfd)
    assert code == 0 and err == ""
    lines = out.splitlines()
    files = sorted(library.LIBRARY.glob("*.toml"))
    assert len(lines) == len(files)
    for path in files:
        first = next(line for line in path.read_text().splitlines() if line.strip("# "))
        assert any(line.split()[0] == path.stem and line.endswith(first.lstrip("# ").strip()) for line in lines), path.name


# -- figures -------------------------------------------------------------------------------------


def _all_axes_labelled(fig):
    for ax in fig.axes:
        assert ax.get_xlabel() and ax.get_ylabel(), ax.get_title()
        legend = ax.get_legend()
        if legend is not None:
            assert min(t.get_fontsize() for t in legend.get_texts()) >= 9


def _honest_y(ax) -> bool:
    """A log axis, or one from 0, or one visibly broken and labelled so."""
    return ax.get_yscale() == "log" or ax.get_ylim()[0] == 0 or "not 0)" in ax.get_ylabel()


def _retraining(ax) -> list[float]:
    marks = [c for c in ax.collections if c.get_gid() == "retraining"]
    return sorted(float(seg[0][0]) for c in marks for seg in c.get_segments())


def test_run_figures_name_the_run_label_axes_mark_retraining_and_start_shares_at_zero(tmp_path):
    scenario = load(library.LIBRARY / "baseline.toml").with_overrides(
        {"run.steps": 40, "run.window": 5, "world.archive_items": 3000, "humans.count": 100, "ai.train_size": 1000, "ai.retrain_every": 8, "platform.attention": 2.0}
    )
    ts = run_scenario(scenario, seed=4).timeseries
    opts = {"title": "baseline (run.steps = 40) · seed 4", "retrain_every": 8, "window": 5}
    shares, originality = figures.plot_shares(ts, tmp_path / "s.png", **opts), figures.plot_originality(ts, tmp_path / "o.png", **opts)
    for fig in (shares, originality):
        assert "baseline" in fig._suptitle.get_text() and "seed 4" in fig._suptitle.get_text()
        _all_axes_labelled(fig)
        for ax in fig.axes:
            assert _honest_y(ax), ax.get_title()
            assert _retraining(ax) == [8, 16, 24, 32, 40], ax.get_title()
    training = next(line for line in shares.axes[0].get_lines() if line.get_label() == "human share of training sets")
    assert training.get_drawstyle() == "steps-post" and shares.axes[0].get_ylim()[1] > 1.0
    assert shares.axes[1].get_yscale() == "log"
    lines = {line.get_label(): line for ax in originality.axes for line in ax.get_lines()}
    assert min(lines["originality index"].get_xdata()) == 1  # not step 0, the archive
    assert min(lines["distinct ideas"].get_xdata()) == 5  # once the window of 5 steps is full
    assert pixels_per_metre(tmp_path / "o.png") >= 150 / 0.0254 - 1


def test_a_collapse_below_a_few_percent_is_drawn_on_a_log_scale():
    assert figures.collapses([1.0, 0.5, 0.002]) and not figures.collapses([1.0, 0.5, 0.2])
    assert not figures.collapses([np.nan, 0.0, 1.0])


@pytest.mark.parametrize("steps", [0, 2])
def test_runs_shorter_than_the_window_still_draw(tmp_path, steps):
    """A run that ends before the recent window is full draws what it has (and step 0 alone is no error)."""
    result = run_scenario(library.quick("baseline").with_overrides({"run.steps": steps}), seed=1)
    written = report.write(result, tmp_path / "out", label="quick")
    assert {p.name for p in written} >= {"shares.png", "originality.png"}
