"""Scenarios: the schema of every key, TOML loading and command-line overrides.

A scenario is a frozen pydantic object with six sections (``run``, ``world``,
``humans``, ``ai``, ``policy``, ``platform``). Every key has a default, so an
empty TOML file is a valid scenario; the defaults are today's web with no policy
(``scenarios/baseline.toml``).

Bad input raises :class:`ScenarioError` whose message is one line naming the
file (or the keyword), the key and what is allowed. NumPy scalars are taken as the
Python numbers they hold. :func:`load` reads a library name, a path or a Scenario.
"""

from __future__ import annotations

import os
import tomllib
import typing
from pathlib import Path
from typing import Any, Literal

import annotated_types
import numpy as np
import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from model.errors import ScenarioError, did_you_mean, read_toml
from model.library import LIBRARY, find, library_names

SECTIONS = ("run", "world", "humans", "ai", "policy", "platform")
#: Short keyword forms: ``seed=3`` is ``run_seed=3``.
ALIASES = {"seed": "run_seed", "steps": "run_steps"}
_SECTION_OF: dict[type, str] = {}  # section class -> its name, filled below Scenario


def _plain(value: Any) -> Any:
    """NumPy scalars (what ``np.arange`` yields) as the Python values they hold; dicts walked."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


class _OneLineErrors(type(BaseModel)):
    """Building a scenario or a section in Python: NumPy scalars taken, errors one line (the message the CLI gives)."""

    def __call__(cls, **data: Any):
        try:
            return super().__call__(**_plain(data))
        except ValidationError as error:
            section = _SECTION_OF.get(cls, "")
            names = {f"{section}.{k}": k for k in cls.model_fields} if section else None
            raise ScenarioError(_one_line(error, f"{cls.__name__}(...)", names, (section,) if section else ())) from None


class _Section(BaseModel, metaclass=_OneLineErrors):
    # strict: a TOML string is never silently read as a number or a boolean.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class RunConfig(_Section):
    """How long, which seed, and what counts as recent."""

    steps: int = Field(120, ge=0, description="steps to simulate after setup (one step is one month)")
    seed: int = Field(1, ge=0, description="the one integer that fixes the run")
    window: int = Field(12, ge=1, description="steps that count as recent for the metrics (measurement only)")
    rarefy: int = Field(1000, ge=1, description="sample size of ideas_rarefied (Hurlbert rarefaction)")
    checkpoint_every: int = Field(0, ge=0, description="write a checkpoint every N steps, so run.py resume can continue a stopped run (0 = off)")
    agent_data: bool = Field(False, description="record every agent every step in the DataCollector (creators and AI models; measurement only)")


class WorldConfig(_Section):
    """The space of ideas and of meaning in which items live."""

    dim: int = Field(8, ge=1, description="dimension d of the item vectors")
    ideas: int = Field(0, ge=0, description="0 = open-ended Pitman-Yor culture; K > 0 = K fixed ideas with Zipf weights")
    discount: float = Field(0.5, ge=0, lt=1, description="Pitman-Yor discount d (open-ended world)")
    concentration: float = Field(50.0, gt=0, description="Pitman-Yor concentration theta (open-ended world)")
    zipf_exponent: float = Field(1.1, ge=0, description="Zipf exponent of the fixed vocabulary's idea weights")
    archive_items: int = Field(50_000, ge=1, description="human items on the pre-AI web at setup")
    idea_spread: float = Field(1.0, ge=0, description="standard deviation of idea centroids")
    item_noise: float = Field(0.5, gt=0, description="standard deviation of a human item around its idea's centroid")
    kind: Literal["ideas", "text"] = Field("ideas", description="ideas: an item is an idea and a vector; text: an item is a document of real English words")
    doc_tokens: int = Field(20, ge=1, le=1000, description="text world: tokens per document")
    corpus: str = Field("", description='text world: a UTF-8 plain-text file humans write from ("" = the English bigram counts symspellpy ships)')

    @model_validator(mode="after")
    def _corpus_is_readable(self) -> WorldConfig:
        if self.kind == "text" and self.corpus:
            from model.text.language import CorpusError, check

            try:
                check(self.corpus, self.doc_tokens)
            except CorpusError as error:
                raise ValueError(f"world.corpus = {self.corpus!r}: {error}; allowed: a readable UTF-8 plain-text file") from None
        return self


class HumansConfig(_Section):
    """Human creators: traits, the attention economy and AI tools."""

    count: int = Field(1000, ge=0, description="creators at setup (0: no creator ever exists or enters)")
    productivity: float = Field(1.0, ge=0, description="mean items a creator writes per step (Poisson)")
    productivity_sigma: float = Field(0.5, ge=0, description="lognormal spread of productivity across creators")
    originality_sigma: float = Field(0.5, ge=0, description="lognormal spread of the originality multiplier (mean 1)")
    cost: float = Field(1.0, ge=0, description="mean cost of writing one item")
    cost_sigma: float = Field(0.75, ge=0, description="lognormal spread of cost across creators")
    patience: int = Field(12, ge=1, description="months over which a creator sums its margin; it exits when that sum is negative")
    pool: float = Field(2.0, ge=1, description="would-be creators (active or not) per creator at setup: the finite pool entry draws from")
    entry_rate: float = Field(0.1, ge=0, le=1, description="per-step chance that a would-be creator with positive expected profit enters")
    homogenization: float = Field(0.5, ge=0, le=1, description="times the AI share of recent content: chance a human item takes its idea from the recent web")
    memory: int = Field(6, ge=1, description="steps of the recent web that creators read (homogenization) and the audience judges rarity by")
    graph_degree: int = Field(8, ge=0, description="mean degree of the social graph (Barabasi-Albert, m = degree/2)")
    adoption_p: float = Field(0.0356, ge=0, le=1, description="Bass innovation: per-step chance of adopting an AI tool unprompted")
    adoption_q: float = Field(0.157, ge=0, le=1, description="Bass imitation: added chance times the adopted share of neighbours")
    ai_speedup: float = Field(2.68, ge=1, description="an adopter publishes this many times more items; the extra ones are assisted")


class AIConfig(_Section):
    """AI model lines, their output and their learning rule."""

    models: int = Field(4, ge=0, description="AI model lines (one per lab)")
    train_size: int = Field(20_000, ge=1, description="items per training set")
    retrain_every: int = Field(12, ge=1, description="steps between generations")
    supply: Literal["market", "fixed"] = Field(
        "market", description="market: output follows the attention AI items earn against ai.cost; fixed: grows by output_growth"
    )
    items_per_step: float = Field(6.0, ge=0, description="items each model publishes at step 1")
    output_growth: float = Field(0.02, gt=-1, description="growth of each model's output per step (fixed supply)")
    cost: float = Field(0.107, ge=0, description="market supply: marginal cost of an AI item when the labs publish one item per creator a step")
    cost_elasticity: float = Field(0.366, ge=0, description="market supply: elasticity of the marginal cost of an AI item to a lab's output (0 = a flat cost)")
    adjustment: float = Field(0.483, ge=0, description="market supply: elasticity of output to attention per item over marginal cost, per step")
    max_change: float = Field(1.7, ge=1, description="market supply: largest factor by which output may grow (or shrink) in one step")
    capacity: int = Field(0, ge=0, description="ideas a model can keep, its most frequent (0 = unlimited)")
    temperature: float = Field(1.0, gt=0, description="reshapes idea probabilities as p**(1/T) and scales each idea's std by T")
    top_p: float = Field(0.984, gt=0, le=1, description="token-level nucleus of the models' decoding (ideas world: through the cut the text world measures); plausible 0.85-0.99, calibrated")
    item_tokens: float = Field(58.8, ge=1, le=1000, description="ideas world: tokens of running text one item stands for in the decoding cut (a sentence to a paragraph: plausible 10-80, calibrated)")
    variance_estimator: Literal["mle", "unbiased"] = Field("mle", description="per-idea variance divides by n (mle) or n-1 (unbiased)")
    ngram: int = Field(2, ge=1, le=3, description="text world: n-gram order (2 or 3: interpolated Kneser-Ney; 1: maximum-likelihood unigram)")


    @model_validator(mode="after")
    def _market_has_a_cost(self) -> AIConfig:
        if self.supply == "market" and self.cost <= 0:
            raise ValueError("ai.cost must be > 0 when ai.supply = market (free publishing has no equilibrium)")
        return self


class PolicyConfig(_Section):
    """Policy levers; each is a mechanism in the data path or the economy."""

    data_regime: Literal["replace", "window", "accumulate"] = Field(
        "replace", description="what a model scrapes: items since its last training, the last policy.window steps, or everything"
    )
    window: int = Field(20, ge=1, description="steps a model scrapes under data_regime = window")
    human_reserve: float = Field(0.0, ge=0, le=1, description="share of each training set drawn from the human archive")
    watermark_share: float = Field(0.0, ge=0, le=1, description="share of AI-generated items that carry a watermark")
    edit_strips_watermark: float = Field(0.5, ge=0, le=1, description="chance a human edit strips an assisted item's watermark")
    watermark_tpr: float = Field(0.95, ge=0, le=1, description="chance a scraper detects a watermark (and drops the item)")
    detector_tpr: float = Field(0.0, ge=0, le=1, description="chance the classifier flags an AI or assisted item")
    detector_fpr: float = Field(0.0, ge=0, le=1, description="chance the classifier flags a human item")
    detector_tail_bias: float = Field(0.0, ge=0, description="false positives on tail ideas are (1 + bias) times detector_fpr")
    signed_share: float = Field(0.0, ge=0, le=1, description="share of new human items carrying a verified provenance signature")
    verified_share: float = Field(0.0, ge=0, le=1, description="share of each training set reserved for signed human items")
    creator_subsidy: float = Field(0.0, ge=0, description="paid to the author per human item published")
    training_royalty: float = Field(0.0, ge=0, description="paid to the author per human item used in a training set")
    ai_output_cap: float = Field(1.0, ge=0, le=1, description="largest share of a step's new items that models may publish directly")
    min_top_p: float = Field(0.0, ge=0, le=1, description="models publish with a decoding nucleus at least this wide (binds where ai.top_p is narrower; 0 = no rule)")
    top_up: bool = Field(True, description="replace items the filters drop with further items from the same window")

    @model_validator(mode="after")
    def _reserves_fit(self) -> PolicyConfig:
        if self.human_reserve + self.verified_share > 1:
            raise ValueError("human_reserve + verified_share must be <= 1")
        return self


class PlatformConfig(_Section):
    """The platform: how much attention there is and how ranking spreads it."""

    attention: float = Field(0.75, ge=0, description="attention (income units) the audience gives each step's new items, per creator at setup (humans.count, at least 1)")
    substitution: float = Field(0.754, ge=0, le=1, description="share of its web attention a reader who gets answers from AI models moves to them, at full model coverage")
    content_pull: float = Field(0.836, ge=0, lt=1, description="elasticity of the web's readers to its fresh supply (new items' ranking weight over the first step's human items, at most 1): 0 = readers stay whatever the web offers")
    reader_adoption_p: float = Field(0.017, ge=0, le=1, description="Bass innovation of readers' use of AI answers, per step")
    reader_adoption_q: float = Field(0.0, ge=0, le=1, description="Bass imitation of readers' use of AI answers, per step, times the share already using them")
    ai_visibility: float = Field(0.147, ge=0, description="ranking weight of AI items relative to human ones")
    ai_demotion: float = Field(1.0, ge=0, le=1, description="share of that weight a ranking policy leaves AI items (1 = no policy)")
    assisted_visibility: float = Field(0.114, ge=0, description="ranking weight of assisted items relative to human ones")
    novelty_premium: float = Field(2.27, ge=0, description="extra ranking weight per unit of an item's idea surprisal on the recent web, over its mean (0 = indifferent)")
    human_premium: float = Field(0.0, ge=0, description="added ranking weight of labelled or signed human items")
    label_share: float = Field(0.0, ge=0, le=1, description="share of human items labelled human-made by their authors")


class Scenario(BaseModel, metaclass=_OneLineErrors):
    """A whole scenario: one frozen object, picklable, with a default for every key."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    run: RunConfig = RunConfig()
    world: WorldConfig = WorldConfig()
    humans: HumansConfig = HumansConfig()
    ai: AIConfig = AIConfig()
    policy: PolicyConfig = PolicyConfig()
    platform: PlatformConfig = PlatformConfig()

    def to_dict(self) -> dict[str, dict[str, Any]]:
        return self.model_dump()

    def to_toml(self) -> str:
        return tomli_w.dumps(self.to_dict())

    def with_overrides(self, overrides: dict[str, Any], source: str = "overrides", names: dict[str, str] | None = None) -> Scenario:
        """A copy with ``{"section.key": value}`` applied, validated again.

        ``names`` maps a dotted key to the name an error should call it by (a keyword).
        """
        data = self.to_dict()
        for dotted, value in overrides.items():
            section, key = _split_key(dotted, source)
            data[section][key] = _plain(value)
        return validate(data, source, names)

    def with_flat(self, **flat: Any) -> Scenario:
        """A copy with ``section_key=value`` keywords applied (what SolaraViz passes).

        ``seed`` and ``steps`` are short for ``run_seed`` and ``run_steps``; giving both
        forms of one key is an error.
        """
        overrides, names = {}, {}
        for name, value in flat.items():
            dotted = flat_key(name)
            if dotted in overrides:
                raise ScenarioError(f"keyword arguments: {names[dotted]} and {name} both set {dotted}; give one of them")
            overrides[dotted], names[dotted] = value, name
        return self.with_overrides(overrides, "keyword arguments", names)

    @classmethod
    def from_flat(cls, **flat: Any) -> Scenario:
        """Build from ``section_key=value`` keywords; every other key keeps its default."""
        return cls().with_flat(**flat)


