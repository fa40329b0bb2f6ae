"""The scenario library: the folder of scenario files, and the file a library name or a path means.

``experiments/library.py`` builds on it (descriptions, result folder names, small worlds);
:func:`model.scenario.load` reads what :func:`find` finds.
"""

from __future__ import annotations

import os
from pathlib import Path

from model.errors import ScenarioError, did_you_mean

LIBRARY = Path(__file__).resolve().parent.parent / "scenarios"


def library_names(folder: Path = LIBRARY) -> list[str]:
    """Scenario names in the library ``folder``: ``baseline`` first, then alphabetical."""
    found = sorted(p.stem for p in Path(folder).glob("*.toml"))
    return sorted(found, key=lambda n: n != "baseline")


def find(name: str | os.PathLike, folder: Path = LIBRARY) -> Path:
    """The file a scenario argument means: a library name (``human_reserve``), or a path as given.

    Raises:
        ScenarioError: for a bare name that is not in the library (a missing path is left
            to :func:`model.scenario.load`, which names the file).
    """
    if not isinstance(name, str | os.PathLike):
        raise ScenarioError(f"{name!r}: not a scenario; allowed: a library name ({', '.join(library_names(folder))}), a path to a .toml file or a Scenario")
    text = os.fspath(name)
    if isinstance(name, os.PathLike) or text.endswith(".toml") or "/" in text or "\\" in text or Path(text).is_file():
        return Path(text)
    path = Path(folder) / f"{text}.toml"
    if path.is_file():
        try:  # shown as scenarios/NAME.toml where the library is under the working folder
            return path.relative_to(Path.cwd())
        except ValueError:
            return path
    known = library_names(folder)
    raise ScenarioError(f"{text}: unknown scenario; {did_you_mean(text, known)}allowed: {', '.join(known)} (or a path to a .toml file)")
