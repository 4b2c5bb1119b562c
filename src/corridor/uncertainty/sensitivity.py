"""Which estimates move the premium: Sobol' indices (SALib), tornado swings and the estimate
to pin down first.

The Sobol' indices are computed on the unit cube of the factors' quantiles (Saltelli's
scheme, first-order and total indices, no second order): the premium's variance share each
factor explains alone (S1) and with its interactions (ST). For an additive model of
independent factors S1 = ST = that factor's share of the variance, and the S1 add up to 1.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from corridor.uncertainty.propagate import Propagation
from corridor.uncertainty.study import Driver, improve_first

__all__ = ["Driver", "drivers", "improve_first", "sobol_indices"]

IMPROVE_FIRST_MAX = 20
"""Factors (by total index) whose pinning is tried for the improve-first list."""


def sobol_indices(
    f: Callable[[np.ndarray], np.ndarray], names: list[str], n_base: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """First-order and total Sobol' indices of ``f`` over the unit cube of ``names``.

    ``f`` maps unit quantiles ``(n, len(names))`` to outputs ``(n,)``; it is evaluated at
    ``n_base × (len(names) + 2)`` points. An output that does not vary has indices 0.
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    d = len(names)
    problem: dict[str, Any] = {"num_vars": d, "names": names, "bounds": [[0.0, 1.0]] * d}
    x = sobol_sample.sample(problem, n_base, calc_second_order=False, seed=seed)
    y = f(x)
    if d == 0 or not np.var(y) > 1e-18 * max(1.0, float(np.mean(y)) ** 2):
        return np.zeros(d), np.zeros(d)
    si = sobol_analyze.analyze(problem, y, calc_second_order=False, num_resamples=10, seed=seed)
    s1 = np.nan_to_num(np.asarray(si["S1"], dtype=float))
    st = np.nan_to_num(np.asarray(si["ST"], dtype=float))
    return s1, st


def drivers(p: Propagation, rule: str, x: np.ndarray, n_base: int, seed: int) -> list[Driver]:
    """Every factor's pull on the premium of ``rule``, strongest (total index) first.

    ``x`` is the main draw matrix: the improve-first narrowing is measured on it, by putting
    one factor back at its stated figures and re-reading the P5–P95 band.
    """
    premium = p.premium(rule)
    names = [f.name for f in p.factors]
    s1, st = sobol_indices(lambda u: premium(p.draws(u)), names, n_base, seed)
    column = {k: i for i, k in enumerate(p.model.keys, start=1)}
    base = p.model.base[None, :]
    stated = float(premium(base)[0])
    y = premium(x)
    width = float(np.subtract(*np.percentile(y, [95, 5])))
    order = np.argsort(-st, kind="stable")
    out: list[Driver] = []
    for rank, j in enumerate(order):
        f = p.factors[j]
        cols = [column[r.key] for r in f.members]
        ends = np.repeat(base, 2, axis=0)
        ends[0, cols] = [r.low for r in f.members]
        ends[1, cols] = [r.high for r in f.members]
        low, high = premium(ends)
        narrowing = 0.0
        if rank < IMPROVE_FIRST_MAX and width > 0:
            pinned = x.copy()
            pinned[:, cols] = base[0, cols]
            yp = premium(pinned)
            narrowing = 1.0 - float(np.subtract(*np.percentile(yp, [95, 5]))) / width
        out.append(
            Driver(
                f.name,
                f.label,
                len(f.members),
                float(s1[j]),
                float(st[j]),
                float(low) if np.isfinite(low) else stated,
                float(high) if np.isfinite(high) else stated,
                narrowing,
                measured=rank < IMPROVE_FIRST_MAX and width > 0,
                name_en=f.name_en,
                name_ja=f.name_ja,
            )
        )
    return out
