"""Ship a calibration: its posterior becomes the project's, and its medians the baseline's values.

    python -m experiments.calibration.ship results/calibration

copies ``posterior.csv`` to ``scenarios/posterior/baseline.csv`` and writes the posterior median
of each calibrated key, to three significant figures, where the baseline's values live: the
schema's defaults (``model/scenario.py``, which every policy scenario builds on),
``scenarios/baseline.toml`` and ``scenarios/text_baseline.toml`` (the same market on English
documents). A test holds the three to the shipped posterior's medians.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

from experiments.calibration import posterior

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "model" / "scenario.py"
BASELINES = (ROOT / "scenarios" / "baseline.toml", ROOT / "scenarios" / "text_baseline.toml")
NOTE = "calibrated: posterior median (scenarios/posterior/baseline.csv)"


def set_default(text: str, key: str, value: float) -> str:
    """The schema's source with ``key``'s default set to ``value``."""
    section, _, name = key.partition(".")
    cls = {"run": "RunConfig", "world": "WorldConfig", "humans": "HumansConfig", "ai": "AIConfig", "policy": "PolicyConfig", "platform": "PlatformConfig"}[section]
    start = text.index(f"class {cls}(")
    end = text.find("\nclass ", start + 1)
    block = text[start:end]
    new, count = re.subn(rf"(\n    {name}: float = Field\()[^,]+,", rf"\g<1>{value!r},", block, count=1)
    if count != 1:
        raise SystemExit(f"{SCHEMA}: no default of {key} found")
    return text[:start] + new + text[end:]


def set_toml(text: str, key: str, value: float) -> str:
    """A scenario file's text with ``key`` set to ``value`` in its section (added at the section's end if absent)."""
    section, _, name = key.partition(".")
    head = re.search(rf"^\[{section}\]\s*$", text, re.M)
    if head is None:
        return text.rstrip("\n") + f"\n\n[{section}]\n{name} = {value!r}   # {NOTE}\n"
    nxt = re.search(r"^\[", text[head.end() :], re.M)
    end = head.end() + (nxt.start() if nxt else len(text) - head.end())
    body = text[head.end() : end]
    line = re.search(rf"^{name}\s*=\s*[^#\n]*?(\s*#[^\n]*)?$", body, re.M)
    if line:
        comment = line.group(1) or f"   # {NOTE}"
        body = body[: line.start()] + f"{name} = {value!r}{comment}" + body[line.end() :]
    else:
        body = body.rstrip("\n") + f"\n{name} = {value!r}   # {NOTE}\n\n"
    return text[: head.end()] + body + text[end:]


def ship(folder: Path) -> dict[str, float]:
    source = folder / "posterior.csv"
    frame = posterior.read(source)
    medians = {k: posterior.rounded(v) for k, v in posterior.medians(frame).items()}
    schema = SCHEMA.read_text()
    baselines = {path: path.read_text() for path in BASELINES}
    for key, value in medians.items():
        schema = set_default(schema, key, value)
        baselines = {path: set_toml(text, key, value) for path, text in baselines.items()}
    shutil.copyfile(source, posterior.SHIPPED)
    SCHEMA.write_text(schema)
    for path, text in baselines.items():
        path.write_text(text)
    return medians


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python -m experiments.calibration.ship RESULTS_FOLDER")
    for key, value in ship(Path(sys.argv[1])).items():
        print(f"{key} = {value}")
