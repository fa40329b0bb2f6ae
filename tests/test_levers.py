"""Every policy lever and learning-rule lever is a mechanism with an effect.

Each lever is tested through the whole model (``ContentEcosystem`` runs), either by
an exact structural property of what the mechanism does (what enters a training
set, what is published), or by comparing the lever on and off with the same seeds
(common random numbers) with a one-sided t-test on the paired differences
(``conftest.assert_clearly_positive``). Seed counts come from pilot seeds 100-109 (the
fewest with 90% power; ``PILOT=1``), noted where they differ from the default six. The small
scenario is in ``conftest.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from model.ecosystem import ContentEcosystem
from model.web import AI, ASSISTED, HUMAN

from conftest import SMALL, small_scenario  # tests/ is on sys.path under pytest (rootdir conftest)

TRAIN = SMALL["ai.train_size"]
EVERY = SMALL["ai.retrain_every"]
STEPS = SMALL["run.steps"]
RETRAININGS = SMALL["ai.models"] * (STEPS // EVERY)


def tail_mean(column: str, k: int = 10):
    """Statistic: mean of the last ``k`` rows of a metric column."""
    return lambda ts: float(ts[column].iloc[-k:].mean())


def final(column: str):
    return lambda ts: float(ts[column].iloc[-1])


def after(column: str, first: int):
    """Statistic: mean of a metric column from step ``first`` on."""
    return lambda ts: float(ts[column].iloc[first:].mean())


# Income effects act through stochastic exits and entries; the pilot (seeds 100-119) asked for at most five; twelve.
ECONOMY_SEEDS = tuple(range(12))


def binomial_close(hits: int, n: int, p: float, sds: float = 4.0) -> bool:
    """``hits`` out of ``n`` is within ``sds`` binomial standard deviations of ``n*p``."""
    return abs(hits - n * p) <= sds * np.sqrt(n * p * (1 - p)) + 1e-9


# ---------------------------------------------------------------------------------------
# data_regime
# ---------------------------------------------------------------------------------------
def test_replace_scrapes_only_items_published_since_the_last_training(simulate, training_spy):
    simulate({"policy.data_regime": "replace"}, seed=1)
    setup = [t for t in training_spy.sets if t.step == 0]
    later = training_spy.after_setup()
    assert len(setup) == SMALL["ai.models"] and all((t.steps == 0).all() for t in setup)  # generation 1: the archive
    assert len(later) == RETRAININGS
    for t in later:
        assert t.steps.min() >= t.step - EVERY + 1, f"step {t.step}: replace scraped an item from step {t.steps.min()}"
        assert t.steps.max() == t.step  # generation g+1 sees this step's items


def test_window_scrapes_only_the_last_window_steps(simulate, training_spy):
    window = 12
    simulate({"policy.data_regime": "window", "policy.window": window}, seed=1)
    later = training_spy.after_setup()
    assert len(later) == RETRAININGS
    for t in later:
        first = t.step - window + 1
        assert t.steps.max() == t.step
        if first > 0:
            assert t.steps.min() >= first, f"step {t.step}: window scraped an item from step {t.steps.min()}"
            assert not (t.steps == 0).any()  # the archive has left the window
            # unlike replace, the window reaches back beyond the previous training
            assert t.steps.min() <= t.step - EVERY
        else:
            assert (t.steps == 0).any()  # the archive is still inside the window


def test_accumulate_scrapes_everything_including_the_archive(simulate, training_spy):
    model = simulate({"policy.data_regime": "accumulate"}, seed=1)
    later = training_spy.after_setup()
    assert len(later) == RETRAININGS
    for t in later:
        assert t.lo == 0 and t.hi == t.web.rows(t.step, t.step)[1]  # every row published so far
        assert (t.steps == 0).any() and t.steps.max() == t.step
    assert later[-1].hi == model.web.n


def test_accumulate_keeps_originality_and_coverage_higher_than_replace(paired, clearly_positive):
    on, off = {"policy.data_regime": "accumulate"}, {"policy.data_regime": "replace"}
    seeds = range(11)  # pilot (seeds 100-119): originality +0.061, sd 0.029: 11 seeds
    clearly_positive(paired(on, off, tail_mean("originality_index"), seeds), what="originality, accumulate - replace")
    clearly_positive(paired(on, off, final("model_coverage"), seeds), what="coverage, accumulate - replace")
    clearly_positive(paired(off, on, final("synthetic_depth"), seeds), what="synthetic depth, replace - accumulate")


# ---------------------------------------------------------------------------------------
# human_reserve
# ---------------------------------------------------------------------------------------
def test_human_reserve_is_a_floor_on_the_human_share_of_training(simulate, training_spy, series):
    reserve = 0.5
    model = simulate({"policy.human_reserve": reserve}, seed=2)
    ts = model.timeseries()
    assert (ts["human_share_training"] >= reserve).all()
    # Under replace the window never holds the archive, so archive rows are exactly the reserve.
    for t in training_spy.after_setup():
        assert int((t.rows < model.archive_n).sum()) == round(reserve * TRAIN)
        assert len(t.rows) == TRAIN
    # The floor binds: without the reserve the share falls below it.
    assert series({}, 2)["human_share_training"].min() < reserve


def test_human_reserve_never_puts_an_item_twice_in_a_training_set(simulate, training_spy):
    simulate({"policy.data_regime": "accumulate", "policy.human_reserve": 0.5, "run.steps": 10}, seed=2)
    for t in training_spy.sets:
        assert len(np.unique(t.rows)) == len(t.rows), f"step {t.step}: {len(t.rows) - len(np.unique(t.rows))} duplicated rows"


def test_human_reserve_raises_originality_and_coverage(paired, clearly_positive):
    on = {"policy.human_reserve": 0.3}
    # pilot (seeds 100-119): originality +0.030, sd 0.032 (a small effect in a small world): 39 seeds; coverage: 6
    clearly_positive(paired(on, {}, tail_mean("originality_index"), range(39)), what="originality, reserve - none")
    clearly_positive(paired(on, {}, final("model_coverage")), what="coverage, reserve - none")


# ---------------------------------------------------------------------------------------
# watermarking
# ---------------------------------------------------------------------------------------
WATERMARK_ALL = {"policy.watermark_share": 1.0, "policy.edit_strips_watermark": 0.0, "humans.adoption_p": 0.05}


def test_watermark_share_marks_ai_items_and_edits_strip_assisted_ones(simulate):
    share, strips = 0.6, 0.5
    model = simulate({"policy.watermark_share": share, "policy.edit_strips_watermark": strips, "humans.adoption_p": 0.2}, seed=3)
    web = model.web
    for source, p in ((AI, share), (ASSISTED, share * (1 - strips))):
        marks = web.watermark[web.source == source]
        assert len(marks) > 500
        assert binomial_close(int(marks.sum()), len(marks), p), f"source {source}: {marks.mean():.3f} marked, expected {p}"
    assert not web.watermark[web.source == HUMAN].any()


def test_perfectly_detected_watermarks_keep_every_ai_item_out_of_training(simulate):
    model = simulate({**WATERMARK_ALL, "policy.watermark_tpr": 1.0}, seed=3)
    ts = model.timeseries()
    assert ts["ai_share_new"].iloc[1:].min() > 0 and ts["assisted_share_new"].sum() > 0  # there was something to filter
    assert (ts["human_share_training"] == 1.0).all()
    assert all(m.training_size < TRAIN for m in model.ai_models)  # the watermarked items were dropped


@pytest.mark.parametrize("tpr", [0.0, 0.5, 1.0])
def test_watermark_tpr_is_the_share_of_watermarked_scraped_items_dropped(simulate, training_spy, tpr):
    simulate({**WATERMARK_ALL, "policy.watermark_tpr": tpr}, seed=4)
    later = training_spy.after_setup()
    dropped = sum(t.dropped for t in later)
    kept_marked = sum(int((t.source != HUMAN).sum()) for t in later)  # every AI and assisted item carries a mark
    kept_human = sum(int((t.source == HUMAN).sum()) for t in later)
    scraped_human = sum(t.scraped for t in later) - dropped - kept_marked
    assert scraped_human == kept_human  # human items carry no watermark and are never dropped
    n = dropped + kept_marked
    assert n > 1000
    if tpr in (0.0, 1.0):
        assert dropped == tpr * n
    else:
        assert binomial_close(dropped, n, tpr), f"{dropped} of {n} watermarked items dropped, tpr {tpr}"


@pytest.mark.parametrize("strips", [0.0, 1.0])
def test_edit_stripping_lets_assisted_items_through_the_watermark_filter(simulate, training_spy, strips):
    simulate({**WATERMARK_ALL, "policy.watermark_tpr": 1.0, "policy.edit_strips_watermark": strips}, seed=5)
    later = training_spy.after_setup()
    assert sum(int((t.source == AI).sum()) for t in later) == 0  # direct AI items keep their mark
    assisted = sum(int((t.source == ASSISTED).sum()) for t in later)
    if strips == 1.0:
        assert assisted > 0
    else:
        assert assisted == 0


def test_watermarking_raises_the_human_share_of_training_and_originality(paired, clearly_positive):
    on = {"policy.watermark_share": 0.8}
    seeds = range(12)  # pilot (seeds 100-119): originality +0.065, sd 0.033: 12 seeds
    clearly_positive(paired(on, {}, tail_mean("human_share_training"), seeds), what="human share of training, watermark - none")
    clearly_positive(paired(on, {}, tail_mean("originality_index"), seeds), what="originality, watermark - none")


# ---------------------------------------------------------------------------------------
# detector filtering
# ---------------------------------------------------------------------------------------
def test_perfect_detector_leaves_only_human_items_in_training(simulate):
    model = simulate({"policy.detector_tpr": 1.0, "policy.detector_fpr": 0.0, "humans.adoption_p": 0.05}, seed=6)
    ts = model.timeseries()
    assert ts["ai_share_new"].iloc[1:].min() > 0 and ts["assisted_share_new"].sum() > 0
    assert (ts["human_share_training"] == 1.0).all()
    assert all(m.training_size < TRAIN for m in model.ai_models)


def test_detector_tpr_is_the_share_of_ai_and_assisted_items_dropped(simulate, training_spy):
    tpr = 0.5
    simulate({"policy.detector_tpr": tpr, "policy.detector_fpr": 0.0, "humans.adoption_p": 0.05}, seed=6)
    later = training_spy.after_setup()
    dropped = sum(t.dropped for t in later)
    kept_machine = sum(int((t.source != HUMAN).sum()) for t in later)
    assert binomial_close(dropped, dropped + kept_machine, tpr), f"{dropped} of {dropped + kept_machine} AI/assisted items dropped"


def test_detector_filtering_raises_originality(paired, clearly_positive):
    on = {"policy.detector_tpr": 0.9}
    clearly_positive(paired(on, {}, tail_mean("human_share_training")), what="human share of training, detector - none")
    # pilot (seeds 100-119) at the 2026-12-07 baseline: +0.148, sd 0.059: 9 seeds
    clearly_positive(paired(on, {}, tail_mean("originality_index"), range(9)), what="originality, detector - none")


# A reserve of 5% archive items keeps every training set non-empty: without it a model whose
# generation-1 set is entirely flagged is never fitted and writes nothing (tested below).
RESERVE = {"policy.human_reserve": 0.05}
N_RESERVE = round(0.05 * TRAIN)


def test_detector_fpr_one_drops_every_scraped_human_item(simulate, training_spy):
    model = simulate({**RESERVE, "policy.detector_tpr": 0.0, "policy.detector_fpr": 1.0}, seed=6)
    for t in training_spy.after_setup():
        human = t.rows[t.source == HUMAN]
        assert len(human) == N_RESERVE and (human < model.archive_n).all()  # only the unfiltered archive reserve
        assert len(t.rows) > N_RESERVE  # AI and assisted items pass a detector with tpr 0
    ts = model.timeseries()
    assert ts["human_share_training"].iloc[EVERY:].max() < 0.5 < ts["human_share_training"].iloc[:EVERY].min()


def test_a_model_whose_every_training_item_is_flagged_is_never_fitted_and_writes_nothing(simulate):
    model = simulate({"policy.detector_fpr": 1.0, "run.steps": 5}, seed=6)
    ts = model.timeseries()
    assert len(ts) == 6
    assert (ts["model_generation"] == 0).all()
    assert not (model.web.source == AI).any()


def test_detector_fpr_drops_that_share_of_human_items_and_shrinks_training_sets(simulate, training_spy):
    fpr = 0.5
    simulate({"policy.detector_tpr": 0.0, "policy.detector_fpr": fpr, "policy.top_up": False}, seed=7)
    later = training_spy.after_setup()
    dropped = sum(t.dropped for t in later)
    kept_human = sum(int((t.source == HUMAN).sum()) for t in later)
    assert binomial_close(dropped, dropped + kept_human, fpr), f"{dropped} of {dropped + kept_human} human items dropped"
    assert all(len(t.rows) < TRAIN for t in later)


def test_top_up_replaces_filtered_items_from_the_same_window(simulate, training_spy):
    # The same filter with top_up (the default): each set is full, drawn from its window only,
    # with no item twice, and the scraper drew more items than it kept.
    simulate({"policy.detector_tpr": 0.9, "policy.detector_fpr": 0.2}, seed=7)
    later = training_spy.after_setup()
    assert later
    for t in later:
        if t.hi - t.lo >= 3 * TRAIN:  # a window with enough items that pass
            assert len(t.rows) == TRAIN and t.dropped > 0 and t.scraped == TRAIN + t.dropped
        assert len(np.unique(t.rows)) == len(t.rows)
        assert ((t.rows >= t.lo) & (t.rows < t.hi)).all()


def test_top_up_stops_when_the_window_runs_out(simulate, training_spy):
    # Every AI item is flagged and the window is mostly AI: the set holds every human item of the window.
    simulate({"policy.detector_tpr": 1.0, "ai.items_per_step": 2000.0, "run.steps": 10}, seed=3)
    for t in training_spy.after_setup():
        window_human = int((t.web.source[t.lo : t.hi] == HUMAN).sum())
        assert len(t.rows) == min(TRAIN, window_human) and (t.source == HUMAN).all()


def test_detector_tail_bias_targets_tail_ideas(simulate, training_spy):
    # fpr 0.25 raised by (1 + 3) is 1 on tail ideas: no unsigned human item of a tail idea survives.
    simulate({"policy.detector_fpr": 0.25, "policy.detector_tail_bias": 3.0}, seed=8)
    for t in training_spy.after_setup():
        human_ideas = t.web.idea[t.rows[t.source == HUMAN]]
        assert len(human_ideas) > 0
        assert not t.tail[human_ideas].any(), f"step {t.step}: a tail-idea human item passed a detector with fpr 1 on the tail"


def test_detector_tail_bias_without_bias_keeps_tail_items(simulate, training_spy):
    simulate({"policy.detector_fpr": 0.25, "policy.detector_tail_bias": 0.0}, seed=8)
    tail_items = sum(int(t.tail[t.web.idea[t.rows[t.source == HUMAN]]].sum()) for t in training_spy.after_setup())
    assert tail_items > 0  # so the assertion of the previous test is not vacuous


def test_detector_tail_bias_lowers_originality_and_coverage(paired, clearly_positive):
    on = {"policy.detector_fpr": 0.3, "policy.detector_tail_bias": 2.0}
    off = {"policy.detector_fpr": 0.3}
    seeds = range(14)  # pilot (seeds 100-119), means from step 6 (after the first retraining): coverage +0.013, sd 0.007: 14
    clearly_positive(paired(off, on, after("originality_index", 6), seeds), what="originality, unbiased - tail-biased detector")
    clearly_positive(paired(off, on, after("model_coverage", 6), seeds), what="coverage, unbiased - tail-biased detector")


# ---------------------------------------------------------------------------------------
# provenance
# ---------------------------------------------------------------------------------------
FLAG_EVERYTHING = {**RESERVE, "policy.detector_tpr": 1.0, "policy.detector_fpr": 1.0}


def test_signed_items_are_never_filtered(simulate, training_spy):
    model = simulate({**FLAG_EVERYTHING, "policy.signed_share": 1.0}, seed=9)
    assert (model.timeseries()["human_share_training"] == 1.0).all()
    for t in training_spy.after_setup():
        new = t.rows[t.rows >= model.archive_n]
        assert (t.web.source[new] == HUMAN).all() and t.web.signed[new].all()
        # Every human item of the uniform scrape survives: their number is hypergeometric.
        window = t.hi - t.lo
        p = float((t.web.source[t.lo : t.hi] == HUMAN).mean())
        expected = t.scraped * p
        sd = np.sqrt(t.scraped * p * (1 - p) * (window - t.scraped) / (window - 1))
        # (a scrape that takes the whole window has no spread: every human item is kept, up to rounding)
        assert abs(len(new) - expected) <= 5 * sd + 1e-6, f"step {t.step}: {len(new)} signed items kept, {expected:.0f} +- {sd:.0f} scraped"


def test_without_signatures_a_flag_everything_detector_leaves_only_the_reserve(simulate, training_spy):
    model = simulate({**FLAG_EVERYTHING, "policy.signed_share": 0.0}, seed=9)
    for t in training_spy.after_setup():
        assert len(t.rows) == N_RESERVE and (t.rows < model.archive_n).all()


def test_partial_signing_only_signed_human_items_survive_fpr_one(simulate, training_spy):
    model = simulate({**RESERVE, "policy.detector_tpr": 0.0, "policy.detector_fpr": 1.0, "policy.signed_share": 0.5}, seed=10)
    for t in training_spy.after_setup():
        human = t.rows[(t.source == HUMAN) & (t.rows >= model.archive_n)]
        assert len(human) > 0 and t.web.signed[human].all()


def test_verified_share_guarantees_signed_human_items_in_training(simulate, training_spy):
    verified, signed_share = 0.3, 0.2
    common = {"policy.signed_share": signed_share, "policy.data_regime": "window", "policy.window": 20}
    simulate({**common, "policy.verified_share": verified}, seed=11)
    for t in training_spy.after_setup():
        available = int(t.web.signed[t.lo : t.hi].sum())
        n_signed_human = int((t.web.signed[t.rows] & (t.source == HUMAN)).sum())
        assert n_signed_human >= min(round(verified * TRAIN), available)
    # The guarantee binds: without it, training sets hold fewer signed items than it reserves.
    training_spy.sets.clear()
    simulate(common, seed=11)
    shares = [t.web.signed[t.rows].mean() for t in training_spy.after_setup()]
    assert max(shares) < verified


def test_verified_share_keeps_unfiltered_training_sets_at_train_size(simulate, training_spy):
    simulate({"policy.signed_share": 0.5, "policy.verified_share": 0.2}, seed=12)
    sets = training_spy.after_setup()
    assert any(t.hi - t.lo >= TRAIN for t in sets)  # some windows could fill the set on their own
    for t in sets:
        assert len(t.rows) == min(TRAIN, t.hi - t.lo)
        assert len(np.unique(t.rows)) == len(t.rows)


def test_verified_share_does_nothing_when_the_scrape_takes_the_whole_window(series):
    # Under replace a window of three steps holds fewer items than a training set, so every item is
    # taken and signed items are never flagged: a verified share changes nothing, run for run (as in
    # scenarios/provenance.toml at the baseline in the years whose scrape is smaller than a training set).
    # Slow adoption of AI tools (few assisted items) keeps every window under a training set's size.
    signed = {"policy.signed_share": 0.3, "ai.retrain_every": 3, "run.steps": 30, "humans.adoption_p": 0.002, "humans.adoption_q": 0.05}
    with_share = series({**signed, "policy.verified_share": 0.1}, 4)
    per_window = with_share["items_new"].iloc[1:].to_numpy().reshape(-1, 3).sum(axis=1)
    assert per_window.max() < TRAIN  # the premise: every window fits in a training set
    assert with_share.equals(series(signed, 4))


# ---------------------------------------------------------------------------------------
# creator pay
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("lever", ["policy.creator_subsidy", "policy.training_royalty"])
def test_creator_pay_keeps_more_humans_active(paired, clearly_positive, lever):
    clearly_positive(paired({lever: 0.5}, {}, final("active_humans"), ECONOMY_SEEDS), what=f"active humans, {lever} - none")


def test_training_royalty_pays_each_author_per_human_item_in_this_steps_training_sets(simulate, training_spy):
    # No attention and no subsidy: at the last step (a retraining step) a creator's whole
    # income is the royalty on its own human items in the sets just assembled; assisted items earn none.
    royalty = 0.7
    steps = 2 * EVERY
    model = simulate(
        {"platform.attention": 0.0, "policy.training_royalty": royalty, "humans.adoption_p": 0.3, "humans.patience": 50, "run.steps": steps},
        seed=17,
    )
    sets = [t for t in training_spy.sets if t.step == steps]
    assert len(sets) == SMALL["ai.models"]
    rows = np.concatenate([t.rows for t in sets])
    source, author = model.web.source[rows], model.web.author[rows]
    assert (source == ASSISTED).sum() > 0  # assisted items were used too, and must earn nothing
    rows = model.creators.rows_of(author[(source == HUMAN) & (author >= 0)])
    expected = royalty * np.bincount(rows[rows >= 0], minlength=model.creators.size)  # creators who left are paid nothing
    np.testing.assert_allclose(model.creators.income, expected, rtol=1e-12)


def test_training_royalty_is_paid_only_through_training_sets(series):
    # With no AI model nothing is ever trained on, so a royalty pays nothing and changes nothing.
    off = series({"ai.models": 0}, 0)
    on = series({"ai.models": 0, "policy.training_royalty": 5.0}, 0)
    assert on.equals(off)


# ---------------------------------------------------------------------------------------
# ai_output_cap
# ---------------------------------------------------------------------------------------
def test_ai_output_cap_bounds_the_ai_share_of_new_items(series):
    cap = 0.3
    capped = series({"policy.ai_output_cap": cap}, 0)
    assert (capped["ai_share_new"] <= cap + 1e-12).all()
    assert series({}, 0)["ai_share_new"].iloc[1:].min() > cap  # the cap binds at every step
    # and models publish up to it: the share falls short of the cap only by the rounding to whole items
    later = capped.iloc[1:]
    assert ((cap - later["ai_share_new"]) * later["items_new"] < 1.5).all()


def test_ai_output_cap_zero_means_no_item_is_published_by_a_model(simulate):
    model = simulate({"policy.ai_output_cap": 0.0, "humans.adoption_p": 0.05}, seed=0)
    ts = model.timeseries()
    assert (ts["ai_share_new"] == 0).all()
    assert not (model.web.source == AI).any()
    assert ts["assisted_share_new"].sum() > 0  # tools still work; only direct publishing is capped
    assert ts["model_generation"].iloc[-1] == 1 + STEPS // EVERY


# ---------------------------------------------------------------------------------------
# ranking
# ---------------------------------------------------------------------------------------
def test_lower_ai_visibility_keeps_more_humans_active(paired, clearly_positive):
    diffs = paired({"platform.ai_visibility": 0.2}, {}, final("active_humans"), ECONOMY_SEEDS)
    clearly_positive(diffs, what="active humans, AI visibility 0.2 - 1")


@pytest.mark.parametrize("marker", ["platform.label_share", "policy.signed_share"])
def test_human_premium_on_labelled_or_signed_items_keeps_more_humans_active(paired, clearly_positive, marker):
    on = {marker: 1.0, "platform.human_premium": 1.0}
    off = {marker: 1.0}
    clearly_positive(paired(on, off, final("active_humans"), ECONOMY_SEEDS), what=f"active humans, premium with {marker}")


def test_human_premium_does_nothing_without_labels_or_signatures(series):
    off = series({"platform.label_share": 0.0, "policy.signed_share": 0.0}, 1)
    on = series({"platform.label_share": 0.0, "policy.signed_share": 0.0, "platform.human_premium": 3.0}, 1)
    assert on.equals(off)


# ---------------------------------------------------------------------------------------
# the learning rule: capacity, temperature, top_p, variance_estimator
# ---------------------------------------------------------------------------------------
def test_capacity_keeps_exactly_k_of_the_archive_most_frequent_ideas():
    k = 25
    # train_size equals the archive, so generation 1 trains on the whole archive.
    scenario = small_scenario(
        {"world.archive_items": 3000, "ai.train_size": 3000, "ai.capacity": k, "ai.top_p": 1.0, "ai.temperature": 1.0, "run.steps": 10}
    )
    model = ContentEcosystem(scenario, seed=13)
    counts = np.bincount(model.web.idea[: model.archive_n])
    cut = np.sort(counts)[::-1][k - 1]  # the k-th largest count
    assert len(counts) > 3 * k  # the cut removes something
    for m in model.ai_models:
        kept = m.learner.ideas_
        assert len(kept) == k and (counts[kept] >= cut).all()
        assert set(np.flatnonzero(counts > cut)) <= set(kept.tolist())  # ties at the cut aside, the k most frequent
    # Tail cutting: the model loses exactly the archive mass of the ideas it does not keep.
    assert model.metrics["model_coverage"] == pytest.approx(np.mean([counts[m.learner.ideas_].sum() / counts.sum() for m in model.ai_models]), abs=1e-12)
    while model.running:
        model.step()
    ai_ideas = model.web.idea[(model.web.source != HUMAN) & (model.web.step <= EVERY)]  # generation 1's output
    assert len(ai_ideas) > 0 and np.isin(ai_ideas, np.flatnonzero(counts >= cut)).all()
    assert all(len(m.learner.ideas_) <= k for m in model.ai_models)


def test_capacity_lowers_model_coverage(paired, clearly_positive):
    clearly_positive(paired({}, {"ai.capacity": 20}, final("model_coverage")), what="coverage, unlimited - capacity 20")


def test_lower_temperature_concentrates_the_web_on_fewer_ideas(paired, clearly_positive):
    diffs = paired({}, {"ai.temperature": 0.8}, final("effective_ideas_recent"))
    clearly_positive(diffs, what="effective ideas, T=1 - T=0.8")


# One idea, no humans, one model refitting every step on its own M outputs: the
# single-Gaussian loop of the theory, where model_variance is sigma_n^2 / sigma^2.
GAUSSIAN_LOOP = {
    "world.ideas": 1,
    "world.archive_items": 2000,
    "humans.count": 0,
    "ai.models": 1,
    "ai.train_size": 50,
    "ai.items_per_step": 50.0,
    "ai.output_growth": 0.0,
    "ai.retrain_every": 1,
    "ai.top_p": 1.0,
    "run.steps": 30,
}


def test_lower_temperature_narrows_every_generation(series):
    # Same seed: both runs draw the same standard normals. Sampling at temperature T scales
    # each generation's spread by T, and model_variance (the distribution the model samples
    # from) carries one more T**2, so after g fits the ratio is T**(2g): the narrowing compounds.
    temp = 0.9
    cold = series({**GAUSSIAN_LOOP, "ai.temperature": temp}, 16)
    warm = series({**GAUSSIAN_LOOP, "ai.temperature": 1.0}, 16)
    assert (cold["model_generation"] == warm["model_generation"]).all()
    expected = temp ** (2 * warm["model_generation"].to_numpy(float))
    np.testing.assert_allclose(cold["model_variance"] / warm["model_variance"], expected, rtol=1e-3)
    # the web itself narrows, not only the reported variance
    assert (cold["dispersion_recent"].iloc[1:] < warm["dispersion_recent"].iloc[1:]).all()


def test_top_p_thins_rare_ideas_as_the_text_world_measured_and_lowers_coverage(paired, clearly_positive):
    from model import decoding

    full = ContentEcosystem(small_scenario({"ai.top_p": 1.0, "run.steps": 0}), seed=14)
    cut = ContentEcosystem(small_scenario({"ai.top_p": 0.8, "run.steps": 0}), seed=14)  # same seed: lab 0 has the same training set
    a, b = full.ai_models[0].learner, cut.ai_models[0].learner
    assert set(b.ideas_.tolist()) < set(a.ideas_.tolist())
    survival, _ = decoding.rates(0.8, TRAIN)
    sure = decoding.COUNT_EDGES[int(np.argmax(survival >= 1.0))]  # from this count on, every idea survives
    assert set(a.ideas_[a.counts_ >= sure].tolist()) <= set(b.ideas_.tolist())
    assert b.counts_.min() < sure  # some rarer ideas survive too: a thinning, not a threshold on ideas
    assert cut.metrics["model_coverage"] < full.metrics["model_coverage"]
    clearly_positive(paired({"ai.top_p": 1.0}, {"ai.top_p": 0.8}, final("model_coverage")), what="coverage, top_p 1 - 0.8")


def test_variance_estimator_unbiased_inflates_each_generation_by_m_over_m_minus_1(series):
    # Same seed: both runs draw the same standard normals, so every refit differs only in
    # dividing by M - 1 instead of M, and the ratio after g fits is (M / (M - 1))**g.
    m_ = GAUSSIAN_LOOP["ai.train_size"]
    mle = series({**GAUSSIAN_LOOP, "ai.variance_estimator": "mle"}, 15)
    unbiased = series({**GAUSSIAN_LOOP, "ai.variance_estimator": "unbiased"}, 15)
    assert (mle["model_generation"] == unbiased["model_generation"]).all()
    expected = (m_ / (m_ - 1)) ** mle["model_generation"].to_numpy(float)
    np.testing.assert_allclose(unbiased["model_variance"] / mle["model_variance"], expected, rtol=1e-3)
    assert mle["model_generation"].iloc[-1] == 1 + GAUSSIAN_LOOP["run.steps"]
