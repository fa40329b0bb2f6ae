"""Creators' accounts: what each active creator earns in a step.

Income is the attention its items receive (``model/attention.py``), a subsidy per
human item (``policy.creator_subsidy``) and a royalty per human item of its used in a
training set this step (``policy.training_royalty``, accrued when models train).
Assisted items' attention is booked separately too, so a creator can tell whether
its AI tool pays.

The ledger also keeps what writing earns on average, smoothed over ``humans.patience``
steps: the expected income of one human item, on which would-be creators decide.
"""

from __future__ import annotations

import numpy as np

from model.attention import income_by_row
from model.web import ASSISTED, HUMAN


class Ledger:
    """Royalties accrued this step, and the smoothed income of a human item."""

    def __init__(self, patience: int):
        self.alpha = 1.0 / patience
        self._royalty_authors: list[np.ndarray] = []
        self._income_sum = 0.0  # smoothed income paid for human items
        self._items_sum = 0.0  # smoothed human items
        self.expected_income = float("nan")  # per human item
        self.policy_payments = 0.0  # subsidies and royalties paid in the last settlement

    def accrue_royalties(self, source: np.ndarray, author: np.ndarray) -> None:
        """A training set used these items: their human authors (creators, not the archive) earn a royalty each."""
        mine = (source == HUMAN) & (author >= 0)
        self._royalty_authors.append(author[mine])

    def settle(self, pop, source, author, paid, n_human, policy) -> tuple[np.ndarray, np.ndarray]:
        """This step's income and tool (assisted) income per active creator row; clears the royalties."""
        rows = pop.rows_of(author) if len(author) else np.zeros(0, np.int64)
        human, assisted = source == HUMAN, source == ASSISTED
        rows = np.where(human | assisted, rows, -1)
        income = income_by_row(np.where(human, rows, -1), paid, pop.size)
        tool_income = income_by_row(np.where(assisted, rows, -1), paid, pop.size)
        income += tool_income + policy.creator_subsidy * n_human
        royalty_ids = np.concatenate(self._royalty_authors) if self._royalty_authors else np.zeros(0, np.int64)
        royalties = 0.0
        if policy.training_royalty and len(royalty_ids):
            r = pop.rows_of(royalty_ids)
            r = r[r >= 0]  # a creator who has left is paid nothing
            income += policy.training_royalty * np.bincount(r, minlength=pop.size)[: pop.size]
            royalties = policy.training_royalty * len(r)
        self._royalty_authors = []

        self.policy_payments = policy.creator_subsidy * float(n_human.sum()) + royalties
        human_income = float(paid[human].sum()) + self.policy_payments
        self._income_sum += self.alpha * (human_income - self._income_sum)
        self._items_sum += self.alpha * (float(n_human.sum()) - self._items_sum)
        if self._items_sum > 0:
            self.expected_income = self._income_sum / self._items_sum
        return income, tool_income
