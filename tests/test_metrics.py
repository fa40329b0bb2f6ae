"""The pure metric functions of model/metrics.py on hand-computed examples."""

import math

import numpy as np
import pytest

from model import metrics


# -- shares / distinct ---------------------------------------------------------------
def test_shares_normalizes_counts():
    np.testing.assert_allclose(metrics.shares(np.array([1, 3, 0])), [0.25, 0.75, 0.0])


def test_shares_with_zero_total_is_all_nan():
    out = metrics.shares(np.array([0, 0, 0]))
    assert out.shape == (3,)
    assert np.isnan(out).all()


def test_distinct_counts_nonzero_entries():
    assert metrics.distinct(np.array([0, 5, 0, 1, 2])) == 3
    assert metrics.distinct(np.zeros(4, np.int64)) == 0


# -- hill_number -------------------------------------------------------------------------
def test_hill_number_of_uniform_counts_is_their_number():
    assert metrics.hill_number(np.array([7, 7, 7, 7])) == pytest.approx(4.0)


def test_hill_number_hand_computed():
    # p = (1/2, 1/4, 1/4): H = 1/2 ln 2 + 1/2 ln 4 = 1.5 ln 2, exp(H) = 2**1.5
    assert metrics.hill_number(np.array([2, 1, 1])) == pytest.approx(2**1.5)


def test_hill_number_ignores_zero_counts_and_single_idea_is_one():
    assert metrics.hill_number(np.array([0, 2, 0, 1, 1])) == pytest.approx(2**1.5)
    assert metrics.hill_number(np.array([0, 9, 0])) == pytest.approx(1.0)


def test_hill_number_of_nothing_is_zero():
    assert metrics.hill_number(np.zeros(3, np.int64)) == 0.0


# -- gini_simpson --------------------------------------------------------------------
@pytest.mark.parametrize(
    "counts, expected",
    [
        ([1, 1], 0.5),
        ([3, 1], 1 - (9 + 1) / 16),
        ([5], 0.0),
        ([0, 4, 0], 0.0),
        ([2, 2, 2, 2], 0.75),
        ([5, 3, 2], 1 - (0.25 + 0.09 + 0.04)),
    ],
)
def test_gini_simpson_hand_computed(counts, expected):
    assert metrics.gini_simpson(np.array(counts)) == pytest.approx(expected)


def test_gini_simpson_of_nothing_is_nan():
    assert math.isnan(metrics.gini_simpson(np.zeros(3, np.int64)))


# -- head_mask -------------------------------------------------------------------------
def test_head_exactly_at_80_percent_stops_there():
    # cumulative 50, 80: the first two ideas hold exactly 80%, the head is those two
    np.testing.assert_array_equal(metrics.head_mask(np.array([50, 30, 15, 5])), [True, True, False, False])


def test_head_just_below_80_percent_takes_one_more():
    # cumulative 50, 79, 95: two ideas hold 79% < 80%, so the head needs three
    np.testing.assert_array_equal(metrics.head_mask(np.array([50, 29, 16, 5])), [True, True, True, False])


def test_head_boundary_robust_to_float_rounding():
    # 0.8 * 35 = 28 exactly in arithmetic; cumulative 14, 28 reaches it with two ideas
    np.testing.assert_array_equal(metrics.head_mask(np.array([14, 14, 7])), [True, True, False])
    # 0.8 * 10 = 8: [4, 4] holds 80%
    np.testing.assert_array_equal(metrics.head_mask(np.array([1, 4, 1, 4])), [False, True, False, True])


def test_head_is_found_in_unsorted_counts():
    # ideas by frequency: 1 (50), 3 (30), 2 (15), 0 (5)
    np.testing.assert_array_equal(metrics.head_mask(np.array([5, 50, 15, 30])), [False, True, False, True])


def test_head_ties_are_broken_by_idea_id():
    # five equal ideas, 80% = 4 of them: the lowest four ids
    np.testing.assert_array_equal(metrics.head_mask(np.array([10, 10, 10, 10, 10])), [True, True, True, True, False])
    # 50 + 25 = 75 < 80, and one of the two 10s completes it (85): the lower id, 1, not 3
    np.testing.assert_array_equal(metrics.head_mask(np.array([50, 10, 25, 10, 5])), [True, True, True, False, False])


