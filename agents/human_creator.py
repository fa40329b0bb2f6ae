"""HumanCreator: a person who writes for the web and lives off its attention.

Each creator is a Mesa agent, but its state is one row of a
:class:`CreatorPopulation`, and the population's decision rules are written once,
vectorized over all active creators: a reference run has thousands of creators and
hundreds of steps, and a Python call per creator per step would cost more than
everything else together. The agent object is a view of its row.

Only active creators have rows: one who exits is removed (and its cost returns to
the pool of would-be creators), so a step costs what the active creators cost.

Behaviour (per step, while active):

* publish a Poisson number of human items (``productivity``); a creator using an AI
  tool publishes ``ai_speedup`` times as many, the extra ones sampled from its tool
  model and labelled assisted (each at ``1/ai_speedup`` of the cost);
* book income (attention, subsidy, royalties) against cost, and exit when its margin
  summed over the last ``patience`` months (its books for the period, starting from the
  margin it expected when it entered) is negative: a creator decides on months, not on
  one step, and a royalty paid once every ``patience`` months or more often counts;
* adopt an AI tool with probability ``p + q * adopted neighbours / degree`` (Bass
  diffusion over the social graph), and stop using it when the tool's own smoothed
  margin turns negative.

Would-be creators (a finite pool, each with a cost) enter with probability
``entry_rate`` a step while the income an item earns covers their cost.
"""

from __future__ import annotations

import mesa
import networkx as nx
import numpy as np


def _lognormal(rng: np.random.Generator, mean: float, sigma: float, n: int) -> np.ndarray:
    """Lognormal draws with the given mean."""
    return mean * np.exp(sigma * rng.standard_normal(n) - sigma**2 / 2)


