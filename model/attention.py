"""The attention economy and the platform's ranking levers.

Each step the audience gives ``platform.attention`` units of attention (income)
to that step's new items, in proportion to their ranking weight:

* a human or assisted item weighs 1;
* an AI item weighs ``ai_visibility``;
* a human item that is labelled human-made or signed weighs ``1 + human_premium``.

Creators earn the attention their items receive, plus any per-item subsidy and
training royalty; the cost of writing is subtracted by the creators themselves.
"""

from __future__ import annotations

import numpy as np

from model.web import AI, HUMAN


def ranking_weights(source: np.ndarray, labelled: np.ndarray, platform) -> np.ndarray:
    """Ranking weight of each new item."""
    w = np.ones(len(source))
    w[source == AI] = platform.ai_visibility
    w[(source == HUMAN) & labelled] += platform.human_premium
    return w


def attention(weights: np.ndarray, total: float) -> np.ndarray:
    """Split ``total`` attention over items in proportion to their weights."""
    s = weights.sum()
    return weights * (total / s) if s > 0 else np.zeros(len(weights))


def marginal_attention(weights: np.ndarray, total: float, weight: float = 1.0) -> float:
    """Attention one more item of ``weight`` would get, for a would-be entrant."""
    return total * weight / (weights.sum() + weight) if weight > 0 else 0.0


def income_by_author(author: np.ndarray, amount: np.ndarray, n_creators: int) -> np.ndarray:
    """Sum ``amount`` per creator row (authors < 0, the archive, are nobody's income)."""
    mine = author >= 0
    return np.bincount(author[mine], weights=amount[mine], minlength=n_creators)[:n_creators].astype(float)
