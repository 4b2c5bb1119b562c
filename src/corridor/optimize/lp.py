"""HiGHS plumbing: a linear program as arrays, solved with its duals."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import highspy
import numpy as np
from scipy.sparse import coo_matrix, csc_matrix


@dataclass
class LinearProgram:
    """A linear program in matrix form: optimise ``cost @ x`` subject to bounds.

    ``row_lower <= matrix @ x <= row_upper`` and ``col_lower <= x <= col_upper``; use
    ``numpy.inf`` for a missing bound. The same arrays can be handed to any solver (the
    benchmark builds the identical model in PuLP).
    """

    cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    matrix: csc_matrix
    row_lower: np.ndarray
    row_upper: np.ndarray
    maximise: bool = False

    @classmethod
    def from_triplets(
        cls,
        cost: Sequence[float],
        rows: Sequence[int],
        cols: Sequence[int],
        values: Sequence[float],
        row_bounds: Sequence[tuple[float, float]],
        col_upper: Sequence[float] | None = None,
        maximise: bool = False,
    ) -> LinearProgram:
        """Build from (row, col, value) entries; columns are non-negative."""
        n, m = len(cost), len(row_bounds)
        mat = coo_matrix((values, (rows, cols)), shape=(m, n)).tocsc()
        bounds = np.asarray(row_bounds, dtype=float).reshape(m, 2)
        upper = np.full(n, np.inf) if col_upper is None else np.asarray(col_upper, dtype=float)
        return cls(
            np.asarray(cost, dtype=float),
            np.zeros(n),
            upper,
            mat,
            bounds[:, 0].copy(),
            bounds[:, 1].copy(),
            maximise,
        )


@dataclass(frozen=True)
class LpSolution:
    """Optimal values and duals of a :class:`LinearProgram`.

    ``row_dual`` follows HiGHS: the change of the objective per unit increase of the
    row's active bound.
    """

    objective: float
    x: np.ndarray
    row_dual: np.ndarray
    row_value: np.ndarray


@cache
def _silence_banner() -> None:
    """HiGHS prints a banner to stdout at the first ``Highs()`` of a process.

    Standard output must stay clean for ``--format json``, so the first instance is made
    with the process's stdout briefly pointed at /dev/null.
    """
    sys.stdout.flush()
    saved = os.dup(1)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        highspy.Highs()  # type: ignore[no-untyped-call]
    finally:
        os.dup2(saved, 1)
        os.close(null)
        os.close(saved)


class HighsModel:
    """A :class:`LinearProgram` loaded into HiGHS; row bounds can change between solves."""

    def __init__(self, lp: LinearProgram) -> None:
        _silence_banner()
        self.lp = lp
        self.highs = highspy.Highs()  # type: ignore[no-untyped-call]
        self.highs.setOptionValue("output_flag", False)
        model = highspy.HighsLp()
        model.num_col_ = len(lp.cost)
        model.num_row_ = len(lp.row_lower)
        model.col_cost_ = lp.cost
        model.col_lower_ = lp.col_lower
        model.col_upper_ = lp.col_upper
        model.row_lower_ = lp.row_lower
        model.row_upper_ = lp.row_upper
        model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        model.a_matrix_.start_ = lp.matrix.indptr
        model.a_matrix_.index_ = lp.matrix.indices
        model.a_matrix_.value_ = lp.matrix.data
        if lp.maximise:
            model.sense_ = highspy.ObjSense.kMaximize
        self.highs.passModel(model)

    def set_row_bounds(self, rows: Iterable[int], lower: float, upper: float) -> None:
        for r in rows:
            self.highs.changeRowBounds(int(r), lower, upper)

    def restore_row_bounds(self, rows: Iterable[int]) -> None:
        for r in rows:
            self.highs.changeRowBounds(int(r), self.lp.row_lower[r], self.lp.row_upper[r])

    def solve(self) -> LpSolution:
        """Solve; raise RuntimeError unless HiGHS reports an optimum."""
        self.highs.run()
        status = self.highs.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"HiGHS: {self.highs.modelStatusToString(status)}")
        sol = self.highs.getSolution()
        return LpSolution(
            float(self.highs.getInfo().objective_function_value),
            np.asarray(sol.col_value, dtype=float),
            np.asarray(sol.row_dual, dtype=float),
            np.asarray(sol.row_value, dtype=float),
        )


# --------------------------------------------------------------------------- max flow
