"""What a text-world run leaves for a reader: ``samples.md``, a rank-frequency figure and a perplexity figure.

The record comes from :func:`model.text.samples.record` (the runner keeps it in
:attr:`experiments.runner.RunResult.text`); :func:`write` writes it into a results folder:

* ``samples.md``: the same prompts (the first words of held-out human documents)
  continued by every generation of model 0, with a fixed seed, next to the human text;
* ``rank_frequency.png``: token rank against frequency, log-log, for human text (the
  archive), for model 0's first and last generations, and for the AI-made items of the
  last ``run.window`` steps;
* ``perplexity.png``: ``model_perplexity`` over the run and model 0's perplexity per generation.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from model.text.ngram import PROMPT_TOKENS


def samples_markdown(text: dict) -> str:
    """The prompts' continuations, generation by generation, as Markdown."""
    lines = [
        "# What the models write",
        "",
        f"Human language: {text['language']}. Model 0 is an n-gram model of order {text['ngram']}.",
        f"Each prompt is the first {PROMPT_TOKENS} words of a held-out human document; every generation of model 0",
        "continues the same prompts with the same random numbers, so what changes is the model.",
        "",
        "| generation | perplexity on held-out human text |",
        "|---:|---:|",
        *[f"| {g} | {p:.1f} |" for g, p in enumerate(text["perplexities"], start=1)],
        "",
    ]
    for i, human in enumerate(text["human"]):
        prompt = " ".join(human.split()[:PROMPT_TOKENS])
        lines += [f"## Prompt {i + 1}: “{prompt}”", "", f"- **human**: {human}"]
        lines += [f"- **generation {g}**: {gen[i]}" for g, gen in enumerate(text["generations"], start=1)]
        lines.append("")
    return "\n".join(lines)


def plot_rank_frequency(text: dict, path: Path) -> None:
    """Token rank against relative frequency, log-log."""
    fig = Figure(figsize=(7, 5))
    ax = fig.subplots()
    for (label, counts), color in zip(text["frequencies"].items(), ["black", "#2b8cbe", "#e34a33", "#984ea3"]):
        f = np.sort(counts[counts > 0])[::-1] / max(counts.sum(), 1)
        if len(f):
            ax.loglog(np.arange(1, len(f) + 1), f, label=f"{label} ({len(f):,} distinct tokens)", color=color, lw=1.5)
    ax.set(xlabel="rank", ylabel="share of tokens", title="Token rank-frequency (Zipf plot)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def plot_perplexity(ts, text: dict, path: Path) -> None:
    """model_perplexity over the run, and model 0's perplexity per generation."""
    fig = Figure(figsize=(10, 4))
    axes = fig.subplots(1, 2)
    axes[0].plot(ts["step"], ts["model_perplexity"], color="#e34a33", lw=2)
    axes[0].set(xlabel="step", ylabel="perplexity", title="Models' perplexity on held-out human text (mean)")
    g = np.arange(1, len(text["perplexities"]) + 1)
    axes[1].plot(g, text["perplexities"], "o-", color="#2b8cbe")
    axes[1].set(xlabel="generation of model 0", ylabel="perplexity", title="Model 0, generation by generation")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def write(result, folder: Path) -> None:
    """Write the text world's files for a run result into ``folder`` (nothing in the ideas world)."""
    text = getattr(result, "text", None)
    if not text:
        return
    (folder / "samples.md").write_text(samples_markdown(text), encoding="utf-8")
    plot_rank_frequency(text, folder / "rank_frequency.png")
    plot_perplexity(result.timeseries, text, folder / "perplexity.png")
