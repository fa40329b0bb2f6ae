"""The brief: one self-contained HTML page a policy maker can read (``report.html``).

It states the question, the scenarios and what each changes, a plain-language reading of
the results written from the numbers (each level and effect with its range over the worlds, and
how often each policy comes out ahead), the tables, the figures (embedded as base64 data URIs)
and the caveats. No external links, stylesheets or scripts:
the file opens with no network.
"""

from __future__ import annotations

import base64
import html
import math
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from experiments import how_often
from experiments.comparison import HEADLINE, MIN_WORLDS, PARTS, Comparison, originality_sources
from experiments.files import seeds_text, versions
from experiments.library import display_name, overrides_text
from experiments.wording import between, change, clearly, markdown, number, plural, rank_words, too_few, worlds_noun  # noqa: F401 (markdown: for docs/tables.py)

QUESTION = (
    "AI models are trained on a scrape of the web, and more and more of the web is written by AI models. "
    "Rare ideas, the tail of what people write, then get fewer and fewer samples and are lost from each new "
    "generation of models (\u201cmodel collapse\u201d); fresh human writing is what holds them up. "
    "Which policies keep the web original and keep people writing, and by how much?"
)

#: What the model leaves out; stated in every brief.
LEAVES_OUT = [
    "Ideas are categories and style is a point in a small vector space: the model has no notion of quality, truth or usefulness, only of how varied the web is.",
    "An AI model is a per-idea Gaussian fitted to its training set, not a neural network; it can only reproduce ideas it has seen, which is the mechanism of collapse the research describes, but not everything a real model does.",
    "Labs, platforms and creators follow fixed rules. Nobody evades a detector, strips watermarks on purpose beyond a fixed rate, lobbies or changes strategy in response to a policy.",
    "Policy settings (watermark share, detector rates, subsidy sizes, caps) are the values in each scenario file, with the sources given there; many are assumptions, and the result of a policy can depend strongly on them. Enforcement and its costs are not modelled.",
    "The ranges come from differences between seeds only: they say how much the outcome varies with the luck of a run within this model, not how sure anyone can be about the real web.",
]
#: With a posterior this replaces the last of :data:`LEAVES_OUT`.
POSTERIOR_CAVEAT = (
    "The plausible worlds are the parameter values that reproduce today's web as measured (the AI share of new and of top-ranked "
    "articles, the adoption of AI writing tools, the fall of question-and-answer sites, the homogenization of AI writing); they "
    "carry what those measurements leave uncertain about the parameters, not what the model itself leaves out."
)
#: In the text world (world.kind = "text") these replace the first two of :data:`LEAVES_OUT`.
TEXT_LEAVES_OUT = [
    "A document is a short run of English words from a bigram chain of word-pair counts (or windows of a corpus file): the model has no notion of quality, truth or usefulness, only of how varied the web is and how far the models' text is from human text.",
    "An AI model is an n-gram language model (interpolated Kneser-Ney) fitted to its training set, not a neural network; perplexity on held-out human text measures how well it still predicts human writing, as in the model-collapse experiments, but a real model generalizes far beyond word pairs.",
]


def caveats(comparison: Comparison) -> list[str]:
    """What the model leaves out, for the worlds the comparison's scenarios are in."""
    kinds = {s.world.kind for s in comparison.scenarios.values()}
    last = [POSTERIOR_CAVEAT] if comparison.draws else LEAVES_OUT[-1:]
    return (LEAVES_OUT[:2] if kinds != {"text"} else []) + (TEXT_LEAVES_OUT if "text" in kinds else []) + LEAVES_OUT[2:-1] + last


def _img(path: Path) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f'<img alt="" src="data:image/png;base64,{data}">'


def fmt(x: float) -> str:
    """Three significant figures in plain decimals (no exponent); thousands separators for large numbers."""
    return number(x)


def signed(x: float) -> str:
    return "–" if x is None or not math.isfinite(x) else ("+" if x > 0 else "\u2212" if x < 0 else "±") + fmt(abs(x))


def _interval(low: float, high: float, sign: bool = False) -> str:
    return between(low, high, sign) or "no interval"


def _range(low: float, high: float, worlds: int, sign: bool = False) -> str:
    """``from 0.85 to 0.97 across the worlds``, or why there is no range."""
    text = between(low, high, sign)
    return f"from {text} across the worlds" if text else too_few(worlds)


