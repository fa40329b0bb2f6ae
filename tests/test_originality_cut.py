"""experiments/originality.py (the head-cut table of docs/metrics.md) agrees with the model's own columns at the model's cut."""

import numpy as np

from experiments import library, originality
from model.ecosystem import ContentEcosystem
from model.ideas import HEAD_MASS


def test_at_the_models_head_cut_the_table_gives_the_models_originality_columns():
    model = ContentEcosystem(library.quick("baseline").with_overrides({"run.steps": 14}), seed=3)
    for _ in range(14):
        model.step()
    overall, human, other = originality.indices(model, (HEAD_MASS,))[0]
    row = model.metrics
    assert np.allclose([overall, human, other], [row["originality_index"], row["originality_human"], row["originality_ai"]], rtol=1e-12)

