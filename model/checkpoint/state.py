"""The state of a model as a JSON tree plus named numpy arrays, and the model rebuilt from them.

The walk is generic (every attribute of the model and of the objects it holds); see the
package's docstring for what may appear in the tree and why loading runs no code of the file.
"""

from __future__ import annotations

import functools
import importlib
import itertools
import math
import re
from typing import Any

import mesa
import networkx as nx
import numpy as np
from pydantic import BaseModel

from model.scenario import SECTIONS, Scenario

_CLASS = re.compile(r"^(model|agents)(\.[A-Za-z_][A-Za-z0-9_]*)+:[A-Za-z_][A-Za-z0-9_]*$")


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
        node = {"t": "datacollector", "rows": rows, "collection_steps": self.encode(steps, where)}
        records = [r for step in dc._agent_records.values() for r in step]
        if records:  # agent data: a column each (step, AgentID, then the reporters), numbers as arrays
            node["agent_columns"] = [self.column(list(c), where) for c in zip(*records)]
        return node

    def column(self, values: list, where: str):
        for kind in (float, int):
            if all(type(v) is kind for v in values):
                return {"t": "array", "a": self.array(np.array(values, dtype=kind))}
        return [self.encode(v, where) for v in values]


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
        columns = [self.decode(c) for c in node.get("agent_columns", [])]
        for record in zip(*(c.tolist() if isinstance(c, np.ndarray) else c for c in columns)):
            dc._agent_records.setdefault(record[0], []).append(record)
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
