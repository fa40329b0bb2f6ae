"""The page's inputs and components for Mesa's SolaraViz.

Inputs are Mesa's own (``model_params`` entries of type Select, SliderFloat, SliderInt,
InputText). Each lever's value is a reactive variable (one per browser session), so that
choosing a preset can move the levers: :class:`PresetChoice` sets every lever to the
preset's value, the sliders show it, and Mesa's input handlers record it for the next
Reset, exactly as if the presenter had moved each slider by hand. Mesa builds the model
with ``PresentationModel(**params)``; a lever nobody touched reaches it as its reactive
variable, which the model reads (see :func:`viz.model.plain`).
"""

from __future__ import annotations

import solara
from mesa.visualization.utils import update_counter

from model.scenario import Scenario, ScenarioError
from viz import figures
from viz.model import PresentationModel
from viz.presets import BASELINE, LEVERS, discover, lever_values, preset_scenario, slider_range
from viz.samples import WhatTheModelsWrite

PRESETS = discover()  # at import: a new preset file appears when the server (re)starts
DEFAULT_PRESET = BASELINE if BASELINE in PRESETS else next(iter(PRESETS), BASELINE)


def _readable_presets() -> dict[str, Scenario]:
    """Each preset that can be read; a broken file is left out of the list (the model would report it)."""
    scenarios = {}
    for name in PRESETS:
        try:
            scenarios[name] = preset_scenario(name, PRESETS)
        except ScenarioError:
            continue
    return scenarios


PRESET_SCENARIOS = _readable_presets()
PRESET_LEVERS = {name: lever_values(scenario) for name, scenario in PRESET_SCENARIOS.items()}
_DEFAULTS = PRESET_LEVERS.get(DEFAULT_PRESET) or lever_values(Scenario())

#: One reactive variable per lever: its value in this session.
LEVER_STATE = {lever.name: solara.Reactive(_DEFAULTS[lever.name]) for lever in LEVERS}


class PresetChoice(solara.Reactive):
    """The preset select's value; choosing a preset sets every lever to that preset's value."""

    def set(self, value):
        super().set(value)
        for name, lever_value in PRESET_LEVERS.get(value, {}).items():
            LEVER_STATE[name].set(lever_value)


PRESET = PresetChoice(DEFAULT_PRESET)


def model_params() -> dict:
    """SolaraViz's ``model_params``: the preset, the seed and every lever."""
    params = {
        "preset": {"type": "Select", "value": PRESET, "values": list(PRESET_LEVERS) or [BASELINE], "label": "Preset"},
        "seed": {"type": "InputText", "value": "1", "label": "Seed"},
    }
    for lever in LEVERS:
        entry = {"type": lever.kind, "value": LEVER_STATE[lever.name], "label": lever.label}
        if lever.kind == "Select":
            entry["values"] = list(lever.values)
        else:
            low, high = slider_range(lever, list(PRESET_SCENARIOS.values()))
            entry.update(min=low, max=high, step=lever.step)
        params[lever.name] = entry
    return params


def reset_controls() -> None:
    """Put the preset and every lever back to the default preset (for tests and a fresh start)."""
    PRESET.set(DEFAULT_PRESET)


def Status(model: PresentationModel) -> None:
    """What is running, how far, and any message about the inputs."""
    counterfactual = "the same run (no policy to compare)" if model.counterfactual is None else "the baseline with the same seed, world and scale"
    labels = {lever.name: lever.label for lever in LEVERS}
    changed = "; ".join(f"{labels[name]} {value}" for name, value in model.changed.items())
    # Text, not Markdown: Markdown loads KaTeX, which solara-assets does not ship (offline it fails).
    solara.Text(
        f"{model.preset} · seed {model.config.run.seed} · step {model.steps} of {model.config.run.steps} (months)."
        + (f" Changed from the preset: {changed}." if changed else "")
        + f" Grey lines: {counterfactual}.",
        style={"font-size": "0.95rem"},
    )
    for notice in model.notices:
        solara.Warning(notice)
    if not model.running and not model.stopped:
        solara.Info("The run has reached its last step; press Reset to start again.")


def _draw(chart: figures.Chart, model, log: bool) -> bytes | str:
    """The chart as image bytes, or a message saying why it cannot be drawn."""
    try:
        if isinstance(chart, figures.Originality):
            chart.set_log(log)
        return chart.image(model)
    except Exception as error:  # noqa: BLE001 - the audience sees a message, never a traceback
        return f"{chart.title}: cannot draw this state ({type(error).__name__}: {error})"


def _chart_component(kind: type[figures.Chart], log_option: bool = False, status: bool = False):
    @solara.component
    def ChartView(model: PresentationModel):
        step = update_counter.get()
        log = solara.use_reactive(False)
        chart = figures.chart(model, kind)
        image = solara.use_memo(lambda: _draw(chart, model, log.value), [model, model.steps, step, log.value])
        with solara.Column(gap="4px"):
            if status:
                Status(model)
            if log_option:
                solara.Checkbox(label="originality index on a log scale", value=log)
            if isinstance(image, str):
                solara.Warning(image)
            else:
                solara.Image(image, width="100%", format=figures.FORMAT)

    ChartView.__name__ = kind.__name__  # shown in Solara's component tree
    return ChartView


#: The page's components, one per chart (the first also shows the run's status and any message), then
#: the "what the models write" panel (in the ideas world, one line saying nothing is written).
COMPONENTS = [_chart_component(kind, log_option=kind is figures.Originality, status=i == 0) for i, kind in enumerate(figures.CHARTS)]
COMPONENTS.append(WhatTheModelsWrite)
