"""Policy design: the Pareto set is non-dominated and recomputable from the runs, a seed fixes it, resume
reproduces it, an exported mix runs, bad design files get one-line errors.

The tiny design searches 6 mixes x 3 generations of the baseline scaled to 30 creators and 8 steps, in
2 posterior draws x 2 seeds, and checks the Pareto set in 2 more draws; one search is shared by the module.
"""

from __future__ import annotations

import contextlib
import csv
import io
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import run as cli
from experiments.design import spec
from model.scenario import load

pytest.importorskip("pymoo")

ROOT = Path(__file__).resolve().parent.parent

TINY = f"""\
base = "{ROOT / 'scenarios' / 'baseline.toml'}"
seed = 7
creators = 30

[set]
run.steps = 8
run.window = 3
world.dim = 2

[levers]
policy.creator_subsidy = {{ range = [0.0, 0.3] }}
policy.human_reserve = {{ range = [0.0, 0.4] }}
policy.data_regime = {{ values = ["replace", "accumulate"] }}

[objectives]
originality = {{ metric = "originality_index", statistic = "p25", direction = "max", last = 3 }}
cost = {{ metric = "policy_payments", direction = "min", last = 3 }}

[constraints]
human_share = {{ metric = "human_share_new", at_least = 0.5, share = 0.75, last = 3 }}

[worlds]
draws = 2
seeds = 2

[search]
population = 6
generations = 3

[check]
draws = 2
seeds = 1

[choose]
least = "cost"
"""


def write_design(folder: Path, text: str = TINY) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "tiny.toml"
    path.write_text(text)
    return path


def search(path: Path, out: Path, *extra) -> None:
    said = io.StringIO()
    with contextlib.redirect_stdout(said):
        assert cli.main(["design", str(path), "--out", str(out), "--quiet", *map(str, extra)]) == 0
    assert said.getvalue() == f"wrote pareto.csv, convergence.csv, pareto.png and design.md to {out}/\n"  # --quiet: only where it wrote


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """The tiny design searched once on two local workers: the reference."""
    folder = tmp_path_factory.mktemp("design")
    path = write_design(folder)
    search(path, folder / "out", "--jobs", 2)
    return path, folder / "out"


def recomputed(path: Path, out: Path) -> pd.DataFrame:
    """Every mix's objectives and constraint share, from evaluations.csv alone (the search's worlds only)."""
    design = spec.read(path)
    runs = pd.read_csv(out / "evaluations.csv")
    runs = runs[runs["world"] < len(design.worlds)]
    levers = [c for c in runs.columns if c.startswith("lever.")]
    out = []
    for mix, group in runs.groupby(levers, sort=False):
        assert len(group) == len(design.worlds)  # every mix in every world
        out.append({
            **dict(zip(levers, mix)),
            "max.originality": np.quantile(group["originality_index.last3"], 0.25),
            "min.cost": group["policy_payments.last3"].mean(),
            "met.human_share": np.mean(group["human_share_new.last3"] >= 0.5),
        })  # fmt: skip
    return pd.DataFrame(out)


def test_the_pareto_set_is_every_feasible_mix_no_other_dominates(tiny):
    path, out = tiny
    pareto = pd.read_csv(out / "pareto.csv")
    every = recomputed(path, out)
    assert len(every) >= 10  # the search tried more than its first generation
    feasible = every[every["met.human_share"] >= 0.75]

    def dominated(row) -> bool:
        better_or_equal = (feasible["max.originality"] >= row["max.originality"]) & (feasible["min.cost"] <= row["min.cost"])
        better = (feasible["max.originality"] > row["max.originality"]) | (feasible["min.cost"] < row["min.cost"])
        return bool((better_or_equal & better).any())

    expected = feasible[[not dominated(r) for _, r in feasible.iterrows()]]
    assert len(pareto) == len(expected) >= 1
    assert (pareto["met.human_share"] >= 0.75).all()
    key = ["lever.policy.creator_subsidy", "lever.policy.human_reserve", "lever.policy.data_regime"]
    merged = pareto.merge(expected, on=key, suffixes=("", ".again"))
    assert len(merged) == len(pareto)
    for column in ("max.originality", "min.cost", "met.human_share"):
        np.testing.assert_allclose(merged[column], merged[f"{column}.again"], rtol=1e-12)
    assert list(pareto["mix"]) == list(range(1, len(pareto) + 1))
    assert pareto["min.cost"].is_monotonic_increasing  # ordered by the objective the words choose on
    # The status quo (the base's values: no payment, no reserve, replace) is in the first generation.
    assert ((every["lever.policy.creator_subsidy"] == 0) & (every["lever.policy.human_reserve"] == 0)).any()


