"""Mesa 3.3's agent-id counters, held so that a finished model can be freed.

Mesa 3.3's ``Agent`` numbers agents from a class-level ``defaultdict`` keyed by the model, so a
long-lived process (a compare or sweep worker, a calibration, the visual server) keeps every
model it ever built alive: about 17 MB a baseline run. Mesa 3.5 counts in the model. Holding the
counters by weak keys frees the models and counts ids exactly as before.
"""

from __future__ import annotations

import itertools
import weakref
from collections import defaultdict

import mesa


class WeakCounters(weakref.WeakKeyDictionary):
    """Per-model agent counters, ``itertools.count(1)`` on first use, held by weak keys."""

    def __getitem__(self, model):
        try:
            return super().__getitem__(model)
        except KeyError:
            self[model] = counter = itertools.count(1)
            return counter


def hold_weakly() -> None:
    """Replace Mesa 3.3's strong counters by weak ones (nothing to do on Mesa 3.5, or if done)."""
    ids = mesa.Agent.__dict__.get("_ids")
    if isinstance(ids, defaultdict):
        mesa.Agent._ids = WeakCounters(ids)
