"""The "what the models write" panel: in the text world (``world.kind = "text"``), the words themselves.

Side by side, the latest documents people published and the latest ones models wrote (AI
items and AI-assisted ones), with the models' perplexity on held-out human text; below them,
model 0's continuation of the same held-out human prompt at its first generation and now
(every generation continues it with the same random numbers, so what changes is the model).
In the ideas world nothing is written (an item is an idea and a point in meaning space), and
the panel says so in one line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

import reacton.ipyvuetify as rv
import solara
from mesa.visualization.utils import update_counter

from model.text.ngram import PROBE_DOCS, PROMPT_TOKENS
from model.text.samples import latest_documents
from model.web import AI, HUMAN
from viz.chart import COLOURS

#: Documents shown on each side (with the prompt's lines, what fits in a chart's place on the page).
DOCUMENTS = 2
TITLE = "What the models write"
#: Classes the page gives the panel and its documents (the browser test finds them by these).
PANEL, HUMAN_DOC, MODEL_DOC, PROMPT_DOC = "what-models-write", "sample-human", "sample-models", "sample-prompt"
LOST = "word-lost"  # a word of a human document the models no longer write


@dataclass(frozen=True)
class Writing:
    """What the panel shows of a text-world model at its current step.

    Attributes:
        step: the model's step.
        human, models: the latest documents published by people and written by models (AI or
            assisted), oldest first; ``models`` is empty before any model writes.
        generation: model 0's generation (0 without a fitted model).
        perplexity, first_perplexity: ``model_perplexity`` now and at setup (NaN without models).
        prompt: the first words of a held-out human document, and that document in full.
        continuations: (generation, model 0's continuation of the prompt) for the first generation and now.
        unwritten: the words of the human documents shown that model 0 did not write once in its latest
            :data:`~model.text.ngram.PROBE_DOCS` sample documents: what the models no longer write, marked.
    """

    step: int
    human: list[str]
    models: list[str]
    generation: int
    perplexity: float
    first_perplexity: float
    prompt: tuple[str, str] | None
    continuations: list[tuple[int, str]]
    unwritten: frozenset = field(default_factory=frozenset)


def writing(model, n: int = DOCUMENTS) -> Writing | None:
    """The panel's content for ``model``; None in the ideas world, where nothing is written."""
    if model.config.world.kind != "text":
        return None
    docs = latest_documents(model, n)
    language = model.culture.language
    history = getattr(model, "history", None)  # the page's model keeps every metric's history
    first = history["model_perplexity"][0] if history is not None and len(history["model_perplexity"]) else math.nan
    learner = model.ai_models[0].learner if model.ai_models else None
    prompt, continuations, generation = None, [], 0
    if learner is not None and learner.is_fitted:
        generation = model.ai_models[0].generation
        human = model.culture.held_out[0]
        prompt = (language.decode(human[:PROMPT_TOKENS]), language.decode(human))
        fits = learner.history_
        shown = [0, len(fits) - 1] if len(fits) > 1 else [0]
        continuations = [(g + 1, language.decode(fits[g][0])) for g in shown]
    unwritten = _unwritten(docs["human"], language, learner) if prompt else frozenset()
    return Writing(
        model.steps, docs["human"], docs["models"], generation, float(model.metrics.get("model_perplexity", math.nan)), float(first), prompt, continuations,
        unwritten,
    )


def _unwritten(documents: list[str], language, learner) -> frozenset:
    """The words of ``documents`` that the learner's latest sample documents never contain."""
    words = np.unique(" ".join(documents).split())
    ids = np.flatnonzero(np.isin(language.words, words))
    counts = learner.token_counts_[-1]
    return frozenset(language.words[ids[counts[ids] == 0]].tolist())


def _number(x: float) -> str:
    return f"{x:,.0f}" if math.isfinite(x) else "–"


def _document(text: str, colour: str, kind: str, marked=frozenset()) -> None:
    """A document as a paragraph; the words in ``marked`` highlighted."""
    parts: list = []
    for word in text.split(" "):
        if word in marked:
            parts += [rv.Html(tag="mark", children=[word], class_=LOST), " "]
        elif parts and isinstance(parts[-1], str):
            parts[-1] += word + " "
        else:
            parts.append(word + " ")
    if parts and isinstance(parts[-1], str):
        parts[-1] = parts[-1].rstrip()
    style = {"border-left": f"4px solid {colour}", "padding": "1px 8px", "margin": "2px 0", "font-family": "Georgia, serif", "font-size": "0.88rem", "line-height": "1.3"}
    solara.Div(children=[p for p in parts if p != ""], classes=[kind], style=style)


def _side(title: str, documents: list[str], colour: str, kind: str, empty: str, marked=frozenset()) -> None:
    with solara.Column(gap="2px"):
        solara.Text(title, style={"font-weight": "600", "color": colour, "font-size": "0.9rem"})
        for text in documents[::-1]:  # the newest first
            _document(text, colour, kind, marked)
        if not documents:
            solara.Text(empty, style={"color": "#666", "font-size": "0.85rem"})


@solara.component
def WhatTheModelsWrite(model):
    """The panel: re-rendered after every step (it reads Mesa's update counter)."""
    update_counter.get()
    shown = writing(model)
    with solara.Column(gap="4px", classes=[PANEL], style={"padding": "2px 6px"}):
        solara.Text(TITLE, style={"font-size": "1.05rem", "font-weight": "600"})
        if shown is None:
            solara.Text(
                "Nothing is written in the ideas world: an item is an idea and a point in meaning space, not words. "
                'Choose a preset in language mode (such as “Language mode”) as the first run and press Reset to read what people and models write.',
                style={"color": "#555", "font-size": "0.9rem"},
            )
            return
        solara.Text(
            f"Step {shown.step}, model generation {shown.generation}. Perplexity on held-out human text "
            f"{_number(shown.perplexity)}, at setup {_number(shown.first_perplexity)} (higher: further from human language).",
            style={"font-size": "0.85rem"},
        )
        if shown.unwritten:
            solara.Text(f"Marked: words of these human documents that model 0 did not write once in its latest {PROBE_DOCS} documents.",
                        style={"font-size": "0.85rem"})
        with solara.Columns([1, 1], gutters_dense=True):
            _side("People write (latest)", shown.human, COLOURS[HUMAN], HUMAN_DOC, "no human document yet", shown.unwritten)
            _side("Models write (latest AI or AI-assisted)", shown.models, COLOURS[AI], MODEL_DOC, "no model has written yet")
        if shown.prompt:
            words, full = shown.prompt
            solara.Text(f"Model 0 continues the human prompt “{words}”:", style={"font-weight": "600", "font-size": "0.9rem"})
            _document(f"human: {full}", COLOURS[HUMAN], PROMPT_DOC)
            for generation, text in shown.continuations:
                _document(f"generation {generation}: {text}", COLOURS[AI], PROMPT_DOC)
