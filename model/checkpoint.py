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

import functools
import hashlib
import importlib
import importlib.metadata
import itertools
import json
import math
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import mesa
import networkx as nx
import numpy as np
from pydantic import BaseModel

from model.scenario import SECTIONS, Scenario, ScenarioError, validate

FORMAT = "content-ecosystem checkpoint"
FORMAT_VERSION = 1
FILENAME = "checkpoint.npz"
_MANIFEST = "__manifest__"
_CLASS = re.compile(r"^(model|agents)(\.[A-Za-z_][A-Za-z0-9_]*)+:[A-Za-z_][A-Za-z0-9_]*$")


class CheckpointError(ValueError):
    """A checkpoint that cannot be used; ``str(error)`` is one line for users."""


def project_version() -> str:
    """The installed project's version (what a checkpoint must match)."""
    try:
        return importlib.metadata.version("content-ecosystem")
    except importlib.metadata.PackageNotFoundError:
        text = (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text()
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


# -- walking the state ---------------------------------------------------------------------


@functools.cache
def _mesa_model_attrs() -> frozenset[str]:
    """Attributes Mesa's ``Model.__init__`` sets: Mesa restores them, not the walk."""
    bare = object.__new__(mesa.Model)
    mesa.Model.__init__(bare, rng=np.random.default_rng(0))
    return frozenset(vars(bare))


@functools.cache
def _mesa_agent_attrs() -> frozenset[str]:
    bare_model = object.__new__(mesa.Model)
    mesa.Model.__init__(bare_model, rng=np.random.default_rng(0))
    return frozenset(vars(mesa.Agent(bare_model)))


class _Encoder:
    """Turns a state into a JSON tree plus named arrays."""

    def __init__(self, model):
        self.model = model
        self.arrays: dict[str, np.ndarray] = {}
        self.agents = {id(a): i for i, a in enumerate(model.agents)}
        self.memo: dict[int, int] = {}
        self.keep: list[Any] = []  # keeps memoized objects alive so ids stay unique

    def array(self, a: np.ndarray) -> str:
        if a.dtype.hasobject:
            raise TypeError(f"object array of shape {a.shape}")
        name = f"a{len(self.arrays)}"
        self.arrays[name] = np.ascontiguousarray(a)
        return name

    def encode(self, v, where: str):
        if v is None or isinstance(v, bool | str):
            return v
        if isinstance(v, int) and not isinstance(v, bool):
            return v
        if isinstance(v, float):
            return v if math.isfinite(v) else {"t": "float", "v": repr(v)}
        if isinstance(v, np.ndarray):
            return {"t": "array", "a": self.array(v)}
        if isinstance(v, np.generic):
            return {"t": "np", "dtype": v.dtype.str, "v": self.encode(v.item(), where)}
        if isinstance(v, list):
            if len(v) > 1 and all(isinstance(x, np.ndarray) and x.dtype == v[0].dtype and x.shape == v[0].shape for x in v):
                return {"t": "stack", "a": self.array(np.stack(v))}
            return [self.encode(x, f"{where}[{i}]") for i, x in enumerate(v)]
        if isinstance(v, tuple):
            return {"t": "tuple", "v": [self.encode(x, f"{where}[{i}]") for i, x in enumerate(v)]}
        if isinstance(v, dict):
            return {"t": "dict", "v": [[self.encode(k, where), self.encode(x, f"{where}[{k!r}]")] for k, x in v.items()]}
        if isinstance(v, set | frozenset):
            return {"t": "set", "v": [self.encode(x, where) for x in sorted(v)]}
        if v is self.model:
            return {"t": "model"}
        if isinstance(v, mesa.Agent):
            if id(v) not in self.agents:
                raise TypeError("an agent that is not registered with the model")
            return {"t": "agent", "i": self.agents[id(v)]}
        if isinstance(v, Scenario):
            return {"t": "scenario"}
        if isinstance(v, BaseModel):
            for section in SECTIONS:
                if v == getattr(self.model.config, section):
                    return {"t": "config", "section": section}
            raise TypeError(f"a {type(v).__name__} that is not a section of the model's scenario")
        if isinstance(v, nx.Graph):
            nodes = np.array(list(v.nodes), dtype=np.int64)
            edges = np.array(list(v.edges), dtype=np.int64).reshape(-1, 2)
            return {"t": "graph", "nodes": self.array(nodes), "edges": self.array(edges)}
        if isinstance(v, np.random.Generator):
            return {"t": "rng", "state": self.encode(v.bit_generator.state, where)}
        if isinstance(v, mesa.DataCollector):
            return self.datacollector(v, where)
        return self.obj(v, where)

    def obj(self, v, where: str, skip: frozenset[str] = frozenset()):
        cls = type(v)
        module = cls.__module__
        name = f"{module}:{cls.__qualname__}"
        if not _CLASS.match(name) or not hasattr(v, "__dict__"):
            raise TypeError(f"a {cls.__module__}.{cls.__qualname__}, which a checkpoint cannot hold")
        if id(v) in self.memo:
            return {"t": "ref", "i": self.memo[id(v)]}
        self.memo[id(v)] = len(self.memo)
        self.keep.append(v)
        attrs = {k: self.encode(x, f"{where}.{k}") for k, x in vars(v).items() if k not in skip}
        return {"t": "obj", "cls": name, "id": self.memo[id(v)], "v": attrs}

    def datacollector(self, dc, where: str):
        rows = {k: [self.encode(x, where) for x in values] for k, values in dc.model_vars.items()}
        steps = getattr(dc, "_collection_steps", None)
        return {"t": "datacollector", "rows": rows, "collection_steps": self.encode(steps, where)}


def state_of(model) -> tuple[dict, dict[str, np.ndarray]]:
    """The model's whole state: a JSON-able tree and the arrays it names."""
    enc = _Encoder(model)
    try:
        agents = []
        for agent in model.agents:
            node = enc.obj(agent, f"agent {agent.unique_id}", skip=_mesa_agent_attrs())
            node["uid"] = enc.encode(agent.unique_id, "uid")
            agents.append(node)
        own = enc.obj(model, "model", skip=_mesa_model_attrs())
    except TypeError as error:
        raise TypeError(f"cannot checkpoint this model: {error}") from None
    mesa_state = {
        "steps": int(model.steps),
        "time": float(getattr(model, "time", model.steps)),
        "running": bool(model.running),
        "rng": enc.encode(model.rng.bit_generator.state, "rng"),
        "random": enc.encode(model.random.getstate(), "random") if hasattr(model, "random") else None,
        "agent_id_counter": getattr(model, "agent_id_counter", None),
    }
    return {"mesa": mesa_state, "agents": agents, "model": own}, enc.arrays


class _Decoder:
    def __init__(self, arrays, scenario: Scenario, model):
        self.arrays = arrays
        self.scenario = scenario
        self.model = model
        self.agents: list = []
        self.memo: dict[int, Any] = {}

    def array(self, name) -> np.ndarray:
        if not isinstance(name, str) or name not in self.arrays:
            raise ValueError(f"names a missing array {name!r}")
        return self.arrays[name]

    def decode(self, v):
        if v is None or isinstance(v, bool | int | float | str):
            return v
        if isinstance(v, list):
            return [self.decode(x) for x in v]
        if not isinstance(v, dict):
            raise ValueError(f"unexpected node {type(v).__name__}")
        t = v.get("t")
        if t == "float":
            if v["v"] not in ("nan", "inf", "-inf"):
                raise ValueError("bad float")
            return float(v["v"])
        if t == "array":
            return self.array(v["a"]).copy()
        if t == "np":
            return np.dtype(v["dtype"]).type(self.decode(v["v"]))
        if t == "stack":
            return [row.copy() for row in self.array(v["a"])]
        if t == "tuple":
            return tuple(self.decode(x) for x in v["v"])
        if t == "dict":
            return {self.decode(k): self.decode(x) for k, x in v["v"]}
        if t == "set":
            return {self.decode(x) for x in v["v"]}
        if t == "model":
            return self.model
        if t == "agent":
            return self.agents[v["i"]]
        if t == "scenario":
            return self.scenario
        if t == "config":
            if v["section"] not in SECTIONS:
                raise ValueError(f"unknown section {v['section']!r}")
            return getattr(self.scenario, v["section"])
        if t == "graph":
            g = nx.Graph()
            g.add_nodes_from(self.array(v["nodes"]).tolist())
            g.add_edges_from(self.array(v["edges"]).tolist())
            return g
        if t == "rng":
            rng = np.random.default_rng(0)
            rng.bit_generator.state = self.decode(v["state"])
            return rng
        if t == "ref":
            return self.memo[v["i"]]
        if t == "obj":
            obj = _new(v["cls"])
            self.memo[v["id"]] = obj
            self.fill(obj, v)
            return obj
        if t == "datacollector":
            raise ValueError("a DataCollector outside the model")
        raise ValueError(f"unknown node type {t!r}")

    def fill(self, obj, node: dict) -> None:
        for k, x in node["v"].items():
            if isinstance(x, dict) and x.get("t") == "datacollector":
                object.__setattr__(obj, k, self.datacollector(x))
            else:
                object.__setattr__(obj, k, self.decode(x))  # a frozen dataclass too

    def datacollector(self, node):
        dc = self.model._new_datacollector()
        for k, values in node["rows"].items():
            if k not in dc.model_vars:
                raise ValueError(f"a DataCollector column {k!r} this model does not collect")
            dc.model_vars[k] = [self.decode(x) for x in values]
        steps = self.decode(node["collection_steps"])
        if steps is not None and hasattr(dc, "_collection_steps"):
            dc._collection_steps = steps
        return dc


def _new(name: str):
    """An empty instance of a class of this project named ``module:Class``; nothing of it runs."""
    if not isinstance(name, str) or not _CLASS.match(name):
        raise ValueError(f"names a class outside the project: {name!r}")
    module_name, qualname = name.split(":")
    cls = getattr(importlib.import_module(module_name), qualname, None)
    if not isinstance(cls, type) or cls.__module__ != module_name:
        raise ValueError(f"names an unknown class {name!r}")
    return cls.__new__(cls)


def restore(tree: dict, arrays: dict[str, np.ndarray], scenario: Scenario):
    """Rebuild a model from :func:`state_of`'s output."""
    node = tree["model"]
    model = _new(node["cls"])
    if not isinstance(model, mesa.Model):
        raise ValueError("the state is not a model")
    mesa.Model.__init__(model, rng=np.random.default_rng(0))
    dec = _Decoder(arrays, scenario, model)
    # Agents first (registered in their original order), then everything that refers to them.
    for a in tree["agents"]:
        agent = _new(a["cls"])
        if not isinstance(agent, mesa.Agent):
            raise ValueError("an agent that is not a Mesa agent")
        mesa.Agent.__init__(agent, model)
        agent.unique_id = dec.decode(a["uid"])
        dec.memo[a["id"]] = agent
        dec.agents.append(agent)
    for a, agent in zip(tree["agents"], dec.agents):
        dec.fill(agent, a)
    dec.memo[node["id"]] = model
    dec.fill(model, node)

    m = tree["mesa"]
    model.steps = int(m["steps"])
    model.running = bool(m["running"])
    schedule = getattr(model, "_default_schedule", None)
    if schedule is not None:  # Mesa >= 3.4: time is event-based; the next step is due one unit after now
        schedule.pause()
        model.time = float(m["time"])
        schedule.resume()
    if m.get("agent_id_counter") is not None and hasattr(model, "agent_id_counter"):
        model.agent_id_counter = int(m["agent_id_counter"])
    elif hasattr(mesa.Agent, "_ids"):  # Mesa 3.3 numbers agents from a per-model counter
        uids = [a.unique_id for a in dec.agents if isinstance(a.unique_id, int)]
        mesa.Agent._ids[model] = itertools.count(max(uids, default=0) + 1)
    if m.get("random") is not None and hasattr(model, "random"):
        model.random.setstate(_as_tuples(dec.decode(m["random"])))
    model.rng.bit_generator.state = dec.decode(m["rng"])
    return model


def _as_tuples(v):
    return tuple(_as_tuples(x) for x in v) if isinstance(v, list | tuple) else v


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
