#!/usr/bin/env python3
"""Command line: run scenarios and write their results.

    python run.py                                   # scenarios/baseline.toml -> results/baseline/
    python run.py run SCENARIO [--steps N] [--seed S] [--set section.key=value ...] [--out DIR]
    python run.py keys                              # every scenario key, its default and range

Bad input exits with status 2 and one line on stderr; nothing is written.
"""

from __future__ import annotations

import argparse
import os
import sys
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
    return parser


def _overrides(args) -> dict:
    overrides = dict(parse_assignment(text) for text in args.set)
    if args.steps is not None:
        overrides["run.steps"] = args.steps
    if args.seed is not None:
        overrides["run.seed"] = args.seed
    return overrides


def _check_writable(out: Path) -> None:
    """Refuse an output folder that cannot be made, before anything runs."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: exists and is not a folder; give a folder path")
    existing = out
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK):
        raise UsageError(f"--out {out}: cannot create a folder under {existing}")


def cmd_run(args) -> int:
    from model import report, runner  # heavy imports only when running

    scenario = load(args.scenario, _overrides(args))
    out = args.out or Path("results") / Path(args.scenario).stem
    _check_writable(out)
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
        return cmd_run(args)
    except (ScenarioError, UsageError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
