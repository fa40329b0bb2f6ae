"""Language mode: perplexity in the pure loop, and whether accumulation bounds it (it does not, for n-gram models)."""

from __future__ import annotations

import numpy as np

from experiments.validation.common import SIM, SIM2, CheckResult, Context, Panel, Series, chain_band, setting
from experiments.validation.stats import fmt, mean_se, one_sided, ratio_se, z_compare, z_family

#: Why interpolated Kneser-Ney models do not reproduce a bounded loss under accumulation (docs/ODD.md, section 7.18).
BIASED = (
    "Interpolated Kneser–Ney is a biased estimator: every fit moves probability from the word pairs it saw to its back-off "
    "distributions, and each generation's documents carry that bias into the pool. Under accumulation generation k's "
    "documents weigh 1/k of the pool, so a bias of constant size adds up as Σ 1/k ≈ log n, where the zero-mean errors of "
    "an unbiased fit (Gerstgrasser et al.'s linear models, and this model's Gaussian learner in the `accumulate` check) "
    "add up as Σ 1/k², a bounded sum. The cross-entropy then grows like log n (ρ near 1), slowed by accumulation but "
    "without a bound."
)


def doubling_ratio(increments, m: int) -> float:
    """Rise over generations 2m..4m over the rise over m..2m, for rises ``increments(n)`` from generation n − 1 to n."""
    return sum(increments(n) for n in range(2 * m + 1, 4 * m + 1)) / sum(increments(n) for n in range(m + 1, 2 * m + 1))


