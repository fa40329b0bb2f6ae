"""Checkpoints: a stopped run resumes to the same digits, and a bad checkpoint is refused in one line.

The checkpoint file is numpy arrays and JSON only: a file holding a pickled object, naming a
class outside the project, from another version, or damaged is refused with exit status 2.
"""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import run as cli
from model import checkpoint
from experiments import interrupts, runner
from model.ecosystem import ContentEcosystem
from model.scenario import Scenario

HERE = Path(__file__).resolve().parent.parent

TINY = {
    "run.steps": 14,
    "world.dim": 2,
    "world.archive_items": 800,
    "humans.count": 60,
    "humans.patience": 3,
    "ai.models": 2,
    "ai.train_size": 300,
    "ai.retrain_every": 3,
    "ai.items_per_step": 20.0,
    "platform.attention": 1.0,
    "run.rarefy": 50,
}


def tiny(**overrides) -> Scenario:
    data = dict(TINY)
    data.update({k.replace("__", "."): v for k, v in overrides.items()})
    return Scenario().with_overrides(data)


def finish(model: ContentEcosystem) -> pd.DataFrame:
    while model.running:
        model.step()
    return model.timeseries()


def write_toml(path: Path, scenario: Scenario) -> Path:
    path.write_text(scenario.to_toml())
    return path


@pytest.mark.parametrize("at", [0, 1, 5, 6, 13, 14])
def test_resuming_from_any_step_gives_the_same_run(tmp_path, at):
    scenario = tiny()
    whole = finish(ContentEcosystem(scenario, seed=4))
    model = ContentEcosystem(scenario, seed=4)
    for _ in range(at):
        model.step()
    saved = checkpoint.load(checkpoint.save(model, tmp_path))
    assert saved.step == at
    pd.testing.assert_frame_equal(finish(saved.model), whole, check_exact=True)


def test_restored_state_is_the_saved_state_and_agents_are_rebuilt(tmp_path):
    model = ContentEcosystem(tiny(), seed=2)
    for _ in range(7):
        model.step()
    restored = checkpoint.load(checkpoint.save(model, tmp_path)).model
    tree_a, arrays_a = checkpoint.state_of(model)
    tree_b, arrays_b = checkpoint.state_of(restored)
    assert json.dumps(tree_a, sort_keys=True) == json.dumps(tree_b, sort_keys=True)
    assert arrays_a.keys() == arrays_b.keys() and all(np.array_equal(arrays_a[k], arrays_b[k]) for k in arrays_a)
    # One HumanCreator per active creator, one AIModel per lab, registered with the new model.
    assert sorted(a.creator_id for a in restored.agents if hasattr(a, "creator_id")) == restored.creators.id.tolist()
    assert [m.lab for m in restored.ai_models] == [0, 1] and all(m.model is restored for m in restored.ai_models)
    assert restored.rng.bit_generator.state == model.rng.bit_generator.state
    assert restored.steps == model.steps == 7


def test_runner_checkpoints_change_nothing(tmp_path):
    scenario = tiny(run__checkpoint_every=4)
    seen = []
    with_ck = runner.run(scenario, checkpoints=tmp_path / "ck", on_checkpoint=lambda step, path: seen.append(step))
    without = runner.run(scenario)
    assert seen == [4, 8, 12]
    pd.testing.assert_frame_equal(with_ck.timeseries, without.timeseries, check_exact=True)
    assert checkpoint.load(tmp_path / "ck").step == 12


def _interrupt_during_step(monkeypatch, step: int) -> None:
    """Deliver a Ctrl-C in the middle of ``step`` (after it has published, before it is recorded)."""
    real = ContentEcosystem.retrain

    def retrain_then_interrupt(self, t):
        real(self, t)
        if t == step:
            raise interrupts.Interrupted(signal.SIGINT)

    monkeypatch.setattr(ContentEcosystem, "retrain", retrain_then_interrupt)


