"""Calibration as inference: the calibration file, the fit's determinism and resumption, what it writes.

The fits here are tiny (a 40-creator world, 6 months, two calibrated keys, 8 particles): they
test the machinery, not the calibration, which is a benchmark (``python run.py calibrate``,
docs/calibration.md); the shipped baseline's agreement with the patterns is in
``tests/test_calibration.py``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import run as cli
from experiments.calibration import fit, posterior, ship, simulate, spec, statistics
from experiments.calibration.command import calibrate
from experiments.calibration.spec import CalibrationError

from test_compare import TINY

CALIBRATION = """\
base = "tiny.toml"
steps = 6
seed = 11
held_out = ["attention"]

[full]
particles = 8
generations = 2
min_acceptance = 0.0
draws = 4

[quick]
particles = 6
generations = 1
min_acceptance = 0.0
draws = 3
set = { "humans.count" = 30 }

[priors]
"ai.cost" = { low = 0.05, high = 0.5, scale = "log" }
"platform.substitution" = { low = 0.0, high = 1.0 }

[worlds.qa]
"run.steps" = 3
"policy.ai_output_cap" = 0.0
"platform.reader_adoption_p" = 0.1

[patterns.share]
statistic = "ai_share_new"
source = "a test"
tolerance = 0.05
points = [{ steps = [4, 6], value = 0.3 }]

[patterns.qa]
statistic = "web_attention"
world = "qa"
source = "a test"
tolerance = 0.05
points = [{ steps = [1, 3], value = 0.9 }]

