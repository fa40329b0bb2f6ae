"""The market for attention: how AI supply responds to what AI items earn, and its equilibrium.

Each step the audience spends its attention on the step's new items in proportion to their
ranking weight (``model/attention.py``), so one unit of ranking weight earns the *price*
``p = A / (total weight)``. A lab publishing at ``market`` supply expands output while an
item earns more than the *marginal cost* of its last item and contracts while it earns
less, by partial adjustment in logs (a Nerlove-style rule)::

    output[t+1] = output[t] * clip((earned / mc(output[t])) ** adjustment, 1 / max_change, max_change)

The marginal cost rises with output (:func:`marginal_cost`)::

    mc(q) = cost * (q / q_ref) ** cost_elasticity,    q_ref = audience / labs

with ``audience`` the world's size in creators: at ``cost_elasticity = 0`` every item costs
``ai.cost`` (a flat marginal cost), and AI output is the small difference of two large
numbers, ``A/c - n_h/v``, which any change of ``c`` or ``v`` moves by a large share. A rising
marginal cost (the AI publishing industry is many publishers of different costs, as the
creators are: the cheapest publish first) makes the equilibrium a smooth function of its
parameters. Near equilibrium a step closes a share ``adjustment * (s + cost_elasticity)``
of the log gap, ``s`` the AI items' share of ranking weight; the rule is stable while
that is below 2 and approaches monotonically while it is below 1.

In the simplest market (no novelty premium, every human item weighing 1, AI items
``v = ai_visibility``, a fixed expected ``n_h`` human items a step, ``N`` creators) the
AI output settles where an AI item earns its marginal cost, ``v * p = mc``, that is where::

    v * A / (n_h + v * n_ai) = c * (n_ai / N) ** cost_elasticity

(:func:`equilibrium_ai_output`, which ``python run.py validate`` checks); at
``cost_elasticity = 0`` it is ``n_ai* = A/c - n_h/v``.
"""

from __future__ import annotations

import math

from scipy.optimize import brentq


def marginal_cost(output: float, cost: float, elasticity: float, reference: float) -> float:
    """Cost of a lab's last item when it publishes ``output`` items a step: ``cost * (output / reference) ** elasticity``."""
    if elasticity == 0:
        return cost
    return cost * (max(output, 0.0) / reference) ** elasticity


def next_output(output: float, earned_per_item: float, cost: float, adjustment: float, max_change: float) -> float:
    """Next step's output after an item earned ``earned_per_item`` against the marginal ``cost`` of the last one."""
    if adjustment == 0 or max_change == 1:
        return output
    if cost <= 0:
        return output * max_change  # the last item cost nothing: expand as fast as allowed
    ratio = earned_per_item / cost if math.isfinite(earned_per_item) else 1.0
    log_change = adjustment * math.log(ratio) if ratio > 0 else -math.inf
    bound = math.log(max_change)
    return output * math.exp(min(bound, max(-bound, log_change)))


def equilibrium_ai_output(
    attention: float, cost: float, human_items: float, ai_visibility: float, elasticity: float = 0.0, creators: float = 1.0
) -> float:
    """Total AI items a step at which an AI item earns its marginal cost, with no novelty premium.

    ``attention`` is the total a step (A), ``creators`` the world's size N that the marginal cost
    is reckoned per (``mc = cost * (n_ai / N) ** elasticity`` for symmetric labs). 0 if the
    humans alone push the price below the cost of the first item.
    """
    if ai_visibility <= 0 or cost <= 0:
        return math.nan
    if elasticity == 0:
        return max(0.0, attention / cost - human_items / ai_visibility)

    def excess(n: float) -> float:  # what an item earns over its marginal cost: decreasing in n
        return math.log(ai_visibility * attention / (human_items + ai_visibility * n)) - math.log(cost) - elasticity * math.log(n / creators)

    high = attention / cost + creators  # beyond it an item earns less than its marginal cost
    while excess(high) > 0:
        high *= 2
    return brentq(excess, high * 1e-12, high, xtol=1e-9, rtol=1e-12)
