"""The project's one error type for bad input, and the did-you-mean hint its messages give."""

from __future__ import annotations

import difflib


class ScenarioError(ValueError):
    """Invalid scenario input; ``str(error)`` is a one-line message for users."""


def did_you_mean(word: str, choices, shown=None) -> str:
    """``"did you mean X? "`` for the closest of ``choices`` to a mistyped ``word`` ("" when none is close).

    ``shown`` maps a choice to how the message names it (a key to its dotted name).
    """
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean {(shown or {}).get(close[0], close[0])}? " if close else ""
