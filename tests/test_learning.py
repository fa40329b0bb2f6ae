"""IdeaGaussian: categorical MLE over ideas, a diagonal Gaussian per idea (model/learning.py)."""

import numpy as np
import pytest

from model.learning import IdeaGaussian, nucleus_size


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


def test_capacity_tie_at_the_cut_keeps_the_lower_id():
    ideas, vecs = data([4, 2, 2, 1])
    g = IdeaGaussian(capacity=2, top_p=1.0).fit(ideas, vecs)
    np.testing.assert_array_equal(g.ideas_, [0, 1])


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


# -- top_p: the smallest prefix reaching top_p -------------------------------------
@pytest.mark.parametrize(
    "top_p, kept",
    [(1.0, 3), (0.81, 3), (0.8, 2), (0.79, 2), (0.51, 2), (0.5, 1), (0.2, 1)],
)
def test_top_p_keeps_the_smallest_prefix_reaching_it(top_p, kept):
    # probabilities 0.5, 0.3, 0.2: cumulative 0.5, 0.8, 1.0
    g = IdeaGaussian(top_p=top_p).fit(*data([5, 3, 2]))
    assert len(g.ideas_) == kept
    p = np.array([5, 3, 2])[:kept]
    np.testing.assert_allclose(g.probs_, p / p.sum())
    assert g.probs_.sum() == pytest.approx(1.0)


def test_top_p_applies_after_temperature():
    # p = (0.75, 0.25); at T = 0.5 it becomes (0.9, 0.1), so top_p = 0.85 keeps one idea
    ideas, vecs = data([3, 1])
    assert len(IdeaGaussian(temperature=1.0, top_p=0.85).fit(ideas, vecs).ideas_) == 2
    assert len(IdeaGaussian(temperature=0.5, top_p=0.85).fit(ideas, vecs).ideas_) == 1


def test_capacity_then_temperature_then_top_p():
    # capacity 3 keeps counts (6, 3, 1) -> p = 0.6, 0.3, 0.1; T = 1; top_p 0.85 keeps 2
    g = IdeaGaussian(capacity=3, top_p=0.85).fit(*data([6, 3, 1, 1]))
    np.testing.assert_array_equal(g.ideas_, [0, 1])
    np.testing.assert_allclose(g.probs_, [6 / 9, 3 / 9])


def test_nucleus_size_directly():
    p = np.array([0.4, 0.3, 0.2, 0.1])
    assert nucleus_size(p, 1.0) == 4
    assert nucleus_size(p, 0.4) == 1
    assert nucleus_size(p, 0.7) == 2
    assert nucleus_size(p, 0.71) == 3
    assert nucleus_size(p, 0.9) == 3
    assert nucleus_size(p, 0.95) == 4
    assert nucleus_size(p, 1e-9) == 1


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


def test_top_p_cut_ideas_are_never_sampled():
    g = IdeaGaussian(top_p=0.8).fit(*data([5, 3, 2]))
    ideas, _ = g.sample(50_000, np.random.default_rng(3))
    assert set(np.unique(ideas).tolist()) == {0, 1}


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
