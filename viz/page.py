"""The page: one model per viewer, controls in the sidebar, the charts in a grid that fits the screen.

Each browser tab gets its own :class:`~viz.model.PresentationModel`, built when the page
opens (``solara.use_memo`` in :func:`Page` runs once per page, and Solara gives every page
its own kernel): a reload starts at step 0, and a second viewer steps a model of their own.
Closing the tab closes its kernel and frees the model.

The Reset, play and Step buttons (:mod:`viz.controls`) sit above the charts, so they stay at
hand with the sidebar hidden; the rest is laid out here instead of in Mesa's SolaraViz
draggable grid, whose tiles have a fixed height that cuts charts off at projector sizes.
Projector mode (a switch in the sidebar, or ``?projector=1`` on the page's address) draws
the charts in larger type, fewer legend entries, and the headline numbers beside them. Charts sit in a CSS grid whose
columns are never narrower than :data:`viz.chart.MIN_SHOWN_PX` (so no chart text falls under
about 12 px on screen) and each chart keeps its own aspect ratio, so nothing is clipped or
overlapped at any window size. Behind the headline charts' lines the page draws the band of
plausible worlds (:mod:`viz.band`), made in a thread of the page's own while the run goes on.
"""

from __future__ import annotations

import ctypes
import gc
import threading
import time

import solara
from mesa.visualization.utils import update_counter

from viz import band
from viz.chart import MIN_SHOWN_PX, PROJECTOR_FONT_PX, WIDTH_PX
from viz.components import CARDS, RUN_INPUTS, BandToggle, Exports, Headline, Inputs, RestorePreset, Status, arguments, model_params
from viz.controls import Run, use_run
from viz.model import PresentationModel
from viz.samples import WhatTheModelsWrite

NAME = "Content ecosystem: originality when AI models learn from an AI-written web"
SIDEBAR_PX = 330
PLAY_MS = (50, 1000, 50, 200)  # the play pause slider: min, max, step, start
#: Projector mode's narrowest chart column: its type is 20 px (at 1920 wide there is room for two such columns).
PROJECTOR_COLUMN_PX = int(20 / PROJECTOR_FONT_PX * WIDTH_PX) + 1
#: Height above a projector chart (the app bar, the controls and the run's line): a chart is no taller than the rest.
PROJECTOR_CHROME_PX = 240
#: The page's inputs in Mesa's model_params form (their values are reactive variables, one value per session).
MODEL_PARAMS = model_params()