def changes(comparison: Comparison) -> dict[str, list[str]]:
    """Per scenario, the keys whose values differ from the first scenario's (``section.key = value``)."""
    reference = next(iter(comparison.scenarios.values())).to_dict()
    out = {}
    for name, scenario in comparison.scenarios.items():
        data, diffs = scenario.to_dict(), []
        for section, keys in data.items():
            for key, value in keys.items():
                if (section, key) != ("run", "seed") and value != reference[section][key]:
                    diffs.append(f"{section}.{key} = {value!r}" if isinstance(value, str) else f"{section}.{key} = {value}")
        out[name] = diffs
    return out


def _rows(comparison: Comparison, statistic: str) -> pd.DataFrame:
    s = comparison.summary
    return s[s["statistic"] == statistic]


def last_label(comparison: Comparison) -> str:
    return next(x for x in comparison.summary["statistic"].unique() if x != "final")


def last_steps(comparison: Comparison) -> int:
    """The number of steps the summary averages at the end."""
    return int(last_label(comparison).removeprefix("last ").removesuffix(" steps"))


def _effects(rows: pd.DataFrame, metric: str, reference: str):
    """(reference row, clearly higher, clearly lower, no clear difference) for one metric, largest first."""
    m = rows[rows["metric"] == metric]
    ref = m[m["scenario"] == reference].iloc[0]
    others = m[m["scenario"] != reference].sort_values("diff", ascending=False)
    up, down = others[others["diff_low"] > 0], others[others["diff_high"] < 0].sort_values("diff")
    flat = others[~others.index.isin(up.index) & ~others.index.isin(down.index)]
    return ref, up, down, flat


def display_names(comparison: Comparison) -> dict[str, str]:
    """What the brief calls each scenario: its description's title ("Creator pay"), else its name in words; with the
    overrides set in every scenario after it ("Creator pay (ai.temperature = 0.8)")."""
    text = overrides_text(comparison.overrides)
    out = {}
    for name in comparison.names:
        base = name.removesuffix(f" ({text})") if text else name
        shown = display_name(base, comparison.descriptions.get(name, ""))
        out[name] = f"{shown} ({text})" if text else shown
    return out


def world_count(comparison: Comparison) -> int:
    """The worlds every scenario ran in: seeds, or posterior draws times their seeds."""
    return int(comparison.runs[comparison.runs["scenario"] == comparison.names[0]].groupby(["draw", "seed"] if comparison.draws else ["seed"]).ngroups)


def worlds_sentence(comparison: Comparison) -> str:
    """How many plausible worlds the comparison ran in, in words ("" without a posterior)."""
    if not comparison.draws:
        return ""
    per_draw = comparison.seeds_per_draw
    n = len(comparison.draws)
    how = "one seed each" if per_draw == 1 else f"each with the same {plural(per_draw, 'seed')}"
    return (f"Every scenario runs in the same {plural(world_count(comparison), 'plausible world')}: {plural(n, 'draw')} of the calibrated "
            f"parameters from their posterior ({html.escape(Path(comparison.posterior_file).name)}, fitted to today's web), {how}. "
            "The ranges and the counts of worlds below carry both how uncertain the parameters are and the luck of a run.")


def _helped(r, comparison: Comparison) -> str:
    """``in 9 of 10 plausible worlds``: where the policy moved the metric its better way."""
    worlds = world_count(comparison)
    one, many = worlds_noun(bool(comparison.draws))
    return f"in {round(r['share_helped'] * worlds)} of {plural(worlds, one, many)}" if worlds and math.isfinite(r["share_helped"]) else ""


#: The headline metrics the reading goes through, in this order.
READ = ("originality_index", "human_share_new", "active_humans", "ai_attention_share", "model_perplexity", "vocabulary_coverage", "distinct_2_recent")


def _effect(r, ref, metric: str) -> str:
    """A policy's change for the gist: relative for the originality index (``+15%``), in percentage points for a share."""
    if metric == "human_share_new":
        return f"{signed(r['diff'] * 100)} percentage points"
    return change(r["mean"], ref["mean"]) or signed(r["diff"])


