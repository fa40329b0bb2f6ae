"""Closed forms and exact recursions of the published results (no simulation here).

Notation: ``M`` items per training set, ``n`` the generation (generation n has been
through n fits; generation 1 is fit on an M-sample of the truth), ``sigma2`` the true
per-dimension variance. Every function returns values relative to the truth
(``sigma2 = 1``) unless it says otherwise; the theory is per dimension.

The recursions are exact for the model's sampling scheme (not only asymptotically);
where the paper states an asymptotic or approximate form, both are given and the
difference is reported.
"""

from __future__ import annotations

import math

import numpy as np

# -- special functions (numpy and the standard library only: scipy is not a dependency) --


def digamma(x: float) -> float:
    """psi(x) for x > 0: recurrence up to x >= 10, then the asymptotic series (error < 1e-13)."""
    acc = 0.0
    while x < 10.0:
        acc -= 1.0 / x
        x += 1.0
    x2 = 1.0 / (x * x)
    series = x2 * (1 / 12 - x2 * (1 / 120 - x2 * (1 / 252 - x2 * (1 / 240 - x2 / 132))))
    return acc + math.log(x) - 0.5 / x - series


def trigamma(x: float) -> float:
    """psi'(x) for x > 0: recurrence up to x >= 10, then the asymptotic series (error < 1e-13)."""
    acc = 0.0
    while x < 10.0:
        acc += 1.0 / (x * x)
        x += 1.0
    x2 = 1.0 / (x * x)
    series = 1 / x + x2 / 2 + (x2 / x) * (1 / 6 - x2 * (1 / 30 - x2 * (1 / 42 - x2 / 30)))
    return acc + series


# -- single Gaussian, replace (Shumailov et al. 2024, Thm 3.1) -------------------------


def divisor(M: int, estimator: str) -> int:
    """The variance estimator divides the sum of squares by M (mle) or M - 1 (unbiased)."""
    return M if estimator == "mle" else M - 1


def replace_variance_mean(n: np.ndarray, M: int, estimator: str) -> np.ndarray:
    """E[sigma2_n] / sigma2 = ((M-1)/c)^n: each fit multiplies by chi2_{M-1}/c (c = M or M-1)."""
    return ((M - 1) / divisor(M, estimator)) ** np.asarray(n, float)


def replace_variance_relvar(n: np.ndarray, M: int) -> np.ndarray:
    """Var[sigma2_n] / E[sigma2_n]^2 = (1 + 2/(M-1))^n - 1, for either estimator (a product of n iid chi2)."""
    return (1.0 + 2.0 / (M - 1)) ** np.asarray(n, float) - 1.0


def replace_log_variance(n: np.ndarray, M: int, estimator: str) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of log(sigma2_n / sigma2): n (psi((M-1)/2) + log(2/c)) and n psi'((M-1)/2)."""
    n = np.asarray(n, float)
    per_fit = digamma((M - 1) / 2) + math.log(2.0 / divisor(M, estimator))
    return n * per_fit, n * trigamma((M - 1) / 2)


def replace_median_approx(n: np.ndarray, M: int) -> np.ndarray:
    """The paper's median for the unbiased estimator: sigma2 exp(-n/(M-1))."""
    return np.exp(-np.asarray(n, float) / (M - 1))


def replace_drift(n: np.ndarray, M: int, estimator: str) -> np.ndarray:
    """E[(mu_n - mu_0)^2] / sigma2 per dimension = sum_{g<n} E[sigma2_g]/(M sigma2).

    Fit g+1 draws M items from N(mu_g, sigma2_g) (fit 1 from the truth, sigma2_0 = sigma2),
    and the sample mean is independent of the sample variance, so the increments add.
    Unbiased: exactly n/M. MLE: (1 - r^n) / (M (1 - r)) with r = (M-1)/M.
    """
    n = np.asarray(n, float)
    r = (M - 1) / divisor(M, estimator)
    if r == 1.0:
        return n / M
    return (1.0 - r**n) / (M * (1.0 - r))


# -- discrete loop (Wright-Fisher) ------------------------------------------------------


def gini_simpson(p: np.ndarray) -> float:
    return float(1.0 - np.sum(np.asarray(p, float) ** 2))


