"""Interrupts: Ctrl-C and SIGTERM end any command with one line and status 130 or 143; a closed pipe ends quietly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import run as cli
from experiments import interrupts

HERE = Path(__file__).resolve().parent.parent


def _one_line(err: str) -> None:
    assert err.count("\n") == 1 and "Traceback" not in err, err


@pytest.mark.parametrize(("signum", "status", "word"), [(signal.SIGINT, 130, "Ctrl-C"), (signal.SIGTERM, 143, "SIGTERM")])
def test_a_real_signal_stops_a_command_with_one_line(capsys, signum, status, word):
    before = signal.getsignal(signum)
    reached = []

    def command() -> int:
        interrupts.saved("the first half, in x/")
        os.kill(os.getpid(), signum)
        time.sleep(5)  # the handler interrupts the sleep
        reached.append("end")
        return 0

    start = time.monotonic()
    assert interrupts.guard(command) == status
    assert time.monotonic() - start < 4 and reached == []
    err = capsys.readouterr().err
    _one_line(err)
    assert word in err and "the first half, in x/" in err
    assert signal.getsignal(signum) is before  # handlers are put back


def test_a_second_signal_during_cleanup_is_ignored(capsys):
    cleaned = []

    def command() -> int:
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)
        finally:
            os.kill(os.getpid(), signal.SIGINT)  # impatient user presses Ctrl-C again
            time.sleep(0.05)
            cleaned.append(True)
        return 0

    assert interrupts.guard(command) == 130
    assert cleaned == [True]
    err = capsys.readouterr().err
    _one_line(err)
    assert "nothing was saved" in err


def test_deferred_holds_a_signal_until_the_block_is_done(capsys):
    done = []

    def command() -> int:
        with interrupts.deferred():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.05)
            done.append("inside")
        done.append("after")  # never reached: the held signal is delivered on leaving the block
        return 0

    assert interrupts.guard(command) == 143
    assert done == ["inside"]
    _one_line(capsys.readouterr().err)


def test_broken_pipe_ends_quietly_in_process(capsys):
    def command() -> int:
        raise BrokenPipeError

    assert interrupts.guard(command) == interrupts.BROKEN_PIPE_STATUS == 141
    assert capsys.readouterr().err == ""


def test_keys_into_a_closed_pipe_ends_quietly():
    proc = subprocess.Popen([sys.executable, str(HERE / "run.py"), "keys"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # like `| head -0`: the reader is gone before the first line is written
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141
    assert err == ""


def test_validate_interrupted_says_nothing_was_saved(tmp_path, monkeypatch, capsys):
    from experiments import validation

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(validation, "validate", interrupted)
    out = tmp_path / "validation"
    assert cli.main(["validate", "--quick", "--out", str(out), "--quiet"]) == 130
    err = capsys.readouterr().err
    _one_line(err)
    assert "nothing was saved" in err and not out.exists()


def _children(pid: int) -> list[int]:
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.parent.name))
    return kids


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to see the worker processes")
def test_ctrl_c_to_validate_and_its_worker_pool(tmp_path):
    # A terminal's Ctrl-C reaches the whole process group: the parent and its two workers,
    # here sent while the workers are still starting (importing the model), when a worker that
    # had not yet ignored Ctrl-C would print "Process SpawnProcess-1:" and its traceback.
    out = tmp_path / "validation"
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "run.py"), "validate", "--quick", "--jobs", "2", "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while len(_children(proc.pid)) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(_children(proc.pid)) >= 2, "the worker pool never started"
    time.sleep(1.0)
    os.killpg(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert stderr == "interrupted (Ctrl-C): nothing was saved\n", stderr
    assert not out.exists()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # the workers are gone with it
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail("worker processes outlived the interrupted validate")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to see the runs on disk")
def test_ctrl_c_to_a_comparison_on_dask_and_its_workers(tmp_path):
    # The workers of a local Dask cluster are in the terminal's process group too: each took Ctrl-C and printed
    # "Process Dask Worker process (from Nanny):" and a KeyboardInterrupt traceback before the one line.
    out = tmp_path / "cmp"
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "run.py"), "compare", "baseline", "--posterior", "20", "--seeds", "1", "--steps", "6",
         "--scheduler", "local", "--jobs", "2", "--out", str(out), "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    runs = tmp_path / ".cmp.partial" / "runs"
    deadline = time.monotonic() + 180
    while proc.poll() is None and len(list(runs.glob("*.csv")) if runs.exists() else []) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the comparison ended before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert stderr == f"interrupted (Ctrl-C): the finished runs are in {runs.parent}/; continue with the same command and --resume\n", stderr


def test_compare_interrupted_says_nothing_was_saved(tmp_path, monkeypatch, capsys):
    from experiments import compare

    def interrupted(*args, **kwargs):
        raise interrupts.Interrupted(signal.SIGTERM)

    monkeypatch.setattr(compare, "compare", interrupted)
    out = tmp_path / "cmp"
    assert cli.main(["compare", "baseline", "accumulate", "--seeds", "2", "--steps", "2", "--out", str(out), "--quiet"]) == 143
    err = capsys.readouterr().err
    _one_line(err)
    assert "nothing was saved" in err and not out.exists()


def test_pool_workers_ignore_ctrl_c_from_the_start():
    import multiprocessing

    before = signal.getsignal(signal.SIGINT)  # SIG_IGN already when a shell started this suite in the background
    pool = interrupts.worker_pool(2, multiprocessing.get_context("spawn"))
    try:
        seen = {pool.submit(signal.getsignal, signal.SIGINT).result(timeout=120) for _ in range(4)}
        assert seen == {signal.SIG_IGN}
        assert signal.getsignal(signal.SIGINT) is before  # this process answers Ctrl-C as it did before
        assert len(pool._processes) == 2  # every worker was started while Ctrl-C was ignored
    finally:
        interrupts.abandon(pool)