def reading(comparison: Comparison) -> list[str]:
    """Plain language, written from the summary: first the gist, then for each headline metric the reference's level
    and its range across the worlds, which policies clearly raise or lower it against the first scenario (the error
    of the mean of the paired difference excludes 0), by how much, its range across the worlds and in how many it
    helped, which make no clear difference, and how often each scenario ranks first, second, ... HTML blocks."""
    rows = _rows(comparison, last_label(comparison))
    shown = display_names(comparison)
    reference = comparison.names[0]
    ref_name = html.escape(shown[reference])
    months = last_steps(comparison)
    present = [m for m in READ if m in set(rows["metric"])]
    if len(comparison.names) < 2 or not present:
        return []
    rank = how_often.ranks(comparison.runs, present, last=months)
    others = len(comparison.names) - 1
    out, gist, often = [], [], []
    for metric, what in (("originality_index", f"keep the web more original than {ref_name}"), ("human_share_new", "keep a larger human share of new items")):
        if metric not in present:
            continue
        ref, up, _, _ = _effects(rows, metric, reference)
        best = ", ".join(f"{html.escape(shown[r['scenario']])} {_effect(r, ref, metric)} (better {_helped(r, comparison)})" for _, r in up.head(3).iterrows())
        gist.append(clearly(len(up), others, what, first=not gist) + (f"; the most: {best}" if best else ""))
        often.append(f"on the {HEADLINE[metric]}, {how_often.most_often_first(rank, metric, shown, bool(comparison.draws))}")
    gist_text = ". ".join(g[:1].upper() + g[1:] for g in gist) + "." if gist else ""
    often_text = f" Of the {plural(len(comparison.names), 'scenario')}, " + "; ".join(often) + "." if often else ""
    out.append(f"<p><b>In short</b> (the last {months} months): {gist_text}{often_text}</p>")
    for metric in present:
        ref, up, down, flat = _effects(rows, metric, reference)
        label = HEADLINE[metric]

        def item(r) -> str:
            relative = change(r["mean"], ref["mean"])
            return (f"{html.escape(shown[r['scenario']])} {fmt(r['mean'])}: {signed(r['diff'])}{f' ({relative})' if relative else ''} against "
                    f"{ref_name}, {_range(r['p05'], r['p95'], int(r['worlds']), sign=True)}; better {_helped(r, comparison)} "
                    f"(error of the mean difference: {_interval(r['diff_low'], r['diff_high'], sign=True)})")

        items = [f"<b>higher</b> {item(r)}" for _, r in up.iterrows()] + [f"<b>lower</b> {item(r)}" for _, r in down.iterrows()]
        if len(flat):
            items.append("No clear difference: " + ", ".join(html.escape(shown[n]) for n in flat["scenario"]) + ".")
        ranks_text = how_often.words(rank, metric, shown, bool(comparison.draws))
        out.append(
            f"<p><b>{label[0].upper() + label[1:]}</b>, mean of the last {months} months: {ref_name} {fmt(ref['mean'])}, "
            f"{_range(ref['range_low'], ref['range_high'], int(ref['worlds']))} (error of the mean: {_interval(ref['ci_low'], ref['ci_high'])}).</p>"
            "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>" + (f"<p>How often: {ranks_text}.</p>" if ranks_text else "")
        )
    return out


def costs(comparison: Comparison, last: int = 12) -> list[tuple[str, float, float]]:
    """(scenario, subsidies and royalties paid a month, their share of the audience's attention) for each scenario that pays any,
    over the last ``last`` months, averaged over every world."""
    runs = comparison.runs
    if "policy_payments" not in runs.columns:
        return []
    tail = runs[runs["step"] > runs["step"].max() - last]
    out = []
    for name, scenario in comparison.scenarios.items():
        paid = float(tail.loc[tail["scenario"] == name, "policy_payments"].mean())
        attention = scenario.platform.attention * max(scenario.humans.count, 1)
        if paid > 0:
            out.append((name, paid, paid / attention if attention > 0 else float("nan")))
    return out


def sources(comparison: Comparison) -> list[str]:
    """HTML blocks: for each scenario, how much of its originality effect comes from who writes
    (the human share of recent items) and how much from what each source writes (what models produce)."""
    span = last_steps(comparison)
    table = originality_sources(comparison.runs, last=span)
    if table.empty:
        return []
    head = "".join(f"<th>{html.escape(PARTS[p])}</th>" for p in PARTS)
    body = []
    for name in dict.fromkeys(table["scenario"]):
        rows = table[table["scenario"] == name].set_index("part")
        cells = "".join(
            f"<td>{signed(rows.loc[p, 'mean'])} <span class=ci>[{between(rows.loc[p, 'range_low'], rows.loc[p, 'range_high'], True) or 'no range'}]</span>"
            f"<br><span class=e>mean's error {_interval(rows.loc[p, 'low'], rows.loc[p, 'high'], True)}</span></td>" for p in PARTS
        )
        body.append(f"<tr><th>{html.escape(display_names(comparison)[name])}</th>{cells}</tr>")
    reference = html.escape(display_names(comparison)[comparison.names[0]])
    return [
        "<h2>Who writes, or what models lose</h2>",
        f"<p>The originality index of the recent web is the human items' index weighted by their share plus the AI and "
        f"assisted items' index weighted by theirs. Each scenario's difference from {reference} (mean of the last {span} "
        "months) splits exactly into three parts (a shift-share decomposition, step by step and seed by seed, with the "
        "two scenarios' mean shares and indices as weights): <b>who writes</b>, the change of the human share valued at "
        "the gap between the two indices; <b>what human items are about</b>; and <b>what AI and assisted items are "
        "about</b>, which is what the models produce. A policy that only brings more people to write moves the first "
        f"part; one that changes what models learn moves the last. Under each part, its range across the worlds (5th to 95th "
        f"percentile; none with fewer than {MIN_WORLDS} worlds) and the error of its mean (a 95% t-interval over "
        f"{'draws' if comparison.draws else 'seeds'}).</p>",
        f"<table><tr><th>scenario</th>{head}</tr>{''.join(body)}</table>",
    ]


