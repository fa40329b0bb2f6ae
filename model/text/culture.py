"""Human culture of the text world: documents of real English, their topics and their vectors.

* A human document is ``world.doc_tokens`` tokens of human language: a walk of the
  bigram chain from a word drawn from the unigram (a dead end restarts there), or, for
  a corpus file, a window of consecutive tokens of its training part.
* Originality keeps its meaning: a creator of originality ``o`` writes at temperature
  ``tau = sqrt(o)``, rounded to the nearest ``2**(k/8)``, ``k = -4..4``. On the chain every
  transition's counts are raised to ``1/tau``; for a corpus each window is drawn with weight
  ``p(window)**(1/tau - 1)`` under the unigram, the same tempering of a whole document.
  So more original creators write more of the language's tail; ``o = 1`` is the language.
* The idea of a document is its *topic*: its rarest token, the largest token id, since
  ids are frequency ranks. Culture counts human documents per topic, as the ideas world
  counts human items per idea, so every idea metric keeps its definition.
* A document's vector is a random projection of its bag of words plus noise:
  ``sum_i e[w_i] / sqrt(L) + item_noise * z``, with token embeddings
  ``e ~ N(0, idea_spread^2 I)`` drawn once per run (the ``centroids``). Documents that
  share words are close.
* Held-out human text, never published, is kept for evaluation (``model_perplexity``):
  for the chain, ``HELD_OUT_DOCS`` documents drawn at setup; for a corpus, its last 10%.
"""

from __future__ import annotations

import numpy as np

from model import metrics
from model.ideas import HumanCulture
from model.text.draw import cumulative, draw_segments
from model.text.language import Language, load
from model.web import ARCHIVE_AUTHOR, HUMAN, Items

#: Temperature levels ``2**(k/8)``, k = -4..4; level 4 is temperature 1.
LEVELS = 2.0 ** (np.arange(-4, 5) / 8.0)
#: Held-out documents drawn from the bigram chain at setup.
HELD_OUT_DOCS = 500


def level_of(originality: np.ndarray) -> np.ndarray:
    """Temperature level (index into :data:`LEVELS`) of creators of originality ``o``: tau = sqrt(o), rounded."""
    o = np.maximum(np.asarray(originality, float), 1e-12)
    return (np.clip(np.rint(4.0 * np.log2(o)), -4, 4) + 4).astype(np.int64)


def topics(tokens: np.ndarray) -> np.ndarray:
    """The idea of each document: its rarest token (ids are frequency ranks)."""
    if tokens.shape[1] == 0:
        return np.zeros(len(tokens), np.int64)
    return tokens.max(axis=1).astype(np.int64)


