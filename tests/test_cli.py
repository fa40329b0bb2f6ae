"""The command line, run.py: result files, overrides and one-line errors.

``python run.py`` runs as a subprocess on a small scenario, once for a good run, once
for bad input, and once for ``keys``; the subprocesses start together in one module
fixture, since each costs seconds of imports (mesa, matplotlib). The overrides, the
re-run of scenario.toml and the full matrix of bad inputs go through ``run.main``
in-process, with the file descriptors captured.
"""

import importlib.metadata
import json
import math
import platform
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pandas as pd
import pytest

import run as cli
from model.ecosystem import COLUMNS
from experiments.runner import run as run_scenario
from model.scenario import Scenario, key_reference, load

REPO = Path(__file__).resolve().parent.parent
RUN_PY = REPO / "run.py"
BASELINE = REPO / "scenarios" / "baseline.toml"
RESULT_FILES = {"timeseries.csv", "summary.json", "scenario.toml", "shares.png", "originality.png"}

SMALL = """\
[run]
steps = 5
seed = 1
window = 3

[world]
archive_items = 2000

[humans]
count = 50
adoption_p = 0.1

[ai]
models = 2
train_size = 500
retrain_every = 2
items_per_step = 50.0
"""

OVERRIDES = ["--steps", "3", "--seed", "7", "--set", "ai.models=1", "--set", "policy.data_regime=accumulate"]
OVERRIDDEN = {"run.steps": 3, "run.seed": 7, "ai.models": 1, "policy.data_regime": "accumulate"}


