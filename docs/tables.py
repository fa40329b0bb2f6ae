#!/usr/bin/env python3
"""Regenerate every results table and figure of the docs from the model as it is.

    python docs/tables.py                 # all of them: runs every command (about an hour on 2 cores)
    python docs/tables.py policies validation
    python docs/tables.py --list          # the tables, their pages and commands
    python docs/tables.py --render-only   # rewrite the blocks from results already in results/

Each table lives in a page between ``<!-- table NAME -->`` and ``<!-- /table -->``. This script
runs the table's commands (each command once per invocation, whatever number of tables share
it), reads what they wrote, and rewrites the block: a line naming the commands, the date and the
versions, then the table (or, for a benchmark, the figures it printed). Not part of the test
suite; ``tests/test_docs.py`` checks that every table of numbers in the docs is such a block.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from experiments.brief import markdown as summary_markdown  # noqa: E402
from experiments.comparison import HEADLINE  # noqa: E402
from experiments.design.report import docs_table as design_table  # noqa: E402
from tables_calibration import calibration_figures, calibration_patterns, calibration_posterior, over_worlds  # noqa: E402

RESULTS = ROOT / "results"
POLICIES = (
    "python run.py compare baseline ai_flood accumulate human_reserve watermark_filter detector_filter "
    "provenance creator_pay ai_cap ranking wide_nucleus combined --seeds 10 --jobs 2 --out results/policies"
)
LEVERS = {
    "ai.top_p=1.0": "python run.py compare baseline --seeds 10 --set ai.top_p=1.0 --out results/lever-ai.top_p=1.0",
    "ai.temperature=0.8": "python run.py compare baseline --seeds 10 --set ai.temperature=0.8 --out results/lever-ai.temperature=0.8",
}
TEXT = "python run.py run text_baseline --quiet --out results/text_baseline"
TEXT_LEVERS = {
    "policy.data_regime=accumulate": "python run.py run text_baseline --quiet --set policy.data_regime=accumulate --out results/text-accumulate",
    "policy.human_reserve=0.2": "python run.py run text_baseline --quiet --set policy.human_reserve=0.2 --out results/text-reserve",
    "ai.top_p=1.0": "python run.py run text_baseline --quiet --set ai.top_p=1.0 --out results/text-top_p",
}
VALIDATE = "python run.py validate --jobs 2 --quiet --out results/validation"
DECODING = "python -m experiments.decoding --seeds 5 --out results/decoding.csv"
HEAD_CUT = "python -m experiments.originality baseline --seeds 10"
SOBOL = "python run.py sweep scenarios/sweeps/sobol_levers.toml --quiet --out results/sweeps/sobol_levers"
OVERVIEW = "python run.py compare baseline ai_flood combined --seeds 10 --jobs 2 --quiet --out results/overview"
CALIBRATE = "python run.py calibrate --jobs 2 --quiet --out results/calibration"
COVERAGE = "python benchmarks/calibration_coverage.py --replicates 50 --resume --out results/calibration-coverage"
ELASTICITY = "python benchmarks/elasticity.py --seeds 5 --steps 120 --out results/elasticity"
RANGE = "python benchmarks/originality_range.py --draws 40"
DESIGN = "python run.py design scenarios/designs/least_cost.toml --quiet --out results/designs/least_cost"
OVER_WORLDS = "python run.py compare baseline creator_pay --posterior 8 --seeds 3 --jobs 2 --quiet --out results/posterior-creator_pay"


@dataclass
class Table:
    """One block of the docs: where it is, what makes it, and how its text is written from the results."""

    name: str
    page: str
    commands: list[str]
    render: Callable[[dict[str, str]], str]  # printed output of each command -> the block's body
    printed: bool = False  # a benchmark's printed figures (nothing to re-read from results/)


def _num(x: float, digits: int = 3) -> str:
    if not pd.notna(x):
        return "–"
    return (f"{x:,.0f}" if abs(x) >= 100 else f"{x:.{digits}f}").replace("-", "\u2212")


def _summary(folder: str) -> pd.DataFrame:
    return pd.read_csv(RESULTS / folder / "summary.csv")


# -- renderers -------------------------------------------------------------------------------------


def baseline_trajectory(_) -> str:
    runs = pd.read_csv(RESULTS / "policies" / "runs.csv")
    base = runs[runs["scenario"] == "baseline"].copy()
    base["ai_all"] = base["ai_share_new"] + base["assisted_share_new"]
    steps = [0, 1, 12, 24, 36, 60, 84, 120]
    mean = base.groupby("step").mean(numeric_only=True).reindex(steps)
    rows = {
        "AI share of new items (AI + assisted)": "ai_all",
        "of which assisted (a creator's AI tool)": "assisted_share_new",
        "AI share of attention": "ai_attention_share",
        "active human creators": "active_humans",
        "originality index": "originality_index",
        "ideas in a sample of 1,000 recent items": "ideas_rarefied",
        "model coverage of human culture": "model_coverage",
    }
    lines = ["| step (month) | " + " | ".join(map(str, steps)) + " |", "|---|" + "---|" * len(steps)]
    for label, column in rows.items():
        lines.append(f"| {label} | " + " | ".join(_num(mean.loc[s, column]) for s in steps) + " |")
    return "\n".join(lines)


def _rows_of(summary: pd.DataFrame, label: str, scenario: str) -> str:
    table = summary_markdown(summary[summary["scenario"] == scenario])
    return table.splitlines()[2].replace(f"`{scenario}`", label, 1)


def decoding_levers(_) -> str:
    policies = _summary("policies")
    lines = summary_markdown(policies[policies["scenario"] == "baseline"]).splitlines()[:2]
    lines.append(_rows_of(policies, "baseline", "baseline"))
    for setting in LEVERS:  # the scenario is named with its override: "baseline (ai.top_p = 1.0)"
        lever = _summary(f"lever-{setting}")
        lines.append(_rows_of(lever, f"`--set {setting}`", lever["scenario"].iloc[0]))
    return "\n".join(lines)


def policies_table(_) -> str:
    return summary_markdown(_summary("policies")).rstrip()


def validation_table(_) -> str:
    report = json.loads((RESULTS / "validation" / "validation.json").read_text(encoding="utf-8"))
    lines = ["| check | quantity | theory | simulation | accepted band | tolerance | result |", "|---|---|---|---|---|---|---|"]
    for check in report["checks"]:
        for c in check["comparisons"]:
            result = "agrees" if c["passed"] else ("does not agree (known: the result is not reproduced)" if c.get("known") else "does not agree")
            cells = [check["title"], c["quantity"], _g(c["theory"]), _g(c["simulated"]), f"[{_g(c['low'])}, {_g(c['high'])}]", c["rule"].split(", SE =")[0], result]
            lines.append("| " + " | ".join(str(x).replace("|", "\\|") for x in cells) + " |")
    return "\n".join(lines)


def validation_verdicts(_) -> str:
    report = json.loads((RESULTS / "validation" / "validation.json").read_text(encoding="utf-8"))
    lines = ["| check | published result | comparisons that agree | verdict |", "|---|---|---|---|"]
    for check in report["checks"]:
        agree = sum(c["passed"] for c in check["comparisons"])
        lines.append(f"| {check['title']} | {check['source']} | {agree} of {len(check['comparisons'])} | {check['verdict']} |".replace("\n", " "))
    return "\n".join(lines)


#: The policy files' claims (``Effect:`` lines), measured on the library comparison's worlds: the mean effect, the error of
#: that mean, whether the claim holds on average, and in how many of the worlds it holds.
def policy_effects(_) -> str:
    import re as _re

    from experiments.comparison import mean_ci, world_keys

    runs = pd.read_csv(RESULTS / "policies" / "runs.csv")
    worlds = world_keys(runs)
    effect = _re.compile(r"^# Effect: (raises|lowers) (\w+) over months (\d+)-(\d+)\.$")
    lines = ["| policy | its file claims | effect (mean over the comparison's worlds) | error of the mean (95%) | acts | holds in |",
             "|---|---|---|---|---|---|"]
    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        for line in path.read_text(encoding="utf-8").splitlines():
            m = effect.match(line)
            if line.startswith("# Effect: none"):
                lines.append(f"| `{path.stem}` | no effect at the baseline | – | – | no (its file says why) | – |")
            if not m:
                continue
            metric, first, last = m[2], int(m[3]), int(m[4])
            rows = runs[(runs["step"] >= first) & (runs["step"] <= last)]
            table = rows.groupby(["scenario", *worlds])[metric].mean()
            per_world = table.loc[path.stem] - table.loc["baseline"].loc[table.loc[path.stem].index]
            ci = mean_ci(per_world.to_numpy())
            acts = (ci.low > 0) if m[1] == "raises" else (ci.high < 0)
            held = int(((per_world > 0) if m[1] == "raises" else (per_world < 0)).sum())
            lines.append(f"| `{path.stem}` | {m[1]} `{metric}`, months {first}–{last} | {_num(ci.mean)} | {_num(ci.low)} to {_num(ci.high)} | "
                         f"{'yes' if acts else 'NO'} | {held} of {len(per_world)} worlds |")
    return "\n".join(lines)


def originality_sources_table(_) -> str:
    from experiments.comparison import PARTS

    t = pd.read_csv(RESULTS / "policies" / "originality_sources.csv")
    lines = ["| scenario | " + " | ".join(PARTS.values()) + " |", "|---|" + "---|" * len(PARTS)]
    for name in dict.fromkeys(t["scenario"]):
        rows = t[t["scenario"] == name].set_index("part")
        lines.append(f"| `{name}` | " + " | ".join(f"{_num(rows.loc[p, 'mean'])} [{_num(rows.loc[p, 'range_low'])}, {_num(rows.loc[p, 'range_high'])}]" for p in PARTS) + " |")
    return "\n".join(lines)


def decoding_mapping(_) -> str:
    from model.decoding import COUNT_EDGES

    t = pd.read_csv(RESULTS / "decoding.csv", comment="#")
    t = t[(t["doc_tokens"] == 20) & (t["train_docs"] == 20_000) & (t["top_p"] >= 0.8)]
    labels = [f"{a}–{b - 1}" if b - 1 > a else str(a) for a, b in zip(COUNT_EDGES, COUNT_EDGES[1:])] + [f"{COUNT_EDGES[-1]}+"]
    lines = ["| top_p | similarity gain | " + " | ".join(f"count {c}" for c in labels) + " |", "|---|---|" + "---|" * len(labels)]
    for _, r in t.iterrows():
        cells = [f"{r[f'survival_{c}']:.2f} / {r[f'retention_{c}']:.2f}" for c in range(len(labels))]
        lines.append(f"| {r['top_p']:g} | {r['similarity_gain']:+.3f} ± {r['similarity_se']:.3f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _g(x) -> str:
    return "–" if x is None else f"{x:.4g}"


TEXT_COLUMNS = {"ai_share_new": "AI share of new items", "assisted_share_new": "assisted share", "originality_index": "originality index",
                "model_perplexity": "`model_perplexity`", "vocabulary_coverage": "`vocabulary_coverage`", "distinct_2_recent": "`distinct_2_recent`"}


def text_trajectory(_) -> str:
    ts = pd.read_csv(RESULTS / "text_baseline" / "timeseries.csv").set_index("step")
    lines = ["| step | " + " | ".join(TEXT_COLUMNS.values()) + " |", "|---:|" + "---:|" * len(TEXT_COLUMNS)]
    for step in (0, 12, 24, 60, 120):
        lines.append(f"| {step} | " + " | ".join(_num(ts.loc[step, c], 3) if c != "model_perplexity" else f"{ts.loc[step, c]:.1f}" for c in TEXT_COLUMNS) + " |")
    return "\n".join(lines)


def text_levers(_) -> str:
    columns = {"model_perplexity": "`model_perplexity`", "vocabulary_coverage": "`vocabulary_coverage`", "distinct_2_recent": "`distinct_2_recent`",
               "originality_index": "originality index", "human_share_training": "human share of training sets"}
    folders = {"text baseline": "text_baseline", **{f"`{k}`": Path(v.split("--out ")[1]).name for k, v in TEXT_LEVERS.items()}}
    lines = ["| scenario | " + " | ".join(columns.values()) + " |", "|---|" + "---:|" * len(columns)]
    for label, folder in folders.items():
        last = pd.read_csv(RESULTS / folder / "timeseries.csv").iloc[-1]
        lines.append(f"| {label} | " + " | ".join(f"{last[c]:.1f}" if c == "model_perplexity" else f"{last[c]:.3f}" for c in columns) + " |")
    return "\n".join(lines)


def sobol_table(_) -> str:
    s = pd.read_csv(RESULTS / "sweeps" / "sobol_levers" / "sensitivity.csv")
    lines = ["| outcome | parameter | first order S1 | total ST |", "|---|---|---|---|"]
    for _, r in s.iterrows():
        lines.append(f"| {r['outcome']} | `{r['parameter']}` | {r['S1']:.2f} ± {r['S1_conf']:.2f} | {r['ST']:.2f} ± {r['ST_conf']:.2f} |")
    return "\n".join(lines)


def benchmark(name: str, page: str, command: str) -> Table:
    """A benchmark's block: what it printed, as it printed it (machine figures: the date and load are in it)."""
    return Table(name, page, [command], lambda outputs: "```\n" + outputs[command].rstrip() + "\n```", printed=True)


