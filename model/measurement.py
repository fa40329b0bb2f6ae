"""Measurement: the metrics row of a step, read from the model's state.

:func:`measure` is a pure read: it changes nothing, so calling it twice gives the
same row, and the metrics' window ``run.window`` changes no trajectory. The state it
reads that only a step can know (the step's attention, the ideas first seen this
step) is kept by the step itself.

The metric functions themselves are in ``model/metrics.py``; ``docs/ODD.md`` (section 7.17)
defines every column.
"""

from __future__ import annotations

import numpy as np

from model import metrics
from model.web import AI, ASSISTED, HUMAN

#: The metric columns, in order; these names are the interface.
COLUMNS = (
    "step",
    "items_new",
    "human_share_new",
    "assisted_share_new",
    "ai_share_new",
    "human_share_web",
    "human_share_training",
    "ai_attention_share",
    "new_ideas",
    "distinct_ideas_recent",
    "effective_ideas_recent",
    "ideas_rarefied",
    "simpson_recent",
    "tail_share_recent",
    "originality_index",
    "originality_human",
    "originality_ai",
    "human_share_recent",
    "homogenization",
    "richness_index",
    "dispersion_recent",
    "model_coverage",
    "model_variance",
    "model_mean_error",
    "model_generation",
    "synthetic_depth",
    "active_humans",
    "ai_adoption",
    "web_attention",
    "readers_using_ai",
    "policy_payments",
)

#: Columns added in the text world (``world.kind = "text"``; ``model/text/metrics.py``).
TEXT_COLUMNS = ("model_perplexity", "vocabulary_coverage", "distinct_2_recent")


def columns(scenario) -> tuple[str, ...]:
    """The metric columns of a scenario's world."""
    return COLUMNS + TEXT_COLUMNS if scenario.world.kind == "text" else COLUMNS


def shared_columns(scenarios) -> tuple[str, ...]:
    """The metric columns every one of ``scenarios`` measures, in column order (text columns only if all are text)."""
    measured = set.intersection(*(set(columns(s)) for s in scenarios))
    return tuple(c for c in COLUMNS + TEXT_COLUMNS if c in measured)


def _over_models(values: list[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def measure(model, t: int) -> dict:
    """The metrics row for step ``t`` (step 0: the archive at setup)."""
    web, culture, cfg = model.web, model.culture, model.config
    first = max(1, t - cfg.run.window + 1) if t > 0 else 0  # recent: the window's steps, never the archive after setup
    lo, hi = web.rows(first, t)
    recent_counts = np.bincount(web.idea[lo:hi], minlength=culture.n_ideas)
    lo_n, hi_n = web.rows(t, t)
    new_share = metrics.shares(web.window_sources(t, t))

    tail = culture.tail_mask()
    tail_recent = metrics.tail_share(recent_counts, tail)
    human_rows = web.source[lo:hi] == HUMAN
    t_all, t_human = metrics.tail_items_by_source(web.idea[lo:hi], human_rows, tail)
    human_counts = np.bincount(web.idea[lo:hi][human_rows], minlength=culture.n_ideas)
    items = web.window_sources(first, t)
    culture_tail = culture.tail_share()
    rarefied = metrics.rarefied(recent_counts, cfg.run.rarefy)
    fitted_models = [m for m in model.ai_models if m.learner.is_fitted]
    fitted = [m.learner for m in fitted_models]
    weights = culture.weights()
    pop = model.creators
    n_active = pop.n_active
    row = {
        "step": t,
        "items_new": int(hi_n - lo_n),
        "human_share_new": float(new_share[HUMAN]),
        "assisted_share_new": float(new_share[ASSISTED]),
        "ai_share_new": float(new_share[AI]),
        "human_share_web": float(web.source_totals[HUMAN] / web.n),
        "human_share_training": _over_models([m.training_human_share for m in fitted_models]),
        "ai_attention_share": model.ai_attention_share,
        "new_ideas": model.new_ideas,
        "distinct_ideas_recent": metrics.distinct(recent_counts),
        "effective_ideas_recent": metrics.hill_number(recent_counts),
        "ideas_rarefied": rarefied,
        "simpson_recent": metrics.gini_simpson(recent_counts),
        "tail_share_recent": tail_recent,
        "originality_index": metrics.safe_ratio(tail_recent, culture_tail),
        "originality_human": metrics.safe_ratio(metrics.safe_ratio(t_human, items[HUMAN]), culture_tail),
        "originality_ai": metrics.safe_ratio(metrics.safe_ratio(t_all - t_human, items.sum() - items[HUMAN]), culture_tail),
        "human_share_recent": metrics.safe_ratio(items[HUMAN], items.sum()),
        "homogenization": metrics.homogenization(recent_counts - human_counts, human_counts),
        "richness_index": metrics.safe_ratio(rarefied, culture.rarefied(cfg.run.rarefy)),
        "dispersion_recent": metrics.safe_ratio(web.window_dispersion(first, t), model.archive_dispersion),
        "model_coverage": _over_models([metrics.coverage(m.producible_ideas(), weights) for m in fitted]),
        "model_variance": _over_models([m.sampling_variance() for m in fitted]) / culture.human_variance(),
        "model_mean_error": _over_models([m.mean_error(culture.centroids) for m in fitted]) / cfg.world.item_noise**2,
        "model_generation": max((m.generation for m in model.ai_models), default=0),
        "synthetic_depth": _over_models([m.training_depth for m in fitted_models]),
        "active_humans": n_active,
        "ai_adoption": float(pop.adopted.sum() / n_active) if n_active else float("nan"),
        "web_attention": model.web_attention,
        "readers_using_ai": model.readers_using_ai,
        "policy_payments": model.ledger.policy_payments,
    }
    if web.doc_tokens:
        from model.text.metrics import text_metrics

        row.update(text_metrics(model, fitted, lo, hi))
    return row
