"""What a finished sweep shows: Sobol indices (SALib), outcome-against-lever figures, tipping boxes (PRIM).

Every function reads ``runs.csv`` as written by :mod:`experiments.sweep.execute`, so the
analysis of a resumed or a distributed sweep is the same as that of one run in one go.
"""

from __future__ import annotations

import inspect
import logging
import warnings
from contextlib import contextmanager
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from experiments.files import staged_folder  # noqa: E402
from experiments.sweep.design import Sweep  # noqa: E402
from experiments.sweep.execute import RUNS, cell  # noqa: E402

SENSITIVITY = "sensitivity.csv"
TIPPING = "tipping.csv"
TRAJECTORY = "tipping_trajectory.csv"


def read_runs(sweep: Sweep, out: Path) -> pd.DataFrame:
    """runs.csv with every number exactly as written (Python's float() reads a repr back to the same double)."""
    table = pd.read_csv(Path(out) / RUNS, dtype=str, keep_default_na=False)
    kinds = {"point": int, "replicate": int, "seed": int} | {p.key: {"int": int, "float": float, "posterior": float}.get(p.kind, str) for p in sweep.parameters}
    for column in table.columns:
        table[column] = table[column].map(kinds.get(column, float))
    return table


def point_means(sweep: Sweep, runs: pd.DataFrame) -> pd.DataFrame:
    """One row per point in design order: each outcome's mean over the replicates."""
    names = [o.name for o in sweep.outcomes]
    return runs.groupby("point", sort=True)[names].mean()


def sobol_indices(sweep: Sweep, runs: pd.DataFrame) -> pd.DataFrame:
    """First-order and total Sobol indices with 95% bootstrap confidence intervals, per outcome and parameter.

    The outcome of a point is its mean over replicates; the bootstrap is seeded by the sweep's seed.
    """
    from SALib.analyze import sobol

    means = point_means(sweep, runs)
    expected = len(means.index)
    if list(means.index) != list(range(expected)):
        raise ValueError("runs.csv lacks some points of the design; resume the sweep first")
    rows = []
    for outcome in sweep.outcomes:
        y = means[outcome.name].to_numpy(float)
        if not np.all(np.isfinite(y)) or np.ptp(y) == 0:
            # SALib divides by the variance: a constant or undefined outcome has no indices.
            result = {k: np.full(len(sweep.parameters), np.nan) for k in ("S1", "S1_conf", "ST", "ST_conf")}
        else:
            result = sobol.analyze(sweep.problem, y, calc_second_order=False, conf_level=0.95, seed=sweep.seed)
        for j, p in enumerate(sweep.parameters):
            rows.append(
                {
                    "outcome": outcome.name,
                    "parameter": p.key,
                    "S1": float(result["S1"][j]),
                    "S1_conf": float(result["S1_conf"][j]),
                    "ST": float(result["ST"][j]),
                    "ST_conf": float(result["ST_conf"][j]),
                }
            )
    return pd.DataFrame(rows)