_SECTION_OF.update({Scenario.model_fields[s].annotation: s for s in SECTIONS})


def dotted_keys() -> list[str]:
    """Every key as ``section.key``, in schema order."""
    return [f"{section}.{key}" for section in SECTIONS for key in Scenario.model_fields[section].annotation.model_fields]


def flat_key(name: str) -> str:
    """The dotted key a flat keyword sets: ``humans_count`` -> ``humans.count`` (``seed`` -> ``run.seed``)."""
    section, _, key = ALIASES.get(name, name).partition("_")
    if section not in SECTIONS or not key:
        hint = did_you_mean(name, [d.replace(".", "_", 1) for d in dotted_keys()])
        raise ScenarioError(f"keyword arguments: {name}: not a scenario key; {hint}use section_key with section one of {', '.join(SECTIONS)}")
    fields = Scenario.model_fields[section].annotation.model_fields
    if key not in fields:
        known = [f"{section}_{k}" for k in fields]
        hint = did_you_mean(name, known) or did_you_mean(name, [d.replace(".", "_", 1) for d in dotted_keys()])
        raise ScenarioError(f"keyword arguments: {name}: not a scenario key; {hint}allowed for {section}: {', '.join(known)}")
    return f"{section}.{key}"


def _split_key(dotted: str, source: str) -> tuple[str, str]:
    section, _, key = dotted.partition(".")
    if section not in SECTIONS:
        hint = did_you_mean(dotted, dotted_keys()) if key else did_you_mean(section, SECTIONS)
        raise ScenarioError(f"{source}: {dotted}: unknown section; {hint}allowed sections: {', '.join(SECTIONS)}")
    fields = Scenario.model_fields[section].annotation.model_fields
    if key not in fields:
        # A key of this section first, then the same key in another section (ai.human_reserve is policy.human_reserve).
        elsewhere = {d.partition(".")[2]: d for d in dotted_keys() if not d.startswith(section + ".")}
        hint = did_you_mean(key, fields, {k: f"{section}.{k}" for k in fields}) or did_you_mean(key, elsewhere, elsewhere)
        raise ScenarioError(f"{source}: {dotted}: unknown key; {hint}allowed keys in [{section}]: {', '.join(fields)}")
    return section, key


