"""A finished model is freed: a long-lived process (a worker of compare, sweep or calibrate, the server) does not keep it."""

from __future__ import annotations

import gc
import weakref

from experiments.library import quick
from model.ecosystem import ContentEcosystem


def test_a_model_nobody_holds_is_freed():
    model = ContentEcosystem(quick().with_overrides({"run.steps": 2}), seed=1)
    model.step()
    ids = [a.unique_id for a in model.agents]
    gone = weakref.ref(model)
    del model
    gc.collect()
    assert gone() is None  # Mesa 3.3's agent counters held every model alive (model/agent_ids.py)
    again = ContentEcosystem(quick().with_overrides({"run.steps": 2}), seed=1)
    again.step()
    assert [a.unique_id for a in again.agents] == ids  # ids counted per model, as before
