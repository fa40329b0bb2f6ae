"""The decoding bias of the ideas world: what token-level nucleus sampling does to an idea.

Real models cut the tail of each next-token distribution (nucleus sampling, ``ai.top_p``;
Holtzman et al. 2020), not whole topics. The ideas world has no tokens, so it takes what a
token-level cut does to a learned category from the text world, where decoding acts on the
tokens of real English (docs/ODD.md, sections 7.8 and 7.20): interpolated Kneser-Ney bigram
models fitted on n human documents (each n of :data:`TRAIN_DOCS`; the shipped
``ai.train_size`` is 20,000) are sampled at each top_p of :data:`TOP_P_GRID`, and their words
grouped by their count in the training set (classes 1, 2, 3-4, 5-8, ..., 65+). For each
training size, top_p and class, the table (``model/decoding.csv``) holds:

* survival: the share of the class's words the model can still write at all;
* retention: the class's share of the model's text over its share of the training set.

An idea of a training set of n items is treated as a word of its count class in a training
set of n documents: it survives with the class's survival probability (one draw from the
model's generator per idea and fit, so no idea is favoured by its id or age), and a survivor's
weight is multiplied by retention over survival, so a class keeps, on average, the share of its
mass the text world measured. Between measured points both are interpolated linearly in top_p
and in log n (held at the ends); top_p = 1 cuts nothing.

The strength of the bias is grounded in measured homogenization: in the same measurement a
model's documents are more similar to each other than human documents (mean pairwise TF-IDF
cosine similarity), at 20,000 documents by 33% at top_p 0.9, the 33% by which AI-written web
pages are more similar in meaning than human ones (Dolezal et al. 2026, arXiv:2604.26965), by
19% at 0.95 and 11% at 0.98, near the tenth by which stories written with AI ideas are more
similar (Doshi & Hauser 2024, Science Advances 10:eadn5290).

The table was written by ``python -m experiments.decoding --seeds 10``; ``python run.py
validate --check decoding`` re-measures it on other seeds and tests it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

#: Lower edges of the count classes: 1, 2, 3-4, 5-8, 9-16, 17-32, 33-64, 65+.
COUNT_EDGES = (1, 2, 3, 5, 9, 17, 33, 65)
#: The top_p values the text world was measured at (top_p = 1 cuts nothing).
TOP_P_GRID = (0.01, 0.2, 0.5, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 0.99)
#: The training sizes (documents) it was measured at.
TRAIN_DOCS = (500, 2_000, 5_000, 20_000, 80_000)
#: The measured table.
TABLE = Path(__file__).with_name("decoding.csv")


def _load() -> dict[str, np.ndarray]:
    """The table as arrays indexed (training size, top_p, class); similarity gain (training size, top_p)."""
    data = np.loadtxt(TABLE, delimiter=",", comments="#", skiprows=2)
    k, sizes, grid = len(COUNT_EDGES), len(TRAIN_DOCS), len(TOP_P_GRID)
    if data.shape != (sizes * grid, 5 + 2 * k) or not np.allclose(data[:, 0], np.repeat(TRAIN_DOCS, grid)):
        raise ValueError(f"{TABLE}: not the table of TRAIN_DOCS x TOP_P_GRID; rewrite it with python -m experiments.decoding")
    shape = (sizes, grid)
    return {
        "similarity_gain": data[:, 2].reshape(shape),
        "survival": data[:, 4 : 4 + k].reshape(*shape, k),
        "retention": data[:, 4 + k : 4 + 2 * k].reshape(*shape, k),
    }


MEASURED = _load()


def count_class(counts: np.ndarray) -> np.ndarray:
    """Index of each count's class (counts >= 1)."""
    return np.searchsorted(np.asarray(COUNT_EDGES), counts, side="right") - 1


def _interpolate(table: np.ndarray, top_p: float, train_size: int) -> np.ndarray:
    """A (sizes, top_p, class) table at one top_p (1 above the grid) and one training size (log scale, held at the ends)."""
    grid = np.array(TOP_P_GRID + (1.0,))
    logs = np.log(TRAIN_DOCS)
    x = np.clip(np.log(max(train_size, 1)), logs[0], logs[-1])
    out = np.empty(table.shape[2])
    for c in range(table.shape[2]):
        at_sizes = [np.interp(top_p, grid, np.append(table[s, :, c], 1.0)) for s in range(table.shape[0])]
        out[c] = np.interp(x, logs, at_sizes)
    return out


def similarity_gain(top_p: float, train_size: int = 20_000) -> float:
    """How much more similar to each other the models' documents are than human documents at ``top_p``
    (mean pairwise TF-IDF cosine over the human one's, minus 1), as the text world measured it; 0 at top_p = 1."""
    grid = np.array(TOP_P_GRID + (1.0,))
    logs = np.log(TRAIN_DOCS)
    at_sizes = [np.interp(top_p, grid, np.append(row, 0.0)) for row in MEASURED["similarity_gain"]]
    return float(np.interp(np.clip(np.log(max(train_size, 1)), logs[0], logs[-1]), logs, at_sizes))


@lru_cache(maxsize=256)
def rates(top_p: float, train_size: int = 20_000) -> tuple[np.ndarray, np.ndarray]:
    """(survival, retention) per count class at ``top_p`` for a training set of ``train_size`` items (read-only arrays)."""
    out = _interpolate(MEASURED["survival"], top_p, train_size), _interpolate(MEASURED["retention"], top_p, train_size)
    for a in out:
        a.flags.writeable = False
    return out


def decode(counts: np.ndarray, weights: np.ndarray, top_p: float, rng: np.random.Generator, train_size: int | None = None) -> np.ndarray:
    """Sampling weights after the decoding bias: 0 for an idea that does not survive.

    ``counts`` are the ideas' counts in a training set of ``train_size`` items (default: their
    sum), ``weights`` their weights before the cut (after the temperature). With top_p = 1 the
    weights are returned unchanged and no random number is drawn. If nothing would be left,
    the idea of largest weight is kept (ties at random).
    """
    if top_p >= 1.0 or len(counts) == 0:
        return weights
    survival, retention = rates(top_p, int(counts.sum()) if train_size is None else train_size)
    c = count_class(counts)
    alive = rng.random(len(counts)) < survival[c]
    out = np.where(alive, weights * (retention[c] / np.maximum(survival[c], 1e-300)), 0.0)
    if not (out > 0).any():
        best = np.flatnonzero(weights == weights.max())
        out[best[rng.integers(len(best))]] = 1.0
    return out
