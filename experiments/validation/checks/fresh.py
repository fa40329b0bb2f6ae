"""Bertrand et al. (2024), Alemohammad et al. (2024): a fraction of fresh real data each generation stabilises the loop."""

from __future__ import annotations

import math

import numpy as np

from experiments.validation import theory as th
from experiments.validation.common import (
    SIM,
    SIM2,
    THEORY,
    CheckResult,
    Context,
    Panel,
    Series,
    chain_band,
    mean_band,
    setting,
    split_gaussian,
)
from experiments.validation.stats import exact_compare, fmt, mean_se, z_compare


def check_fresh(ctx: Context) -> CheckResult:
    name, name_t = "fresh_data.toml", "fresh_data_temperature.toml"
    sc = ctx.scenario(name, quick_steps=35)
    N = ctx.n_seeds(30, 300)
    N_t = ctx.n_seeds(25, 300)
    seeds, seeds_t = ctx.seed_range(4, N), ctx.seed_range(5, N_t)  # T = 0.8 and 1.2 share seeds
    M, d, s2, G, A = sc.ai.train_size, sc.world.dim, sc.world.item_noise**2, sc.run.steps, sc.world.archive_items
    real = min(round(sc.policy.human_reserve * M), A)
    a = real / M
    n0 = 21  # first generation averaged: (1-a)^2 per fit has shrunk the start by > 1e3 (the theory includes it anyway)
    _, err, _, D = split_gaussian(ctx.runner.seeds(sc, seeds, "gaussian"), d, s2)
    n = np.arange(1, G + 2)
    V_exact, _ = th.fresh_data(G + 1, M, real, 1.0, archive=A)
    window = slice(n0 - 1, G + 1)
    w_mean, w_se = mean_se((D[:, window] * M).mean(axis=1))
    v_paper = th.fresh_variance_paper(M, a)
    comparisons = [
        z_compare(
            f"Var(μ̂)·M/σ², mean over generations {n0}–{G + 1}",
            float(V_exact[window].mean()),
            w_mean,
            w_se,
            f"sample SE over {N} seeds of each seed's average",
            alternative=[("the paper's σ²/(Mα(2−α))", v_paper), ("no fresh data (replace)", float(n[window].mean()))],
        ),
    ]
    panels_t = []
    notes = [
        (
            f"The paper's stationary value σ²/(Mα(2−α)) gives {fmt(v_paper)}; the exact recursion settles at "
            f"{fmt(float(th.fresh_data(400, M, real, 1.0)[0][-1]))} with real data from the truth (the O(1/M) between-group "
            f"term) and at {fmt(float(th.fresh_data(400, M, real, 1.0, archive=A)[0][-1]))} with real data from the "
            f"{A:,}-item archive."
        ),
    ]
    temps = []
    for T in (None, 1.2):
        over = {} if T is None else {"ai.temperature": T}
        sct = ctx.scenario(name_t, quick_steps=35, overrides=over)
        T = sct.ai.temperature
        lam = T**2
        real_t = min(round(sct.policy.human_reserve * M), A)
        at = real_t / M
        Gt = sct.run.steps
        Vt, _, mv, _ = split_gaussian(ctx.runner.seeds(sct, seeds_t, "gaussian"), d, s2)
        s_exact = th.fresh_data(Gt + 1, M, real_t, lam, archive=A)[1]
        wt = slice(n0 - 1, Gt + 1)
        S = Vt.mean(axis=2)
        s_mean, s_se = mean_se(S[:, wt].mean(axis=1))
        fp = th.fresh_fixed_point_paper(at, lam)
        comparisons.append(
            z_compare(
                f"T = {T:g}: σ²ₙ/σ² (learned), mean over generations {n0}–{Gt + 1}",
                float(s_exact[wt].mean()),
                s_mean,
                s_se,
                f"sample SE over {N_t} seeds of each seed's average",
                alternative=[
                    ("the papers' fixed point ασ²/(1−(1−α)λ)", fp),
                    ("temperature ignored (λ = 1)", float(th.fresh_data(Gt + 1, M, real_t, 1.0, archive=A)[1][wt].mean())),
                ],
            )
        )
        identity = float(np.abs(mv - lam * S).max())
        comparisons.append(exact_compare(f"T = {T:g}: metric model_variance − λ·σ²ₙ/σ² (max |Δ|)", 0.0, identity))
        notes.append(
            f"T = {T:g} (λ = {lam:g}), α = {at:g}: the papers' fixed point ασ²/(1−(1−α)λ) = {fmt(fp)}; the exact recursion "
            f"settles at {fmt(float(th.fresh_data(400, M, real_t, lam, archive=A)[1][-1]))}."
        )
        nt = np.arange(1, Gt + 2)
        panels_t.append(
            Panel(
                f"Fresh data (α = {at:g}) at temperature {T:g}: the learned variance's fixed point",
                "generation n",
                "σ²ₙ / σ² (learned; sampled variance is T² times this)",
                chain_band(nt, Vt.transpose(0, 2, 1).reshape(N_t * d, -1), "simulated", SIM)
                + mean_band(nt, S.mean(axis=0), S.std(axis=0, ddof=1) / math.sqrt(N_t), "simulated", SIM2)
                + [
                    Series("line", nt, s_exact, label="theory (exact recursion)", **THEORY),
                    Series("hline", nt, np.full(len(nt), fp), label=f"ασ²/(1−(1−α)T²) = {fmt(fp)}", color="grey", style=":"),
                ],
            )
        )
        temps.append((T, at, Gt))
    chains = N * d
    Dm, Dse = (D * M).mean(axis=0), (D * M).std(axis=0, ddof=1) / math.sqrt(N)
    panels = [
        Panel(
            f"Fresh real data (α = {a:g}): the error of the mean settles",
            "generation n",
            "(μₙ − μ₀)² · M / σ² per dimension",
            chain_band(n, (err**2 * M).transpose(0, 2, 1).reshape(chains, -1), "simulated", SIM)
            + mean_band(n, Dm, Dse, "simulated", SIM2)
            + [
                Series("line", n, V_exact, label="theory (exact recursion)", **THEORY),
                Series("hline", n, np.full(len(n), v_paper), label=f"1/(α(2−α)) = {fmt(v_paper)}", color="grey", style=":"),
                Series("line", n, n.astype(float), label="without fresh data: n", color="black", style="-."),
            ],
            yscale="log",
        ),
        *panels_t,
    ]
    return CheckResult(
        "fresh",
        "Fresh real data",
        "With a share α of fresh real data in every training set (unbiased estimator) the loop is stable: Var(μ̂) settles "
        "at σ²/(Mα(2−α)), and with the sampling variance scaled by λ = T² the learned variance settles at ασ²/(1−(1−α)λ).",
        "Bertrand et al., ICLR 2024 (arXiv:2310.00429); Alemohammad et al., ICLR 2024 (arXiv:2307.01850)",
        setting(sc, seeds)
        + f"; temperature: {name_t} (α = {temps[0][1]:g}, T = {temps[0][0]:g}) and the same with --set ai.temperature=1.2, "
        f"{N_t} seeds ({seeds_t.start}–{seeds_t.stop - 1}), generations 1–{temps[0][2] + 1}",
        "Training set n+1 holds αM real items and (1−α)M items of generation n, so with V = E[(μ−μ₀)²] and s = E[σ²]: "
        "V' = ασ²/M + (1−α)λs/M + (1−α)²V and s' = ασ² + (1−α)λs + α(1−α)V·M/(M−1) (the last term, the spread "
        "between the real and synthetic group means, is O(1/M) and dropped by the papers). With s = σ², λ = 1 the "
        "stationary V is "
        "σ²/(Mα(2−α)); without the O(1/M) term the stationary s is ασ²/(1−(1−α)λ). The test compares the simulation with "
        f"the exact recursion averaged over the same generations. The real items are drawn without replacement from an "
        f"archive of A = {A:,} items, itself a sample of the truth; the recursion accounts for that exactly (it runs about "
        "the archive's mean, and adds the archive's own mean error σ²/A), see theory.fresh_data.",
        f"scenarios/validation/{name}, scenarios/validation/{name_t}",
        comparisons,
        panels,
        notes=notes,
    )
