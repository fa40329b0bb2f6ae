"""Dohmatob et al. (2024): cutting the tail changes the scaling law; more data stops helping (a plateau)."""

from __future__ import annotations

import numpy as np

from experiments.validation.common import SIM, SIM2, SIM3, THEORY, CheckResult, Context, Panel, Series
from experiments.validation.stats import fmt, z_compare, z_family

#: Generation 1's capacity in each arm (0 = it keeps every idea it saw: clean data).
ARMS = (0, 1000, 100)
COLORS = {0: SIM, 1000: SIM3, 100: SIM2}


def _label(k: int) -> str:
    return "clean (no cut)" if k == 0 else f"tail cut at k = {k}"


def check_tail(ctx: Context) -> CheckResult:
    name = "tail_scaling.toml"
    base = ctx.scenario(name)
    sizes = (100, 1000, 10_000) if ctx.quick else (100, 300, 1000, 3000, 10_000, 30_000)
    N = ctx.n_seeds(4, 20)
    seeds = ctx.seed_range(6, N)  # the same seeds in every arm and size: the same archive
    beta = base.world.zipf_exponent
    sim, theory, plateau, variance = {}, {}, {}, {}
    for k in ARMS:
        for T in sizes:
            sc = base.with_overrides({"ai.capacity": k, "ai.items_per_step": float(T)}, "arm")
            X = ctx.runner.seeds(sc, seeds, "missing")
            sim[k, T], theory[k, T], plateau[k, T], variance[k, T] = X[:, 1, 0], X[:, 0, 1], X[:, 0, 2], X[:, 0, 3]
    z = z_family(len(ARMS) * len(sizes))
    comparisons = []
    for k in ARMS:
        for T in sizes:
            diff = float((sim[k, T] - theory[k, T]).mean())
            # The SE under the theory: given each seed's generation 1 the missing mass has variance at
            # most sum_i p_i^2 u_i (1 - u_i) (the sample SE is 0 where every seed sees every kept idea).
            se = float(np.sqrt(variance[k, T].mean() / N))
            expected = float(theory[k, T].mean())
            alt = [("the clean arm's (no cut)", float(sim[0, T].mean()))] if k else [("the plateau of the cut at k = 100", float(plateau[100, T].mean()))]
            comparisons.append(
                z_compare(
                    f"{_label(k)}: generation 2's missing mass, T = {T:,}",
                    expected,
                    expected + diff,
                    se,
                    f"analytic under the theory, {N} seeds; z = {z:.2f} for {len(ARMS) * len(sizes)} comparisons",
                    z=z,
                    alternative=alt,
                )
            )
    Ts = np.array(sizes, float)
    series = []
    for k in ARMS:
        mean = np.array([sim[k, T].mean() for T in sizes])
        series.append(Series("points", Ts, mean, label=f"simulated, {_label(k)}", color=COLORS[k]))
        series.append(Series("line", Ts, np.array([theory[k, T].mean() for T in sizes]), label=f"theory (exact), {_label(k)}", **THEORY))
        if k:
            series.append(Series("hline", Ts, np.full(len(Ts), plateau[k, sizes[-1]].mean()), label=f"plateau: culture's mass beyond the {k} ideas", color=COLORS[k], style=":"))
    slope_ref = np.array([sim[0, sizes[0]].mean() * (T / sizes[0]) ** -(1 - 1 / beta) for T in sizes])
    series.append(Series("line", Ts, slope_ref, label=f"T^-(1 - 1/β) = T^-{1 - 1 / beta:.2f} (Dohmatob et al.'s rate)", color="grey", style="--"))
    panel = Panel("What more data buys: missing mass of a model trained on T items", "T (items in generation 2's training set)", "1 − model_coverage", series, yscale="log", xscale="log")
    rows = [
        [f"{T:,}"] + [f"{fmt(float(sim[k, T].mean()))} ({fmt(float(theory[k, T].mean()))})" for k in ARMS]
        for T in sizes
    ]
    gain = {k: float(sim[k, sizes[0]].mean() / sim[k, sizes[-1]].mean()) for k in ARMS}
    return CheckResult(
        "tail",
        "A cut tail changes the scaling law: more data stops helping",
        "A model that can only reproduce ideas it saw errs, on human culture, with the mass of the ideas it never saw. "
        "Trained on T items of clean data that error keeps falling as T grows (a power law); trained on the output of a "
        "model that kept only its k most frequent ideas, it stops falling at the mass beyond rank k, whatever T: the "
        "scaling law plateaus.",
        "Dohmatob et al., “A Tale of Tails: Model Collapse as a Change of Scaling Laws”, ICML 2024 (arXiv:2402.07043)",
        f"K = {base.world.ideas:,} Zipf ideas (exponent β = {beta:g}), an archive of {base.world.archive_items:,} items = generation 1's "
        f"training set, generation 1's capacity k ∈ {{none, 1000, 100}} (--set ai.capacity=k), generation 2 fitted on the T = "
        f"{', '.join(f'{T:,}' for T in sizes)} items generation 1 publishes (--set ai.items_per_step=T), replace, top_p 1, "
        f"temperature 1, {N} seeds ({seeds.start}–{seeds.stop - 1}), the same in every arm",
        "Dohmatob et al.'s memorizing model: a test item errs when its idea never appeared in training. Generation 1 keeps "
        "idea i with probability q_i (its share of the archive, renormalized over the k kept ideas when capacity cuts); "
        "generation 2 sees T draws from q, so the expected share of culture's items on ideas it cannot produce is exactly "
        "Σ_i p_i (1 − q_i)^T, with p culture's shares, computed from each seed's generation 1. For clean data it falls like "
        f"T^-(1 − 1/β) (Dohmatob et al., Theorem 2.1; {1 - 1 / beta:.2f} here) until the archive's own finite vocabulary shows; "
        "with a cut at k it cannot fall below Σ_{i>k} p_i, the plateau, which for a Zipf law is of order k^-(β−1).",
        f"scenarios/validation/{name}",
        comparisons,
        [panel],
        notes=[
            f"From T = {sizes[0]:,} to T = {sizes[-1]:,} the missing mass falls by a factor {gain[0]:.1f} on clean data, "
            f"{gain[1000]:.1f} with the cut at k = 1000 and {gain[100]:.2f} with the cut at k = 100.",
        ],
        tables=[("Mean missing mass over seeds, simulated (exact expectation)", ["T"] + [_label(k) for k in ARMS], rows)],
    )