def describe(field) -> str:
    """What a field allows, in words: 'integer >= 1', 'number in [0, 1]', 'one of a, b'."""
    annotation = field.annotation
    if typing.get_origin(annotation) is Literal:
        return "one of " + ", ".join(typing.get_args(annotation))
    kind = {int: "integer", float: "number", bool: "true or false", str: "string"}[annotation]
    bounds = {type(m): m for m in field.metadata}
    low = ("[", bounds[annotated_types.Ge].ge) if annotated_types.Ge in bounds else None
    low = ("(", bounds[annotated_types.Gt].gt) if annotated_types.Gt in bounds else low
    high = ("]", bounds[annotated_types.Le].le) if annotated_types.Le in bounds else None
    high = (")", bounds[annotated_types.Lt].lt) if annotated_types.Lt in bounds else high
    if low and high:
        return f"{kind} in {low[0]}{low[1]}, {high[1]}{high[0]}"
    if low:
        return f"{kind} {'>=' if low[0] == '[' else '>'} {low[1]}"
    if high:
        return f"{kind} {'<=' if high[0] == ']' else '<'} {high[1]}"
    return kind


def key_reference() -> list[tuple[str, Any, str, str]]:
    """(dotted key, default, allowed, meaning) for every key, in schema order."""
    rows = []
    for section in SECTIONS:
        for key, field in Scenario.model_fields[section].annotation.model_fields.items():
            rows.append((f"{section}.{key}", field.default, describe(field), field.description or ""))
    return rows


