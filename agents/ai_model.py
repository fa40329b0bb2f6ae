"""AIModel: one model line of one lab.

It publishes items sampled from its learned distribution, and every
``retrain_every`` steps trains a new generation on a scrape of the web (the
scrape, filter and mix are in ``model/policies.py``). How much it publishes is
its own decision:

* ``fixed`` supply: ``items_per_step * (1 + output_growth)**(t - 1)``, exogenous;
* ``market`` supply: the lab expands output while an item earns more attention than
  its last item cost to publish, and contracts while it earns less; the marginal cost
  rises with output (:func:`model.market.marginal_cost`, :func:`model.market.next_output`).

Its generation and the synthetic depth of its training set are observable.
"""

from __future__ import annotations

import mesa
import numpy as np

from model.learning import Learner
from model.market import marginal_cost, next_output
from model.web import AI, HUMAN, Items


class AIModel(mesa.Agent):
    """An AI model line.

    Its ``unique_id`` is ``-1 - lab`` (creators' ids count up from 0).

    Attributes:
        lab: index of the model line, the ``author`` of its items.
        learner: the fitted learning rule (a :class:`model.learning.Learner`).
        output: items it intends to publish this step (a real number; rounded with a carried remainder).
        earned_per_item: attention one of its items earned at the last step.
        generation: fits so far; generation 1 is trained on the archive at setup.
        last_trained: step of the latest fit (0 = setup).
        training_size: items in the latest training set.
        training_human_share: human share of the latest training set.
        training_depth: mean depth of the latest training set.
    """

    def __init__(self, model: mesa.Model, lab: int, learner: Learner, ai):
        super().__init__(model)
        self.unique_id = -1 - lab  # negative: creators' ids (their author ids) count up from 0
        self.lab = lab
        self.learner = learner
        self.supply = ai.supply
        self.start_output = ai.items_per_step
        self.output = ai.items_per_step
        self.output_growth = ai.output_growth
        self.earned_per_item = float("nan")
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
        """Whole items to publish at ``step`` before any cap (the fractional rest is carried)."""
        if self.supply == "fixed":
            self.output = self.start_output * (1.0 + self.output_growth) ** (step - 1)
        self._carry += self.output
        n = int(np.floor(self._carry + 1e-9))
        self._carry -= n
        return n

    def published(self, n: int, planned: int) -> None:
        """Record what it was allowed to publish: under a binding output cap, a lab plans from what it could publish."""
        if self.supply == "market" and n < planned:
            self.output = float(n)
            self._carry = 0.0

    def respond_to_market(self, earned_per_item: float, ai, reference: float) -> None:
        """Market supply: set next step's output from what an item earned against the marginal cost of its last item.

        ``reference`` is the output at which the marginal cost is ``ai.cost``: this lab's share of
        one item per creator of the world.
        """
        self.earned_per_item = earned_per_item
        if self.supply == "market":
            cost = marginal_cost(self.output, ai.cost, ai.cost_elasticity, reference)
            self.output = next_output(self.output, earned_per_item, cost, ai.adjustment, ai.max_change)

    def is_due(self, step: int, retrain_every: int) -> bool:
        return step % retrain_every == 0

    def write(self, n: int, rng: np.random.Generator, *, source: int = AI, author=None, watermark=None) -> Items:
        """Sample ``n`` items; ``source=ASSISTED`` when a human publishes them through this model as a tool."""
        cols = self.learner.generate(n, rng)
        return Items.make(
            cols["idea"],
            cols["vec"],
            source=source,
            author=self.lab if author is None else author,
            depth=self.output_depth,
            watermark=False if watermark is None else watermark,
            tokens=cols.get("tokens"),
        )

    def train(self, training_set: Items, step: int) -> None:
        """Fit the next generation on a training set."""
        self.learner.learn(training_set, self.model.rng)
        self.generation += 1
        self.last_trained = step
        self.training_size = len(training_set)
        self.training_human_share = float(np.mean(training_set.source == HUMAN))
        self.training_depth = float(np.mean(training_set.depth))
