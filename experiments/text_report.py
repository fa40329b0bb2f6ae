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
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from experiments import axes
from experiments.figures import DPI, PNG
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


def plot_rank_frequency(text: dict, path: Path, title: str = "") -> Figure:
    """Token rank against relative frequency, log-log, with plain numbers on both axes."""
    fig = Figure(figsize=(7.5, 5.2), dpi=DPI)
    FigureCanvasAgg(fig)
    fig.subplots_adjust(left=0.13, right=0.97, bottom=0.11, top=0.86)
    ax = fig.subplots()
    for (label, counts), color in zip(text["frequencies"].items(), ["black", "#2b8cbe", "#e34a33", "#984ea3"]):
        f = np.sort(counts[counts > 0])[::-1] / max(counts.sum(), 1)
        if len(f):
            axes.series(ax, np.arange(1, len(f) + 1), f, label=f"{label} ({len(f):,} distinct tokens)", color=color, lw=1.5)
    ax.set(xscale="log", yscale="log", xlabel="rank of token (log scale)", ylabel="share of tokens (log scale)")
    axes.plain_log(ax.xaxis)
    axes.plain_log(ax.yaxis)
    ax.set_title("Token rank-frequency (Zipf plot)", fontsize=10)
    ax.legend(fontsize=9)
    fig.suptitle(title, fontsize=12, fontweight="bold")
    fig.savefig(path, dpi=DPI, pil_kwargs=PNG)
    return fig


def plot_perplexity(ts, text: dict, path: Path, title: str = "") -> Figure:
    """model_perplexity over the run, and model 0's perplexity per generation; both axes of perplexity from 0."""
    fig = Figure(figsize=(11, 4.6), dpi=DPI)
    FigureCanvasAgg(fig)
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.13, top=0.8, wspace=0.25)
    run, generations = fig.subplots(1, 2)
    axes.series(run, ts["step"], ts["model_perplexity"], color="#e34a33", lw=2)
    last = int(ts["step"].iloc[-1])
    run.set(xlabel="month (step)", ylabel="perplexity", xlim=(0, last) if last else (-0.5, 0.5))
    run.set_title("Models' perplexity on held-out human text (mean)", fontsize=10)
    g = np.arange(1, len(text["perplexities"]) + 1)
    generations.plot(g, text["perplexities"], "o-", color="#2b8cbe")
    generations.set(xlabel="generation of model 0", ylabel="perplexity", xlim=(0.5, max(1, len(g)) + 0.5))
    generations.set_title("Model 0, generation by generation", fontsize=10)
    for ax, values in ((run, ts["model_perplexity"]), (generations, text["perplexities"])):
        axes.whole_ticks(ax.xaxis)
        axes.from_zero(ax, values)
        ax.grid(alpha=0.25)
    fig.suptitle(title, fontsize=12, fontweight="bold")
    fig.savefig(path, dpi=DPI, pil_kwargs=PNG)
    return fig


def write(result, folder: Path, title: str = "") -> None:
    """Write the text world's files for a run result into ``folder`` (nothing in the ideas world).

    ``title`` names the run (scenario and seed) at the top of each figure.
    """
    text = getattr(result, "text", None)
    if not text:
        return
    (folder / "samples.md").write_text(samples_markdown(text), encoding="utf-8")
    plot_rank_frequency(text, folder / "rank_frequency.png", title)
    plot_perplexity(result.timeseries, text, folder / "perplexity.png", title)