[patterns.attention]
statistic = "ai_attention_share"
source = "a test"
points = [{ steps = [5, 6], value = 0.1, tolerance = 0.05 }]
"""


@pytest.fixture
def folder(tmp_path, monkeypatch):
    (tmp_path / "tiny.toml").write_text(TINY)
    (tmp_path / "calibration.toml").write_text(CALIBRATION)
    monkeypatch.chdir(tmp_path)
    return tmp_path


class Serial:
    """An executor that runs every task here, in order (the fit must not depend on the executor)."""

    def __init__(self, stop_after: int | None = None):
        self.stop_after, self.done = stop_after, 0

    def map_unordered(self, fn, job, items):
        for item in items:
            if self.stop_after is not None and self.done >= self.stop_after:
                raise KeyboardInterrupt
            self.done += 1
            yield fn(job, item)


def quiet(text: str) -> None:
    pass


# -- the calibration file -------------------------------------------------------------------------


def test_the_shipped_calibration_file_reads():
    for quick in (False, True):
        cal = spec.read(quick=quick)
        assert cal.keys and cal.fitted and any(p.held_out for p in cal.patterns)
        assert set(cal.observed()) == {pt.name for pt in cal.fitted}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('"ai.cost" = {', '"ai.costt" = {'), "priors: ai.costt: unknown key"),
        (('"platform.substitution" = { low = 0.0, high = 1.0 }', '"platform.substitution" = { low = 0.5, high = 0.5 }'), "empty; give low < high"),
        (('"platform.substitution" = { low = 0.0, high = 1.0 }', '"ai.models" = { low = 1, high = 4 }'), "only a real-valued key"),
        (('"platform.substitution" = { low = 0.0, high = 1.0 }', '"platform.substitution" = { low = 0.0, high = 2.0 }'), "platform.substitution = 2.0"),
        (('points = [{ steps = [4, 6], value = 0.3 }]', "points = []"), "patterns.share.points: no data"),
        (('statistic = "ai_share_new"', 'statistic = "nope"'), "patterns.share.statistic: 'nope': allowed"),
        (('steps = [4, 6]', 'steps = [4, 9]'), "allowed: 1 <= first <= last <= 6"),
        (('steps = [1, 3]', 'steps = [1, 6]'), "allowed: 1 <= first <= last <= 3"),
        (('held_out = ["attention"]', 'held_out = ["atention"]'), "held_out: 'atention': not a pattern"),
        (('world = "qa"', 'world = "q"'), "patterns.qa.world: 'q'"),
        (("tolerance = 0.05\npoints = [{ steps = [4, 6]", "tolerance = 0.0\npoints = [{ steps = [4, 6]"), "allowed: a number > 0"),
        (("particles = 8", "particles = 1"), "full.particles: 1: allowed: an integer >= 2"),
        (('source = "a test"\ntolerance = 0.05\npoints = [{ steps = [4, 6]', 'tolerance = 0.05\npoints = [{ steps = [4, 6]'), "source: missing"),
        (("[priors]", "[priors\n"), "malformed TOML"),
    ],
)
def test_a_bad_calibration_file_exits_2_in_one_line_and_writes_nothing(folder, capfd, change, message):
    (folder / "bad.toml").write_text(CALIBRATION.replace(*change))
    code = cli.main(["calibrate", "--file", "bad.toml", "--out", "never"])
    out, err = capfd.readouterr()
    assert code == 2 and err.count("\n") == 1 and err.startswith("error: bad.toml") and message in err, err
    assert not (folder / "never").exists()


# -- the fit ----------------------------------------------------------------------------------------


def test_the_fit_is_a_pure_function_of_the_file_and_resumes_where_it_stopped(folder):
    cal = spec.read("calibration.toml")
    whole = fit.fit(cal, folder / "whole", Serial(), progress=False, say=quiet)
    assert [g.t for g in whole.generations] == [1, 2] and list(whole.particles.columns) == cal.keys
    # Stopped in the middle of the second generation: the first is kept, and resuming ends where the whole fit did.
    with pytest.raises(KeyboardInterrupt):
        fit.fit(cal, folder / "cut", Serial(stop_after=8 + 8 + 3), progress=False, say=quiet)
    assert fit.prepare(cal, folder / "cut") == 1
    resumed = fit.fit(cal, folder / "cut", Serial(), progress=False, say=quiet)
    assert [g.t for g in resumed.generations] == [2]
    pd.testing.assert_frame_equal(resumed.particles, whole.particles)
    np.testing.assert_array_equal(resumed.weights, whole.weights)
    # Another calibration's history is never continued.
    other = spec.read("calibration.toml", quick=True)
    with pytest.raises(CalibrationError, match="holds another calibration's history"):
        fit.prepare(other, folder / "cut")


def test_the_command_line_writes_the_posterior_its_check_and_the_same_with_two_workers(folder, capfd, monkeypatch):
    # From the repository's root, as the docs say: Python 3.11's forkserver ignores the parent's sys.path and
    # imports from its working folder (here an editable install of another tree could be found first).
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)
    file, one, two = (str(folder / name) for name in ("calibration.toml", "one", "two"))
    command = f"python run.py calibrate --file {file}"
    calibrate(spec.read(file), Path(one), Serial(), command, progress=False, say=quiet)  # here, in order
    assert cli.main(["calibrate", "--file", file, "--out", two, "--jobs", "2", "--quiet"]) == 0  # two worker processes
    said = capfd.readouterr().out.splitlines()
    assert len(said) == 1 and said[0].endswith(f" to {two}/") and "posterior.csv" in said[0]  # --quiet still says where it wrote
    written = {p.name for p in (folder / "one").iterdir()}
    assert {"posterior.csv", "predictive.csv", "predictive.png", "pairs.png", "calibration.md", "patterns.csv", fit.DB} <= written
    assert (folder / "one" / "posterior.csv").read_text().split("\n", 1)[1].split("\n", 3)[3] == (folder / "two" / "posterior.csv").read_text().split("\n", 1)[1].split("\n", 3)[3]
    draws = posterior.read(folder / "one" / "posterior.csv")
    assert list(draws.columns) == ["ai.cost", "platform.substitution"] and len(draws) == 8
    assert any(f"python run.py calibrate --file {file}" in c for c in posterior.comments(folder / "one" / "posterior.csv"))
    assert any("pyabc" in c for c in posterior.comments(folder / "one" / "posterior.csv"))
    patterns = pd.read_csv(folder / "one" / "patterns.csv")
    assert patterns["held_out"].tolist() == [False, False, True] and patterns["median"].notna().all()
    report = (folder / "one" / "calibration.md").read_text()
    assert "attention (held out)" in report and "## The held-out pattern" in report
    # A second calibrate into the same folder needs --resume.
    assert cli.main(["calibrate", "--file", file, "--out", one, "--quiet"]) == 2
    assert "add --resume" in capfd.readouterr().err


# -- the statistics ---------------------------------------------------------------------------------


def test_every_statistic_is_read_from_the_runs_own_timeseries():
    """No pattern is a lookup: each statistic is the mean of a column of the run's output over its span."""
    ts = pd.DataFrame({"homogenization": [np.nan, 0.1, 0.3, 0.5], "human_share_new": [1.0, 0.8, 0.6, 0.4]})
    assert statistics.value("homogenization", ts, 1, 2) == pytest.approx(0.2)
    assert statistics.value("homogenization", ts, 0, 1) == pytest.approx(0.1)  # NaN months are skipped
    assert statistics.value("ai_share_new", ts, 2, 3) == pytest.approx(0.5)
    assert np.isnan(statistics.value("homogenization", ts, 0, 0))


