"""Human language, offline: where the text world's words come from.

Two sources, both read once per process and cached:

* the default, the English bigram counts that the ``symspellpy`` package ships
  (``frequency_bigramdictionary_en_243_342.txt``: 242,342 word pairs over 19,792 words,
  counted on a large English web corpus; MIT licence), less every pair that holds a word of
  the offensive-word list the ``better-profanity`` package maintains (or is two adjacent words
  of one of its phrases): the web's counts are full of spam, and the text is shown to
  audiences. Human language is the bigram (first-order Markov) chain of the remaining counts:
  ``P(b | a) = c(a, b) / c(a, .)``.
* ``world.corpus = PATH``: any UTF-8 plain-text file. It is lower-cased and cut into
  word tokens (runs of letters or digits, with inner apostrophes); the last 10% of its
  tokens is held out for evaluation and humans publish windows of the rest.

Token ids are ranks: id 0 is the most frequent word of human language, so "rarer"
means "larger id" everywhere in the text world.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

#: The bundled bigram counts (symspellpy, MIT licence).
BIGRAM_FILE = "frequency_bigramdictionary_en_243_342.txt"
#: The offensive words left out of the default English: (package, file) of better-profanity's list.
OFFENSIVE_FILE = ("better_profanity", "profanity_wordlist.txt")
#: Share of a corpus file's tokens held out for evaluation (its end).
HELD_OUT = 0.1
#: A corpus needs at least this many documents' worth of words.
MIN_DOCS = 10

_WORD = re.compile(r"\w+(?:'\w+)*")


@dataclass(frozen=True)
class Language:
    """A human language: its vocabulary by frequency and how its text is made.

    Attributes:
        source: where it came from, in words.
        words: the vocabulary, most frequent first (token id = index).
        unigram: human language's token distribution over ``words`` (sums to 1).
        indptr, successor, count: for a chain, the bigram counts in CSR form: the
            successors of word ``a`` are ``successor[indptr[a]:indptr[a+1]]``.
        train, held_out: for a corpus file, its token ids (the held-out part is its end).
    """

    source: str
    words: np.ndarray
    unigram: np.ndarray
    indptr: np.ndarray | None = None
    successor: np.ndarray | None = None
    count: np.ndarray | None = None
    train: np.ndarray | None = None
    held_out: np.ndarray | None = None

    @property
    def size(self) -> int:
        return len(self.words)

    @property
    def is_chain(self) -> bool:
        return self.indptr is not None

    def decode(self, tokens: np.ndarray) -> str:
        """The words of a row of token ids, separated by spaces."""
        return " ".join(self.words[np.asarray(tokens)])


class CorpusError(ValueError):
    """A corpus file that cannot be used; ``str(error)`` says why in words."""


def load(corpus: str = "") -> Language:
    """The language a ``world.corpus`` value names ("" = the bundled English bigram chain)."""
    if not corpus:
        return english_bigrams()
    path = Path(corpus)
    try:
        stat = path.stat()
    except OSError as error:
        raise CorpusError(f"cannot read the file ({error.strerror or error})") from None
    return _corpus(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


def check(corpus: str, doc_tokens: int) -> None:
    """Raise :class:`CorpusError` unless ``corpus`` is a readable UTF-8 text of at least ``MIN_DOCS`` documents' worth of words."""
    if not corpus:
        return
    language = load(corpus)
    words = len(language.train) + len(language.held_out)
    need = MIN_DOCS * doc_tokens
    if words < need:
        raise CorpusError(f"has {words} words; it needs at least {MIN_DOCS} x world.doc_tokens = {need}")


@lru_cache(maxsize=1)
def offensive() -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
    """(words, word pairs) to leave out of the default English, from better-profanity's maintained list.

    A one-word entry is a word; an entry of several words (say "blow job") gives its adjacent pairs.
    """
    package, name = OFFENSIVE_FILE
    entries = {line.strip().lower() for line in resources.files(package).joinpath(name).read_text(encoding="utf-8").splitlines()}
    phrases = [entry.split() for entry in entries if " " in entry]
    words = frozenset(entry for entry in entries if entry and " " not in entry)
    return words, frozenset(pair for phrase in phrases for pair in itertools.pairwise(phrase))


def inoffensive(table: pd.DataFrame) -> pd.DataFrame:
    """The bigram rows ``(a, b, c)`` that hold no offensive word and are no adjacent pair of an offensive phrase."""
    words, pairs = offensive()
    listed = table["a"].isin(words) | table["b"].isin(words)
    firsts = table["a"].isin({a for a, _ in pairs})  # only these rows can be a listed pair
    listed[firsts] |= (table["a"][firsts] + " " + table["b"][firsts]).isin({f"{a} {b}" for a, b in pairs})
    return table[~listed]


@lru_cache(maxsize=1)
def english_bigrams() -> Language:
    """Human English as the bigram chain of symspellpy's bundled counts, offensive words left out."""
    with resources.files("symspellpy").joinpath(BIGRAM_FILE).open("rb") as f:
        table = pd.read_csv(
            f, sep=" ", header=None, names=["a", "b", "c"], keep_default_na=False, dtype={"a": str, "b": str, "c": np.int64}
        )
    every = len(table)
    table = inoffensive(table)
    codes, words = pd.factorize(np.concatenate([table["a"].to_numpy(), table["b"].to_numpy()]))
    words = np.asarray(words, dtype=str)
    a, b = codes[: len(table)], codes[len(table) :]
    c = table["c"].to_numpy().astype(np.float64)
    # A word's frequency: its bigram mass, as first and as second word.
    mass = np.bincount(a, weights=c, minlength=len(words)) + np.bincount(b, weights=c, minlength=len(words))
    rank = np.empty(len(words), np.int64)
    order = np.lexsort((words, -mass))  # ties broken alphabetically, so ids are deterministic
    rank[order] = np.arange(len(words))
    a, b = rank[a], rank[b]
    by_row = np.lexsort((b, a))
    indptr = np.zeros(len(words) + 1, np.int64)
    np.cumsum(np.bincount(a, minlength=len(words)), out=indptr[1:])
    return Language(
        source=f"symspellpy {BIGRAM_FILE} (MIT licence): {len(table):,} English bigrams over {len(words):,} words "
        f"({every - len(table):,} bigrams with a word of better-profanity's list left out)",
        words=words[order],
        unigram=mass[order] / mass.sum(),
        indptr=indptr,
        successor=b[by_row].astype(np.int32),
        count=c[by_row],
    )


@lru_cache(maxsize=8)
def _corpus(path: str, mtime_ns: int, size: int) -> Language:
    """A plain-text corpus file as token ids (cached by path, modification time and size)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise CorpusError(f"is not UTF-8 text (byte {error.start}: {error.reason})") from None
    except OSError as error:
        raise CorpusError(f"cannot read the file ({error.strerror or error})") from None
    tokens = _WORD.findall(text.lower())
    if not tokens:
        raise CorpusError("holds no words (an empty corpus)")
    words, ids, counts = np.unique(np.array(tokens), return_inverse=True, return_counts=True)
    order = np.lexsort((words, -counts))
    rank = np.empty(len(words), np.int64)
    rank[order] = np.arange(len(words))
    ids = rank[ids].astype(np.int32)
    cut = len(ids) - max(1, round(HELD_OUT * len(ids)))
    return Language(
        source=f"{Path(path).name}: {len(ids):,} words, {len(words):,} distinct",
        words=words[order],
        unigram=counts[order] / counts.sum(),
        train=ids[:cut],
        held_out=ids[cut:],
    )