def test_head_ties_are_broken_by_idea_id_in_large_arrays():
    # many ties, so an unstable sort would pick arbitrary ids at the margin
    counts = np.random.default_rng(0).integers(1, 4, 200)
    mask = metrics.head_mask(counts)
    need = 0.8 * counts.sum() - 1e-9
    expected = np.zeros(200, bool)
    held = 0
    for level in (3, 2, 1):  # by count, then by id
        for idea in np.flatnonzero(counts == level):
            if held >= need:
                break
            expected[idea] = True
            held += counts[idea]
    np.testing.assert_array_equal(mask, expected)


def test_head_of_nothing_is_empty_and_zero_counts_are_tail():
    assert not metrics.head_mask(np.zeros(4, np.int64)).any()
    mask = metrics.head_mask(np.array([0, 10, 0, 0]))
    np.testing.assert_array_equal(mask, [False, True, False, False])


def test_head_with_other_mass():
    counts = np.array([50, 30, 15, 5])
    np.testing.assert_array_equal(metrics.head_mask(counts, mass=0.5), [True, False, False, False])
    np.testing.assert_array_equal(metrics.head_mask(counts, mass=0.96), [True, True, True, True])


def test_head_holds_at_least_mass_and_is_minimal_on_random_counts():
    rng = np.random.default_rng(0)
    for _ in range(50):
        counts = rng.integers(0, 30, size=rng.integers(1, 40))
        if counts.sum() == 0:
            continue
        mask = metrics.head_mask(counts)
        held = counts[mask].sum()
        assert held >= 0.8 * counts.sum() - 1e-9
        # minimal: dropping its smallest member falls below 80%
        assert held - counts[mask].min() < 0.8 * counts.sum()
        # it is made of the most frequent ideas
        if (~mask).any():
            assert counts[mask].min() >= counts[~mask].max()


# -- tail_share ----------------------------------------------------------------------
def test_tail_share_hand_computed():
    counts = np.array([5, 3, 2])
    assert metrics.tail_share(counts, np.array([False, True, True])) == pytest.approx(0.5)
    assert metrics.tail_share(counts, np.array([False, False, False])) == 0.0
    assert metrics.tail_share(counts, np.array([True, True, True])) == pytest.approx(1.0)


def test_tail_share_of_nothing_is_nan():
    assert math.isnan(metrics.tail_share(np.zeros(3, np.int64), np.array([True, False, True])))


# -- dispersion ------------------------------------------------------------------------
def test_dispersion_hand_computed():
    # mean (1, 0); squared distances 1 and 1
    assert metrics.dispersion(np.array([[0.0, 0.0], [2.0, 0.0]])) == pytest.approx(1.0)
    # square corners around (1, 1): each squared distance 2
    assert metrics.dispersion(np.array([[0, 0], [2, 0], [0, 2], [2, 2]], float)) == pytest.approx(2.0)
    # a single point, or identical points: 0
    assert metrics.dispersion(np.array([[3.0, 4.0]])) == 0.0
    assert metrics.dispersion(np.array([[1.0, 1.0]] * 5)) == 0.0


def test_dispersion_is_total_variance_and_translation_invariant():
    rng = np.random.default_rng(1)
    v = rng.normal(size=(200, 3)).astype(np.float32)
    expected = np.var(v.astype(np.float64), axis=0).sum()
    assert metrics.dispersion(v) == pytest.approx(expected, rel=1e-9)
    assert metrics.dispersion(v.astype(np.float64) + 10.0) == pytest.approx(expected, rel=1e-9)


def test_dispersion_of_nothing_is_nan():
    assert math.isnan(metrics.dispersion(np.zeros((0, 4))))


# -- coverage --------------------------------------------------------------------------
def test_coverage_sums_culture_weight_of_producible_ideas():
    weights = np.array([0.5, 0.3, 0.2])
    assert metrics.coverage(np.array([0, 2]), weights) == pytest.approx(0.7)
    assert metrics.coverage(np.array([1]), weights) == pytest.approx(0.3)
    assert metrics.coverage(np.array([2, 1, 0]), weights) == pytest.approx(1.0)
    assert metrics.coverage(np.array([], np.int64), weights) == 0.0


