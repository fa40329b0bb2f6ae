"""What a design writes: the Pareto set, the search's convergence, the out-of-sample check, PRIM, a figure, words.

Pure functions of a finished search, except :func:`check`, which runs the Pareto set in worlds the
search never used.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

from experiments.design.search import Candidate, Search, front, key
from experiments.design.spec import Design

PARETO = "pareto.csv"
CONVERGENCE = "convergence.csv"
ROBUSTNESS = "robustness.csv"
FAILURES = "failures.csv"


def ordered(design: Design, members: list[Candidate]) -> list[Candidate]:
    """The Pareto set from best to worst on the chosen objective, ties by lever values: a fixed order."""
    chosen = next(o for o in design.objectives if o.name == design.choose)
    return sorted(members, key=lambda c: (chosen.loss(c.objectives[chosen.name]), key(c.mix)))


def pareto_table(design: Design, members: list[Candidate]) -> pd.DataFrame:
    """One row per non-dominated mix: ``mix`` (1, 2, ...), ``lever.KEY``, ``max.NAME``/``min.NAME``, ``met.NAME`` (share of worlds)."""
    rows = []
    for n, c in enumerate(members, start=1):
        row = {"mix": n, **{f"lever.{k}": v for k, v in c.mix.items()}}
        row.update({o.column: c.objectives[o.name] for o in design.objectives})
        row.update({f"met.{k}": v for k, v in c.met.items()})
        rows.append(row)
    columns = ["mix", *(f"lever.{p.key}" for p in design.levers), *(o.column for o in design.objectives),
               *(f"met.{c.name}" for c in design.constraints)]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def check(design: Design, members: list[Candidate], search: Search, pool, progress: bool = True) -> pd.DataFrame:
    """Each Pareto mix in the check's worlds: its objectives (``check.max.NAME``), shares met (``check.met.NAME``), ``robust``."""
    from experiments.files import progress_bar

    if not design.check_worlds or not members:
        return pd.DataFrame()
    with progress_bar(progress, total=len(members) * len(design.check_worlds), unit="run", desc="check") as bar:
        values = search.store.evaluate([c.mix for c in members], design.check_worlds, pool, bar)
    rows = []
    for n, (c, v) in enumerate(zip(members, values), start=1):
        again = _judge(design, c.mix, v)
        row = {"mix": n, **{f"check.{o.column}": again.objectives[o.name] for o in design.objectives}}
        row.update({f"check.met.{k}": s for k, s in again.met.items()})
        rows.append({**row, "robust": again.feasible(design), "values": v})
    return pd.DataFrame(rows)


def _judge(design, mix, values):
    from experiments.design.search import judge

    return judge(design, mix, values)


def chosen(design: Design, pareto: pd.DataFrame, robustness: pd.DataFrame) -> int | None:
    """The mix (its number) the words report: the best on ``choose`` among those robust out of sample, else among all."""
    if pareto.empty:
        return None
    robust = set(robustness.loc[robustness["robust"], "mix"]) if not robustness.empty else set()
    candidates = [m for m in pareto["mix"] if m in robust] or list(pareto["mix"])
    return int(candidates[0])  # the table is ordered best first on the chosen objective


