"""The docs are tested like code (docs/development.md, "Docs that cannot drift").

* every ``python run.py ...`` command in a code block of README.md or docs/ parses, and the
  scenarios, sweep files, keys and checks it names exist; scripts it runs exist; Python blocks compile;
* a block marked ``<!-- output of: COMMAND -->`` is what COMMAND prints now;
* every table of measured numbers sits in a ``<!-- table NAME -->`` block of ``docs/tables.py``
  that names the commands that made it (a table of data, such as calibration targets, is marked
  ``<!-- data, not results -->``);
* every link and image points into the repository.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

import run as cli
from experiments import library

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(?P<lang>\w*)\n(?P<body>.*?)^```", re.S | re.M)
#: A synopsis, not a command: optional parts, "...", or an upper-case placeholder (SCENARIO, DIR, N, HEAD).
PLACEHOLDER = re.compile(r"\[|\.\.\.|(?<![a-z_])[A-Z][A-Z0-9_]*(?![a-z])")
OUTPUT_OF = re.compile(r"<!-- output of: (?P<command>[^>]*?) -->\n```\w*\n(?P<body>.*?)```", re.S)
BLOCK = re.compile(r"<!-- table (?P<name>[\w-]+) -->\n(?P<body>.*?)<!-- /table -->", re.S)
#: Marks the table below it as data (targets, sources), not results of the model.
NOT_RESULTS = "<!-- data, not results -->"
LINK = re.compile(r"!?\[[^\]]*\]\((?P<target>[^)\s]+)\)")


def rel(page: Path) -> str:
    return str(page.relative_to(ROOT))


def code_blocks(lang: str) -> list[tuple[Path, str]]:
    return [(page, m.group("body")) for page in PAGES for m in FENCE.finditer(page.read_text(encoding="utf-8")) if m.group("lang") == lang]


def shell_commands() -> list[tuple[str, list[str]]]:
    """(where, argv) of every command in the docs' bash blocks, continuation lines joined, comments dropped."""
    out = []
    for page, body in code_blocks("bash"):
        for line in body.replace("\\\n", " ").splitlines():
            for part in line.split("&&"):
                argv = shlex.split(part, comments=True)
                while argv and re.match(r"^\w+=", argv[0]):  # VAR=value before the command
                    argv = argv[1:]
                if argv:
                    out.append((f"{rel(page)}: {part.strip()}", argv))
    return out


def run_py_commands() -> list[tuple[str, list[str]]]:
    found = []
    for where, argv in shell_commands():
        if len(argv) > 1 and argv[0].endswith("python") and argv[1] == "run.py" and not any(PLACEHOLDER.search(a) for a in argv[2:]):
            found.append((where, argv[2:]))
    return found


COMMANDS = run_py_commands()


def test_the_docs_hold_commands_to_check():
    assert len(COMMANDS) >= 25
    assert any(argv[:1] == ["compare"] for _, argv in COMMANDS) and any(argv[:1] == ["sweep"] for _, argv in COMMANDS)


@pytest.mark.parametrize("where, argv", COMMANDS, ids=[w for w, _ in COMMANDS])
def test_every_run_py_command_in_the_docs_parses_and_names_what_exists(where, argv):
    if not argv:
        argv = ["run", "baseline"]
    elif argv[0].endswith(".toml"):
        argv = ["run", *argv]
    args = cli._parser().parse_args(argv)
    if args.command in ("run", "compare"):
        for name in [args.scenario] if args.command == "run" else args.scenarios:
            cli._scenario(args, library.resolve(name))  # the file, every --set key and value, the limits
    elif args.command == "sweep":
        from experiments.sweep import design

        design.read(args.sweep)
    elif args.command == "validate":
        from experiments import validation

        assert set(args.check or ()) <= set(validation.CHECKS), where


def test_every_script_the_docs_run_exists():
    scripts = [(w, argv[1]) for w, argv in shell_commands() if argv[0].endswith("python") and len(argv) > 1 and argv[1].endswith(".py")]
    assert scripts, "no script found"
    missing = [w for w, path in scripts if not PLACEHOLDER.search(path) and not (ROOT / path).is_file()]
    assert missing == []


@pytest.mark.parametrize("page, body", code_blocks("python"), ids=lambda x: rel(x) if isinstance(x, Path) else "")
def test_every_python_block_compiles(page, body):
    compile(body, rel(page), "exec")


OUTPUTS = [(page, m.group("command"), m.group("body")) for page in PAGES for m in OUTPUT_OF.finditer(page.read_text(encoding="utf-8"))]


