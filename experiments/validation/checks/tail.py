"""Dohmatob et al. (2024): cutting the tail of a Zipf distribution at a capacity."""

from __future__ import annotations

import numpy as np

from experiments.validation import theory as th
from experiments.validation.common import SIM, SIM2, THEORY, CheckResult, Context, Panel, Series
from experiments.validation.stats import Comparison, exact_compare, fmt

CAPACITIES = (1, 2, 5, 10, 20, 50, 100, 200, 500)


def check_tail(ctx: Context) -> CheckResult:
    name = "tail_cutting.toml"
    base = ctx.scenario(name)
    N = 3 if ctx.quick else 10
    seeds = ctx.seed_range(6, N)
    K = base.world.ideas
    lost1, lost_end, archive_tail, rises, kept_bad = [], [], [], [], 0
    for k in CAPACITIES:
        sc = base.with_overrides({"ai.capacity": k}, "capacity")
        X = ctx.runner.seeds(sc, seeds, "tail")
        lost = X[:, :, 0]
        kept = X[:, 0, 1]
        archives = X[:, 0, 2:]
        tails = np.array([th.mass_beyond_rank(a, k) for a in archives])
        lost1.append(lost[:, 0])
        lost_end.append(lost[:, -1])
        archive_tail.append(tails)
        rises.append(float(np.max(lost[:, :-1] - lost[:, 1:])))  # > 0 if coverage ever rose
        kept_bad += int((kept != np.minimum(k, (archives > 0).sum(axis=1))).sum())
    lost1, lost_end, archive_tail = np.array(lost1), np.array(lost_end), np.array(archive_tail)
    zipf = th.zipf_weights(K, base.world.zipf_exponent)
    pop_tail = np.array([zipf[k:].sum() for k in CAPACITIES])
    comparisons = [
        exact_compare(
            f"lost mass at generation 1 − archive mass beyond rank k (max |Δ| over {len(CAPACITIES)} capacities × {N} seeds)",
            0.0,
            float(np.abs(lost1 - archive_tail).max()),
        ),
        exact_compare("largest rise of coverage from one generation to the next", 0.0, max(0.0, max(rises)), "coverage never rises"),
        Comparison(
            "(k, seed) pairs where the model keeps ≠ min(k, ideas in archive) ideas",
            0.0,
            float(kept_bad),
            kept_bad,
            kept_bad,
            "exact count",
        ),
    ]
    ks = np.array(CAPACITIES, float)
    panel = Panel(
        "Tail cutting: mass lost with capacity k",
        "capacity k (ideas kept)",
        "lost idea mass (1 − model_coverage)",
        [
            Series("band", ks, lost1.min(axis=1), lost1.max(axis=1), "simulated, generation 1: range over seeds", SIM),
            Series("points", ks, np.median(lost1, axis=1), label="simulated, generation 1: median", color=SIM),
            Series(
                "points",
                ks,
                np.median(lost_end, axis=1),
                label=f"simulated, generation {base.run.steps + 1}: median",
                color=SIM2,
                style="x",
            ),
            Series("line", ks, np.median(archive_tail, axis=1), label="theory: archive mass beyond rank k (median)", **THEORY),
            Series("line", ks, pop_tail, label="reference: Zipf population mass beyond rank k", color="grey", style=":"),
        ],
        yscale="log",
        xscale="log",
    )
    rows = [
        [str(k), fmt(float(archive_tail[i].mean())), fmt(float(lost1[i].mean())), fmt(float(lost_end[i].mean())), fmt(float(pop_tail[i]))]
        for i, k in enumerate(CAPACITIES)
    ]
    return CheckResult(
        "tail",
        "Tail cutting (capacity)",
        "A model that keeps only its top-k ideas loses exactly the archive's idea mass beyond rank k; under replace with no "
        "human writing it never gets that mass back.",
        "Dohmatob et al., “A Tale of Tails: Model Collapse as a Change of Scaling Laws”, ICML 2024 (arXiv:2402.07043)",
        f"K = {K} Zipf ideas (exponent {base.world.zipf_exponent:g}), archive {base.world.archive_items} items = generation 1's "
        f"training set, capacity k ∈ {{{', '.join(map(str, CAPACITIES))}}} (--set ai.capacity=k), generations 1–{base.run.steps + 1}, "
        f"replace, top_p 1, temperature 1, {N} seeds ({seeds.start}–{seeds.stop - 1})",
        "Capacity keeps the k most frequent ideas of the training set; generation 1's training set is the archive, and human "
        "culture is the archive (no creators), so 1 − model_coverage = Σ of the archive's idea shares beyond rank k, exactly. "
        "Later generations train only on ideas the model can produce, so coverage can only fall. The Zipf population tail "
        "is shown for reference: the archive's own ranking makes its tail a little lighter.",
        f"scenarios/validation/{name}",
        comparisons,
        [panel],
        tables=[
            (
                "Mean over seeds",
                ["k", "archive mass beyond rank k", "lost, generation 1", f"lost, generation {base.run.steps + 1}", "Zipf population tail"],
                rows,
            )
        ],
    )
