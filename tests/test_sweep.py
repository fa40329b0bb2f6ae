"""Sweeps: executors give identical results, Sobol indices rank levers, PRIM finds the tipping box,
killed workers lose nothing, resume runs only what is missing, bad sweep files get one-line errors.

Runs are tiny (6 to 8 steps, a 1,000-item archive, 30 creators). One Dask ``LocalCluster`` with
two worker processes is shared by the module, since starting one costs seconds.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import signal
from dataclasses import replace
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import run as cli
from experiments.runner import run as run_scenario
from model.scenario import Scenario
from experiments.sweep import analysis, design, execute
from experiments.sweep.worker import run_task

#: The tiny world's market is pinned (the values the baseline held before its calibration), so a
#: new calibration of the baseline does not move these tests of the sweep machinery.
TINY = """\
[run]
steps = 6
window = 3

[world]
dim = 2
archive_items = 1000

[humans]
count = 30
adoption_p = 0.1
adoption_q = 0.05
ai_speedup = 3.0

[ai]
models = 2
train_size = 300
retrain_every = 2
items_per_step = 30.0
cost = 0.135
cost_elasticity = 1.0
adjustment = 0.5
max_change = 1.6
top_p = 0.95
item_tokens = 36.1   # every calibrated key is pinned here, so a refit leaves these tests' world as it is

[platform]
attention = 3.0
substitution = 0.5
content_pull = 0.0
ai_visibility = 0.2
assisted_visibility = 0.3
novelty_premium = 2.0
"""

LHS = """\
base = "tiny.toml"
design = "lhs"
samples = 6
seeds = 2
seed = 11
common_random_numbers = false

[parameters]
policy.human_reserve = { range = [0.0, 0.5] }
policy.data_regime = { values = ["replace", "accumulate"] }
ai.retrain_every = { range = [1, 3] }

[outcomes]
originality = { metric = "originality_index" }
human_share = { metric = "human_share_new", last = 3 }
"""

# policy.window does nothing under data_regime = "replace" (the base's); ai.top_p drives originality.
SOBOL = """\
base = "tiny.toml"
design = "sobol"
samples = 16
seeds = 1
seed = 5

[set]
run.steps = 8

[parameters]
policy.window = { range = [1, 40] }
ai.top_p = { range = [0.7, 1.0] }
humans.productivity = { range = [0.8, 1.2] }

[outcomes]
originality = { metric = "originality_index" }