def test_the_docs_show_printed_samples():
    assert {"python run.py list"} <= {command for _, command, _ in OUTPUTS}


@pytest.mark.parametrize("page, command, shown", OUTPUTS, ids=[f"{rel(p)}: {c}" for p, c, _ in OUTPUTS])
def test_a_printed_sample_is_what_the_command_prints_now(page, command, shown):
    argv = shlex.split(command)
    assert argv[:2] == ["python", "run.py"]
    done = subprocess.run([sys.executable, *argv[1:]], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert (done.stdout + done.stderr).strip() == shown.strip()


def tables(text: str):
    """(start offset, lines) of every Markdown table in ``text``."""
    lines = text.splitlines(keepends=True)
    i, starts = 0, [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    while i < len(lines):
        if lines[i].startswith("|") and i + 1 < len(lines) and re.match(r"^\|[\s:|-]+\|\s*$", lines[i + 1]):
            j = i + 2
            while j < len(lines) and lines[j].startswith("|"):
                j += 1
            yield starts[i], [line.rstrip("\n") for line in lines[i:j]]
            i = j
        else:
            i += 1


def measured(table: list[str]) -> bool:
    """A table of results: a quarter or more of its cells hold a number with decimals (outside code)."""
    cells = [c for row in table[2:] for c in row.strip("|").split("|")]
    numeric = [c for c in cells if re.search(r"(?<![\w.`])\d[\d,]*\.\d+", re.sub(r"`[^`]*`", "", c))]
    return bool(cells) and len(numeric) >= len(cells) / 4


def test_every_table_of_results_names_the_command_that_made_it():
    sys.path.insert(0, str(ROOT / "docs"))
    import tables as generator  # docs/tables.py

    loose, unknown = [], []
    for page in PAGES:
        if page.name == "keys.md":  # what `python run.py keys` prints; test_scenario.py compares them
            continue
        text = page.read_text(encoding="utf-8")
        blocks = [(m.start(), m.end(), m.group("name"), m.group("body")) for m in BLOCK.finditer(text)]
        for name, body in ((b[2], b[3]) for b in blocks):
            table = generator.BY_NAME.get(name)
            if table is None or generator.page_path(table.page) != page or not body.startswith("Made by `"):
                unknown.append(f"{rel(page)}: {name}")
        for start, table in tables(text):
            data = text[:start].rstrip().endswith(NOT_RESULTS)  # e.g. calibration targets: data, not model output
            if measured(table) and not data and not any(a <= start < b for a, b, _, _ in blocks):
                loose.append(f"{rel(page)}: {table[0][:60]}")
    assert unknown == [], "blocks that docs/tables.py does not make, or that do not name their command"
    assert loose == [], "tables of results outside a <!-- table NAME --> block"


def test_every_command_of_the_table_generator_parses():
    sys.path.insert(0, str(ROOT / "docs"))
    import tables as generator

    for table in generator.TABLES:
        for command in table.commands:
            argv = shlex.split(command)
            if argv[1] == "run.py":
                cli._parser().parse_args(argv[2:])
            elif argv[1] == "-m":  # a module of the project, run as python -m
                assert (ROOT / (argv[2].replace(".", "/") + ".py")).is_file(), command
            else:
                assert (ROOT / argv[1]).is_file(), command


@pytest.mark.parametrize("page", PAGES, ids=rel)
def test_every_link_points_into_the_repository(page):
    broken = []
    for m in LINK.finditer(page.read_text(encoding="utf-8")):
        target = m.group("target")
        if re.match(r"^(https?:|mailto:|#)", target):
            continue
        path = (page.parent / target.split("#")[0]).resolve()
        if not path.is_relative_to(ROOT) or not path.exists():
            broken.append(target)
    assert broken == []


def test_the_readme_is_a_front_door_that_links_every_page():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert text.count("\n") <= 300
    linked = {Path(m.group("target").split("#")[0]).name for m in LINK.finditer(text)}
    assert {p.name for p in (ROOT / "docs").glob("*.md")} <= linked


def test_the_odd_names_every_scenario_key_as_the_schema_does():
    from model.scenario import key_reference

    text = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8").split("### 7.19", 1)[1].split("\n### ", 1)[0]
    rows = [re.match(r"^\|\s*`([^`]+)`\s*\|\s*`([^`]*)`\s*\|\s*(.*?)\s*\|\s*(.*?)\s*\|", line) for line in text.splitlines()]
    odd = [(m.group(1), m.group(3), m.group(4)) for m in rows if m]
    assert odd == [(key, allowed, meaning) for key, _, allowed, meaning in key_reference()]
