"""The page's inputs, its status line and its chart cards.

Inputs are described as Mesa's ``model_params`` entries (type Select, SliderFloat, SliderInt,
InputText) whose values are reactive variables, one per browser session, so that choosing
a preset can move the levers: :class:`PresetChoice` sets every lever to the preset's value
and the sliders show it, exactly as if the presenter had moved each one by hand. On Reset,
Mesa's ModelController builds ``PresentationModel(**arguments)`` from those variables, which
the model reads (see :func:`viz.model.plain`). Each slider shows its value beside its label
above a track as wide as the sidebar, whatever the label's length.
"""

from __future__ import annotations

import html

import reacton.ipyvuetify as rv
import solara
from mesa.visualization.utils import update_counter

from model.scenario import Scenario, ScenarioError
from viz import figures
from viz.band import COMPUTING, View
from viz.chart import FIRST, FORMAT, SECOND
from viz.controls import Controls
from viz.model import PresentationModel
from viz.presets import BASELINE, LEVERS, discover, lever_values, preset_scenario, slider_range, titles

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
#: Each preset's title and one-line description (its file's first line), for the menus.
PRESET_TITLES = titles(PRESETS)
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
COMPARE = solara.Reactive(DEFAULT_PRESET)
SEED = solara.Reactive("1")
#: Inputs that choose the runs; the rest are the first run's levers.
RUN_INPUTS = ("preset", "compare", "seed")