def failures(design: Design, candidate: Candidate, check_values: np.ndarray | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """PRIM (EMA Workbench, as the sweep's tipping points) on the worlds where ``candidate`` misses a constraint.

    A world's parameters are its posterior draw's columns (whatever keys the posterior holds) that the worlds set;
    it fails where the smallest constraint margin is below 0. Returns (boxes, the worlds with their margins).
    """
    from experiments.calibration import posterior
    from experiments.sweep.analysis import tipping_boxes
    from experiments.sweep.design import Parameter, Tipping

    if not design.constraints:
        return pd.DataFrame(), pd.DataFrame()
    frame = posterior.read(design.posterior)
    keys = [k for k, _ in design.worlds[0].values]  # the posterior's keys the worlds set (not levers, not keys the base sets itself)
    worlds = list(design.worlds) + (list(design.check_worlds) if check_values is not None else [])
    values = candidate.values if check_values is None else np.concatenate([candidate.values, check_values], axis=1)
    index = {o.name: i for i, o in enumerate(design.outcomes)}
    margin = np.min([c.margin(values[index[c.outcome]]) for c in design.constraints], axis=0)
    table = frame.iloc[[w.draw for w in worlds]][keys].reset_index(drop=True)
    table.insert(0, "seed", [w.seed for w in worlds])
    table.insert(0, "draw", [w.draw for w in worlds])
    table["margin"] = margin
    if not (margin < 0).any() or (margin < 0).all():
        return pd.DataFrame(), table
    stand_in = SimpleNamespace(tipping=Tipping("margin", 0.0, 0.8, 2), keys=keys, parameters=[Parameter(k, "float") for k in keys])
    boxes, _ = tipping_boxes(stand_in, table)
    return boxes, table


def parallel_coordinates(design: Design, pareto: pd.DataFrame, mark: int | None, path: Path) -> None:
    """The Pareto set's trade-offs: one line per mix across its levers and objectives, each axis from its least to its most."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    columns = [c for c in pareto.columns if c.startswith(("lever.", "max.", "min."))]
    fig, ax = plt.subplots(figsize=(1.6 * len(columns) + 1, 4.8))
    data, names = pareto[columns].copy(), {}
    for c in columns:  # categories as their position in the lever's values
        p = next((p for p in design.levers if f"lever.{p.key}" == c and p.kind == "values"), None)
        if p is not None:
            data[c] = [p.values.index(v) for v in data[c]]
            names[c] = p.values
    lows, highs = data.min().astype(float), data.max().astype(float)
    scaled = (data.astype(float) - lows) / (highs - lows).replace(0, 1)
    flipped = [c for c in columns if c.startswith("min.")]
    scaled[flipped] = 1 - scaled[flipped]  # up is better on every objective
    choose = next(o for o in design.objectives if o.name == design.choose).column
    colours = plt.cm.viridis(np.linspace(0, 1, max(len(pareto), 1)))
    x = np.arange(len(columns))
    for i, (_, row) in enumerate(scaled.iterrows()):
        best = mark is not None and int(pareto["mix"].iloc[i]) == mark
        ax.plot(x, row.to_numpy(float), color="black" if best else colours[i], lw=3 if best else 1.2, alpha=1 if best else 0.75, zorder=3 if best else 2)
    for i, c in enumerate(columns):
        ax.axvline(i, color="0.6", lw=0.8)
        low, high = (names[c][int(lows[c])], names[c][int(highs[c])]) if c in names else (f"{lows[c]:.3g}", f"{highs[c]:.3g}")
        bottom, top = (high, low) if c in flipped else (low, high)
        ax.text(i, -0.06, bottom, ha="center", va="top", fontsize=8)
        ax.text(i, 1.04, top, ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, [c.replace(".", ".\n", 1) for c in columns], fontsize=8)
    ax.set_yticks([])
    ax.set_ylim(-0.15, 1.15)
    reported = f"; black: mix {mark}, the one reported" if mark is not None else ""
    ax.set_title(f"{design.name}: {len(pareto)} non-dominated mixes; up is better on every objective (colour: best to worst on {choose}{reported})",
                 fontsize=10)  # fmt: skip
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def table(frame: pd.DataFrame) -> str:
    """A DataFrame as a Markdown table, numbers to four significant figures."""

    def text(v) -> str:
        if isinstance(v, bool | np.bool_):
            return "yes" if v else "no"
        return f"{v:.4g}" if isinstance(v, float | np.floating) else str(v)

    lines = ["| " + " | ".join(f"`{c}`" for c in frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    return "\n".join(lines + ["| " + " | ".join(text(v) for v in row) + " |" for row in frame.itertuples(index=False)])


def docs_table(folder: Path) -> str:
    """The Pareto set of a finished design with each mix's out-of-sample shares, for docs/design.md (docs/tables.py)."""
    pareto = pd.read_csv(Path(folder) / PARETO).merge(pd.read_csv(Path(folder) / ROBUSTNESS), on="mix", how="left")
    levers = [c for c in pareto.columns if c.startswith("lever.")]
    scores = [c for c in pareto.columns if c.startswith(("max.", "min."))]
    met = [c for c in pareto.columns if c.startswith("met.")]
    head = ["mix", *(f"`{c.removeprefix('lever.')}`" for c in levers), *scores, *(f"{c} (out of sample)" for c in met), "robust"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for _, r in pareto.iterrows():
        cells = [str(r["mix"]), *(f"{r[c]:.3g}" if isinstance(r[c], float) else str(r[c]) for c in levers), *(f"{r[c]:.3g}" for c in scores),
                 *(f"{r[c]:.0%} ({r['check.' + c]:.0%})" for c in met), "yes" if r["robust"] else "no"]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _share_text(share: float) -> str:
    return f"{round(share * 10)} of 10" if abs(share * 10 - round(share * 10)) < 1e-9 else f"{share:.0%} of"


def answer(design: Design, pareto: pd.DataFrame, robustness: pd.DataFrame, mark: int | None) -> str:
    """The result in one paragraph: the mix reported, what it costs (or achieves), and whether it holds out of sample."""
    if mark is None:
        wanted = "; ".join(c.text() for c in design.constraints) or "the constraints"
        return f"No mix the search tried keeps {wanted}: the constraints are out of reach of these levers in these worlds."
    row = pareto[pareto["mix"] == mark].iloc[0]
    o = next(o for o in design.objectives if o.name == design.choose)
    keeps = " and ".join(f"{c.metric} {'above' if c.kind == 'at_least' else 'below'} {c.bound:g} in {_share_text(c.share)} "
                         f"plausible worlds" for c in design.constraints) or "every constraint"  # fmt: skip
    levers = ", ".join(f"`{k.removeprefix('lever.')} = {row[k]:.4g}`" if isinstance(row[k], float) else f"`{k.removeprefix('lever.')} = {row[k]}`"
                       for k in pareto.columns if k.startswith("lever."))  # fmt: skip
    value = float(row[o.column])
    if o.metric == "policy_payments":
        attention = design.base.platform.attention * max(design.base.humans.count, 1)
        what = f"costs {value:.3g} a month ({o.statistic} over worlds; {value / attention:.1%} of the audience's attention)"
        head = f"The least costly mix that keeps {keeps} {what}"
    else:
        head = f"The mix with the {'least' if o.direction == 'min' else 'most'} {o.name} ({o.statistic} of {o.metric} over worlds: {value:.3g}) that keeps {keeps}"
    text = f"{head}: mix {mark}, {levers}."
    if not robustness.empty:
        r = robustness[robustness["mix"] == mark].iloc[0]
        shares = ", ".join(f"{c.name} in {r[f'check.met.{c.name}']:.0%}" for c in design.constraints)
        verdict = "meets every constraint" if r["robust"] else "misses a constraint"
        text += (f" Out of sample ({len(design.check_worlds)} worlds: posterior draws and seeds the search never used) it {verdict}: "
                 f"{shares} of those worlds; {int(robustness['robust'].sum())} of the {len(robustness)} Pareto mixes meet every constraint there.")  # fmt: skip
    return text


def markdown(design: Design, search: Search, pareto: pd.DataFrame, robustness: pd.DataFrame, mark: int | None,
             boxes: pd.DataFrame, worlds: pd.DataFrame, meta: dict) -> str:  # fmt: skip
    """design.md: the question, the answer in words, the Pareto set, the check, where the reported mix fails."""
    draws = sorted({w.draw for w in design.worlds})
    lines = [
        f"# Design: {design.name}{' (quick)' if design.quick else ''}", "",
        f"Made by `{meta['command']}` in {meta['seconds']:.0f} s ({meta['runs']} runs made by this call); {meta['versions']}.", "",
        "## The answer", "", answer(design, pareto, robustness, mark), "",
        "## The search", "",
        f"{design.algorithm.upper()} (pymoo), {design.generations} generations of {design.population} candidate mixes, seed {design.seed}: "
        f"{len(search.candidates)} distinct mixes, each run in the same {len(design.worlds)} plausible worlds (posterior draws "
        f"{draws[0]}–{draws[-1]} x {len({w.seed for w in design.worlds})} seeds). Objectives (over the worlds, each a metric's mean over "
        "its last steps): " + "; ".join(f"{o.direction} {o.name} = {o.statistic} of {o.metric} (last {o.last})" for o in design.objectives) + ". "
        "Constraints: " + ("; ".join(c.text() for c in design.constraints) or "none") + ".", "",
        f"Non-dominated mixes that meet the constraints: {len(pareto)} (`{PARETO}`, figure `pareto.png`); "
        f"convergence per generation in `{CONVERGENCE}`.", "",
    ]  # fmt: skip
    if not pareto.empty:
        lines += [table(pareto), ""]
    if not robustness.empty:
        shown = robustness.drop(columns=["values"])
        lines += ["## Out of sample", "", f"The Pareto set again in {len(design.check_worlds)} worlds the search never used (`{ROBUSTNESS}`):", "",
                  table(shown), ""]  # fmt: skip
    if mark is not None and not worlds.empty:
        failed = int((worlds["margin"] < 0).sum())
        how = f"misses a constraint in {failed} of the {len(worlds)} worlds" if failed else f"meets every constraint in all {len(worlds)} worlds"
        lines += ["## Where the reported mix fails", "", f"Mix {mark} {how} it ran in, searched and checked "
                  f"(`{FAILURES}`: each world's posterior draw and its smallest margin to a bound)."]  # fmt: skip
        if not boxes.empty:
            lines += ["PRIM (EMA Workbench) boxes of the posterior's keys that hold those worlds:", "", table(boxes)]
        elif failed:
            lines += ["PRIM found no box of density 0.8 or more: the failures are not confined to a region of the posterior."]
        lines.append("")
    return "\n".join(lines)