def plot_sobol(indices: pd.DataFrame, path: Path) -> None:
    """Bars of S1 and ST with their confidence intervals, one panel per outcome."""
    outcomes = list(dict.fromkeys(indices["outcome"]))
    fig, axes = plt.subplots(len(outcomes), 1, figsize=(8, 2.2 + 1.8 * len(outcomes)), squeeze=False)
    for ax, name in zip(axes[:, 0], outcomes):
        part = indices[indices["outcome"] == name]
        x = np.arange(len(part))
        ax.bar(x - 0.2, part["S1"], 0.4, yerr=part["S1_conf"], capsize=3, label="first order S1", color="#9ecae1")
        ax.bar(x + 0.2, part["ST"], 0.4, yerr=part["ST_conf"], capsize=3, label="total ST", color="#08519c")
        ax.set_xticks(x, part["parameter"], rotation=15, fontsize=8)
        ax.axhline(0, color="grey", lw=0.8)
        ax.set(ylabel="Sobol index", title=name)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_outcome(sweep: Sweep, runs: pd.DataFrame, outcome: str, path: Path) -> None:
    """One panel per parameter: each point's mean over seeds, with a bar spanning its seeds' range (the seed band)."""
    by_point = runs.groupby("point")
    means, lows, highs = by_point[outcome].mean(), by_point[outcome].min(), by_point[outcome].max()
    values = by_point[sweep.keys].first()
    n = len(sweep.parameters)
    cols = min(n, 3)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.4 * rows), squeeze=False)
    for ax, p in zip(axes.flat, sweep.parameters):
        x = values[p.key]
        if p.kind == "values":  # categories at 0, 1, ... with a little jitter so points do not hide each other
            labels = [cell(v) for v in p.values]  # as runs.csv writes them
            codes = x.map({label: i for i, label in enumerate(labels)}).to_numpy(float)
            x = codes + np.linspace(-0.15, 0.15, len(codes)) if len(codes) > 1 else codes
            ax.set_xticks(range(len(labels)), labels)
        ax.vlines(x, lows, highs, color="#fdae6b", lw=1.2, alpha=0.8, label="range over seeds")
        ax.plot(x, means, "o", ms=3.5, color="#d94801", label="mean over seeds")
        ax.set(xlabel=p.key, ylabel=outcome)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=7)
    fig.suptitle(f"{outcome} against each parameter ({sweep.seeds} seed{'s' if sweep.seeds > 1 else ''} per point)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _prim(x: pd.DataFrame, y: np.ndarray, density: float):
    """EMA Workbench's PRIM; version 3.0 dropped the ``threshold`` argument that 2.5 requires."""
    with warnings.catch_warnings():  # 2.5 warns at import that ipyparallel, which PRIM does not use, is missing
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim

    logging.getLogger("EMA").setLevel(logging.WARNING)
    kwargs = {"threshold": density} if "threshold" in inspect.signature(prim.Prim).parameters else {}
    with _quiet():
        return prim.Prim(x, y, **kwargs)


@contextmanager
def _quiet():
    """Silence the workbench's own pandas deprecation warnings, which are not the user's concern."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        yield


def tipping_boxes(sweep: Sweep, runs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """PRIM boxes in the lever space where the tipping outcome falls below its threshold.

    From each box PRIM peels, the reported one is the box on its peeling trajectory with the
    largest coverage among those whose density (share of tipped runs inside) reaches
    ``tipping.density``. Returns (boxes: one row per box and restricted parameter, trajectories).
    """
    tip = sweep.tipping
    x = runs[sweep.keys].copy()
    for p in sweep.parameters:
        # Categories as text; integers as floats, since PRIM's pasting writes fractional limits into
        # integer columns, which pandas 3 refuses.
        x[p.key] = x[p.key].astype(str) if p.kind == "values" else x[p.key].astype(float)
    y = (runs[tip.outcome].to_numpy(float) < tip.below).astype(int)
    empty = pd.DataFrame(columns=["box", "coverage", "density", "mass", "parameter", "lower", "upper", "values"])
    if y.sum() == 0:
        return empty, pd.DataFrame()
    finder = _prim(x, y, tip.density)
    boxes, trajectories = [], []
    for number in range(1, tip.boxes + 1):
        with _quiet():
            box = finder.find_box()
        if box is None:
            break
        trajectory = box.peeling_trajectory.copy()
        trajectory.insert(0, "box", number)
        trajectories.append(trajectory)
        good = trajectory[trajectory["density"] >= tip.density]
        if good.empty:
            break
        i = int(good.sort_values(["coverage", "res_dim"], ascending=[False, True]).index[0])
        box.select(i)
        stats = trajectory.loc[i]
        limits = box.box_lim
        initial = finder.box_init
        for p in sweep.parameters:
            lo, hi = limits[p.key].iloc[0], limits[p.key].iloc[1]
            if p.kind == "values":
                kept = sorted(lo) if isinstance(lo, set) else lo
                if set(kept) == set(initial[p.key].iloc[0]):
                    continue
                row = {"lower": "", "upper": "", "values": " ".join(map(str, kept))}
            else:
                if lo == initial[p.key].iloc[0] and hi == initial[p.key].iloc[1]:
                    continue
                row = {"lower": float(lo), "upper": float(hi), "values": ""}
            boxes.append({"box": number, "coverage": float(stats["coverage"]), "density": float(stats["density"]),
                          "mass": float(stats["mass"]), "parameter": p.key, **row})
        if int(stats["res_dim"]) == 0:
            boxes.append({"box": number, "coverage": float(stats["coverage"]), "density": float(stats["density"]),
                          "mass": float(stats["mass"]), "parameter": "(whole space)", "lower": "", "upper": "", "values": ""})
            break
    return (pd.DataFrame(boxes) if boxes else empty), (pd.concat(trajectories, ignore_index=True) if trajectories else pd.DataFrame())


def analyse(sweep: Sweep, out: Path) -> list[Path]:
    """Write the sweep's analysis files into ``out`` (all or nothing) and return their paths."""
    out = Path(out)
    runs = read_runs(sweep, out)
    with staged_folder(out) as staging:
        if sweep.design == "sobol":
            indices = sobol_indices(sweep, runs)
            indices.to_csv(staging / SENSITIVITY, index=False)
            plot_sobol(indices, staging / "sobol.png")
        for outcome in sweep.outcomes:
            plot_outcome(sweep, runs, outcome.name, staging / f"outcome_{outcome.name}.png")
        if sweep.tipping is not None:
            boxes, trajectory = tipping_boxes(sweep, runs)
            boxes.to_csv(staging / TIPPING, index=False)
            trajectory.to_csv(staging / TRAJECTORY, index=False)
        names = sorted(f.name for f in staging.iterdir())
    return [out / name for name in names]