def _one_line(error: ValidationError, source: str, names: dict[str, str] | None = None, prefix: tuple[str, ...] = ()) -> str:
    first = error.errors()[0]
    loc = [*prefix, *(str(part) for part in first["loc"])]
    dotted = ".".join(loc)
    if first["type"] == "extra_forbidden":
        if len(loc) == 1:
            return f"{source}: [{dotted}]: unknown section; allowed sections: {', '.join(SECTIONS)}"
        return _split_key_message(loc, source)
    if len(loc) == 2 and loc[0] in SECTIONS:
        field = Scenario.model_fields[loc[0]].annotation.model_fields.get(loc[1])
        if field is not None:
            return f"{source}: {(names or {}).get(dotted, dotted)} = {_shown(first['input'])}: allowed: {describe(field)}"
    if len(loc) == 1 and loc[0] in SECTIONS and first["type"] == "model_type":
        return f"{source}: [{dotted}]: must be a table of keys"
    where = dotted or "scenario"
    return f"{source}: {where}: {first['msg'].removeprefix('Value error, ')}"


def _shown(value, limit: int = 60) -> str:
    """A value as the message shows it: its repr, cut short so the message stays one readable line."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _split_key_message(loc: list[str], source: str) -> str:
    try:
        _split_key(".".join(loc), source)
    except ScenarioError as error:
        return str(error)
    return f"{source}: {'.'.join(loc)}: unknown key"


def validate(data: dict[str, Any], source: str, names: dict[str, str] | None = None) -> Scenario:
    """Validate nested ``{section: {key: value}}`` data into a :class:`Scenario`."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        raise ScenarioError(_one_line(error, source, names)) from None


