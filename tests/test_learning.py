"""IdeaGaussian: categorical MLE over ideas, a diagonal Gaussian per idea (model/learning.py)."""

import numpy as np
import pytest

from model import decoding
from model.learning import IdeaGaussian


def data(counts, dim=2, seed=0, ids=None):
    """A training set with ``counts[i]`` items of idea ``ids[i]`` (shuffled), random vectors."""
    rng = np.random.default_rng(seed)
    ids = np.arange(len(counts)) if ids is None else np.asarray(ids)
    ideas = np.repeat(ids, counts)
    rng.shuffle(ideas)
    vecs = rng.normal(size=(len(ideas), dim)) + ideas[:, None]
    return ideas, vecs


def binomial_ok(observed, n, p, z=5.0):
    """Counts within z binomial standard errors of n*p."""
    se = np.sqrt(n * p * (1 - p))
    return np.all(np.abs(observed - n * p) <= z * se + 1e-12)


# -- ideas: categorical maximum likelihood ------------------------------------------
def test_probs_are_empirical_frequencies_ordered_by_count():
    ideas, vecs = data([2, 5, 1, 3], ids=[10, 4, 7, 2])
    g = IdeaGaussian(top_p=1.0).fit(ideas, vecs)
    np.testing.assert_array_equal(g.ideas_, [4, 2, 10, 7])
    np.testing.assert_array_equal(g.counts_, [5, 3, 2, 1])
    np.testing.assert_allclose(g.probs_, np.array([5, 3, 2, 1]) / 11)
    assert g.is_fitted


def test_count_ties_are_broken_by_idea_id():
    ideas = np.array([3, 1, 3, 1, 8])
    g = IdeaGaussian(top_p=1.0).fit(ideas, np.zeros((5, 1)))
    np.testing.assert_array_equal(g.ideas_, [1, 3, 8])


def test_not_fitted_before_fit_and_empty_training_set_is_refused():
    g = IdeaGaussian()
    assert not g.is_fitted
    with pytest.raises(ValueError):
        g.fit(np.zeros(0, np.int64), np.zeros((0, 2)))


def test_unknown_variance_estimator_is_refused():
    with pytest.raises(ValueError):
        IdeaGaussian(variance_estimator="biased")


def test_refit_replaces_the_previous_generation():
    g = IdeaGaussian(top_p=1.0)
    g.fit(*data([5, 5, 5]))
    g.fit(*data([0, 0, 0, 4], seed=1))
    np.testing.assert_array_equal(g.ideas_, [3])
    rng = np.random.default_rng(0)
    ideas, _ = g.sample(100, rng)
    assert set(ideas.tolist()) == {3}


# -- capacity: keep the top-k ------------------------------------------------------------
def test_capacity_keeps_the_most_frequent_ideas_and_renormalizes():
    ideas, vecs = data([5, 3, 2, 1])
    g = IdeaGaussian(capacity=2, top_p=1.0).fit(ideas, vecs)
    np.testing.assert_array_equal(g.ideas_, [0, 1])
    np.testing.assert_allclose(g.probs_, [5 / 8, 3 / 8])
    for k, idea in enumerate(g.ideas_):
        np.testing.assert_allclose(g.means_[k], vecs[ideas == idea].mean(axis=0))


def test_capacity_ties_at_the_cut_are_broken_at_random_not_by_id():
    # Ideas 1, 2 and 3 tie at the cut (two places for three): each is kept in about two thirds of
    # fits, whatever its id, so no idea is favoured by its age.
    ideas, vecs = data([5, 2, 2, 2, 1])
    n = 3000
    kept = np.zeros(5)
    for seed in range(n):
        g = IdeaGaussian(capacity=3, top_p=1.0).fit(ideas, vecs, np.random.default_rng(seed))
        kept[g.ideas_] += 1
    assert kept[0] == n and kept[4] == 0
    assert binomial_ok(kept[1:4], n, 2 / 3)


def test_capacity_zero_or_large_keeps_everything():
    ideas, vecs = data([4, 2, 2, 1])
    for capacity in (0, 4, 100):
        g = IdeaGaussian(capacity=capacity, top_p=1.0).fit(ideas, vecs)
        assert len(g.ideas_) == 4


# -- temperature: p**(1/T) renormalized -------------------------------------------
@pytest.mark.parametrize("temperature", [0.5, 0.8, 1.0, 2.0])
def test_temperature_reshapes_probabilities(temperature):
    counts = np.array([4, 2, 1, 1])
    g = IdeaGaussian(temperature=temperature, top_p=1.0).fit(*data(counts))
    p = (counts / counts.sum()) ** (1 / temperature)
    np.testing.assert_allclose(g.probs_, p / p.sum())


