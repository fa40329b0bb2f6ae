"""The model as an EMA Workbench model, for analysts who use the workbench's samplers, evaluators and analyses.

    from ema_workbench import perform_experiments
    from experiments.sweep.ema import ema_model

    model = ema_model("scenarios/baseline.toml", levers={"policy.human_reserve": (0.0, 0.3)},
                      uncertainties={"ai.temperature": (0.8, 1.2)}, outcomes=["originality_index"])
    experiments, outcomes = perform_experiments(model, scenarios=20, policies=4)

Uncertainties and levers are scenario keys: a ``(low, high)`` pair is a real parameter (an
integer one for an integer key), a list a categorical one. The workbench requires names that
are Python identifiers, so ``policy.human_reserve`` is named ``policy_human_reserve`` there.
Outcomes are metric columns, at the final step or, with ``last=k``, the mean of the last k
steps. With ``seeds``, each experiment is replicated over those seeds (a ``ReplicatorModel``).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from experiments.runner import run
from model.scenario import Scenario, ScenarioError, load
from experiments.sweep.design import Outcome, _check_key, _field


def simulate(base: Scenario, outcomes: tuple[Outcome, ...], **flat: Any) -> dict[str, float]:
    """One experiment: the base scenario with ``section_key=value`` keywords (and ``seed``), run to the end."""
    timeseries = run(base.with_flat(**flat)).timeseries
    return {outcome.name: outcome.of(timeseries) for outcome in outcomes}


class _Simulation:
    """A picklable callable holding the base scenario, so the workbench's multiprocessing evaluator can ship it."""

    def __init__(self, base: Scenario, outcomes: tuple[Outcome, ...]):
        self.base, self.outcomes = base, outcomes

    def __call__(self, **flat: Any) -> dict[str, float]:
        return simulate(self.base, self.outcomes, **flat)


def _parameter(key: str, spec: Any, base: Scenario, source: str):
    from ema_workbench import CategoricalParameter, IntegerParameter, RealParameter

    _check_key(key, source)
    name = key.replace(".", "_", 1)
    if isinstance(spec, tuple | list) and len(spec) == 2 and all(isinstance(v, int | float) and not isinstance(v, bool) for v in spec):
        if isinstance(spec, list):
            return CategoricalParameter(name, spec)  # a list of two numbers is two categories
        low, high = spec
        if not low < high:
            raise ScenarioError(f"{source}: {key} = {spec!r}: empty range; give (low, high) with low < high")
        for end in spec:
            base.with_overrides({key: end}, source)
        if _field(key).annotation is int:
            return IntegerParameter(name, int(low), int(high))
        return RealParameter(name, float(low), float(high))
    if isinstance(spec, Sequence) and not isinstance(spec, str) and len(spec) > 0:
        for value in spec:
            base.with_overrides({key: value}, source)
        return CategoricalParameter(name, list(spec))
    raise ScenarioError(f"{source}: {key} = {spec!r}: give (low, high) for a range or a list of values")


def ema_model(
    base: str | Path | Scenario = "scenarios/baseline.toml",
    uncertainties: Mapping[str, Any] | None = None,
    levers: Mapping[str, Any] | None = None,
    outcomes: Iterable[str] = ("originality_index",),
    last: int = 1,
    seeds: Iterable[int] | None = None,
    name: str = "ContentEcosystem",
):
    """An EMA Workbench ``Model`` (or ``ReplicatorModel`` with ``seeds``) of the simulation.

    Args:
        base: the base scenario, a TOML path or a :class:`Scenario`; keys not swept keep its values.
        uncertainties: ``{"section.key": (low, high) or [values]}``.
        levers: the same, for the policy levers.
        outcomes: metric columns of the base scenario's world (``model.measurement.columns(scenario)``; the
            text columns need ``world.kind = "text"``): a ``ScalarOutcome`` each, or with ``seeds`` an
            ``ArrayOutcome`` holding one value per seed.
        last: each outcome is the mean of the last ``last`` steps (1: the final step).
        seeds: replicate every experiment over these seeds; without, each runs once with ``run.seed``.
        name: the workbench's name for the model (letters and digits only).
    """
    with warnings.catch_warnings():  # 2.5 warns at import that the optional ipyparallel is missing
        warnings.simplefilter("ignore")
        from ema_workbench import ArrayOutcome, Model, ReplicatorModel, ScalarOutcome

    scenario = base if isinstance(base, Scenario) else load(base)
    source = "ema_model"
    specs = tuple(Outcome(metric, metric, last) for metric in outcomes)
    from experiments.sweep.design import _outcome, outcome_metrics

    swept = {**(uncertainties or {}), **(levers or {})}.get("world.kind")
    metrics = outcome_metrics(scenario, [swept] if isinstance(swept, str) else swept)
    for outcome in specs:  # the sweep files' own check: a metric every run measures, last within the run
        _outcome(outcome.name, {"metric": outcome.metric, "last": last}, scenario.run.steps, source, metrics)
    function = _Simulation(scenario, specs)
    if seeds is None:
        model = Model(name, function=function)
    else:
        model = ReplicatorModel(name, function=function)
        model.replications = [{"seed": int(s)} for s in seeds]
    model.uncertainties = [_parameter(k, v, scenario, f"{source} uncertainties") for k, v in (uncertainties or {}).items()]
    model.levers = [_parameter(k, v, scenario, f"{source} levers") for k, v in (levers or {}).items()]
    # A replicated experiment gives one value per seed: an array outcome, shape (experiments, seeds).
    model.outcomes = [(ScalarOutcome if seeds is None else ArrayOutcome)(o.name) for o in specs]
    return model
