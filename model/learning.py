"""The learning rule: what "training" means for an AI model.

The ecosystem talks to a learner only through the small :class:`Learner` protocol
(learn from a batch of web items, generate new items' columns, and answer what the
metrics ask), and builds one with :func:`make_learner`; a second learner (the planned
language mode) plugs in here without editing the ecosystem.

The learner of the ideas world is one family, :class:`IdeaGaussian`, with a
``fit(ideas, vecs)`` / ``sample(n, rng)`` interface in the manner of a scikit-learn
estimator:

* ideas: categorical maximum likelihood over the ideas of the training set,
  cut to the top ``capacity`` ideas (functional expressivity; ties at the cut broken at
  random), reshaped as ``p**(1/temperature)``, and cut by what token-level nucleus
  sampling at ``top_p`` does to a category of that training count, as measured in the
  text world (sampling bias; :mod:`model.decoding`);
* vectors: a diagonal Gaussian per idea, from grouped moments; an idea seen
  once is reproduced exactly, and sampling scales the standard deviation by
  ``temperature``.

The learned state is a few plain arrays, each with a trailing underscore.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

from model import decoding, metrics


@runtime_checkable
class Learner(Protocol):
    """What the ecosystem and the metrics need of a learning rule."""

    @property
    def is_fitted(self) -> bool:
        """Whether it has learned anything (an unfitted model writes nothing)."""

    def learn(self, items, rng: np.random.Generator) -> None:
        """Fit on a training set, a batch of web items (:class:`model.web.Items`); random choices (ties, the decoding cut) from ``rng``."""

    def generate(self, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Columns of ``n`` new items: at least ``idea`` and ``vec``."""

    def producible_ideas(self) -> np.ndarray:
        """Ids of the ideas it can still produce (``model_coverage``)."""

    def sampling_variance(self) -> float:
        """Total variance of what it samples, averaged over dimensions (``model_variance``)."""

    def mean_error(self, centroids: np.ndarray) -> float:
        """Probability-weighted squared error of its idea means, per dimension, given every idea's true centroid."""


def make_learner(ai, culture=None, min_top_p: float = 0.0) -> Learner:
    """The learner an ``[ai]`` section describes; in the text world (a culture that writes text) an n-gram model.

    ``min_top_p`` is a rule on published output (``policy.min_top_p``): models decode with a nucleus at
    least that wide, so it binds only where the world's own ``ai.top_p`` is narrower.
    """
    top_p = max(ai.top_p, min_top_p)
    if getattr(culture, "writes_text", False):
        from model.text.ngram import NGramLearner

        return NGramLearner(ai.ngram, culture, ai.capacity, ai.temperature, top_p)
    return IdeaGaussian(ai.capacity, ai.temperature, top_p, ai.variance_estimator, ai.item_tokens)