CSS = f"""
.v-navigation-drawer {{ width: {SIDEBAR_PX}px !important; min-width: {SIDEBAR_PX}px !important; max-width: {SIDEBAR_PX}px !important; }}
.v-navigation-drawer .v-card {{ margin-bottom: 10px; }}
.v-navigation-drawer .v-card__title {{ font-size: 1.05rem; padding: 10px 14px 4px; }}
.lever {{ margin: 2px 0 0; }}
.lever-label {{ font-size: 0.9rem; line-height: 1.25; }}
.lever-value {{ font-weight: 600; white-space: nowrap; }}
.lever .v-input {{ margin-top: 0; padding-top: 0; }}
.lever .v-input__slot {{ margin-bottom: 0; }}
.lever .v-messages {{ min-height: 4px; }}
.run-status {{ display: flex; flex-wrap: wrap; gap: 6px 24px; align-items: flex-start; min-height: 96px; margin-bottom: 6px; }}
.run-line {{ flex: 1 1 380px; font-size: 16px; }}
.run-numbers table.headline {{ border-collapse: collapse; font-size: 15px; line-height: 1.35; }}
.run-numbers th, .run-numbers td {{ padding: 0 10px; text-align: right; white-space: nowrap; font-size: 15px; }}
.run-numbers th {{ font-weight: 700; }}
.run-numbers td:first-child {{ text-align: left; }}
.chart-grid {{ display: grid; grid-template-columns: repeat(auto-fill, minmax({MIN_SHOWN_PX}px, 1fr)); gap: 14px; align-items: start; }}
/* A card is as wide as its column, but never so wide that its chart is taller than the window (a laptop's
   single column), and never narrower than the column minimum (the chart's type stays >= 12 px). */
.chart-card {{ min-width: 0; width: 100%; justify-self: center;
  max-width: max({MIN_SHOWN_PX}px, min({int(WIDTH_PX * 1.35)}px, calc((100vh - 150px) * var(--aspect)))); }}
.chart-card img.chart, .chart-card img {{ display: block; width: 100%; height: auto; }}
.chart-tools {{ min-height: 40px; align-items: center; font-size: 0.9rem; }}
.chart-tools .v-input {{ margin-top: 0; padding-top: 0; }}
.chart-tools .v-input__slot, .chart-tools .v-messages {{ margin-bottom: 0; min-height: 0; }}
.band-note {{ margin-right: auto; color: #777; font-size: 0.85rem; font-style: italic; }}
.run-controls {{ flex: 0 0 auto; display: flex; gap: 8px; }}
.run-building, .run-building-early {{ font-weight: 600; color: #8a5300; }}
.charts-stale, body.reset-pending .chart-grid {{ opacity: 0.4; }}
/* The browser's own building state, from the press of Reset until the server's (viz/run_controls.vue). */
.run-building-early {{ display: none; }}
body.reset-pending .run-building-early {{ display: block; }}
body.reset-pending .run-what, body.reset-pending .run-pending {{ display: none; }}
.input-pending {{ border-left: 4px solid #e0a100; padding-left: 6px; }}
.pending-note, .run-pending {{ color: #8a5300; font-size: 0.85rem; }}
/* Projector mode: the headline numbers beside the charts, in large type; columns wide enough for 20 px chart type. */
.projector .run-status {{ min-height: 0; }}
.projector .run-line {{ font-size: 20px; }}
.projector-body {{ display: flex; gap: 16px; align-items: flex-start; }}
.projector-body .chart-grid {{ flex: 1 1 auto; min-width: 0;
  grid-template-columns: repeat(auto-fill, minmax(min({PROJECTOR_COLUMN_PX}px, 100%), 1fr)); }}
.projector .chart-card {{ max-width: max(320px, min({int(WIDTH_PX * 1.6)}px, calc((100vh - {PROJECTOR_CHROME_PX}px) * var(--aspect)))); }}
.headline-aside {{ flex: 0 0 auto; max-width: 420px; }}
.headline-aside table.headline, .headline-aside th, .headline-aside td {{ font-size: 24px; line-height: 1.3; white-space: normal; padding: 0 6px; }}
.headline-aside th {{ vertical-align: bottom; }}
.headline-aside table.narrow td {{ text-align: right; }}
.headline-aside th.metric {{ text-align: left; font-weight: 400; padding-top: 10px; }}
.preset-menu .v-list-item__title {{ white-space: normal; line-height: 1.3; }}
.preset-menu .v-list-item {{ min-height: 40px; }}
.preset-select .v-select__selection {{ white-space: normal; line-height: 1.3; }}
.word-lost {{ background: #ffe08a; padding: 0 2px; border-radius: 2px; }}
.band-status {{ display: block; color: #555; font-size: 0.85rem; line-height: 1.3; margin: -4px 0 6px; }}
"""


def new_model() -> solara.Reactive:
    """This viewer's model, in a reactive variable of its own.

    The variable starts empty and is then set, so that no default value keeps the first model
    alive after a Reset replaces it.
    """
    holder = solara.Reactive(None)
    holder.set(PresentationModel(**arguments(MODEL_PARAMS)))
    return holder


def release_memory() -> None:
    """Collect what closed pages left and hand the freed memory back to the system.

    Freed numpy arrays go back to the C allocator, which keeps most of them (so the server's
    memory would only grow as viewers come and go); glibc's ``malloc_trim`` returns them.
    """
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to trim
        pass


#: Pauses (seconds) after a viewer's page closes before each release of memory: Solara tears a kernel
#: down over a few seconds (longer on a busy machine), and its model is freed once nothing refers to it.
RELEASE_PAUSES = (2.0, 8.0, 20.0, 30.0)


