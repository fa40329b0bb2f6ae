"""The decoding bias, measured where decoding really acts: on the tokens of the text world.

The ideas world has no tokens, so what token-level nucleus sampling (``ai.top_p``) does to a
category the model learned has to come from somewhere: this module measures it in the text
world (English bigram chain, interpolated Kneser-Ney bigram models, docs/ODD.md section 7.20),
where a model's categories are words and top_p cuts each history's continuations.

For a model fitted on ``n`` human documents of ``L`` tokens (each of :data:`model.decoding.TRAIN_DOCS`
and :data:`model.decoding.DOC_TOKENS`) and a sample of ``SAMPLE_TOKENS`` tokens at each top_p,
words are grouped by their count in the training set (classes 1, 2, 3-4, 5-8, ..., 65+;
:data:`model.decoding.COUNT_EDGES`):

* ``survival``: the share of the class's words the model can still write (in some history's
  nucleus);
* ``retention``: the class's share of the sample over its share of the training set.

And, for the strength: ``similarity_gain``, how much more similar to each other the model's
documents are than human documents (mean pairwise TF-IDF cosine similarity, IDF from the
training set, minus 1), the measure that Dolezal et al. (2026) and Doshi & Hauser (2024) report
for AI writing.

    python -m experiments.decoding [--seeds N]   # writes model/decoding.csv, the table model/decoding.py reads

The validation check ``decoding`` (experiments/validation/checks/decoding.py) re-measures it
on other seeds and tests the table against it.
"""

from __future__ import annotations

import argparse

import numpy as np

from model.decoding import COUNT_EDGES, DOC_TOKENS, TABLE, TOP_P_GRID, TRAIN_DOCS, count_class
from model.scenario import Scenario
from model.text.culture import TextCulture
from model.text.metrics import idf, mean_cosine
from model.text.ngram import NGramLearner

#: Tokens sampled from each model (20,000 documents of 20 tokens; fewer, longer documents at other lengths).
SAMPLE_TOKENS = 400_000
#: Seed of the samples (the training data's seed is the measurement's).
SAMPLE_SEED = 5


def measure(seed: int, top_ps=TOP_P_GRID, train_docs: int = 20_000, doc_tokens: int = 20) -> dict[str, np.ndarray]:
    """One seed's measurement: ``survival`` and ``retention`` (top_p by class) and ``similarity_gain`` (by top_p),
    for documents of ``doc_tokens`` tokens."""
    world = Scenario().with_overrides({"world.kind": "text", "world.doc_tokens": doc_tokens}).world
    sample_docs = SAMPLE_TOKENS // doc_tokens
    rng = np.random.default_rng(seed)
    culture = TextCulture(world, rng)
    V = culture.language.size
    train = culture.draw_documents(np.ones(train_docs), rng)
    human = culture.draw_documents(np.ones(sample_docs), rng)  # fresh human text: the similarity reference
    weight = idf(train, V)
    reference = mean_cosine(human, weight, V)
    counts = np.bincount(train.ravel(), minlength=V)
    seen = counts > 0
    cls = count_class(counts[seen])
    k = len(COUNT_EDGES)
    train_share = np.bincount(cls, weights=counts[seen], minlength=k) / counts.sum()
    types = np.bincount(cls, minlength=k)
    survival, retention, gain = [], [], []
    for top_p in top_ps:
        model = NGramLearner(2, culture, 0, 1.0, float(top_p)).fit(train)
        sample = model.sample(sample_docs, np.random.default_rng(SAMPLE_SEED + seed))
        producible = np.zeros(V, bool)
        producible[model.producible_ideas()] = True
        drawn = np.bincount(sample.ravel(), minlength=V)[seen]
        survival.append(np.bincount(cls, weights=producible[seen], minlength=k) / types)
        retention.append(np.bincount(cls, weights=drawn, minlength=k) / drawn.sum() / train_share)
        gain.append(mean_cosine(sample, weight, V) / reference - 1.0)
    return {"survival": np.array(survival), "retention": np.array(retention), "similarity_gain": np.array(gain)}


def measure_seeds(seeds, top_ps=TOP_P_GRID, **kw) -> dict[str, np.ndarray]:
    """Every seed's measurement stacked: arrays (seeds, top_p[, class])."""
    runs = [measure(s, top_ps, **kw) for s in seeds]
    return {key: np.stack([r[key] for r in runs]) for key in runs[0]}


def table_rows(seeds, lengths=DOC_TOKENS, sizes=TRAIN_DOCS, top_ps=TOP_P_GRID) -> list[list[float]]:
    """Rows of the table: doc_tokens, train_docs, top_p, similarity gain and its SE, survival per class,
    retention per class, their largest SE."""
    rows = []
    for length in lengths:
        for n in sizes:
            m = measure_seeds(seeds, top_ps, train_docs=n, doc_tokens=length)
            k = len(seeds)
            mean = {key: v.mean(axis=0) for key, v in m.items()}
            se = {key: v.std(axis=0, ddof=1) / np.sqrt(k) for key, v in m.items()}
            for i, top_p in enumerate(top_ps):
                worst = max(se["survival"][i].max(), se["retention"][i].max())
                rows.append(
                    [length, n, top_p, mean["similarity_gain"][i], se["similarity_gain"][i], *mean["survival"][i], *mean["retention"][i], worst]
                )
            print(f"  {length} tokens, {n} documents: done", flush=True)
    return rows


def header() -> list[str]:
    k = len(COUNT_EDGES)
    return ["doc_tokens", "train_docs", "top_p", "similarity_gain", "similarity_se"] + [f"survival_{c}" for c in range(k)] + [f"retention_{c}" for c in range(k)] + ["max_se"]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="seeds 1..N (default 5)")
    parser.add_argument("--out", default=str(TABLE), help="where to write the table (default model/decoding.csv)")
    args = parser.parse_args(argv)
    rows = table_rows(range(1, args.seeds + 1))
    lines = [
        f"# Written by: python -m experiments.decoding --seeds {args.seeds} (seeds 1-{args.seeds}); see model/decoding.py.",
        ",".join(header()),
    ]
    lines += [",".join(f"{int(v)}" if j < 2 else f"{v:.5g}" for j, v in enumerate(row)) for row in rows]
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {args.out}: {len(rows)} rows")


if __name__ == "__main__":
    main()
