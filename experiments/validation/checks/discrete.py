"""The discrete loop: a categorical model refitted on its own samples loses diversity as (1 - 1/M)^n (ideas and text)."""

from __future__ import annotations

import math

import numpy as np

from experiments.validation import theory as th
from experiments.validation.common import SIM, SIM2, THEORY, CheckResult, Context, Panel, Series, chain_band, mean_band, setting
from experiments.validation.stats import Comparison, exact_compare, fmt, mean_se, ratio_se, z_compare, z_family


def check_discrete(ctx: Context) -> CheckResult:
    sc = ctx.scenario("discrete_loop.toml")
    return _discrete(ctx, "discrete", "discrete_loop.toml", 2, th.zipf_weights(sc.world.ideas, sc.world.zipf_exponent))


def check_text_discrete(ctx: Context) -> CheckResult:
    """The discrete loop in the text world: one-word documents and the maximum-likelihood unigram."""
    from model.text.language import load as load_language

    sc = ctx.scenario("text_discrete.toml")
    train = load_language(sc.world.corpus).train
    return _discrete(ctx, "text_discrete", "text_discrete.toml", 8, np.bincount(train) / len(train), quick_seeds=40)


def _discrete(ctx: Context, key: str, name: str, block: int, p0: np.ndarray, quick_seeds: int = 100) -> CheckResult:
    """The discrete-loop comparisons for a scenario whose human distribution over K ideas (or words) is ``p0``."""
    sc = ctx.scenario(name)
    text = sc.world.kind == "text"
    N = ctx.n_seeds(quick_seeds, 2000)
    seeds = ctx.seed_range(block, N)
    K, M = len(p0), sc.ai.train_size
    X = ctx.runner.seeds(sc, seeds, "ideas", stop="fixation")
    probs, gs_metric = X[:, :, :K], X[:, :, K]
    g0 = th.gini_simpson(p0)
    gs = 1.0 - (probs**2).sum(axis=2)  # of the learned probabilities, generation n = row + 1
    rows = gs.shape[1]
    n = np.arange(1, rows + 1)

    comparisons = []
    for ng in (M, 2 * M):
        m, se = mean_se(gs_metric[:, ng - 1])
        comparisons.append(
            z_compare(
                f"E[Gini–Simpson] at n = {ng}",
                float(th.discrete_simpson(ng, M, g0)),
                m,
                se,
                f"sample SE over {N} seeds",
                alternative=("no decay, GS₀", g0),
            )
        )
    # One fit loses an idea of probability q with probability (1-q)^M. Counted over the first M fits (from the truth
    # to generation 1, then each refit): over the whole run every chain loses exactly K - 1 ideas, a fixed number.
    q = np.concatenate([np.broadcast_to(p0, (N, 1, K)), probs[:, : M - 1, :]], axis=1)
    present = q > 0
    lost = (probs[:, :M, :] == 0) & present
    expected = np.where(present, (1.0 - q) ** M, 0.0)
    obs_s, exp_s = lost.sum(axis=(1, 2)).astype(float), expected.sum(axis=(1, 2))
    ratio, ratio_se_ = ratio_se(obs_s, exp_s)
    comparisons.append(
        z_compare(
            f"ideas lost in fits 1..{M} / Σ(1−q)ᴹ over those fits",
            1.0,
            ratio,
            ratio_se_,
            f"delta method over {N} seeds; {int(obs_s.sum())} losses observed, {fmt(float(exp_s.sum()))} expected",
        )
    )
    final = probs[:, -1, :]
    fixed = final.max(axis=1) >= 1.0
    unfixed = int((~fixed).sum())
    bound = g0 * (1 - 1 / M) ** rows / (2 * (M - 1) / M**2)
    comparisons.append(
        Comparison(
            f"chains not yet on a single idea at generation {rows}",
            0.0,
            float(unfixed),
            float(unfixed),
            float(unfixed),
            f"exact up to P < {bound * N:.1g} (≤ E[GS]/smallest nonzero GS per seed)",
        )
    )
    winners = np.bincount(final[fixed].argmax(axis=1), minlength=K)
    freq = winners / N
    zk = z_family(K)
    se_k = np.sqrt(p0 * (1 - p0) / N)
    for k in range(K):
        comparisons.append(
            z_compare(
                f"P(chain ends on idea {k + 1}) (p₀ = {fmt(p0[k])})",
                float(p0[k]),
                float(freq[k]),
                float(se_k[k]),
                f"binomial SE under the theory, {N} seeds; z = {zk:.2f} for {K} ideas",
                z=zk,
                alternative=("uniform 1/K", 1.0 / K),
            )
        )
    comparisons.append(exact_compare("metric simpson_recent − 1 + Σ probs_² (max |Δ|)", 0.0, float(np.abs(gs_metric - gs).max())))

    shown = min(rows, 4 * M)
    x = n[:shown]
    m_curve, se_curve = gs_metric[:, :shown].mean(axis=0), gs_metric[:, :shown].std(axis=0, ddof=1) / math.sqrt(N)
    ranks = np.arange(1, K + 1)
    panels = [
        Panel(
            "Discrete loop: Gini–Simpson diversity of the model",
            "generation n",
            "1 − Σ p²",
            chain_band(x, gs_metric[:, :shown], "simulated", SIM)
            + mean_band(x, m_curve, se_curve, "simulated", SIM2)
            + [Series("line", x, th.discrete_simpson(x, M, g0), label="theory: E = (1−1/M)ⁿ GS₀", **THEORY)],
        ),
        Panel(
            "The idea the chain ends on",
            "idea (rank in p₀)",
            "share of chains",
            [
                Series("bars", ranks, freq, zk * np.sqrt(p0 * (1 - p0) / N), f"simulated (±{zk:.2f} SE)", SIM),
                Series("points", ranks, p0, label="theory: p₀(k)", color="black"),
            ],
        ),
    ]
    steps_run = int(np.mean((probs.max(axis=2) < 1.0).sum(axis=1)))
    world = (
        f", text world: {K} words of {sc.world.corpus.rsplit('/', 1)[-1]}, one-word documents, maximum-likelihood unigram (ai.ngram = 1)"
        if text
        else f", K = {K} Zipf ideas (exponent {sc.world.zipf_exponent:g}), dim {sc.world.dim}"
    )
    return CheckResult(
        key,
        "Discrete loop in the text world (one-word documents, unigram)" if text else "Discrete loop (fixed vocabulary)",
        "Refitting a categorical distribution on its own M samples is neutral Wright–Fisher drift: the expected Gini–Simpson "
        "diversity decays as (1−1/M)ⁿ, an idea of probability q is lost with probability (1−q)ᴹ per fit, and the chain ends "
        "on a single idea k with probability p₀(k).",
        "Shumailov et al., Nature 631:755 (2024), Methods, “Discrete distributions with exact approximation”; "
        "Wright–Fisher theory (Ewens, Mathematical Population Genetics I, 2004)",
        setting(sc, seeds, extra=world),
        "Each fit is a multinomial M-sample of the previous probabilities: E[1 − Σp'²] = (1−1/M)(1 − Σp²) exactly, "
        "E[p'] = p (a martingale, so the chain fixes on k with probability p₀(k)); generation 1 is a multinomial "
        "M-sample of the true p₀. Runs stop once the model holds one idea (it can only reproduce it); "
        f"on average after {steps_run} fits.",
        f"scenarios/validation/{name}",
        comparisons,
        panels,
    )