class Janitor:
    """Releases memory after each viewer leaves, from a thread of its own started with the server.

    A thread started while a viewer's kernel closes would carry that kernel (Solara hands the
    current kernel to every new thread) and so keep it, and its model, alive until it ends.
    """

    def __init__(self):
        self.left = threading.Event()
        threading.Thread(target=self._run, name="release-memory", daemon=True).start()

    def viewer_left(self) -> None:
        self.left.set()

    def _run(self) -> None:
        while True:
            self.left.wait()
            while self.left.is_set():
                self.left.clear()
                for pause in RELEASE_PAUSES:
                    time.sleep(pause)
                    release_memory()
                    if self.left.is_set():  # another viewer left meanwhile: start the pauses again
                        break


JANITOR = Janitor()


def on_viewer_arrives():
    """For ``solara.lab.on_kernel_start``: when a viewer's page closes, release its memory once it is let go."""
    return JANITOR.viewer_left


@solara.component
def Main(run: Run, view: band.View, projector: bool):
    update_counter.get()
    model = run.model.value
    stale = ["charts-stale"] if run.building.value else []
    with solara.Div(classes=["projector" if projector else "presenter"]):
        Status(model, run, projector, MODEL_PARAMS)
        if projector:
            with solara.Div(classes=["projector-body"]):
                with solara.Div(classes=["chart-grid", *stale]):
                    for card in CARDS:
                        card(model, view, True)
                Headline(model, classes=["headline-aside"], narrow=True)
        else:
            with solara.Div(classes=["chart-grid", *stale]):
                for card in CARDS:
                    card(model, view)
        WhatTheModelsWrite(model)


def use_bands(model: PresentationModel, on: bool, reason: str) -> band.View:
    """This viewer's bands of plausible worlds: made in a thread of their own, so the page and the run never wait."""
    # Not intrusive: Solara's intrusive cancel traces every line of the thread, which would slow the runs many times.
    made = solara.use_thread(lambda: band.worlds(model) if on and not reason else None, dependencies=[model, on, reason], intrusive_cancel=False)
    if not on or reason:
        return band.View(note=reason)
    if made.state == solara.ResultState.FINISHED and made.value is not None and made.value.belongs(model):
        return made.value
    if made.state == solara.ResultState.ERROR:
        return band.View(note=f"No band of plausible worlds: {type(made.error).__name__}: {made.error}")
    return band.View(note=band.COMPUTING)


def projector_asked(search: str | None) -> bool:
    """Whether the page's address asks for projector mode (``?projector=1``)."""
    return any(part in ("projector=1", "projector=true", "projector") for part in (search or "").split("&"))


@solara.component
def Page():
    """The whole page, for one viewer."""
    solara.Style(CSS)
    solara.Title("Content ecosystem")
    params = MODEL_PARAMS
    model = solara.use_memo(new_model, [])
    play = solara.use_reactive(PLAY_MS[3])
    projector = solara.use_reactive(projector_asked(solara.use_router().search))
    run = use_run(model, arguments(params), play)
    reason = band.unavailable()
    bands_on = solara.use_reactive(not reason)  # on when there is a posterior: the page's only word on how sure it is
    view = use_bands(model.value, bands_on.value, reason)
    applied = model.value.inputs
    with solara.AppBar():
        solara.AppBarTitle(NAME)
    with solara.Sidebar():
        with solara.Card("Run"):
            solara.Switch(label="Projector mode (large type)", value=projector)
            with solara.Column(gap="0px", classes=["lever", "lever-play"]):
                with solara.Row(justify="space-between", classes=["lever-label"]):
                    solara.Text("Pause between steps when playing")
                    solara.Text(f"{play.value} ms", classes=["lever-value"])
                solara.SliderInt("", value=play, min=PLAY_MS[0], max=PLAY_MS[1], step=PLAY_MS[2], thumb_label=False)
            BandToggle(bands_on, view, reason)
            Exports(model.value, view)
        with solara.Card("Scenarios (press Reset to apply)"):
            Inputs(params, RUN_INPUTS, applied)
        with solara.Card("Levers of the first run (blue)"):
            RestorePreset()
            Inputs(params, [name for name in params if name not in RUN_INPUTS], applied)
    Main(run, view, projector.value)