[tipping]
outcome = "originality"
below = 0.45
density = 0.9
"""


def write_sweep(folder: Path, text: str, name: str = "sweep.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tiny.toml").write_text(TINY)
    path = folder / name
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.fixture(scope="module")
def lhs(tmp_path_factory):
    """The LHS sweep run once on one local worker process: the reference every executor must reproduce."""
    folder = tmp_path_factory.mktemp("lhs")
    sweep = design.read(write_sweep(folder, LHS))
    out = folder / "reference"
    with execute.LocalPool(1) as pool:
        outcome = execute.run_sweep(sweep, out, pool, progress=False)
    assert outcome.ran == outcome.total == 12
    return sweep, out / execute.RUNS


def kill_once(marker: Path, job, task):
    """Run the task, except that the first worker to reach point 2, replicate 0 kills its own process."""
    if (task.point, task.replicate) == (2, 0):
        try:
            os.close(os.open(marker, os.O_CREAT | os.O_EXCL))
        except FileExistsError:
            pass
        else:
            os.kill(os.getpid(), signal.SIGKILL)
    return run_task(job, task)


def record(log: Path, job, task):
    """Run the task and leave a file naming it, to count which runs were made."""
    (log / f"{task.point}-{task.replicate}").touch()
    return run_task(job, task)


def test_runs_are_one_row_per_point_and_seed_with_exact_values(lhs):
    sweep, runs = lhs
    table = analysis.read_runs(sweep, runs.parent)
    assert list(table.columns) == ["point", "replicate", "seed", *sweep.keys, "originality", "human_share"]
    assert list(zip(table.point, table.replicate)) == [(i, r) for i in range(6) for r in range(2)]
    # Seeds come from the sweep's SeedSequence by (point, replicate), independent across runs here.
    assert [int(s) for s in table.seed] == [
        int(np.random.SeedSequence(11, spawn_key=(i, r)).generate_state(1, dtype=np.uint32)[0]) for i in range(6) for r in range(2)
    ]
    assert len(set(table.seed)) == 12
    # Each row is exactly the run the scenario API gives for its values and seed.
    row = table.to_dict("records")[7]  # Python scalars, as the scenario schema wants
    scenario = sweep.base.with_overrides({k: row[k] for k in sweep.keys} | {"run.seed": row["seed"]})
    ts = run_scenario(scenario).timeseries
    assert row["originality"] == ts.originality_index.iloc[-1]
    assert row["human_share"] == ts.human_share_new.iloc[-3:].mean()
    # Every sampled value is in its range, and each integer key got integers.
    assert table["policy.human_reserve"].between(0, 0.5).all()
    assert set(table["ai.retrain_every"]) <= {1, 2, 3}


def test_designs_give_their_points_from_the_sweep_file_alone(tmp_path):
    grid = LHS.replace('design = "lhs"\nsamples = 6', 'design = "grid"').replace(
        "range = [0.0, 0.5] }", "range = [0.0, 0.5], levels = 3 }").replace("range = [1, 3] }", "range = [1, 3], levels = 3 }")
    points = design.read(write_sweep(tmp_path, grid, "grid.toml")).points()
    assert len(points) == 3 * 2 * 3
    assert {p["policy.human_reserve"] for p in points} == {0.0, 0.25, 0.5}
    assert {p["ai.retrain_every"] for p in points} == {1, 2, 3} and all(type(p["ai.retrain_every"]) is int for p in points)
    sobol = design.read(write_sweep(tmp_path, SOBOL, "sobol.toml"))
    assert len(sobol.points()) == 16 * (3 + 2)
    assert sobol.points() == sobol.points()  # a pure function of the file: resume finds the same points
    assert len({sobol.run_seed(i, 0) for i in range(10)}) == 1  # common random numbers by default
    assert sobol.run_seed(0, 0) != sobol.run_seed(0, 1)


def test_two_local_workers_and_a_dask_cluster_write_the_same_runs(lhs, client, tmp_path):
    sweep, reference = lhs
    with execute.LocalPool(2) as pool:
        execute.run_sweep(sweep, tmp_path / "pool2", pool, progress=False)
    with execute.DaskPool(client) as pool:
        execute.run_sweep(sweep, tmp_path / "dask", pool, progress=False)
    assert (tmp_path / "pool2" / execute.RUNS).read_bytes() == reference.read_bytes()
    assert (tmp_path / "dask" / execute.RUNS).read_bytes() == reference.read_bytes()


def test_a_dask_worker_killed_mid_sweep_loses_nothing(lhs, client, tmp_path):
    sweep, reference = lhs
    marker = tmp_path / "killed"
    with execute.DaskPool(client) as pool:
        outcome = execute.run_sweep(sweep, tmp_path / "out", pool, progress=False, fn=partial(kill_once, marker))
    assert marker.exists(), "no worker was killed"
    assert outcome.ran == 12
    assert (tmp_path / "out" / execute.RUNS).read_bytes() == reference.read_bytes()
    client.wait_for_workers(2, timeout=60)  # the nanny restarts the killed worker for the next tests


def test_a_local_worker_killed_mid_sweep_loses_nothing(lhs, tmp_path):
    sweep, reference = lhs
    marker = tmp_path / "killed"
    with execute.LocalPool(2) as pool:
        execute.run_sweep(sweep, tmp_path / "out", pool, progress=False, fn=partial(kill_once, marker))
    assert marker.exists(), "no worker was killed"
    assert (tmp_path / "out" / execute.RUNS).read_bytes() == reference.read_bytes()


def test_resume_runs_only_the_missing_runs(lhs, tmp_path):
    sweep, reference = lhs
    out = tmp_path / "out"
    out.mkdir()
    lines = reference.read_text().splitlines(keepends=True)
    kept = [lines[0], *lines[1:4], *lines[6:9]]  # rows of runs (0,0) (0,1) (1,0) and (2,1) (3,0) (3,1), then a row cut short
    (out / execute.RUNS).write_text("".join(kept) + lines[10][:15])
    (out / execute.META).write_text(json.dumps({"fingerprint": sweep.fingerprint()}))
    log = tmp_path / "log"
    log.mkdir()
    with execute.LocalPool(1) as pool:
        outcome = execute.run_sweep(sweep, out, pool, resume=True, progress=False, fn=partial(record, log))
    assert sorted(p.name for p in log.iterdir()) == sorted(["1-1", "2-0", "4-0", "4-1", "5-0", "5-1"])
    assert (outcome.ran, outcome.total) == (6, 12)
    assert (out / execute.RUNS).read_bytes() == reference.read_bytes()
    # A finished sweep resumed runs nothing.
    with execute.LocalPool(1) as pool:
        assert execute.run_sweep(sweep, out, pool, resume=True, progress=False).ran == 0


@pytest.fixture(scope="module")
def sobol_out(tmp_path_factory):
    """The Sobol sweep through the command line, two local workers."""
    folder = tmp_path_factory.mktemp("sobol")
    path = write_sweep(folder, SOBOL)
    out = folder / "out"
    said = io.StringIO()
    with contextlib.redirect_stdout(said):
        assert cli.main(["sweep", str(path), "--jobs", "2", "--out", str(out), "--quiet"]) == 0
    lines = said.getvalue().splitlines()  # --quiet: only where it wrote
    assert len(lines) == 1 and lines[0].startswith("wrote runs.csv, ") and "sensitivity.csv" in lines[0] and lines[0].endswith(f" to {out}/")
    return design.read(path), out


def test_sobol_total_index_is_near_zero_for_a_dead_lever_and_largest_for_the_driver(sobol_out):
    out = sobol_out[1]
    assert {"runs.csv", "sensitivity.csv", "sobol.png", "outcome_originality.png", "tipping.csv", "sweep.json"} <= {
        p.name for p in out.iterdir()
    }
    assert len(pd.read_csv(out / "runs.csv")) == 16 * (3 + 2)
    s = pd.read_csv(out / "sensitivity.csv").set_index("parameter")
    assert list(s.columns) == ["outcome", "S1", "S1_conf", "ST", "ST_conf"]
    assert abs(s.loc["policy.window", "ST"]) < 0.02
    # With 16 base samples the first-order index's 95% half-width is near 0.3, so S1 is held to its
    # ranking, not to a level; the total index of the driver is well above its own noise.
    assert s["ST"].idxmax() == "ai.top_p" and s["S1"].idxmax() == "ai.top_p", s
    assert s.loc["ai.top_p", "ST"] > 0.3, s
    assert (s["ST_conf"] >= 0).all()


def test_prim_finds_the_tipping_box_on_the_driving_lever(sobol_out):
    sweep, out = sobol_out
    runs = analysis.read_runs(sweep, out)
    boxes = pd.read_csv(out / "tipping.csv")
    tipped = runs.originality < sweep.tipping.below
    assert 0 < tipped.sum() < len(runs)
    first = boxes[boxes.box == 1].set_index("parameter")
    # The box bounds top_p from above (high top_p keeps the tail), holds mostly tipped runs,
    # and its coverage and density are what it holds.
    assert first.loc["ai.top_p", "upper"] < runs["ai.top_p"].max()
    inside = pd.Series(True, index=runs.index)
    for key, limits in first.iterrows():
        inside &= runs[key].between(limits.lower, limits.upper)
    density, coverage = tipped[inside].mean(), tipped[inside].sum() / tipped.sum()
    assert first.density.iloc[0] == pytest.approx(density) and density >= sweep.tipping.density
    assert first.coverage.iloc[0] == pytest.approx(coverage) and coverage > 0.5
    # A threshold nothing falls below finds no box, and says so with an empty table.
    none = replace(sweep, tipping=replace(sweep.tipping, below=-1.0))
    assert analysis.tipping_boxes(none, runs)[0].empty


def test_ema_workbench_runs_the_model_as_the_scenario_api_does():
    ema_workbench = pytest.importorskip("ema_workbench")
    from experiments.sweep.ema import ema_model

    base = Scenario().with_overrides({"run.steps": 4, "world.archive_items": 2000, "humans.count": 50, "ai.models": 2, "ai.train_size": 500, "ai.items_per_step": 50.0})
    model = ema_model(base, uncertainties={"ai.temperature": (0.8, 1.2)}, levers={"policy.data_regime": ["replace", "accumulate"]}, outcomes=["originality_index"])
    experiments, outcomes = ema_workbench.perform_experiments(model, scenarios=3, policies=2)
    assert len(experiments) == 6
    for i, row in experiments.iterrows():
        scenario = base.with_overrides({"ai.temperature": float(row.ai_temperature), "policy.data_regime": str(row.policy_data_regime)})
        assert outcomes["originality_index"][i] == run_scenario(scenario).timeseries.originality_index.iloc[-1]


def test_ema_adapter_refuses_unknown_keys_and_bad_ranges():
    pytest.importorskip("ema_workbench")
    from model.scenario import ScenarioError
    from experiments.sweep.ema import ema_model

    with pytest.raises(ScenarioError, match="policy.nope: unknown key"):
        ema_model(Scenario(), levers={"policy.nope": (0, 1)})
    with pytest.raises(ScenarioError, match=r"policy.human_reserve = 1.5: allowed: number in \[0, 1\]"):
        ema_model(Scenario(), levers={"policy.human_reserve": (0.0, 1.5)})
    with pytest.raises(ScenarioError, match="unknown metric"):
        ema_model(Scenario(), outcomes=["originality"])
    with pytest.raises(ScenarioError, match="'model_perplexity': measured in the text world only"):
        ema_model(Scenario(), outcomes=["model_perplexity"])
    with pytest.raises(ScenarioError, match="'model_perplexity': measured in the text world only"):
        ema_model(Scenario().with_overrides({"world.kind": "text"}), uncertainties={"world.kind": ["text", "ideas"]}, outcomes=["model_perplexity"])


def test_ema_workbench_runs_a_text_world_outcome():
    ema_workbench = pytest.importorskip("ema_workbench")
    from experiments.sweep.ema import ema_model

    base = Scenario().with_overrides(
        {"world.kind": "text", "run.steps": 3, "world.archive_items": 1000, "humans.count": 30, "ai.models": 1, "ai.train_size": 300, "ai.retrain_every": 2}
    )
    model = ema_model(
        base, uncertainties={"ai.temperature": (0.9, 1.1)}, levers={"policy.data_regime": ["replace", "accumulate"]}, outcomes=["model_perplexity", "distinct_2_recent"]
    )
    experiments, outcomes = ema_workbench.perform_experiments(model, scenarios=1, policies=2)
    assert len(experiments) == 2
    for i, row in experiments.iterrows():
        ts = run_scenario(base.with_overrides({"ai.temperature": float(row.ai_temperature), "policy.data_regime": str(row.policy_data_regime)})).timeseries
        assert outcomes["model_perplexity"][i] == ts.model_perplexity.iloc[-1] and outcomes["distinct_2_recent"][i] == ts.distinct_2_recent.iloc[-1]


TEXT_SWEEP = """\
base = "tiny_text.toml"
design = "grid"
seeds = 2
seed = 3

