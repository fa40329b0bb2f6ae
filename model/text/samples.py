"""What the models of a text-world run wrote, read from the model (a pure read, nothing drawn).

:func:`record` keeps what a results folder needs of a finished run (the tools write it as
``samples.md`` and two figures); :func:`latest_documents` is what a live view shows.
"""

from __future__ import annotations

import numpy as np

from model.web import HUMAN


def record(model) -> dict | None:
    """What the text files need of a finished model (None in the ideas world or without models)."""
    if not model.web.doc_tokens or not model.ai_models or not model.ai_models[0].learner.is_fitted:
        return None
    culture, web = model.culture, model.web
    learner = model.ai_models[0].learner
    language = culture.language
    V = language.size
    lo, hi = web.rows(max(1, model.steps - model.config.run.window + 1), model.steps)
    machine = web.source[lo:hi] != HUMAN
    return {
        "language": language.source,
        "ngram": learner.order,
        "human": [language.decode(row) for row in culture.held_out[: len(learner.history_[0])]],
        "generations": [[language.decode(row) for row in h] for h in learner.history_],
        "perplexities": list(learner.perplexities_),
        "frequencies": {
            "human text (the archive)": np.bincount(web.tokens[: model.archive_n].ravel(), minlength=V),
            "model 0, generation 1": learner.token_counts_[0],
            f"model 0, generation {len(learner.history_)}": learner.token_counts_[-1],
            "AI-made items, last window": np.bincount(web.tokens[lo:hi][machine].ravel(), minlength=V),
        },
    }


def latest_documents(model, n: int = 3) -> dict[str, list[str]]:
    """The last ``n`` human and the last ``n`` machine-made (AI or assisted) documents on the web, as text.

    What a live view shows side by side ("what the models write").
    """
    web, language = model.web, model.culture.language
    source = web.source
    out = {}
    for label, mask in (("human", source == HUMAN), ("models", source != HUMAN)):
        rows = np.flatnonzero(mask)[-n:]
        out[label] = [language.decode(web.tokens[r]) for r in rows]
    return out
