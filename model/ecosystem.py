"""ContentEcosystem: human creators and AI models publish to one web that later models train on.

The step follows the model's schedule (docs/ODD.md, section 3):

1. creators and models publish this step's items;
2. models whose retraining is due scrape, filter, mix and fit (so generation
   g+1 sees what was published up to and including this step);
3. the market: attention pays the step's items, creators book income and exit or
   drop tools that do not pay, would-be creators enter, AI tools spread, and labs
   set their next output from what their items earned;
4. the metrics are recorded.

Agents decide (how many items, whether to exit, adopt or publish more); batched
numpy code in ``model/`` writes the items (``writing``), assembles training sets
(``policies``), learns (``learning``), pays (``attention``, ``accounts``) and
measures (``measurement``). One step is one month.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import mesa
import numpy as np

from agents.ai_model import AIModel
from agents.human_creator import CreatorPopulation, HumanCreator
from model import agent_ids, attention, metrics, policies
from model import agent_data, keywords
from model.accounts import Ledger
from model.ideas import FixedVocabulary, HumanCulture, PitmanYorCulture
from model.learning import make_learner
from model.measurement import COLUMNS, columns, measure
from model.scenario import Scenario
from model.web import AI, ASSISTED, HUMAN, Items, Web
from model.writing import write_human_items

__all__ = ["COLUMNS", "ContentEcosystem"]

agent_ids.hold_weakly()  # a finished model is freed on Mesa 3.3 too


def read_metric(name: str, model: ContentEcosystem):
    """DataCollector reporter: one column of the metrics the model measured this step."""
    return model.metrics[name]


def read_seed(model: ContentEcosystem) -> int:
    """DataCollector reporter: the run's seed (so ``mesa.batch_run``'s rows say which seed made them)."""
    return model.config.run.seed


def make_culture(world, rng: np.random.Generator) -> HumanCulture:
    """The culture a ``[world]`` section describes."""
    if world.kind == "text":
        from model.text.culture import TextCulture  # the text world loads its language only when asked

        return TextCulture(world, rng)
    if world.ideas > 0:
        return FixedVocabulary(world.dim, world.idea_spread, world.item_noise, world.ideas, world.zipf_exponent, rng)
    return PitmanYorCulture(world.dim, world.idea_spread, world.item_noise, world.discount, world.concentration)


@dataclass
class StepOutput:
    """What was published this step, kept for the market after retraining."""

    lo: int  # first web row of this step
    hi: int
    labelled: np.ndarray  # per row: a human item labelled human-made or signed
    n_human: np.ndarray  # per creator row
    n_assisted: np.ndarray
    novelty: np.ndarray  # per row: surprisal on the web creators read, over its mean


class ContentEcosystem(mesa.Model):
    """The content ecosystem.

    Build it from a :class:`Scenario` (or a library name, or a TOML file's path), or from
    flat ``section_key=value`` keywords (``ContentEcosystem(ai_models=2,
    policy_data_regime="accumulate", seed=3)``), which is what SolaraViz and
    ``mesa.batch_run`` pass. Keywords given with a scenario override it. Every keyword is
    listed below, and docs/api.md shows the Python API at work.

    Attributes:
        config: the resolved scenario, its ``run.seed`` the seed used.
        seed: the seed used (drawn fresh when none was given; see Seeds below).
        web: the columnar store of every item.
        culture: human culture (idea counts and centroids).
        creators: the active creators and the pool of would-be creators.
        ai_models: the AI model agents, in lab order.
        metrics: the latest metrics row, a dict keyed by :data:`COLUMNS`.
        datacollector: one row per step, step 0 being the archive at setup (model columns:
            the metrics and ``seed``; with ``run_agent_data=True`` also one row per agent per
            step, ``model/agent_data.py``).
    """

    def __init__(self, scenario: Scenario | str | None = None, *, seed: int | None = None, rng: int | None = None, **flat):
        """Build the world of step 0: the archive, the creators, and the AI models' first generation.

        Args:
            scenario: a Scenario, a library name (``"human_reserve"``) or a TOML file's path; None: the defaults.
            seed: the run's seed (``run.seed``); None: the scenario's own, or a fresh one if no scenario is given.
            rng: an integer seed, the same as ``seed`` (Mesa's name); give one of seed, rng and run_seed.
            **flat: ``section_key=value`` scenario keys (listed in the class docstring), overriding the scenario.

        Raises:
            ScenarioError: one line naming the keyword and what it allows.
        """
        scenario = keywords.resolve(scenario, seed, rng, **flat)
        # A Generator (not an int) makes Mesa 3.3 and 3.5 consume the same draws.
        super().__init__(rng=np.random.default_rng(scenario.run.seed))
        self.config = scenario
        world, ai = scenario.world, scenario.ai

        self.culture = make_culture(world, self.rng)
        self.web = Web(world.dim, capacity=max(4096, 2 * world.archive_items), doc_tokens=world.doc_tokens if world.kind == "text" else 0)
        archive = self.culture.archive(world.archive_items, self.rng)
        self.web.append(archive, step=0)
        self.archive_n = len(archive)
        self.archive_dispersion = metrics.dispersion(archive.vec)
        self._seen = np.zeros(0, bool)  # ideas seen on the web so far
        self._mark_seen(0)

        self.creators = CreatorPopulation(scenario.humans, self.rng)
        self._creator_agents = {int(i): HumanCreator(self, int(i)) for i in self.creators.id}
        self.ledger = Ledger(scenario.humans.patience)

        self.ai_models = [AIModel(self, lab, make_learner(ai, self.culture, self.config.policy.min_top_p), ai) for lab in range(ai.models)]
        for m in self.ai_models:  # generation 1: a scrape of the archive
            self._train(m, 0, (0, self.archive_n))

        self.ai_attention_share = float("nan")  # set by the market each step
        self.price = float("nan")  # attention per unit of ranking weight, last step
        # The audience is sized by the world's creators, so the market's equilibrium does not depend on the world's size.
        self.audience = max(scenario.humans.count, 1)
        self.readers_using_ai = 0.0  # share of the audience getting answers from AI models
        self.web_attention = 1.0  # share of the audience's attention spent on the web, last step
        self.supply_reference = 0.0  # ranking weight of the first step's human items (set by the first market)
        self.metrics: dict = {}
        self.columns = columns(scenario)
        self.datacollector = self._new_datacollector()
        self._record(0)
        self.running = scenario.run.steps > 0

    @property
    def seed(self) -> int:
        """The run's seed: building the model again with it repeats the run exactly."""
        return self.config.run.seed

    # -- the step ------------------------------------------------------------------------
    def step(self) -> None:
        """One month, in the schedule's order."""
        t = self.steps
        out = self.publish(t)
        self.retrain(t)
        self.market(out)
        self._record(t)
        self.running = t < self.config.run.steps

    # 1. publishing
    def read_window(self, t: int) -> tuple[int, int]:
        """Rows of the web creators read and the audience judges rarity by: the last ``humans.memory`` steps.

        At step 1 that is the archive, the web as it stood when AI arrived.
        """
        lo, hi = self.web.rows(max(1, t - self.config.humans.memory), t - 1)
        return (lo, hi) if hi > lo else self.web.rows(0, 0)

    def publish(self, t: int) -> StepOutput:
        """Creators and models publish this step's items."""
        rng, cfg, pop = self.rng, self.config, self.creators
        read = self.read_window(t)
        n_human, n_assisted = pop.plan_output(rng)
        batches, labelled = [], np.zeros(0, bool)
        if n_human.any():
            sources = self.web.source[read[0] : read[1]]
            ai_share = float(np.mean(sources != HUMAN)) if len(sources) else 0.0
            rows = np.repeat(np.arange(pop.size), n_human)
            human = write_human_items(pop.id[rows], pop.originality[rows], self.culture, self.web, read, ai_share, cfg, rng)
            batches.append(human.items)
            labelled = human.labelled
            self.culture.record(human.items.idea[human.own])  # copies are not original contributions
        # A model whose every training item was filtered has never been fitted: it writes nothing.
        writers = [m for m in self.ai_models if m.learner.is_fitted]
        for m in writers if n_assisted.any() else ():  # assisted items, through each creator's tool model
            users = np.flatnonzero((pop.tool == m.lab) & (n_assisted > 0))
            authors = np.repeat(pop.id[users], n_assisted[users])
            if len(authors):
                marks = policies.watermarks(len(authors), ASSISTED, cfg.policy, rng)
                batches.append(m.write(len(authors), rng, source=ASSISTED, author=authors, watermark=marks))
        others = sum(len(b) for b in batches)
        planned = np.array([m.planned_output(t) for m in writers], np.int64)
        for m, n, want in zip(writers, policies.cap_ai_output(planned, others, cfg.policy.ai_output_cap), planned):
            m.published(int(n), int(want))
            if n:
                batches.append(m.write(int(n), rng, watermark=policies.watermarks(int(n), AI, cfg.policy, rng)))
        items = Items.concat(batches) if batches else Items.empty(self.web.dim)
        lo = self.web.n
        self.web.append(items, t)
        self._mark_seen(t)
        flags = np.zeros(len(items), bool)
        flags[: len(labelled)] = labelled  # human items come first
        s, mean = attention.surprisal(items.idea, np.bincount(self.web.idea[read[0] : read[1]], minlength=self.culture.n_ideas))
        novelty = s / mean if mean > 0 else np.ones(len(s))
        return StepOutput(lo, self.web.n, flags, n_human, n_assisted, novelty)

    def _mark_seen(self, t: int) -> None:
        """Count the ideas first seen on the web at step ``t`` (the ``new_ideas`` column)."""
        lo, hi = self.web.rows(t, t)
        seen_now = np.zeros(self.culture.n_ideas, bool)
        seen_now[self.web.idea[lo:hi]] = True
        self._seen = np.concatenate([self._seen, np.zeros(self.culture.n_ideas - len(self._seen), bool)])
        self.new_ideas = int((seen_now & ~self._seen).sum())
        self._seen |= seen_now

    # 2. training
    def retrain(self, t: int) -> None:
        """Models whose retraining is due scrape, filter, mix and fit."""
        cfg = self.config
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
        if t > 0:
            self.ledger.accrue_royalties(data.source, data.author)

    # 3. the market
    def market(self, out: StepOutput) -> None:
        """Attention pays the step's items; creators and labs respond."""
        rng, cfg, pop = self.rng, self.config, self.creators
        source = self.web.source[out.lo : out.hi]
        author = self.web.author[out.lo : out.hi].astype(np.int64)
        fitted = [m for m in self.ai_models if m.learner.is_fitted]
        weights = attention.ranking_weights(source, out.labelled, cfg.platform, out.novelty)
        if not self.supply_reference:  # the first market: what the web's humans offered before models wrote for it
            self.supply_reference = float(weights[source == HUMAN].sum())
        kept = attention.supply_pull(float(weights.sum()), self.supply_reference, cfg.platform.content_pull)
        self.web_attention = kept * attention.web_share(cfg.platform.substitution, self.readers_using_ai, self.answer_quality(fitted))
        total = cfg.platform.attention * self.audience * self.web_attention
        paid = attention.attention(weights, total)
        self.price = attention.price(weights, total)
        spent = paid.sum()
        self.ai_attention_share = float(paid[source != HUMAN].sum() / spent) if spent > 0 else float("nan")

        ai_rows = source == AI
        for m in self.ai_models:
            mine = ai_rows & (author == m.lab)
            # A lab that published nothing this step judges by what an AI item of average novelty would earn.
            earned = paid[mine].mean() if mine.any() else self.price * attention.ai_weight(cfg.platform) * (1.0 + cfg.platform.novelty_premium)
            m.respond_to_market(float(earned), cfg.ai, self.audience / len(self.ai_models))
        if fitted:  # readers take up AI answers once there are models to ask
            self.readers_using_ai = attention.readers_adopt(self.readers_using_ai, cfg.platform.reader_adoption_p, cfg.platform.reader_adoption_q)

        if cfg.humans.count == 0:
            return  # no creator ever exists or enters
        income, tool_income = self.ledger.settle(pop, source, author, paid, out.n_human, cfg.policy)
        for creator_id in pop.settle(income, tool_income, out.n_human, out.n_assisted):
            self._creator_agents.pop(int(creator_id)).remove()
        # Would-be creators enter while what a human item earns covers their cost.
        expected = self.ledger.expected_income
        if not np.isfinite(expected):  # no human item has been paid yet: one of average novelty
            expected = self.price * (1.0 + cfg.platform.novelty_premium) + cfg.policy.creator_subsidy
        for creator_id in pop.enter(expected, rng):
            self._creator_agents[int(creator_id)] = HumanCreator(self, int(creator_id))
        pop.adopt(rng, np.array([m.lab for m in self.ai_models if m.learner.is_fitted], np.int64))

    def answer_quality(self, fitted: list[AIModel]) -> float:
        """How good the models' answers are to readers: their mean coverage of human culture (0 without a fitted model)."""
        if not fitted or not self.config.platform.substitution or not self.readers_using_ai:
            return 0.0  # not needed: nobody reads AI answers instead of the web
        weights = self.culture.weights()
        return float(np.mean([metrics.coverage(m.learner.producible_ideas(), weights) for m in fitted]))

    # 4. measuring
    def _new_datacollector(self) -> mesa.DataCollector:
        """An empty DataCollector of the metric columns and the seed, with agent reporters if asked (also used to restore a checkpoint)."""
        reporters = {c: partial(read_metric, c) for c in self.columns} | {"seed": read_seed}
        return mesa.DataCollector(model_reporters=reporters, agent_reporters=agent_data.REPORTERS if self.config.run.agent_data else None)

    def _record(self, t: int) -> None:
        self.metrics = self.measure(t)
        if self.config.run.agent_data:
            self.agent_rows = agent_data.rows(self)  # what the agent reporters read
        self.datacollector.collect(self)

    def measure(self, t: int | None = None) -> dict:
        """The metrics row for step ``t`` (default: the current step); a pure read of the state."""
        return measure(self, self.steps if t is None else t)

    def timeseries(self):
        """The DataCollector's rows as a pandas DataFrame, one row per step."""
        return self.datacollector.get_model_vars_dataframe()[list(self.columns)]


if ContentEcosystem.__doc__:  # None under python -OO
    ContentEcosystem.__doc__ += keywords.reference()
