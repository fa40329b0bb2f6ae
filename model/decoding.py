"""The decoding bias of the ideas world: what token-level nucleus sampling does to an idea.

Real models cut the tail of each next-token distribution (nucleus sampling, ``ai.top_p``;
Holtzman et al. 2020), not whole topics. The ideas world has no tokens, so it takes what a
token-level cut does to a learned category from the text world, where decoding acts on the
tokens of real English (docs/ODD.md, sections 7.8 and 7.20): interpolated Kneser-Ney bigram
models fitted on n human documents of L tokens (each n of :data:`TRAIN_DOCS`, each L of
:data:`DOC_TOKENS`) are sampled at each top_p of :data:`TOP_P_GRID`, and their words grouped by
their count in the training set (classes 1, 2, 3-4, 5-8, ..., 65+). For each length, training
size, top_p and class, the table (``model/decoding.csv``) holds:

* survival: the share of the class's words the model can still write at all;
* retention: the class's share of the model's text over its share of the training set.

An idea of a training set of n items is treated as a word of its count class in a training
set of n documents of ``ai.item_tokens`` tokens (the decoding's unit, a calibrated key): it
survives with the class's survival probability (one draw from the model's generator per idea
and fit, so no idea is favoured by its id or age), and a survivor's weight is multiplied by
retention over survival, so a class keeps, on average, the share of its mass the text world
measured. Between measured points both are interpolated linearly in top_p, in log n and in
log L (held at the ends); top_p = 1 cuts nothing.

The strength of the bias is not taken from here: the calibration fits the ``homogenization``
column, measured on the run's own items, to measured homogenization of AI writing. The table's
similarity gain (mean pairwise TF-IDF cosine of the model's documents over human ones, minus 1)
is kept for the validation check.

The table was written by ``python -m experiments.decoding --seeds 5``; ``python run.py
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
#: The document lengths (tokens) it was measured at: the range of ``ai.item_tokens``.
DOC_TOKENS = (10, 20, 40, 80)
#: The measured table.
TABLE = Path(__file__).with_name("decoding.csv")


@lru_cache(maxsize=1)
def measured() -> dict[str, np.ndarray]:
    """The table as arrays indexed (document length, training size, top_p, class); similarity gain without the class."""
    data = np.loadtxt(TABLE, delimiter=",", comments="#", skiprows=2)
    k, lengths, sizes, grid = len(COUNT_EDGES), len(DOC_TOKENS), len(TRAIN_DOCS), len(TOP_P_GRID)
    if (
        data.shape != (lengths * sizes * grid, 6 + 2 * k)
        or not np.allclose(data[:, 0], np.repeat(DOC_TOKENS, sizes * grid))
        or not np.allclose(data[:, 1], np.tile(np.repeat(TRAIN_DOCS, grid), lengths))
    ):
        raise ValueError(f"{TABLE}: not the table of DOC_TOKENS x TRAIN_DOCS x TOP_P_GRID; rewrite it with python -m experiments.decoding")
    shape = (lengths, sizes, grid)
    return {
        "similarity_gain": data[:, 3].reshape(shape),
        "similarity_se": data[:, 4].reshape(shape),
        "survival": data[:, 5 : 5 + k].reshape(*shape, k),
        "retention": data[:, 5 + k : 5 + 2 * k].reshape(*shape, k),
        "max_se": data[:, -1].reshape(shape),
    }



def count_class(counts: np.ndarray) -> np.ndarray:
    """Index of each count's class (counts >= 1)."""
    return np.searchsorted(np.asarray(COUNT_EDGES), counts, side="right") - 1


def _at(table: np.ndarray, top_p: float, train_size: float, item_tokens: float) -> np.ndarray:
    """A (lengths, sizes, top_p[, class]) table at one point: linear in top_p (1 at top_p = 1: no cut), in log training
    size and in log document length (held at the grid's ends)."""
    grid = np.array(TOP_P_GRID + (1.0,))
    at_p = np.stack([np.interp(top_p, grid, np.append(col, 1.0)) for col in np.moveaxis(table, 2, -1).reshape(-1, len(TOP_P_GRID))])
    at_p = at_p.reshape(table.shape[:2] + table.shape[3:])
    for axis_grid, x in ((DOC_TOKENS, item_tokens), (TRAIN_DOCS, train_size)):
        logs = np.log(axis_grid)
        u = np.clip(np.log(max(x, 1.0)), logs[0], logs[-1])
        i = int(np.clip(np.searchsorted(logs, u, side="right") - 1, 0, len(logs) - 2))
        w = (u - logs[i]) / (logs[i + 1] - logs[i])
        at_p = (1 - w) * at_p[i] + w * at_p[i + 1]
    return at_p


@lru_cache(maxsize=256)
def rates(top_p: float, train_size: int = 20_000, item_tokens: float = 20.0) -> tuple[np.ndarray, np.ndarray]:
    """(survival, retention) per count class at ``top_p`` for a training set of ``train_size`` items of
    ``item_tokens`` tokens each (read-only arrays)."""
    out = tuple(_at(measured()[key], top_p, train_size, item_tokens) for key in ("survival", "retention"))
    for a in out:
        a.flags.writeable = False
    return out


def decode(
    counts: np.ndarray, weights: np.ndarray, top_p: float, rng: np.random.Generator, train_size: int | None = None, item_tokens: float = 20.0
) -> np.ndarray:
    """Sampling weights after the decoding bias: 0 for an idea that does not survive.

    ``counts`` are the ideas' counts in a training set of ``train_size`` items (default: their
    sum) of ``item_tokens`` tokens each, ``weights`` their weights before the cut (after the temperature). With top_p = 1 the
    weights are returned unchanged and no random number is drawn. If nothing would be left,
    the idea of largest weight is kept (ties at random).
    """
    if top_p >= 1.0 or len(counts) == 0:
        return weights
    survival, retention = rates(top_p, int(counts.sum()) if train_size is None else train_size, float(item_tokens))
    c = count_class(counts)
    alive = rng.random(len(counts)) < survival[c]
    out = np.where(alive, weights * (retention[c] / np.maximum(survival[c], 1e-300)), 0.0)
    if not (out > 0).any():
        best = np.flatnonzero(weights == weights.max())
        out[best[rng.integers(len(best))]] = 1.0
    return out