def discrete_simpson(n: np.ndarray, M: int, g0: float) -> np.ndarray:
    """E[GS_n] = (1 - 1/M)^n GS_0: one multinomial M-sample per fit (neutral Wright-Fisher)."""
    return g0 * (1.0 - 1.0 / M) ** np.asarray(n, float)


# -- accumulate against replace (Gerstgrasser et al. 2024; Kazdan et al. 2024) ----------


def accumulate(G: int, M: int, estimator: str) -> tuple[np.ndarray, np.ndarray]:
    """Exact E[sigma2_n]/sigma2 and Var(mu_n)/Var(mu_1) for n = 1..G under full accumulation.

    Generation k fits all k*M items (the M real ones and M from each earlier generation).
    With T_k the sum of squares about the pooled mean and c_k = kM or kM - 1:

        mu_{k+1} = mu_k + (xbar_k - mu_k) / (k+1),         xbar_k - mu_k ~ N(0, sigma2_k / M)
        E[T_{k+1}] = E[T_k] (1 + (M - 1/(k+1)) / c_k),      E[T_1] = (M-1) sigma2

    so Var(mu_n)/Var(mu_1) = 1 + sum_{k=1}^{n-1} (E[sigma2_k]/sigma2) / (k+1)^2, which tends to
    pi^2/6 as E[sigma2_k] stays at sigma2 (the paper's statement).
    """
    var = np.empty(G)
    t = M - 1.0  # E[T_1] / sigma2
    for k in range(1, G + 1):
        c = k * M if estimator == "mle" else k * M - 1
        var[k - 1] = t / c
        t *= 1.0 + (M - 1.0 / (k + 1)) / c
    ratio = np.ones(G)
    for n in range(2, G + 1):
        ratio[n - 1] = ratio[n - 2] + var[n - 2] / n**2
    return var, ratio


def accumulate_subsample(G: int, M: int, estimator: str) -> tuple[np.ndarray, np.ndarray]:
    """Exact E[sigma2_n]/sigma2 and Var(mu_n)/Var(mu_1) for n = 1..G when every generation fits a
    fixed-size sample of M items drawn without replacement from everything accumulated (Kazdan et
    al.'s accumulate-subsample), M new items a generation, the first fit on the M real items.

    With x̄_j the mean of generation j's M items (j = 0: the real ones), the pool after generation
    k holds N = (k+1)M items and its mean is P_k = Σ_j x̄_j / (k+1). Generation k+1's mean is the
    mean of a simple random sample of M of them: mu_{k+1} = P_k + xi, Var(xi) = (1 - M/N) S²/M with
    S² the pool's variance (divisor N - 1), whose expectation is

        E[S²] = [ (M - 1) Σ_j E[sigma2_j] + M (tr C - 1'C1/(k+1)) ] / (N - 1),   C = Cov(x̄_0..x̄_k),

    and its fitted variance has E[sigma2_{k+1}] = E[S²](M - 1)/D, D = M (mle) or M - 1 (unbiased).
    Its own items have x̄_{k+1} = mu_{k+1} + eps, Var(eps) = E[sigma2_{k+1}]/M. Every term is a
    second moment of the x̄, so the recursion is exact (sigma2 = 1, E[sigma2_0] = 1).
    """
    d = divisor(M, estimator)
    C = np.array([[1.0 / M]])  # Var(x̄_0)
    var_mu, sig = [1.0 / M], [1.0, (M - 1.0) / d]  # mu_1 = x̄_0; E[sigma2_0], E[sigma2_1]
    cov_mu = C[0].copy()  # Cov(mu_k, x̄_j) for the pool's j
    for k in range(1, G):
        C = np.block([[C, cov_mu[:, None]], [cov_mu[None, :], np.array([[var_mu[-1] + sig[k] / M]])]])
        N = (k + 1) * M
        one = np.ones(k + 1)
        total = one @ C @ one
        s2 = ((M - 1.0) * sum(sig[: k + 1]) + M * (np.trace(C) - total / (k + 1))) / (N - 1)
        var_mu.append(total / (k + 1) ** 2 + (1.0 - M / N) * s2 / M)
        cov_mu = C @ one / (k + 1)
        sig.append(s2 * (M - 1.0) / d)
    var_mu = np.array(var_mu)
    return np.array(sig[1 : G + 1]), var_mu / var_mu[0]