def test_the_other_files_are_written(tiny):
    path, out = tiny
    convergence = pd.read_csv(out / "convergence.csv")
    assert list(convergence["generation"]) == [1, 2, 3]
    assert convergence["hypervolume"].is_monotonic_increasing and convergence["mixes"].iloc[0] == 6
    robustness = pd.read_csv(out / "robustness.csv")
    assert len(robustness) == len(pd.read_csv(out / "pareto.csv"))
    assert set(pd.read_csv(out / "evaluations.csv")["world"]) == {0, 1, 2, 3, 4, 5}  # 4 search worlds, 2 check worlds
    text = (out / "design.md").read_text()
    assert "## The answer" in text and ("The least costly mix that keeps human_share_new above 0.5" in text or "No mix" in text)
    assert (out / "pareto.png").stat().st_size > 10_000


def test_the_same_seed_gives_the_same_pareto_set_on_any_number_of_workers(tiny, tmp_path):
    path, reference = tiny
    search(path, tmp_path / "again", "--jobs", 1)
    for name in ("pareto.csv", "convergence.csv", "evaluations.csv", "robustness.csv"):
        assert (tmp_path / "again" / name).read_bytes() == (reference / name).read_bytes(), name
    other = write_design(tmp_path / "other", TINY.replace("seed = 7", "seed = 8"))
    search(other, tmp_path / "other-out")
    assert (tmp_path / "other-out" / "evaluations.csv").read_bytes() != (reference / "evaluations.csv").read_bytes()


def test_a_dask_cluster_gives_the_same_pareto_set(tiny, tmp_path):
    pytest.importorskip("distributed")
    path, reference = tiny
    search(path, tmp_path / "dask", "--scheduler", "local", "--jobs", 2)
    for name in ("pareto.csv", "convergence.csv", "evaluations.csv"):
        assert (tmp_path / "dask" / name).read_bytes() == (reference / name).read_bytes(), name


