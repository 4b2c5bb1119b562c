"""The restricted master LP of column generation, kept loaded in HiGHS between rounds.

The first round builds the LP over the first candidates (:meth:`_Model.build`); each later
round adds the routes pricing found as new columns (and a row for each capacity that none
of the earlier routes used), so HiGHS re-solves from its last basis instead of from
nothing. Columns and rows are only ever appended: rows 0 … ``rule_row0`` + rules of the
first model keep their meaning, new capacity rows follow them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from corridor.optimize._model import _Model
from corridor.optimize.capacity import TOL, Capacity
from corridor.optimize.lp import LpSolution
from corridor.optimize.plan_result import Candidate, _links

if TYPE_CHECKING:
    from corridor.optimize._pricing import _Search


class _Master:
    """The LP of the first model, extended by the columns later rounds generate.

    Parameters
    ----------
    model : _Model
        The first round's model (its HiGHS instance is kept and extended).
    all_caps : mapping of str to Capacity
        Every capacity of the network (a new route may use one the model has no row for).
    """

    def __init__(self, model: _Model, all_caps: Mapping[str, Capacity]) -> None:
        self.model = model
        self.highs = model.highs.highs
        self.all_caps = all_caps
        self.order = tuple(sorted(all_caps))
        """Every capacity id, in the order of :meth:`cap_prices`."""
        self.position = {cap: i for i, cap in enumerate(self.order)}
        self.n_rows = model.rule_row0 + len(model.rule_rows)
        self.extra_rows: dict[str, int] = {}
        """Capacity id -> row, for the capacities only added routes use."""
        self.cap_rows = np.array(
            [model.cap_row0 + i for i in range(len(model.caps))], dtype=np.int64
        )
        self.cap_pos = np.array([self.position[c.id] for c in model.caps], dtype=np.int64)
        self.columns = len(model.candidates) + model.n_contracts
        self.known = {(x.contract, tuple(_links(x.route))) for x in model.candidates}
        """(contract, link ids) of every route in the LP, not to add one twice (pricing
        adds those of the routes it offers)."""
        self.searches: dict[tuple[int, str, str], _Search | None] = {}
        """The pricing search of each graph's arrays (by id) and origin–destination
        pair, built once per plan: only its weights change from one round to the next."""

    def solve(self) -> LpSolution:
        return self.model.highs.solve()

    def cap_prices(self, dual: np.ndarray) -> np.ndarray:
        """USD/t per use of each capacity (:attr:`order`): minus its row dual where that
        exceeds ``TOL``, else 0 (a capacity without a row is unused: 0)."""
        out = np.zeros(len(self.order))
        out[self.cap_pos] = -dual[self.cap_rows]
        out[out <= TOL] = 0.0
        return out

    def column(self, x: Candidate) -> list[tuple[int, float]]:
        """The rows a candidate's tonnes enter (see :meth:`_Model.column`), with the
        capacity rows added since the first model."""
        out = self.model.column(x)
        out += [(self.extra_rows[c], float(n)) for c, n in x.uses.items() if c in self.extra_rows]
        return out

    def reduced_cost(self, x: Candidate, dual: np.ndarray) -> float:
        """USD/t the objective would change by per tonne moved onto ``x`` (< 0: improves)."""
        return x.cost_usd_per_t - sum(v * float(dual[r]) for r, v in self.column(x))

    def add(self, new: Sequence[Candidate]) -> None:
        """Append ``new`` as columns (pricing has put them in :attr:`known`), first a row
        for each capacity they are the first to use."""
        fresh = sorted(
            {c for x in new for c in x.uses}
            - set(self.extra_rows)
            - {cap.id for cap in self.model.caps}
        )
        if fresh:
            upper = np.array([self.all_caps[c].capacity_t_per_year for c in fresh], dtype=float)
            self.highs.addRows(
                len(fresh),
                np.full(len(fresh), -np.inf),
                upper,
                0,
                np.zeros(len(fresh), dtype=np.int32),
                np.zeros(0, dtype=np.int32),
                np.zeros(0),
            )
            for c in fresh:
                self.extra_rows[c] = self.n_rows
                self.n_rows += 1
            self.cap_rows = np.append(self.cap_rows, [self.extra_rows[c] for c in fresh])
            self.cap_pos = np.append(self.cap_pos, [self.position[c] for c in fresh])
        starts, index, value = [0], [], []
        for x in new:
            entries = sorted(self.column(x))
            index += [r for r, _ in entries]
            value += [v for _, v in entries]
            starts.append(len(index))
        n = len(new)
        self.highs.addCols(
            n,
            np.array([x.cost_usd_per_t for x in new], dtype=float),
            np.zeros(n),
            np.full(n, np.inf),
            len(index),
            np.array(starts[:-1], dtype=np.int32),
            np.array(index, dtype=np.int32),
            np.array(value, dtype=float),
        )
        self.columns += n
