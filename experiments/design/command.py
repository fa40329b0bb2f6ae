"""``python run.py design FILE``: search, check the Pareto set out of sample, write the results; ``--export N``."""

from __future__ import annotations

import os
import time
from pathlib import Path

from experiments.compare_command import SCHEDULER


def add_parser(sub) -> None:
    """The ``design`` subcommand's arguments (run.py stays thin)."""
    d = sub.add_parser("design", help="search the levers for the mixes that do best over the plausible worlds: pareto.csv, design.md")
    d.add_argument("design", help="design TOML file, e.g. scenarios/designs/least_cost.toml")
    d.add_argument("--quick", action="store_true", help="the small world of a quick run and the file's [quick] budget: minutes on 2 cores")
    d.add_argument("--jobs", type=int, help="worker processes (default: min(2, CPUs)); results do not depend on it")
    d.add_argument("--scheduler", help=SCHEDULER)
    d.add_argument("--out", type=Path, help="output folder (default: results/designs/<design name>[-quick])")
    d.add_argument("--resume", action="store_true", help="finish an interrupted search in --out: replay it, making only the missing runs")
    d.add_argument("--export", type=int, metavar="N", help="write mix N of --out's pareto.csv as a scenario file, mix-N.toml (runs nothing)")
    d.add_argument("--quiet", action="store_true", help="no progress bars and no answer: only where it wrote")


def main(args, check_writable) -> int:
    """Run the command; every input is checked before anything runs or is written."""
    import importlib.util

    from experiments.design import spec
    from experiments.design.search import DesignError

    if args.jobs is not None and args.jobs < 1:
        raise DesignError(f"--jobs {args.jobs}: need at least 1")
    design = spec.read(args.design, quick=args.quick)
    out = args.out or Path("results") / "designs" / (design.name + "-quick" * args.quick)
    command = f"python run.py design {args.design}" + " --quick" * args.quick + (f" --out {args.out}" if args.out else "")
    if args.export is not None:
        from experiments.design.export import export

        path = export(design, out, args.export, command)
        print(f"wrote {path}")
        return 0
    if importlib.util.find_spec("pymoo") is None:
        raise DesignError('design: the search needs the design extra: pip install -e ".[design]"')
    check_writable(out)
    from experiments.design import search

    search.prepare(design, out, args.resume)
    from experiments import interrupts

    interrupts.saved(f"the finished runs are in {out}/{search.EVALUATIONS}; continue with: {command} --out {out} --resume")
    jobs = args.jobs or min(2, os.cpu_count() or 1)
    text = write(design, out, jobs, args.scheduler, command, progress=not args.quiet)
    if not args.quiet:
        print(text)
    print(f"wrote pareto.csv, convergence.csv, pareto.png and design.md to {out}/")
    return 0


def write(design, out: Path, jobs: int, scheduler, command: str, progress: bool = True) -> str:
    """Search, check and write every file (all at once at the end); return the answer in words."""
    import importlib.metadata

    import pandas as pd

    from experiments import files, interrupts
    from experiments.design import report, search
    from experiments.sweep import execute

    start = time.perf_counter()
    with execute.executor(jobs, scheduler) as pool:
        found = search.run(design, out, pool, progress)
        members = report.ordered(design, search.front(design, list(found.candidates.values())))
        pareto = report.pareto_table(design, members)
        robustness = report.check(design, members, found, pool, progress)
    found.store.sort()
    mark = report.chosen(design, pareto, robustness)
    check_values = None
    if mark is not None and not robustness.empty:
        check_values = robustness.loc[robustness["mix"] == mark, "values"].iloc[0]
    boxes, worlds = report.failures(design, members[mark - 1], check_values) if mark is not None else (pd.DataFrame(), pd.DataFrame())
    versions = {**files.versions(), "pymoo": importlib.metadata.version("pymoo")}
    meta = {"command": command, "seconds": time.perf_counter() - start, "runs": found.store.ran,
            "versions": ", ".join(f"{k} {v}" for k, v in versions.items())}  # fmt: skip
    with interrupts.deferred(), files.staged_folder(out) as staging:
        pareto.to_csv(staging / report.PARETO, index=False)
        pd.DataFrame(search.convergence(design, found)).to_csv(staging / report.CONVERGENCE, index=False)
        if not robustness.empty:
            robustness.drop(columns=["values"]).to_csv(staging / report.ROBUSTNESS, index=False)
        if not worlds.empty:
            worlds.to_csv(staging / report.FAILURES, index=False)
        if not boxes.empty:
            boxes.to_csv(staging / "failure_boxes.csv", index=False)
        if not pareto.empty:
            report.parallel_coordinates(design, pareto, mark, staging / "pareto.png")
        (staging / "design.md").write_text(report.markdown(design, found, pareto, robustness, mark, boxes, worlds, meta), encoding="utf-8")
        interrupts.saved(f"the design's results are complete in {out}/")
    return report.answer(design, pareto, robustness, mark)