def check_text_perplexity(ctx: Context) -> CheckResult:
    name = "text_loop.toml"
    sc_rep = ctx.scenario(name, quick_steps=4)
    # The accumulate arm runs twice as long: boundedness is read from two successive doublings of the generations.
    acc_steps = 4 if ctx.quick else 2 * sc_rep.run.steps
    sc_acc = sc_rep.with_overrides({"policy.data_regime": "accumulate", "ai.train_size": 10**6, "run.steps": acc_steps}, "accumulate arm")
    N = ctx.n_seeds(4, 30)
    seeds = ctx.seed_range(9, N)  # the same seeds in both arms: generation 1 is the same fit
    G, Ga = sc_rep.run.steps + 1, acc_steps + 1
    Pr = ctx.runner.seeds(sc_rep, seeds, "perplexity")[:, :, 0]  # (seeds, generations)
    Pa = ctx.runner.seeds(sc_acc, seeds, "perplexity")[:, :, 0]
    Ha = np.log(Pa)  # cross-entropy per token (nats): the test loss of Gerstgrasser et al.
    dr = np.diff(Pr, axis=1)
    zg = z_family(G - 1)
    comparisons = [
        one_sided(f"replace: rise of perplexity from generation {g + 1} to {g + 2}", *mean_se(dr[:, g]), 0.0, f"{N} seeds; z = {zg:.2f} for {G - 1} steps", z=zg)
        for g in range(G - 1)
    ]
    frac, frac_se = ratio_se(Pa[:, G - 1] - Pa[:, 0], Pr[:, -1] - Pr[:, 0])
    comparisons.append(
        one_sided(f"1 − (accumulate rise) / (replace rise) over generations 1..{G}", 1.0 - frac, frac_se, 0.5, f"delta method over {N} seeds, paired")
    )
    # The growth law: the rise of the cross-entropy over generations 2m..4m against its rise over m..2m.
    m = Ga // 4
    late, early = Ha[:, 4 * m - 1] - Ha[:, 2 * m - 1], Ha[:, 2 * m - 1] - Ha[:, m - 1]
    rho, rho_se = ratio_se(late, early)
    rho_bounded = doubling_ratio(lambda n: 1.0 / n**2, m)  # Gerstgrasser et al.'s unbiased learners: generation n adds ∝ 1/n²
    bounded = z_compare(
        f"accumulate: ρ = (H_{4 * m} − H_{2 * m}) / (H_{2 * m} − H_{m}), the cross-entropy's rise over a doubling of the generations against the doubling before",
        rho_bounded,
        rho,
        rho_se,
        f"delta method over {N} seeds",
        alternative=("logarithmic growth (a constant bias added up as Σ 1/k)", 1.0),
    )
    bounded.known = BIASED
    comparisons.append(bounded)
    n_acc = np.arange(1, Ga + 1)
    slope, _ = np.polyfit(np.log(n_acc), Ha.mean(axis=0), 1)
    limit = f"perplexity {fmt(float(np.exp(Ha[:, 4 * m - 1].mean() + late.mean() * rho / (1.0 - rho))))}" if rho < 1 else "none (ρ ≥ 1)"
    panels = [
        Panel(
            "Perplexity of the models on held-out human English",
            "generation n",
            "perplexity",
            chain_band(np.arange(1, G + 1), Pr, "replace", SIM2) + chain_band(n_acc, Pa, "accumulate", SIM),
        ),
        Panel(
            "Accumulate: cross-entropy against log n (a straight line: logarithmic growth)",
            "generation n",
            "H = log perplexity (nats per word)",
            chain_band(n_acc, Ha, "accumulate", SIM)
            + [Series("line", n_acc, Ha[:, 0].mean() + slope * np.log(n_acc), label=f"H₁ + {slope:.3f} log n", color="black", style="--")],
            xscale="log",
        ),
    ]
    return CheckResult(
        "text_perplexity",
        "Language mode: perplexity rises in the pure loop; accumulation slows the rise and keeps it bounded",
        "Trained only on the previous generation's text, a language model's perplexity on held-out human text rises generation "
        "after generation (Shumailov et al.). When data accumulate instead, the rise is much slower and the test loss stays "
        "bounded: each generation adds a rise ∝ 1/n², a convergent sum (Gerstgrasser et al.).",
        "Shumailov et al., Nature 631:755 (2024), language-model experiments (perplexity on the original test data); "
        "Gerstgrasser et al., arXiv:2404.01413 (COLM 2024), accumulating data",
        setting(sc_rep, seeds, extra=f", text world (English bigram chain), {sc_rep.world.doc_tokens}-word documents, interpolated Kneser–Ney order {sc_rep.ai.ngram}")
        + f"; accumulate arm: policy.data_regime = accumulate, ai.train_size = 10⁶ (every document so far), generations 1–{Ga}",
        "Replace: no closed form; every generation's mean rise of perplexity is above 0 (one-sided, Bonferroni), and the "
        "accumulate arm's rise over the same generations is less than half of it. Accumulate, bounded: the statistic is ρ, the "
        f"rise of the cross-entropy H = log perplexity over generations {2 * m}..{4 * m} divided by its rise over {m}..{2 * m}. "
        f"Gerstgrasser et al.'s bounded loss, rises ∝ 1/n² (E₁ Σ_{{k≤n}} 1/k²), gives ρ = {fmt(rho_bounded)}; a rise ∝ 1/n "
        "(logarithmic growth) gives 1 at every doubling and linear growth, as under replace, 2. The bounded law is reproduced "
        f"when ρ is within 3 SE of {fmt(rho_bounded)}.",
        f"scenarios/validation/{name}",
        comparisons,
        panels,
        notes=[
            (
                f"Mean perplexity at generation 1: {fmt(float(Pr[:, 0].mean()))}; at generation {G}: replace {fmt(float(Pr[:, -1].mean()))}, "
                f"accumulate {fmt(float(Pa[:, G - 1].mean()))}" + (f"; accumulate at generation {Ga}: {fmt(float(Pa[:, -1].mean()))}." if Ga > G else ".")
            ),
            (
                f"Accumulate: least squares over generations 1–{Ga} gives H ≈ H₁ + {slope:.3f} log n (perplexity ∝ n^{slope:.2f}); "
                f"ρ = {fmt(rho)} ± {fmt(rho_se)}. The limit extrapolated from the two doublings (each later doubling adding ρ times the "
                f"one before): {limit}."
            ),
        ],
    )