def _table(comparison: Comparison, statistic: str) -> str:
    rows = _rows(comparison, statistic)
    metrics = comparison.metrics
    head = "".join(f"<th>{html.escape(HEADLINE[m])}</th>" for m in metrics)
    body = []
    shown = display_names(comparison)
    for name in comparison.names:
        cells = []
        for metric in metrics:
            r = rows[(rows["scenario"] == name) & (rows["metric"] == metric)].iloc[0]
            level = f"{fmt(r['mean'])} <span class=ci>[{between(r['range_low'], r['range_high']) or 'no range'}]</span>"
            diff = "" if name == comparison.names[0] else (
                f"<br><span class=d>{signed(r['diff'])} <span class=ci>[{between(r['p05'], r['p95'], True) or 'no range'}]</span></span>"
                f"<br><span class=e>mean's error {_interval(r['diff_low'], r['diff_high'], True)}</span>")
            cells.append(f"<td>{level}{diff}</td>")
        body.append(f"<tr><th>{html.escape(shown[name])}</th>{''.join(cells)}</tr>")
    return f"<table><tr><th>scenario</th>{head}</tr>{''.join(body)}</table>"


CSS = """
body{font-family:Georgia,'Times New Roman',serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.2em} h2{font-size:1.3em;margin-top:1.8em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-family:Helvetica,Arial,sans-serif;font-size:.85em;margin:1em 0}
td,th{border:1px solid #ccc;padding:.35em .5em;vertical-align:top;text-align:left} th{background:#f3f3f3}
.ci{color:#666} .d{color:#06c} .e{color:#999;font-size:.85em} .meta{color:#555;font-size:.9em} img{max-width:100%;margin:.5em 0 1.5em}
code{font-size:.9em;background:#f5f5f5;padding:0 .2em}
"""


def _cost_table(comparison: Comparison) -> list[str]:
    paid = costs(comparison)
    if not paid:
        return []
    shown = display_names(comparison)
    rows = "".join(f"<tr><th>{html.escape(shown[n])}</th><td>{fmt(money)}</td><td>{share:.1%}</td></tr>" for n, money, share in paid)
    return [
        "<h2>What the policies cost</h2>",
        "<p>Subsidies and training royalties paid to creators a month, over the last 12 months (mean over every run), in the "
        "model's money (one unit is the mean cost of writing a human item) and as a share of the attention the audience gives "
        "the web's new items a month before any reader turns to AI answers.</p>",
        f"<table><tr><th>scenario</th><th>paid a month</th><th>share of the audience's attention</th></tr>{rows}</table>",
    ]