def load(source: str | os.PathLike | Scenario, overrides: dict[str, Any] | None = None) -> Scenario:
    """A scenario from a library name, a TOML file or a :class:`Scenario`, with ``{"section.key": value}`` overrides applied.

    ``load("human_reserve")`` reads ``scenarios/human_reserve.toml``; ``load("my.toml")`` a file;
    ``load(scenario, overrides)`` only applies the overrides.
    """
    if isinstance(source, Scenario):
        return source.with_overrides(overrides) if overrides else source
    path = find(source)
    data = read_toml(path)
    world = data.get("world")
    if isinstance(world, dict) and isinstance(world.get("corpus"), str) and world["corpus"] and not Path(world["corpus"]).is_absolute():
        world["corpus"] = str(path.parent / world["corpus"])  # a corpus named in a scenario file is relative to that file
    scenario = validate(data, str(path))
    if overrides:
        scenario = scenario.with_overrides(overrides, source=f"{path} (overrides)")
    return scenario


def parse_assignment(text: str, source: str | None = None) -> tuple[str, Any]:
    """Parse one ``section.key=value`` override; the value is read as TOML, else as a bare string."""
    dotted, sep, raw = text.partition("=")
    dotted = dotted.strip()
    if not sep or "." not in dotted:
        where = f"{source}: " if source else ""
        raise ScenarioError(f"{where}--set {text}: expected section.key=value, e.g. --set ai.temperature=0.9")
    raw = raw.strip()
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except (tomllib.TOMLDecodeError, RecursionError):
        value = raw
    return dotted, value


__all__ = [
    "SECTIONS",
    "Scenario",
    "ScenarioError",
    "describe",
    "find",
    "flat_key",
    "key_reference",
    "library_names",
    "load",
    "parse_assignment",
    "validate",
]
