"""The visual server: model collapse made visible, for presenting to a live audience.

    solara run app.py                # or: python run.py serve [--port P] [--host H]

Choose two presets from the scenario library (the first one's levers can be moved), press
Reset to apply them, then Step or play: both runs step together on the same seed and world,
drawn in the same charts in blue and orange, so the gap between the colours is what the
scenarios change. Every browser tab runs a model of its own. The page is in ``viz/page.py``,
its charts in ``viz/``.
"""

import os
import warnings

import solara.lab
import solara.server.settings

from viz.page import MODEL_PARAMS, Page, on_viewer_arrives  # noqa: F401 - Solara serves the module's `Page`
from viz.sessions import install

# A page whose websocket reconnects under load: disconnected when its last socket ends, so it is culled (viz/sessions.py).
install()

# Nothing of Solara's over a chart: its "This website runs on Solara" badge sits in the page's corner.
solara.server.settings.theme.show_banner = False
# A tab closed without saying so (a crash, a sleeping laptop) frees its model after 10 minutes, not Solara's 24 hours.
if "SOLARA_KERNEL_CULL_TIMEOUT" not in os.environ:
    solara.server.settings.kernel.cull_timeout = "10m"
# Closing a tab closes its kernel, which frees its model; then its memory goes back to the system.
solara.lab.on_kernel_start(on_viewer_arrives)
# Solara warns that its session cookie cannot be SameSite=None over plain http; that matters only when the
# page is embedded in another site's frame, which a presentation's page is not.
warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")

#: The page's inputs, as Mesa's model_params (the values are each session's reactive variables).
model_params = MODEL_PARAMS
