"""Metrics as pure functions: arrays in, numbers out.

Each is cheap enough to run every step on the recent window (O(recent items))
or on the ideas (O(ideas)); none looks at the whole web.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln


def shares(counts: np.ndarray) -> np.ndarray:
    """Counts normalized to shares; NaN where there is nothing to share."""
    total = counts.sum()
    return counts / total if total else np.full(len(counts), np.nan)


def distinct(counts: np.ndarray) -> int:
    """Number of ideas with a nonzero count."""
    return int(np.count_nonzero(counts))


def hill_number(counts: np.ndarray) -> float:
    """Effective number of ideas: exp(Shannon entropy), the Hill number of order 1."""
    p = counts[counts > 0] / counts.sum() if counts.sum() else np.zeros(0)
    return float(np.exp(-(p * np.log(p)).sum())) if len(p) else 0.0


def gini_simpson(counts: np.ndarray) -> float:
    """Plug-in Gini-Simpson diversity 1 - sum p^2."""
    total = counts.sum()
    return float(1.0 - ((counts / total) ** 2).sum()) if total else float("nan")


def head_mask(counts: np.ndarray, mass: float = 0.8) -> np.ndarray:
    """The head: the smallest set of most frequent ideas holding at least ``mass`` of the items.

    Ties are broken by idea id, so the head is deterministic.
    """
    total = counts.sum()
    mask = np.zeros(len(counts), bool)
    if total == 0:
        return mask
    order = np.argsort(-counts, kind="stable")  # stable: equal counts stay in id order
    cum = np.cumsum(counts[order])
    size = int(np.searchsorted(cum, mass * total - 1e-9 * total) + 1)
    mask[order[:size]] = True
    return mask


def tail_share(idea_counts: np.ndarray, tail: np.ndarray) -> float:
    """Share of items (given as counts per idea) whose idea is in ``tail``."""
    total = idea_counts.sum()
    return float(idea_counts[tail].sum() / total) if total else float("nan")


def tail_items_by_source(ideas: np.ndarray, human: np.ndarray, tail: np.ndarray) -> tuple[int, int]:
    """(items whose idea is in ``tail``, those of them that are human); ``human`` marks the human items."""
    in_tail = tail[ideas]
    total = int(np.count_nonzero(in_tail))
    np.logical_and(in_tail, human, out=in_tail)
    return total, int(np.count_nonzero(in_tail))


def dispersion(vecs: np.ndarray) -> float:
    """Mean squared distance of vectors from their mean."""
    if len(vecs) == 0:
        return float("nan")
    v = np.asarray(vecs, np.float64)
    return float(((v - v.mean(axis=0)) ** 2).sum(axis=1).mean())


def coverage(model_ideas: np.ndarray, culture_weights: np.ndarray) -> float:
    """Human culture's idea mass on the ideas a model can still produce."""
    return float(culture_weights[model_ideas].sum())


def mean_error(probs: np.ndarray, means: np.ndarray, centroids: np.ndarray) -> float:
    """Probability-weighted squared distance of learned idea means from true centroids, per dimension."""
    return float((probs * ((means - centroids) ** 2).sum(axis=1)).sum() / means.shape[1])


def collision(counts: np.ndarray) -> float:
    """The chance that two items drawn without replacement share an idea, from counts per idea (NaN under two items)."""
    n = counts.sum()
    if n < 2:
        return float("nan")
    c = counts.astype(np.float64)
    return float((c * (c - 1.0)).sum() / (n * (n - 1.0)))


def homogenization(ai_counts: np.ndarray, human_counts: np.ndarray) -> float:
    """How much more alike AI-made items are to each other than human items, minus 1 (0: as varied as people).

    Alike means about the same idea: with one-hot meanings the mean pairwise cosine similarity of a set of
    items is its :func:`collision`, so this is the idea world's version of the similarity ratio that
    studies of AI writing measure on embeddings or TF-IDF vectors. NaN when either set is under two items
    or the human items never share an idea.
    """
    return safe_ratio(collision(ai_counts), collision(human_counts)) - 1.0


def safe_ratio(a: float, b: float) -> float:
    """a / b, NaN when b is zero or either is NaN."""
    return float(a / b) if b and not (np.isnan(a) or np.isnan(b)) else float("nan")


def rarefied(counts: np.ndarray, n: int) -> float:
    """Expected distinct ideas in a random sample of ``n`` of the items (Hurlbert 1971 rarefaction).

    ``E[S_n] = sum_k 1 - C(N - N_k, n) / C(N, n)``; NaN when there are fewer than ``n`` items.
    """
    counts = np.asarray(counts)
    counts = counts[counts > 0].astype(float)
    total = counts.sum()
    if total < n or n <= 0:
        return float("nan")
    # log C(N - N_k, n) - log C(N, n); C(a, n) = 0 when a < n.
    rest = total - counts
    ok = rest >= n
    log_ratio = gammaln(rest[ok] + 1) - gammaln(rest[ok] - n + 1) - gammaln(total + 1) + gammaln(total - n + 1)
    return float((~ok).sum() + (1.0 - np.exp(log_ratio)).sum())