def test_temperature_half_squares_the_counts():
    g = IdeaGaussian(temperature=0.5, top_p=1.0).fit(*data([4, 2, 1, 1]))
    np.testing.assert_allclose(g.probs_, np.array([16, 4, 1, 1]) / 22)


def test_temperature_does_not_change_learned_moments():
    ideas, vecs = data([6, 4, 3])
    a = IdeaGaussian(temperature=1.0, top_p=1.0).fit(ideas, vecs)
    b = IdeaGaussian(temperature=0.7, top_p=1.0).fit(ideas, vecs)
    np.testing.assert_allclose(a.means_, b.means_)
    np.testing.assert_allclose(a.vars_, b.vars_)


# -- top_p: the decoding cut measured in the text world (model/decoding.py) ---------
def test_rates_are_the_measured_table_at_its_points_and_interpolate_between():
    table = decoding.measured()
    for d, length in enumerate(decoding.DOC_TOKENS):
        for s, size in enumerate(decoding.TRAIN_DOCS):
            for row, top_p in enumerate(decoding.TOP_P_GRID):
                survival, retention = decoding.rates(top_p, size, length)
                np.testing.assert_allclose(survival, table["survival"][d, s, row])
                np.testing.assert_allclose(retention, table["retention"][d, s, row])
            np.testing.assert_array_equal(decoding.rates(1.0, size, length)[0], 1.0)
            np.testing.assert_array_equal(decoding.rates(1.0, size, length)[1], 1.0)
    # linear in top_p between grid points, linear in log size and log length between theirs, held beyond them
    d20 = decoding.DOC_TOKENS.index(20)
    np.testing.assert_allclose(decoding.rates(0.925)[1], (table["retention"][d20, 3, 6] + table["retention"][d20, 3, 7]) / 2)
    between = np.sqrt(5_000 * 20_000)
    np.testing.assert_allclose(decoding.rates(0.95, int(round(between)))[1], (table["retention"][d20, 2, 7] + table["retention"][d20, 3, 7]) / 2, rtol=1e-6)
    np.testing.assert_allclose(decoding.rates(0.95, 20_000, np.sqrt(20 * 40))[0], (table["survival"][d20, 3, 7] + table["survival"][d20 + 1, 3, 7]) / 2, rtol=1e-6)
    np.testing.assert_allclose(decoding.rates(0.95, 10)[0], table["survival"][d20, 0, 7])
    np.testing.assert_allclose(decoding.rates(0.95, 10**7)[0], table["survival"][d20, -1, 7])
    np.testing.assert_allclose(decoding.rates(0.95, 20_000, 1000)[0], table["survival"][-1, 3, 7])


def test_longer_items_cut_rare_ideas_harder():
    """The unit: an idea seen a few times among n items of many tokens is rarer, as a word, than among n short ones."""
    short, long = decoding.rates(0.95, 20_000, 10)[0], decoding.rates(0.95, 20_000, 80)[0]
    assert (long[:4] <= short[:4]).all() and long[2] < short[2]


def test_count_classes_are_powers_of_two():
    np.testing.assert_array_equal(decoding.count_class(np.array([1, 2, 3, 4, 5, 8, 9, 16, 17, 64, 65, 10**6])), [0, 1, 2, 2, 3, 3, 4, 4, 5, 6, 7, 7])


def test_top_p_1_cuts_nothing_and_draws_nothing():
    rng = np.random.default_rng(1)
    state = rng.bit_generator.state
    g = IdeaGaussian(top_p=1.0).fit(*data([5, 3, 2, 1, 1]), rng)
    assert len(g.ideas_) == 5 and rng.bit_generator.state == state


@pytest.mark.parametrize("top_p", [0.8, 0.95])
def test_each_count_class_keeps_its_measured_survival_and_retention(top_p):
    # 40 ideas in each of four classes (counts 1, 2, 4, 100); over many fits the share of a
    # class's ideas kept is its survival probability, and its share of the sampling mass,
    # over its share of the training set, is its retention (renormalized over the classes).
    counts = np.repeat([1, 2, 4, 100], 40)
    ideas, vecs = data(counts)
    survival, retention = decoding.rates(top_p, int(counts.sum()))
    cls = np.repeat(np.arange(4), 40)  # the groups; their count classes are 0, 1, 2 and 7
    fits, kept, mass = 400, np.zeros(4), np.zeros(4)
    for seed in range(fits):
        g = IdeaGaussian(top_p=top_p).fit(ideas, vecs, np.random.default_rng(seed))
        kept += np.bincount(cls[g.ideas_], minlength=4)
        mass += np.bincount(cls[g.ideas_], weights=g.probs_, minlength=4)
    assert binomial_ok(kept, fits * 40, survival[[0, 1, 2, 7]])
    share = np.bincount(cls, weights=counts) / counts.sum()
    expected = share * retention[[0, 1, 2, 7]]
    np.testing.assert_allclose(mass / fits, expected / expected.sum(), atol=0.01)


