"""The decoding bias of the ideas world: what token-level nucleus sampling does to an idea.

Real models cut the tail of each next-token distribution (nucleus sampling, ``ai.top_p``;
Holtzman et al. 2020), not whole topics. The ideas world has no tokens, so it takes what a
token-level cut does to a learned category from the text world, where decoding acts on the
tokens of real English (docs/ODD.md, sections 7.8 and 7.20): an interpolated Kneser-Ney
bigram model fitted on 20,000 human documents (the shipped ``ai.train_size``), sampled at
each top_p of :data:`TOP_P_GRID`, its words grouped by their count in the training set
(classes 1, 2, 3-4, 5-8, ..., 65+). For each class and top_p:

* :data:`SURVIVAL`: the share of the class's words the model can still write at all;
* :data:`RETENTION`: the class's share of the model's text over its share of the training set.

An idea of a training set is then treated as a word of its count class: it survives with the
class's survival probability (one draw from the model's generator per idea and fit, so no
idea is favoured by its id or age), and a survivor's weight is multiplied by retention over
survival, so a class keeps, on average, the share of its mass the text world measured. Between
grid points both are interpolated linearly in top_p; top_p = 1 cuts nothing.

The strength of the bias is grounded in measured homogenization: in the same measurement a
model's documents are more similar to each other than human documents by
:data:`SIMILARITY_GAIN` (mean pairwise TF-IDF cosine similarity, minus 1), 0.33 at top_p 0.9,
the 33% by which AI-written web pages are more similar in meaning than human ones
(Dolezal et al. 2026, arXiv:2604.26965); stories written with AI ideas are about a tenth
more similar (Doshi & Hauser 2024, Science Advances 10:eadn5290), top_p 0.98-0.99 here.

Measured by ``python -m experiments.decoding --seeds 10`` (seeds 1-10; standard errors of
every entry at most 0.01 between top_p 0.5 and 0.99); ``python run.py validate --check
decoding`` re-measures it on other seeds and tests these tables against it.
"""

from __future__ import annotations

import numpy as np

#: Lower edges of the count classes: 1, 2, 3-4, 5-8, 9-16, 17-32, 33-64, 65+.
COUNT_EDGES = (1, 2, 3, 5, 9, 17, 33, 65)
#: The top_p values the text world was measured at (top_p = 1 cuts nothing).
TOP_P_GRID = (0.01, 0.2, 0.5, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 0.99)

