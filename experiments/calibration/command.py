"""``python run.py calibrate``: fit, then write the posterior, the predictive check, the figures and the report."""

from __future__ import annotations

import importlib.metadata
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from experiments import files
from experiments.calibration import posterior as posterior_file
from experiments.calibration.spec import Calibration, CalibrationError


@dataclass
class Outcome:
    """What :func:`calibrate` made."""

    posterior: object  # pandas DataFrame, one row per draw
    points: object  # pandas DataFrame: each pattern point against the model
    written: list[Path]
    seconds: float  # fitting time over every call that worked on this fit (a resumed fit adds up)


def calibrate(calibration: Calibration, out: Path, pool, command: str, progress: bool = True, say=print) -> Outcome:
    """Fit (or continue fitting) into ``out``, then write the posterior, the predictive check, the figures and the report."""
    from experiments.calibration import fit, report

    result = fit.fit(calibration, out, pool, progress, say)
    state = json.loads((out / fit.STATE).read_text())
    state["seconds"] = float(state.get("seconds", 0.0)) + result.wall_time
    (out / fit.STATE).write_text(json.dumps(state, indent=2) + "\n")
    draws = posterior_file.resample(result.particles, result.weights, calibration.settings.particles, calibration.seed)
    say(f"posterior-predictive check: {min(calibration.settings.draws, len(draws))} posterior draws on fresh seeds")
    pred = report.predictive(calibration, draws, pool, calibration.settings.draws, progress)
    points = report.point_rows(calibration, pred)
    history = fit.history_table(out)
    versions = {**files.versions(), "pyabc": importlib.metadata.version("pyabc")}
    meta = {"command": command, "pyabc": versions["pyabc"], "seconds": state["seconds"], "draws": len(pred.table)}
    comments = [
        f"Posterior of the calibrated parameters: {len(draws)} draws of equal weight (ABC-SMC, resampled), one column per scenario key.",
        f"Made by: {command}   (from {calibration.path.name}{', quick setting' if calibration.quick else ''}, seed {calibration.seed})",
        f"Fit: {len(history)} generations of {calibration.settings.particles} particles, {int(history['samples'].sum())} simulations, "
        f"final epsilon {history['epsilon'].iloc[-1]:.4g}, {state['seconds']:.0f} s; made {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()),
    ]
    with files.staged_folder(out) as staging:
        posterior_file.write(staging / "posterior.csv", draws, comments)
        pred.table.to_csv(staging / "predictive.csv", index=False)
        points.to_csv(staging / "patterns.csv", index=False)
        report.predictive_figure(calibration, pred, staging / "predictive.png")
        report.pairs_figure(calibration, draws, staging / "pairs.png")
        (staging / "calibration.md").write_text(report.markdown(calibration, draws, points, history, meta), encoding="utf-8")
        names = sorted(f.name for f in staging.iterdir())
    return Outcome(draws, points, [out / n for n in names], state["seconds"])


def command_line(calibration: Calibration, out: Path, resume: bool, jobs: int, scheduler, command: str, say=print, progress: bool = True) -> Outcome:
    """``python run.py calibrate``: refuse a folder that holds a fit unless resuming, then fit on the executor asked for."""
    from experiments import interrupts
    from experiments.calibration import fit
    from experiments.sweep import execute

    done = fit.prepare(calibration, out)
    if (out / fit.DB).exists() and not resume:
        raise CalibrationError(f"--out {out}: already holds a calibration; add --resume to continue it, or give another folder")
    interrupts.saved(f"the finished generations are in {out}/{fit.DB}; continue with: {command} --out {out} --resume")
    if done:
        say(f"resuming {out}/ after generation {done}")
    with execute.executor(jobs, scheduler) as pool:
        outcome = calibrate(calibration, out, pool, command, progress=progress, say=say)
    matched = outcome.points[~outcome.points["held_out"]]["matched"]
    # where it wrote is said even with --quiet, which silences only the progress
    print(f"{int(matched.sum())} of {len(matched)} fitted points matched; wrote {', '.join(p.name for p in outcome.written)} to {out}/", flush=True)
    return outcome
