"""Agent data: what the DataCollector records of every agent at every step when ``run.agent_data`` is on.

One table through Mesa's agent reporters, so ``model.datacollector.get_agent_vars_dataframe()``
and ``mesa.batch_run`` return it on Mesa 3.3 and 3.5 alike: one row per agent and step,
indexed by ``Step`` and ``AgentID``. A creator's AgentID is its creator id, the ``author``
of its items on the web; an AI model's is ``-1 - lab``. ``kind`` says which an agent is;
a number that does not apply to that kind is NaN (``uses_tool`` is False for AI models, so
the column stays boolean).

Off by default: Mesa calls a reporter per agent per column per step, which makes a default
run 1.6 (Mesa 3.3) to 2.1 (Mesa 3.5) times as long (``benchmarks/agent_data_cost.py``). The model computes every agent's row
in bulk before each collection (:func:`rows`), so a reporter only picks from it.
"""

from __future__ import annotations

NAN = float("nan")
#: The columns: what an agent is; a creator's income and income minus cost last step, whether it
#: publishes through an AI tool, its items last step (human and assisted) and since it entered;
#: an AI model's generation (fits so far), output (items it means to publish a step) and the
#: human share of its latest training set.
COLUMNS = ("kind", "income", "margin", "uses_tool", "items", "items_total", "generation", "output", "training_human_share")


def rows(model) -> dict[int, tuple]:
    """Every agent's row of the table now, by AgentID, computed in bulk (the reporters only pick from it)."""
    pop = model.creators
    creators = zip(pop.income.tolist(), (pop.income - pop.spent).tolist(), pop.adopted.tolist(), pop.items.tolist(), pop.items_total.tolist())
    table = {i: ("creator", *values, NAN, NAN, NAN) for i, values in zip(pop.id.tolist(), creators)}
    for m in model.ai_models:
        table[m.unique_id] = ("ai_model", NAN, NAN, False, NAN, NAN, float(m.generation), float(m.output), float(m.training_human_share))
    return table


class Column:
    """The reporter of one column: it picks the agent's value from the rows the model computed."""

    def __init__(self, index: int):
        self.index = index

    def __call__(self, agent):
        return agent.model.agent_rows[agent.unique_id][self.index]


#: Column name -> reporter, in the table's order.
REPORTERS = {name: Column(i) for i, name in enumerate(COLUMNS)}
