"""Fuzzed bad input (hypothesis): scenario files, --set values, sweep files and checkpoint folders.

Whatever the input, the command exits with status 2 and one line on stderr, no traceback,
and nothing is written or overwritten. The inputs include very large numbers, NaN and inf
spelled in TOML, non-UTF-8 bytes, deeply nested tables, wrong types and keys in the wrong
section. Each example runs ``run.main`` in-process; an input the schema and the practical
limits accept would start a run, so the generators keep to input that is refused (checked
by loading it first: a crash there fails the test too).
"""

from __future__ import annotations

import functools
import hashlib
import tempfile
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import run as cli
from model import checkpoint
from experiments import limits
from model.ecosystem import ContentEcosystem
from model.scenario import SECTIONS, Scenario, ScenarioError, key_reference, load, parse_assignment

KEYS = [key for key, *_ in key_reference()]
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
TINY = {"run.steps": 4, "world.dim": 2, "world.archive_items": 200, "humans.count": 20, "ai.models": 1, "ai.train_size": 100, "ai.retrain_every": 2, "run.rarefy": 20}

# Values spelled as TOML: NaN and inf, numbers past every limit, wrong types.
TOML_SPECIALS = ["nan", "+nan", "-nan", "inf", "+inf", "-inf", "1e400", "-1e400", "1e308", "-1", "-1.5", "0", "1e-400"]
TOML_BIG = [str(10**k) for k in (10, 19, 30, 100)] + ["9223372036854775807", "-9223372036854775808"]
TOML_WRONG_TYPES = ['"text"', "''", "true", "false", "[1, 2]", "[]", "{a = 1}", "1979-05-27", "07:32:00", "1979-05-27T07:32:00Z", '"\\u00e9"']
toml_values = st.one_of(
    st.sampled_from(TOML_SPECIALS + TOML_BIG + TOML_WRONG_TYPES),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(lambda x: repr(x).replace("inf", "inf").replace("nan", "nan")),
)


def snapshot(root: Path) -> dict[str, str]:
    """Every file under ``root`` with a hash of its bytes, and every folder."""
    out = {}
    for p in sorted(root.rglob("*")):
        out[str(p.relative_to(root))] = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
    return out


def refused(capsys, argv: list[str], root: Path, status: int = 2) -> str:
    before = snapshot(root)
    assert cli.main(argv) == status
    captured = capsys.readouterr()
    err = captured.err
    assert err.count("\n") == 1 and err.startswith("error: "), err[:500]
    assert "Traceback" not in err and captured.out == ""
    assert snapshot(root) == before  # nothing written or overwritten
    return err


def is_refused(path: Path, overrides: dict | None = None) -> bool:
    """The oracle: True when the scenario layer refuses this input (a crash here fails the test)."""
    try:
        limits.check(load(path, overrides), str(path))
    except ScenarioError:
        return True
    return False


def run_argv(scenario: Path, root: Path, *extra: str) -> list[str]:
    return ["run", str(scenario), "--out", str(root / "out"), "--quiet", *extra]


# -- scenario files ---------------------------------------------------------------------------


@st.composite
def bad_documents(draw) -> str:
    """A TOML document with one bad value, a misplaced key, an unknown section or deep nesting."""
    kind = draw(st.sampled_from(["value", "wrong_section", "unknown_section", "deep_table", "deep_inline", "deep_array"]))
    if kind == "value":
        key = draw(st.sampled_from(KEYS))
        section, name = key.split(".")
        return f"[{section}]\n{name} = {draw(toml_values)}\n"
    if kind == "wrong_section":
        key = draw(st.sampled_from(KEYS))
        section, name = key.split(".")
        other = draw(st.sampled_from([s for s in SECTIONS if s != section]))
        assume(f"{other}.{name}" not in KEYS)
        return f"[{other}]\n{name} = 1\n"
    if kind == "unknown_section":
        name = draw(st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12))
        assume(name not in SECTIONS)
        return f"[{name}]\nx = 1\n"
    depth = draw(st.integers(2, 5000))
    if kind == "deep_table":
        return "[" + ".".join(["run"] * min(depth, 500)) + "]\nx = 1\n"
    if kind == "deep_inline":
        return "run = " + "{a = " * depth + "1" + "}" * depth + "\n"
    return "[run]\nsteps = " + "[" * depth + "]" * depth + "\n"


@FUZZ
@given(document=bad_documents())
def test_bad_scenario_documents(capsys, document):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        path = root / "bad.toml"
        path.write_text(document)
        assume(is_refused(path))
        err = refused(capsys, run_argv(path, root), root)
        assert str(path) in err


@FUZZ
@given(blob=st.binary(max_size=400))
def test_random_bytes_as_a_scenario_file(capsys, blob):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        path = root / "bytes.toml"
        path.write_bytes(blob)
        assume(is_refused(path))
        refused(capsys, run_argv(path, root), root)


@FUZZ
@given(prefix=st.text(max_size=40), tail=st.binary(min_size=1, max_size=20).filter(lambda b: not _utf8(b)))
def test_non_utf8_scenario_file(capsys, prefix, tail):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        path = root / "latin.toml"
        path.write_bytes(prefix.encode() + tail)
        err = refused(capsys, run_argv(path, root), root)
        assert "cannot read" in err


def _utf8(b: bytes) -> bool:
    try:
        b.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@FUZZ
@given(data=st.recursive(st.one_of(st.integers(), st.floats(), st.text(max_size=5), st.booleans()),
                         lambda children: st.dictionaries(st.text(min_size=1, max_size=6), children, max_size=3), max_leaves=12))