def test_a_survivor_weighs_its_count_times_retention_over_survival():
    ideas, vecs = data([100, 3])
    survival, retention = decoding.rates(0.95, 103)
    for seed in range(50):
        g = IdeaGaussian(top_p=0.95).fit(ideas, vecs, np.random.default_rng(seed))
        if len(g.ideas_) == 2:
            ratio = (3 * retention[2] / survival[2]) / (100 * retention[7] / survival[7])
            assert g.probs_[1] / g.probs_[0] == pytest.approx(ratio)
            return
    pytest.fail("the count-3 idea never survived")


def test_the_cut_applies_after_temperature():
    # T = 0.5 squares the counts before the cut: a survivor of count 3 weighs 9 * retention / survival
    ideas, vecs = data([100, 3])
    survival, retention = decoding.rates(0.95, 103)
    for seed in range(50):
        g = IdeaGaussian(temperature=0.5, top_p=0.95).fit(ideas, vecs, np.random.default_rng(seed))
        if len(g.ideas_) == 2:
            assert g.probs_[1] / g.probs_[0] == pytest.approx((9 * retention[2] / survival[2]) / (10_000 * retention[7] / survival[7]))
            return
    pytest.fail("the count-3 idea never survived")


def test_one_idea_survives_when_the_cut_would_leave_none():
    ideas, vecs = data([1] * 20)
    g = IdeaGaussian(top_p=1e-9).fit(ideas, vecs, np.random.default_rng(0))
    assert len(g.ideas_) == 1 and g.probs_[0] == 1.0


def test_a_fit_is_a_function_of_its_generator():
    ideas, vecs = data([9, 5, 3, 2, 2, 1, 1, 1])
    a = IdeaGaussian(capacity=5, top_p=0.9).fit(ideas, vecs, np.random.default_rng(4))
    b = IdeaGaussian(capacity=5, top_p=0.9).fit(ideas, vecs, np.random.default_rng(4))
    np.testing.assert_array_equal(a.ideas_, b.ideas_)
    np.testing.assert_array_equal(a.probs_, b.probs_)


# -- per-idea Gaussians ----------------------------------------------------------------
@pytest.mark.parametrize("estimator, ddof", [("mle", 0), ("unbiased", 1)])
def test_means_and_variances_match_numpy(estimator, ddof):
    ideas, vecs = data([7, 4, 2, 9, 3], dim=3, seed=5, ids=[3, 0, 6, 1, 2])
    g = IdeaGaussian(top_p=1.0, variance_estimator=estimator).fit(ideas, vecs)
    for k, idea in enumerate(g.ideas_):
        group = vecs[ideas == idea]
        np.testing.assert_allclose(g.means_[k], group.mean(axis=0), rtol=1e-12)
        np.testing.assert_allclose(g.vars_[k], group.var(axis=0, ddof=ddof), rtol=1e-10)


def test_mle_and_unbiased_differ_by_n_over_n_minus_1_on_a_known_dataset():
    # idea 0: values 1, 2, 3, 6 in one dimension: mean 3, squared deviations 4+1+0+9 = 14
    ideas = np.array([0, 0, 0, 0])
    vecs = np.array([[1.0], [2.0], [3.0], [6.0]])
    mle = IdeaGaussian(top_p=1.0, variance_estimator="mle").fit(ideas, vecs)
    unb = IdeaGaussian(top_p=1.0, variance_estimator="unbiased").fit(ideas, vecs)
    assert mle.means_[0, 0] == pytest.approx(3.0)
    assert mle.vars_[0, 0] == pytest.approx(14 / 4)
    assert unb.vars_[0, 0] == pytest.approx(14 / 3)


@pytest.mark.parametrize("estimator", ["mle", "unbiased"])
@pytest.mark.parametrize("temperature", [1.0, 0.5, 2.0])
def test_an_idea_seen_once_is_reproduced_exactly(estimator, temperature):
    ideas = np.array([0, 0, 0, 0, 1, 0])
    vecs = np.array([[0.1, 0.2], [0.3, -0.1], [0.0, 0.5], [0.2, 0.2], [1.234567, -7.654321], [0.3, 0.3]])
    g = IdeaGaussian(temperature=temperature, top_p=1.0, variance_estimator=estimator).fit(ideas, vecs)
    k = list(g.ideas_).index(1)
    np.testing.assert_array_equal(g.vars_[k], [0.0, 0.0])
    np.testing.assert_array_equal(g.means_[k], vecs[4])
    out_ideas, out_vecs = g.sample(5000, np.random.default_rng(1))
    once = out_vecs[out_ideas == 1]
    assert len(once) > 0
    np.testing.assert_array_equal(once, np.broadcast_to(vecs[4].astype(np.float32), once.shape))
    # the other idea is not reproduced exactly
    assert len(np.unique(out_vecs[out_ideas == 0], axis=0)) > 1