class CreatorPopulation:
    """The active creators, one row each, the pool of would-be creators, and the social graph.

    Attributes (one entry per active creator, in order of ``id``):
        id: stable creator id (the ``author`` of its items); ids grow, never reused.
        originality: multiplier of the chance to coin a new idea (lognormal, mean 1).
        productivity: mean human items per step.
        cost: cost of writing one human item.
        adopted: uses an AI tool.
        tool: index of the AI model used as a tool (-1 = none).
        books: margin (income minus cost) of each of the last ``patience`` months, a ring.
        margin_sum: the sum of ``books`` per creator.
        tool_margin: smoothed monthly margin of the assisted items (income minus their cost).
        tool_months: months of tool use so far (the smoothing starts as a plain mean).
        income, spent: last step's income and cost.
        items: items it published last step, human and assisted.
        items_total: items it has published since it entered.
        pool: sorted costs of the would-be creators who are not active.
        version: counts changes of the rows (entries, exits), so an agent knows when to look its row up again.
        graph: the social graph among active creators as a networkx graph, nodes are ids (built
            when asked; the population keeps it as two edge arrays of rows).
    """

    _COLUMNS = (
        "id", "originality", "productivity", "cost", "adopted", "tool", "books", "margin_sum", "tool_margin", "tool_months",
        "income", "spent", "items", "items_total",
    )  # fmt: skip

    def __init__(self, humans, rng: np.random.Generator):
        self.humans = humans
        self.id = np.zeros(0, np.int64)
        self.originality = np.zeros(0)
        self.productivity = np.zeros(0)
        self.cost = np.zeros(0)
        self.adopted = np.zeros(0, bool)
        self.tool = np.zeros(0, np.int64)
        self.books = np.zeros((0, humans.patience))
        self.margin_sum = np.zeros(0)
        self.month = 0  # the column of ``books`` written next
        self.tool_margin = np.zeros(0)
        self.tool_months = np.zeros(0, np.int64)
        self.income = np.zeros(0)
        self.spent = np.zeros(0)
        self.items = np.zeros(0, np.int64)
        self.items_total = np.zeros(0, np.int64)
        self.version = 0
        self.next_id = 0
        self.exited = 0  # creators who have left so far
        # The pool: the cheapest `count` of its members write at setup (the pre-AI market).
        costs = np.sort(_lognormal(rng, humans.cost, humans.cost_sigma, round(humans.pool * humans.count)))
        self.pool = costs[humans.count :]
        marginal = costs[humans.count] if len(self.pool) else (costs[-1] if len(costs) else 0.0)
        # Shuffled, so that a creator's cost says nothing about its place in the social graph
        # (the earliest nodes of a Barabasi-Albert graph are its hubs).
        self._add_rows(rng.permutation(costs[: humans.count]), rng, expected_income=marginal)
        m, n = self.attachments, humans.count
        if m == 0 or n == 0:
            graph = nx.empty_graph(n)
        elif n <= m:
            graph = nx.complete_graph(n)
        else:
            # An integer seed drawn from the model's generator: networkx's wrapper of a
            # numpy Generator is ~30x slower at 50,000 creators.
            graph = nx.barabasi_albert_graph(n, m, seed=int(rng.integers(2**63)))
        self._edges_from_graph(graph)

    @property
    def size(self) -> int:
        return len(self.id)

    @property
    def n_active(self) -> int:
        return self.size

    @property
    def attachments(self) -> int:
        """Edges a newcomer makes (Barabasi-Albert m)."""
        return self.humans.graph_degree // 2

    def rows_of(self, ids: np.ndarray) -> np.ndarray:
        """Row of each creator id, -1 for creators who have left."""
        ids = np.asarray(ids, np.int64)
        rows = np.minimum(np.searchsorted(self.id, ids), max(self.size - 1, 0))
        found = (self.size > 0) & (self.id[rows] == ids) if self.size else np.zeros(len(ids), bool)
        return np.where(found, rows, -1)

    def _add_rows(self, cost: np.ndarray, rng: np.random.Generator, expected_income: float) -> np.ndarray:
        """New creators, whose books start at the margin they expect per item at ``expected_income``."""
        h, k = self.humans, len(cost)
        productivity = _lognormal(rng, h.productivity, h.productivity_sigma, k)
        expected = (expected_income - cost) * productivity
        new = {
            "id": np.arange(self.next_id, self.next_id + k, dtype=np.int64),
            "originality": _lognormal(rng, 1.0, h.originality_sigma, k),
            "productivity": productivity,
            "cost": cost,
            "adopted": np.zeros(k, bool),
            "tool": np.full(k, -1, np.int64),
            "books": np.repeat(expected[:, None], h.patience, axis=1),
            "margin_sum": h.patience * expected,
            "tool_margin": np.zeros(k),
            "tool_months": np.zeros(k, np.int64),
            "income": np.zeros(k),
            "spent": np.zeros(k),
            "items": np.zeros(k, np.int64),
            "items_total": np.zeros(k, np.int64),
        }
        self.next_id += k
        self.version += 1
        first = self.size
        for name in self._COLUMNS:
            setattr(self, name, np.concatenate([getattr(self, name), new[name]]))
        return np.arange(first, first + k)

    @property
    def graph(self) -> nx.Graph:
        """The social graph among active creators (nodes are ids), built from the edge arrays."""
        graph = nx.Graph()
        graph.add_nodes_from(self.id.tolist())
        once = self._src < self._dst  # each edge is kept in both directions
        graph.add_edges_from(zip(self.id[self._src[once]].tolist(), self.id[self._dst[once]].tolist()))
        return graph

    def _edges_from_graph(self, graph: nx.Graph) -> None:
        edges = self.rows_of(np.array(graph.edges(), dtype=np.int64).reshape(-1))
        edges = edges.reshape(-1, 2)
        # Both directions, in rows, so neighbour sums are one bincount.
        self._src = np.concatenate([edges[:, 0], edges[:, 1]])
        self._dst = np.concatenate([edges[:, 1], edges[:, 0]])

    # -- decisions -------------------------------------------------------------------
    def plan_output(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Human and assisted items each active creator publishes this step."""
        rate = self.productivity
        extra = np.where(self.adopted, rate * (self.humans.ai_speedup - 1.0), 0.0)
        return rng.poisson(rate), rng.poisson(extra)

    def settle(self, income: np.ndarray, tool_income: np.ndarray, n_human: np.ndarray, n_assisted: np.ndarray) -> np.ndarray:
        """Book a step's income against cost, drop tools that do not pay, and remove those who go broke.

        Returns the ids of the creators who exit now.
        """
        h = self.humans
        tool_cost = self.cost * n_assisted / h.ai_speedup
        self.spent = self.cost * n_human + tool_cost
        self.income = income
        self.items = n_human + n_assisted
        self.items_total = self.items_total + self.items
        self.books[:, self.month] = income - self.spent
        self.month = (self.month + 1) % h.patience
        self.margin_sum = self.books.sum(axis=1)  # summed afresh: a running sum would drift below 0

        # The tool's margin: a plain mean over its first `patience` months, then exponential smoothing.
        used = self.adopted & (n_assisted > 0)
        self.tool_months = self.tool_months + used
        alpha = np.where(used, 1.0 / np.clip(self.tool_months, 1, h.patience), 0.0)
        self.tool_margin += alpha * (tool_income - tool_cost - self.tool_margin)
        dropped = self.adopted & (self.tool_months > 0) & (self.tool_margin < 0)
        self.adopted[dropped] = False
        self.tool[dropped] = -1

        leaving = self.margin_sum < 0
        exits = self.id[leaving]
        if len(exits):
            self._remove(leaving)
        return exits

    def _remove(self, leaving: np.ndarray) -> None:
        """Remove rows; their costs rejoin the pool of would-be creators."""
        self.pool = np.sort(np.concatenate([self.pool, self.cost[leaving]]))
        keep = ~leaving
        for name in self._COLUMNS:
            setattr(self, name, getattr(self, name)[keep])
        self.exited += int(leaving.sum())
        self.version += 1
        # Renumber the edge lists in numpy rather than rebuild them from the graph.
        new_row = np.cumsum(keep) - 1
        both = keep[self._src] & keep[self._dst]
        self._src, self._dst = new_row[self._src[both]], new_row[self._dst[both]]

    def enter(self, income_per_item: float, rng: np.random.Generator) -> np.ndarray:
        """Would-be creators whose cost is below ``income_per_item`` enter with probability ``entry_rate``.

        Newcomers attach to active creators by preferential attachment. Returns their ids.
        """
        eligible = int(np.searchsorted(self.pool, income_per_item))  # the pool is sorted by cost
        k = int(rng.binomial(eligible, self.humans.entry_rate)) if eligible else 0
        if k == 0:
            return np.zeros(0, np.int64)
        chosen = rng.choice(eligible, size=k, replace=False)
        cost = self.pool[chosen]
        self.pool = np.delete(self.pool, chosen)
        candidates = np.arange(self.size)
        rows = self._add_rows(cost, rng, expected_income=income_per_item)
        ids = self.id[rows]
        m = self.attachments
        if m and len(candidates):
            degree = np.bincount(self._src, minlength=self.size)[candidates] + 1.0
            # Drawn with replacement in one call; a repeated target is one edge.
            targets = rng.choice(candidates, size=(k, m), p=degree / degree.sum())
            # Unique (row, target) pairs in lexicographic order, through one integer key (np.unique(axis=0) is slow).
            key = np.unique(np.repeat(rows, m) * self.size + targets.ravel())
            pairs = np.column_stack([key // self.size, key % self.size])
            self._src = np.concatenate([self._src, pairs[:, 0], pairs[:, 1]])
            self._dst = np.concatenate([self._dst, pairs[:, 1], pairs[:, 0]])
        return ids

    def adopt(self, rng: np.random.Generator, tools: np.ndarray) -> np.ndarray:
        """Bass diffusion over the graph; returns the rows adopting now, each assigned one of ``tools`` (lab ids)."""
        if len(tools) == 0 or self.size == 0:
            return np.zeros(0, np.int64)
        degree = np.bincount(self._src, minlength=self.size).astype(float)
        adopted_nb = np.bincount(self._src, weights=self.adopted[self._dst], minlength=self.size)
        social = np.divide(adopted_nb, degree, out=np.zeros(self.size), where=degree > 0)
        p = self.humans.adoption_p + self.humans.adoption_q * social
        rows = np.flatnonzero(~self.adopted & (rng.random(self.size) < p))
        self.adopted[rows] = True
        self.tool[rows] = tools[rng.integers(len(tools), size=len(rows))]
        self.tool_margin[rows] = 0.0
        self.tool_months[rows] = 0
        return rows


class HumanCreator(mesa.Agent):
    """A human creator; its state is the row of ``model.creators`` with its id.

    Its ``unique_id`` is its creator id, the ``author`` of its items on the web.
    """

    def __init__(self, model: mesa.Model, creator_id: int):
        super().__init__(model)
        self.unique_id = creator_id  # Mesa numbers agents itself; the author id is the one that means something
        self._looked_up = (-1, -1)  # (population version, row)

    @property
    def creator_id(self) -> int:
        return self.unique_id

    @property
    def _row(self) -> int:
        pop = self.model.creators
        version, row = self._looked_up
        if version != pop.version:  # rows moved (an entry or an exit) since the last look-up
            row = int(pop.rows_of(np.array([self.unique_id]))[0])
            if row < 0:
                raise LookupError(f"creator {self.unique_id} has left the web")
            self._looked_up = (pop.version, row)
        return row

    def _get(self, column: str):
        return getattr(self.model.creators, column)[self._row]

    @property
    def originality(self) -> float:
        return float(self._get("originality"))

    @property
    def productivity(self) -> float:
        return float(self._get("productivity"))

    @property
    def cost(self) -> float:
        return float(self._get("cost"))

    @property
    def adopted(self) -> bool:
        """Uses an AI tool."""
        return bool(self._get("adopted"))

    @property
    def tool(self) -> int:
        """The lab whose model it uses as a tool (-1: none)."""
        return int(self._get("tool"))

    @property
    def margin_sum(self) -> float:
        """Margin summed over the last ``patience`` months."""
        return float(self._get("margin_sum"))

    @property
    def income(self) -> float:
        """Income of the last step."""
        return float(self._get("income"))

    @property
    def margin(self) -> float:
        """Income minus cost of the last step."""
        row = self._row
        return float(self.model.creators.income[row] - self.model.creators.spent[row])

    @property
    def items(self) -> int:
        """Items published last step, human and assisted."""
        return int(self._get("items"))

    @property
    def items_total(self) -> int:
        """Items published since it entered."""
        return int(self._get("items_total"))