# -- shipping a posterior ---------------------------------------------------------------------------


def test_shipping_writes_the_medians_where_the_baselines_values_live():
    text = "[ai]\nmodels = 4\ncost = 0.135         # calibrated: why\n\n[platform]\nattention = 0.75\n"
    out = ship.set_toml(ship.set_toml(text, "ai.cost", 0.2), "platform.substitution", 0.4)
    assert "cost = 0.2         # calibrated: why" in out and "substitution = 0.4" in out.split("[platform]")[1]
    source = Path(ship.SCHEMA).read_text()
    changed = ship.set_default(source, "ai.cost", 0.25)
    assert "    cost: float = Field(0.25," in changed and changed.count("Field(0.25,") == source.count("Field(0.25,") + 1
    assert posterior.rounded(0.123456) == 0.123 and posterior.rounded(1234.5) == 1230.0




def test_the_stopping_rule_is_not_part_of_a_fits_identity():
    """A fit may be resumed with more generations, or ended at those it has; a change of what a generation computes may not."""
    from dataclasses import replace

    cal = spec.read()
    more = replace(cal, settings=replace(cal.settings, generations=cal.settings.generations + 3, draws=5))
    other = replace(cal, settings=replace(cal.settings, particles=cal.settings.particles + 1))
    assert more.fingerprint() == cal.fingerprint() != other.fingerprint()


def test_what_only_the_check_reads_is_not_part_of_a_fits_identity():
    """Held-out patterns, the worlds only they use, the check's horizon and the base's values of calibrated keys
    change no particle, so a fit can be checked against data found later, and shipped, without fitting again."""
    from dataclasses import replace

    shipped_file = spec.read()
    # The shipped file's held-out patterns run in the base world: give one a world of its own.
    held = next(p for p in shipped_file.patterns if p.held_out)
    patterns = tuple(replace(p, world="later") if p is held else p for p in shipped_file.patterns)
    cal = replace(shipped_file, patterns=patterns, worlds={**shipped_file.worlds, "later": {"run.steps": 48}})
    assert cal.fingerprint() == shipped_file.fingerprint()
    fitted = tuple(p for p in cal.patterns if not p.held_out)
    worlds = {w: v for w, v in cal.worlds.items() if any(p.world == w for p in fitted)}
    bare = replace(cal, patterns=fitted, worlds=worlds, horizon=cal.steps)
    shipped = replace(cal, base=cal.base.with_overrides({cal.keys[0]: cal.priors[0].to_value(cal.priors[0].bounds[0])}))
    other = replace(cal, base=cal.base.with_overrides({"humans.count": cal.base.humans.count + 1}))
    assert bare.fingerprint() == cal.fingerprint() == shipped.fingerprint() != other.fingerprint()
    assert len(fitted) < len(cal.patterns) and len(worlds) < len(cal.worlds)


def test_the_fit_runs_only_the_fitted_worlds_and_the_check_runs_to_its_horizon(folder):
    (folder / "calibration.toml").write_text(CALIBRATION.replace("steps = 6\n", "steps = 6\nhorizon = 9\n", 1))
    cal = spec.read(folder / "calibration.toml")
    assert cal.horizon == 9 > cal.steps
    values = {p.key: p.to_value(sum(p.bounds) / 2) for p in cal.priors}
    fitted = simulate.simulate(cal, values, 3, held_out=False)
    stats, series = simulate.simulate(cal, values, 3, series=True, steps=cal.horizon)
    assert set(fitted) == {pt.name for pt in cal.fitted} < set(stats)
    assert len(series["attention"]) == cal.horizon + 1  # the base world, run to the horizon
    assert len(series["qa"]) == cal.worlds["qa"]["run.steps"] + 1  # a world keeps its own months
    assert {k: stats[k] for k in fitted} == fitted  # running longer leaves the fitted months as they were
    short = simulate.simulate(cal, values, 3)
    assert all(short[k] == stats[k] for k in stats)


def test_demand_for_peoples_writing_is_the_webs_attention_less_what_ai_items_take():
    ts = pd.DataFrame({"web_attention": [1.0, 0.9, 0.8], "ai_attention_share": [0.0, 0.1, 0.5]})
    np.testing.assert_allclose(statistics.series("human_demand", ts), [1.0, 0.81, 0.4])
