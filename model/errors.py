"""The project's one error type for bad input, the did-you-mean hint its messages give, and reading input files with it."""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path
from typing import Any


class ScenarioError(ValueError):
    """Invalid scenario input; ``str(error)`` is a one-line message for users."""


def did_you_mean(word: str, choices, shown=None) -> str:
    """``"did you mean X? "`` for the closest of ``choices`` to a mistyped ``word`` ("" when none is close).

    ``shown`` maps a choice to how the message names it (a key to its dotted name).
    """
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean {(shown or {}).get(close[0], close[0])}? " if close else ""


def read_text(path: str | Path, error: type[ScenarioError] = ScenarioError) -> str:
    """A UTF-8 file's text; ``error`` (one line naming the file) if it is missing or unreadable."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as why:
        raise error(f"{path}: cannot read: {why}") from None


def read_toml(path: str | Path, error: type[ScenarioError] = ScenarioError) -> dict[str, Any]:
    """A TOML file's tables; ``error`` (one line naming the file) if it is missing, unreadable or malformed."""
    text = read_text(path, error)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as why:
        raise error(f"{path}: malformed TOML: {why}") from None
    except RecursionError:
        raise error(f"{path}: malformed TOML: nested too deeply") from None
