"""AI models of the text world: n-gram language models, fitted by counting.

:class:`NGramLearner` implements the :class:`model.learning.Learner` protocol.

* ``ai.ngram = 2`` or ``3``: interpolated Kneser-Ney smoothing (Chen & Goodman 1998,
  "An empirical study of smoothing techniques for language modeling", Harvard TR-10-98,
  section 3; Kneser & Ney 1995). The highest order uses raw counts, each lower order
  continuation counts ``N1+(. h w)`` (the number of distinct words that precede ``h w``),
  each order one absolute discount ``D = n1 / (n1 + 2 n2)`` from its counts of counts, and
  the lowest order is interpolated with the uniform distribution over the vocabulary:

      P(w | h) = max(c(h w) - D, 0) / c(h) + D N1+(h .) / c(h) * P(w | h'),

  with ``h'`` the history less its first word; an unseen history backs off entirely.
  Every document starts from ``n - 1`` begin-of-document symbols, so the model learns how
  documents start.
* ``ai.ngram = 1``: the maximum-likelihood unigram (no smoothing), the categorical of the
  ideas world; it is the discrete loop's special case (``run.py validate``).

Counting is numpy on integer-coded n-grams (``np.unique``), never a Python loop over
tokens. Sampling is vectorized over documents, position by position (a loop of
``doc_tokens``), and draws from the interpolated model as the mixture it is: at the highest
order it keeps a seen continuation with probability ``1 - lambda(h)`` and otherwise backs
off to the next order, down to the uniform floor. That is exact at ``temperature = 1`` and
``top_p = 1``, except that the floor a model samples spans only the words it has seen in
training (a model cannot write a word it never met), while the floor it is evaluated with
spans the whole vocabulary (so its perplexity stays finite). ``temperature`` and ``top_p`` act as in the ideas world on each order's
distribution of discounted counts in a history (``p**(1/T)``, then the smallest nucleus
holding ``top_p`` of the mass), and with ``top_p < 1`` the uniform floor, the least probable
mass of every history, is cut. ``capacity`` keeps the most frequent ``capacity`` tokens of
the training set: n-grams with any other token are not counted and are never written.
For the unigram the three act exactly as in the ideas world.

Measures, all fixed at each fit:

* ``perplexity_``: ``exp`` of the mean negative log probability (temperature 1, no
  nucleus) of the held-out human text; the uniform floor spans the whole vocabulary, so it
  is finite for n >= 2 (the unigram gives an unseen token probability 0: infinite);
* ``ideas_``: the tokens it can still produce; ``probs_``: their sampling probabilities
  (exact for the unigram; for n >= 2 their share of a probe sample of ``PROBE_DOCS`` documents);
* the probe sample (drawn with a fixed seed, so a measure is a function of the fit only)
  gives ``sampling_variance`` and ``mean_error``;
* ``history_``: the continuations of the same prompts (the first ``PROMPT_TOKENS`` tokens of
  the first ``PROMPTS`` held-out documents) at every fit, for ``samples.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model import metrics
from model.text.culture import topics
from model.text.draw import cumulative, draw_segments

#: Documents of the probe sample drawn at each fit (measures only).
PROBE_DOCS = 500
#: Prompts continued at every fit for ``samples.md``, and their length in tokens.
PROMPTS, PROMPT_TOKENS = 6, 2
#: Seeds of the probe and of the prompts' continuations: fixed, so a measure depends on the fit only.
PROBE_SEED, PROMPT_SEED = 7_919, 104_729


@dataclass
class Level:
    """One order of the model: counts of (history, word) and the sampling table.

    Histories and entries are integer codes in base ``V + 1`` (the begin symbol is ``V``).
    """

    keys: np.ndarray  # sorted history codes, one row each
    total: np.ndarray  # c(h): the row's count
    types: np.ndarray  # N1+(h .): distinct words after h
    discount: float
    entry: np.ndarray  # sorted history * base + word
    count: np.ndarray  # count of each entry
    s_indptr: np.ndarray  # sampling table (nucleus, tempered), by row
    s_word: np.ndarray
    s_cum: np.ndarray  # cumulative tempered weights, with a leading 0
    backoff: np.ndarray  # lambda(h) = D N1+(h .) / c(h): the chance of backing off from each row


def discount(counts: np.ndarray) -> float:
    """Absolute discount D = n1 / (n1 + 2 n2) (Ney, Essen & Kneser 1994), kept inside [0.05, 0.95]."""
    n1, n2 = int((counts == 1).sum()), int((counts == 2).sum())
    return float(np.clip(n1 / (n1 + 2 * n2), 0.05, 0.95)) if n1 + n2 else 0.5


def build_level(codes: np.ndarray, counts: np.ndarray, base: int, d: float, temperature: float, top_p: float) -> Level:
    """A level from sorted unique entry codes and their counts."""
    ctx, word = codes // base, codes % base
    keys, start, types = runs(ctx)
    total = np.add.reduceat(counts, start).astype(np.float64)
    row = np.repeat(np.arange(len(keys)), types)
    weight = (counts - d) ** (1.0 / temperature)
    order = np.lexsort((-weight, row))  # by row, most weight first (ties by word: the sort is stable): the nucleus is a prefix
    w = weight[order]
    keep = np.ones(len(w), bool)
    if top_p < 1.0:
        cum = np.cumsum(w)
        first = cum[start] - w[start]
        before = cum - w - np.repeat(first, types)
        row_total = np.repeat(np.add.reduceat(w, start), types)
        keep = before < top_p * row_total * (1 - 1e-12)
    s_indptr = np.zeros(len(keys) + 1, np.int64)
    np.cumsum(np.bincount(row[order][keep], minlength=len(keys)), out=s_indptr[1:])
    s_word = word[order][keep].astype(np.int64)
    return Level(keys, total, types, d, codes, counts, s_indptr, s_word, np.concatenate([[0.0], np.cumsum(w[keep])]), d * types / total)


def runs(sorted_values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct values of a sorted array, the index of each one's first occurrence, and its count (np.unique without a sort)."""
    if len(sorted_values) == 0:
        return sorted_values, np.zeros(0, np.int64), np.zeros(0, np.int64)
    start = np.flatnonzero(np.concatenate([[True], sorted_values[1:] != sorted_values[:-1]]))
    return sorted_values[start], start, np.diff(np.append(start, len(sorted_values)))