# -- sampling ---------------------------------------------------------------------------
def test_sample_shapes_and_types():
    g = IdeaGaussian(top_p=1.0).fit(*data([3, 2], dim=4))
    ideas, vecs = g.sample(17, np.random.default_rng(0))
    assert ideas.shape == (17,) and vecs.shape == (17, 4)
    assert vecs.dtype == np.float32
    assert np.issubdtype(ideas.dtype, np.integer)


def test_sample_is_reproducible_from_the_generator():
    g = IdeaGaussian(top_p=1.0).fit(*data([3, 2, 2]))
    a = g.sample(50, np.random.default_rng(42))
    b = g.sample(50, np.random.default_rng(42))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


@pytest.mark.parametrize("temperature, top_p", [(1.0, 1.0), (0.7, 1.0), (1.0, 0.8), (1.5, 0.9)])
def test_sampling_draws_only_kept_ideas_with_their_probabilities(temperature, top_p):
    ids = [11, 3, 7, 20, 5]
    g = IdeaGaussian(temperature=temperature, top_p=top_p).fit(*data([50, 30, 12, 6, 2], ids=ids))
    n = 200_000
    ideas, _ = g.sample(n, np.random.default_rng(7))
    assert set(np.unique(ideas)) <= set(g.ideas_.tolist())
    observed = np.array([(ideas == i).sum() for i in g.ideas_])
    assert observed.sum() == n  # nothing outside the kept ideas
    assert binomial_ok(observed, n, g.probs_)


def test_ideas_the_cut_removes_are_never_sampled():
    g = IdeaGaussian(top_p=0.8).fit(*data([50, 3, 1, 1, 1]), np.random.default_rng(3))
    assert len(g.ideas_) < 5
    ideas, _ = g.sample(50_000, np.random.default_rng(3))
    assert set(np.unique(ideas).tolist()) == set(g.ideas_.tolist())


@pytest.mark.parametrize("temperature", [0.5, 1.0, 1.5])
def test_sampled_std_is_scaled_by_temperature(temperature):
    rng = np.random.default_rng(11)
    train = rng.normal(loc=[1.0, -2.0, 0.0], scale=[2.0, 0.5, 1.0], size=(2000, 3))
    g = IdeaGaussian(temperature=temperature).fit(np.zeros(2000, np.int64), train)
    n = 100_000
    _, vecs = g.sample(n, np.random.default_rng(12))
    v = vecs.astype(np.float64)
    target = temperature**2 * g.vars_[0]
    se_var = target * np.sqrt(2 / (n - 1))  # normal sample variance
    assert np.all(np.abs(v.var(axis=0, ddof=1) - target) <= 5 * se_var)
    se_mean = np.sqrt(target / n)
    assert np.all(np.abs(v.mean(axis=0) - g.means_[0]) <= 5 * se_mean)


def test_sampling_variance_hand_computed():
    # idea 0: -1, 1 (mean 0, mle var 1); idea 1: 1, 3 (mean 2, var 1); p = 1/2 each
    ideas = np.array([0, 0, 1, 1])
    vecs = np.array([[-1.0], [1.0], [1.0], [3.0]])
    # total variance = within 1 + between 1 = 2
    assert IdeaGaussian(top_p=1.0).fit(ideas, vecs).sampling_variance() == pytest.approx(2.0)
    # T = 2: probabilities stay 1/2 each; within 4 * 1, between 1
    assert IdeaGaussian(temperature=2.0, top_p=1.0).fit(ideas, vecs).sampling_variance() == pytest.approx(5.0)
    # unbiased: within 2, between 1
    assert IdeaGaussian(top_p=1.0, variance_estimator="unbiased").fit(ideas, vecs).sampling_variance() == pytest.approx(3.0)


@pytest.mark.parametrize("temperature, top_p", [(1.0, 1.0), (0.8, 0.9), (1.3, 1.0)])
def test_sampling_variance_matches_a_large_sample(temperature, top_p):
    g = IdeaGaussian(temperature=temperature, top_p=top_p).fit(*data([40, 25, 15, 10, 6, 4], dim=3, seed=2))
    n = 200_000
    _, vecs = g.sample(n, np.random.default_rng(5))
    v = vecs.astype(np.float64)
    per_item = ((v - v.mean(axis=0)) ** 2).mean(axis=1)  # its mean is the dimension-averaged variance
    se = per_item.std() / np.sqrt(n)
    assert abs(per_item.mean() - g.sampling_variance()) <= 5 * se
