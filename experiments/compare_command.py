"""``python run.py compare``'s arguments, and the ``--scheduler`` every long command takes (run.py stays thin)."""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

from model.scenario import ScenarioError

SCHEDULER = "a Dask scheduler, tcp://host:port, or 'local' for a Dask LocalCluster (default: a local process pool)"


def check_scheduler(args) -> None:
    """``--scheduler`` needs Dask, which is the explore extra: say so before anything is written."""
    if getattr(args, "scheduler", None) and importlib.util.find_spec("distributed") is None:
        raise ScenarioError(f'--scheduler {args.scheduler}: Dask is not installed; it is the explore extra: pip install -e ".[explore]"')


def draws(text: str) -> int | str:
    """``--posterior``: a number of draws, or ``all``."""
    if text == "all":
        return text
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid value {text!r}: allowed: a number of draws N >= 0, or all") from None


def add_parser(sub, default_seeds: int) -> None:
    """The ``compare`` subcommand and its arguments."""
    c = sub.add_parser("compare", help="run scenarios on common seeds; write runs.csv, summary.csv, figures and report.html")
    c.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="scenario names or TOML files; the first is the reference")
    c.add_argument("--seeds", type=int, default=None, help=f"seeds 1..N for every scenario (default {default_seeds})")
    c.add_argument("--steps", type=int, help="override run.steps in every scenario")
    c.add_argument("--jobs", type=int, help="worker processes (default: min(2, CPUs)); results do not depend on it")
    c.add_argument("--scheduler", help=SCHEDULER)
    c.add_argument("--resume", action="store_true", help="finish an interrupted comparison in --out: run only the missing runs")
    c.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE", help="override a key in every scenario (repeatable)")
    c.add_argument("--posterior", type=draws, metavar="N", help="run over N posterior draws x the seeds, or 'all' the draws (0: the "
                   "scenarios' own values; default: each seed in its own posterior draw, when a posterior ships)")
    c.add_argument("--posterior-file", type=Path, metavar="CSV", help="the posterior (default: scenarios/posterior/baseline.csv)")
    c.add_argument("--out", type=Path, help="output folder (default: results/compare--<scenarios>[--<each override>])")
    c.add_argument("--quiet", action="store_true", help="no progress bar and no table: only where it wrote")
