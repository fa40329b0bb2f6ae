#!/usr/bin/env python3
"""Command line: run scenarios and write their results.

    python run.py                                   # scenarios/baseline.toml -> results/baseline/
    python run.py run SCENARIO [--steps N] [--seed S] [--set section.key=value ...] [--out DIR]
    python run.py keys                              # every scenario key, its default and range
    python run.py validate [--quick] [--out DIR] [--seeds N] [--jobs N]   # reproduce the published results
    python run.py sweep SWEEP.toml [--jobs N] [--scheduler ADDRESS] [--out DIR] [--resume]   # sweeps, sensitivity, tipping points

Bad input exits with status 2 and one line on stderr; nothing is written.
`validate` exits with status 1 if any check fails.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from model.scenario import ScenarioError, key_reference, load, parse_assignment

HERE = Path(__file__).resolve().parent
BASELINE = HERE / "scenarios" / "baseline.toml"


class UsageError(Exception):
    """A command-line mistake; reported in one line with exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not argparse's usage block
        raise UsageError(f"{self.prog}: {message} (see --help)")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="run.py", description="Simulate AI models learning from a web that AI models increasingly write.")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    r = sub.add_parser("run", help="run one scenario and write its results")
    r.add_argument("scenario", help="scenario TOML file, e.g. scenarios/baseline.toml")
    r.add_argument("--steps", type=int, help="override run.steps")
    r.add_argument("--seed", type=int, help="override run.seed")
    r.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE", help="override any key (repeatable)")
    r.add_argument("--out", type=Path, help="output folder (default: results/<scenario name>)")
    r.add_argument("--quiet", action="store_true", help="no progress bar and no table")
    sub.add_parser("keys", help="print every scenario key with its default and allowed range (Markdown)")
    v = sub.add_parser("validate", help="reproduce the published model-collapse results in DIR/validation.md (exit 1 if a check fails)")
    v.add_argument("--quick", action="store_true", help="fewer seeds and generations: under a minute")
    v.add_argument("--out", type=Path, default=Path("results") / "validation", help="output folder (default: results/validation)")
    v.add_argument("--seeds", type=int, help="seeds for every Monte Carlo check (default: each check's own, e.g. 300; 30 with --quick)")
    v.add_argument("--jobs", type=int, help="worker processes (default: 1 with --quick, else min(2, CPUs)); results do not depend on it")
    v.add_argument("--quiet", action="store_true", help="no progress lines")
    w = sub.add_parser("sweep", help="run a sweep file (grid, lhs or sobol) and analyse it: runs.csv, sensitivity, tipping points")
    w.add_argument("sweep", help="sweep TOML file, e.g. scenarios/sweeps/sobol_levers.toml")
    w.add_argument("--jobs", type=int, help="worker processes (default: min(2, CPUs)); results do not depend on it")
    w.add_argument("--scheduler", help="a Dask scheduler, tcp://host:port, or 'local' for a Dask LocalCluster (default: a local process pool)")
    w.add_argument("--out", type=Path, help="output folder (default: results/sweeps/<sweep name>)")
    w.add_argument("--resume", action="store_true", help="finish an interrupted sweep in --out: run only the missing runs")
    w.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def _scenario(args):
    """Load the scenario and apply --set, --steps and --seed, each error naming where it came from."""
    sets = dict(parse_assignment(text, source=args.scenario) for text in args.set)
    scenario = load(args.scenario, sets)
    for flag, key in (("steps", "run.steps"), ("seed", "run.seed")):
        if getattr(args, flag) is not None:
            scenario = scenario.with_overrides({key: getattr(args, flag)}, source=f"{args.scenario} (--{flag})")
    return scenario


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
    scenario = _scenario(args)
    out = args.out or Path("results") / Path(args.scenario).stem
    _check_writable(out)
    from model import report, runner  # heavy imports only once the input is known good
    result = runner.run(scenario, progress=not args.quiet)
    written = report.write(result, out, scenario_file=str(args.scenario))
    if not args.quiet:
        print(report.headline_table(result))
        print(f"wrote {', '.join(p.name for p in written)} to {out}/")
    return 0


def cmd_keys(args) -> int:
    print("| key | default | allowed | meaning |")
    print("|---|---|---|---|")
    for key, default, allowed, meaning in key_reference():
        shown = f'"{default}"' if isinstance(default, str) else default
        print(f"| `{key}` | `{shown}` | {allowed} | {meaning} |")
    return 0


def cmd_validate(args) -> int:
    if args.seeds is not None and args.seeds < 2:
        raise UsageError(f"--seeds {args.seeds}: need at least 2 seeds for a standard error")
    if args.jobs is not None and args.jobs < 1:
        raise UsageError(f"--jobs {args.jobs}: need at least 1")
    _check_writable(args.out)
    from model import validation  # heavy imports only when validating

    if args.seeds is not None and args.seeds > validation.MAX_SEEDS:
        raise UsageError(f"--seeds {args.seeds}: at most {validation.MAX_SEEDS}")

    jobs = args.jobs or (1 if args.quick else min(2, os.cpu_count() or 1))
    command = "python run.py validate" + (" --quick" if args.quick else "") + (f" --seeds {args.seeds}" if args.seeds else "")

    def progress(result) -> None:
        if not args.quiet:
            print(f"{'PASS' if result.passed else 'FAIL'}  {result.title}  ({result.seconds:.1f} s)", flush=True)

    outcome = validation.validate(args.quick, seeds=args.seeds, jobs=jobs, progress=progress, command=command)
    try:
        validation.write(outcome, args.out)
    except OSError as error:
        raise UsageError(f"--out {args.out}: cannot write the report: {error.strerror or error}") from None
    if not args.quiet:
        passed = sum(r.passed for r in outcome.results)
        print(f"{passed} of {len(outcome.results)} checks pass; {outcome.wall_time:.1f} s; wrote {args.out}/validation.md")
    return 0 if outcome.passed else 1


def cmd_sweep(args) -> int:
    if args.jobs is not None and args.jobs < 1:
        raise UsageError(f"--jobs {args.jobs}: need at least 1")
    from model.sweep import analysis, design, execute  # heavy imports only when sweeping

    sweep = design.read(args.sweep)
    out = args.out or Path("results") / "sweeps" / Path(args.sweep).stem
    _check_writable(out)
    execute.prepare(sweep, out, args.resume)  # refuse a folder holding another sweep before anything runs
    jobs = args.jobs or min(2, os.cpu_count() or 1)
    with execute.executor(jobs, args.scheduler) as pool:
        done = execute.run_sweep(sweep, out, pool, resume=args.resume, progress=not args.quiet)
    written = analysis.analyse(sweep, out)
    if not args.quiet:
        print(f"{done.ran} of {done.total} runs made in {done.wall_time:.1f} s ({done.run_time / max(done.ran, 1):.2f} s a run)")
        print(f"wrote runs.csv, {', '.join(p.name for p in written)} to {out}/")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        if not argv:
            argv = ["run", str(BASELINE.relative_to(Path.cwd()) if BASELINE.is_relative_to(Path.cwd()) else BASELINE)]
        elif argv[0].endswith(".toml"):  # `run.py SCENARIO` means `run.py run SCENARIO`
            argv = ["run", *argv]
        args = _parser().parse_args(argv)
        if args.command == "keys":
            return cmd_keys(args)
        if args.command == "validate":
            return cmd_validate(args)
        if args.command == "sweep":
            return cmd_sweep(args)
        return cmd_run(args)
    except (ScenarioError, UsageError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