def count_sorted(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values and their counts, by one in-place sort."""
    values.sort()
    keys, _, counts = runs(values)
    return keys, counts


def find(keys: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of each query in sorted ``keys`` and whether it is there."""
    i = np.minimum(np.searchsorted(keys, q), max(len(keys) - 1, 0))
    return i, (keys[i] == q) if len(keys) else np.zeros(len(q), bool)


class SamplingTable:
    """Every level's sampling rows end to end, so one draw per position serves all documents.

    Row ``offset[k] + r`` is row ``r`` of level ``k``; a level whose histories are one word
    finds its rows through a dense index instead of a search.
    """

    def __init__(self, levels: list[Level], base: int):
        self.offset = np.cumsum([0] + [len(lv.keys) for lv in levels])[:-1]
        shift = np.cumsum([0] + [len(lv.s_word) for lv in levels])
        self.indptr = np.concatenate([lv.s_indptr[:-1] + s for lv, s in zip(levels, shift)] + [shift[-1:]])
        self.word = np.concatenate([lv.s_word for lv in levels])
        self.cum = cumulative(np.concatenate([np.diff(lv.s_cum) / lv.s_cum[-1] for lv in levels]))
        self.dense = None
        if len(levels) > 1:
            self.dense = np.full(base, -1, np.int64)
            self.dense[levels[1].keys] = np.arange(len(levels[1].keys))

    def rows(self, k: int, level: Level, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row of each history code in level ``k`` and whether it has one."""
        if k == 0:
            return np.zeros(len(codes), np.int64), np.ones(len(codes), bool)
        if k == 1:
            r = self.dense[codes]
            return np.maximum(r, 0), r >= 0
        return find(level.keys, codes)

    def draw(self, rows: np.ndarray, u: np.ndarray) -> np.ndarray:
        """A word from each given (global) row."""
        return self.word[draw_segments(self.cum, self.indptr[rows], self.indptr[rows + 1], u)]


class NGramLearner:
    """An n-gram language model (see the module docstring).

    Args:
        order: 1 (maximum-likelihood unigram), 2 or 3 (interpolated Kneser-Ney).
        culture: the :class:`~model.text.culture.TextCulture` (vocabulary, held-out text, embeddings).
        capacity: tokens kept, the most frequent of the training set (0 = all).
        temperature, top_p: sampling, as in the ideas world.
    """

    def __init__(self, order: int, culture, capacity: int = 0, temperature: float = 1.0, top_p: float = 1.0):
        if order not in (1, 2, 3):
            raise ValueError(f"order must be 1, 2 or 3, not {order!r}")
        self.order = order
        self.culture = culture
        self.capacity = capacity
        self.temperature = temperature
        self.top_p = top_p
        self.V = culture.language.size
        self.base = self.V + 1  # the begin-of-document symbol is V
        self.doc_tokens = culture.doc_tokens
        self.history_: list[np.ndarray] = []
        self.perplexities_: list[float] = []
        self.token_counts_: list[np.ndarray] = []  # tokens of the probe sample of the first fit and of the latest

    @property
    def is_fitted(self) -> bool:
        return hasattr(self, "levels_")

    # -- fitting -------------------------------------------------------------------------
    def fit(self, tokens: np.ndarray, rng: np.random.Generator | None = None) -> NGramLearner:
        """Count the n-grams of a token matrix (documents by positions) and build every level.

        ``rng`` breaks ties at the capacity cut (the model passes its own generator; without
        one, a generator seeded 0).
        """
        tokens = np.asarray(tokens, np.int64)
        if tokens.size == 0:
            raise ValueError("cannot fit on an empty training set")
        freq = np.bincount(tokens.ravel(), minlength=self.V)
        allowed = np.flatnonzero(freq)
        if self.capacity and len(allowed) > self.capacity:  # the most frequent, ties at random
            rng = np.random.default_rng(0) if rng is None else rng
            allowed = np.sort(allowed[np.lexsort((rng.random(len(allowed)), -freq[allowed]))[: self.capacity]])
        keep = np.zeros(self.V, bool)
        keep[allowed] = True
        self.vocabulary_ = allowed
        n, B, T, p = self.order, self.base, self.temperature, self.top_p
        x = np.where(keep[tokens], tokens, -1)
        x = np.concatenate([np.full((len(x), n - 1), self.V, np.int64), x], axis=1)
        L = tokens.shape[1]
        cols = [x[:, k : k + L].ravel() for k in range(n)]
        valid = np.logical_and.reduce([c >= 0 for c in cols])
        codes = np.zeros(int(valid.sum()), np.int64)
        for c in cols:
            codes = codes * B + c[valid]
        top, top_counts = count_sorted(codes)
        if len(top) == 0:
            raise ValueError("no n-gram survives the capacity cut")
        if n == 1:
            self.levels_ = [build_level(top, top_counts.astype(np.float64), B, 0.0, T, p)]
        else:
            levels = [build_level(top, top_counts.astype(np.float64), B, discount(top_counts), T, p)]
            types = top
            for k in range(n - 1, 0, -1):  # continuation counts: distinct words before each shorter n-gram
                types, cont = count_sorted(types % B**k)
                levels.append(build_level(types, cont.astype(np.float64), B, discount(cont), T, p))
            self.levels_ = levels[::-1]  # levels_[k] has histories of k words
        self._table = SamplingTable(self.levels_, B)
        self._measure()
        return self

    def _measure(self) -> None:
        culture = self.culture
        probe = self.sample(PROBE_DOCS, np.random.default_rng(PROBE_SEED))
        self.probe_ = probe
        if self.order == 1:
            lv = self.levels_[0]
            w = np.diff(lv.s_cum)
            self.ideas_, self.probs_ = lv.s_word, w / w.sum()
        else:
            producible = np.zeros(self.V, bool)
            for lv in self.levels_:
                producible[lv.s_word] = True
            if self._floor:
                producible[self.vocabulary_] = True
            self.ideas_ = np.flatnonzero(producible)
            share = np.bincount(probe.ravel(), minlength=self.V)[self.ideas_]
            self.probs_ = share / max(share.sum(), 1)
        counts = np.bincount(probe.ravel(), minlength=self.V)
        self.token_counts_ = [self.token_counts_[0], counts] if self.token_counts_ else [counts]  # the first fit's and the latest
        self.perplexity_ = perplexity(self.log_prob(culture.held_out))
        self.perplexities_.append(self.perplexity_)
        held = culture.held_out[:PROMPTS, :PROMPT_TOKENS]
        self.history_.append(self.sample(len(held), np.random.default_rng(PROMPT_SEED), prefix=held))
        self._variance = culture.item_noise**2 + metrics.dispersion(culture.content(probe)) / culture.dim
        self._mean_error = self.mean_error(culture.centroids, cached=False)

    @property
    def _floor(self) -> bool:
        """Whether sampling keeps the uniform floor (n >= 2 and no nucleus cut)."""
        return self.order > 1 and self.top_p >= 1.0

    # -- sampling ------------------------------------------------------------------------
    def _history_codes(self, x: np.ndarray, i: int) -> list[np.ndarray]:
        """History codes of position ``i`` of padded rows ``x`` for every level (k words of history)."""
        pad = self.order - 1
        codes = [np.zeros(len(x), np.int64)]
        for k in range(1, self.order):
            c = np.zeros(len(x), np.int64)
            for j in range(pad + i - k, pad + i):
                c = c * self.base + x[:, j]
            codes.append(c)
        return codes

    def sample(self, n: int, rng: np.random.Generator, prefix: np.ndarray | None = None) -> np.ndarray:
        """Token matrix (n, doc_tokens) of new documents; ``prefix`` fixes each document's first tokens."""
        pad, L = self.order - 1, self.doc_tokens
        x = np.full((n, pad + L), self.V, np.int64)
        start = 0 if prefix is None else prefix.shape[1]
        if start:
            x[:, pad : pad + start] = prefix
        levels, table = self.levels_, self._table
        floor = self._floor
        for i in range(start, L):
            u = rng.random((n, len(levels) + 1))
            row = np.full(n, -1, np.int64)
            codes = self._history_codes(x, i)
            for k in range(len(levels) - 1, -1, -1):  # from the longest history down: the first level that keeps it
                r, found = table.rows(k, levels[k], codes[k])
                stay = found & (u[:, k] >= levels[k].backoff[r]) if (k or floor) else found
                take = stay & (row < 0)
                row[take] = table.offset[k] + r[take]
            word = np.empty(n, np.int64)
            drawn = row >= 0
            word[drawn] = table.draw(row[drawn], u[drawn, -1])
            if not drawn.all():  # the uniform floor over the vocabulary it knows
                vocab = self.vocabulary_
                word[~drawn] = vocab[np.minimum((u[~drawn, -1] * len(vocab)).astype(np.int64), len(vocab) - 1)]
            x[:, pad + i] = word
        return x[:, pad:].astype(np.int32)

    # -- evaluating ----------------------------------------------------------------------
    def log_prob(self, tokens: np.ndarray) -> np.ndarray:
        """Natural log probability of every token of the documents ``tokens`` (temperature 1, no nucleus)."""
        tokens = np.asarray(tokens, np.int64)
        n, pad = len(tokens), self.order - 1
        x = np.concatenate([np.full((n, pad), self.V, np.int64), tokens], axis=1)
        out = np.empty(tokens.shape)
        for i in range(tokens.shape[1]):
            w = tokens[:, i]
            codes = self._history_codes(x, i)
            p = np.zeros(n) if self.order == 1 else np.full(n, 1.0 / self.V)
            for k, lv in enumerate(self.levels_):
                r, found = find(lv.keys, codes[k])
                e, hit = find(lv.entry, codes[k] * self.base + w)
                c = np.where(hit, lv.count[e], 0.0)
                smoothed = (np.maximum(c - lv.discount, 0.0) + lv.discount * lv.types[r] * p) / lv.total[r]
                p = np.where(found, smoothed, p)
            with np.errstate(divide="ignore"):
                out[:, i] = np.log(p)
        return out

    # -- the Learner protocol ------------------------------------------------------------
    def learn(self, items, rng: np.random.Generator) -> None:
        self.fit(items.tokens, rng)

    def generate(self, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        tokens = self.sample(n, rng)
        return {"idea": topics(tokens), "vec": self.culture.embed(tokens, rng), "tokens": tokens}

    def producible_ideas(self) -> np.ndarray:
        return self.ideas_

    def sampling_variance(self) -> float:
        """Per-dimension variance of its documents' vectors: noise plus the content spread of the probe sample."""
        return self._variance

    def mean_error(self, centroids: np.ndarray, cached: bool = True) -> float:
        """Squared distance, per dimension, of its documents' mean content vector from held-out human text's."""
        if cached and centroids is self.culture.centroids:
            return self._mean_error

        def mean_content(tokens):
            return np.take(centroids, tokens, axis=0).sum(axis=1).mean(axis=0) / np.sqrt(tokens.shape[1])

        diff = mean_content(self.probe_) - mean_content(self.culture.held_out)
        return float(diff @ diff / len(diff))


def perplexity(log_probs: np.ndarray) -> float:
    """exp of the mean negative log probability per token (infinite if any token has probability 0)."""
    return float(np.exp(-np.mean(log_probs)))
