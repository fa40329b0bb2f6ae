"""A comparison on any executor, streamed to disk: Dask and the process pool write the same files, an
interrupted comparison resumes to the same bytes, the summaries need only the runs' last steps, and the
posterior's draws replicate (``--posterior all --seeds 1``). Tiny worlds (``tests/test_compare.py``) over the
four-draw posterior of ``tests/test_posterior.py``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import run as cli
from conftest import call
from experiments import compare, streamed
from experiments.calibration import posterior
from model.checkpoint import partial_dir

from test_compare import RESERVE, TINY
from test_posterior import DRAWS

HERE = Path(__file__).resolve().parents[1]
#: The files a comparison writes that hold no wall time nor date (report.html says when and how fast it was made).
SAME = ("runs.csv", "summary.csv", "summary.md", "pairwise.csv", "rank.csv", "originality_sources.csv", "scenario-tiny.toml")


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    folder = tmp_path_factory.mktemp("stream")
    (folder / "tiny.toml").write_text(TINY)
    (folder / "reserve.toml").write_text(RESERVE)
    posterior.write(folder / "posterior.csv", DRAWS, ["a test posterior"])
    return folder


def argv(root: Path, out: str, *extra: str, seeds: int = 1) -> list[str]:
    return ["compare", str(root / "tiny.toml"), str(root / "reserve.toml"), "--posterior", "all", "--seeds", str(seeds),
            "--posterior-file", str(root / "posterior.csv"), "--out", str(root / out), "--quiet", *extra]  # fmt: skip


@pytest.fixture(scope="module")
def pooled(root):
    """Every draw with one seed each, in a process pool of two workers: the reference."""
    assert cli.main(argv(root, "pool", "--jobs", "2")) == 0
    return root / "pool"


def same_files(a: Path, b: Path) -> None:
    for name in SAME:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_posterior_all_runs_every_draw_and_one_seed_a_draw_is_a_design(pooled):
    runs, summary = pd.read_csv(pooled / "runs.csv"), pd.read_csv(pooled / "summary.csv")
    assert sorted(runs["draw"].unique()) == list(range(len(DRAWS)))
    assert set(runs["seed"]) == {1} and len(runs) == 2 * len(DRAWS) * 9  # two scenarios, steps 0-8
    assert set(summary["draws"]) == {len(DRAWS)} and set(summary["seeds"]) == {1}
    diff = summary[(summary["scenario"] == "reserve") & summary["metric"].isin(["originality_index", "human_share_new"])]
    assert len(diff) == 4 and (diff["diff_low"] < diff["diff"]).all()  # the draws are the replicates of the interval
    assert not partial_dir(pooled).exists()  # the finished runs moved into runs.csv
    # every draw ran with seed 1 (each its own run seed): not "draw i with seed i", which is --posterior matched
    page = (pooled / "report.html").read_text()
    assert f"{len(DRAWS)} posterior draws \u00d7 1 seed (seed 1)" in page and "with seed i" not in page


def test_dask_writes_what_the_pool_writes(root, pooled):
    assert cli.main(argv(root, "dask", "--scheduler", "local", "--jobs", "2")) == 0
    same_files(pooled, root / "dask")


def test_a_dask_cluster_keeps_a_bounded_log_of_the_tasks_it_ran():
    """Dask keeps its last 1,000 messages in every process (each task's with the world it carries) and an hour of
    a worker's profile: the cluster we start keeps 32 and no profile, so its memory stops growing with the runs."""
    import operator

    from experiments.sweep import execute

    def kept(dask_worker):
        return len(dask_worker.state.stimulus_log), len(dask_worker.batched_stream.recent_message_log), len(dask_worker.profile_history)

    with execute.DaskPool("local", 1) as pool:
        sizes = {len(b) for b in pool.map_unordered(operator.add, b"", (bytes(40_000 + i) for i in range(120)))}
        assert sizes == {40_000 + i for i in range(120)}
        bound = execute.BOUNDED["distributed.admin.low-level-log-length"]
        assert bound < 120  # fewer than the tasks run, or this would show nothing
        assert len(pool.client.scheduler_comm.recent_message_log) <= bound
        assert pool.client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.transition_log)) <= bound
        [(stimuli, messages, profile)] = pool.client.run(kept).values()
        assert stimuli <= bound and messages <= bound and profile == 0


