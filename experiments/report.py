"""Results as files a person can open: CSV, JSON, the resolved scenario, PNG figures, a headline table."""

from __future__ import annotations

import json
import math
from pathlib import Path

from experiments import text_report
from experiments.figures import plot_originality, plot_shares
from experiments.files import json_value, staged_folder, versions
from experiments.runner import RunResult

#: Metrics shown in the headline table, with a label each: the three source shares of new items
#: sum to 1; the text world adds its own (only the columns a run measured are shown).
HEADLINE = {
    "human_share_new": "human share of new items",
    "assisted_share_new": "assisted share of new items",
    "ai_share_new": "AI share of new items",
    "human_share_web": "human share of the web",
    "originality_index": "originality index",
    "effective_ideas_recent": "effective ideas (recent)",
    "tail_share_recent": "tail share (recent)",
    "model_coverage": "model coverage of culture",
    "model_variance": "model variance / human",
    "model_perplexity": "perplexity on human text",
    "vocabulary_coverage": "vocabulary coverage",
    "distinct_2_recent": "distinct bigrams (recent)",
    "model_generation": "model generation",
    "active_humans": "active human creators",
    "ai_adoption": "AI-tool adoption",
}

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
    for column, label in ((c, lbl) for c, lbl in HEADLINE.items() if c in ts.columns):
        lines.append(f"{label:{width}}  {_fmt(first[column]):>10}  {_fmt(last[column]):>10}")
    lines.append(f"{result.items_total:,} items on the web; {result.wall_time:.2f} s wall time; seed {result.scenario.run.seed}")
    return "\n".join(lines)


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if float(value).is_integer() and abs(value) >= 1:
        return f"{int(value):,}"
    return f"{value:.3g}"


def write(result: RunResult, out: Path, scenario_file: str | None = None, label: str | None = None) -> list[Path]:
    """Write every result file into ``out``; all or nothing.

    ``label`` names the scenario in the figures' titles (default: the scenario file's name).
    """
    scenario = result.scenario
    name = label or (Path(scenario_file).stem if scenario_file else "scenario")
    title = f"{name} · seed {scenario.run.seed}"
    opts = {"title": title, "retrain_every": scenario.ai.retrain_every, "window": scenario.run.window}
    with staged_folder(out) as staging:
        result.timeseries.to_csv(staging / "timeseries.csv", index=False)
        if result.agents is not None:  # run.agent_data
            result.agents.to_csv(staging / "agents.csv", index=False)
        (staging / "summary.json").write_text(json.dumps(summary(result, scenario_file), indent=2) + "\n")
        (staging / "scenario.toml").write_text(result.scenario.to_toml())
        plot_shares(result.timeseries, staging / "shares.png", **opts)
        plot_originality(result.timeseries, staging / "originality.png", **opts)
        text_report.write(result, staging, title)  # the text world: samples.md and its figures
        names = sorted(f.name for f in staging.iterdir())
    return [Path(out) / name for name in names]
