"""Simulating years: losses, re-routing within spare capacity, extra cost and days."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    pass
from corridor.risk._common import FloatArray, IntArray
from corridor.risk.model import Effect, EventWork, RiskModel, Step


@dataclass
class Outcome:
    """Results of a block of years: per-year rows (rows, years) and per-flow totals."""

    undelivered: FloatArray
    """Per flow and year: tonnes displaced that no survivor could take."""
    extra_cost: FloatArray
    """Per flow and year: USD."""
    undelivered_by_event: FloatArray
    extra_cost_by_event: FloatArray
    undelivered_by_family: FloatArray
    extra_cost_by_family: FloatArray
    cut: FloatArray
    """Per flow, summed over the years: tonnes displaced from planned routes."""
    extra_tdays: FloatArray
    """Per flow, summed over the years: tonne-days of delay."""
    planning: FloatArray
    """Per flow, summed over the years: USD saved by moving displaced tonnes to a route
    cheaper than the planned one (a planning effect, ≤ 0, not a cost of the disruption)."""

    @classmethod
    def zeros(cls, model: RiskModel, years: int) -> Outcome:
        f, e, m = len(model.flow_ids), len(model.events.ids), len(model.families)
        return cls(
            undelivered=np.zeros((f, years)),
            extra_cost=np.zeros((f, years)),
            undelivered_by_event=np.zeros((e, years)),
            extra_cost_by_event=np.zeros((e, years)),
            undelivered_by_family=np.zeros((m, years)),
            extra_cost_by_family=np.zeros((m, years)),
            cut=np.zeros(f),
            extra_tdays=np.zeros(f),
            planning=np.zeros(f),
        )

    def by_group(self, which: str) -> FloatArray:
        """(groups, years): portfolio, flows, families of 'undelivered' or 'extra_cost'."""
        per_flow: FloatArray = getattr(self, which)
        per_family: FloatArray = getattr(self, which + "_by_family")
        return np.vstack((per_flow.sum(axis=0, keepdims=True), per_flow, per_family))


Move = tuple[int, int, FloatArray]
"""(step index, alternative route, tonnes moved in each year) — a route choice."""

SPARSE = 0.3
"""Work on the active years only when an event is active in less than this share."""


def simulate(model: RiskModel, shares: FloatArray, trace: list[Move] | None = None) -> Outcome:
    """Apply the re-routing rule to a block of years, all at once.

    Parameters
    ----------
    model : RiskModel
        The compiled allocation.
    shares : array (events, years)
        Share of each year each event is active (:func:`sample_shares`).
    trace : list, optional
        If given, every move (step index, route, tonnes in each year) is appended.

    Returns
    -------
    Outcome
    """
    block = _Block.of(model, shares)
    out = Outcome.zeros(model, shares.shape[1])
    for work in model.work:
        _event(model, work, block, out, trace)
    return out


@dataclass
class _Block:
    """The arrays of a block of years that every event reads (and ``spare``, which moves
    update)."""

    shares: FloatArray
    scale: FloatArray
    """Per route: 1 / max(1, raw cut share), which keeps displaced tonnes within plan."""
    is_open: FloatArray
    """Per route: 1 − cut share."""
    spare: FloatArray
    active: list[IntArray | None]
    """Per event: the years it is active in, or None when it is active in most."""

    @classmethod
    def of(cls, model: RiskModel, shares: FloatArray) -> _Block:
        years = shares.shape[1]
        active: list[IntArray | None] = []
        for row in shares:
            hit = np.flatnonzero(row)
            active.append(hit if len(hit) < SPARSE * years else None)
        raw = _sparse_product(model.loss.T, shares)
        scale = 1.0 / np.maximum(raw, 1.0)
        is_open = 1.0 - np.minimum(raw, 1.0)
        return cls(shares, scale, is_open, _spare(model, shares, is_open), active)

    def pick(
        self, array: FloatArray, rows: Sequence[int], years: IntArray | None
    ) -> dict[int, FloatArray]:
        """Rows of ``array``: views of whole rows, or copies of their ``years``."""
        if years is None:
            return {r: array[r] for r in rows}
        picked = array[np.ix_(np.asarray(rows, dtype=np.int64), years)]
        return dict(zip(rows, picked, strict=True))


def _sparse_product(matrix: FloatArray, shares: FloatArray) -> FloatArray:
    """``matrix @ shares`` as a CSR product: one sequential C loop, the same numbers in every
    process (scipy is loaded here, not when a command that never simulates starts)."""
    from scipy.sparse import csr_matrix

    return np.asarray(csr_matrix(matrix) @ shares)


def _scatter(row: FloatArray, years: IntArray | None, values: FloatArray) -> None:
    """row[years] += values, for one row (all years when ``years`` is None)."""
    if years is None:
        row += values
    else:
        row[years] += values


def _spare(model: RiskModel, shares: FloatArray, is_open: FloatArray) -> FloatArray:
    """Capacity left per capacity and year: available share × figure, minus planned use."""
    lost = _sparse_product(model.capacity_loss.T, shares)
    spare = model.capacity[:, None] * np.maximum(1.0 - lost, 0.0)
    for r in np.flatnonzero(model.planned > 0):
        for k, times in model.uses[r]:
            spare[k] -= times * model.planned[r] * is_open[r]
    return np.maximum(spare, 0.0)


@dataclass
class _Sums:
    """What one event does in a block: rows of the :class:`Outcome` it touches, on the
    years it is active in."""

    rows: dict[tuple[str, int], FloatArray] = field(default_factory=dict)

    def add(self, name: str, index: int, values: FloatArray) -> None:
        row = self.rows.get((name, index))
        if row is None:
            self.rows[name, index] = values.copy()
        else:
            row += values

    def add_flow(
        self, model: RiskModel, step: Step | Effect, what: Mapping[str, FloatArray]
    ) -> None:
        """Add per-flow results of a step, and their family and event totals."""
        fam = int(model.route_family[step.route])
        for name, values in what.items():
            self.add(name, step.flow, values)
            if name in ("undelivered", "extra_cost"):
                self.add(name + "_by_event", step.event, values)
                if fam >= 0:
                    self.add(name + "_by_family", fam, values)

    def flush(self, out: Outcome, years: IntArray | None) -> None:
        for (name, index), values in self.rows.items():
            if name in ("cut", "extra_tdays", "planning"):
                getattr(out, name)[index] += values.sum()
            else:
                _scatter(getattr(out, name)[index], years, values)


def _event(
    model: RiskModel, work: EventWork, block: _Block, out: Outcome, trace: list[Move] | None
) -> None:
    """All re-routing steps and charges of one event, on the years it is active in."""
    e = work.event
    years = block.active[e]
    share = block.shares[e] if years is None else block.shares[e, years]
    sums = _Sums()
    routes = sorted(
        {j for i in work.steps for j in (model.steps[i].route, *model.steps[i].alternatives)}
    )
    view = _View(
        share,
        block.pick(block.scale, routes, years),
        block.pick(block.is_open, routes, years),
        block.pick(block.spare, work.capacities, years),
    )
    for i in work.steps:
        moves = _reroute(model, model.steps[i], view, sums)
        if trace is not None:
            trace.extend((i, alt, _dense(m, years, block.shares.shape[1])) for alt, m in moves)
    for x in work.effects:
        moving = share * (model.planned[x.route] * (1.0 - model.loss[e, x.route]))
        sums.add_flow(
            model, x, {"extra_cost": moving * x.usd_per_t, "extra_tdays": moving * x.days}
        )
    if years is not None and work.capacities:
        rows = np.asarray(work.capacities, dtype=np.int64)
        block.spare[np.ix_(rows, years)] = np.array([view.spare[k] for k in work.capacities])
    sums.flush(out, years)


@dataclass
class _View:
    """One event's active years: its share, and the rows of routes and capacities its
    steps read (capacities are updated in place)."""

    share: FloatArray
    scale: Mapping[int, FloatArray]
    is_open: Mapping[int, FloatArray]
    spare: Mapping[int, FloatArray]


def _reroute(
    model: RiskModel, step: Step, view: _View, sums: _Sums
) -> list[tuple[int, FloatArray]]:
    """Move the tonnes one event displaces from one planned route; return the moves."""
    r, e = step.route, step.event
    displaced = view.share * (model.planned[r] * model.loss[e, r])
    displaced *= view.scale[r]
    moved, cost, tdays, saved = (np.zeros_like(displaced) for _ in range(4))
    tmp = np.empty_like(displaced)
    moves = []
    for alt in step.alternatives:
        move = displaced * view.is_open[alt]
        move -= moved
        for k, times in model.uses[alt]:
            np.minimum(move, view.spare[k] / times if times != 1 else view.spare[k], out=move)
        np.maximum(move, 0.0, out=move)
        for k, times in model.uses[alt]:
            view.spare[k] -= move * times if times != 1 else move
        moved += move
        # Never a negative cost: a cheaper alternative's saving is a planning effect.
        difference = float(model.route_cost[alt] - model.route_cost[r])
        if difference > 0:
            cost += np.multiply(move, difference, out=tmp)
        elif difference < 0:
            saved += np.multiply(move, difference, out=tmp)
        tdays += np.multiply(move, model.route_days[alt] - model.route_days[r], out=tmp)
        moves.append((alt, move))
    what = {
        "cut": displaced,
        "undelivered": displaced - moved,
        "extra_cost": cost,
        "extra_tdays": tdays,
        "planning": saved,
    }
    sums.add_flow(model, step, what)
    return moves


def _dense(values: FloatArray, years: IntArray | None, n: int) -> FloatArray:
    if years is None:
        return values.copy()
    full = np.zeros(n)
    full[years] = values
    return full


def unit_losses(model: RiskModel, shares: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Per tonne on each candidate route and per year: undelivered tonnes and extra USD.

    The re-routing rule without capacity limits, so that a split's losses are linear in its
    tonnes (what the mean–CVaR LP needs). ``model`` must be compiled with
    ``every_route=True``.

    Returns
    -------
    undelivered, extra_cost : arrays (routes, years)
    """
    raw = _sparse_product(model.loss.T, shares)
    scale = 1.0 / np.maximum(raw, 1.0)
    is_open = 1.0 - np.minimum(raw, 1.0)
    undelivered, extra = np.zeros_like(raw), np.zeros_like(raw)
    for step in model.steps:
        r, e = step.route, step.event
        displaced = shares[e] * model.loss[e, r] * scale[r]
        moved = np.zeros_like(displaced)
        for alt in step.alternatives:
            move = np.maximum(displaced * is_open[alt] - moved, 0.0)
            extra[r] += move * max(float(model.route_cost[alt] - model.route_cost[r]), 0.0)
            moved += move
        undelivered[r] += displaced - moved
    for work in model.work:
        for x in work.effects:
            extra[x.route] += shares[x.event] * (1.0 - model.loss[x.event, x.route]) * x.usd_per_t
    return undelivered, extra


# --------------------------------------------------------------------------- tallies
