"""ContentEcosystem: human creators and AI models publish to one web that later models train on.

The step follows DESIGN.md's order:

1. creators and models publish this step's items;
2. models whose retraining is due scrape, filter, mix and fit (so generation
   g+1 sees what was published up to and including this step);
3. attention, income, exit and entry, and AI-tool adoption are updated;
4. the metrics are recorded.

Agents decide (how many items, whether to exit or adopt); batched numpy code in
``model/`` produces the items, assembles training sets, learns and measures.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import mesa
import numpy as np

from agents.ai_model import AIModel
from agents.human_creator import CreatorPopulation, HumanCreator
from model import attention, metrics, policies
from model.ideas import make_culture
from model.learning import IdeaGaussian
from model.scenario import Scenario
from model.web import AI, ARCHIVE_AUTHOR, ASSISTED, HUMAN, Items, Web

#: The metric columns, in the order of DESIGN.md; these names are the interface.
COLUMNS = (
    "step",
    "items_new",
    "human_share_new",
    "assisted_share_new",
    "ai_share_new",
    "human_share_web",
    "human_share_training",
    "new_ideas",
    "distinct_ideas_recent",
    "effective_ideas_recent",
    "simpson_recent",
    "tail_share_recent",
    "originality_index",
    "dispersion_recent",
    "model_coverage",
    "model_variance",
    "model_mean_error",
    "model_generation",
    "synthetic_depth",
    "active_humans",
    "ai_adoption",
)


def read_metric(name: str, model: ContentEcosystem):
    """DataCollector reporter: one column of the metrics the model measured this step."""
    return model.metrics[name]


@dataclass
class StepOutput:
    """What the creators wrote this step, kept for the economy after retraining."""

    lo: int  # first web row of this step
    hi: int
    labelled: np.ndarray  # per row: a human item labelled human-made or signed
    n_human: np.ndarray  # per creator row
    n_assisted: np.ndarray


class ContentEcosystem(mesa.Model):
    """The content ecosystem.

    Build it from a :class:`Scenario`, or from flat ``section_key=value`` keywords
    (``ContentEcosystem(ai_models=2, policy_data_regime="accumulate", seed=3)``),
    which is what SolaraViz passes. Keywords given with a scenario override it.

    Attributes:
        config: the resolved scenario.
        web: the columnar store of every item.
        culture: human culture (idea counts and centroids).
        creators: the creator population (one row per creator ever).
        ai_models: the AI model agents, in lab order.
        metrics: the latest metrics row, a dict keyed by :data:`COLUMNS`.
        datacollector: one row per step, step 0 being the archive at setup.
    """

    def __init__(self, scenario: Scenario | None = None, *, seed: int | None = None, rng=None, **flat):
        if rng is not None:
            if not isinstance(rng, int | np.integer):
                raise TypeError("rng must be an integer seed: every draw comes from the model's own generator, seeded by run.seed")
            seed = int(rng) if seed is None else seed
        scenario = (scenario or Scenario()).with_flat(**flat)
        if seed is not None:
            scenario = scenario.with_overrides({"run.seed": int(seed)}, "seed")
        # A Generator (not an int) makes Mesa 3.3 and 3.5 consume the same draws.
        super().__init__(rng=np.random.default_rng(scenario.run.seed))
        self.config = scenario
        world, humans, ai = scenario.world, scenario.humans, scenario.ai

        self.culture = make_culture(world, self.rng)
        self.web = Web(world.dim, capacity=max(4096, 2 * world.archive_items))
        archive_ideas = self.culture.generate_archive(world.archive_items, self.rng)
        archive = Items.make(archive_ideas, self.culture.render(archive_ideas, self.rng), source=HUMAN, author=ARCHIVE_AUTHOR, depth=0.0)
        self.web.append(archive, step=0)
        self.archive_n = len(archive)
        self.archive_dispersion = metrics.dispersion(archive.vec)
        self._seen = np.zeros(0, bool)  # ideas seen on the web so far
        self._recent_counts = np.zeros(0, np.int64)  # items per idea in the recent window

        self.creators = CreatorPopulation(humans, self.rng)
        self._creator_agents = [HumanCreator(self, row) for row in range(self.creators.size)]

        self.ai_models = [
            AIModel(self, lab, IdeaGaussian(ai.capacity, ai.temperature, ai.top_p, ai.variance_estimator), ai.items_per_step, ai.output_growth)
            for lab in range(ai.models)
        ]
        self._royalty_items = np.zeros(self.creators.size)
        for m in self.ai_models:  # generation 1: a scrape of the archive
            self._train(m, 0, (0, self.archive_n))

        self._ai_share_recent = 0.0
        self.metrics: dict = {}
        self.datacollector = mesa.DataCollector(model_reporters={c: partial(read_metric, c) for c in COLUMNS})
        self._record(0)
        self.running = scenario.run.steps > 0

    # -- the step ------------------------------------------------------------------------
    def step(self) -> None:
        """One step, in DESIGN.md's order."""
        t = self.steps
        out = self.publish(t)
        self.retrain(t)
        self.settle(out)
        self._record(t)
        self.running = t < self.config.run.steps

    # 1. publishing
    def publish(self, t: int) -> StepOutput:
        """Creators and models publish this step's items."""
        rng, cfg = self.rng, self.config
        n_human, n_assisted = self.creators.plan_output(rng)
        batches, labelled = [], np.zeros(0, bool)
        if n_human.any():
            human, labelled = self._write_human(np.repeat(np.arange(self.creators.size), n_human), t)
            batches.append(human)
            self.culture.record(human.idea)
        # A model whose every training item was filtered has never been fitted: it writes nothing.
        writers = [m for m in self.ai_models if m.learner.is_fitted]
        for m in writers if n_assisted.any() else ():  # assisted items, through each creator's tool model
            users = np.flatnonzero((self.creators.tool == m.lab) & (n_assisted > 0))
            authors = np.repeat(users, n_assisted[users])
            if len(authors):
                marks = policies.watermarks(len(authors), ASSISTED, cfg.policy, rng)
                batches.append(m.write(len(authors), rng, source=ASSISTED, author=authors, watermark=marks))
        others = sum(len(b) for b in batches)
        planned = np.array([m.planned_output(t) for m in writers], np.int64)
        for m, n in zip(writers, policies.cap_ai_output(planned, others, cfg.policy.ai_output_cap)):
            if n:
                batches.append(m.write(int(n), rng, watermark=policies.watermarks(int(n), AI, cfg.policy, rng)))
        items = Items.concat(batches) if batches else Items.empty(self.web.dim)
        lo = self.web.n
        self.web.append(items, t)
        flags = np.zeros(len(items), bool)
        flags[: len(labelled)] = labelled  # human items come first
        return StepOutput(lo, self.web.n, flags, n_human, n_assisted)

    def _write_human(self, authors: np.ndarray, t: int) -> tuple[Items, np.ndarray]:
        """Human items by ``authors``: ideas from culture, or from the recent web (homogenization)."""
        rng, cfg = self.rng, self.config
        n = len(authors)
        ideas = np.empty(n, np.int64)
        lo, hi = self.web.rows(max(1, t - cfg.run.window), t - 1)  # the recent web as it stood
        from_web = (rng.random(n) < cfg.humans.homogenization * self._ai_share_recent) & (hi > lo)
        if from_web.any():
            ideas[from_web] = self.web.idea[lo + rng.integers(hi - lo, size=int(from_web.sum()))]
        ideas[~from_web] = self.culture.draw(self.creators.originality[authors[~from_web]], rng)
        signed = rng.random(n) < cfg.policy.signed_share
        labelled = signed | (rng.random(n) < cfg.platform.label_share)
        items = Items.make(ideas, self.culture.render(ideas, rng), source=HUMAN, author=authors, depth=0.0, signed=signed)
        return items, labelled

    # 2. training
    def retrain(self, t: int) -> None:
        """Models whose retraining is due scrape, filter, mix and fit."""
        cfg = self.config
        self._royalty_items = np.zeros(self.creators.size)
        for m in self.ai_models:
            if m.is_due(t, cfg.ai.retrain_every):
                window = policies.regime_rows(self.web, cfg.policy.data_regime, t, m.last_trained, cfg.policy.window)
                self._train(m, t, window)

    def _train(self, m: AIModel, t: int, window: tuple[int, int]) -> None:
        lo, hi = window
        if hi <= lo:
            return  # nothing to learn from: keep the current generation
        ts = policies.training_rows(self.web, lo, hi, self.archive_n, self.config.ai.train_size, self.config.policy, self.culture.tail_mask(), self.rng)
        if len(ts.rows) == 0:
            return
        data = self.web.take(ts.rows)
        m.train(data, t)
        human = data.source == HUMAN
        self._royalty_items += attention.income_by_author(data.author[human], np.ones(int(human.sum())), self.creators.size)

    # 3. the economy
    def settle(self, out: StepOutput) -> None:
        """Attention and income, exit and entry, and AI-tool adoption."""
        rng, cfg, pop = self.rng, self.config, self.creators
        if cfg.humans.count == 0:
            return  # no creator ever exists or enters
        source = self.web.source[out.lo : out.hi]
        weights = attention.ranking_weights(source, out.labelled, cfg.platform)
        paid = attention.attention(weights, cfg.platform.attention)
        by_human = source != AI
        income = attention.income_by_author(self.web.author[out.lo : out.hi][by_human].astype(np.int64), paid[by_human], pop.size)
        income += cfg.policy.creator_subsidy * out.n_human + cfg.policy.training_royalty * self._royalty_items
        for row in pop.settle(income, out.n_human, out.n_assisted):
            self._creator_agents[row].remove()

        # Would-be creators enter when what one more human item would earn covers their own cost.
        entrant_income = attention.marginal_attention(weights, cfg.platform.attention) + cfg.policy.creator_subsidy
        candidates = int(rng.poisson(cfg.humans.entry_rate * cfg.humans.count))
        for row in pop.enter(candidates, entrant_income, rng):
            self._creator_agents.append(HumanCreator(self, int(row)))
        pop.adopt(rng, len(self.ai_models))

    # 4. measuring
    def _record(self, t: int) -> None:
        self.metrics = self.measure(t)
        self.datacollector.collect(self)

    def measure(self, t: int) -> dict:
        """The metrics row for step ``t`` (step 0: the archive at setup)."""
        web, culture, cfg = self.web, self.culture, self.config
        first = max(1, t - cfg.run.window + 1) if t > 0 else 0  # recent: the window's steps, never the archive after setup
        new_share = metrics.shares(web.window_sources(t, t))
        recent_sources = web.window_sources(first, t)
        self._ai_share_recent = float(recent_sources[[ASSISTED, AI]].sum() / max(recent_sources.sum(), 1))
        recent_counts = self._recent_idea_counts(t, first)

        lo_n, hi_n = web.rows(t, t)
        k = culture.n_ideas
        seen_now = np.zeros(k, bool)
        seen_now[web.idea[lo_n:hi_n]] = True
        self._seen = np.concatenate([self._seen, np.zeros(k - len(self._seen), bool)])
        new_ideas = int((seen_now & ~self._seen).sum())
        self._seen |= seen_now

        tail = culture.tail_mask()
        tail_recent = metrics.tail_share(recent_counts, tail)
        fitted = [m for m in self.ai_models if m.learner.is_fitted]
        weights = culture.weights()
        pop = self.creators
        n_active = pop.n_active

        def over_models(values):
            return sum(values) / len(values) if values else float("nan")

        return {
            "step": t,
            "items_new": int(hi_n - lo_n),
            "human_share_new": float(new_share[HUMAN]),
            "assisted_share_new": float(new_share[ASSISTED]),
            "ai_share_new": float(new_share[AI]),
            "human_share_web": float(web.source_totals[HUMAN] / web.n),
            "human_share_training": over_models([m.training_human_share for m in fitted]),
            "new_ideas": new_ideas,
            "distinct_ideas_recent": metrics.distinct(recent_counts),
            "effective_ideas_recent": metrics.hill_number(recent_counts),
            "simpson_recent": metrics.gini_simpson(recent_counts),
            "tail_share_recent": tail_recent,
            "originality_index": metrics.safe_ratio(tail_recent, culture.tail_share()),
            "dispersion_recent": metrics.safe_ratio(web.window_dispersion(first, t), self.archive_dispersion),
            "model_coverage": over_models([metrics.coverage(m.learner.ideas_, weights) for m in fitted]),
            "model_variance": over_models([m.learner.sampling_variance() for m in fitted]) / culture.human_variance(),
            "model_mean_error": over_models(
                [metrics.mean_error(m.learner.probs_, m.learner.means_, culture.centroids[m.learner.ideas_]) for m in fitted]
            )
            / cfg.world.item_noise**2,
            "model_generation": max((m.generation for m in self.ai_models), default=0),
            "synthetic_depth": over_models([m.training_depth for m in fitted]),
            "active_humans": n_active,
            "ai_adoption": float((pop.adopted & pop.active).sum() / n_active) if n_active else float("nan"),
        }

    def _recent_idea_counts(self, t: int, first: int) -> np.ndarray:
        """Items per idea in steps ``first..t``, kept rolling: add this step, drop the one that left."""
        k = self.culture.n_ideas
        counts = np.zeros(k, np.int64) if t <= 1 else np.resize(self._recent_counts, k)
        counts[len(self._recent_counts) :] = 0
        lo, hi = self.web.rows(t, t)
        counts += np.bincount(self.web.idea[lo:hi], minlength=k)
        if first > 1:
            lo, hi = self.web.rows(first - 1, first - 1)
            counts -= np.bincount(self.web.idea[lo:hi], minlength=k)
        self._recent_counts = counts
        return counts

    def timeseries(self):
        """The DataCollector's rows as a pandas DataFrame, one row per step."""
        return self.datacollector.get_model_vars_dataframe()[list(COLUMNS)]
