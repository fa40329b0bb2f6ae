"""Policies as mechanisms in the data path.

Everything here acts on which items exist or which items a model trains on;
nothing rescales a reported number.

* data regime: which rows a model scrapes (:func:`regime_rows`);
* watermarks: which AI-made items carry one (:func:`watermarks`);
* detector filtering and provenance: which scraped items are dropped (:func:`flag`);
* human reserve and verified share: what is mixed in (:func:`training_rows`);
* AI output cap: how many items models may publish directly (:func:`cap_ai_output`).

The ranking levers act on attention and live in ``model/attention.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.web import ASSISTED, HUMAN, Web


def regime_rows(web: Web, regime: str, step: int, last_trained: int, window: int) -> tuple[int, int]:
    """Row range a model scrapes at ``step`` under a data regime.

    replace: items published since the model's last training;
    window: items of the last ``window`` steps;
    accumulate: everything, the archive included.
    """
    if regime == "replace":
        return web.rows(last_trained + 1, step)
    if regime == "window":
        return web.rows(step - window + 1, step)
    if regime == "accumulate":
        return 0, web.n
    raise ValueError(f"unknown data regime {regime!r}")


def watermarks(n: int, source: int, policy, rng: np.random.Generator) -> np.ndarray:
    """Which of ``n`` new items of ``source`` carry a watermark."""
    if source == HUMAN or policy.watermark_share == 0:
        return np.zeros(n, bool)
    share = policy.watermark_share
    if source == ASSISTED:
        share *= 1.0 - policy.edit_strips_watermark
    return rng.random(n) < share


def flag(web: Web, rows: np.ndarray, policy, tail: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Which scraped rows the scraper's detectors flag (signed items never are).

    A watermark is detected with ``watermark_tpr``; the classifier flags AI and
    assisted items with ``detector_tpr`` and human items with ``detector_fpr``,
    raised by ``(1 + detector_tail_bias)`` on tail ideas because detectors flag
    unusual writing.
    """
    source = web.source[rows]
    flagged = web.watermark[rows] & (rng.random(len(rows)) < policy.watermark_tpr)
    if policy.detector_tpr or policy.detector_fpr:
        ideas = web.idea[rows]
        fpr = policy.detector_fpr * (1.0 + policy.detector_tail_bias * tail[ideas])
        p = np.where(source == HUMAN, np.minimum(fpr, 1.0), policy.detector_tpr)
        flagged |= rng.random(len(rows)) < p
    return flagged & ~web.signed[rows]


@dataclass
class TrainingSet:
    """Rows of one training set and where they came from."""

    rows: np.ndarray
    scraped: int  # before filtering
    dropped: int  # flagged by the detectors


def training_rows(
    web: Web,
    lo: int,
    hi: int,
    archive_n: int,
    size: int,
    policy,
    tail: np.ndarray,
    rng: np.random.Generator,
) -> TrainingSet:
    """Assemble one training set: verified share, human reserve, then a filtered scrape.

    ``round(verified_share * size)`` signed human items are drawn from the window
    (as many as exist; none when the window holds no more items than the scrape takes, since
    then every item is taken and signed ones are never flagged), ``round(human_reserve * size)`` items from the archive, and
    the rest is a uniform sample without replacement of the other items of the
    window, from which the flagged items are dropped. With ``policy.top_up`` each dropped
    item is replaced by a further draw from the window (itself filtered) until the set is
    full or the window runs out; without it, filtering shrinks the set. No item appears
    twice, and with no filter, or with top_up, the set has exactly ``size`` rows if the
    window holds enough items that pass.
    """
    verified = np.zeros(0, np.int64)
    n_reserve = min(round(policy.human_reserve * size), archive_n)
    # When the scrape takes every item of the window anyway, a verified share changes nothing (signed
    # items are never flagged): it is skipped, and draws nothing.
    if policy.verified_share > 0 and hi - lo > size - n_reserve:
        signed = web.signed_rows(lo, hi)
        want = min(round(policy.verified_share * size), len(signed))
        verified = rng.choice(signed, size=want, replace=False) if want else verified
    reserve = rng.choice(archive_n, size=n_reserve, replace=False) if n_reserve else np.zeros(0, np.int64)
    taken = np.concatenate([verified, reserve[(reserve >= lo) & (reserve < hi)]])
    want = size - len(verified) - n_reserve
    kept, scraped, dropped = [], 0, 0
    # Without top_up one draw; with it, each flagged item is replaced by a further draw from the
    # same window until the set is full or the window runs out.
    while want > 0:
        n = min(want, hi - lo - len(taken))
        if n <= 0:
            break
        draw = sample_excluding(lo, hi, n, taken, rng)
        flagged = flag(web, draw, policy, tail, rng)
        kept.append(draw[~flagged])
        taken = np.concatenate([taken, draw])
        scraped += n
        dropped += int(flagged.sum())
        want = int(flagged.sum()) if policy.top_up else 0
    rows = np.concatenate([verified, reserve, *kept]).astype(np.int64)
    return TrainingSet(rows=rows, scraped=scraped, dropped=dropped)


def sample_excluding(lo: int, hi: int, n: int, excluded: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``n`` distinct rows drawn uniformly from ``[lo, hi)`` minus ``excluded`` (distinct rows within it).

    Draws among the remaining positions and shifts each past the excluded rows below
    it, so nothing walks over the whole range ``[lo, hi)``.
    """
    skip = np.sort(excluded) - lo
    x = rng.choice(hi - lo - len(skip), size=n, replace=False)
    return lo + x + np.searchsorted(skip - np.arange(len(skip)), x, side="right")


def cap_ai_output(planned: np.ndarray, other_items: int, cap: float) -> np.ndarray:
    """Scale the models' planned direct output so it is at most ``cap`` of the step's new items."""
    if cap >= 1.0:
        return planned
    allowed = int(np.floor(cap / (1.0 - cap) * other_items + 1e-9))
    total = int(planned.sum())
    if total <= allowed:
        return planned
    # Largest-remainder apportionment keeps the models' relative shares.
    quota = planned * (allowed / total)
    out = np.floor(quota).astype(np.int64)
    out[np.argsort(-(quota - out), kind="stable")[: allowed - out.sum()]] += 1
    return out

