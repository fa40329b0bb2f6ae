"""How often, not only how much: in how many worlds each scenario beats each other, and how often each ranks first.

A world is a seed, or a posterior draw with a seed; every scenario runs in the same worlds (common random
numbers), so two scenarios are compared world by world. Pure functions of a comparison's ``runs`` frame.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import pandas as pd

from experiments.comparison import BETTER, HEADLINE, LAST, headline, per_seed
from experiments.wording import listing, ordinal, plural, rank_words, worlds_noun


def _last_table(runs: pd.DataFrame, metric: str, last: int) -> pd.DataFrame:
    """Per world (rows) and scenario (columns): ``metric`` averaged over the last ``last`` steps, times its better way."""
    return per_seed(runs, metric, last)["last"] * BETTER.get(metric, 1)


def pairwise(runs: pd.DataFrame, metrics: Sequence[str] | None = None, last: int = LAST) -> pd.DataFrame:
    """For every ordered pair of scenarios and every metric, the share of worlds in which the first does
    better than the second (higher, or lower where lower is better, :data:`BETTER`), on the metric's mean
    over the last ``last`` steps; a tie is not better. ``worlds`` counts the worlds where both measured it
    (each world the same seed, or draw and seed, for both: common random numbers).

    Columns ``scenario_a, scenario_b, metric, share_a_better, worlds``.
    """
    metrics = headline(runs.columns) if metrics is None else list(metrics)
    rows = []
    for metric in metrics:
        table = _last_table(runs, metric, last)
        for a in table.columns:
            for b in table.columns:
                if a == b:
                    continue
                both = table[[a, b]].dropna()
                share = float((both[a] > both[b]).mean()) if len(both) else float("nan")
                rows.append((a, b, metric, share, len(both)))
    return pd.DataFrame(rows, columns=["scenario_a", "scenario_b", "metric", "share_a_better", "worlds"])


def ranks(runs: pd.DataFrame, metrics: Sequence[str] | None = None, last: int = LAST) -> pd.DataFrame:
    """For every scenario and metric, the share of worlds in which it ranks 1st, 2nd, ... among the scenarios
    (1st: the best, :data:`BETTER`) on the metric's mean over the last ``last`` steps.

    Only worlds where every scenario measured the metric are ranked; tied scenarios share the better rank
    (two equal firsts are both 1st, and no one is 2nd), so a scenario's shares add up to 1.
    Columns ``scenario, metric, worlds, rank_1 ... rank_N`` (N scenarios).
    """
    metrics = headline(runs.columns) if metrics is None else list(metrics)
    names = list(dict.fromkeys(runs["scenario"]))
    columns = ["scenario", "metric", "worlds", *(f"rank_{k}" for k in range(1, len(names) + 1))]
    rows = []
    for metric in metrics:
        table = _last_table(runs, metric, last).dropna()
        order = table.rank(axis=1, ascending=False, method="min")
        for name in names:
            shares = [float((order[name] == k).mean()) if len(table) else float("nan") for k in range(1, len(names) + 1)]
            rows.append((name, metric, len(table), *shares))
    return pd.DataFrame(rows, columns=columns)


# -- in the brief ---------------------------------------------------------------------------------


def words(rank: pd.DataFrame, metric: str, shown: Mapping[str, str], draws: bool) -> str:
    """``Ranking first in 8 of 10 plausible worlds and third in 2; ...``: every scenario's ranks on ``metric`` (HTML)."""
    said = [f"{html.escape(shown[r['scenario']])} ranks {rank_words(r, draws)}" for _, r in rank[rank["metric"] == metric].iterrows()]
    return "; ".join(w for w in said if w)


def most_often_first(rank: pd.DataFrame, metric: str, shown: Mapping[str, str], draws: bool) -> str:
    """``Ranking ranks first in 8 of 10 plausible worlds and third in 2``: the scenario most often first on ``metric``,
    with its other ranks; where several are first equally often, all of them (HTML)."""
    ranked = rank[rank["metric"] == metric].sort_values("rank_1", ascending=False, kind="stable")
    top, tied = ranked.iloc[0], ranked[ranked["rank_1"] == ranked["rank_1"].iloc[0]]
    if len(tied) == 1:
        return f"{html.escape(shown[top['scenario']])} ranks {rank_words(top, draws)}"
    one, many = worlds_noun(draws)
    names = [html.escape(shown[n]) for n in tied["scenario"]]
    return f"{listing(names)} each rank first in {round(top['rank_1'] * top['worlds'])} of {plural(int(top['worlds']), one, many)}"


def tables(runs: pd.DataFrame, metrics: Sequence[str], last: int, shown: Mapping[str, str], draws: bool) -> list[str]:
    """HTML blocks for the brief: per metric, how many worlds each scenario ranks first, second, ... in; for the
    originality index and the human share, how many worlds each does better than each other in."""
    names = list(shown)
    if len(names) < 2 or not metrics:
        return []
    rank, pairs = ranks(runs, metrics, last), pairwise(runs, metrics, last)
    one, many = worlds_noun(draws)
    out = [
        "<h2>How often each comes out ahead</h2>",
        f"<p>In each {one}, the scenarios are put in order on each metric (its mean over the last {last} months; first is the best: the "
        "highest, or the lowest where lower is better). Each cell counts the worlds in which the scenario took that rank; tied "
        "scenarios share the better rank. Below, for the originality index and the human share, the number of worlds in which the "
        "row's scenario did better than the column's. The same shares are in <code>rank.csv</code> and <code>pairwise.csv</code>.</p>",
    ]
    for metric in metrics:
        rows = rank[rank["metric"] == metric]
        head = "".join(f"<th>{ordinal(k)}</th>" for k in range(1, len(names) + 1))
        body = "".join(
            f"<tr><th>{html.escape(shown[r['scenario']])}</th>"
            + "".join(f"<td>{round(r[f'rank_{k}'] * r['worlds']) or ''}</td>" for k in range(1, len(names) + 1)) + "</tr>"
            for _, r in rows.iterrows()
        )
        label = HEADLINE[metric][0].upper() + HEADLINE[metric][1:]
        out.append(f"<h3>{html.escape(label)}: ranks in {plural(int(rows['worlds'].iloc[0]), one, many)}</h3>"
                   f"<table><tr><th>scenario</th>{head}</tr>{body}</table>")
        if metric in ("originality_index", "human_share_new"):
            p = pairs[pairs["metric"] == metric].set_index(["scenario_a", "scenario_b"])

            def cell(a: str, b: str) -> str:
                return "<td>–</td>" if a == b else f"<td>{round(p.loc[(a, b), 'share_a_better'] * p.loc[(a, b), 'worlds'])} of {p.loc[(a, b), 'worlds']}</td>"

            head = "".join(f"<th>than {html.escape(shown[b])}</th>" for b in names)
            body = "".join(f"<tr><th>{html.escape(shown[a])} did better</th>{''.join(cell(a, b) for b in names)}</tr>" for a in names)
            out.append(f"<table><tr><th></th>{head}</tr>{body}</table>")
    return out
