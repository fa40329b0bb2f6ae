"""Inverse-CDF draws from many discrete distributions stored end to end in one cumulative array."""

from __future__ import annotations

import numpy as np


def draw_segments(cum: np.ndarray, lo: np.ndarray, hi: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Index in ``[lo, hi)`` of each draw, with probability proportional to the weights there.

    ``cum`` is the cumulative sum of all weights with a leading 0, so segment ``[lo, hi)``
    holds ``cum[hi] - cum[lo]``; ``u`` are uniforms in [0, 1). One ``searchsorted`` for all
    draws, whatever segment each one is in.
    """
    target = cum[lo] + u * (cum[hi] - cum[lo])
    # Sorted queries: numpy's binary search narrows each search from the last, and memory is read in order.
    order = np.argsort(target)
    j = np.empty(len(target), np.int64)
    j[order] = np.searchsorted(cum, target[order], side="right") - 1
    return np.maximum(np.minimum(j, hi - 1), lo)


def cumulative(weights: np.ndarray) -> np.ndarray:
    """The cumulative sum with a leading 0."""
    out = np.empty(len(weights) + 1)
    out[0] = 0.0
    np.cumsum(weights, out=out[1:])
    return out