def test_random_tables(capsys, data):
    assume(isinstance(data, dict))
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        path = root / "tables.toml"
        path.write_text(tomli_w.dumps(data))
        assume(is_refused(path))
        refused(capsys, run_argv(path, root), root)


# -- --set values and flags -----------------------------------------------------------------------


@FUZZ
@given(key=st.one_of(st.sampled_from(KEYS), st.text(max_size=20)), value=st.one_of(toml_values, st.text(max_size=30)))
def test_bad_set_values(capsys, key, value):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        path = root / "tiny.toml"
        path.write_text(Scenario().with_overrides(TINY).to_toml())
        text = f"{key}={value}"
        try:
            assignment = dict([parse_assignment(text, source=str(path))])
            assume(is_refused(path, assignment))
        except ScenarioError:
            pass
        refused(capsys, run_argv(path, root, "--set", text), root)


@FUZZ
@given(flag=st.sampled_from(["--steps", "--seed"]), value=st.one_of(st.text(max_size=12), st.integers(max_value=-1).map(str), st.just(str(10**30))))
def test_bad_steps_and_seed(capsys, flag, value):
    assume(not value.startswith("-") or value[1:].isdigit())  # argparse reads "-x" as a flag
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        path = root / "tiny.toml"
        path.write_text(Scenario().with_overrides(TINY).to_toml())
        try:
            number = int(value)
        except ValueError:
            number = None
        assume(number is None or number < 0 or number > 10_000)
        refused(capsys, run_argv(path, root, flag, value), root)


# -- checkpoint folders -----------------------------------------------------------------------------


@functools.cache
def _checkpoint_bytes() -> bytes:
    model = ContentEcosystem(Scenario().with_overrides(TINY), seed=1)
    model.step()
    with tempfile.TemporaryDirectory() as folder:
        return checkpoint.save(model, Path(folder)).read_bytes()


@st.composite
def damaged(draw) -> bytes:
    data = bytearray(_checkpoint_bytes())
    kind = draw(st.sampled_from(["flip", "truncate", "garbage", "splice", "random"]))
    if kind == "flip":
        for _ in range(draw(st.integers(1, 8))):
            i = draw(st.integers(0, len(data) - 1))
            data[i] ^= draw(st.integers(1, 255))
    elif kind == "truncate":
        del data[draw(st.integers(0, len(data) - 1)) :]
    elif kind == "garbage":
        data += draw(st.binary(min_size=1, max_size=64))
    elif kind == "splice":
        i = draw(st.integers(0, len(data) - 1))
        data[i:i] = draw(st.binary(min_size=1, max_size=64))
    else:
        data = bytearray(draw(st.binary(max_size=2000)))
    assume(bytes(data) != _checkpoint_bytes())
    return bytes(data)


@FUZZ
@given(blob=damaged())
def test_damaged_checkpoints(capsys, blob):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        partial = root / ".out.partial"
        partial.mkdir()
        (partial / checkpoint.FILENAME).write_bytes(blob)
        before = snapshot(root)
        status = cli.main(["resume", str(root / "out"), "--quiet"])
        captured = capsys.readouterr()
        if status == 0:
            # The damage touched only what no reader checks (a zip header's timestamp): the run resumes exactly.
            expected = ContentEcosystem(Scenario().with_overrides(TINY), seed=1)
            while expected.running:
                expected.step()
            assert (root / "out" / "timeseries.csv").read_text() == expected.timeseries().to_csv(index=False)
            return
        assert status == 2
        assert captured.err.count("\n") == 1 and captured.err.startswith("error: ") and "Traceback" not in captured.err
        assert snapshot(root) == before


@FUZZ
@given(name=st.text(min_size=1, max_size=30).filter(lambda s: "\x00" not in s and "/" not in s))
def test_missing_or_odd_checkpoint_paths(capsys, name):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        refused(capsys, ["resume", str(root / name), "--quiet"], root)


# -- sweep files (once the sweep command is merged) --------------------------------------------------


def _has_command(name: str) -> bool:
    parser = cli._parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return name in sub.choices


@pytest.mark.skipif(not _has_command("sweep"), reason="the sweep command is not on this branch")
@FUZZ
@given(blob=st.one_of(st.binary(max_size=300).filter(lambda b: not _utf8(b)),
                      bad_documents().filter(lambda d: "deep" in d or "nan" in d),
                      st.integers(2, 3000).map(lambda n: "x = " + "[" * n + "]" * n)))
def test_bad_sweep_files(capsys, blob):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        path = root / "sweep.toml"
        path.write_bytes(blob if isinstance(blob, bytes) else blob.encode())
        refused(capsys, ["sweep", str(path), "--out", str(root / "out"), "--quiet"], root)


# -- practical limits -------------------------------------------------------------------------------


def test_shipped_scenarios_are_inside_the_limits():
    root = Path(__file__).resolve().parent.parent
    files = sorted([*root.glob("scenarios/**/*.toml"), *root.glob("benchmarks/*.toml")])
    assert len(files) > 10
    for path in files:
        try:
            scenario = load(path)
        except ScenarioError:
            continue  # not a scenario (a sweep file): the sweep command checks its own
        limits.check(scenario, str(path))


@pytest.mark.parametrize("dotted", sorted(limits.CEILINGS))
def test_every_ceiling_is_enforced_in_one_line(dotted, tmp_path, capsys):
    ceiling = limits.CEILINGS[dotted]
    value = ceiling * 2 if isinstance(ceiling, float) else ceiling + 1
    path = tmp_path / "big.toml"
    path.write_text(Scenario().with_overrides(TINY).to_toml())
    err = refused(capsys, run_argv(path, tmp_path, "--set", f"{dotted}={value!r}"), tmp_path)
    assert f"{dotted} = " in err and "too large" in err
