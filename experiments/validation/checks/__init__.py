"""The validation checks, one module per published result.

Every check is a function ``check(ctx) -> CheckResult``: it runs a scenario of
``scenarios/validation/`` over many seeds through the model itself, reads the model's state,
and compares it with the theory (statistics in :mod:`experiments.validation.stats`).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from experiments.validation.checks.accumulate import check_accumulate
from experiments.validation.checks.decoding import check_decoding
from experiments.validation.checks.discrete import check_discrete, check_text_discrete
from experiments.validation.checks.fresh import check_fresh
from experiments.validation.checks.gaussian import check_gaussian_mle, check_gaussian_unbiased
from experiments.validation.checks.market import check_market
from experiments.validation.checks.tail import check_tail
from experiments.validation.checks.text_perplexity import check_text_perplexity
from experiments.validation.common import CheckResult, Context

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
    "decoding": check_decoding,
}


def run_check(key: str, ctx: Context) -> CheckResult:
    start = time.perf_counter()
    result = CHECKS[key](ctx)
    result.seconds = time.perf_counter() - start
    return result