def model_params() -> dict:
    """The page's inputs in Mesa's ``model_params`` form: the two presets, the seed and every lever."""
    names = list(PRESET_LEVERS) or [BASELINE]
    params = {
        "preset": {"type": "Select", "value": PRESET, "values": names, "label": "First run (blue): preset", "menu": "presets"},
        "compare": {"type": "Select", "value": COMPARE, "values": names, "label": "Second run (orange): preset, as saved", "menu": "presets"},
        "seed": {"type": "InputText", "value": SEED, "label": "Seed (both runs)"},
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


def arguments(params: dict) -> dict:
    """What Reset passes to :class:`PresentationModel`: each input's reactive variable, read when the model is built."""
    return {name: entry["value"] for name, entry in params.items()}


def reset_controls() -> None:
    """Put the presets, the seed and every lever back to the default preset (for tests and a fresh start)."""
    PRESET.set(DEFAULT_PRESET)
    COMPARE.set(DEFAULT_PRESET)
    SEED.set("1")


def shown(value, step) -> str:
    """A slider's value as its label shows it: as many decimals as its step."""
    if float(step).is_integer():
        return f"{value:,.0f}"
    decimals = max(0, len(f"{step:g}".split(".")[-1]))
    return f"{value:.{decimals}f}"


@solara.component
def Input(name: str, entry: dict, applied=None):
    """One input; a slider gets its label and value on a line of their own, above a full-width track.

    An input whose value differs from ``applied`` (what the runs on screen were built with) is marked until Reset applies it.
    """
    kind, label, value = entry["type"], entry.get("label", name), entry["value"]
    pending = applied is not None and name in applied and value.value != applied[name]
    with solara.Div(classes=["input", f"input-{name}", *(["input-pending"] if pending else [])]):
        if kind == "Select" and entry.get("menu") == "presets":
            PresetSelect(label, entry["values"], value)
        elif kind == "Select":
            solara.Select(label, values=entry["values"], value=value)
        elif kind == "InputText":
            solara.InputText(label, value=value)
        elif kind in ("SliderFloat", "SliderInt"):
            with solara.Column(gap="0px", classes=["lever", f"lever-{name}"]).meta(ref=f"lever-{name}"):
                with solara.Row(justify="space-between", gap="8px", classes=["lever-label"]):
                    solara.Text(label)
                    solara.Text(shown(value.value, entry["step"]), classes=["lever-value"])
                slider = solara.SliderFloat if kind == "SliderFloat" else solara.SliderInt
                slider("", value=value, min=entry["min"], max=entry["max"], step=entry["step"], thumb_label=False)
        else:
            raise ValueError(f"{kind} is not an input type of this page")
        if pending:
            solara.Text(PENDING_NOTE, classes=["pending-note"])


PENDING_NOTE = "changed: Reset applies it"
#: The preset menus: tall enough for every preset's line without scrolling (at 1080 px), wide enough for two lines each.
PRESET_MENU = {"maxHeight": 980, "maxWidth": 620, "minWidth": 560, "contentClass": "preset-menu"}


def PresetSelect(label: str, names, value: solara.Reactive):
    """A preset menu: each preset by its title and one-line description (its file's first line), never its file name."""
    items = [{"text": PRESET_TITLES[name].line if name in PRESET_TITLES else name, "value": name} for name in names]
    return rv.Select(label=label, items=items, v_model=value.value, on_v_model=value.set, menu_props=PRESET_MENU, classes=["preset-select"])


def pending_inputs(params: dict, applied: dict) -> list[str]:
    """The labels of the inputs changed since the runs on screen were built (Reset applies them)."""
    return [entry.get("label", name) for name, entry in params.items() if name in applied and entry["value"].value != applied[name]]


@solara.component
def Inputs(params: dict, names, applied=None):
    for name in names:
        Input(name, params[name], applied)


@solara.component
def RestorePreset():
    """Puts every lever back to the first run's preset as saved (Reset then applies them)."""
    solara.Button(label="Restore the preset's levers", on_click=lambda: PRESET.set(PRESET.value), text=True, color="primary",
                  classes=["restore-preset"])


#: The numbers the status table shows for both runs: (column, label, format).
HEADLINE = (
    ("human_share_new", "human share of new items", "{:.2f}"),
    ("originality_index", "originality index", "{:.2f}"),
    ("model_coverage", "model coverage of culture", "{:.3f}"),
)


def headline_table(model: PresentationModel, narrow: bool = False) -> str:
    """This step's headline numbers of both runs and their difference, as an HTML table.

    ``narrow`` (projector mode, beside the charts): each metric's name on a row of its own above its numbers, so
    the table is three number columns wide and stays whole in 24 px type beside the headline chart of a 1280 px window.
    """
    h, b = model.history, model.other_history

    def cell(series, fmt):
        return fmt.format(series[-1]) if len(series) else "–"

    def difference(a, b, fmt):
        """The difference of the numbers as shown (0.14 and 0.44 give -0.30), with no signed zero."""
        if not (len(a) and len(b)):
            return "–"
        shown = float(fmt.format(a[-1])) - float(fmt.format(b[-1]))
        text = fmt.replace(":", ":+").format(shown + 0.0)
        return text if float(text) != 0 else fmt.format(0.0)

    two = model.other is not None
    if narrow:
        head = f"<th style='color:{FIRST}'>{html.escape(model.label)}</th>"
        head += f"<th style='color:{SECOND}'>{html.escape(model.other_label)}</th><th>difference</th>" if two else ""
        rows = []
        for column, label, fmt in HEADLINE:
            numbers = f"<td>{cell(h[column], fmt)}</td>"
            numbers += f"<td>{cell(b[column], fmt)}</td><td>{difference(h[column], b[column], fmt)}</td>" if two else ""
            rows.append(f"<tr><th class='metric' colspan='{3 if two else 1}'>{label}</th></tr><tr>{numbers}</tr>")
        return f"<table class='headline narrow'><tr>{head}</tr>{''.join(rows)}</table>"
    head = f"<th></th><th style='color:{FIRST}'>{html.escape(model.label)}</th>"
    head += f"<th style='color:{SECOND}'>{html.escape(model.other_label)}</th><th>difference</th>" if two else ""
    rows = []
    for column, label, fmt in HEADLINE:
        row = f"<td>{label}</td><td>{cell(h[column], fmt)}</td>"
        if two:
            row += f"<td>{cell(b[column], fmt)}</td><td>{difference(h[column], b[column], fmt)}</td>"
        rows.append(f"<tr>{row}</tr>")
    return f"<table class='headline'><tr>{head}</tr>{''.join(rows)}</table>"


@solara.component
def Headline(model: PresentationModel, classes=("run-numbers",), narrow: bool = False):
    """This step's headline numbers of both runs and their difference."""
    update_counter.get()
    solara.HTML(tag="div", unsafe_innerHTML=headline_table(model, narrow), classes=["run-numbers", *classes])


BUILDING = "Building the new runs… (Play and Step return when they are ready)"


@solara.component
def Status(model: PresentationModel, run=None, projector: bool = False, params: dict | None = None):
    """The run buttons, what is running and how far, the headline numbers (beside the charts in projector mode), and any message."""
    update_counter.get()
    labels = {lever.name: lever.label for lever in LEVERS}
    changed = "; ".join(f"{labels[name]} {value}" for name, value in model.changed.items())
    runs = f"{model.label} (blue)" + (f" against {model.other_label} (orange)" if model.other is not None else ", one run (the second preset is the same run)")
    building = run is not None and run.building.value
    with solara.Div(classes=["run-status"]):
        if run is not None:
            Controls(run)
        with solara.Column(gap="2px", classes=["run-line"]):
            # Text, not Markdown: Markdown loads KaTeX, which solara-assets does not ship (offline it fails).
            if building:
                solara.Text(BUILDING, classes=["run-building"])
            else:
                solara.Text(BUILDING, classes=["run-building-early"])  # hidden until Reset is pressed (viz/run_controls.vue)
                end = " The last step: press Reset to start again." if not model.running and not model.stopped else ""
                solara.Text(f"{runs} · seed {model.config.run.seed} · step {model.steps} of {model.config.run.steps} (months).{end}", classes=["run-what"])
            if changed:
                solara.Text(f"Levers moved from {model.title_of(model.preset)}: {changed}.", classes=["run-changed"])
            pending = pending_inputs(params, model.inputs) if params and not building else []
            if pending:
                solara.Text(f"Changed, not applied yet (press Reset): {', '.join(pending)}.", classes=["run-pending"])
            for notice in model.notices:
                solara.Warning(notice, dense=True)
        if not projector:
            Headline(model)


def _draw(chart: figures.Chart, model, log: bool) -> bytes | str:
    """The chart as image bytes, or a message saying why it cannot be drawn."""
    try:
        if isinstance(chart, figures.Originality):
            chart.set_log(log)
        return chart.image(model)
    except Exception as error:  # noqa: BLE001 - the audience sees a message, never a traceback
        return f"{chart.title}: cannot draw this state ({type(error).__name__}: {error})"


def export_name(model: PresentationModel, what: str, suffix: str) -> str:
    runs = model.preset if model.other is None else f"{model.preset}-vs-{model.compare}"
    return f"{what}_{runs}_seed{model.config.run.seed}_step{model.steps}.{suffix}"


def _chart_card(kind: type[figures.Chart], log_option: bool = False):
    @solara.component
    def ChartCard(model: PresentationModel, view: View = View(), projector: bool = False):
        step = update_counter.get()
        log = solara.use_reactive(False)
        chart = figures.chart(model, kind, view.of(model), projector)
        image = solara.use_memo(lambda: _draw(chart, model, log.value), [model, model.steps, step, log.value, chart])
        with solara.Div(classes=["chart-card", f"chart-{kind.slug}"], style={"--aspect": f"{kind.aspect(projector):.3f}"}):
            with solara.Row(justify="end", gap="12px", classes=["chart-tools"]):
                if kind.banded and view.note == COMPUTING:
                    solara.Text(COMPUTING, classes=["band-note"])
                if log_option:
                    solara.Checkbox(label="index on a log scale", value=log)
                solara.FileDownload(lambda: chart.png(model), filename=export_name(model, kind.slug, "png"), label="PNG, 1920 px wide",
                                    mime_type="image/png")
            if isinstance(image, str):
                solara.Warning(image)
            else:
                solara.Image(image, width="100%", format=FORMAT, classes=["chart"])

    ChartCard.__name__ = kind.__name__  # shown in Solara's component tree
    return ChartCard


#: One card per chart, in the order of :data:`viz.figures.CHARTS` (the Originality card has the log option).
CARDS = [_chart_card(kind, log_option=kind is figures.Originality) for kind in figures.CHARTS]


#: Decimals of the CSV export: one part in a million of a share, far below any difference a run shows, without the
#: floating-point noise of 1.0000000000000042.
CSV_DECIMALS = 6


@solara.component
def Exports(model: PresentationModel, view: View = View()):
    """Both runs' time series so far, as one CSV file (one row per run and step; with the bands' columns when they are shown), rounded to :data:`CSV_DECIMALS`."""
    update_counter.get()
    bands = view.of(model)
    solara.FileDownload(lambda: model.timeseries_table(bands).round(CSV_DECIMALS).to_csv(index=False), filename=export_name(model, "timeseries", "csv"),
                        label="Time series (CSV)", mime_type="text/csv")


@solara.component
def BandToggle(on: solara.Reactive, view: View, reason: str):
    """The switch of the bands of plausible worlds, and one line on them when there are none."""
    solara.Checkbox(label="Band of plausible worlds (posterior draws)", value=on, disabled=bool(reason))
    note = reason or (view.note if on.value and view.note != COMPUTING else "")
    if note:
        solara.Text(note, classes=["band-status"])