def page(comparison: Comparison, figures: dict[str, Path]) -> str:
    """The brief as one HTML string."""
    first = next(iter(comparison.scenarios.values()))
    steps, n = first.run.steps, len(comparison.seeds)
    span = last_label(comparison)
    diffs = changes(comparison)
    shown = display_names(comparison)
    reference = html.escape(shown[comparison.names[0]])
    over = "seeds" if not comparison.draws else "plausible worlds"
    v = versions()
    per_draw = comparison.seeds_per_draw
    if comparison.draws:
        where = (f"{plural(len(comparison.draws), 'plausible world')} (posterior draw i with seed i, {seeds_text(comparison.seeds)})" if comparison.matched
                 else f"{plural(len(comparison.draws), 'posterior draw')} \u00d7 {plural(per_draw, 'seed')} ({seeds_text(comparison.seeds)})")
        how = worlds_sentence(comparison) + f" Each policy is compared with <b>{reference}</b> world by world (paired differences)."
    else:
        where = f"{plural(n, 'seed')} each ({seeds_text(comparison.seeds)})"
        how = (f"Every scenario below runs on the same {plural(n, 'random seed')}, so each policy is compared with "
               f"<b>{reference}</b> seed by seed (paired differences). The calibrated parameters are held at the scenarios' own values.")
    parts = [
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>",
        "<title>Policy brief: originality and the human share of the web</title>",
        f"<style>{CSS}</style></head><body>",
        "<h1>Policy brief: keeping the web original</h1>",
        f"<p class=meta>{plural(len(comparison.names), 'scenario')}, {where}, {steps} months; "
        f"made {datetime.now(UTC):%Y-%m-%d %H:%M} UTC in {comparison.wall_time:.0f} s with {plural(comparison.jobs, 'worker process', 'worker processes')}; "
        f"Python {v['python']}, Mesa {v['mesa']}, numpy {v['numpy']}.<br>"
        f"Command: <code>{html.escape(comparison.command or 'experiments.compare.compare(...)')}</code></p>",
        "<h2>The question</h2>",
        f"<p>{html.escape(QUESTION)}</p>",
        f"<p>{how} Every level and effect below comes with its <b>range across the worlds</b>: from the 5th to the 95th percentile "
        f"of the worlds, so nine worlds in ten lie within it (with fewer than {MIN_WORLDS} worlds no range is given: too few to tell "
        "where nine in ten lie). How often each policy helped, and how often each scenario ranks first, second and so on, are "
        "counted world by world. A difference is called clear when the error of its mean, a 95% t-interval that narrows as more "
        "worlds are run, excludes zero: a clear difference can still go the other way in some worlds.</p>",
        *([f"<p>Every scenario is run with <code>{html.escape(overrides_text(comparison.overrides))}</code> (set on the command line), "
           "and named with it.</p>"] if comparison.overrides else []),
        "<h2>What we found</h2>",
        *reading(comparison),
        *_cost_table(comparison),
        *how_often.tables(comparison.runs, [m for m in READ if m in comparison.metrics], last_steps(comparison), shown, bool(comparison.draws)),
        *sources(comparison),
        "<h2>The scenarios</h2><table><tr><th>scenario</th><th>file</th><th>what it is</th>"
        f"<th>what it changes from {reference}</th></tr>",
    ]
    for name in comparison.names:
        changed = "<br>".join(f"<code>{html.escape(d)}</code>" for d in diffs[name]) or ("(the reference)" if name == comparison.names[0] else "nothing")
        parts.append(
            f"<tr><th>{html.escape(shown[name])}</th><td><code>{html.escape(name)}</code></td>"
            f"<td>{html.escape(comparison.descriptions.get(name, ''))}</td><td>{changed}</td></tr>"
        )
    parts += [
        "</table>",
        f"<h2>Results: mean of the {span.replace('steps', 'months')}</h2>",
        f"<p>Each cell: the mean over {over} of the metric averaged over the {span.replace('steps', 'months')} of the run and, in grey, its range "
        f"across the {over} (5th to 95th percentile); in blue, the paired difference from {reference} and its range; below it, the error "
        "of the mean difference (a 95% t-interval).</p>",
        _table(comparison, span),
        "<h2>Results: the final month</h2>",
        _table(comparison, "final"),
        "<h2>Figures</h2>",
        f"<p>Each line is a scenario's mean over {over}, the shaded band its range across them, month by month (5th to 95th "
        f"percentile; no band with fewer than {MIN_WORLDS}); dotted vertical lines mark the models' retraining. A log scale is used where a value falls below a few percent of its peak.</p>",
    ]
    for metric, path in figures.items():
        parts.append(f"<h3>{html.escape(HEADLINE.get(metric, metric))}</h3>{_img(path)}")
    intervals = (f"the 5th to 95th percentiles of the {plural(world_count(comparison), 'world')}, and the errors of the means t-based 95% "
                 f"intervals over the {plural(len(comparison.draws), 'draw')}, each draw's value the mean over its seeds"
                 if comparison.draws else "the 5th to 95th percentiles of the seeds, and the errors of the means t-based 95% intervals over seeds")
    parts += [
        "<h2>Caveats</h2><ul>",
        f"<li>{plural(per_draw, 'seed')} per {'draw' if comparison.draws else 'scenario'}; {steps} months (one step is one month); the intervals are {intervals}.</li>",
        *(f"<li>{html.escape(c)}</li>" for c in caveats(comparison)),
        "</ul></body></html>",
    ]
    return "\n".join(parts) + "\n"
