"""AIModel: one model line of one lab.

It publishes a growing number of items sampled from its learned distribution,
and every ``retrain_every`` steps trains a new generation on a scrape of the web
(the scrape, filter and mix are in ``model/policies.py``). Its generation and the
synthetic depth of its training set are observable.
"""

from __future__ import annotations

import mesa
import numpy as np

from model.learning import IdeaGaussian
from model.web import AI, HUMAN, Items


class AIModel(mesa.Agent):
    """An AI model line.

    Attributes:
        lab: index of the model line, the ``author`` of its items.
        learner: the fitted learning rule (:class:`IdeaGaussian`).
        generation: fits so far; generation 1 is trained on the archive at setup.
        last_trained: step of the latest fit (0 = setup).
        training_size: items in the latest training set.
        training_human_share: human share of the latest training set.
        training_depth: mean depth of the latest training set.
    """

    def __init__(self, model: mesa.Model, lab: int, learner: IdeaGaussian, items_per_step: float, output_growth: float):
        super().__init__(model)
        self.lab = lab
        self.learner = learner
        self.items_per_step = items_per_step
        self.output_growth = output_growth
        self.generation = 0
        self.last_trained = 0
        self.training_size = 0
        self.training_human_share = float("nan")
        self.training_depth = float("nan")
        self._carry = 0.0  # fractional items owed, so output is exact on average

    @property
    def output_depth(self) -> float:
        """Depth of the items this generation writes: one more than its training data."""
        return 1.0 + self.training_depth

    def planned_output(self, step: int) -> int:
        """Items this model would publish at ``step`` before any cap: ``items_per_step * (1+g)**(step-1)``."""
        self._carry += self.items_per_step * (1.0 + self.output_growth) ** (step - 1)
        n = int(np.floor(self._carry + 1e-9))
        self._carry -= n
        return n

    def is_due(self, step: int, retrain_every: int) -> bool:
        return step % retrain_every == 0

    def write(self, n: int, rng: np.random.Generator, *, source: int = AI, author=None, watermark=None) -> Items:
        """Sample ``n`` items; ``source=ASSISTED`` when a human publishes them through this model as a tool."""
        ideas, vecs = self.learner.sample(n, rng)
        return Items.make(
            ideas,
            vecs,
            source=source,
            author=self.lab if author is None else author,
            depth=self.output_depth,
            watermark=False if watermark is None else watermark,
        )

    def train(self, training_set: Items, step: int) -> None:
        """Fit the next generation on a training set."""
        self.learner.fit(training_set.idea, training_set.vec)
        self.generation += 1
        self.last_trained = step
        self.training_size = len(training_set)
        self.training_human_share = float(np.mean(training_set.source == HUMAN))
        self.training_depth = float(np.mean(training_set.depth))