[parameters]
policy.data_regime = { values = ["replace", "accumulate"] }

[outcomes]
perplexity = { metric = "model_perplexity" }
coverage = { metric = "vocabulary_coverage", last = 3 }
distinct = { metric = "distinct_2_recent" }
originality = { metric = "originality_index" }
"""


def test_a_text_world_sweep_reports_the_text_columns(tmp_path):
    path = write_sweep(tmp_path, TEXT_SWEEP)
    (tmp_path / "tiny_text.toml").write_text(TINY.replace("[world]\n", '[world]\nkind = "text"\n'))
    out = tmp_path / "out"
    assert cli.main(["sweep", str(path), "--out", str(out), "--jobs", "1", "--quiet"]) == 0
    runs = pd.read_csv(out / execute.RUNS)
    assert len(runs) == 4 and list(runs.columns[-4:]) == ["perplexity", "coverage", "distinct", "originality"]
    sweep = design.read(path)
    for _, row in runs.iterrows():  # each row is its run, made on its own
        scenario = sweep.base.with_overrides({"policy.data_regime": row["policy.data_regime"], "run.seed": int(row["seed"])})
        ts = run_scenario(scenario).timeseries
        assert row["perplexity"] == ts["model_perplexity"].iloc[-1] and row["distinct"] == ts["distinct_2_recent"].iloc[-1]
        assert row["coverage"] == pytest.approx(ts["vocabulary_coverage"].iloc[-3:].mean(), rel=1e-15)
    assert runs["perplexity"].min() > 1 and runs["perplexity"].nunique() > 1


def test_a_sweep_over_both_worlds_accepts_only_what_both_measure(tmp_path):
    both = TEXT_SWEEP.replace('policy.data_regime = { values = ["replace", "accumulate"] }', 'world.kind = { values = ["ideas", "text"] }')
    path = write_sweep(tmp_path, both)
    (tmp_path / "tiny_text.toml").write_text(TINY.replace("[world]\n", '[world]\nkind = "text"\n'))
    with pytest.raises(design.ScenarioError, match="'model_perplexity': measured in the text world only"):
        design.read(path)
    kept = "\n".join(line for line in both.splitlines() if not line.startswith(("perplexity", "coverage", "distinct")))
    assert [o.metric for o in design.read(write_sweep(tmp_path, kept)).outcomes] == ["originality_index"]


BAD = [
    ("parameters.policy.nope = { range = [0, 1] }", "policy.nope: unknown key; allowed keys in [policy]"),
    ("parameters.polcy.window = { range = [1, 5] }", "polcy.window: unknown section"),
    ("parameters.policy.human_reserve = { range = [0.3, 0.3] }", "parameters.policy.human_reserve.range = [0.3, 0.3]: empty"),
    ("parameters.policy.data_regime = { values = [] }", "parameters.policy.data_regime.values = []: empty"),
    ("parameters.policy.human_reserve = { range = [0.0, 1.5] }", "policy.human_reserve = 1.5: allowed: number in [0, 1]"),
    ("parameters.policy.data_regime = { values = [\"replace\", \"sometimes\"] }", "policy.data_regime = 'sometimes': allowed: one of"),
    ("parameters.policy.data_regime = { range = [0, 1] }", "policy.data_regime is not a number"),
    ("design = \"random\"", "design = 'random': unknown design; allowed: one of grid, lhs, sobol"),
    ("outcomes.x = { metric = \"originality\" }", "outcomes.x.metric = 'originality': unknown metric; allowed:"),
    ("outcomes.x = { metric = \"model_perplexity\" }", "outcomes.x.metric = 'model_perplexity': measured in the text world only (world.kind = \"text\")"),
    ("outcomes.x = { metric = \"originality_index\", last = 50 }", "outcomes.x.last = 50: more than the run's 7 rows"),
    ("tipping = { outcome = \"nothing\", below = 0.2 }", "tipping.outcome = 'nothing': not an outcome of this sweep"),
    ("set.ai.nope = 3", "ai.nope: unknown key"),
    ("colour = \"blue\"", "colour: unknown key; allowed keys: base, design"),
    ("seeds = 0", "seeds = 0: Input should be greater than or equal to 1"),
    ("base = \"missing.toml\"", "missing.toml: file not found"),
]


def _bad_sweep(line: str) -> str:
    """LHS with one entry replaced or added: ``table.key = value`` goes into [table], other keys at the top."""
    key, _, value = (part.strip() for part in line.partition("="))
    table, _, inner = key.partition(".")
    lines = LHS.splitlines()
    if table in ("parameters", "outcomes", "set") and inner:
        lines = [l for l in lines if l.split("=")[0].strip() != inner]
        if f"[{table}]" not in lines:
            lines += ["", f"[{table}]"]
        lines.insert(lines.index(f"[{table}]") + 1, f"{inner} = {value}")
    else:
        lines = [line] + [l for l in lines if l.split("=")[0].strip() != key]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("line, message", BAD, ids=[b[0].split("=")[0].strip() + str(i) for i, b in enumerate(BAD)])
def test_bad_sweep_files_exit_2_with_one_line_and_write_nothing(line, message, tmp_path, capsys):
    path = write_sweep(tmp_path, _bad_sweep(line))
    out = tmp_path / "out"
    assert cli.main(["sweep", str(path), "--out", str(out), "--jobs", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and str(path) in err, err
    assert message in err, err
    assert not out.exists()


def test_malformed_toml_and_a_folder_holding_another_sweep(lhs, tmp_path, capsys):
    path = write_sweep(tmp_path, "design = [\n")
    assert cli.main(["sweep", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "malformed TOML" in capsys.readouterr().err
    reference = lhs[1]
    path = write_sweep(tmp_path, LHS.replace("seed = 11", "seed = 12"))
    for args, message in ((["--resume"], "holds a different sweep"), ([], "already holds runs.csv; add --resume")):
        assert cli.main(["sweep", str(path), "--out", str(reference.parent), *args]) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1
    with reference.open() as f:
        assert len(list(csv.reader(f))) == 13  # untouched


def test_the_example_sweeps_are_valid_and_small():
    examples = {p.stem: design.read(p) for p in sorted((Path(cli.HERE) / "scenarios" / "sweeps").glob("*.toml"))}
    assert {"sobol_levers", "tipping_point"} <= set(examples)
    assert examples["sobol_levers"].design == "sobol"
    tipping = examples["tipping_point"]
    assert {"ai.cost", "platform.ai_visibility", "policy.human_reserve"} <= set(tipping.keys)
    assert tipping.tipping is not None and tipping.tipping.outcome == "originality"
    for sweep in examples.values():  # small: a minute or two on 2 cores (runs of 60-120 months, 300 creators)
        assert len(sweep.points()) * sweep.seeds <= 800