def test_cli_interrupt_then_resume_matches_an_uninterrupted_run(tmp_path, monkeypatch, capsys):
    scenario_file = write_toml(tmp_path / "tiny.toml", tiny(run__checkpoint_every=3))
    whole, stopped = tmp_path / "whole", tmp_path / "stopped"
    assert cli.main(["run", str(scenario_file), "--out", str(whole), "--quiet"]) == 0
    capsys.readouterr()

    with monkeypatch.context() as m:
        _interrupt_during_step(m, 8)
        assert cli.main(["run", str(scenario_file), "--out", str(stopped), "--quiet"]) == 130
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "checkpoint of step 6" in err and f"python run.py resume {stopped}" in err
    assert not stopped.exists()  # a results folder appears only when complete
    assert (checkpoint.partial_dir(stopped) / checkpoint.FILENAME).is_file()

    assert cli.main(["resume", str(stopped), "--quiet"]) == 0
    assert not checkpoint.partial_dir(stopped).exists()
    assert (stopped / "timeseries.csv").read_bytes() == (whole / "timeseries.csv").read_bytes()
    a, b = (json.loads((d / "summary.json").read_text()) for d in (whole, stopped))
    a.pop("wall_time_s"), b.pop("wall_time_s")
    assert a == b
    for name in ("scenario.toml", "shares.png", "originality.png"):  # the figures too, to the byte
        assert (stopped / name).read_bytes() == (whole / name).read_bytes(), name


def test_interrupt_without_checkpoints_says_nothing_was_saved(tmp_path, monkeypatch, capsys):
    scenario_file = write_toml(tmp_path / "tiny.toml", tiny())

    def interrupted(*args, **kwargs):
        raise interrupts.Interrupted(signal.SIGTERM)

    monkeypatch.setattr(runner, "run", interrupted)
    assert cli.main(["run", str(scenario_file), "--out", str(tmp_path / "out"), "--quiet"]) == 143
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nothing was saved" in err and "checkpoint_every" in err
    assert not (tmp_path / "out").exists()


def test_real_signal_during_a_run_stops_with_one_line(tmp_path):
    scenario = tiny(run__steps=2000, run__checkpoint_every=1, world__archive_items=400, ai__train_size=100)
    scenario_file = write_toml(tmp_path / "long.toml", scenario)
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "run.py"), "run", str(scenario_file), "--out", str(out), "--quiet"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    ck = checkpoint.partial_dir(out) / checkpoint.FILENAME
    deadline = time.monotonic() + 60
    while not ck.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 143, stderr
    assert stderr.count("\n") == 1 and "Traceback" not in stderr and "resume" in stderr, stderr
    assert not out.exists()
    assert checkpoint.load(out).step >= 1


# -- refusing ------------------------------------------------------------------------------


def _saved(tmp_path) -> Path:
    model = ContentEcosystem(tiny(), seed=1)
    model.step()
    return checkpoint.save(model, tmp_path / ".out.partial")


def _rewrite(path: Path, mutate) -> None:
    """Rewrite a checkpoint's manifest through ``mutate`` and re-sign it, so only what mutate did is wrong."""
    with np.load(path, allow_pickle=False) as npz:
        arrays = {n: npz[n] for n in npz.files}
    manifest = json.loads(arrays.pop("__manifest__").tobytes())
    mutate(manifest)
    manifest["sha256"] = checkpoint._digest(manifest["header"], manifest["state"], arrays)
    blob = np.frombuffer(json.dumps(manifest).encode(), np.uint8)
    np.savez(path, __manifest__=blob, **arrays)