def basel_partial(n: np.ndarray) -> np.ndarray:
    """sum_{k=1}^n 1/k^2, the paper's Var(mu_n)/Var(mu_1) when E[sigma2_k] = sigma2 (-> pi^2/6)."""
    n = np.atleast_1d(np.asarray(n, int))
    cum = np.cumsum(1.0 / np.arange(1, n.max() + 1) ** 2)
    return cum[n - 1]


# -- fresh real data (Bertrand et al. 2024; Alemohammad et al. 2024) ---------------------


def fresh_data(G: int, M: int, real: int, lam: float, archive: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Exact E[(mu_n - mu_0)^2] * M / sigma2 and E[sigma2_n] / sigma2 for n = 1..G, unbiased estimator.

    Each training set holds ``real`` fresh real items (a = real/M) and M - real items sampled
    from the previous generation with variance lam * sigma2_n (lam = temperature^2). With
    V_n = E[(mu_n - mu_0)^2] and s_n = E[sigma2_n], for real items drawn from the truth:

        V_{n+1} = a sigma2/M + (1-a) lam s_n / M + (1-a)^2 V_n
        s_{n+1} = a sigma2 + (1-a) lam s_n + a (1-a) V_n M/(M-1)     (between-group term)

    from V_1 = sigma2/M, s_1 = sigma2. The papers drop the O(1/M) between-group term, which gives
    V_inf = sigma2/(M a(2-a)) at lam = 1 and s_inf = a sigma2/(1 - (1-a) lam).

    ``archive = A``: the real items are drawn without replacement from a finite archive, itself
    an A-sample of the truth, as ``policy.human_reserve`` does (and generation 1 is fit on M
    distinct archive items: the reserve plus a scrape of the other ones). The recursion then runs about the
    archive's mean m_A with its population variance S2 (E[S2] = sigma2 (A-1)/A): a draw of r has
    Var = S2 (A-r)/(r(A-1)), and E[(m_A - mu_0)^2] = sigma2/A is added to V. Every term is the
    exact expectation of the sum of squares sum x^2 - M xbar^2 of the training set.
    """
    a = real / M
    V = np.empty(G)
    s = np.empty(G)
    if archive:
        A = archive
        S2 = (A - 1) / A  # E[S2] / sigma2
        var_real = S2 * (A - real) / (A - 1) * real  # r^2 Var(xbar_r) / sigma2 for r = real
        # Generation 1: M distinct archive items (the reserve, then a scrape of the rest of the archive).
        m_var = S2 * (A - M) / (A - 1)  # M Var(xbar) / sigma2
        v, sv = m_var / M, (M * S2 - m_var) / (M - 1)
    else:
        S2, var_real = 1.0, float(real)
        v, sv = 1.0 / M, 1.0
    for n in range(G):
        V[n], s[n] = v, sv
        # M Var(xbar | F_n) = (var_real + (M - r) lam s) / M; E SS = r S2 + (M - r) lam s - M Var(xbar) + M a (1-a) V
        m_var = (var_real + (M - real) * lam * sv) / M
        v, sv = (
            m_var / M + (1 - a) ** 2 * v,
            (real * S2 + (M - real) * lam * sv - m_var + M * a * (1 - a) * v) / (M - 1),
        )
    if archive:
        V = V + 1.0 / archive
    return V * M, s


def fresh_variance_paper(M: int, a: float) -> float:
    """Bertrand et al.: stationary Var(mu) * M / sigma2 = 1 / (a (2 - a))."""
    return 1.0 / (a * (2.0 - a))


def fresh_fixed_point_paper(a: float, lam: float) -> float:
    """Stationary sigma2_inf / sigma2 = a / (1 - (1-a) lam)."""
    return a / (1.0 - (1.0 - a) * lam)


# -- tail cutting (Dohmatob et al. 2024) -------------------------------------------------


def zipf_weights(K: int, exponent: float) -> np.ndarray:
    p = np.arange(1, K + 1, dtype=float) ** -exponent
    return p / p.sum()


def mass_beyond_rank(counts: np.ndarray, k: int) -> float:
    """Share of items whose idea ranks below the top k by count (ties do not change the mass)."""
    c = np.sort(np.asarray(counts, float))[::-1]
    return float(c[k:].sum() / c.sum())
