"""The validation report: ``validation.md``, one PNG per check, and ``validation.json``."""

from __future__ import annotations

import json
import math
import textwrap
from datetime import UTC, datetime
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from experiments.files import json_value, staged_folder
from experiments.validation.common import CheckResult, Panel
from experiments.validation.stats import EXACT, LEVEL, Z, fmt

MARKERS = {"o", "s", "D", "^", "v", "x", "+", "_"}


def plot(result: CheckResult, path: Path) -> None:
    """One figure per check: its panels side by side, theory in black over the simulated median, band and mean."""
    k = len(result.panels)
    cols, rows = min(2, k), math.ceil(k / 2)
    fig = Figure(figsize=(6.8 * cols, 5.0 * rows + 0.4))
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, panel in zip(axes, result.panels):
        _draw(ax, panel)
    for ax in axes[k:]:
        ax.set_visible(False)
    fig.suptitle(f"{result.title}: {result.verdict}", fontsize=12, fontweight="bold")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def _draw(ax, panel: Panel) -> None:
    for s in panel.series:
        if s.kind == "band":
            ax.fill_between(s.x, s.y, s.y2, color=s.color, alpha=0.18, lw=0, label=s.label)
        elif s.kind in ("line", "hline"):
            theory = s.color == "black"
            ax.plot(s.x, s.y, color=s.color, ls=s.style, lw=2.0 if theory else 1.5, label=s.label, zorder=3 if theory else 2)
        elif s.kind == "points":
            marker = s.style if s.style in MARKERS else ("D" if s.color == "black" else "o")
            ax.plot(s.x, s.y, ls="none", marker=marker, color=s.color, ms=8 if marker == "o" else 7, mew=2, label=s.label, zorder=4)
        elif s.kind == "bars":
            ax.bar(s.x, s.y, yerr=s.y2, color=s.color, alpha=0.6, width=0.6, capsize=4, label=s.label)
        else:
            raise ValueError(f"unknown series kind {s.kind!r}")
    ax.set_xscale(panel.xscale)
    ax.set_yscale(panel.yscale)
    ax.set_title("\n".join(textwrap.wrap(panel.title, 60)), fontsize=10)
    ax.set_xlabel(panel.xlabel)
    ax.set_ylabel(panel.ylabel)
    ax.grid(alpha=0.3, which="both" if panel.yscale == "log" else "major")
    ax.legend(fontsize=7, framealpha=0.9, loc="best")


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out


def _band(c) -> str:
    return f"[{fmt(c.low)}, {fmt(c.high)}]"


def verdict(passed: bool) -> str:
    """A comparison's result: the simulation agrees with the theory or it does not."""
    return "agrees" if passed else "**does not agree**"


def check_verdict(r: CheckResult) -> str:
    if r.passed:
        return "REPRODUCED"
    return "**NOT REPRODUCED**" + ("" if r.reasons and not r.unexpected else " (unexpected: an error of the model or of the check)")


def results_table(results: list[CheckResult]) -> list[str]:
    """Every comparison in one table (the README's table)."""
    rows = []
    for r in results:
        for c in r.comparisons:
            rows.append([r.title, c.quantity, fmt(c.theory), fmt(c.simulated), _band(c), c.rule.split(",")[0], verdict(c.passed)])
    return _table(["check", "quantity", "theory", "simulation", "accepted band", "tolerance", "result"], rows)


