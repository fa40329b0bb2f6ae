#!/usr/bin/env python3
"""Command line: run scenarios and write their results.

    python run.py                                   # scenarios/baseline.toml -> results/baseline/
    python run.py run SCENARIO [--steps N] [--seed S] [--set section.key=value ...] [--out DIR]
    python run.py list                              # the scenario library, one line each
    python run.py compare SCENARIO... [--seeds N] [--posterior N|all] [--jobs N] [--scheduler ADDRESS] [--out DIR] [--resume]
    python run.py keys                              # every scenario key, its default and range
    python run.py validate [--quick] [--out DIR] [--seeds N] [--jobs N] [--scheduler ADDRESS] [--check KEY]   # the published results
    python run.py resume DIR                        # continue a stopped run that wrote checkpoints
    python run.py serve [--port P] [--host H]      # the visual server for presenting (app.py)
    python run.py sweep SWEEP.toml [--jobs N] [--scheduler ADDRESS] [--out DIR] [--resume]   # sweeps, sensitivity, tipping points
    python run.py calibrate [--quick] [--jobs N] [--scheduler ADDRESS] [--out DIR] [--resume]   # fit the calibrated keys (needs the calibrate extra)
    python run.py design DESIGN.toml [--quick] [--jobs N] [--scheduler ADDRESS] [--out DIR] [--resume] [--export N]   # robust policy mixes

Bad input exits with status 2 and one line on stderr; nothing is written.
`validate` exits with status 1 if a check disagrees for no documented reason. Ctrl-C or SIGTERM prints one line saying
what was saved and exits with status 130 or 143; a closed pipe ends quietly (status 141).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

from experiments import interrupts, library, limits
from experiments import compare_command
from experiments.compare_command import SCHEDULER
from experiments.design import command as design_command
from model.scenario import ScenarioError, did_you_mean, key_reference, load, parse_assignment

HERE = Path(__file__).resolve().parent
BASELINE = HERE / "scenarios" / "baseline.toml"
DEFAULT_SEEDS = 10


class UsageError(Exception):
    """A command-line mistake; reported in one line with exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not argparse's usage block
        raise UsageError(f"{self.prog}: {message} (see --help)")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="run.py", description="Simulate AI models learning from a web that AI models increasingly write.")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    r = sub.add_parser("run", help="run one scenario and write its results")
    r.add_argument("scenario", help="scenario name (e.g. human_reserve, see `list`) or TOML file")
    r.add_argument("--steps", type=int, help="override run.steps")
    r.add_argument("--seed", type=int, help="override run.seed")
    r.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE", help="override any key (repeatable)")
    r.add_argument("--out", type=Path, help="output folder (default: results/<scenario>[--<each override>])")
    r.add_argument("--quiet", action="store_true", help="no progress bar and no table: only where it wrote")
    sub.add_parser("keys", help="print every scenario key with its default and allowed range (Markdown)")
    sub.add_parser("list", help="print the scenario library: each scenario with its one-line description")
    compare_command.add_parser(sub, DEFAULT_SEEDS)
    v = sub.add_parser("validate", help="reproduce the published model-collapse results in DIR/validation.md (exit 1 if a check fails)")
    v.add_argument("--quick", action="store_true", help="fewer seeds and generations: under a minute")
    v.add_argument("--out", type=Path, help="output folder (default: results/validation, or results/validation-quick with --quick)")
    v.add_argument("--seeds", type=int, help="seeds for every Monte Carlo check (default: each check's own, e.g. 300; 30 with --quick)")
    v.add_argument("--jobs", type=int, help="worker processes (default: 1 with --quick, else min(2, CPUs)); results do not depend on it")
    v.add_argument("--scheduler", help=SCHEDULER)
    v.add_argument("--quiet", action="store_true", help="no progress lines and no verdict: only where it wrote")
    v.add_argument("--check", action="append", metavar="KEY", help="run only this check (repeatable), e.g. text_perplexity")
    c = sub.add_parser("resume", help="continue a stopped run from its checkpoint (run.checkpoint_every > 0)")
    c.add_argument("dir", type=Path, help="the run's output folder (or its .NAME.partial folder or checkpoint file)")
    c.add_argument("--out", type=Path, help="output folder (default: the one the run was writing to)")
    c.add_argument("--quiet", action="store_true", help="no progress bar and no table: only where it wrote")
    s = sub.add_parser("serve", help="start the visual server (app.py) for presenting; needs the app extra")
    s.add_argument("--port", type=int, default=8765, help="port (default: 8765)")
    s.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: 127.0.0.1, this machine only)")
    w = sub.add_parser("sweep", help="run a sweep file (grid, lhs or sobol) and analyse it: runs.csv, sensitivity, tipping points")
    w.add_argument("sweep", help="sweep TOML file, e.g. scenarios/sweeps/sobol_levers.toml")
    w.add_argument("--jobs", type=int, help="worker processes (default: min(2, CPUs)); results do not depend on it")
    w.add_argument("--scheduler", help=SCHEDULER)
    w.add_argument("--out", type=Path, help="output folder (default: results/sweeps/<sweep name>)")
    w.add_argument("--resume", action="store_true", help="finish an interrupted sweep in --out: run only the missing runs")
    w.add_argument("--quiet", action="store_true", help="no progress bar: only where it wrote")
    k = sub.add_parser("calibrate", help="fit the calibrated keys to today's web by ABC-SMC: posterior.csv, predictive check, pairs plot")
    k.add_argument("--quick", action="store_true", help="a smaller world and fewer particles: minutes on 2 cores")
    k.add_argument("--file", type=Path, help="the calibration file (default: scenarios/posterior/calibration.toml)")
    k.add_argument("--jobs", type=int, help="worker processes (default: min(2, CPUs)); results do not depend on it")
    k.add_argument("--scheduler", help=SCHEDULER)
    k.add_argument("--out", type=Path, help="output folder (default: results/calibration, or results/calibration-quick)")
    k.add_argument("--resume", action="store_true", help="continue an interrupted calibration in --out from its last finished generation")
    k.add_argument("--quiet", action="store_true", help="no progress bars: only where it wrote")
    design_command.add_parser(sub)
    return parser


