"""The visual server's model and charts (the page itself is ``app.py``); the core never imports this."""

import warnings

# Mesa 3.3's own ComponentsView (this page does not use it) breaks a rule of hooks that Solara checks when
# Mesa's visualization is imported; Mesa 3.5 fixed it. The warning is about Mesa's code, not this page's.
warnings.filterwarnings("ignore", message=".*ComponentsView: `use_state` found despite early return")
