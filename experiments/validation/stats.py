"""The statistics of the validation: standard errors over seeds, and the rules by which a number passes.

Tolerances are sampling errors of the seeds run: a simulated number passes when the theory lies
within ``Z = 3`` standard errors of it (for a family of k comparisons of one kind, the z with the
same family-wise error rate, about 0.27%). Exact identities of the code get a floating-point tolerance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

#: Standard errors a simulated number may be from the theory.
Z = 3.0


#: The two-sided error rate of one Z-standard-error comparison (0.27%).
LEVEL = 2.0 * (1.0 - NormalDist().cdf(Z))


#: Tolerance of exact identities (floating point).
EXACT = 1e-9


def z_family(k: int) -> float:
    """z for k comparisons of one kind with the family-wise error rate of a single Z comparison (Bonferroni)."""
    return NormalDist().inv_cdf(1.0 - LEVEL / (2 * k)) if k > 1 else Z


@dataclass
class Comparison:
    """One number of the theory against the simulation.

    It agrees when ``low <= theory <= high``: the accepted band around the simulated value. ``known``
    says why the model is not expected to reproduce this number, when that is known and documented:
    a disagreement with a known reason is reported as a result not reproduced, not as an error.
    """

    quantity: str
    theory: float
    simulated: float
    low: float
    high: float
    rule: str
    alternative: str = ""  # a competing statement and how far the simulation is from it
    known: str = ""  # why the model is not expected to reproduce it (documented), if it is not

    @property
    def passed(self) -> bool:
        return bool(self.low <= self.theory <= self.high)


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


def one_sided(quantity: str, simulated: float, se: float, above: float, how: str, z: float = Z) -> Comparison:
    """Pass when ``simulated`` is more than z standard errors above ``above`` (a one-sided claim)."""
    return Comparison(quantity, above, simulated, float("-inf"), simulated - z * se, f"one-sided: simulated − {z:.2f} SE ≥ {fmt(above)}, SE = {fmt(se)} ({how})")
