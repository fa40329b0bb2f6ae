"""The validation checks: each runs a scenario of ``scenarios/validation/`` over many seeds
through the model itself, reads the model's state, and compares it with the theory.

Every check is a function ``check(ctx) -> CheckResult``. Tolerances are sampling errors of
the seeds run: a simulated number passes when the theory lies within ``Z = 3`` standard
errors of it (for a family of k comparisons of one kind, the z with the same family-wise
error rate, about 0.27%). Exact identities of the code get a floating-point tolerance.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from statistics import NormalDist

import numpy as np

from model.market import equilibrium_ai_output
from model.scenario import Scenario, load
from model.validation import theory as th
from model.validation.sim import Runner

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios" / "validation"

#: Standard errors a simulated number may be from the theory.
Z = 3.0
#: The two-sided error rate of one Z-standard-error comparison (0.27%).
LEVEL = 2.0 * (1.0 - NormalDist().cdf(Z))
#: Tolerance of exact identities (floating point).
EXACT = 1e-9
#: Each experiment draws its seeds from its own block of this many.
SEED_BLOCK = 100_000


def z_family(k: int) -> float:
    """z for k comparisons of one kind with the family-wise error rate of a single Z comparison (Bonferroni)."""
    return NormalDist().inv_cdf(1.0 - LEVEL / (2 * k)) if k > 1 else Z


# -- results ----------------------------------------------------------------------------


@dataclass
class Comparison:
    """One number of the theory against the simulation.

    PASS when ``low <= theory <= high``: the accepted band around the simulated value.
    """

    quantity: str
    theory: float
    simulated: float
    low: float
    high: float
    rule: str
    alternative: str = ""  # a competing statement and how far the simulation is from it

    @property
    def passed(self) -> bool:
        return bool(self.low <= self.theory <= self.high)


@dataclass
class Series:
    """One drawn element of a panel: a line, a band between y and y2, bars or points with error bars."""

    kind: str  # line | band | bars | points | hline
    x: np.ndarray
    y: np.ndarray
    y2: np.ndarray | None = None
    label: str = ""
    color: str = "black"
    style: str = "-"


@dataclass
class Panel:
    title: str
    xlabel: str
    ylabel: str
    series: list[Series]
    yscale: str = "linear"
    xscale: str = "linear"


@dataclass
class CheckResult:
    key: str
    title: str
    claim: str
    source: str
    setting: str
    theory: str  # the theory in words and formulas, as tested
    scenario: str  # the scenario file(s), relative to the repository
    comparisons: list[Comparison]
    panels: list[Panel]
    notes: list[str] = field(default_factory=list)
    tables: list[tuple[str, list[str], list[list[str]]]] = field(default_factory=list)  # (caption, header, rows)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.comparisons)


@dataclass
class Context:
    """How a validation is run: quick or full, how many seeds, and the runner (serial or pool)."""

    quick: bool
    runner: Runner
    seeds: int | None = None  # overrides every Monte Carlo check's default number of seeds

    def n_seeds(self, quick: int, full: int) -> int:
        return self.seeds if self.seeds else (quick if self.quick else full)

    def seed_range(self, check: int, n: int) -> range:
        """Seeds of the ``check``-th experiment: its own block, so the checks are independent."""
        return range(SEED_BLOCK * check + 1, SEED_BLOCK * check + n + 1)

    def scenario(self, name: str, quick_steps: int | None = None, overrides: dict | None = None) -> Scenario:
        over = dict(overrides or {})
        if self.quick and quick_steps is not None:
            over["run.steps"] = quick_steps
        return load(SCENARIOS / name, over or None)


# -- statistics -------------------------------------------------------------------------


def mean_se(values: np.ndarray) -> tuple[float, float]:
    """Mean and standard error over independent units (seeds)."""
    v = np.asarray(values, float)
    return float(v.mean()), float(v.std(ddof=1) / math.sqrt(len(v)))


def ratio_se(num: np.ndarray, den: np.ndarray) -> tuple[float, float]:
    """mean(num)/mean(den) over seeds, with its delta-method standard error."""
    r = float(num.mean() / den.mean())
    return r, float((num - r * den).std(ddof=1) / (math.sqrt(len(num)) * den.mean()))


def median_band(values: np.ndarray, z: float = Z) -> tuple[float, float, float]:
    """Sample median and the distribution-free band of order statistics z binomial SEs either side of it.

    The number of values below the true median is Binomial(N, 1/2), so the true median lies
    between the order statistics of ranks N/2 -+ z sqrt(N)/2 with the probability of a z-SE band.
    """
    v = np.sort(np.asarray(values, float))
    n = len(v)
    half = z * math.sqrt(n) / 2.0
    lo = max(0, math.floor(n / 2.0 - half) - 1)
    hi = min(n - 1, math.ceil(n / 2.0 + half) - 1)
    return float(np.median(v)), float(v[lo]), float(v[hi])


def z_compare(quantity: str, theory: float, simulated: float, se: float, how: str, z: float = Z, alternative=None) -> Comparison:
    """Pass when |simulated - theory| <= z se; ``alternative``: (name, value) pairs of competing statements."""
    alts = [alternative] if isinstance(alternative, tuple) else list(alternative or [])
    alt = "; ".join(f"{name} = {fmt(value)} is {abs(simulated - value) / se:.1f} SE away" for name, value in alts)
    return Comparison(quantity, theory, simulated, simulated - z * se, simulated + z * se, f"±{z:.2f} SE, SE = {fmt(se)} ({how})", alt)


def exact_compare(quantity: str, theory: float, simulated: float, what: str = "exact identity") -> Comparison:
    return Comparison(quantity, theory, simulated, simulated - EXACT, simulated + EXACT, f"{what}, |Δ| ≤ {EXACT:g}")


def fmt(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    x = float(x)
    if x == 0:
        return "0"
    if abs(x) >= 1000 or abs(x) < 1e-3:
        return f"{x:.3g}"
    return f"{x:.4g}"


# -- figure helpers ---------------------------------------------------------------------


def chain_band(x, chains, label, color) -> list[Series]:
    """Median of chains (columns of ``chains`` are generations) and its 10-90% band."""
    q10, q50, q90 = np.quantile(chains, [0.1, 0.5, 0.9], axis=0)
    return [
        Series("band", x, q10, q90, f"{label}: 10–90% of chains", color),
        Series("line", x, q50, label=f"{label}: median", color=color),
    ]


def mean_band(x, mean, se, label, color) -> list[Series]:
    """Simulated mean and its ±Z SE band."""
    return [
        Series("band", x, mean - Z * se, mean + Z * se, f"{label}: mean ±{Z:g} SE", color),
        Series("line", x, mean, label=f"{label}: mean", color=color, style="--"),
    ]


THEORY = {"color": "black"}
SIM = "#2b8cbe"
SIM2 = "#e6550d"


def _gaussian(X: np.ndarray, d: int, sigma2: float):
    """Split a gaussian trace: variances/sigma2 (N, rows, d), mean errors/sigma (N, rows, d), metrics."""
    return X[:, :, :d] / sigma2, X[:, :, d : 2 * d] / math.sqrt(sigma2), X[:, :, 2 * d], X[:, :, 2 * d + 1]


def _setting(sc: Scenario, seeds: range, extra: str = "") -> str:
    ai, w = sc.ai, sc.world
    n_seeds = len(seeds)
    chains = f" ({n_seeds * w.dim} chains: d = {w.dim} independent dimensions per seed)" if w.ideas == 1 and w.dim > 1 else ""
    regime = sc.policy.data_regime + (f", human_reserve α = {sc.policy.human_reserve:g}" if sc.policy.human_reserve else "")
    return (
        f"M = {ai.items_per_step:g} items per generation, "
        f"train_size = {ai.train_size if ai.train_size < 10**6 else 'all items (10⁶)'}, "
        f"generations 1–{sc.run.steps + 1} (run.steps = {sc.run.steps}), estimator {ai.variance_estimator}, regime {regime}, "
        f"temperature {ai.temperature:g}, archive {w.archive_items} items, "
        f"{n_seeds} seeds ({seeds.start}–{seeds.stop - 1}){chains}{extra}"
    )


# -- the checks -------------------------------------------------------------------------


def check_gaussian_mle(ctx: Context) -> CheckResult:
    name = "gaussian_mle.toml"
    sc = ctx.scenario(name, quick_steps=40)
    N = ctx.n_seeds(30, 300)
    seeds = ctx.seed_range(0, N)
    M, d, s2, G = sc.ai.train_size, sc.world.dim, sc.world.item_noise**2, sc.run.steps
    V, _, model_variance, _ = _gaussian(ctx.runner.seeds(sc, seeds, "gaussian"), d, s2)
    n = np.arange(1, G + 2)
    nf = G + 1
    final = V[:, -1, :]
    chains = N * d

    e_theory = float(th.replace_variance_mean(nf, M, "mle"))
    se_mean = e_theory * math.sqrt(float(th.replace_variance_relvar(nf, M)) / chains)
    _, se_sample = mean_se(final.mean(axis=1))
    log_mean, log_var = th.replace_log_variance(nf, M, "mle")
    _, se_log_sample = mean_se(np.log(final).mean(axis=1))
    comparisons = [
        z_compare(
            f"E[σ²ₙ]/σ² at n = {nf}",
            e_theory,
            float(final.mean()),
            se_mean,
            f"analytic under the theory, Var σ²ₙ = E² ((1+2/(M−1))ⁿ − 1), {chains} chains; sample SE {fmt(se_sample)}",
            alternative=("no collapse, E[σ²ₙ]/σ²", 1.0),
        ),
        z_compare(
            f"E[log(σ²ₙ/σ²)] at n = {nf}",
            float(log_mean),
            float(np.log(final).mean()),
            math.sqrt(float(log_var) / chains),
            f"analytic, Var = n ψ′((M−1)/2) over {chains} chains; sample SE {fmt(se_log_sample)}",
        ),
        exact_compare(
            "metric model_variance − the learner's σ²ₙ/σ² (max |Δ|, all steps and seeds)",
            0.0,
            float(np.abs(model_variance - V.mean(axis=2)).max()),
        ),
    ]
    mean_curve = V.mean(axis=(0, 2))
    se_curve = th.replace_variance_mean(n, M, "mle") * np.sqrt(th.replace_variance_relvar(n, M) / chains)
    per_chain = V.transpose(0, 2, 1).reshape(chains, -1)
    log_curve, _ = th.replace_log_variance(n, M, "mle")
    panel = Panel(
        "Single Gaussian, replace, MLE: learned variance per generation",
        "generation n",
        "σ²ₙ / σ²",
        chain_band(n, per_chain, "simulated", SIM)
        + mean_band(n, mean_curve, se_curve, "simulated", SIM2)
        + [
            Series("line", n, th.replace_variance_mean(n, M, "mle"), label="theory: E[σ²ₙ] = σ²((M−1)/M)ⁿ", **THEORY),
            Series("line", n, np.exp(log_curve), label="theory: exp E[log σ²ₙ] (≈ median)", color="black", style=":"),
        ],
        yscale="log",
    )
    return CheckResult(
        "gaussian_mle",
        "Single Gaussian, replace, MLE",
        "Refitting a Gaussian by maximum likelihood on its own M samples shrinks the expected variance "
        "geometrically: E[σ²ₙ] = σ²((M−1)/M)ⁿ.",
        "Shumailov et al., Nature 631:755 (2024), Thm 3.1 (“Gaussian model collapse”; arXiv:2305.17493)",
        _setting(sc, seeds),
        "Each MLE fit multiplies the variance by an independent χ²_{M−1}/M, so E[σ²ₙ] = σ²((M−1)/M)ⁿ exactly, "
        "Var[σ²ₙ] = E[σ²ₙ]²((1+2/(M−1))ⁿ − 1), and E[log σ²ₙ/σ²] = n(ψ((M−1)/2) + log(2/M)). "
        "The mean is tested with the analytic SE of the theory (the right tail is heavy, so a sample SE is unreliable); "
        "the mean log, which is light-tailed, tests the whole distribution.",
        f"scenarios/validation/{name}",
        comparisons,
        [panel],
        notes=[
            (
                f"Median σ²ₙ/σ² at n = {nf}: {fmt(float(np.median(final)))} (exp E[log] = {fmt(math.exp(log_mean))}); "
                "the mean sits above the median because the distribution is right-skewed."
            ),
        ],
    )


def check_gaussian_unbiased(ctx: Context) -> CheckResult:
    name = "gaussian_unbiased.toml"
    sc = ctx.scenario(name, quick_steps=40)
    N = ctx.n_seeds(30, 300)
    seeds = ctx.seed_range(1, N)
    M, d, s2, G = sc.ai.train_size, sc.world.dim, sc.world.item_noise**2, sc.run.steps
    V, err, _, mean_error = _gaussian(ctx.runner.seeds(sc, seeds, "gaussian"), d, s2)
    n = np.arange(1, G + 2)
    nf = G + 1
    final = V[:, -1, :].ravel()
    chains = N * d

    med, lo, hi = median_band(final)
    paper_median = float(th.replace_median_approx(nf, M))
    log_mean, _ = th.replace_log_variance(nf, M, "unbiased")
    se_log_med = (math.log(hi) - math.log(lo)) / (2 * Z)
    drift = err**2  # (N, rows, d): (mu_n - mu_0)^2 / sigma2 per dimension
    D = drift.mean(axis=2)  # per seed (the metric model_mean_error)
    slope = D @ n / (n @ n)  # least squares through the origin, per seed
    slope_mean, slope_se = mean_se(slope)
    e_se = math.sqrt(float(th.replace_variance_relvar(nf, M)) / chains)
    comparisons = [
        Comparison(
            f"median σ²ₙ/σ² at n = {nf}",
            paper_median,
            med,
            lo,
            hi,
            f"order statistics ±{Z:g} binomial SE around the median of {chains} chains (distribution-free)",
            f"no collapse, median = 1, is {abs(math.log(med)) / se_log_med:.1f} SE away (in log)",
        ),
        z_compare(
            f"E[σ²ₙ]/σ² at n = {nf} (a martingale)",
            1.0,
            float(final.mean()),
            e_se,
            f"analytic under the theory, Var σ²ₙ = σ⁴((1+2/(M−1))ⁿ − 1), {chains} chains",
        ),
        z_compare(
            f"slope of E[(μₙ−μ₀)²]/σ² against n, n = 1..{nf}",
            1.0 / M,
            slope_mean,
            slope_se,
            f"sample SE over {N} seeds of each seed's least-squares slope",
            alternative=("no drift, slope", 0.0),
        ),
        exact_compare("metric model_mean_error − the learner's (μₙ−μ₀)²/σ² (max |Δ|)", 0.0, float(np.abs(mean_error - D).max())),
    ]
    per_chain_v = V.transpose(0, 2, 1).reshape(chains, -1)
    per_chain_d = drift.transpose(0, 2, 1).reshape(chains, -1)
    Dm, Dse = D.mean(axis=0), D.std(axis=0, ddof=1) / math.sqrt(N)
    Vs = V.mean(axis=2)
    panels = [
        Panel(
            "Unbiased estimator: the median variance collapses, the mean does not",
            "generation n",
            "σ²ₙ / σ²",
            chain_band(n, per_chain_v, "simulated", SIM)
            + mean_band(n, Vs.mean(axis=0), np.sqrt(th.replace_variance_relvar(n, M) / chains), "simulated", SIM2)
            + [
                Series("line", n, th.replace_median_approx(n, M), label="theory: median ≈ σ² exp(−n/(M−1))", **THEORY),
                Series("hline", n, np.ones_like(n, dtype=float), label="theory: E[σ²ₙ] = σ²", color="black", style=":"),
            ],
            yscale="log",
        ),
        Panel(
            "The mean drifts as a random walk",
            "generation n",
            "(μₙ − μ₀)² / σ² per dimension",
            chain_band(n, per_chain_d, "simulated", SIM)
            + mean_band(n, Dm, Dse, "simulated", SIM2)
            + [Series("line", n, n / M, label="theory: E = n/M", **THEORY)],
        ),
    ]
    return CheckResult(
        "gaussian_unbiased",
        "Single Gaussian, replace, unbiased",
        "With the unbiased estimator the variance is a martingale that still collapses: the median σ²ₙ ≈ σ² exp(−n/(M−1)) "
        "while E[σ²ₙ] = σ²; the mean drifts, E‖μₙ−μ₀‖²/d = nσ²/M.",
        "Shumailov et al., Nature 631:755 (2024), Thm 3.1 (“Gaussian model collapse”; arXiv:2305.17493)",
        _setting(sc, seeds),
        "Each fit multiplies the variance by χ²_{M−1}/(M−1): E[σ²ₙ] = σ², and log σ²ₙ is a sum of n iid terms of mean "
        f"ψ((M−1)/2) + log(2/(M−1)) ≈ −1/(M−1), so the median is σ² exp(−n/(M−1)) up to O(n/M²) (exactly exp E[log] = "
        f"{fmt(math.exp(log_mean))} vs {fmt(paper_median)} at n = {nf}, far inside the band). The sample mean is independent of "
        "the sample variance, so E[(μₙ−μ₀)²] = Σ_{g<n} E[σ²_g]/M = nσ²/M exactly.",
        f"scenarios/validation/{name}",
        comparisons,
        panels,
        notes=[
            (
                f"Share of chains with σ²ₙ < σ²/10 at n = {nf}: {fmt(float((final < 0.1).mean()))}; "
                f"largest σ²ₙ/σ²: {fmt(float(final.max()))}. A few chains far above σ² hold the mean at 1 while most "
                "collapse: test medians or logs, not means, for collapse."
            ),
            f"E[(μₙ−μ₀)²]/σ² at n = {nf}: simulated {fmt(float(Dm[-1]))} ± {fmt(float(Dse[-1]))}, theory {fmt(nf / M)}.",
        ],
    )


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
        _setting(sc, seeds, extra=world),
        "Each fit is a multinomial M-sample of the previous probabilities: E[1 − Σp'²] = (1−1/M)(1 − Σp²) exactly, "
        "E[p'] = p (a martingale, so the chain fixes on k with probability p₀(k)); generation 1 is a multinomial "
        "M-sample of the true p₀. Runs stop once the model holds one idea (it can only reproduce it); "
        f"on average after {steps_run} fits.",
        f"scenarios/validation/{name}",
        comparisons,
        panels,
    )


def check_accumulate(ctx: Context) -> CheckResult:
    name = "accumulate.toml"
    sc_acc = ctx.scenario(name, quick_steps=25)
    M = sc_acc.ai.items_per_step
    M = int(M)
    sc_rep = sc_acc.with_overrides({"policy.data_regime": "replace", "ai.train_size": M}, "replace arm")
    N = ctx.n_seeds(30, 300)
    seeds = ctx.seed_range(3, N)  # the same seeds in both arms: a paired comparison (generation 1 is the same fit)
    d, s2, G = sc_acc.world.dim, sc_acc.world.item_noise**2, sc_acc.run.steps
    est = sc_acc.ai.variance_estimator
    Va, _, _, Da = _gaussian(ctx.runner.seeds(sc_acc, seeds, "gaussian"), d, s2)
    Vr, _, _, Dr = _gaussian(ctx.runner.seeds(sc_rep, seeds, "gaussian"), d, s2)
    n = np.arange(1, G + 2)
    nf = G + 1
    var_acc, ratio_acc = th.accumulate(nf, M, est)
    ratio_rep = th.replace_drift(n, M, est) * M
    var_rep = th.replace_variance_mean(n, M, est)
    chains = N * d

    Ra, Ra_se = ratio_se(Da[:, -1], Da[:, 0])
    Rr, Rr_se = ratio_se(Dr[:, -1], Dr[:, 0])
    va_mean, va_se = mean_se(Va[:, -1, :].mean(axis=1))
    vr_se = float(var_rep[-1]) * math.sqrt(float(th.replace_variance_relvar(nf, M)) / chains)
    comparisons = [
        z_compare(
            f"accumulate: Var(μₙ)/Var(μ₁) at n = {nf}",
            float(ratio_acc[-1]),
            Ra,
            Ra_se,
            f"delta method over {N} seeds",
            alternative=[("π²/6 (the n → ∞ limit with E[σ²] = σ²)", math.pi**2 / 6), ("replace", float(ratio_rep[-1]))],
        ),
        z_compare(
            f"replace: Var(μₙ)/Var(μ₁) at n = {nf}",
            float(ratio_rep[-1]),
            Rr,
            Rr_se,
            f"delta method over {N} seeds",
            alternative=("π²/6", math.pi**2 / 6),
        ),
        z_compare(
            f"accumulate: E[σ²ₙ]/σ² at n = {nf}",
            float(var_acc[-1]),
            va_mean,
            va_se,
            f"sample SE over {N} seeds",
            alternative=("replace", float(var_rep[-1])),
        ),
        z_compare(
            f"replace: E[σ²ₙ]/σ² at n = {nf}",
            float(var_rep[-1]),
            float(Vr[:, -1, :].mean()),
            vr_se,
            f"analytic under the theory, {chains} chains",
            alternative=("accumulate", float(var_acc[-1])),
        ),
    ]

    def ratio_curve(D):
        r = D.mean(axis=0) / D[:, 0].mean()
        se = (D - r[None, :] * D[:, [0]]).std(axis=0, ddof=1) / (math.sqrt(N) * D[:, 0].mean())
        return r, se

    ra, rase = ratio_curve(Da)
    rr, rrse = ratio_curve(Dr)
    panels = [
        Panel(
            "Error of the mean: accumulate stays bounded, replace grows",
            "generation n",
            "Var(μₙ) / Var(μ₁)",
            mean_band(n, ra, rase, "accumulate", SIM)
            + mean_band(n, rr, rrse, "replace", SIM2)
            + [
                Series("line", n, ratio_acc, label="theory, accumulate (exact)", **THEORY),
                Series("line", n, ratio_rep, label="theory, replace: Σ((M−1)/M)ᵍ ≈ n", color="black", style="-."),
                Series("hline", n, np.full(len(n), math.pi**2 / 6), label="π²/6", color="grey", style=":"),
            ],
            yscale="log",
        ),
        Panel(
            "Learned variance: no collapse with accumulation",
            "generation n",
            "σ²ₙ / σ²",
            chain_band(n, Va.transpose(0, 2, 1).reshape(chains, -1), "accumulate", SIM)
            + chain_band(n, Vr.transpose(0, 2, 1).reshape(chains, -1), "replace", SIM2)
            + [
                Series("line", n, var_acc, label="theory E, accumulate", **THEORY),
                Series("line", n, var_rep, label="theory E, replace: ((M−1)/M)ⁿ", color="black", style="-."),
            ],
            yscale="log",
        ),
    ]
    q05 = float(np.quantile(Va[:, -1, :], 0.05))
    return CheckResult(
        "accumulate",
        "Accumulate against replace",
        "Accumulating all data keeps the error of the mean bounded, Var(μₙ)/Var(μ₁) → π²/6, and the variance does not "
        "collapse; replacing the data makes the error grow linearly in n and the variance collapse.",
        "Gerstgrasser et al., arXiv:2404.01413 (COLM 2024); Kazdan et al., arXiv:2410.16713 (2024)",
        _setting(sc_acc, seeds) + f"; replace arm: the same with policy.data_regime = replace, ai.train_size = {M}",
        "Generation k fits all kM items, so μ_{k+1} = μ_k + (x̄_k − μ_k)/(k+1) and Var(μₙ)/Var(μ₁) = 1 + Σ_{k=2}^{n} "
        "E[σ²_{k−1}]/σ²/k², which is Σ 1/k² → π²/6 when E[σ²] = σ². The exact E[σ²_k] follows from the pooled sum "
        "of squares, E[T_{k+1}] = E[T_k](1 + (M − 1/(k+1))/(kM)) (theory.accumulate): it stays within O(1/M) of σ². "
        f"At n = {nf}: exact ratio {fmt(float(ratio_acc[-1]))}, Σ_{{k≤n}} 1/k² = {fmt(float(th.basel_partial([nf])[0]))}, "
        f"π²/6 = {fmt(math.pi**2 / 6)}. Replace (MLE): Var(μₙ)/Var(μ₁) = Σ_{{g<n}} ((M−1)/M)ᵍ, linear up to O(n²/M), and "
        "E[σ²ₙ] = σ²((M−1)/M)ⁿ.",
        f"scenarios/validation/{name}",
        comparisons,
        panels,
        notes=[
            f"5% quantile of σ²ₙ/σ² at n = {nf}: accumulate {fmt(q05)}, replace {fmt(float(np.quantile(Vr[:, -1, :], 0.05)))}.",
        ],
    )


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
    _, err, _, D = _gaussian(ctx.runner.seeds(sc, seeds, "gaussian"), d, s2)
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
        Vt, _, mv, _ = _gaussian(ctx.runner.seeds(sct, seeds_t, "gaussian"), d, s2)
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
        _setting(sc, seeds)
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


def check_market(ctx: Context) -> CheckResult:
    name = "market_equilibrium.toml"
    sc = ctx.scenario(name, quick_steps=60)
    N = ctx.n_seeds(30, 200)
    seeds = ctx.seed_range(7, N)
    X = ctx.runner.seeds(sc, seeds, "market")
    ai_items, human_items = X[:, 1:, 0], X[:, 1:, 1]
    h, ai, pf = sc.humans, sc.ai, sc.platform
    n_h = h.count * h.productivity
    target = equilibrium_ai_output(pf.attention, ai.cost, n_h, pf.ai_visibility)
    first = sc.run.steps // 2  # the second half: the plateau
    plateau = ai_items[:, first:].mean(axis=1)
    mean, se = mean_se(plateau)
    humans_mean, humans_se = mean_se(human_items[:, first:].mean(axis=1))
    steps = np.arange(1, sc.run.steps + 1)
    comparisons = [
        z_compare(f"AI items a step, mean over steps {first + 1}–{sc.run.steps}", target, mean, se, f"{N} seeds"),
        z_compare(f"human items a step (n_h), mean over steps {first + 1}–{sc.run.steps}", n_h, humans_mean, humans_se, f"{N} seeds"),
    ]
    q10, q50, q90 = np.quantile(ai_items, [0.1, 0.5, 0.9], axis=0)
    panel = Panel(
        "The simplest market: AI output settles where an AI item earns its cost",
        "step (month)",
        "AI items published in the step",
        [
            Series("band", steps, q10, q90, "simulated: 10–90% of seeds", SIM),
            Series("line", steps, ai_items.mean(axis=0), label="simulated: mean", color=SIM),
            Series("hline", steps, np.full(len(steps), target), label="theory: n_ai* = A/c − n_h/v", **THEORY),
        ],
    )
    return CheckResult(
        "market",
        "Market equilibrium (AI supply)",
        "With AI supply responding to what an AI item earns against its cost, AI output settles at the zero-profit "
        "equilibrium n_ai* = A/c − n_h/v.",
        "The model's market (docs/ODD.md): the zero-profit condition of a competitive industry at constant cost",
        f"A = {pf.attention:g}, c = {ai.cost:g}, v = {pf.ai_visibility:g}, {h.count} creators × {h.productivity:g} items "
        f"(n_h = {n_h:g}), no novelty premium, no entry or exit, no AI tools, {ai.models} models starting at "
        f"{ai.items_per_step:g} items each, adjustment {ai.adjustment:g}, max_change {ai.max_change:g}; "
        f"steps 1–{sc.run.steps}, {N} seeds ({seeds.start}–{seeds.stop - 1})",
        "A unit of ranking weight earns p = A / (n_h + v n_ai); an AI item earns v p. Output follows "
        "output ← output · clip((v p / c)^adjustment, 1/max_change, max_change), whose fixed point is v p = c, so "
        f"n_ai* = A/c − n_h/v = {fmt(target)}. Human items are Poisson with mean n_h, so the plateau fluctuates "
        "around n_ai*; the Jensen bias of the log rule is of order Var(n_h)/n² and far below the standard error.",
        f"scenarios/validation/{name}",
        comparisons,
        [panel],
    )


def one_sided(quantity: str, simulated: float, se: float, above: float, how: str, z: float = Z) -> Comparison:
    """Pass when ``simulated`` is more than z standard errors above ``above`` (a one-sided claim)."""
    return Comparison(quantity, above, simulated, float("-inf"), simulated - z * se, f"one-sided: simulated − {z:.2f} SE ≥ {fmt(above)}, SE = {fmt(se)} ({how})")


def at_most(quantity: str, simulated: float, se: float, bound: float, how: str, z: float = Z) -> Comparison:
    """Pass when ``simulated`` is within z standard errors of ``bound`` or below it (a one-sided claim)."""
    return Comparison(quantity, bound, simulated, simulated - z * se, float("inf"), f"one-sided: simulated − {z:.2f} SE ≤ {fmt(bound)}, SE = {fmt(se)} ({how})")


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
    slowed = at_most(
        f"accumulate: ρ = (H_{4 * m} − H_{2 * m}) / (H_{2 * m} − H_{m}), the cross-entropy's rise over a doubling of the generations against the doubling before",
        rho,
        rho_se,
        1.0,
        f"delta method over {N} seeds",
    )
    slowed.alternative = f"bounded as for an unbiased learner (rise ∝ 1/n², Gerstgrasser et al.), ρ = {fmt(rho_bounded)}, is {abs(rho - rho_bounded) / rho_se:.1f} SE away"
    comparisons.append(slowed)
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
        "Language mode: perplexity rises in the pure loop; accumulation slows it to at most logarithmic growth",
        "Trained only on the previous generation's text, a language model's perplexity on held-out human text rises generation "
        "after generation. When data accumulate instead, generation k's documents are 1/k of what the next model learns from, "
        "so a learner's bias adds up as Σ 1/k ≈ log n rather than n: the cross-entropy rises no faster than log n. An unbiased "
        "learner would stay bounded (Gerstgrasser et al.: errors ∝ 1/n², a convergent sum); Kneser–Ney smoothing is biased "
        "(it moves probability to its back-off distribution at every fit), so bounded is not what this learner can show.",
        "Shumailov et al., Nature 631:755 (2024), language-model experiments (perplexity on the original test data); "
        "Gerstgrasser et al., arXiv:2404.01413 (COLM 2024), accumulating data",
        _setting(sc_rep, seeds, extra=f", text world (English bigram chain), {sc_rep.world.doc_tokens}-word documents, interpolated Kneser–Ney order {sc_rep.ai.ngram}")
        + f"; accumulate arm: policy.data_regime = accumulate, ai.train_size = 10⁶ (every document so far), generations 1–{Ga}",
        "Replace: no closed form; every generation's mean rise of perplexity is above 0 (one-sided, Bonferroni), and the "
        "accumulate arm's rise over the same generations is less than half of it. Accumulate, growth law: with generation k "
        "weighing 1/k in the pool (a stochastic approximation with step 1/k), a bias of the learner adds ∝ 1/n at generation n, "
        f"logarithmic growth. The statistic is ρ, the rise of the cross-entropy H = log perplexity over generations {2 * m}..{4 * m} "
        f"divided by its rise over {m}..{2 * m}: a rise ∝ 1/n gives ρ = 1 at every doubling, a rise that shrinks faster (the pool "
        f"nearing the fixed point of the biased fit) less, and linear growth, as under replace, 2. With rises ∝ 1/n² (Gerstgrasser "
        f"et al., unbiased learners: E₁ Σ_{{k≤n}} 1/k², bounded) ρ = {fmt(rho_bounded)}. Passes when ρ is at most 1 within 3 SE "
        "(one-sided).",
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


#: Every check, in report order.
CHECKS: dict[str, Callable[[Context], CheckResult]] = {
    "gaussian_mle": check_gaussian_mle,
    "gaussian_unbiased": check_gaussian_unbiased,
    "discrete": check_discrete,
    "accumulate": check_accumulate,
    "fresh": check_fresh,
    "tail": check_tail,
    "market": check_market,
    "text_discrete": check_text_discrete,
    "text_perplexity": check_text_perplexity,
}


def run_check(key: str, ctx: Context) -> CheckResult:
    start = time.perf_counter()
    result = CHECKS[key](ctx)
    result.seconds = time.perf_counter() - start
    return result