class TextCulture(HumanCulture):
    """Human culture in the text world (see the module docstring).

    Attributes:
        language: the :class:`~model.text.language.Language`.
        doc_tokens: tokens per document, L.
        centroids: token embeddings, shape (V, dim).
        held_out: held-out human documents, shape (H, L).
    """

    writes_text = True

    def __init__(self, world, rng: np.random.Generator, language: Language | None = None):
        super().__init__(world.dim, world.idea_spread, world.item_noise)
        self.language = language if language is not None else load(world.corpus)
        self.doc_tokens = world.doc_tokens
        V = self.language.size
        self.counts = np.zeros(V, np.int64)
        self.centroids = world.idea_spread * rng.standard_normal((V, world.dim))
        self._cdfs: dict = {}  # sampling tables, built on first use
        if self.language.is_chain:
            self.held_out = self.draw_documents(np.ones(HELD_OUT_DOCS), rng)
        else:
            h = self.language.held_out
            rows = max(1, len(h) // self.doc_tokens)
            self.held_out = np.resize(h, rows * self.doc_tokens).reshape(rows, self.doc_tokens).astype(np.int32)
        self._human_variance = self.item_noise**2 + metrics.dispersion(self.content(self.held_out)) / self.dim

    # -- producing -----------------------------------------------------------------------
    def draw_documents(self, originality: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Token matrix (m, L) of new human documents, one per entry of ``originality``."""
        m, L = len(originality), self.doc_tokens
        level = level_of(originality)
        u = rng.random((m, L))
        if self.language.is_chain:
            return self._walk(u, level)
        out = np.empty((m, L), np.int32)
        for k in np.unique(level):  # a handful of levels; each is vectorized over its documents
            rows = np.flatnonzero(level == k)
            out[rows] = self._windows(u[rows, 0], int(k))
        return out

    def _walk(self, u: np.ndarray, level: np.ndarray) -> np.ndarray:
        """Walks of the bigram chain, each at its temperature level, one uniform per token.

        The tempered tables of all levels lie end to end (each normalized), so one draw per
        position serves every document whatever its level.
        """
        lang = self.language
        start, trans = self._chain_tables()
        V, nnz = lang.size, len(lang.successor)
        n, L = u.shape
        tokens = np.empty((n, L), np.int32)
        s_lo = level * V
        current = draw_segments(start, s_lo, s_lo + V, u[:, 0]) - s_lo
        tokens[:, 0] = current
        t_off = level * nnz
        for i in range(1, L):
            lo, hi = lang.indptr[current], lang.indptr[current + 1]
            dead = hi == lo  # no successor: start afresh from the unigram
            lo, hi = np.where(dead, 0, lo), np.where(dead, 1, hi)  # any segment: a dead end's draw is replaced below
            j = draw_segments(trans, t_off + lo, t_off + hi, u[:, i]) - t_off
            current = lang.successor[np.minimum(j, nnz - 1)].astype(np.int64)
            if dead.any():
                current[dead] = draw_segments(start, s_lo[dead], s_lo[dead] + V, u[dead, i]) - s_lo[dead]
            tokens[:, i] = current
        return tokens

    def _chain_tables(self) -> tuple[np.ndarray, np.ndarray]:
        """Cumulative tempered weights of every level end to end: (start distributions, transitions)."""
        if not self._cdfs:
            lang = self.language
            inv = 1.0 / LEVELS[:, None]
            start = lang.unigram[None, :] ** inv
            # Each transition row's weights are normalized by the row's largest count first: a
            # row's distribution does not change, and no level's numbers dwarf another's.
            row_max = np.maximum.reduceat(lang.count, lang.indptr[:-1].clip(max=len(lang.count) - 1))
            rel = lang.count / np.repeat(row_max, np.diff(lang.indptr))
            self._cdfs[0] = (cumulative((start / start.sum(axis=1, keepdims=True)).ravel()), cumulative((rel[None, :] ** inv).ravel()))
        return self._cdfs[0]

    def _windows(self, u: np.ndarray, k: int) -> np.ndarray:
        """Windows of the corpus's training part, drawn with tempered weights at level ``k``."""
        if k not in self._cdfs:
            # p(window)^(1/tau - 1) under the unigram: exp((1 - 1/tau) * window surprisal), stably.
            lang = self.language
            surprisal = -np.log(lang.unigram)[lang.train]
            log_w = (1.0 - 1.0 / LEVELS[k]) * np.convolve(surprisal, np.ones(self.doc_tokens), mode="valid")
            self._cdfs[k] = cumulative(np.exp(log_w - log_w.max()))
        cum = self._cdfs[k]
        first = draw_segments(cum, np.zeros(len(u), np.int64), np.full(len(u), len(cum) - 1), u)
        return self.language.train[first[:, None] + np.arange(self.doc_tokens)]

    def draw(self, originality, rng):
        return topics(self.draw_documents(originality, rng))

    def render(self, ideas, rng):
        raise NotImplementedError("in the text world a document's vector comes from its tokens: use embed(tokens, rng)")

    def content(self, tokens: np.ndarray) -> np.ndarray:
        """The noiseless part of documents' vectors: the scaled sum of their token embeddings."""
        if tokens.shape[1] == 0:
            return np.zeros((len(tokens), self.dim))
        return np.take(self.centroids, tokens, axis=0).sum(axis=1) / np.sqrt(tokens.shape[1])

    def embed(self, tokens: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Vectors of documents: content plus ``item_noise`` Gaussian noise."""
        noise = rng.standard_normal((len(tokens), self.dim))
        return (self.content(tokens) + self.item_noise * noise).astype(np.float32)

    def generate_archive(self, n_items, rng):
        return self.archive(n_items, rng).idea

    def archive(self, n_items: int, rng: np.random.Generator) -> Items:
        """The pre-AI web: ``n_items`` human documents, recorded in culture."""
        tokens = self.draw_documents(np.ones(n_items), rng)
        ideas = topics(tokens)
        self.record(ideas)
        return Items.make(ideas, self.embed(tokens, rng), source=HUMAN, author=ARCHIVE_AUTHOR, depth=0.0, tokens=tokens)

    # -- measuring -----------------------------------------------------------------------
    def human_variance(self) -> float:
        """Per-dimension variance of human documents' vectors: noise plus the content spread of held-out text."""
        return self._human_variance
