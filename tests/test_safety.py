"""Safety: no user input is ever evaluated, and nothing a user hands in decides where files are written.

* The code never calls ``eval`` or ``exec``, never unpickles, never loads numpy with
  ``allow_pickle=True`` and never runs a shell (checked on the source, so a new use fails).
* A scenario cannot name a path: every text key is one of a fixed set of words.
* Results and checkpoints are written only inside the output folder and its staging
  folder beside it, whatever a checkpoint says about where it came from.
* The visual server listens on 127.0.0.1 unless ``--host`` says otherwise.
"""

from __future__ import annotations

import json
import re
import typing
from pathlib import Path

import numpy as np
import pytest

import run as cli
from model import checkpoint
from model.ecosystem import ContentEcosystem
from model.scenario import SECTIONS, Scenario

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted([*ROOT.glob("model/**/*.py"), *ROOT.glob("agents/**/*.py"), *ROOT.glob("experiments/**/*.py"), *ROOT.glob("viz/**/*.py"), ROOT / "run.py", *ROOT.glob("app.py")])
FORBIDDEN = {
    "eval or exec": re.compile(r"(?<![\w.])(eval|exec)\s*\("),
    "unpickling": re.compile(r"\b(pickle|cPickle|dill|joblib|marshal|shelve)\.(load|loads|Unpickler|open)\b"),
    "numpy pickle": re.compile(r"allow_pickle\s*=\s*True"),
    "a shell": re.compile(r"shell\s*=\s*True|os\.system\s*\(|os\.popen\s*\("),
    "dynamic import of a name from input": re.compile(r"__import__\s*\("),
}


def test_the_source_tree_is_where_we_think():
    assert ROOT / "run.py" in SOURCES and any(p.parent.name == "checkpoint" for p in SOURCES) and len(SOURCES) > 15


@pytest.mark.parametrize("what", sorted(FORBIDDEN))
def test_no_evaluation_of_input(what):
    pattern = FORBIDDEN[what]
    hits = [f"{p.relative_to(ROOT)}:{i}: {line.strip()}" for p in SOURCES for i, line in enumerate(p.read_text().splitlines(), 1) if pattern.search(line)]
    assert hits == [], f"{what}: {hits}"


def test_the_patterns_catch_what_they_are_for():
    # A pattern that matches nothing would make the test above pass vacuously.
    samples = {
        "eval or exec": "x = eval(text)",
        "unpickling": "state = pickle.load(f)",
        "numpy pickle": "np.load(path, allow_pickle=True)",
        "a shell": "subprocess.run(cmd, shell=True)",
        "dynamic import of a name from input": "m = __import__(name)",
    }
    assert samples.keys() == FORBIDDEN.keys()
    for what, line in samples.items():
        assert FORBIDDEN[what].search(line), what
    assert not FORBIDDEN["eval or exec"].search("model.evaluate(x)") and not FORBIDDEN["eval or exec"].search("df.eval(q)")


#: The one free-text key: a corpus the text world reads (never writes).
READ_ONLY_PATHS = {"world.corpus"}


def test_a_scenario_cannot_name_a_path_to_write():
    free_text = set()
    for section in SECTIONS:
        for key, field in Scenario.model_fields[section].annotation.model_fields.items():
            kind = field.annotation
            if kind is str:
                free_text.add(f"{section}.{key}")
            else:
                assert kind in (int, float, bool) or typing.get_origin(kind) is typing.Literal, f"{section}.{key}: {kind}"
    assert free_text <= READ_ONLY_PATHS
    for dotted in free_text:  # opened for reading only, wherever the code names it
        name = dotted.split(".")[1]
        for p in SOURCES:
            for line in p.read_text().splitlines():
                if f".{name}" in line and "open(" in line:
                    assert not re.search(r"open\([^)]*['\"][wax+]", line), f"{p}: {line.strip()}"


def _listing(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def test_a_run_writes_only_its_output_folder(tmp_path):
    scenario = Scenario().with_overrides({"run.steps": 3, "world.archive_items": 200, "humans.count": 10, "ai.models": 1, "ai.train_size": 50, "run.checkpoint_every": 1})
    (tmp_path / "in").mkdir()
    path = tmp_path / "in" / "s.toml"
    path.write_text(scenario.to_toml())
    assert cli.main(["run", str(path), "--out", str(tmp_path / "results" / "s"), "--quiet"]) == 0
    written = _listing(tmp_path) - {"in", "in/s.toml"}
    assert written == {"results", "results/s"} | {f"results/s/{n}" for n in ("timeseries.csv", "summary.json", "scenario.toml", "shares.png", "originality.png")}


def test_a_checkpoint_cannot_redirect_where_results_go(tmp_path):
    model = ContentEcosystem(Scenario().with_overrides({"run.steps": 2, "world.archive_items": 200, "humans.count": 10, "ai.models": 1, "ai.train_size": 50}), seed=1)
    model.step()
    folder = tmp_path / "work" / ".s.partial"
    path = checkpoint.save(model, folder, {"scenario_file": "../../../escaped", "label": "../../x"})
    # Re-sign the manifest with a hostile scenario_file: it is only ever shown, never used as a path.
    with np.load(path, allow_pickle=False) as npz:
        arrays = {n: npz[n] for n in npz.files}
    manifest = json.loads(arrays.pop("__manifest__").tobytes())
    manifest["header"]["meta"] = {"scenario_file": str(tmp_path / "escaped"), "label": str(tmp_path / "escaped.png")}
    manifest["sha256"] = checkpoint._digest(manifest["header"], manifest["state"], arrays)
    np.savez(path, __manifest__=np.frombuffer(json.dumps(manifest).encode(), np.uint8), **arrays)
    assert cli.main(["resume", str(tmp_path / "work" / "s"), "--quiet"]) == 0
    assert _listing(tmp_path) == {"work", "work/s"} | {f"work/s/{n}" for n in ("timeseries.csv", "summary.json", "scenario.toml", "shares.png", "originality.png")}


def _serve_parser():
    parser = cli._parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return sub.choices.get("serve")


@pytest.mark.skipif(_serve_parser() is None, reason="the serve command is not on this branch")
def test_the_visual_server_binds_to_localhost_by_default():
    serve = _serve_parser()
    host = next(a for a in serve._actions if a.dest == "host")
    assert host.default == "127.0.0.1"
