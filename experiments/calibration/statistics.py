"""The model's side of each calibration pattern: named statistics of a run.

A statistic is read from a finished run (the model and its timeseries) over a span of steps
``first..last``: the mean of a per-step series, or one value of the span's items. Each pattern
of ``scenarios/posterior/calibration.toml`` names one of :data:`STATISTICS`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model import decoding
from model.web import HUMAN


def _ai_share_new(ts: pd.DataFrame) -> np.ndarray:
    return 1.0 - ts["human_share_new"].to_numpy(float)


def _assisted_share_of_creators(ts: pd.DataFrame) -> np.ndarray:
    human, assisted = ts["human_share_new"].to_numpy(float), ts["assisted_share_new"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return assisted / (human + assisted)


def collision(ideas: np.ndarray) -> float:
    """The chance that two items drawn without replacement share an idea (NaN for fewer than two items)."""
    n = len(ideas)
    if n < 2:
        return float("nan")
    c = np.bincount(ideas).astype(float)
    return float((c * (c - 1)).sum() / (n * (n - 1)))


def ai_similarity(model, first: int, last: int) -> float:
    """How much more often two AI-made items share an idea than two human ones, over steps ``first..last``.

    The chance that two AI or assisted items are about the same idea, over the same chance for two
    human items: 1 when models write as varied as people, above 1 when they homogenize.
    """
    lo, hi = model.web.rows(first, last)
    source, ideas = model.web.source[lo:hi], model.web.idea[lo:hi].astype(np.int64)
    human = collision(ideas[source == HUMAN])
    return collision(ideas[source != HUMAN]) / human if human > 0 else float("nan")


def similarity_gain(model) -> float:
    """How much more similar AI-written documents are to each other than human ones, as the text world measured it
    at the run's decoding bias (``ai.top_p``) and training size (:func:`model.decoding.similarity_gain`), plus 1."""
    return 1.0 + decoding.similarity_gain(model.config.ai.top_p, model.config.ai.train_size)


#: name -> (per-step series of a timeseries, or None for a statistic of the span's items; what it is; an axis label)
STATISTICS = {
    "ai_share_new": (_ai_share_new, "AI and assisted share of new items (1 - human_share_new)", "AI share of new items"),
    "ai_attention_share": (lambda ts: ts["ai_attention_share"].to_numpy(float), "share of attention paid to AI and assisted items", "AI share of attention"),
    "assisted_share_of_creators": (_assisted_share_of_creators, "assisted items over the creators' items (human plus assisted)", "assisted share of creators' items"),
    "web_attention": (lambda ts: ts["web_attention"].to_numpy(float), "share of the audience's attention still spent on the web", "web's share of attention"),
    "ai_similarity": (None, "chance that two AI-made items share an idea over the same for two human items", "same-idea chance, AI over human"),
    "text_similarity": (None, "mean pairwise similarity of AI-written documents over human ones, at the run's decoding bias (the text world's measure)", "similarity, AI text over human"),
}


def series(name: str, ts: pd.DataFrame) -> np.ndarray | None:
    """The statistic at every step of a run (None for a statistic of a span's items)."""
    fn = STATISTICS[name][0]
    return None if fn is None else fn(ts)


def value(name: str, model, ts: pd.DataFrame, first: int, last: int) -> float:
    """The statistic over steps ``first..last`` of a finished run."""
    per_step = series(name, ts)
    if name == "text_similarity":
        return similarity_gain(model)
    if per_step is None:
        return ai_similarity(model, first, last)
    span = per_step[first : last + 1]
    span = span[np.isfinite(span)]
    return float(span.mean()) if len(span) else float("nan")