# -- mean_error ------------------------------------------------------------------------
def test_mean_error_hand_computed():
    probs = np.array([0.25, 0.75])
    means = np.array([[1.0, 0.0], [0.0, 0.0]])
    centroids = np.array([[0.0, 0.0], [0.0, 2.0]])
    # squared distances 1 and 4, weighted 0.25*1 + 0.75*4 = 3.25, per dimension / 2
    assert metrics.mean_error(probs, means, centroids) == pytest.approx(1.625)


def test_mean_error_is_zero_when_means_are_exact():
    c = np.array([[1.0, -2.0, 3.0], [0.5, 0.5, 0.5]])
    assert metrics.mean_error(np.array([0.6, 0.4]), c.copy(), c) == 0.0


# -- safe_ratio ------------------------------------------------------------------------
def test_safe_ratio():
    assert metrics.safe_ratio(1.0, 4.0) == 0.25
    assert math.isnan(metrics.safe_ratio(1.0, 0.0))
    assert math.isnan(metrics.safe_ratio(float("nan"), 1.0))
    assert math.isnan(metrics.safe_ratio(1.0, float("nan")))
    assert metrics.safe_ratio(0.0, 2.0) == 0.0


# -- originality by source ---------------------------------------------------------------
def test_tail_items_by_source_hand_computed():
    tail = np.array([False, True, True])
    ideas = np.array([0, 1, 2, 0, 1, 0, 2])
    human = np.array([True, True, True, False, False, False, False])
    assert metrics.tail_items_by_source(ideas, human, tail) == (4, 2)
    assert metrics.tail_items_by_source(np.array([0]), np.array([True]), tail) == (0, 0)


def test_the_index_is_the_share_weighted_mean_of_the_index_by_source():
    # originality_index = s_h * originality_human + (1 - s_h) * originality_ai at every step after setup
    from model.ecosystem import ContentEcosystem
    from model.scenario import Scenario

    model = ContentEcosystem(Scenario().with_overrides({"run.steps": 8, "world.archive_items": 5000, "humans.count": 200, "ai.train_size": 2000, "ai.retrain_every": 4}), seed=3)
    while model.running:
        model.step()
    ts = model.timeseries().iloc[1:]
    s = ts["human_share_recent"]
    np.testing.assert_allclose(ts["originality_index"], s * ts["originality_human"] + (1 - s) * ts["originality_ai"], rtol=1e-12)
    assert (s < 1).all() and (ts["originality_ai"] < ts["originality_human"]).all()


def test_culture_richness_is_rarefaction_of_its_counts():
    from model.ideas import FixedVocabulary

    culture = FixedVocabulary(2, 1.0, 0.5, 50, 1.1, np.random.default_rng(0))
    culture.generate_archive(3000, np.random.default_rng(1))
    assert culture.rarefied(100) == pytest.approx(metrics.rarefied(culture.counts, 100))
    assert math.isnan(culture.rarefied(10**6))


# -- homogenization: how much more alike AI-made items are than human ones ---------------------------
def test_collision_is_the_chance_that_two_items_share_an_idea():
    assert metrics.collision(np.array([2, 2])) == pytest.approx(2 * 2 / 12)  # pairs within each idea over all pairs
    assert metrics.collision(np.array([1, 1, 1, 0])) == 0.0
    assert np.isnan(metrics.collision(np.array([1, 0])))


def test_homogenization_is_zero_for_sources_alike_and_grows_as_ai_concentrates():
    human = np.array([40, 30, 20, 10])
    assert metrics.homogenization(human, human) == pytest.approx(0.0)
    head_only = np.array([50, 50, 0, 0])
    expected = metrics.collision(head_only) / metrics.collision(human) - 1
    assert metrics.homogenization(head_only, human) == pytest.approx(expected) and expected > 0.5
    assert metrics.homogenization(np.array([25, 25, 25, 25]), human) < 0  # more varied than people
    assert np.isnan(metrics.homogenization(np.array([1, 0, 0, 0]), human))


def test_text_homogenization_is_zero_for_the_same_documents_and_positive_for_repeated_ones():
    from model.text.metrics import text_homogenization

    rng = np.random.default_rng(3)
    docs = rng.integers(0, 500, size=(200, 20))
    human = np.arange(200) < 100
    same = np.concatenate([docs[:100], docs[:100]])
    assert text_homogenization(same, human, 500) == pytest.approx(0.0)
    narrow = np.concatenate([docs[:100], rng.integers(0, 50, size=(100, 20))])  # AI documents from a tenth of the words
    assert text_homogenization(narrow, human, 500) > 1.0
