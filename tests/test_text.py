"""Language mode (world.kind = "text"): human English, n-gram models, the text columns, samples.md, bad input.

Small settings throughout: a few hundred documents, a few steps, small corpus files.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import run as cli
from model.ecosystem import COLUMNS, ContentEcosystem
from model.measurement import TEXT_COLUMNS
from model.scenario import Scenario
from model.text.culture import TextCulture, topics
from model.text.language import english_bigrams, load
from model.text.ngram import NGramLearner

SMALL_TEXT = {
    "world.kind": "text",
    "world.archive_items": 2000,
    "humans.count": 150,
    "ai.train_size": 2000,
    "ai.retrain_every": 2,
    "ai.items_per_step": 40.0,
    "run.steps": 4,
    "run.window": 2,
    "run.rarefy": 200,
}

TALE = (
    "It was the best of times, it was the worst of times, it was the age of wisdom, it was the age of foolishness, "
    "it was the epoch of belief, it was the epoch of incredulity, it was the season of Light, it was the season of "
    "Darkness, it was the spring of hope, it was the winter of despair, we had everything before us, we had nothing "
    "before us, we were all going direct to Heaven, we were all going direct the other way. "
)


def small(**overrides) -> Scenario:
    return Scenario().with_overrides({**SMALL_TEXT, **overrides}, "test")


@pytest.fixture(scope="module")
def ran():
    model = ContentEcosystem(small(), seed=5)
    while model.running:
        model.step()
    return model


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "tale.txt"
    path.write_text(TALE * 20, encoding="utf-8")
    return path


def tiny_culture(path, doc_tokens=4, seed=0):
    world = Scenario().with_overrides({"world.kind": "text", "world.corpus": str(path), "world.doc_tokens": doc_tokens}, "test").world
    return TextCulture(world, np.random.default_rng(seed))


# -- human language ----------------------------------------------------------------------
def test_english_bigrams_are_real_english_ranked_by_frequency():
    lang = english_bigrams()
    assert 19_000 < lang.size < 21_000
    assert lang.words[0] == "the" and {"of", "and", "to"} <= set(lang.words[:10])
    assert np.all(np.diff(lang.unigram) <= 0) and lang.unigram.sum() == pytest.approx(1.0)
    assert lang.indptr[-1] == len(lang.successor) == len(lang.count) > 230_000
    assert "MIT" in lang.source


def test_the_default_english_leaves_out_every_word_and_phrase_of_the_offensive_list():
    from model.text.language import inoffensive, offensive

    words, pairs = offensive()
    assert len(words) > 800 and ("blow", "job") in pairs  # better-profanity's maintained list, read from the package
    lang = english_bigrams()
    assert not words & set(lang.words) and "better-profanity" in lang.source
    table = pd.DataFrame({"a": ["the", "the", "sex", "blow", "blow", "hand"], "b": ["cat", "sex", "the", "job", "dry", "job"], "c": [5, 4, 3, 2, 1, 1]})
    assert inoffensive(table)[["a", "b"]].values.tolist() == [["the", "cat"], ["blow", "dry"]]


def test_samples_of_seeds_1_to_20_hold_no_offensive_word():
    """Every document a small text run publishes (the archive, people, models) and model 0's samples, seeds 1-20."""
    from model.text.language import offensive
    from model.text.samples import latest_documents, record

    words, pairs = offensive()
    phrases = [f" {a} {b} " for a, b in pairs]
    for seed in range(1, 21):
        model = ContentEcosystem(small(**{"run.steps": 3}), seed=seed)
        while model.running:
            model.step()
        language = model.culture.language
        used = set(language.words[np.unique(model.web.tokens[: model.web.n])])
        assert not used & words, (seed, used & words)
        kept = record(model)
        texts = [*kept["human"], *(d for g in kept["generations"] for d in g), *(d for ds in latest_documents(model, 5).values() for d in ds)]
        texts += [language.decode(row) for row in model.web.tokens[: model.web.n]]
        for text in texts:
            padded = f" {text} "
            assert not set(text.split()) & words and not any(p in padded for p in phrases), (seed, text)


