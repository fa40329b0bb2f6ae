"""The web: every content item as one row of a columnar store.

Rows are appended in publication order, so the items of any run of steps are a
contiguous slice, and the recent window or a data regime's window costs
O(1) to locate. Columns grow by doubling, so appends are amortized O(1); no
Python object exists per item.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

HUMAN, ASSISTED, AI = 0, 1, 2
SOURCES = ("human", "assisted", "ai")
ARCHIVE_AUTHOR = -1  # the anonymous authors of the pre-AI web


@dataclass
class Items:
    """A batch of new items, one array per column."""

    idea: np.ndarray  # int64
    vec: np.ndarray  # float32, shape (n, d)
    source: np.ndarray  # int8: HUMAN, ASSISTED or AI
    author: np.ndarray  # int64: creator row, model id, or ARCHIVE_AUTHOR
    depth: np.ndarray  # float32: generations removed from human writing
    watermark: np.ndarray  # bool
    signed: np.ndarray  # bool
    tokens: np.ndarray = None  # int32, shape (n, L): a document's tokens in the text world; L = 0 in the ideas world

    def __post_init__(self):
        if self.tokens is None:
            self.tokens = np.zeros((len(self.idea), 0), np.int32)

    def __len__(self) -> int:
        return len(self.idea)

    @classmethod
    def empty(cls, dim: int) -> Items:
        return cls.make(np.empty(0, np.int64), np.empty((0, dim), np.float32), source=HUMAN, author=0, depth=0.0)

    @classmethod
    def make(cls, idea, vec, *, source, author, depth, watermark=False, signed=False, tokens=None) -> Items:
        """Build a batch, broadcasting scalar columns to the batch length."""
        n = len(idea)

        def column(value, dtype):
            if isinstance(value, np.ndarray) and value.ndim:  # the common case, without np.ndim's overhead
                return value.astype(dtype, copy=False)
            return np.full(n, value, dtype) if np.ndim(value) == 0 else np.asarray(value, dtype)

        return cls(
            idea=np.asarray(idea, np.int64),
            vec=np.asarray(vec, np.float32),
            source=column(source, np.int8),
            author=column(author, np.int64),
            depth=column(depth, np.float32),
            watermark=column(watermark, bool),
            signed=column(signed, bool),
            tokens=None if tokens is None else np.asarray(tokens, np.int32),
        )

    @classmethod
    def concat(cls, batches: list[Items]) -> Items:
        return cls(**{f.name: np.concatenate([getattr(b, f.name) for b in batches]) for f in fields(cls)})


_COLUMNS = {
    "idea": np.int32,
    "source": np.int8,
    "author": np.int32,
    "depth": np.float32,
    "step": np.int32,
    "watermark": bool,
    "signed": bool,
}


def _column(name: str) -> property:
    return property(lambda self: self._cols[name][: self.n], doc=f"The ``{name}`` of every item so far (a view).")


class Web:
    """The shared web: a growable columnar store of items.

    Attributes are views of the filled rows: ``idea``, ``vec``, ``source``,
    ``author``, ``depth``, ``step``, ``watermark``, ``signed``.
    """

    def __init__(self, dim: int, capacity: int = 4096, doc_tokens: int = 0):
        self.dim = dim
        self.doc_tokens = doc_tokens  # tokens per item in the text world; 0 in the ideas world
        self.n = 0
        self._cols = {name: np.zeros(capacity, dtype) for name, dtype in _COLUMNS.items()}
        self._vec = np.zeros((capacity, dim), np.float32)
        self._tokens = np.zeros((capacity, doc_tokens), np.int32)
        self._step_start: list[int] = []  # first row of step t, for t = 0, 1, ...
        self._signed_rows = np.zeros(256, np.int64)
        self._n_signed = 0
        self.source_totals = np.zeros(3, np.int64)
        # Per-step sums, so window statistics cost O(steps in the window), not O(items).
        self._step_sources: list[np.ndarray] = []
        self._step_vsum: list[np.ndarray] = []
        self._step_sqsum: list[float] = []

    def __len__(self) -> int:
        return self.n

    idea = _column("idea")
    source = _column("source")
    author = _column("author")
    depth = _column("depth")
    step = _column("step")
    watermark = _column("watermark")
    signed = _column("signed")

    @property
    def vec(self) -> np.ndarray:
        return self._vec[: self.n]

    @property
    def tokens(self) -> np.ndarray:
        """The token matrix of every item so far, shape (n, doc_tokens) (a view)."""
        return self._tokens[: self.n]

    @property
    def steps_published(self) -> int:
        """Steps that have an entry in the step index (step 0 is the archive)."""
        return len(self._step_start)

    def append(self, items: Items, step: int) -> None:
        """Append a batch published at ``step`` (steps never go backwards)."""
        while len(self._step_start) <= step:
            self._step_start.append(self.n)
            self._step_sources.append(np.zeros(3, np.int64))
            self._step_vsum.append(np.zeros(self.dim))
            self._step_sqsum.append(0.0)
        k = len(items)
        if k == 0:
            return
        self._reserve(self.n + k)
        lo, hi = self.n, self.n + k
        for name in _COLUMNS:
            if name != "step":
                self._cols[name][lo:hi] = getattr(items, name)
        self._cols["step"][lo:hi] = step
        self._vec[lo:hi] = items.vec
        if self.doc_tokens:
            self._tokens[lo:hi] = items.tokens
        signed = np.flatnonzero(items.signed) + lo
        if len(signed):
            need = self._n_signed + len(signed)
            if need > len(self._signed_rows):
                self._signed_rows = np.resize(self._signed_rows, max(need, 2 * len(self._signed_rows)))
            self._signed_rows[self._n_signed : need] = signed
            self._n_signed = need
        by_source = np.bincount(items.source, minlength=3)
        self.source_totals += by_source
        self._step_sources[step] += by_source
        v = items.vec.astype(np.float64)
        self._step_vsum[step] += v.sum(axis=0)
        self._step_sqsum[step] += float(np.einsum("ij,ij->", v, v))
        self.n = hi

    def _reserve(self, need: int) -> None:
        capacity = len(self._vec)
        if need <= capacity:
            return
        while capacity < need:
            capacity *= 2
        for name, col in self._cols.items():
            grown = np.zeros(capacity, col.dtype)
            grown[: self.n] = col[: self.n]
            self._cols[name] = grown
        grown = np.zeros((capacity, self.dim), np.float32)
        grown[: self.n] = self._vec[: self.n]
        self._vec = grown
        grown = np.zeros((capacity, self.doc_tokens), np.int32)
        grown[: self.n] = self._tokens[: self.n]
        self._tokens = grown

    def rows(self, first_step: int, last_step: int) -> tuple[int, int]:
        """Row range ``[lo, hi)`` of the items published in steps ``first_step..last_step``."""
        starts = self._step_start
        if last_step < max(first_step, 0):
            return self.n, self.n
        first = min(max(first_step, 0), len(starts))
        last = min(last_step + 1, len(starts))
        lo = starts[first] if first < len(starts) else self.n
        hi = starts[last] if last < len(starts) else self.n
        return lo, max(lo, hi)

    @staticmethod
    def _steps(first_step: int, last_step: int) -> slice:
        """Slice of the per-step lists for steps ``first_step..last_step`` (empty if it ends before step 0)."""
        return slice(max(first_step, 0), max(last_step + 1, 0))

    def window_sources(self, first_step: int, last_step: int) -> np.ndarray:
        """Items per source (human, assisted, ai) published in steps ``first_step..last_step``."""
        steps = self._step_sources[self._steps(first_step, last_step)]
        return np.sum(steps, axis=0) if steps else np.zeros(3, np.int64)

    def window_dispersion(self, first_step: int, last_step: int) -> float:
        """Mean squared distance from their mean of the vectors published in steps ``first_step..last_step``."""
        sl = self._steps(first_step, last_step)
        n = int(np.sum(self._step_sources[sl])) if self._step_sources[sl] else 0
        if n == 0:
            return float("nan")
        mean = np.sum(self._step_vsum[sl], axis=0) / n
        return float(sum(self._step_sqsum[sl]) / n - mean @ mean)

    def signed_rows(self, lo: int, hi: int) -> np.ndarray:
        """Rows of signed items within ``[lo, hi)``."""
        rows = self._signed_rows[: self._n_signed]
        return rows[np.searchsorted(rows, lo) : np.searchsorted(rows, hi)]

    def take(self, rows: np.ndarray) -> Items:
        """The items at ``rows`` as a batch (copies)."""
        c = self._cols
        return Items(
            idea=c["idea"][rows].astype(np.int64),
            vec=np.take(self._vec, rows, axis=0),  # far faster than fancy indexing of 2-D rows
            source=c["source"][rows],
            author=c["author"][rows].astype(np.int64),
            depth=c["depth"][rows],
            watermark=c["watermark"][rows],
            signed=c["signed"][rows],
            tokens=np.take(self._tokens, rows, axis=0),
        )
