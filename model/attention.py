"""The attention economy and the platform's ranking levers.

Each step the audience gives ``platform.attention`` units of attention (income) per
creator to that step's new items in proportion to their ranking weight, less what
readers who get answers from AI models no longer spend on the web (:func:`web_share`). An item's weight is
its source's visibility times its novelty factor:

* a human item weighs 1, or ``1 + human_premium`` when labelled human-made or signed;
* an assisted item weighs ``assisted_visibility``; an AI item ``ai_visibility`` (the world's,
  calibrated) times ``ai_demotion`` (a ranking policy's, 1 without one);
* novelty: times ``1 + novelty_premium * s / s_bar``, where ``s = -log p(idea)`` is the
  item's *surprisal* on the recent web (Laplace-smoothed idea frequencies over the last
  ``humans.memory`` steps, over every idea known so far) and ``s_bar`` the mean surprisal
  of the recent web's own items.

The novelty factor is the self-information novelty of recommender-systems research
(Zhou et al., PNAS 2010, "Solving the apparent diversity-accuracy dilemma of
recommender systems"; Vargas & Castells, RecSys 2011, "Rank and relevance in novelty
and diversity metrics"), used as the audience's taste for variety of media economics
(Spence & Owen 1977): an item on an idea the web already repeats adds little, one on
a rare idea adds much. ``novelty_premium = 0`` is an audience indifferent to
originality; at 1, an item as surprising as the web's average earns twice what an
item of no surprise at all (``s = 0``) would, and items on ideas the web repeats earn
less than items on rare ones.
"""

from __future__ import annotations

import numpy as np

from model.web import AI, ASSISTED, HUMAN


def surprisal(ideas: np.ndarray, recent_counts: np.ndarray) -> tuple[np.ndarray, float]:
    """Surprisal ``-log p`` of each item's idea on the recent web, and the recent web's mean surprisal.

    ``p`` is Laplace-smoothed over the ideas in ``recent_counts`` (every idea known so far)
    and any newer idea among ``ideas``, so a new idea has the highest surprisal and no idea
    has an infinite one.
    """
    k = max(len(recent_counts), int(ideas.max()) + 1 if len(ideas) else 0)
    counts = np.zeros(k)
    counts[: len(recent_counts)] = recent_counts
    log_p = np.log(counts + 1.0) - np.log(counts.sum() + k)
    s = -log_p[ideas]
    total = counts.sum()
    # einsum, not a BLAS dot: a threaded dot is slow on small vectors and its sum depends on the thread count.
    mean = float(-np.einsum("i,i->", counts, log_p) / total) if total else float(s.mean()) if len(s) else 0.0
    return s, mean


def ai_weight(platform) -> float:
    """An AI item's base ranking weight: the world's visibility times a ranking policy's demotion."""
    return platform.ai_visibility * platform.ai_demotion


def ranking_weights(source: np.ndarray, labelled: np.ndarray, platform, novelty: np.ndarray | None = None) -> np.ndarray:
    """Ranking weight of each new item; ``novelty`` is each item's surprisal over the recent web's mean."""
    w = np.ones(len(source))
    w[source == AI] = ai_weight(platform)
    w[source == ASSISTED] = platform.assisted_visibility
    w[(source == HUMAN) & labelled] += platform.human_premium
    if novelty is not None and platform.novelty_premium:
        w *= 1.0 + platform.novelty_premium * novelty
    return w


def attention(weights: np.ndarray, total: float) -> np.ndarray:
    """Split ``total`` attention over items in proportion to their weights."""
    s = weights.sum()
    return weights * (total / s) if s > 0 else np.zeros(len(weights))


def price(weights: np.ndarray, total: float) -> float:
    """Attention one unit of ranking weight earns (what one more item of weight 1 would get, to first order)."""
    s = weights.sum()
    return total / s if s > 0 else total


def web_share(substitution: float, readers: float, quality: float) -> float:
    """Share of the audience's attention still spent on the web: ``1 - substitution * readers * quality``.

    ``readers`` is the share of the audience that gets answers from AI models, ``quality`` the
    models' coverage of human culture (what they can still answer about), ``substitution`` the
    share of its web attention a reader moves to AI answers at full coverage.
    """
    return 1.0 - substitution * readers * quality


def supply_pull(supply: float, reference: float, pull: float) -> float:
    """Share of its readers a web keeps for what it offers: ``min(1, supply / reference) ** pull``.

    ``supply`` is the ranking weight of the step's new items (what readers find fresh), ``reference``
    that of the first step's human items (what the web offered before models wrote for it). A web
    that offers less loses readers; offering more does not bring more, since the audience's time is
    what ``platform.attention`` already spends.
    """
    if not pull or reference <= 0:
        return 1.0
    return min(1.0, supply / reference) ** pull


def readers_adopt(readers: float, p: float, q: float) -> float:
    """The share of readers using AI answers a step later: Bass diffusion in the whole audience (mean field)."""
    return readers + (p + q * readers) * (1.0 - readers)


def income_by_row(rows: np.ndarray, amount: np.ndarray, n: int) -> np.ndarray:
    """Sum ``amount`` per row ``0..n-1`` (rows < 0, nobody's, are dropped)."""
    mine = rows >= 0
    return np.bincount(rows[mine], weights=amount[mine], minlength=n)[:n].astype(float)
