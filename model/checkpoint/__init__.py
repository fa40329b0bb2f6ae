"""Checkpoints: the whole state of a run as numpy arrays and JSON, saved and restored exactly.

A checkpoint is one file, ``checkpoint.npz``: every array of the model's state, plus one
``uint8`` array holding a JSON manifest (format, project version, step, the resolved
scenario as TOML, the scenario file name, the tree of the state, and a SHA-256 of it all).
It is written to a temporary file and moved into place, so a checkpoint on disk is always
whole.

Loading executes nothing from the file. The arrays are read with ``allow_pickle=False`` (an
object array is refused); the tree is plain JSON whose nodes name only values, arrays, the
scenario's sections, the model's agents, and classes of this project's own ``model`` and
``agents`` packages, which are built with ``cls.__new__`` and their attributes set: no
``__init__`` of the model runs, so restoring consumes no random draw.

The state is walked generically (every attribute of the model and of the objects it
holds), so a new attribute is saved without editing this module; a value of a type it
does not know (a function, an open file) stops the save with a message naming it.
Mesa's own attributes are restored through Mesa: the steps and time, the generator's
bit-generator state, the DataCollector's rows, and the agents, re-registered in order.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import re
import tempfile
from pathlib import Path

import numpy as np

from model.checkpoint.state import restore, state_of
from model.scenario import Scenario, ScenarioError, validate

FORMAT = "content-ecosystem checkpoint"
FORMAT_VERSION = 1
FILENAME = "checkpoint.npz"
_MANIFEST = "__manifest__"


class CheckpointError(ValueError):
    """A checkpoint that cannot be used; ``str(error)`` is one line for users."""


def project_version() -> str:
    """The installed project's version (what a checkpoint must match)."""
    try:
        return importlib.metadata.version("content-ecosystem")
    except importlib.metadata.PackageNotFoundError:
        text = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
        found = re.search(r'^version\s*=\s*"([^"]+)"', text, re.M)
        return found.group(1) if found else "unknown"


def partial_dir(out: Path) -> Path:
    """Where a run writing to ``out`` keeps its checkpoint: ``.NAME.partial/`` beside ``out``."""
    out = Path(out)
    return out.parent / f".{out.name}.partial"


def find(path: Path) -> Path:
    """The checkpoint file for ``path``: the file itself, a folder holding it, or a run's output folder."""
    path = Path(path)
    for candidate in (path, path / FILENAME, partial_dir(path) / FILENAME):
        if candidate.is_file():
            return candidate
    raise CheckpointError(f"{path}: no checkpoint here (looked for {path / FILENAME} and {partial_dir(path) / FILENAME})")


# -- files -----------------------------------------------------------------------------------


def _digest(header: dict, tree: dict, arrays: dict[str, np.ndarray]) -> str:
    h = hashlib.sha256()
    h.update(json.dumps([header, tree], sort_keys=True, allow_nan=False).encode())
    for name in sorted(arrays):
        a = arrays[name]
        h.update(f"{name}:{a.dtype.str}:{a.shape}".encode())
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def save(model, path: Path, meta: dict | None = None) -> Path:
    """Write ``model``'s state to ``path`` (a file, or a folder that gets ``checkpoint.npz``), atomically.

    ``meta`` is JSON kept with it for whoever resumes (the CLI: the scenario file and the run's label).
    """
    path = Path(path)
    if path.suffix != ".npz":
        path = path / FILENAME
    path.parent.mkdir(parents=True, exist_ok=True)
    tree, arrays = state_of(model)
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "project_version": project_version(),
        "step": int(model.steps),
        "scenario": model.config.to_toml(),
        "meta": dict(meta or {}),
    }
    manifest = {"header": header, "state": tree, "sha256": _digest(header, tree, arrays)}
    blob = np.frombuffer(json.dumps(manifest, allow_nan=False).encode(), np.uint8)
    fd, tmp = tempfile.mkstemp(prefix=".checkpoint-", suffix=".npz", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **{_MANIFEST: blob}, **arrays)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


class Checkpoint:
    """A loaded checkpoint: the model and what the manifest says about it."""

    def __init__(self, path: Path, model, header: dict, scenario: Scenario):
        self.path = path
        self.model = model
        self.step = int(header["step"])
        self.scenario = scenario
        self.meta = header.get("meta") if isinstance(header.get("meta"), dict) else {}
        self.scenario_file = self.meta.get("scenario_file")


def load(path: Path) -> Checkpoint:
    """Read and verify a checkpoint and rebuild its model; refuses with :class:`CheckpointError`."""
    path = find(path)
    try:
        with np.load(path, allow_pickle=False) as npz:
            names = list(npz.files)
            if _MANIFEST not in names:
                raise CheckpointError(f"{path}: not a checkpoint of this project (no manifest)")
            arrays = {n: npz[n] for n in names if n != _MANIFEST}
            manifest = json.loads(npz[_MANIFEST].tobytes().decode("utf-8"))
    except CheckpointError:
        raise
    except ValueError as error:
        if "allow_pickle" in str(error) or "Object arrays" in str(error):
            raise CheckpointError(f"{path}: refused: holds Python objects (pickle), which a checkpoint never does") from None
        raise CheckpointError(f"{path}: damaged checkpoint ({_short(error)}); run the scenario again") from None
    except Exception as error:  # noqa: BLE001 - numpy parsing damaged bytes raises many kinds (TokenError, EOFError, ...)
        raise CheckpointError(f"{path}: damaged checkpoint ({_short(error)}); run the scenario again") from None
    try:
        header, tree, digest = manifest["header"], manifest["state"], manifest["sha256"]
        if header.get("format") != FORMAT:
            raise CheckpointError(f"{path}: not a checkpoint of this project")
        if header.get("format_version") != FORMAT_VERSION or header.get("project_version") != project_version():
            raise CheckpointError(
                f"{path}: written by version {header.get('project_version')} (format {header.get('format_version')}), "
                f"this is {project_version()} (format {FORMAT_VERSION}); run the scenario again"
            )
        if digest != _digest(header, tree, arrays):
            raise CheckpointError(f"{path}: damaged checkpoint (checksum mismatch); run the scenario again")
        scenario = _scenario(header["scenario"], path)
        model = restore(tree, arrays, scenario)
    except CheckpointError:
        raise
    except Exception as error:  # noqa: BLE001 - whatever a malformed tree trips over, it is refused, not run
        raise CheckpointError(f"{path}: damaged checkpoint ({_short(error)}); run the scenario again") from None
    if int(model.steps) != int(header["step"]):
        raise CheckpointError(f"{path}: damaged checkpoint (step mismatch); run the scenario again")
    return Checkpoint(path, model, header, scenario)


def _scenario(text: str, path: Path) -> Scenario:
    import tomllib

    try:
        return validate(tomllib.loads(text), f"{path} (scenario)")
    except (tomllib.TOMLDecodeError, ScenarioError) as error:
        raise CheckpointError(f"{path}: its scenario is not valid here: {_short(error)}") from None


def _short(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def discard(folder: Path) -> None:
    """Remove a run's checkpoint folder once its results are written."""
    folder = Path(folder)
    (folder / FILENAME).unlink(missing_ok=True)
    for tmp in folder.glob(".checkpoint-*.npz"):
        tmp.unlink(missing_ok=True)
    try:
        folder.rmdir()
    except OSError:
        pass  # something else lives there: leave it


__all__ = ["Checkpoint", "CheckpointError", "FILENAME", "discard", "find", "load", "partial_dir", "project_version", "save", "state_of"]
