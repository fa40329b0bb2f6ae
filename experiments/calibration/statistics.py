"""The model's side of each calibration pattern: named statistics of a run.

A statistic is read from a finished run's timeseries over a span of steps ``first..last``: the
mean of a per-step series of the run's own output, so a pattern is matched only by what the
simulation produced. Each pattern of ``scenarios/posterior/calibration.toml`` names one of
:data:`STATISTICS`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _ai_share_new(ts: pd.DataFrame) -> np.ndarray:
    return 1.0 - ts["human_share_new"].to_numpy(float)


def _assisted_share_of_creators(ts: pd.DataFrame) -> np.ndarray:
    human, assisted = ts["human_share_new"].to_numpy(float), ts["assisted_share_new"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return assisted / (human + assisted)


def _human_demand(ts: pd.DataFrame) -> np.ndarray:
    # The audience gives a fixed attention per creator at setup; the web keeps web_attention of it and
    # pays 1 - ai_attention_share of that to items people wrote alone: 1 at step 0.
    return ts["web_attention"].to_numpy(float) * (1.0 - ts["ai_attention_share"].to_numpy(float))


#: name -> (per-step series of a timeseries; what it is; an axis label)
STATISTICS = {
    "ai_share_new": (_ai_share_new, "AI and assisted share of new items (1 - human_share_new)", "AI share of new items"),
    "ai_attention_share": (lambda ts: ts["ai_attention_share"].to_numpy(float), "share of attention paid to AI and assisted items", "AI share of attention"),
    "assisted_share_of_creators": (_assisted_share_of_creators, "assisted items over the creators' items (human plus assisted)", "assisted share of creators' items"),
    "web_attention": (lambda ts: ts["web_attention"].to_numpy(float), "share of the audience's attention still spent on the web", "web's share of attention"),
    "human_demand": (
        _human_demand,
        "attention paid to items people wrote without AI, as a share of all the attention before ChatGPT (web_attention x (1 - ai_attention_share))",
        "demand for people's writing (before = 1)",
    ),
    "homogenization": (
        lambda ts: ts["homogenization"].to_numpy(float),
        "how much more alike the recent AI-made items are to each other than the human ones, minus 1 (the run's own items)",
        "homogenization, AI over human − 1",
    ),
}


def series(name: str, ts: pd.DataFrame) -> np.ndarray:
    """The statistic at every step of a run."""
    return STATISTICS[name][0](ts)


def value(name: str, ts: pd.DataFrame, first: int, last: int) -> float:
    """The statistic over steps ``first..last`` of a finished run (the mean of its finite values; NaN if none)."""
    span = series(name, ts)[first : last + 1]
    span = span[np.isfinite(span)]
    return float(span.mean()) if len(span) else float("nan")
