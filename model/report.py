"""Results as files a person can open: CSV, JSON, the resolved scenario, PNG figures, a headline table."""

from __future__ import annotations

import importlib.metadata
import json
import math
import os
import platform
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from model.runner import RunResult  # noqa: E402
from model.text import report as text_report  # noqa: E402

#: Metrics shown in the headline table, with a label each.
HEADLINE = {
    "human_share_new": "human share of new items",
    "ai_share_new": "AI share of new items",
    "human_share_web": "human share of the web",
    "originality_index": "originality index",
    "effective_ideas_recent": "effective ideas (recent)",
    "tail_share_recent": "tail share (recent)",
    "model_coverage": "model coverage of culture",
    "model_variance": "model variance / human",
    "model_generation": "model generation",
    "active_humans": "active human creators",
    "ai_adoption": "AI-tool adoption",
}

PACKAGES = ("mesa", "numpy", "pandas", "networkx", "matplotlib", "pydantic")


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        out[name] = importlib.metadata.version(name)
    return out


def json_value(value):
    """A value JSON can hold: numpy scalars as Python ones, NaN and infinity as null."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def summary(result: RunResult, scenario_file: str | None = None) -> dict:
    ts = result.timeseries
    return {
        "scenario_file": scenario_file,
        "seed": result.scenario.run.seed,
        "steps": result.scenario.run.steps,
        "wall_time_s": round(result.wall_time, 3),
        "items_total": result.items_total,
        # Column by column, so integer columns stay integers.
        "initial": {c: json_value(ts[c].iloc[0]) for c in ts.columns},
        "final": {c: json_value(ts[c].iloc[-1]) for c in ts.columns},
        "versions": versions(),
    }


def headline_table(result: RunResult) -> str:
    """A short text table: each headline metric at setup and at the last step."""
    ts = result.timeseries
    first, last = ts.iloc[0], ts.iloc[-1]
    width = max(map(len, HEADLINE.values()))
    lines = [f"{'':{width}}  {'step 0':>10}  {'step ' + str(int(last['step'])):>10}"]
    for column, label in HEADLINE.items():
        lines.append(f"{label:{width}}  {_fmt(first[column]):>10}  {_fmt(last[column]):>10}")
    lines.append(f"{result.items_total:,} items on the web; {result.wall_time:.2f} s wall time; seed {result.scenario.run.seed}")
    return "\n".join(lines)


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if float(value).is_integer() and abs(value) >= 1:
        return f"{int(value):,}"
    return f"{value:.3g}"


def plot_shares(ts, path: Path) -> None:
    """Who writes the web: shares of this step's items by source, and of the web and training sets."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    steps = ts["step"].iloc[1:]
    body = ts.iloc[1:][["human_share_new", "assisted_share_new", "ai_share_new"]].fillna(0).T.to_numpy()
    ax.stackplot(steps, body, labels=["human (new items)", "assisted (new items)", "AI (new items)"], colors=["#2b8cbe", "#a6bddb", "#e34a33"], alpha=0.85)
    ax.plot(ts["step"], ts["human_share_web"], color="black", lw=2, label="human share of the whole web")
    ax.plot(ts["step"], ts["human_share_training"], color="black", lw=1.5, ls="--", label="human share of training sets")
    ax.set(xlabel="step", ylabel="share", ylim=(0, 1), xlim=(0, max(1, ts["step"].iloc[-1])), title="Who writes the web")
    ax.legend(loc="upper right", fontsize=8, framealpha=0.9)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_originality(ts, path: Path) -> None:
    """Originality: the index, idea diversity, the tail and what models can still produce."""
    fig, axes = plt.subplots(2, 2, figsize=(10, 7), sharex=True)
    step = ts["step"]
    a = axes[0, 0]
    a.plot(step, ts["originality_index"], color="#d95f02", lw=2)
    a.axhline(1, color="grey", lw=0.8, ls=":")
    a.set(title="Originality index (1 = as original as human culture)", ylim=(0, None))
    a = axes[0, 1]
    a.plot(step, ts["effective_ideas_recent"], label="effective ideas (exp entropy)", color="#1b9e77", lw=2)
    a.plot(step, ts["distinct_ideas_recent"], label="distinct ideas", color="#7570b3", lw=1.5)
    a.set(title="Ideas among recent items", yscale="log")
    a.legend(fontsize=8)
    a = axes[1, 0]
    a.plot(step, ts["tail_share_recent"], label="tail share of recent items", color="#e7298a", lw=2)
    a.plot(step, ts["model_coverage"], label="culture mass models can produce", color="#66a61e", lw=1.5)
    a.set(title="The tail", xlabel="step", ylim=(0, 1))
    a.legend(fontsize=8)
    a = axes[1, 1]
    a.plot(step, ts["model_variance"], label="model variance / human", color="#e6ab02", lw=2)
    a.plot(step, ts["dispersion_recent"], label="dispersion of recent items / archive", color="#a6761d", lw=1.5)
    a.axhline(1, color="grey", lw=0.8, ls=":")
    a.set(title="Spread in meaning space", xlabel="step", ylim=(0, None))
    a.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


@contextmanager
def staged_folder(out: Path):
    """Yield an empty staging folder beside ``out``; when the block succeeds, move its files into ``out``.

    So a folder of results is written all or nothing: a failure leaves ``out`` as it was.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        yield staging
        out.mkdir(exist_ok=True)
        for f in sorted(staging.iterdir()):
            os.replace(f, out / f.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write(result: RunResult, out: Path, scenario_file: str | None = None) -> list[Path]:
    """Write every result file into ``out``; all or nothing."""
    with staged_folder(out) as staging:
        result.timeseries.to_csv(staging / "timeseries.csv", index=False)
        (staging / "summary.json").write_text(json.dumps(summary(result, scenario_file), indent=2) + "\n")
        (staging / "scenario.toml").write_text(result.scenario.to_toml())
        plot_shares(result.timeseries, staging / "shares.png")
        plot_originality(result.timeseries, staging / "originality.png")
        text_report.write(result, staging)  # the text world: samples.md and its figures
        names = sorted(f.name for f in staging.iterdir())
    return [Path(out) / name for name in names]
