"""HumanCreator: a person who writes for the web and lives off its attention.

Each creator is a Mesa agent, but its state is one row of a
:class:`CreatorPopulation`, and the population's decision rules are written once,
vectorized over all creators: a reference run has thousands of creators and
hundreds of steps, and a Python call per creator per step would cost more than
everything else together. The agent object is a view of its row.

Behaviour (per step, while active):

* publish a Poisson number of human items (``productivity``); an adopter of an AI
  tool publishes ``ai_speedup`` times as many, the extra ones sampled from its
  tool model and labelled assisted (each at ``1/ai_speedup`` of the cost);
* earn attention, subsidy and royalties; after ``patience`` steps in a row of
  income below cost, exit;
* adopt an AI tool with probability ``p + q * adopted neighbours / degree``
  (Bass diffusion over the social graph).
"""

from __future__ import annotations

import mesa
import networkx as nx
import numpy as np


def _lognormal(rng: np.random.Generator, mean: float, sigma: float, n: int) -> np.ndarray:
    """Lognormal draws with the given mean."""
    return mean * np.exp(sigma * rng.standard_normal(n) - sigma**2 / 2)


class CreatorPopulation:
    """All creators who ever existed, one row each; the social graph among them.

    Attributes:
        originality: multiplier of the chance to coin a new idea (lognormal, mean 1).
        productivity: mean human items per step.
        cost: cost of writing one human item.
        active: still publishing.
        adopted: uses an AI tool.
        tool: index of the AI model used as a tool (-1 = none).
        streak: consecutive steps with income below cost.
        income, spent: last step's income and cost.
        graph: the networkx social graph, one node per row.
    """

    _COLUMNS = ("originality", "productivity", "cost", "active", "adopted", "tool", "streak", "income", "spent")

    def __init__(self, humans, rng: np.random.Generator):
        self.humans = humans
        self.originality = np.zeros(0)
        self.productivity = np.zeros(0)
        self.cost = np.zeros(0)
        self.active = np.zeros(0, bool)
        self.adopted = np.zeros(0, bool)
        self.tool = np.zeros(0, np.int64)
        self.streak = np.zeros(0, np.int64)
        self.income = np.zeros(0)
        self.spent = np.zeros(0)
        self._add_rows(humans.count, rng)
        m = self.attachments
        n = humans.count
        if m == 0 or n == 0:
            self.graph = nx.empty_graph(n)
        elif n <= m:
            self.graph = nx.complete_graph(n)
        else:
            # An integer seed drawn from the model's generator: networkx's wrapper of a
            # numpy Generator is ~30x slower at 50,000 creators.
            self.graph = nx.barabasi_albert_graph(n, m, seed=int(rng.integers(2**63)))
        self._edges_from_graph()

    @property
    def size(self) -> int:
        return len(self.active)

    @property
    def n_active(self) -> int:
        return int(self.active.sum())

    @property
    def attachments(self) -> int:
        """Edges a newcomer makes (Barabasi-Albert m)."""
        return self.humans.graph_degree // 2

    def _add_rows(self, k: int, rng: np.random.Generator, cost: np.ndarray | None = None) -> np.ndarray:
        h = self.humans
        if cost is None:
            cost = _lognormal(rng, h.cost, h.cost_sigma, k)
        new = {
            "originality": _lognormal(rng, 1.0, h.originality_sigma, k),
            "productivity": _lognormal(rng, h.productivity, h.productivity_sigma, k),
            "cost": cost,
            "active": np.ones(k, bool),
            "adopted": np.zeros(k, bool),
            "tool": np.full(k, -1, np.int64),
            "streak": np.zeros(k, np.int64),
            "income": np.zeros(k),
            "spent": np.zeros(k),
        }
        first = self.size
        for name in self._COLUMNS:
            setattr(self, name, np.concatenate([getattr(self, name), new[name]]))
        return np.arange(first, first + k)

    def _edges_from_graph(self) -> None:
        edges = np.array(self.graph.edges(), dtype=np.int64).reshape(-1, 2)
        # Both directions, so neighbour sums are one bincount.
        self._src = np.concatenate([edges[:, 0], edges[:, 1]])
        self._dst = np.concatenate([edges[:, 1], edges[:, 0]])

    # -- decisions -------------------------------------------------------------------
    def plan_output(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Human and assisted items each creator publishes this step (zeros when inactive)."""
        if not self.size:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        rate = np.where(self.active, self.productivity, 0.0)
        extra = np.where(self.adopted & self.active, rate * (self.humans.ai_speedup - 1.0), 0.0)
        return rng.poisson(rate), rng.poisson(extra)

    def settle(self, income: np.ndarray, n_human: np.ndarray, n_assisted: np.ndarray) -> np.ndarray:
        """Book a step's income against cost; returns the rows that exit now."""
        spent = self.cost * (n_human + n_assisted / self.humans.ai_speedup)
        self.income, self.spent = income, spent
        published = (n_human + n_assisted) > 0
        below = income < spent
        self.streak = np.where(published, np.where(below, self.streak + 1, 0), self.streak)
        exits = np.flatnonzero(self.active & (self.streak >= self.humans.patience))
        self.active[exits] = False
        return exits

    def enter(self, k: int, expected_income: float, rng: np.random.Generator) -> np.ndarray:
        """Of ``k`` would-be creators, those whose cost is below ``expected_income`` per item join.

        Newcomers attach to active creators by preferential attachment.
        """
        h = self.humans
        cost = _lognormal(rng, h.cost, h.cost_sigma, k)
        cost = cost[cost < expected_income]
        k = len(cost)
        candidates = np.flatnonzero(self.active)
        rows = self._add_rows(k, rng, cost)
        self.graph.add_nodes_from(rows.tolist())
        m = self.attachments
        if m and len(candidates):
            degree = np.bincount(self._src, minlength=self.size)[candidates] + 1.0
            # Drawn with replacement in one call; a repeated target is one edge.
            targets = rng.choice(candidates, size=(k, m), p=degree / degree.sum())
            pairs = np.unique(np.column_stack([np.repeat(rows, m), targets.ravel()]), axis=0)
            self.graph.add_edges_from(pairs.tolist())
            self._src = np.concatenate([self._src, pairs[:, 0], pairs[:, 1]])
            self._dst = np.concatenate([self._dst, pairs[:, 1], pairs[:, 0]])
        return rows

    def adopt(self, rng: np.random.Generator, n_tools: int) -> np.ndarray:
        """Bass diffusion over the graph; returns the rows adopting now, each assigned a tool model."""
        if n_tools == 0:
            return np.zeros(0, np.int64)
        live = self.active[self._dst]
        degree = np.bincount(self._src, weights=live, minlength=self.size)
        adopted_nb = np.bincount(self._src, weights=live & self.adopted[self._dst], minlength=self.size)
        social = np.divide(adopted_nb, degree, out=np.zeros(self.size), where=degree > 0)
        p = self.humans.adoption_p + self.humans.adoption_q * social
        candidates = self.active & ~self.adopted
        rows = np.flatnonzero(candidates & (rng.random(self.size) < p))
        self.adopted[rows] = True
        self.tool[rows] = rng.integers(n_tools, size=len(rows))
        return rows


class HumanCreator(mesa.Agent):
    """A human creator; its state is row ``row`` of ``model.creators``."""

    def __init__(self, model: mesa.Model, row: int):
        super().__init__(model)
        self.row = row

    @property
    def _pop(self) -> CreatorPopulation:
        return self.model.creators

    @property
    def originality(self) -> float:
        return float(self._pop.originality[self.row])

    @property
    def productivity(self) -> float:
        return float(self._pop.productivity[self.row])

    @property
    def cost(self) -> float:
        return float(self._pop.cost[self.row])

    @property
    def active(self) -> bool:
        return bool(self._pop.active[self.row])

    @property
    def adopted(self) -> bool:
        return bool(self._pop.adopted[self.row])

    @property
    def income(self) -> float:
        """Income of the last step."""
        return float(self._pop.income[self.row])

    @property
    def margin(self) -> float:
        """Income minus cost of the last step."""
        return float(self._pop.income[self.row] - self._pop.spent[self.row])
