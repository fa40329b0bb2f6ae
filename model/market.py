"""The market for attention: how AI supply responds to what AI items earn, and its equilibrium.

Each step the audience spends ``platform.attention`` on the step's new items in
proportion to their ranking weight (``model/attention.py``), so one unit of ranking
weight earns the *price* ``p = A / (total weight)``. A lab publishing at ``market``
supply expands output while an item earns more than ``ai.cost`` and contracts while
it earns less, by partial adjustment in logs (a Cobweb-free, Nerlove-style rule)::

    output[t+1] = output[t] * clip((earned / cost) ** adjustment, 1 / max_change, max_change)

Near equilibrium a step closes a share ``adjustment * s`` of the log gap, where ``s``
is the AI items' share of ranking weight; small ``s`` (AI items ranked low) makes the
approach slow unless ``adjustment`` is large, and it is stable while ``adjustment * s < 2``.

In the simplest market (no novelty premium, every human item weighing 1, AI items
``v = ai_visibility``, a fixed expected ``n_h`` human items a step) the AI output settles
where an AI item earns exactly its cost, ``v * p = c``::

    n_ai* = A / c - n_h / v

(:func:`equilibrium_ai_output`), which ``python run.py validate`` checks.
"""

from __future__ import annotations

import math


def next_output(output: float, earned_per_item: float, cost: float, adjustment: float, max_change: float) -> float:
    """Next step's output after an item earned ``earned_per_item`` against ``cost``."""
    if adjustment == 0 or max_change == 1:
        return output
    if cost <= 0:
        return output * max_change  # free to publish: expand as fast as allowed
    ratio = earned_per_item / cost if math.isfinite(earned_per_item) else 1.0
    log_change = adjustment * math.log(ratio) if ratio > 0 else -math.inf
    bound = math.log(max_change)
    return output * math.exp(min(bound, max(-bound, log_change)))


def equilibrium_ai_output(attention: float, cost: float, human_items: float, ai_visibility: float) -> float:
    """Total AI items a step at which an AI item earns its cost, with no novelty premium (0 if humans alone push the price below cost)."""
    if ai_visibility <= 0 or cost <= 0:
        return math.nan
    return max(0.0, attention / cost - human_items / ai_visibility)
