"""Writing human items: where a creator's idea comes from, and how the item is labelled.

A human item takes its idea from human culture (:meth:`model.ideas.HumanCulture.draw`,
scaled by its author's originality), or, with probability ``humans.homogenization``
times the AI share of the recent web, copies the idea of a random item of the web
creators read (the last ``humans.memory`` steps): human creativity is exposed to what
models write. In the text world a document's tokens are drawn instead (a copy takes the
read item's words) and its idea is their topic (``model/text/culture.py``). A copied idea is still written by a human, but it is not an original
contribution, so only ideas drawn from culture are added to culture.

A share ``policy.signed_share`` of human items carries a provenance signature, and a
share ``platform.label_share`` is labelled human-made by its author.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.ideas import HumanCulture
from model.text.culture import topics
from model.web import HUMAN, Items, Web


@dataclass
class HumanBatch:
    items: Items
    labelled: np.ndarray  # labelled human-made or signed
    own: np.ndarray  # the idea came from human culture (not copied from the web)


def write_human_items(
    authors: np.ndarray,
    originality: np.ndarray,
    culture: HumanCulture,
    web: Web,
    read_rows: tuple[int, int],
    ai_share_read: float,
    config,
    rng: np.random.Generator,
) -> HumanBatch:
    """Human items by ``authors`` (creator ids), each author's originality given per item.

    ``read_rows`` is the row range of the web creators read, whose AI share is ``ai_share_read``.
    """
    n = len(authors)
    lo, hi = read_rows
    ideas = np.empty(n, np.int64)
    tokens = np.empty((n, web.doc_tokens), np.int32)
    copied = (rng.random(n) < config.humans.homogenization * ai_share_read) & (hi > lo)
    if copied.any():
        source_rows = lo + rng.integers(hi - lo, size=int(copied.sum()))
        ideas[copied] = web.idea[source_rows]
        tokens[copied] = web.tokens[source_rows]  # the text world: the copy rewrites the web's words
    if web.doc_tokens:  # the text world: a document's words decide its idea, its topic
        tokens[~copied] = culture.draw_documents(originality[~copied], rng)
        ideas[~copied] = topics(tokens[~copied])
    else:
        ideas[~copied] = culture.draw(originality[~copied], rng)
    signed = rng.random(n) < config.policy.signed_share
    labelled = signed | (rng.random(n) < config.platform.label_share)
    vec = culture.embed(tokens, rng) if web.doc_tokens else culture.render(ideas, rng)
    items = Items.make(ideas, vec, source=HUMAN, author=authors, depth=0.0, signed=signed, tokens=tokens)
    return HumanBatch(items, labelled, ~copied)