def test_one_worker_writes_what_two_write(root, pooled):
    assert cli.main(argv(root, "one", "--jobs", "1")) == 0
    same_files(pooled, root / "one")


def test_a_signal_stops_a_comparison_and_resume_finishes_it_to_the_same_bytes(root, pooled, capfd):
    out = root / "stopped"
    # Seeds 1-6 of every draw: 48 runs, long enough to be stopped half-way; the reference is made uninterrupted.
    many = argv(root, "stopped", seeds=6)
    env = {**os.environ, "PYTHONPATH": str(HERE)}
    proc = subprocess.Popen([sys.executable, str(HERE / "run.py"), *many], cwd=root, env=env, stderr=subprocess.PIPE, text=True)
    runs = partial_dir(out) / "runs"
    deadline = time.monotonic() + 120
    while proc.poll() is None and len(list(runs.glob("*.csv")) if runs.exists() else []) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    err = proc.communicate(timeout=60)[1]
    assert proc.returncode == 143, err
    assert err.splitlines() == [f"stopped (SIGTERM): the finished runs are in {partial_dir(out)}/; continue with the same command and --resume"]
    assert not out.exists() and 3 <= len(list(runs.glob("*.csv"))) < 48
    kept = {p.name: p.read_bytes() for p in runs.glob("*.csv")}
    code, _, err = call(many, capfd)  # without --resume: refused, the runs kept
    assert code == 2 and len(err.splitlines()) == 1 and "--resume" in err
    assert {p.name for p in runs.glob("*.csv")} == set(kept)
    written = []
    original = streamed.keep
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(streamed, "keep", lambda folder, done: written.append(done.world.index) or original(folder, done))
        assert cli.main([*many, "--resume"]) == 0
    assert len(written) == 48 - len(kept)  # only the missing runs ran
    assert not {f"{i:06d}.csv" for i in written} & set(kept)
    assert cli.main(argv(root, "whole", seeds=6)) == 0
    same_files(root / "whole", out)


def test_resume_refuses_another_comparisons_runs(root, pooled, capfd):
    out = root / "other"
    folder = partial_dir(out)
    (folder / "runs").mkdir(parents=True)
    (folder / streamed.META).write_text('{"fingerprint": "another comparison"}')
    code, stdout, err = call([*argv(root, "other"), "--resume"], capfd)
    assert code == 2 and stdout == "" and len(err.splitlines()) == 1 and "another comparison" in err
    assert not out.exists() and not list((folder / "runs").iterdir())


def test_the_summaries_read_only_the_last_steps_and_agree_with_the_whole_frame(root, tmp_path):
    scenarios = {"tiny": root / "tiny.toml", "reserve": root / "reserve.toml"}
    whole = compare.compare(scenarios, 2, overrides={"run.steps": 16}, posterior=0)
    streamed_ = compare.compare(scenarios, 2, overrides={"run.steps": 16}, posterior=0, out=tmp_path / "c")
    assert whole.runs["step"].min() == 0 and streamed_.runs["step"].min() == 16 - compare.LAST + 1
    pd.testing.assert_frame_equal(whole.summary, streamed_.summary, check_exact=True)
    compare.write(streamed_, tmp_path / "c")
    assert pd.read_csv(tmp_path / "c" / "runs.csv")["step"].min() == 0  # runs.csv holds every step


@pytest.mark.parametrize(
    "args, message",
    [(["--posterior", "some"], "--posterior"), (["--seeds", "1", "--posterior", "1"], "--seeds 1"), (["--seeds", "0", "--posterior", "all"], "--seeds 0")],
)
def test_bad_stream_arguments_exit_2_in_one_line(root, capfd, args, message):
    code, out, err = call(["compare", str(root / "tiny.toml"), "--posterior-file", str(root / "posterior.csv"), "--out", str(root / "bad"), *args], capfd)
    assert code == 2 and out == "" and len(err.splitlines()) == 1 and message in err, err
    assert not (root / "bad").exists() and not partial_dir(root / "bad").exists()