def _scenario(args, path=None):
    """Load the scenario and apply --set, --steps and --seed, each error naming where it came from.

    Returns the scenario and the overrides as ``{"section.key": value}`` (what its folder is named after).
    """
    path = str(path or library.resolve(args.scenario))
    sets = dict(parse_assignment(text, source=path) for text in args.set)
    scenario = load(path).with_overrides(sets, source=f"{path} (--set)") if sets else load(path)
    for flag, key in (("steps", "run.steps"), ("seed", "run.seed")):
        if getattr(args, flag, None) is not None:
            scenario = scenario.with_overrides({key: getattr(args, flag)}, source=f"{path} (--{flag})")
            sets[key] = getattr(args, flag)
    return limits.check(scenario, path), sets


def _check_writable(out: Path) -> None:
    """Refuse an output folder that cannot be made, before anything runs."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: exists and is not a folder; give a folder path")
    existing = out
    while not existing.exists():
        existing = existing.parent
    try:  # try it for real: os.access says yes to root even where writing fails (/proc)
        tempfile.TemporaryDirectory(dir=existing).cleanup()
    except OSError:
        raise UsageError(f"--out {out}: cannot create a folder under {existing}") from None


def cmd_run(args) -> int:
    path = library.resolve(args.scenario)
    scenario, overrides = _scenario(args, path)
    out = args.out or Path("results") / library.folder_name(path.stem, overrides)
    _check_writable(out)
    from model import checkpoint
    from experiments import runner  # heavy imports only once the input is known good

    if not scenario.run.checkpoint_every:
        interrupts.saved("nothing was saved (--set run.checkpoint_every=N makes a run resumable)")
    extra = library.overrides_text(overrides)
    meta = {"scenario_file": str(path), "label": path.stem + (f" ({extra})" if extra else "")}
    return _finish(runner, scenario, out, checkpoint.partial_dir(out), meta, args.quiet)


def cmd_resume(args) -> int:
    from model import checkpoint
    from experiments import runner

    try:
        saved = checkpoint.load(args.dir)
    except checkpoint.CheckpointError as error:
        raise UsageError(str(error)) from None
    folder = saved.path.parent
    name = folder.name
    if args.out is None and not (name.startswith(".") and name.endswith(".partial")):
        raise UsageError(f"{args.dir}: not in a run's .NAME.partial folder; give --out DIR for the results")
    out = args.out or folder.parent / name[1:].removesuffix(".partial")
    _check_writable(out)
    if not args.quiet:
        print(f"resuming {saved.scenario_file or 'the run'} at step {saved.step} of {saved.scenario.run.steps} -> {out}/", flush=True)
    interrupts.saved(f"checkpoint of step {saved.step} in {folder}/ (kept); continue with: {_resume_command(out, folder)}")
    return _finish(runner, saved.scenario, out, folder, saved.meta, args.quiet, model=saved.model)


def _resume_command(out: Path, partial: Path) -> str:
    from model import checkpoint

    if Path(partial) == checkpoint.partial_dir(out):
        return f"python run.py resume {out}"
    return f"python run.py resume {partial} --out {out}"


def _finish(runner, scenario, out: Path, partial: Path, meta: dict, quiet: bool, model=None) -> int:
    """Run to the end (checkpointing into ``partial``), write the results all at once, drop the checkpoint.

    ``meta`` (``scenario_file``, ``label``) goes into the results and into every checkpoint, so a resumed
    run writes what the uninterrupted one would.
    """
    from model import checkpoint
    from experiments import report

    def on_checkpoint(step: int, path: Path) -> None:
        interrupts.saved(f"checkpoint of step {step} in {path.parent}/; continue with: {_resume_command(out, partial)}")

    result = runner.run(scenario, progress=not quiet, checkpoints=partial, meta=meta, on_checkpoint=on_checkpoint, model=model)
    with interrupts.deferred():  # the results folder appears whole or not at all
        written = report.write(result, out, scenario_file=meta.get("scenario_file"), label=meta.get("label"))
        checkpoint.discard(partial)
        interrupts.saved(f"the results are complete in {out}/")
    if not quiet:
        print(report.headline_table(result))
    print(f"wrote {', '.join(p.name for p in written)} to {out}/")  # --quiet silences the progress and the table, not where it wrote
    return 0


def cmd_keys(args) -> int:
    print("| key | default | allowed | meaning |")
    print("|---|---|---|---|")
    for key, default, allowed, meaning in key_reference():
        shown = f'"{default}"' if isinstance(default, str) else str(default).lower() if isinstance(default, bool) else default
        print(f"| `{key}` | `{shown}` | {allowed} | {meaning} |")
    return 0


def cmd_list(args) -> int:
    entries = library.entries()
    width = max((len(name) for name, _ in entries), default=0)
    for name, text in entries:
        print(f"{name:{width}}  {text}")
    return 0


def _check_seeds_and_jobs(args, need: str, fewest: int = 2) -> None:
    if args.seeds is not None and args.seeds < fewest:
        raise UsageError(f"--seeds {args.seeds}: need at least 2 seeds for {need}")
    if args.jobs is not None and args.jobs < 1:
        raise UsageError(f"--jobs {args.jobs}: need at least 1")


def cmd_compare(args) -> int:
    replicated = args.posterior == "all" or (isinstance(args.posterior, int) and args.posterior >= 2)  # the draws are the replicates
    _check_seeds_and_jobs(args, "a confidence interval (or 1 with --posterior N >= 2, or all)", fewest=1 if replicated else 2)
    scenarios, descriptions = {}, {}
    for name in args.scenarios:  # every file is read and checked before anything runs
        path = library.resolve(name)
        if path.stem in scenarios:
            raise UsageError(f"{name}: a scenario named {path.stem} is already in the comparison; give each scenario once")
        scenarios[path.stem], overrides = _scenario(args, path)
        descriptions[path.stem] = library.description(path)
    named = {k: v for k, v in overrides.items() if k not in ("run.steps", "run.seed")}  # --set: in every scenario's name
    from experiments import compare  # heavy imports only once the input is known good

    problem = compare.mismatch(scenarios)
    if problem:
        raise UsageError(problem)
    seeds = args.seeds or DEFAULT_SEEDS
    if args.seeds is not None:
        overrides["seeds"] = args.seeds
    from experiments.calibration import posterior as posterior_file

    posterior = posterior_file.mode(args.posterior, args.posterior_file, seeds)  # checked before anything runs
    if args.posterior is not None:
        overrides["posterior"] = args.posterior
    out = args.out or Path("results") / library.folder_name("compare--" + "+".join(scenarios), overrides)
    _check_writable(out)
    jobs = args.jobs or min(2, os.cpu_count() or 1)
    command = " ".join(["python run.py compare", *args.scenarios, *(f"--{k} {getattr(args, k)}" for k in ("seeds", "steps", "posterior") if getattr(args, k) is not None)])
    command += "".join(f" --set {text}" for text in args.set) + (f" --posterior-file {args.posterior_file}" if args.posterior_file else "")
    result = compare.compare(
        scenarios, seeds, jobs, progress=not args.quiet, descriptions=descriptions, command=command, posterior=posterior, posterior_file=args.posterior_file,
        overrides=named, scheduler=args.scheduler, out=out, resume=args.resume,
    )
    try:
        with interrupts.deferred():  # the comparison folder appears whole or not at all
            compare.write(result, out)
            interrupts.saved(f"the comparison is complete in {out}/")
    except OSError as error:
        raise UsageError(f"--out {out}: cannot write the comparison: {error.strerror or error}") from None
    if not args.quiet:
        print(compare.terminal_table(result))
    over = f" in {posterior_file.worlds_text(result)}" if result.draws else f" x {len(result.seeds)} seeds"
    print(f"{len(scenarios)} scenario{'s' * (len(scenarios) != 1)}{over}; {result.wall_time:.1f} s wall time; wrote {out}/ (open report.html)")
    return 0


def validation_folder(args) -> Path:
    """``--out``, or the default: a quick look never replaces the full report, so it has a folder of its own."""
    return args.out or Path("results") / ("validation-quick" if args.quick else "validation")


def cmd_validate(args) -> int:
    _check_seeds_and_jobs(args, "a standard error")
    args.out = validation_folder(args)
    _check_writable(args.out)
    from experiments import validation  # heavy imports only when validating

    if args.seeds is not None and args.seeds > validation.MAX_SEEDS:
        raise UsageError(f"--seeds {args.seeds}: at most {validation.MAX_SEEDS}")
    for key in args.check or ():
        if key not in validation.CHECKS:
            raise UsageError(f"--check {key}: unknown check; {did_you_mean(key, validation.CHECKS)}allowed: {', '.join(validation.CHECKS)}")

    jobs = args.jobs or (1 if args.quick else min(2, os.cpu_count() or 1))
    command = "python run.py validate" + (" --quick" if args.quick else "") + (f" --seeds {args.seeds}" if args.seeds else "")
    command += "".join(f" --check {key}" for key in args.check or ())

    def progress(result) -> None:
        if not args.quiet:
            print(f"{result.verdict}  {result.title}  ({result.seconds:.1f} s)", flush=True)

    outcome = validation.validate(args.quick, seeds=args.seeds, jobs=jobs, only=args.check, progress=progress, command=command, scheduler=args.scheduler)
    try:
        with interrupts.deferred():  # the report folder appears whole or not at all
            validation.write(outcome, args.out)
            interrupts.saved(f"the report is complete in {args.out}/")
    except OSError as error:
        raise UsageError(f"--out {args.out}: cannot write the report: {error.strerror or error}") from None
    if not args.quiet:
        passed = sum(r.passed for r in outcome.results)
        unexpected = sum(bool(r.unexpected) for r in outcome.results)
        print(
            f"{passed} of {len(outcome.results)} published results reproduced"
            + (f", {unexpected} check(s) disagree with no documented reason" if unexpected else "")
            + f"; {outcome.wall_time:.1f} s"
        )
    print(f"wrote {args.out}/validation.md")  # --quiet silences the progress and the verdict, not where it wrote
    return 0 if outcome.passed else 1


def _one_line(text: str) -> str:
    """Control characters a user typed (a newline in --set) shown escaped, so an error stays one line."""
    return re.sub(r"[\x00-\x1f\x7f]", lambda m: repr(m.group())[1:-1], text)


def cmd_serve(args) -> int:
    """Run `solara run app.py`, and print the address once the page answers."""
    import importlib.util

    if not 1 <= args.port <= 65535:  # not 0 (any free port): the address printed must be the one that answers
        raise UsageError(f"--port {args.port}: allowed: 1 to 65535")
    if importlib.util.find_spec("solara") is None:
        raise UsageError('serve: the visual server needs the app extra: pip install -e ".[app]"')
    from viz.serve import serve

    # No check for a newer Solara (the app extra pins it on purpose), no Solara badge in the page's corner,
    # and no warning about SameSite cookies over http (app.py says why it does not apply).
    command = [sys.executable, "-W", "ignore:Cookies with samesite=none require https", "-m", "solara", "run", str(HERE / "app.py"),
               "--host", args.host, "--port", str(args.port), "--production", "--no-open", "--no-check-version"]
    # The app finds scenarios/ and viz/ from HERE; the address is printed once the page answers.
    return serve(command, args.host, args.port, {**os.environ, "SOLARA_THEME_SHOW_BANNER": "False"}, str(HERE))


def cmd_sweep(args) -> int:
    if args.jobs is not None and args.jobs < 1:
        raise UsageError(f"--jobs {args.jobs}: need at least 1")
    from experiments.sweep import analysis, design, execute  # heavy imports only when sweeping

    sweep = design.read(args.sweep)
    out = args.out or Path("results") / "sweeps" / Path(args.sweep).stem
    _check_writable(out)
    execute.prepare(sweep, out, args.resume)  # refuse a folder holding another sweep before anything runs
    interrupts.saved(f"the finished runs are in {out}/runs.csv; continue with: python run.py sweep {args.sweep} --out {out} --resume")
    jobs = args.jobs or min(2, os.cpu_count() or 1)
    with execute.executor(jobs, args.scheduler) as pool:
        done = execute.run_sweep(sweep, out, pool, resume=args.resume, progress=not args.quiet)
    written = analysis.analyse(sweep, out)
    if not args.quiet:
        print(f"{done.ran} of {done.total} runs made in {done.wall_time:.1f} s ({done.run_time / max(done.ran, 1):.2f} s a run)")
    print(f"wrote runs.csv, {', '.join(p.name for p in written)} to {out}/")
    return 0


def cmd_calibrate(args) -> int:
    import importlib.util

    if args.jobs is not None and args.jobs < 1:
        raise UsageError(f"--jobs {args.jobs}: need at least 1")
    from experiments.calibration import spec

    calibration = spec.read(args.file or spec.DEFAULT, quick=args.quick)  # every key checked before anything runs
    if importlib.util.find_spec("pyabc") is None:
        raise UsageError('calibrate: the calibration needs the calibrate extra: pip install -e ".[calibrate]"')
    out = args.out or Path("results") / ("calibration-quick" if args.quick else "calibration")
    _check_writable(out)
    from experiments.calibration import command as calibrate

    command = "python run.py calibrate" + " --quick" * args.quick + (f" --file {args.file}" if args.file else "")
    jobs = args.jobs or min(2, os.cpu_count() or 1)
    say = (lambda text: None) if args.quiet else (lambda text: print(text, flush=True))
    calibrate.command_line(calibration, out, args.resume, jobs, args.scheduler, command, say, progress=not args.quiet)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    return interrupts.guard(lambda: _main(argv))


def _main(argv: list[str]) -> int:
    try:
        if not argv:
            argv = ["run", str(BASELINE.relative_to(Path.cwd()) if BASELINE.is_relative_to(Path.cwd()) else BASELINE)]
        elif argv[0].endswith(".toml"):  # `run.py SCENARIO` means `run.py run SCENARIO`
            argv = ["run", *argv]
        args = _parser().parse_args(argv)
        compare_command.check_scheduler(args)
        commands = {"keys": cmd_keys, "list": cmd_list, "compare": cmd_compare, "validate": cmd_validate,
                    "resume": cmd_resume, "serve": cmd_serve, "sweep": cmd_sweep, "calibrate": cmd_calibrate,
                    "design": lambda args: design_command.main(args, _check_writable)}
        return commands.get(args.command, cmd_run)(args)
    except (ScenarioError, UsageError) as error:
        print(f"error: {_one_line(str(error))}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