def brief_figure(_) -> str:
    """The top of the policies' brief, as a reader's browser shows it (Debian's chromium, through Playwright)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1150, "height": 820})
        page.goto((RESULTS / "policies" / "report.html").as_uri())
        page.screenshot(path=str(ROOT / "docs" / "img" / "brief-excerpt.png"))
        browser.close()
    return ""


def overview_figure(_) -> str:
    shutil.copyfile(RESULTS / "overview" / "figure-originality_index.png", ROOT / "docs" / "img" / "overview.png")
    return ""


TABLES = [
    Table("baseline-trajectory", "scenarios.md", [POLICIES], baseline_trajectory),
    Table("decoding-levers", "scenarios.md", [POLICIES, *LEVERS.values()], decoding_levers),
    Table("policies", "policies.md", [POLICIES], policies_table),
    Table("validation", "validation.md", [VALIDATE], validation_table),
    Table("validation-verdicts", "validation.md", [VALIDATE], validation_verdicts),
    Table("policy-effects", "policies.md", [POLICIES], policy_effects),
    Table("originality-sources", "policies.md", [POLICIES], originality_sources_table),
    Table("decoding-mapping", "choices.md", [DECODING], decoding_mapping),
    Table("head-cut", "metrics.md", [HEAD_CUT], lambda outputs: outputs[HEAD_CUT].strip(), printed=True),
    Table("text-trajectory", "language.md", [TEXT], text_trajectory),
    Table("text-levers", "language.md", [TEXT, *TEXT_LEVERS.values()], text_levers),
    Table("sobol-indices", "sweeps.md", [SOBOL], sobol_table),
    benchmark("reference-benchmark", "performance.md", "python benchmarks/reference_scale.py --large"),
    benchmark("text-speed", "language.md", "python benchmarks/text_speed.py"),
    benchmark("sweep-throughput", "sweeps.md", "python benchmarks/sweep_scaling.py --runs 200"),
    benchmark("checkpoint-cost", "reliability.md", "python benchmarks/checkpoint_cost.py"),
    benchmark("app-speed", "presenting.md", "python benchmarks/app_speed.py"),
    benchmark("app-sessions", "presenting.md", "python benchmarks/app_sessions.py"),
    benchmark("app-sessions-culled", "presenting.md", "python benchmarks/app_sessions.py --viewers 5 --steps 10 --leave drop --cull 60 --at 15,45,90,150"),
    benchmark("band-cost", "presenting.md", "python benchmarks/band_cost.py"),
    benchmark("figure-speed", "performance.md", "python benchmarks/figure_speed.py"),
    benchmark("compare-speedup", "performance.md", "python benchmarks/compare_scaling.py --draws 30 --workers 1 2 --pool"),
    benchmark("compare-interrupt", "performance.md", "python benchmarks/compare_scaling.py --draws 30 300 --pool --interrupt"),
    Table("calibration-posterior", "calibration.md", [CALIBRATE], calibration_posterior),
    Table("calibration-patterns", "calibration.md", [CALIBRATE], calibration_patterns),
    Table("calibration-figures", "calibration.md", [CALIBRATE], calibration_figures),
    Table("calibration-coverage", "calibration.md", [COVERAGE], lambda outputs: outputs[COVERAGE].rstrip(), printed=True),
    Table("elasticity", "calibration.md", [ELASTICITY], lambda outputs: outputs[ELASTICITY].rstrip(), printed=True),
    Table("originality-range", "calibration.md", [RANGE], lambda outputs: outputs[RANGE].rstrip(), printed=True),
    Table("posterior-comparison", "calibration.md", [OVER_WORLDS], over_worlds),
    Table("design-pareto", "design.md", [DESIGN], lambda _: design_table(RESULTS / "designs" / "least_cost")),
    Table("design-figure", "design.md", [DESIGN], lambda _: shutil.copyfile(RESULTS / "designs" / "least_cost" / "pareto.png", ROOT / "docs" / "img" / "design-pareto.png") and ""),
    Table("overview-figure", "README.md", [OVERVIEW], overview_figure),
    Table("brief-figure", "README.md", [POLICIES], brief_figure),
]
BY_NAME = {t.name: t for t in TABLES}
BLOCK = re.compile(r"<!-- table (?P<name>[\w-]+) -->\n.*?<!-- /table -->", re.S)


def page_path(page: str) -> Path:
    return ROOT / page if page == "README.md" else ROOT / "docs" / page


def run(command: str) -> str:
    """Run one command from the repository's root with this Python; its standard output."""
    argv = shlex.split(command)
    argv[0] = sys.executable
    print(f"$ {command}", file=sys.stderr, flush=True)
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    failed_check = done.returncode == 1 and argv[1:3] == ["run.py", "validate"]  # its table says which check failed
    if done.returncode != 0 and not failed_check:
        sys.exit(f"{command}: exit status {done.returncode}\n{done.stderr[-2000:]}")
    print(f"  {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    return done.stdout


def header(table: Table) -> str:
    import mesa

    commands = ", ".join(f"`{c}`" for c in table.commands)
    return f"Made by {commands} on {time.strftime('%Y-%m-%d', time.gmtime())} (Python {platform.python_version()}, Mesa {mesa.__version__})."


def rewrite(table: Table, body: str) -> None:
    path = page_path(table.page)
    text = path.read_text(encoding="utf-8")
    block = f"<!-- table {table.name} -->\n{header(table)}\n\n{body}\n<!-- /table -->" if body else None
    found = [m for m in BLOCK.finditer(text) if m.group("name") == table.name]
    if block is None:
        return  # a figure: the file is the result
    if len(found) != 1:
        sys.exit(f"{path.relative_to(ROOT)}: expected one block named {table.name}, found {len(found)}")
    path.write_text(text[: found[0].start()] + block + text[found[0].end() :], encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="tables to regenerate (default: all)")
    parser.add_argument("--list", action="store_true", help="list the tables and exit")
    parser.add_argument("--render-only", action="store_true", help="rewrite the blocks from existing results; run nothing")
    args = parser.parse_args(argv)
    if args.list:
        for t in TABLES:
            print(f"{t.name:20s} {t.page:16s} " + "; ".join(t.commands))
        return 0
    unknown = [n for n in args.names if n not in BY_NAME]
    if unknown:
        parser.error(f"unknown table {unknown[0]}; see --list")
    chosen = [BY_NAME[n] for n in args.names] if args.names else TABLES
    if args.render_only:
        chosen = [t for t in chosen if not t.printed]
    outputs: dict[str, str] = {}
    for table in chosen:
        for command in table.commands:
            if command not in outputs:
                outputs[command] = "" if args.render_only else run(command)
        rewrite(table, table.render(outputs))
        print(f"{table.name}: {table.page}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