def start(args, cwd):
    return subprocess.Popen(
        [sys.executable, str(RUN_PY), *map(str, args)], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish(proc):
    out, err = proc.communicate(timeout=300)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    (root / "small.toml").write_text(SMALL)
    (root / "unknown_key.toml").write_text(SMALL.replace("[ai]\n", "[ai]\nmodelz = 3\n"))
    (root / "elsewhere").mkdir()
    return root


@pytest.fixture(scope="module")
def runs(root):
    """The subprocesses of this module, started together; name -> CompletedProcess."""
    procs = {
        "base": start(["run", root / "small.toml", "--out", root / "base"], cwd=REPO),
        "bad_key": start(["run", root / "unknown_key.toml", "--quiet"], cwd=root / "elsewhere"),
        "keys": start(["keys"], cwd=REPO),
    }
    return {name: finish(p) for name, p in procs.items()}


def read_ts(path: Path) -> pd.DataFrame:
    return pd.read_csv(path)


def assert_csv_is(path: Path, frame: pd.DataFrame):
    """The CSV file holds exactly ``frame`` (compared as text, so to the last digit)."""
    assert path.read_text() == frame.to_csv(index=False)


def png_size(path: Path) -> tuple[int, int]:
    """Parse a PNG: signature, chunk CRCs, IHDR first and IEND last, image data of the right size."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG signature"
    pos, chunks = 8, []
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in {kind!r}"
        chunks.append((kind, body))
        pos += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color]
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    if interlace == 0:
        assert len(raw) == height * (1 + math.ceil(width * channels * depth / 8))
    return width, height


def readme_key_lines() -> list[str]:
    section = (REPO / "docs" / "keys.md").read_text(encoding="utf-8")
    return [line for line in section.splitlines() if line.startswith("|")]


# -- a run and its files --------------------------------------------------------------------------
def test_run_succeeds_quietly_on_stderr_and_prints_the_headline_table(runs, root):
    base = runs["base"]
    assert base.returncode == 0, base.stderr
    assert base.stderr == ""  # no warnings; no progress bar on a sub-second run
    assert "originality index" in base.stdout
    assert "wrote" in base.stdout and str(root / "base") in base.stdout


def test_run_writes_exactly_the_result_files_and_no_staging_left(runs, root):
    assert runs["base"].returncode == 0, runs["base"].stderr
    assert {p.name for p in (root / "base").iterdir()} == RESULT_FILES
    assert not [p for p in root.iterdir() if p.name.startswith(".")], "staging folder left behind"


def test_timeseries_has_one_row_per_step_and_exactly_the_metric_columns(runs, root):
    assert runs["base"].returncode == 0, runs["base"].stderr
    ts = read_ts(root / "base" / "timeseries.csv")
    assert list(ts.columns) == list(COLUMNS)
    assert ts["step"].tolist() == list(range(6))


def test_timeseries_equals_the_library_run(runs, root):
    assert runs["base"].returncode == 0, runs["base"].stderr
    expected = run_scenario(load(root / "small.toml")).timeseries
    assert_csv_is(root / "base" / "timeseries.csv", expected)


def test_summary_has_final_values_wall_time_seed_and_versions(runs, root):
    assert runs["base"].returncode == 0, runs["base"].stderr
    summary = json.loads((root / "base" / "summary.json").read_text())
    ts = read_ts(root / "base" / "timeseries.csv")
    assert summary["seed"] == 1 and summary["steps"] == 5
    assert isinstance(summary["wall_time_s"], int | float) and summary["wall_time_s"] >= 0
    assert summary["items_total"] == ts["items_new"].sum()
    for which, row in (("final", ts.iloc[-1]), ("initial", ts.iloc[0])):
        assert set(summary[which]) == set(COLUMNS)
        for column in COLUMNS:
            value = summary[which][column]
            if pd.isna(row[column]):
                assert value is None, (which, column)
            else:
                assert value == pytest.approx(row[column], rel=1e-12, abs=0), (which, column)
    versions = summary["versions"]
    assert versions["python"] == platform.python_version()
    for package in ("mesa", "numpy", "pandas", "networkx", "matplotlib", "pydantic"):
        assert versions[package] == importlib.metadata.version(package), package


def test_scenario_toml_is_the_resolved_scenario_with_every_key(runs, root):
    assert runs["base"].returncode == 0, runs["base"].stderr
    written = root / "base" / "scenario.toml"
    assert load(written) == load(root / "small.toml")
    text = written.read_text()
    for key, *_ in key_reference():
        section, name = key.split(".")
        assert f"[{section}]" in text and f"\n{name} = " in text, key


def test_scenario_toml_reruns_to_an_identical_timeseries(runs, root, capfd):
    """``run.py run DIR/scenario.toml`` re-runs to the last digit (through run.main, in-process, to save time)."""
    assert runs["base"].returncode == 0, runs["base"].stderr
    code = cli.main(["run", str(root / "base" / "scenario.toml"), "--out", str(root / "rerun"), "--quiet"])
    out, err = capfd.readouterr()
    assert code == 0 and err == "" and out.startswith("wrote ") and out.endswith(f" to {root / 'rerun'}/\n")  # --quiet: where it wrote
    assert (root / "rerun" / "timeseries.csv").read_bytes() == (root / "base" / "timeseries.csv").read_bytes()
    assert (root / "rerun" / "scenario.toml").read_text() == (root / "base" / "scenario.toml").read_text()


@pytest.mark.parametrize("name", ["shares.png", "originality.png"])
def test_figures_are_valid_pngs(runs, root, name):
    assert runs["base"].returncode == 0, runs["base"].stderr
    width, height = png_size(root / "base" / name)
    assert width > 100 and height > 100


# -- --steps, --seed, --set and the default output folder ------------------------------------
def test_steps_seed_and_set_take_effect(runs, root, capfd, monkeypatch):
    """Through run.main in-process (a subprocess costs seconds of imports); the default --out names the scenario and every override."""
    monkeypatch.chdir(root)
    code = cli.main(["run", "small.toml", *OVERRIDES, "--quiet"])
    stdout, stderr = capfd.readouterr()
    assert code == 0, stderr
    assert stderr == "" and stdout.count("\n") == 1 and stdout.startswith("wrote ")  # --quiet: only where it wrote
    # the default folder, relative to the working folder: never results/small/, which a run without overrides writes
    assert [p.name for p in (root / "results").iterdir()] == ["small--seed7--steps3--ai.models1--policy.data_regimeaccumulate"]
    out = root / "results" / "small--seed7--steps3--ai.models1--policy.data_regimeaccumulate"
    assert {p.name for p in out.iterdir()} == RESULT_FILES
    resolved = load(out / "scenario.toml")
    assert resolved == load(root / "small.toml", OVERRIDDEN)
    assert (resolved.run.steps, resolved.run.seed, resolved.ai.models, resolved.policy.data_regime) == (3, 7, 1, "accumulate")
    summary = json.loads((out / "summary.json").read_text())
    assert summary["seed"] == 7 and summary["steps"] == 3
    ts = read_ts(out / "timeseries.csv")
    assert ts["step"].tolist() == [0, 1, 2, 3]
    assert_csv_is(out / "timeseries.csv", run_scenario(resolved).timeseries)
    # and the overrides changed the run: not the first rows of the seed-1, two-model run
    assert runs["base"].returncode == 0
    base = read_ts(root / "base" / "timeseries.csv").iloc[:4]
    assert not ts.reset_index(drop=True).equals(base.reset_index(drop=True))


def test_keys_prints_the_readme_table(runs):
    keys = runs["keys"]
    assert keys.returncode == 0 and keys.stderr == ""
    lines = keys.stdout.splitlines()
    assert len(lines) == 2 + len(key_reference())
    assert lines == readme_key_lines()


# -- bad input as a subprocess -------------------------------------------------------------------
def test_bad_input_subprocess_exits_2_with_one_line_and_writes_nothing(runs, root):
    """One real process (the in-process matrix below covers every case): exit status, stderr, no files."""
    result = runs["bad_key"]
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and "Traceback" not in result.stderr
    assert str(root / "unknown_key.toml") in lines[0] and "ai.modelz" in lines[0]
    assert list((root / "elsewhere").iterdir()) == []  # not even results/unknown_key/


# -- bad input, every case, in-process ----------------------------------------------------------
BAD_FILES = {
    "unknown_key.toml": "[ai]\nmodelz = 3\n",
    "unknown_section.toml": "[aii]\nmodels = 3\n",
    "string_for_int.toml": '[ai]\nmodels = "3"\n',
    "float_for_int.toml": "[ai]\nmodels = 2.5\n",
    "bool_for_int.toml": "[run]\nsteps = true\n",
    "out_of_range.toml": "[ai]\ntop_p = 1.5\n",
    "bad_enum.toml": '[policy]\ndata_regime = "sometimes"\n',
    "malformed.toml": "[ai\nmodels = 3\n",
    "cross_field.toml": "[policy]\nhuman_reserve = 0.7\nverified_share = 0.7\n",
}

# (argv after "run", substrings the message must contain); FILE is the scenario path, OUT the --out folder
BAD_CASES = {
    "unknown key": (["unknown_key.toml"], ["FILE", "ai.modelz", "models"]),
    "unknown section": (["unknown_section.toml"], ["FILE", "aii", "policy"]),
    "string for int": (["string_for_int.toml"], ["FILE", "ai.models", "integer >= 0"]),
    "float for int": (["float_for_int.toml"], ["FILE", "ai.models", "integer >= 0"]),
    "bool for int": (["bool_for_int.toml"], ["FILE", "run.steps", "integer >= 0"]),
    "out of range": (["out_of_range.toml"], ["FILE", "ai.top_p", "number in (0, 1]"]),
    "bad enum": (["bad_enum.toml"], ["FILE", "policy.data_regime", "one of replace, window, accumulate"]),
    "malformed TOML": (["malformed.toml"], ["FILE", "TOML", "line 1"]),
    "cross-field": (["cross_field.toml"], ["FILE", "human_reserve", "verified_share", "<= 1"]),
    "missing file": (["missing.toml"], ["FILE", "not found"]),
    "bad --set syntax": (["small.toml", "--set", "ai.models"], ["--set ai.models", "section.key=value"]),
    "bad --set no dot": (["small.toml", "--set", "models=3"], ["--set models=3", "section.key=value"]),
    "--set unknown key": (["small.toml", "--set", "ai.modelz=3"], ["FILE", "--set", "ai.modelz", "models"]),
    "--set unknown section": (["small.toml", "--set", "aii.models=3"], ["FILE", "--set", "aii.models", "policy"]),
    "--set wrong type": (["small.toml", "--set", "ai.models=two"], ["FILE", "--set", "ai.models", "integer >= 0"]),
    "--set out of range": (["small.toml", "--set", "ai.top_p=2"], ["FILE", "--set", "ai.top_p", "number in (0, 1]"]),
    "--set bad enum": (["small.toml", "--set", "ai.variance_estimator=median"], ["FILE", "ai.variance_estimator", "one of mle, unbiased"]),
    "--steps -1": (["small.toml", "--steps", "-1"], ["FILE", "run.steps", "integer >= 0"]),
    "--seed -1": (["small.toml", "--seed", "-1"], ["FILE", "run.seed", "integer >= 0"]),
    "--steps not a number": (["small.toml", "--steps", "abc"], ["--steps", "abc"]),
    "--out an existing file": (["small.toml", "--out", "existing_file"], ["--out", "existing_file"]),
    "--out inside a file": (["small.toml", "--out", "existing_file/sub"], ["--out", "existing_file"]),
}


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    (tmp_path / "small.toml").write_text(SMALL)
    for name, text in BAD_FILES.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "existing_file").write_text("keep me\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def call_main(argv, capfd):
    code = cli.main([str(a) for a in argv])
    out, err = capfd.readouterr()
    return code, out, err


@pytest.mark.parametrize("case", list(BAD_CASES))
def test_bad_input_exits_2_with_one_line_and_writes_nothing(workdir, capfd, case):
    args, must_contain = BAD_CASES[case]
    scenario = workdir / args[0]
    out_dir = workdir / "out"
    argv = ["run", scenario, *args[1:]]
    if "--out" not in args:
        argv += ["--out", out_dir]
    before = sorted(p.name for p in workdir.iterdir())
    code, out, err = call_main(argv, capfd)
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    for text in must_contain:
        text = {"FILE": str(scenario)}.get(text, text)
        assert text in lines[0], (text, lines[0])
    assert not out_dir.exists()
    assert sorted(p.name for p in workdir.iterdir()) == before  # nothing created, not even results/
    assert (workdir / "existing_file").read_text() == "keep me\n"


@pytest.mark.parametrize("argv", [["bogus"], ["run"], ["run", "small.toml", "--bogus"]], ids=["bogus-command", "no-scenario", "bad-flag"])
def test_usage_errors_exit_2_with_one_line(workdir, capfd, argv):
    before = sorted(p.name for p in workdir.iterdir())
    code, out, err = call_main(argv, capfd)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("error: ")
    assert sorted(p.name for p in workdir.iterdir()) == before


@pytest.mark.parametrize("command", [["compare", "small.toml", "--seeds", "2"], ["validate", "--quick"], ["sweep", "any.toml"],
                                     ["calibrate", "--quick"], ["design", "any.toml"]], ids=lambda c: c[0])
def test_a_scheduler_without_dask_names_the_extra(workdir, capfd, monkeypatch, command):
    import importlib.util

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "distributed" else find_spec(name, *a))
    before = sorted(p.name for p in workdir.iterdir())
    code, out, err = call_main([*command, "--scheduler", "local", "--out", workdir / "out"], capfd)
    assert (code, out) == (2, "")
    assert err == 'error: --scheduler local: Dask is not installed; it is the explore extra: pip install -e ".[explore]"\n'
    assert sorted(p.name for p in workdir.iterdir()) == before


def test_bad_set_syntax_names_the_scenario_file(workdir, capfd):
    code, _, err = call_main(["run", workdir / "small.toml", "--set", "ai.models", "--out", workdir / "out"], capfd)
    assert code == 2
    assert str(workdir / "small.toml") in err


def test_infinite_value_is_bad_input(workdir, capfd):
    code, _, err = call_main(["run", workdir / "small.toml", "--set", "ai.items_per_step=inf", "--out", workdir / "out", "--quiet"], capfd)
    assert code == 2 and len(err.splitlines()) == 1 and "ai.items_per_step" in err
    assert not (workdir / "out").exists()


# -- no arguments ----------------------------------------------------------------------------------
@pytest.mark.parametrize("where", ["repo", "elsewhere"])
def test_no_arguments_runs_the_baseline(monkeypatch, tmp_path, where):
    """``python run.py`` means ``run scenarios/baseline.toml`` into results/baseline/ (not run here: too slow)."""
    seen = {}

    def fake_run(args):
        seen["args"] = args
        return 0

    monkeypatch.setattr(cli, "cmd_run", fake_run)
    monkeypatch.chdir(REPO if where == "repo" else tmp_path)
    assert cli.main([]) == 0
    args = seen["args"]
    assert args.command == "run"
    assert Path(args.scenario).resolve() == BASELINE
    assert args.out is None and args.steps is None and args.seed is None and args.set == []
    assert load(args.scenario) == Scenario()
