"""The posterior as a plain file: one row per draw, all of equal weight, one column per calibrated key.

``scenarios/posterior/baseline.csv`` is the one the project ships; ``python run.py calibrate``
writes the same format into its results folder. Lines starting with ``#`` above the header say
what made it (command, seed, library versions). Reading it needs pandas only, so ``compare
--posterior`` and ``sweep`` work without the inference library.

Draw ``i`` is row ``i``. A world of a posterior comparison is (draw i, seed s): the draw's
values replace the calibrated keys of every scenario, except a key a scenario itself sets to
another value than the baseline's (a policy that changes a calibrated key keeps its value).
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.calibration.spec import CalibrationError
from model.errors import read_text
from model.scenario import Scenario, ScenarioError

SHIPPED = Path(__file__).resolve().parents[2] / "scenarios" / "posterior" / "baseline.csv"
BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.toml"


def write(path: Path, draws: pd.DataFrame, comments: list[str]) -> None:
    """Write ``draws`` (one column per key) with ``comments`` above the header; floats to the last digit."""
    lines = [f"# {c}" for c in comments]
    body = draws.to_csv(index=False, float_format="%.17g", lineterminator="\n")
    Path(path).write_text("\n".join(lines) + ("\n" if lines else "") + body, encoding="utf-8")


def comments(path: str | Path) -> list[str]:
    """The ``#`` lines above a posterior file's header, without the ``#``."""
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        out.append(line[1:].strip())
    return out


def read(path: str | Path = SHIPPED) -> pd.DataFrame:
    """Read and check a posterior file: every column a scenario key, every value allowed for it.

    Raises:
        CalibrationError: one line naming the file and what is wrong (missing, empty, malformed,
            an unknown key, a value the key does not allow).
    """
    path = Path(path)
    text = read_text(path, CalibrationError)
    try:
        frame = pd.read_csv(io.StringIO(text), comment="#")
    except pd.errors.EmptyDataError:
        raise CalibrationError(f"{path}: empty; a posterior file has a header of scenario keys and one row per draw") from None
    except (pd.errors.ParserError, ValueError) as error:
        raise CalibrationError(f"{path}: malformed CSV: {str(error).splitlines()[0]}") from None
    if frame.empty or not len(frame.columns):
        raise CalibrationError(f"{path}: no draws; a posterior file has a header of scenario keys and one row per draw")
    scenario = Scenario()
    for key in frame.columns:
        try:
            scenario.with_overrides({key: _default(key)}, str(path))
        except ScenarioError as error:
            raise CalibrationError(f"{error} (a column of the posterior)") from None
        values = pd.to_numeric(frame[key], errors="coerce")
        bad = ~np.isfinite(values.to_numpy(float))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise CalibrationError(f"{path}: {key}, draw {row} = {frame[key].iloc[row]!r}: not a finite number")
        frame[key] = values.astype(float)
        for end in (values.min(), values.max()):
            try:
                scenario.with_overrides({key: float(end)}, str(path))
            except ScenarioError as error:
                raise CalibrationError(str(error)) from None
    return frame


def _default(key: str):
    section, _, name = key.partition(".")
    fields = Scenario.model_fields[section].annotation.model_fields if section in Scenario.model_fields else {}
    return fields[name].default if name in fields else None


def draws(n: int, path: str | Path = SHIPPED) -> list[dict[str, float]]:
    """The first ``n`` draws as ``{key: value}``; refuses more than the file holds."""
    frame = read(path)
    if n < 1:
        raise CalibrationError(f"--posterior {n}: need at least 1 draw")
    if n > len(frame):
        raise CalibrationError(f"--posterior {n}: {path} holds {len(frame)} draws; ask for at most {len(frame)}")
    return [{k: float(v) for k, v in row.items()} for row in frame.head(n).to_dict("records")]


def apply(scenario: Scenario, draw: dict[str, float], baseline: Scenario) -> Scenario:
    """``scenario`` in the world of ``draw``: each calibrated key the scenario leaves at the baseline's value takes the draw's."""
    own = {}
    for key, value in draw.items():
        section, _, name = key.partition(".")
        if getattr(getattr(scenario, section), name) == getattr(getattr(baseline, section), name):
            own[key] = value
    return scenario.with_overrides(own, "posterior draw") if own else scenario


def resample(particles: pd.DataFrame, weights: np.ndarray, n: int, seed: int) -> pd.DataFrame:
    """``n`` draws of equal weight from weighted particles (systematic resampling), in a shuffled order."""
    rng = np.random.default_rng(seed)
    w = np.asarray(weights, float) / np.sum(weights)
    positions = (rng.random() + np.arange(n)) / n
    index = np.minimum(np.searchsorted(np.cumsum(w), positions), len(w) - 1)
    return particles.iloc[rng.permutation(index)].reset_index(drop=True)


def medians(frame: pd.DataFrame) -> dict[str, float]:
    return {k: float(np.median(frame[k])) for k in frame.columns}


def rounded(x: float, digits: int = 3) -> float:
    """``x`` to ``digits`` significant figures (what baseline.toml holds)."""
    return 0.0 if x == 0 else float(round(x, digits - 1 - int(math.floor(math.log10(abs(x))))))


def mode(n: int | None, path: str | Path | None, seeds: int):
    """What ``compare --posterior N`` asks for: N draws, ``"all"``, ``"matched"`` (the default when a posterior ships) or None.

    Checks the file now, so a missing, malformed or short posterior stops before anything runs.
    """
    if n is not None and n != "all" and n < 0:
        raise CalibrationError(f"--posterior {n}: give a number of draws >= 0 (0: the scenarios' own values)")
    file = Path(path) if path else SHIPPED
    if n == 0 or (n is None and path is None and not file.exists()):
        return None
    wanted = "matched" if n is None else n
    if wanted == "all":
        read(file)
    else:
        draws(seeds if wanted == "matched" else wanted, file)
    return wanted


def worlds_text(comparison) -> str:
    """``10 plausible worlds (posterior draw i with seed i)`` or ``16 plausible worlds (8 posterior draws x 2 seeds)``."""
    per_draw = comparison.seeds_per_draw
    n = len(comparison.draws) * per_draw
    how = "posterior draw i with seed i" if comparison.matched else f"{len(comparison.draws)} posterior draws x {per_draw} seed{'s' * (per_draw > 1)}"
    return f"{n} plausible worlds ({how})"
