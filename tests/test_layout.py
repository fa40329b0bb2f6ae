"""The layers of the house (docs/development.md), read from the source with ast.

The simulation (model/, agents/) imports no plotting, progress, server, sweep or inference
library and no project module outside itself; the project's modules import each other without
a cycle; no source file is longer than MAX_LINES.
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("model", "agents", "experiments", "viz")
CORE = ("model", "agents")
#: What the simulation never imports: it runs headless, alone, with the core dependencies only.
FORBIDDEN = {"matplotlib", "tqdm", "solara", "ipyvuetify", "dask", "distributed", "SALib", "ema_workbench", "pyabc", "sbi", "torch", "elfi"}
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


SOURCES = {module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}
SOURCES.update({"run": ROOT / "run.py", "app": ROOT / "app.py"})
TOPS = {name.split(".")[0] for name in SOURCES}


def imported(path: Path) -> set[str]:
    """Every dotted name an import in ``path`` refers to (relative imports resolved)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # from . import x: relative to the module's package
                package = module_name(path).split(".")
                if path.name != "__init__.py":
                    package = package[:-1]
                package = package[: len(package) - node.level + 1]
                base = ".".join([*package, base] if base else package)
            names.add(base)
            names.update(f"{base}.{a.name}" for a in node.names)
    return names


def project_module(name: str, own: str) -> str | None:
    """The longest project module ``name`` names (a module's own submodules excluded)."""
    parts = name.split(".")
    for k in range(len(parts), 0, -1):
        candidate = ".".join(parts[:k])
        if candidate in SOURCES:
            return None if candidate == own or candidate.startswith(own + ".") else candidate
    return None


def test_the_simulation_is_headless_and_imports_nothing_of_the_layers_above():
    bad = []
    for name, path in SOURCES.items():
        if name.split(".")[0] not in CORE:
            continue
        for dotted in imported(path):
            top = dotted.split(".")[0]
            if top in FORBIDDEN or (top in TOPS and top not in CORE):
                bad.append(f"{path.relative_to(ROOT)} imports {dotted}")
    assert bad == []


def test_no_import_cycle_among_the_projects_modules():
    graph = {name: {m for d in imported(path) if (m := project_module(d, name))} for name, path in SOURCES.items()}
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as error:
        pytest.fail(f"import cycle: {' -> '.join(error.args[1])}")


def test_no_source_file_is_longer_than_the_limit():
    files = [*SOURCES.values(), *(ROOT / "benchmarks").glob("*.py"), *(ROOT / "scenarios").rglob("*.py"), *(ROOT / "docs").glob("*.py")]
    long = [f"{p.relative_to(ROOT)} ({n})" for p in files if (n := p.read_text(encoding="utf-8").count("\n")) > MAX_LINES]
    assert long == []


def test_the_checks_see_the_whole_tree():
    assert {"model.ecosystem", "agents.human_creator", "experiments.compare", "viz.model", "run", "app"} <= set(SOURCES)
    assert "model.checkpoint" in SOURCES and "experiments.validation.checks" in SOURCES