def test_resume_after_an_interrupt_gives_the_uninterrupted_result(tiny, tmp_path):
    path, reference = tiny
    out = tmp_path / "out"
    out.mkdir()
    shutil.copy(reference / "design.json", out)
    lines = (reference / "evaluations.csv").read_text().splitlines(keepends=True)
    kept = lines[: len(lines) // 2]
    (out / "evaluations.csv").write_text("".join(kept) + lines[len(kept)][:12])  # an interrupt cut the last row short
    assert cli.main(["design", str(path), "--out", str(out), "--quiet"]) == 2  # refused without --resume
    search(path, out, "--resume")
    for name in ("pareto.csv", "convergence.csv", "evaluations.csv", "robustness.csv"):
        assert (out / name).read_bytes() == (reference / name).read_bytes(), name
    assert f"({len(lines) - len(kept)} runs made by this call)" in (out / "design.md").read_text()


def test_an_exported_mix_runs_and_holds_the_rows_levers(tiny, tmp_path, capfd):
    path, out = tiny
    assert cli.main(["design", str(path), "--out", str(out), "--export", "1"]) == 0
    exported = out / "mix-1.toml"
    assert exported.read_text().startswith("# Design mix 1: ")
    row = pd.read_csv(out / "pareto.csv").iloc[0]
    scenario = load(exported)
    assert scenario.policy.creator_subsidy == row["lever.policy.creator_subsidy"]
    assert scenario.policy.human_reserve == row["lever.policy.human_reserve"]
    assert scenario.policy.data_regime == row["lever.policy.data_regime"]
    assert (scenario.humans.count, scenario.run.steps) == (30, 8)  # the design's world
    assert cli.main(["run", str(exported), "--out", str(tmp_path / "run"), "--quiet"]) == 0
    assert (tmp_path / "run" / "timeseries.csv").exists()
    capfd.readouterr()
    assert cli.main(["design", str(path), "--out", str(out), "--export", "99"]) == 2
    assert "allowed: 1 to" in capfd.readouterr().err


def _bad(key: str, value: str) -> str:
    """TINY with ``name = value`` in table ``table`` (key ``table.name``; levers' names are dotted) or at the top."""
    table, name = key.split(".", 1) if "." in key else ("", key)
    out, current = [], ""
    for line in TINY.splitlines():
        if line.startswith("["):
            current = line.strip("[]")
        if current == table and line.split("=")[0].strip() == name:
            continue  # the line replaced
        out.append(line)
        if table and line == f"[{table}]":
            out.append(f"{name} = {value}")
    return "\n".join(out if table else [f"{name} = {value}", *out]) + "\n"


BAD = [
    ("sed", "3", "sed: unknown key; did you mean seed?"),
    ("levers.policy.human_reserv", "{ range = [0.0, 0.3] }", "human_reserv"),
    ("levers.policy.human_reserve", "{ range = [0.0, 1.5] }", "levers: policy.human_reserve = 1.5: allowed"),
    ("levers.policy.data_regime", '{ values = ["replace", "all"] }', "policy.data_regime"),
    ("objectives.cost", '{ metric = "policy_payment", direction = "min", last = 3 }', "unknown metric; did you mean policy_payments?"),
    ("objectives.cost", '{ metric = "policy_payments", direction = "least", last = 3 }', "direction = 'least': allowed: max, min"),
    ("objectives.cost", '{ metric = "policy_payments", direction = "min", statistic = "p100", last = 3 }', "statistic = 'p100': allowed"),
    ("objectives.cost", '{ metric = "policy_payments", direction = "min", last = 20 }', "last = 20: more than the run's 9 rows"),
    ("constraints.human_share", '{ metric = "human_share_new", last = 3 }', "give exactly one of at_least = X or at_most = X"),
    ("constraints.human_share", '{ metric = "human_share_new", at_least = 0.5, shar = 0.9, last = 3 }', "shar: unknown key; did you mean share?"),
    ("worlds.draws", "1000", "holds 300 draws"),
    ("search.algorithm", '"nsga"', "search.algorithm = 'nsga': did you mean nsga3? allowed: nsga2, nsga3"),
    ("choose.least", '"costs"', "choose.least = 'costs': not an objective; did you mean cost?"),
]


@pytest.mark.parametrize("key, value, message", BAD, ids=[b[0] for b in BAD])
def test_bad_design_files_exit_2_with_one_line_and_write_nothing(key, value, message, tmp_path, capfd):
    path = write_design(tmp_path, _bad(key, value))
    out = tmp_path / "out"
    assert cli.main(["design", str(path), "--out", str(out)]) == 2
    err = capfd.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"error: {path}: ") and message in err, err
    assert not out.exists()


def test_the_example_design_is_valid_and_its_quick_setting_small():
    path = ROOT / "scenarios" / "designs" / "least_cost.toml"
    full, quick = spec.read(path), spec.read(path, quick=True)
    assert quick.base.humans.count == 100 and quick.base.run.steps == 24
    assert quick.population * quick.generations * len(quick.worlds) <= 400
    assert {w.draw for w in full.worlds}.isdisjoint({w.draw for w in full.check_worlds})
    assert {w.seed for w in full.worlds}.isdisjoint({w.seed for w in full.check_worlds})
    with (ROOT / "scenarios" / "posterior" / "baseline.csv").open() as f:
        columns = next(r for r in csv.reader(f) if not r[0].startswith("#"))
    levers = {p.key for p in full.levers}
    assert {k for k, _ in full.worlds[0].values} == set(columns) - levers  # every posterior column but the levers