# fmt: off
#: Share of a count class's words a model can still write; rows: TOP_P_GRID, columns: count classes.
SURVIVAL = (
    (0.0133, 0.0248, 0.0387, 0.0678, 0.1247, 0.2210, 0.3552, 0.6913),  # top_p 0.01; max SE 0.0046
    (0.0133, 0.0248, 0.0394, 0.0696, 0.1295, 0.2339, 0.3823, 0.7534),  # top_p 0.2; max SE 0.0048
    (0.0182, 0.0359, 0.0605, 0.1110, 0.2153, 0.4027, 0.6889, 0.9595),  # top_p 0.5; max SE 0.0072
    (0.0248, 0.0535, 0.0967, 0.1831, 0.3962, 0.7323, 0.9811, 1.0000),  # top_p 0.7; max SE 0.0033
    (0.0293, 0.0725, 0.1373, 0.3023, 0.6633, 0.9795, 1.0000, 1.0000),  # top_p 0.8; max SE 0.0057
    (0.0332, 0.0900, 0.1890, 0.4634, 0.8977, 0.9998, 1.0000, 1.0000),  # top_p 0.85; max SE 0.0039
    (0.0399, 0.1213, 0.3052, 0.7742, 0.9971, 1.0000, 1.0000, 1.0000),  # top_p 0.9; max SE 0.0042
    (0.0536, 0.2895, 0.8326, 0.9985, 1.0000, 1.0000, 1.0000, 1.0000),  # top_p 0.95; max SE 0.0048
    (0.1287, 0.9449, 1.0000, 1.0000, 1.0000, 1.0000, 1.0000, 1.0000),  # top_p 0.98; max SE 0.0020
    (0.4894, 1.0000, 1.0000, 1.0000, 1.0000, 1.0000, 1.0000, 1.0000),  # top_p 0.99; max SE 0.0023
)
#: A count class's share of a model's text over its share of the training set; rows and columns as SURVIVAL.
RETENTION = (
    (0.0000, 0.0000, 0.0000, 0.0000, 0.0000, 0.0000, 0.0000, 1.2834),  # top_p 0.01; max SE 0.0007
    (0.0000, 0.0000, 0.0000, 0.0000, 0.0067, 0.0148, 0.0378, 1.2785),  # top_p 0.2; max SE 0.0102
    (0.0000, 0.0002, 0.0036, 0.0138, 0.0445, 0.1328, 0.3919, 1.2343),  # top_p 0.5; max SE 0.0057
    (0.0000, 0.0038, 0.0231, 0.0555, 0.1649, 0.3799, 0.7953, 1.1713),  # top_p 0.7; max SE 0.0054
    (0.0002, 0.0160, 0.0542, 0.1376, 0.3471, 0.7258, 0.9413, 1.1210),  # top_p 0.8; max SE 0.0041
    (0.0011, 0.0304, 0.0902, 0.2409, 0.5670, 0.8473, 0.9665, 1.0956),  # top_p 0.85; max SE 0.0040
    (0.0029, 0.0547, 0.1766, 0.4667, 0.7969, 0.9213, 0.9940, 1.0679),  # top_p 0.9; max SE 0.0049
    (0.0120, 0.1777, 0.5225, 0.7923, 0.8957, 0.9644, 1.0083, 1.0406),  # top_p 0.95; max SE 0.0042
    (0.0474, 0.5977, 0.7924, 0.8929, 0.9600, 0.9903, 1.0114, 1.0223),  # top_p 0.98; max SE 0.0049
    (0.2486, 0.7307, 0.8556, 0.9398, 0.9809, 0.9994, 1.0111, 1.0146),  # top_p 0.99; max SE 0.0047
)
#: How much more similar the model's documents are to each other than human documents, by top_p.
SIMILARITY_GAIN = (27.0575, 7.4323, 2.1841, 1.0223, 0.6379, 0.4781, 0.33, 0.1943, 0.1116, 0.0809)
# fmt: on


def count_class(counts: np.ndarray) -> np.ndarray:
    """Index of each count's class (counts >= 1)."""
    return np.searchsorted(np.asarray(COUNT_EDGES), counts, side="right") - 1


def rates(top_p: float) -> tuple[np.ndarray, np.ndarray]:
    """(survival, retention) per count class at ``top_p``, interpolated linearly between grid points (1 at top_p = 1)."""
    grid = np.array(TOP_P_GRID + (1.0,))
    out = []
    for table in (SURVIVAL, RETENTION):
        rows = np.vstack([np.array(table), np.ones(len(COUNT_EDGES))])
        out.append(np.array([np.interp(top_p, grid, rows[:, c]) for c in range(len(COUNT_EDGES))]))
    return out[0], out[1]


def decode(counts: np.ndarray, weights: np.ndarray, top_p: float, rng: np.random.Generator) -> np.ndarray:
    """Sampling weights after the decoding bias: 0 for an idea that does not survive.

    ``counts`` are the ideas' training counts (>= 1), ``weights`` their weights before the cut
    (after the temperature). With top_p = 1 the weights are returned unchanged and no random
    number is drawn. If no idea survives, the one of largest weight does (ties at random).
    """
    if top_p >= 1.0 or len(counts) == 0:
        return weights
    survival, retention = rates(top_p)
    c = count_class(counts)
    alive = rng.random(len(counts)) < survival[c]
    out = np.where(alive, weights * (retention[c] / survival[c]), 0.0)
    if not (out > 0).any():
        best = np.flatnonzero(weights == weights.max())
        out[best[rng.integers(len(best))]] = 1.0
    return out