class IdeaGaussian:
    """Categorical over ideas, diagonal Gaussian per idea.

    Args:
        capacity: keep only the most frequent ``capacity`` ideas (0 = all; ties at the cut at random).
        temperature: reshapes idea probabilities and scales standard deviations.
        top_p: token-level nucleus of the models' decoding; it acts on ideas through the
            survival and retention the text world measures (:func:`model.decoding.decode`).
        variance_estimator: ``"mle"`` divides by n, ``"unbiased"`` by n - 1.
        item_tokens: tokens of running text an item stands for, which ties an idea's training count to a
            word's in the decoding measurement (an idea seen m times among n items is a word seen m times
            among n documents of this length).

    Attributes (after :meth:`fit`), ordered by decreasing training count:
        ideas_: idea ids the model can produce.
        counts_: training items per kept idea.
        probs_: sampling probability per kept idea (sums to 1).
        means_: per-idea mean vector, shape (k, d).
        vars_: per-idea per-dimension variance, shape (k, d).
    """

    def __init__(self, capacity: int = 0, temperature: float = 1.0, top_p: float = 1.0, variance_estimator: str = "mle", item_tokens: float = 20.0):
        if variance_estimator not in ("mle", "unbiased"):
            raise ValueError(f"variance_estimator must be 'mle' or 'unbiased', not {variance_estimator!r}")
        self.capacity = capacity
        self.temperature = temperature
        self.top_p = top_p
        self.variance_estimator = variance_estimator
        self.item_tokens = item_tokens

    @property
    def is_fitted(self) -> bool:
        return hasattr(self, "probs_")

    def fit(self, ideas: np.ndarray, vecs: np.ndarray, rng: np.random.Generator | None = None) -> IdeaGaussian:
        """Learn idea probabilities and per-idea Gaussians from a training set.

        ``rng`` makes the random choices (ties at the capacity cut, the decoding cut); the model
        passes its own generator. Without one, a generator seeded 0 is used (standalone use).
        """
        if len(ideas) == 0:
            raise ValueError("cannot fit on an empty training set")
        rng = np.random.default_rng(0) if rng is None else rng
        # Idea ids are small integers: counting beats sorting.
        all_counts = np.bincount(ideas)
        uniq = np.flatnonzero(all_counts)
        counts = all_counts[uniq]
        inv = (np.cumsum(all_counts > 0) - 1)[ideas]
        k, vecs = len(uniq), np.asarray(vecs)
        # One dimension at a time, in place: an (n, d) temporary costs more in fresh pages than in arithmetic.
        means = np.empty((k, vecs.shape[1]))
        ss = np.empty_like(means)
        for j in range(vecs.shape[1]):
            x = vecs[:, j].astype(np.float64)
            means[:, j] = m = np.bincount(inv, weights=x, minlength=k) / counts
            x -= m[inv]
            x *= x
            ss[:, j] = np.bincount(inv, weights=x, minlength=k)
        denom = counts - 1 if self.variance_estimator == "unbiased" else counts
        variances = np.divide(ss, np.maximum(denom, 1)[:, None])
        variances[counts == 1] = 0.0  # seen once: reproduced exactly

        order = np.argsort(-counts, kind="stable")  # most frequent first
        if self.capacity and self.capacity < k:
            order = top_k(counts, self.capacity, rng)
        with np.errstate(over="ignore"):
            probs = counts[order].astype(float) ** (1.0 / self.temperature)
        if not np.isfinite(probs.sum()):  # a temperature near 0 overflows the power: the same shape in logs
            logp = np.log(counts[order].astype(float)) / self.temperature
            probs = np.exp(logp - logp.max())
        probs = decoding.decode(counts[order], probs / probs.sum(), self.top_p, rng, len(ideas), self.item_tokens)
        kept = np.flatnonzero(probs > 0)  # still by decreasing count
        order, probs = order[kept], probs[kept]

        self.ideas_ = uniq[order]
        self.counts_ = counts[order]
        self.probs_ = probs / probs.sum()
        self.means_ = means[order]
        self.vars_ = variances[order]
        self._cdf = np.cumsum(self.probs_)
        self._sd = self.temperature * np.sqrt(self.vars_)  # what sampling scales its noise by
        self._variance = None  # computed when first asked, then kept until the next fit
        return self

    def sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Draw ``n`` items: (ideas, float32 vectors)."""
        idx = np.minimum(np.searchsorted(self._cdf, rng.random(n) * self._cdf[-1], side="right"), len(self._cdf) - 1)
        vecs = rng.standard_normal((n, self.means_.shape[1]))
        vecs *= np.take(self._sd, idx, axis=0)
        vecs += np.take(self.means_, idx, axis=0)
        return self.ideas_[idx], vecs.astype(np.float32)

    # -- the Learner protocol ------------------------------------------------------------
    def learn(self, items, rng: np.random.Generator) -> None:
        self.fit(items.idea, items.vec, rng)

    def generate(self, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        ideas, vecs = self.sample(n, rng)
        return {"idea": ideas, "vec": vecs}

    def producible_ideas(self) -> np.ndarray:
        return self.ideas_

    def mean_error(self, centroids: np.ndarray) -> float:
        return metrics.mean_error(self.probs_, self.means_, centroids[self.ideas_])

    def sampling_variance(self) -> float:
        """Total variance of the distribution :meth:`sample` draws from, averaged over dimensions."""
        if self._variance is None:
            p = self.probs_[:, None]
            within = (p * self.temperature**2 * self.vars_).sum(axis=0)
            # Centred, not E[x^2] - E[x]^2, which loses every digit when the spread is tiny.
            between = (p * (self.means_ - (p * self.means_).sum(axis=0)) ** 2).sum(axis=0)
            self._variance = float(np.mean(within + between))
        return self._variance


def top_k(counts: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of the ``k`` largest counts, in decreasing order; ties at the cut broken at random.

    A uniform random key orders equal counts, so no idea is favoured by its id (its age).
    """
    order = np.lexsort((rng.random(len(counts)), -counts))
    return order[:k]
