"""The text world's own columns (docs/ODD.md, section 7.20).

* ``model_perplexity``: the models' perplexity on held-out human text (Shumailov et al.'s
  measure), mean over fitted models, fixed at each fit;
* ``vocabulary_coverage``: the share of human language's token mass (its unigram) on the
  tokens a model can still produce, mean over fitted models;
* ``distinct_2_recent``: distinct bigrams per bigram (Li et al. 2016, "distinct-2") among the
  last ``run.rarefy`` items of the recent window; a fixed number of items, because the
  ratio falls with the amount of text it is measured on.
"""

from __future__ import annotations

import numpy as np


def distinct_2(tokens: np.ndarray, base: int) -> float:
    """Distinct bigrams within documents per bigram; NaN with no bigram."""
    if tokens.shape[1] < 2 or len(tokens) == 0:
        return float("nan")
    codes = tokens[:, :-1].astype(np.int64) * base + tokens[:, 1:]
    return float(len(np.unique(codes)) / codes.size)


def vocabulary_coverage(producible: np.ndarray, unigram: np.ndarray) -> float:
    """Human language's token mass on the tokens a model can produce."""
    return float(unigram[producible].sum())


def text_metrics(model, fitted: list, lo: int, hi: int) -> dict:
    """The text columns for the recent window's rows ``[lo, hi)``, given the fitted learners."""
    language = model.culture.language
    recent = model.web.tokens[max(lo, hi - model.config.run.rarefy) : hi]
    mean = (lambda v: float(np.mean(v))) if fitted else (lambda v: float("nan"))
    return {
        "model_perplexity": mean([m.perplexity_ for m in fitted]),
        "vocabulary_coverage": mean([vocabulary_coverage(m.producible_ideas(), language.unigram) for m in fitted]),
        "distinct_2_recent": distinct_2(recent, language.size),
    }
