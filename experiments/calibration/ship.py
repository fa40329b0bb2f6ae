"""Ship a calibration: its posterior becomes the project's, and the draw that fits best the baseline.

    python -m experiments.calibration.ship results/calibration [--jobs 2]

copies ``posterior.csv`` to ``scenarios/posterior/baseline.csv``, chooses the baseline by the rule
of :mod:`experiments.calibration.choose` (the draw nearest the data on fresh seeds; its index and
distance are written as a ``# Baseline:`` line of the shipped file), and writes that draw's value
of each calibrated key, to three significant figures, where the baseline's values live: the
schema's defaults (``model/scenario.py``, which every policy scenario builds on),
``scenarios/baseline.toml`` and ``scenarios/text_baseline.toml`` (the same market on English
documents). A test holds the three to the chosen draw.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from experiments.calibration import choose, posterior, spec

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "model" / "scenario.py"
BASELINES = (ROOT / "scenarios" / "baseline.toml", ROOT / "scenarios" / "text_baseline.toml")
NOTE = "calibrated: the posterior draw that fits best (scenarios/posterior/baseline.csv)"
BASELINE_LINE = re.compile(r"^Baseline: draw (\d+) ")


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


def baseline_draw(path: str | Path = posterior.SHIPPED) -> int:
    """The index (0-based row) of the draw a shipped posterior names as the baseline."""
    for line in posterior.comments(path):
        match = BASELINE_LINE.match(line)
        if match:
            return int(match[1])
    raise ValueError(f"{path}: no '# Baseline: draw N' line; ship it with python -m experiments.calibration.ship")


def ship(folder: Path, jobs: int = 2) -> tuple[int, dict[str, float]]:
    from experiments.sweep import execute

    source = folder / "posterior.csv"
    frame = posterior.read(source)
    calibration = spec.read()
    with execute.executor(jobs) as pool:
        index, table = choose.choose(calibration, frame, pool)
    best = float(table.loc[table["draw"] == index, "mean_distance"].iloc[0])
    values = {k: posterior.rounded(float(v)) for k, v in frame.loc[index].items()}
    line = (
        f"Baseline: draw {index} (row {index + 1}), the one of the first {len(table)} distinct draws nearest the data on "
        f"{choose.SEEDS} fresh seeds (mean distance {best:.2f}; python -m experiments.calibration.ship)"
    )
    schema = SCHEMA.read_text()
    baselines = {path: path.read_text() for path in BASELINES}
    for key, value in values.items():
        schema = set_default(schema, key, value)
        baselines = {path: set_toml(text, key, value) for path, text in baselines.items()}
    notes = [c for c in posterior.comments(source) if not BASELINE_LINE.match(c)]
    posterior.write(posterior.SHIPPED, frame, notes + [line])
    SCHEMA.write_text(schema)
    for path, text in baselines.items():
        path.write_text(text)
    return index, values


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m experiments.calibration.ship", description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a calibration's results folder (holding posterior.csv)")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    index, values = ship(args.folder, args.jobs)
    print(f"baseline: draw {index}")
    for key, value in values.items():
        print(f"{key} = {value}")


if __name__ == "__main__":
    main()
