"""Budgeted selection: the set of projects of greatest net present value under a budget.

A 0–1 programme solved in HiGHS over *items*: every project alone and every evaluated
combination of projects (:data:`corridor.invest.evaluate.COMBINATIONS`). Variables: one
binary per item. Maximise Σ NPV × x subject to Σ capex × x ≤ budget and, for every project,
Σ x over the items containing it ≤ 1 (a project is bought once, alone or within one
combination). Items of negative NPV are never chosen.

Approximation: the benefits of items chosen together are added; interactions are captured
only inside the evaluated combinations. Two projects outside a common combination are taken
to act independently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import product

import highspy
import numpy as np

from corridor.errors import RequestError
from corridor.optimize.lp import _silence_banner


@dataclass(frozen=True)
class Item:
    """One choice: the projects it buys, its capex and its net present value."""

    ids: tuple[str, ...]
    capex_usd: float
    npv_usd: float


@dataclass(frozen=True)
class Selection:
    chosen: tuple[int, ...]
    """Indices of the chosen items."""
    npv_usd: float
    capex_usd: float


def _check(items: Sequence[Item], budget: float) -> None:
    if not budget >= 0:
        raise RequestError(f"the budget must be a non-negative number of USD, not {budget}")
    for it in items:
        if it.capex_usd < 0:
            raise RequestError(f"item {'+'.join(it.ids)}: capex must not be negative")


def select(items: Sequence[Item], budget: float) -> Selection:
    """The best set of items within ``budget`` (a MILP in HiGHS)."""
    _check(items, budget)
    if not items:
        return Selection((), 0.0, 0.0)
    projects = sorted({p for it in items for p in it.ids})
    n = len(items)
    _silence_banner()
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    lp = highspy.HighsLp()
    lp.num_col_ = n
    rows: list[list[tuple[int, float]]] = [[(j, it.capex_usd) for j, it in enumerate(items)]]
    upper = [float(budget)]
    for p in projects:
        rows.append([(j, 1.0) for j, it in enumerate(items) if p in it.ids])
        upper.append(1.0)
    lp.num_row_ = len(rows)
    lp.col_cost_ = np.array([it.npv_usd for it in items], dtype=float)
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.ones(n)
    lp.row_lower_ = np.full(len(rows), -highspy.kHighsInf)
    lp.row_upper_ = np.array(upper)
    starts, index, value = [0], [], []
    for r in rows:
        for j, v in r:
            index.append(j)
            value.append(v)
        starts.append(len(index))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(value, dtype=float)
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    h.passModel(lp)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"HiGHS: {h.modelStatusToString(h.getModelStatus())}")
    x = np.asarray(h.getSolution().col_value)
    chosen = tuple(j for j in range(n) if x[j] > 0.5)
    return Selection(
        chosen,
        float(sum(items[j].npv_usd for j in chosen)),
        float(sum(items[j].capex_usd for j in chosen)),
    )


def brute_force(items: Sequence[Item], budget: float) -> Selection:
    """The same selection by enumerating every subset of items (small instances only)."""
    _check(items, budget)
    best = Selection((), 0.0, 0.0)
    for bits in product((0, 1), repeat=len(items)):
        chosen = tuple(j for j, b in enumerate(bits) if b)
        ids = [p for j in chosen for p in items[j].ids]
        capex = sum(items[j].capex_usd for j in chosen)
        if len(ids) != len(set(ids)) or capex > budget * (1 + 1e-9) + 1e-6:
            continue
        npv = sum(items[j].npv_usd for j in chosen)
        if npv > best.npv_usd + 1e-9:
            best = Selection(chosen, npv, capex)
    return best
