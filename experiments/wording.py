"""Numbers and counts as a policy maker reads them: no exponent notation, changes as percentages, ranks in words.

Pure functions of numbers and of a comparison's tables; the brief (:mod:`experiments.brief`) and the Markdown
summary (``summary.md``) are written with them.
"""

from __future__ import annotations

import math

import pandas as pd

from experiments.comparison import HEADLINE, MIN_WORLDS

MINUS = "\u2212"


def number(x: float | None, digits: int = 3) -> str:
    """``x`` to ``digits`` significant figures in plain decimals (``0.0000354``, never ``3.54e-05``); thousands
    separated (``1,683``); a minus sign, not a hyphen; "–" for a missing value."""
    if x is None or not math.isfinite(x):
        return "–"
    if x == 0:
        return "0"
    if abs(x) < 10 ** (digits - 1):  # rounded first, so 0.9996 is 1.00 and 99.96 is 100; larger numbers are whole
        x = float(f"{x:.{digits - 1}e}")
    if abs(x) >= 10 ** (digits - 1):
        text = f"{x:,.0f}"
    else:
        text = f"{x:.{digits - 1 - math.floor(math.log10(abs(x)))}f}"
    return text.replace("-", MINUS)


def signed(x: float, digits: int = 3) -> str:
    """``+0.14``, ``−0.02``, ``±0``."""
    if x is None or not math.isfinite(x):
        return "–"
    return ("+" if x > 0 else MINUS if x < 0 else "±") + number(abs(x), digits)


def between(low: float, high: float, sign: bool = False) -> str:
    """``0.85 to 0.97`` ("" if either end is missing); with ``sign``, each end signed (a change)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return ""
    show = signed if sign else number
    return f"{show(low)} to {show(high)}"


def change(value: float, reference: float) -> str:
    """``value`` against ``reference`` as a reader says it: ``+0.39%``, ``−12%``, or ``2.3 times`` for a large rise
    ("" where the reference is not positive)."""
    if not (math.isfinite(value) and math.isfinite(reference)) or reference <= 0:
        return ""
    ratio = value / reference
    if ratio >= 2:
        return f"{number(ratio, 2)} times"
    return f"{signed((ratio - 1) * 100, 2)}%"


def listing(words: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def plural(n: int, one: str, many: str | None = None) -> str:
    """``1 policy``, ``2 policies``."""
    return f"{n} {one if n == 1 else many or one + 's'}"


ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


def ordinal(k: int) -> str:
    """``first`` ... ``tenth``, then ``11th``, ``12th``, ``21st``."""
    if k <= len(ORDINALS):
        return ORDINALS[k - 1]
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def worlds_noun(draws: bool) -> tuple[str, str]:
    """(singular noun, plural noun) of a world: a plausible world with a posterior, a seed without."""
    return ("plausible world", "plausible worlds") if draws else ("seed", "seeds")


def rank_words(row: pd.Series, draws: bool) -> str:
    """A row of a rank table (:func:`experiments.how_often.ranks`) in words: ``first in 8 of 10 plausible worlds and
    third in 2`` (the ranks it takes, most often first)."""
    worlds = int(row["worlds"])
    counts = {int(c.removeprefix("rank_")): round(row[c] * worlds) for c in row.index if c.startswith("rank_")}
    taken = sorted(((k, n) for k, n in counts.items() if n > 0), key=lambda kn: (-kn[1], kn[0]))
    if not taken:
        return ""
    one, many = worlds_noun(draws)
    (k, n), rest = taken[0], taken[1:]
    if n == worlds:
        return f"{ordinal(k)} in every one of the {plural(worlds, one, many)}" if worlds > 1 else f"{ordinal(k)} in the one {one}"
    words = [f"{ordinal(k)} in {n} of {plural(worlds, one, many)}", *(f"{ordinal(k)} in {n}" for k, n in rest)]
    return listing(words)


def clearly(n: int, others: int, what: str, first: bool) -> str:
    """``2 of 4 policies clearly keep ...``, ``none of the 4 policies clearly keeps ...``, ``the policy does not clearly keep ...``."""
    keeps = what.replace("keep ", "keeps ", 1)
    if others == 1:
        return f"the policy clearly {keeps}" if n else f"the policy does not clearly {what}"
    if n == 0:
        return f"none of the {others} policies clearly {keeps}" if first else f"none clearly {keeps}"
    count = f"{n} of {others} policies" if first else plural(n, "policy", "policies")
    return f"{count} clearly {keeps if n == 1 else what}"


def too_few(worlds: int) -> str:
    """What the brief says instead of a range it cannot give."""
    return f"too few worlds for a range ({worlds}; a range needs at least {MIN_WORLDS})"


def markdown(summary: pd.DataFrame, statistic: str | None = None) -> str:
    """The summary as a Markdown table (what the README shows): one row per scenario; per headline metric, its mean
    over worlds with the range over them (5th to 95th percentile) and, below, the paired difference from the first
    scenario with its range; "no range" where there are fewer than :data:`MIN_WORLDS` worlds."""
    statistic = statistic or next(x for x in summary["statistic"].unique() if x != "final")
    rows = summary[summary["statistic"] == statistic]
    metrics = list(dict.fromkeys(rows["metric"]))
    names = list(dict.fromkeys(rows["scenario"]))

    def num(x: float, metric: str, sign: bool = False) -> str:
        if not math.isfinite(x):
            return "–"
        text = f"{x:,.0f}" if metric == "active_humans" else f"{x:,.1f}" if metric == "model_perplexity" else number(x)
        text = text.replace("-", MINUS)
        return ("+" if sign and x > 0 else "") + text

    def rng(low: float, high: float, metric: str, sign: bool = False) -> str:
        return f"[{num(low, metric, sign)}, {num(high, metric, sign)}]" if math.isfinite(low) and math.isfinite(high) else "(no range)"

    lines = ["| scenario | " + " | ".join(HEADLINE.get(m, m) for m in metrics) + " |", "|---|" + "---|" * len(metrics)]
    for name in names:
        cells = []
        for metric in metrics:
            r = rows[(rows["scenario"] == name) & (rows["metric"] == metric)].iloc[0]
            cell = f"{num(r['mean'], metric)} {rng(r['range_low'], r['range_high'], metric)}"
            if name != names[0]:
                cell += f"<br>{num(r['diff'], metric, True)} {rng(r['p05'], r['p95'], metric, True)}"
            cells.append(cell)
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
