"""Reset, play and Step: the page's own run controls, which show at once that a Reset is under way.

Mesa's ModelController builds the new model inside the click, so for the seconds that takes the
page kept the old charts with Play and Step live. Here the browser itself shows the building state
the moment Reset is pressed (``run_controls.vue``: Play and Step disabled, the status line says so,
the charts fade), whatever the server's load; the server then stops any play, marks the page as
building (so the state holds until the new runs are drawn) and builds the new
:class:`~viz.model.PresentationModel` in a thread; the charts change when it is ready. A play loop steps only the model it started with, so a Reset while playing can never
step the new run: the new run starts at step 0, paused.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass

import reacton.core
import solara
from mesa.visualization.utils import force_update, update_counter

from viz.model import PresentationModel


@dataclass(frozen=True, eq=False)  # a new Run each render, so its buttons are drawn again with its state
class Run:
    """This viewer's run state: the model, whether it plays or is being built, and the inputs Reset builds from."""

    model: solara.Reactive
    playing: solara.Reactive
    building: solara.Reactive
    resets: solara.Reactive  # Reset presses so far: each starts one build
    pause_ms: solara.Reactive
    inputs: dict  # name -> reactive variable (read when the model is built)
    page: object = None  # the page's render context: changes made inside it are drawn in one render, not one each

    def reset(self) -> None:
        # One render for the three changes, not three: the building state reaches the screen sooner.
        with self.page if self.page is not None else contextlib.nullcontext():
            self.playing.set(False)
            self.building.set(True)
            self.resets.set(self.resets.value + 1)

    def step(self) -> None:
        if not self.building.value:
            self.model.value.step()
            force_update()

    def play_pause(self) -> None:
        self.playing.set(not self.playing.value)


def build(run: Run, press: int) -> None:
    """Build the model Reset asked for (press number ``press``); a later press's build wins."""
    if press == 0:
        return
    try:
        fresh = PresentationModel(**{name: value.value for name, value in run.inputs.items()})
    except Exception as error:  # noqa: BLE001 - the model reports bad inputs itself; anything else is a message, not a hang
        fresh = run.model.value
        fresh.notices.append(f"Reset could not build the new runs ({type(error).__name__}: {error}); these are the runs before it.")
    if run.resets.value == press:
        run.model.set(fresh)
        run.building.set(False)
        force_update()


def play(run: Run, model: PresentationModel) -> None:
    """Step ``model`` every pause while playing; stops when it is paused, replaced by a Reset, or ends."""
    while run.playing.value and run.model.value is model and not run.building.value:
        time.sleep(run.pause_ms.value / 1000)
        if not run.playing.value or run.model.value is not model or run.building.value:
            return
        model.step()
        force_update()
        if not model.running:
            run.playing.set(False)


def use_run(model: solara.Reactive, inputs: dict, pause_ms: solara.Reactive) -> Run:
    """This viewer's :class:`Run`, with its build and play threads (non-intrusive: Solara's would trace every line)."""
    run = Run(model, solara.use_reactive(False), solara.use_reactive(False), solara.use_reactive(0), pause_ms, inputs, reacton.core.get_render_context())
    press = run.resets.value
    solara.use_thread(lambda: build(run, press), dependencies=[press], intrusive_cancel=False)
    current = model.value
    solara.use_thread(lambda: play(run, current) if run.playing.value else None, dependencies=[run.playing.value, current], intrusive_cancel=False)
    return run


def Controls(run: Run):
    """The Reset, play and Step buttons; the states they show are their props, so they are drawn again whenever one changes."""
    return _Buttons(run, run.building.value, run.playing.value, run.model.value)


@solara.component
def _Buttons(run: Run, busy: bool, playing: bool, model):
    """The buttons (Play and Step disabled while a Reset builds the new runs, and in the browser from the press on)."""
    update_counter.get()
    ended = not model.running
    RunButtons(playing=playing, play_disabled=busy or ended, step_disabled=busy or ended or playing, resets=run.resets.value,
               event_reset=lambda _data: run.reset(), event_play_pause=lambda _data: run.play_pause(), event_step=lambda _data: run.step()).meta(ref="run-buttons")


@solara.component_vue("run_controls.vue")
def RunButtons(playing: bool, play_disabled: bool, step_disabled: bool, resets: int, event_reset=None, event_play_pause=None, event_step=None):
    """Reset, play and Step as a Vue template, so that Reset's building state needs no round trip to the server."""
