"""The visual server: model collapse made visible, for presenting to a live audience.

    solara run app.py                # or: python run.py serve [--port P] [--host H]

A Mesa SolaraViz page in the layout of Mesa's own examples: choose a preset from the
scenario library, move the levers, press Reset to apply them, then Step or play. Every
time-series chart draws the baseline with the same seed as a thin grey line, stepped in
lock-step, so the gap is what the levers did. The charts are in ``viz/``.
"""

from mesa.visualization import SolaraViz

from viz.components import COMPONENTS, model_params
from viz.model import PresentationModel

model_params = model_params()
model = PresentationModel()

page = SolaraViz(
    model,
    components=COMPONENTS,
    model_params=model_params,
    name="Content ecosystem: originality when AI models learn from an AI-written web",
)
page  # noqa: B018 - Solara serves the module's `page`
