"""The text world's own columns (docs/ODD.md, section 7.20).

* ``model_perplexity``: the models' perplexity on held-out human text (Shumailov et al.'s
  measure), mean over fitted models, fixed at each fit;
* ``vocabulary_coverage``: the share of human language's token mass (its unigram) on the
  tokens a model can still produce, mean over fitted models;
* ``distinct_2_recent``: distinct bigrams per bigram (Li et al. 2016, "distinct-2") among the
  last ``run.rarefy`` items of the recent window; a fixed number of items, because the
  ratio falls with the amount of text it is measured on;
* ``homogenization`` (replacing the ideas world's): how much more alike the recent AI-made
  documents are than the human ones, by mean pairwise TF-IDF cosine similarity.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from model.web import HUMAN


def distinct_2(tokens: np.ndarray, base: int) -> float:
    """Distinct bigrams within documents per bigram; NaN with no bigram."""
    if tokens.shape[1] < 2 or len(tokens) == 0:
        return float("nan")
    codes = tokens[:, :-1].astype(np.int64) * base + tokens[:, 1:]
    return float(len(np.unique(codes)) / codes.size)


def mean_cosine(tokens: np.ndarray, weight: np.ndarray, vocabulary: int) -> float:
    """Mean pairwise cosine similarity of documents as weighted bags of words (weight = IDF for TF-IDF); NaN under two."""
    n, length = tokens.shape
    if n < 2:
        return float("nan")
    X = sparse.csr_matrix((np.ones(n * length), tokens.ravel(), np.arange(0, n * length + 1, length)), shape=(n, vocabulary))
    X.sum_duplicates()
    X = X.multiply(weight[None, :]).tocsr()
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    total = np.asarray((sparse.diags(1.0 / norms) @ X).sum(axis=0)).ravel()
    # np.sum, not a BLAS dot: a threaded dot's last digit depends on the thread count
    return float((np.sum(total * total) - n) / (n * (n - 1)))


def idf(tokens: np.ndarray, vocabulary: int) -> np.ndarray:
    """Smoothed inverse document frequency, log((1 + n) / (1 + df)) + 1, over a set of documents."""
    rows = np.repeat(np.arange(len(tokens)), tokens.shape[1])
    pairs = np.unique(rows.astype(np.int64) * vocabulary + tokens.ravel())
    df = np.bincount(pairs % vocabulary, minlength=vocabulary)
    return np.log((1.0 + len(tokens)) / (1.0 + df)) + 1.0


def text_homogenization(tokens: np.ndarray, human: np.ndarray, vocabulary: int) -> float:
    """How much more alike the AI-made documents are than the human ones, minus 1: mean pairwise TF-IDF
    cosine similarity (IDF from the human documents), as Dolezal et al. (2026) measure AI web text."""
    if human.sum() < 2 or (~human).sum() < 2:
        return float("nan")
    weight = idf(tokens[human], vocabulary)
    reference = mean_cosine(tokens[human], weight, vocabulary)
    return float(mean_cosine(tokens[~human], weight, vocabulary) / reference - 1.0) if reference > 0 else float("nan")


def vocabulary_coverage(producible: np.ndarray, unigram: np.ndarray) -> float:
    """Human language's token mass on the tokens a model can produce."""
    return float(unigram[producible].sum())


def text_metrics(model, fitted: list, lo: int, hi: int) -> dict:
    """The text columns for the recent window's rows ``[lo, hi)``, given the fitted learners."""
    language = model.culture.language
    recent = model.web.tokens[max(lo, hi - model.config.run.rarefy) : hi]
    # The same number of documents of each source (the last run.rarefy of each): similarity falls with set size.
    rows = np.arange(lo, hi)
    human = model.web.source[lo:hi] == HUMAN
    keep = np.concatenate([rows[human][-model.config.run.rarefy :], rows[~human][-model.config.run.rarefy :]])
    mean = (lambda v: float(np.mean(v))) if fitted else (lambda v: float("nan"))
    return {
        "model_perplexity": mean([m.perplexity_ for m in fitted]),
        "vocabulary_coverage": mean([vocabulary_coverage(m.producible_ideas(), language.unigram) for m in fitted]),
        "distinct_2_recent": distinct_2(recent, language.size),
        "homogenization": text_homogenization(model.web.tokens[keep], model.web.source[keep] == HUMAN, language.size),
    }