def markdown(validation) -> str:
    results: list[CheckResult] = validation.results
    n_comp = sum(len(r.comparisons) for r in results)
    n_pass = sum(c.passed for r in results for c in r.comparisons)
    checks_pass = sum(r.passed for r in results)
    missed = [r for r in results if not r.passed]
    unexpected = [r for r in results if r.unexpected]
    headline = f"{checks_pass} of {len(results)} published results reproduced ({n_pass} of {n_comp} comparisons agree)"
    if missed:
        headline += "; not reproduced: " + ", ".join(r.title for r in missed)
    if unexpected:
        headline += f". UNEXPECTED: {len(unexpected)} check(s) disagree with no documented reason"
    lines = [
        "# Validation: the model against the published model-collapse results",
        "",
        (
            f"Made by `{validation.command}` ({'quick' if validation.quick else 'full'} mode) on "
            f"{validation.finished:%Y-%m-%d %H:%M UTC}, in {validation.wall_time:.1f} s with {validation.jobs} worker "
            f"process{'es' if validation.jobs > 1 else ''}; {', '.join(f'{k} {v}' for k, v in validation.versions.items())}."
        ),
        "",
        f"**{headline}.**",
        "",
        (
            "Each check runs one scenario of `scenarios/validation/` over many seeds through `ContentEcosystem`, the same "
            "code path as `python run.py run` (a run is a pure function of scenario and seed), reads the model's own state "
            "after setup and after every step (the learner's `probs_`, `means_`, `vars_` and the metric columns), and "
            "compares it with the theory. Generation n has been through n fits: generation 1 is fit on the archive at "
            "setup, and metrics row t holds generation t + 1."
        ),
        "",
        (
            f"**Tolerances** are the sampling error of the seeds run: a comparison passes when the theory lies within {Z:g} "
            f"standard errors of the simulated value (a {LEVEL:.2%} two-sided error rate if the theory is right). The SE "
            "is the analytic one under the theory where the quantity is heavy-tailed (the variance of a replace chain), "
            "otherwise the sample SE over seeds (each seed is one independent unit; its d dimensions are averaged first). "
            "Medians get a distribution-free band of order statistics. For a family of k comparisons of one kind (the "
            "fixation probabilities) z is raised so that the family keeps the same error rate (Bonferroni). Exact "
            f"identities of the code (a metric against the learner's state) must hold to {EXACT:g}. Tolerances were set "
            "from these rules alone and never widened. Each check draws its seeds from its own block, so the checks are "
            "independent experiments."
        ),
        "",
        (
            "**Verdicts.** A published result is REPRODUCED when every comparison of its check agrees, and NOT "
            "REPRODUCED otherwise. Where the reason a result is not reproduced is known, the check says it; a "
            "disagreement with no known reason is an error of the model or of the check, and `python run.py validate` "
            "then exits with status 1."
        ),
        "",
        "## Summary",
        "",
    ]
    rows = [
        [
            f"[{r.title}](#{i + 1})",
            r.claim,
            r.source,
            r.setting,
            f"{sum(c.passed for c in r.comparisons)}/{len(r.comparisons)}",
            check_verdict(r),
        ]
        for i, r in enumerate(results)
    ]
    lines += _table(["check", "claim", "source", "setting", "comparisons that agree", "result"], rows)
    lines += ["", "## All comparisons", ""] + results_table(results)
    for i, r in enumerate(results):
        lines += [
            "",
            f'<a name="check-{i + 1}"></a>',
            f"## {i + 1}. {r.title}: {check_verdict(r)}",
            "",
            f"**Claim.** {r.claim}",
            "",
            f"**Source.** {r.source}.",
            "",
            f"**Setting.** {r.setting}. Scenario: `{r.scenario}`. Run time {r.seconds:.1f} s.",
            "",
            f"**Theory.** {r.theory}",
            "",
            f"![{r.title}]({r.key}.png)",
            "",
        ]
        rows = [
            [c.quantity, fmt(c.theory), fmt(c.simulated), _band(c), c.rule, c.alternative or "", verdict(c.passed)] for c in r.comparisons
        ]
        lines += _table(["quantity", "theory", "simulation", "accepted band", "tolerance", "decisiveness", "result"], rows)
        for reason in r.reasons:
            lines += ["", f"**Why it is not reproduced.** {reason}"]
        for caption, header, trows in r.tables:
            lines += ["", f"{caption}:", ""] + _table(header, trows)
        if r.notes:
            lines += [""] + [f"- {n}" for n in r.notes]
    return "\n".join(lines) + "\n"


def summary(validation) -> dict:
    return {
        "command": validation.command,
        "quick": validation.quick,
        "passed": validation.passed,
        "reproduced": sum(r.passed for r in validation.results),
        "wall_time_s": round(validation.wall_time, 2),
        "jobs": validation.jobs,
        "versions": validation.versions,
        "z": Z,
        "checks": [
            {
                "key": r.key,
                "title": r.title,
                "passed": r.passed,
                "verdict": r.verdict,
                "reasons": r.reasons,
                "source": r.source,
                "setting": r.setting,
                "scenario": r.scenario,
                "seconds": round(r.seconds, 2),
                "comparisons": [
                    {k: json_value(getattr(c, k)) for k in ("quantity", "theory", "simulated", "low", "high", "rule", "alternative", "known")}
                    | {"passed": c.passed}
                    for c in r.comparisons
                ],
            }
            for r in validation.results
        ],
    }


def write(validation, out: Path) -> list[Path]:
    """Write validation.md, validation.json and one PNG per check into ``out``; all or nothing."""
    with staged_folder(out) as staging:
        for r in validation.results:
            plot(r, staging / f"{r.key}.png")
        (staging / "validation.md").write_text(markdown(validation), encoding="utf-8")
        (staging / "validation.json").write_text(json.dumps(summary(validation), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        names = sorted(f.name for f in staging.iterdir())
    return [Path(out) / name for name in names]


def now() -> datetime:
    return datetime.now(UTC)