def _refused(capsys, target: Path, *words: str) -> str:
    before = sorted(p.name for p in target.parent.parent.rglob("*"))
    assert cli.main(["resume", str(target), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err, err
    for word in words:
        assert word in err, err
    assert sorted(p.name for p in target.parent.parent.rglob("*")) == before  # nothing written
    return err


def test_other_version_is_refused(tmp_path, capsys):
    path = _saved(tmp_path)
    _rewrite(path, lambda m: m["header"].update(project_version="0.0.1"))
    _refused(capsys, tmp_path / "out", "version 0.0.1", checkpoint.project_version())


def test_damaged_bytes_are_refused(tmp_path, capsys):
    path = _saved(tmp_path)
    data = bytearray(path.read_bytes())
    for offset in (len(data) // 3, len(data) // 2, 2 * len(data) // 3):
        data[offset] ^= 0xFF
    path.write_bytes(bytes(data))
    _refused(capsys, tmp_path / "out", "damaged")


def test_changed_array_fails_the_checksum(tmp_path, capsys):
    path = _saved(tmp_path)
    with np.load(path, allow_pickle=False) as npz:
        arrays = {n: npz[n] for n in npz.files}
    name = next(n for n in arrays if n != "__manifest__" and arrays[n].dtype == np.float32 and arrays[n].size)
    arrays[name] = arrays[name].copy()
    arrays[name].flat[0] += 1
    np.savez(path, **arrays)
    _refused(capsys, tmp_path / "out", "checksum")


def test_truncated_and_empty_files_are_refused(tmp_path, capsys):
    path = _saved(tmp_path)
    path.write_bytes(path.read_bytes()[:200])
    _refused(capsys, tmp_path / "out", "damaged")
    path.write_bytes(b"")
    _refused(capsys, tmp_path / "out", "damaged")


def test_pickled_object_array_is_refused_without_unpickling(tmp_path, capsys):
    path = _saved(tmp_path)
    with np.load(path, allow_pickle=False) as npz:
        arrays = {n: npz[n] for n in npz.files}
    marker = tmp_path / "executed"

    class Trap:  # unpickling this would create the marker file
        def __reduce__(self):
            return (Path.touch, (marker,))

    arrays["a0"] = np.array([Trap()], dtype=object)
    np.savez(path, **arrays)  # np.savez pickles object arrays
    assert zipfile.is_zipfile(path)
    _refused(capsys, tmp_path / "out", "pickle")
    assert not marker.exists()


@pytest.mark.parametrize("cls", ["builtins:eval", "os:system", "subprocess:Popen", "model.checkpoint:os"])
def test_class_outside_the_project_is_refused(tmp_path, capsys, cls):
    path = _saved(tmp_path)
    _rewrite(path, lambda m: m["state"]["model"].update(cls=cls))
    _refused(capsys, tmp_path / "out", "damaged")


def test_missing_checkpoint_is_refused(tmp_path, capsys):
    (tmp_path / "out").mkdir()
    err = _refused(capsys, tmp_path / "out" / "x", "no checkpoint")
    assert "out" in err


def test_not_a_checkpoint_zip_is_refused(tmp_path, capsys):
    folder = tmp_path / ".out.partial"
    folder.mkdir()
    np.savez(folder / checkpoint.FILENAME, x=np.arange(3))
    _refused(capsys, tmp_path / "out", "not a checkpoint")


def test_checkpoint_file_is_arrays_and_json_only(tmp_path):
    path = _saved(tmp_path)
    with np.load(path, allow_pickle=False) as npz:  # would raise on any pickled array
        assert all(not npz[n].dtype.hasobject for n in npz.files)
        manifest = json.loads(npz["__manifest__"].tobytes())
    header = manifest["header"]
    assert header["project_version"] == checkpoint.project_version()
    assert header["scenario"] == tiny(run__seed=1).to_toml()  # the resolved scenario
    assert header["step"] == 1
    assert len(manifest["sha256"]) == len(hashlib.sha256().hexdigest())


def test_interrupted_resume_keeps_the_checkpoint_and_says_so(tmp_path, monkeypatch, capsys):
    scenario_file = write_toml(tmp_path / "tiny.toml", tiny(run__checkpoint_every=5))
    out = tmp_path / "out"
    with monkeypatch.context() as m:
        _interrupt_during_step(m, 7)
        assert cli.main(["run", str(scenario_file), "--out", str(out), "--quiet"]) == 130
    capsys.readouterr()
    with monkeypatch.context() as m:
        _interrupt_during_step(m, 8)  # before the resumed run reaches its next checkpoint
        assert cli.main(["resume", str(out), "--quiet"]) == 130
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "checkpoint of step 5" in err and "(kept)" in err and f"python run.py resume {out}" in err
    assert checkpoint.load(out).step == 5 and not out.exists()


def test_resume_into_another_folder(tmp_path, capsys):
    model = ContentEcosystem(tiny(), seed=1)
    for _ in range(3):
        model.step()
    elsewhere = checkpoint.save(model, tmp_path / "saved" / "state.npz")
    assert cli.main(["resume", str(elsewhere), "--quiet"]) == 2
    assert "--out" in capsys.readouterr().err
    assert cli.main(["resume", str(elsewhere), "--out", str(tmp_path / "results"), "--quiet"]) == 0
    whole = finish(ContentEcosystem(tiny(), seed=1))
    assert (tmp_path / "results" / "timeseries.csv").read_text() == whole.to_csv(index=False)


def test_the_text_world_resumes_exactly(tmp_path):
    from model.scenario import load

    root = Path(__file__).resolve().parent.parent
    scenario = load(root / "scenarios" / "text_baseline.toml").with_overrides(
        {"run.steps": 10, "world.archive_items": 1500, "humans.count": 60, "ai.models": 2, "ai.train_size": 800, "ai.retrain_every": 4}
    )
    whole = finish(ContentEcosystem(scenario, seed=2))
    model = ContentEcosystem(scenario, seed=2)
    for _ in range(5):
        model.step()
    resumed = checkpoint.load(checkpoint.save(model, tmp_path)).model
    pd.testing.assert_frame_equal(finish(resumed), whole, check_exact=True)