def test_human_documents_walk_the_bigram_table():
    culture = TextCulture(small().world, np.random.default_rng(1))
    lang = culture.language
    docs = culture.draw_documents(np.ones(300), np.random.default_rng(2))
    assert docs.shape == (300, 20) and docs.dtype == np.int32
    pairs = set(zip(np.repeat(np.arange(lang.size), np.diff(lang.indptr)).tolist(), lang.successor.tolist()))
    a, b = docs[:, :-1].ravel(), docs[:, 1:].ravel()
    dead = lang.indptr[a + 1] == lang.indptr[a]
    assert all((x, y) in pairs for x, y, d in zip(a.tolist(), b.tolist(), dead) if not d)


def test_more_original_creators_write_more_of_the_tail():
    culture = TextCulture(small().world, np.random.default_rng(1))
    tail = np.cumsum(culture.language.unigram) > 0.8  # ids past 80% of the language's token mass
    shares = []
    for o in (0.25, 1.0, 4.0):
        docs = culture.draw_documents(np.full(2000, o), np.random.default_rng(3))
        shares.append(tail[docs].mean())
    assert shares[0] < shares[1] < shares[2], shares
    assert shares[2] > 1.5 * shares[0]


def test_a_corpus_file_is_tokenized_split_and_published_in_windows(corpus):
    culture = tiny_culture(corpus)
    lang = culture.language
    assert lang.words[0] == "the" and "heaven" in lang.words  # lower-cased, by frequency
    total = len(lang.train) + len(lang.held_out)
    assert len(lang.held_out) == round(0.1 * total)
    text = " ".join(lang.words[lang.train])
    docs = culture.draw_documents(np.ones(50), np.random.default_rng(0))
    assert all(lang.decode(d) in text for d in docs)  # real sentences of the training part
    assert culture.held_out.shape[1] == 4
    np.testing.assert_array_equal(culture.held_out.ravel()[: len(lang.held_out) // 4 * 4], lang.held_out[: len(lang.held_out) // 4 * 4])


# -- the n-gram learner ------------------------------------------------------------------
def brute_force_kn2(train: np.ndarray, V: int, history: int, word: int) -> float:
    """Interpolated Kneser-Ney bigram probability written out term by term (the begin symbol is V)."""
    from collections import Counter

    bigrams = Counter()
    for doc in train:
        prev = V
        for w in doc:
            bigrams[(prev, int(w))] += 1
            prev = int(w)

    def d_of(counts):
        n1 = sum(1 for c in counts if c == 1)
        n2 = sum(1 for c in counts if c == 2)
        return min(max(n1 / (n1 + 2 * n2), 0.05), 0.95)

    cont = Counter(w for (_, w) in bigrams)  # distinct predecessors of w
    d1, d2 = d_of(cont.values()), d_of(bigrams.values())
    n_cont = sum(cont.values())
    p1 = max(cont[word] - d1, 0) / n_cont + d1 * len(cont) / n_cont / V
    c_h = sum(c for (h, _), c in bigrams.items() if h == history)
    if c_h == 0:
        return p1
    types = sum(1 for (h, _) in bigrams if h == history)
    return max(bigrams[(history, word)] - d2, 0) / c_h + d2 * types / c_h * p1


def test_kneser_ney_matches_the_formula_term_by_term(corpus):
    culture = tiny_culture(corpus)
    V = culture.language.size
    train = culture.draw_documents(np.ones(40), np.random.default_rng(4))
    model = NGramLearner(2, culture).fit(train)
    test = culture.held_out[:5]
    got = np.exp(model.log_prob(test))
    for i, doc in enumerate(test):
        prev = V
        for j, w in enumerate(doc):
            assert got[i, j] == pytest.approx(brute_force_kn2(train, V, prev, int(w)), rel=1e-12)
            prev = int(w)


@pytest.mark.parametrize("order", [2, 3])
def test_kneser_ney_is_a_distribution_in_every_history(corpus, order):
    culture = tiny_culture(corpus)
    V = culture.language.size
    model = NGramLearner(order, culture).fit(culture.draw_documents(np.ones(60), np.random.default_rng(5)))
    for prefix in ([], [0], [0, 1], [V - 1, 3]):
        docs = np.array([prefix + [w] for w in range(V)])
        culture.doc_tokens = docs.shape[1]
        total = np.exp(model.log_prob(docs)[:, -1]).sum()
        assert total == pytest.approx(1.0, abs=1e-9), prefix


def test_sampling_at_temperature_one_draws_the_model_distribution(corpus):
    culture = tiny_culture(corpus, doc_tokens=2)
    model = NGramLearner(2, culture).fit(culture.draw_documents(np.ones(200), np.random.default_rng(6)))
    docs = model.sample(100_000, np.random.default_rng(7))
    V = culture.language.size
    first = 0  # the commonest word ("the")
    seconds = docs[docs[:, 0] == first, 1]
    empirical = np.bincount(seconds, minlength=V) / len(seconds)
    expected = np.exp(model.log_prob(np.column_stack([np.full(V, first), np.arange(V)]))[:, 1])
    assert np.abs(empirical - expected).max() < 5 * math.sqrt(0.25 / len(seconds))
    start = np.bincount(docs[:, 0], minlength=V) / len(docs)
    assert np.abs(start - np.exp(model.log_prob(np.arange(V)[:, None].repeat(2, axis=1))[:, 0])).max() < 0.01


def test_nucleus_temperature_and_capacity_narrow_what_a_model_writes(ran):
    culture = ran.culture
    train = ran.web.tokens[: ran.archive_n]
    full = NGramLearner(2, culture, top_p=1.0).fit(train)
    nucleus = NGramLearner(2, culture, top_p=0.9).fit(train)
    cold = NGramLearner(2, culture, top_p=1.0, temperature=0.5).fit(train)
    capped = NGramLearner(2, culture, capacity=300).fit(train)
    assert len(full.ideas_) == len(np.unique(train))  # the uniform floor: every word it has seen is possible
    assert len(nucleus.ideas_) < len(full.ideas_)
    rng = np.random.default_rng(8)
    distinct = {name: len(np.unique(m.sample(500, np.random.default_rng(9)))) for name, m in (("full", full), ("cold", cold))}
    assert distinct["cold"] < distinct["full"]
    written = capped.sample(500, rng)
    assert np.isin(written, capped.vocabulary_).all() and len(capped.vocabulary_) == 300
    assert full.perplexity_ < capped.perplexity_
    assert math.isfinite(full.perplexity_) and full.perplexity_ > 1


def test_the_unigram_is_the_maximum_likelihood_categorical(corpus):
    culture = tiny_culture(corpus, doc_tokens=1)
    train = culture.draw_documents(np.ones(30), np.random.default_rng(10))
    model = NGramLearner(1, culture).fit(train)
    counts = np.bincount(train.ravel(), minlength=culture.language.size)
    dense = np.zeros(culture.language.size)
    dense[model.ideas_] = model.probs_
    np.testing.assert_allclose(dense, counts / counts.sum(), rtol=1e-12)


# -- the ecosystem in language mode ------------------------------------------------------
def test_text_run_defines_every_column_and_the_text_columns(ran):
    ts = ran.timeseries()
    assert list(ts.columns) == list(COLUMNS) + list(TEXT_COLUMNS)
    defined = ts.drop(columns=["ai_attention_share", "originality_ai", "homogenization"])
    assert not defined.isna().any().any(), defined.isna().sum()
    assert np.isnan(ts["homogenization"].iloc[0]) and ts["homogenization"].iloc[1:].notna().all()  # no AI document at setup
    assert not ts["originality_ai"].iloc[1:].isna().any()
    assert (ts["model_perplexity"] > 1).all() and ts["vocabulary_coverage"].between(0, 1).all()
    assert ts["distinct_2_recent"].between(0, 1).all()


def test_every_item_is_a_document_whose_idea_is_its_rarest_word(ran):
    web = ran.web
    assert web.tokens.shape == (web.n, 20) and web.tokens.dtype == np.int32
    np.testing.assert_array_equal(web.idea, topics(web.tokens))
    lo, hi = web.rows(1, ran.steps)
    assert set(np.unique(web.source[lo:hi])) >= {0, 2}  # humans and models both wrote documents


def test_text_runs_are_reproducible():
    a = ContentEcosystem(small(**{"run.steps": 2}), seed=11)
    b = ContentEcosystem(small(**{"run.steps": 2}), seed=11)
    for m in (a, b):
        while m.running:
            m.step()
    pd.testing.assert_frame_equal(a.timeseries(), b.timeseries())
    np.testing.assert_array_equal(a.web.tokens, b.web.tokens)


def test_the_ideas_world_has_no_token_column():
    model = ContentEcosystem(Scenario().with_overrides({"world.archive_items": 500, "humans.count": 50, "run.steps": 1}, "test"), seed=1)
    model.step()
    assert model.web.tokens.shape == (model.web.n, 0)
    assert list(model.timeseries().columns) == list(COLUMNS)


def test_watermark_filtering_works_on_documents():
    model = ContentEcosystem(
        small(**{"policy.watermark_share": 1.0, "policy.watermark_tpr": 1.0, "policy.edit_strips_watermark": 0.0}), seed=3
    )
    while model.running:
        model.step()
    assert model.metrics["human_share_training"] == 1.0


def test_run_writes_samples_and_figures(tmp_path):
    out = tmp_path / "out"
    sets = [f"--set={k}={v}" for k, v in SMALL_TEXT.items() if k != "world.kind"]
    scenario = tmp_path / "text.toml"
    scenario.write_text('[world]\nkind = "text"\n', encoding="utf-8")
    assert cli.main(["run", str(scenario), "--quiet", "--out", str(out), *sets]) == 0
    samples = (out / "samples.md").read_text(encoding="utf-8")
    assert "## Prompt 1" in samples and "**generation 3**" in samples and "**human**" in samples
    for png in ("rank_frequency.png", "perplexity.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# -- bad input ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "content, key, words",
    [
        (None, "world.corpus", "cannot read"),
        (b"", "world.corpus", "no words"),
        (b"\xff\xfe bad bytes \xc3\x28", "world.corpus", "not UTF-8"),
        (b"too short", "world.corpus", "needs at least"),
        ("ngram", "ai.ngram", "allowed"),
    ],
)
def test_bad_text_input_exits_2_with_one_line(tmp_path, capfd, content, key, words):
    path = tmp_path / "corpus.txt"
    if isinstance(content, bytes):
        path.write_bytes(content)
    scenario = tmp_path / "s.toml"
    body = '[world]\nkind = "text"\ncorpus = "corpus.txt"\n' if content != "ngram" else '[world]\nkind = "text"\n[ai]\nngram = 4\n'
    scenario.write_text(body, encoding="utf-8")
    code = cli.main(["run", str(scenario), "--quiet", "--out", str(tmp_path / "out")])
    _, err = capfd.readouterr()
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and key in lines[0] and words in lines[0], err
    assert str(scenario) in lines[0]
    assert not (tmp_path / "out").exists()


def test_a_corpus_path_in_a_scenario_file_is_relative_to_that_file(tmp_path, corpus):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "s.toml").write_text(f'[world]\nkind = "text"\ncorpus = "../{corpus.name}"\n', encoding="utf-8")
    from model.scenario import load as load_scenario

    assert load(load_scenario(folder / "s.toml").world.corpus).size == tiny_culture(corpus).language.size


def test_latest_documents_show_human_and_model_text_side_by_side(ran):
    from model.text.samples import latest_documents

    docs = latest_documents(ran, n=3)
    assert len(docs["human"]) == 3 and len(docs["models"]) == 3
    last_ai = np.flatnonzero(ran.web.source != 0)[-1]
    assert docs["models"][-1] == ran.culture.language.decode(ran.web.tokens[last_ai])
    assert all(len(d.split()) == 20 for d in docs["human"] + docs["models"])
