"""The in-time engine over blocks of years: the draws as arrays, the plan compiled once, the
years run by the compiled loop of :mod:`corridor.risk.intime_kernel`.

Same rules and the same numbers as :func:`corridor.risk.timeline.simulate_year` (the
reference, one year at a time, in Python). :func:`compile_fast` turns a plan into flat
arrays once: the closure groups of every event (one per distinct loss, as
:func:`corridor.risk.occurrences.event_closures` gives them), which group hits which
candidate route, other users' claims on the crossings they spill to, each contract's lots
and its undisturbed due and arrival series. The compiled plan is picklable: a Dask worker
gets it once and returns tallies.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from corridor.network.model import Network
from corridor.risk._common import DAYS, FloatArray, IntArray
from corridor.risk.calendar import Closure
from corridor.risk.model import EventTable
from corridor.risk.occurrences import draw_event, event_closures
from corridor.risk.timeline import (
    HORIZON_DAYS,
    TimedFlow,
    TimedPlan,
    YearOutcome,
    arrival_bins,
    falling_due,
    stock_threshold,
    year_end,
)

_EPS = 1e-9
OUT_FIELDS = tuple(f.name for f in fields(YearOutcome))
"""What a year gives per contract, in the order the compiled loop fills them."""


@dataclass(frozen=True)
class Occurrences:
    """Event occurrences of a block of years, sorted by (year, event, start, days)."""

    year: IntArray
    event: IntArray
    """Index into the network's events."""
    start: IntArray
    days: IntArray
    years: int

    def first(self, n: int) -> Occurrences:
        """The first ``n`` years."""
        k = int(np.searchsorted(self.year, n))
        return Occurrences(self.year[:k], self.event[:k], self.start[:k], self.days[:k], n)

    def keys(self) -> list[tuple[tuple[int, int, int], ...]]:
        """Per year, its sorted (event, start, days) occurrences (the memo key)."""
        rows = list(zip(self.event.tolist(), self.start.tolist(), self.days.tolist(), strict=True))
        bounds = np.searchsorted(self.year, np.arange(self.years + 1)).tolist()
        return [tuple(rows[a:b]) for a, b in itertools.pairwise(bounds)]

    @classmethod
    def of_keys(cls, keys: Sequence[tuple[tuple[int, int, int], ...]]) -> Occurrences:
        """One year per key."""
        flat = [(y, *x) for y, key in enumerate(keys) for x in key]
        arr = np.array(flat, dtype=np.int64).reshape(len(flat), 4)
        return cls(arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3], len(keys))


def sample_block(
    net: Network, events: Sequence[int], years: int, seed: int, chunk: int
) -> Occurrences:
    """The draws of :func:`corridor.risk.intime_stress.sample_occurrences`, as arrays."""
    from corridor.risk.intime_kernel import order_occurrences

    table = EventTable.of(net.events)
    draws = [draw_event(net, table, e, years, seed, chunk) for e in events]
    if not draws:
        z = np.zeros(0, dtype=np.int64)
        return Occurrences(z, z, z, z, years)
    raw_year, raw_start, raw_days = (
        np.concatenate([d[i] for d in draws]).astype(np.int64, copy=False) for i in range(3)
    )
    raw_event = np.repeat(np.asarray(events, dtype=np.int64), [len(d[0]) for d in draws])
    year, event, start, days = order_occurrences(
        raw_year, raw_event, raw_start, raw_days, years, int(DAYS)
    )
    return Occurrences(year, event, start, days, years)


# --------------------------------------------------------------------------- compiled plan


@dataclass(frozen=True)
class FastPlan:
    """A :class:`TimedPlan` compiled for :func:`run_block` (picklable)."""

    plan: TimedPlan
    net: Network
    arrays: tuple[Any, ...]
    """The kernel's plan arguments, in its order."""


def compile_fast(plan: TimedPlan, net: Network) -> FastPlan:
    """Compile ``plan`` (on ``net``, whose events are drawn) for :func:`run_block`."""
    caps = sorted(plan.spare_t_per_day)
    cap_index = {k: i for i, k in enumerate(caps)}
    spare = np.array([plan.spare_t_per_day[k] for k in caps], dtype=np.float64)
    groups = _Groups.of(net)
    routes = _Routes.of(plan, groups, cap_index)
    flows = [_flow_series(f) for f in plan.flows]
    arrays = (
        groups.loss,
        groups.delay,
        groups.surcharge,
        groups.first,
        groups.count,
        *_claims(plan, groups, cap_index),
        spare,
        *routes.arrays(),
        np.array([0, *np.cumsum([len(f[0]) for f in flows])], dtype=np.int64),
        np.concatenate([f[0] for f in flows]),
        np.concatenate([f[1] for f in flows]),
        *(np.array([f[2][i] for f in flows], dtype=np.float64) for i in range(5)),
        np.array([f[3] for f in flows], dtype=np.float64).reshape(len(flows), HORIZON_DAYS),
        np.array([f[4] for f in flows], dtype=np.int64).reshape(len(flows), HORIZON_DAYS + 1),
        float(plan.recovery.spot_premium.value),
    )
    return FastPlan(plan, net, arrays)


@dataclass(frozen=True)
class _Groups:
    """Closure groups of every event: one per distinct loss, in event_closures' order."""

    loss: FloatArray
    delay: FloatArray
    surcharge: FloatArray
    first: IntArray
    """Per event: its first group (an event's groups are contiguous)."""
    count: IntArray
    targets: tuple[frozenset[str], ...]

    @classmethod
    def of(cls, net: Network) -> _Groups:
        closures: list[Closure] = []
        first, count = [], []
        for ev in net.events:
            groups = event_closures(net, ev, 0.0, 1.0)
            first.append(len(closures))
            count.append(len(groups))
            closures += groups
        return cls(
            np.array([c.capacity_loss for c in closures], dtype=np.float64),
            np.array([c.delay_days for c in closures], dtype=np.float64),
            np.array([c.surcharge_usd_per_t for c in closures], dtype=np.float64),
            np.array(first, dtype=np.int64),
            np.array(count, dtype=np.int64),
            tuple(c.targets for c in closures),
        )


def _claims(
    plan: TimedPlan, groups: _Groups, cap_index: dict[str, int]
) -> tuple[IntArray, FloatArray, IntArray, IntArray]:
    """Other users' claims per group: items (tonnes a day, the capacities they spill to in
    order), in the order of the recovery table's background rows (timeline's rule)."""
    claim_ptr, item_ptr = [0], [0]
    rate: list[float] = []
    spill: list[int] = []
    for g, targets in enumerate(groups.targets):
        for cap, bg in plan.recovery.background.items():
            if cap not in plan.capacity_targets or targets.isdisjoint(plan.capacity_targets[cap]):
                continue
            rate.append(float(groups.loss[g]) * bg.used_t_per_year.value / DAYS)
            spill += [
                cap_index[t]
                for t in bg.spills_to
                if t in cap_index and targets.isdisjoint(plan.capacity_targets[t])
            ]
            item_ptr.append(len(spill))
        claim_ptr.append(len(rate))
    return (
        np.array(claim_ptr, dtype=np.int64),
        np.array(rate, dtype=np.float64),
        np.array(item_ptr, dtype=np.int64),
        np.array(spill, dtype=np.int64),
    )


@dataclass
class _Routes:
    """Candidate routes of every flow, flattened (a flow's are contiguous)."""

    flow_ptr: list[int]
    transit: list[float]
    cost: list[float]
    lead: list[float]
    """Switching lead time: 0 on a route the plan already uses."""
    new: list[bool]
    share: list[float]
    cap_ptr: list[int]
    caps: list[int]
    hits: list[list[bool]]
    """Per route: which closure group hits it."""

    @classmethod
    def of(cls, plan: TimedPlan, groups: _Groups, cap_index: dict[str, int]) -> _Routes:
        out = cls([0], [], [], [], [], [], [0], [], [])
        for flow in plan.flows:
            for route, planned in zip(flow.routes, flow.planned_t, strict=True):
                new = planned <= 0
                out.transit.append(route.transit_days)
                out.cost.append(route.cost_usd_per_t)
                lead = plan.recovery.lead_days(flow.cargo_class, route.family) if new else 0.0
                out.lead.append(lead)
                out.new.append(new)
                out.share.append(planned / max(flow.volume_t_per_year, _EPS))
                out.caps += [cap_index[k] for k in route.capacities if k in cap_index]
                out.cap_ptr.append(len(out.caps))
                out.hits.append([not t.isdisjoint(route.targets) for t in groups.targets])
            out.flow_ptr.append(len(out.transit))
        return out

    def arrays(self) -> tuple[Any, ...]:
        hits = np.array(self.hits, dtype=np.bool_).reshape(len(self.hits), -1)
        return (
            np.array(self.flow_ptr, dtype=np.int64),
            np.array(self.transit, dtype=np.float64),
            np.array(self.cost, dtype=np.float64),
            np.array(self.lead, dtype=np.float64),
            np.array(self.new, dtype=np.bool_),
            np.array(self.share, dtype=np.float64),
            np.array(self.cap_ptr, dtype=np.int64),
            np.array(self.caps, dtype=np.int64),
            np.ascontiguousarray(hits.T),
        )


def _flow_series(
    flow: TimedFlow,
) -> tuple[FloatArray, FloatArray, tuple[float, ...], FloatArray, IntArray]:
    """A flow's lots (days, tonnes); its carrying cost, year end, stock threshold, margin
    and undisturbed stock-out days; its undisturbed backlog and the running count of days
    over the threshold."""
    days, tonnes = flow.schedule.lots(flow.volume_t_per_year)
    due = np.zeros(HORIZON_DAYS)
    for route, planned in zip(flow.routes, flow.planned_t, strict=True):
        if planned > 0:
            share = planned / max(flow.volume_t_per_year, _EPS)
            np.add.at(due, arrival_bins(days + route.transit_days), tonnes * share)
    backlog = np.cumsum(falling_due(due, flow)) - np.cumsum(due)
    thr = stock_threshold(flow)
    over = backlog > thr
    used = any(t > 0 for t in flow.planned_t)
    scalars = (
        flow.carry_usd_per_t_day,
        year_end(flow) if used else DAYS,
        thr,
        thr - float(backlog.max()),
        float(np.count_nonzero(over)) if used else 0.0,
    )
    running = np.concatenate(([0], np.cumsum(over))).astype(np.int64)
    return days, tonnes, scalars, backlog, running


# --------------------------------------------------------------------------- a block


@dataclass
class BlockOutcome:
    """Per year of a block: the portfolio's figures (OUT_FIELDS, years)."""

    values: FloatArray
    by_flow: FloatArray | None = None
    """Per flow of the plan (its order): its figures (flows, OUT_FIELDS, years), with
    ``by_flow``."""
    by_event: FloatArray | None = None
    """Per year and network event: the late tonnes, tonne-days late, undelivered tonnes and
    extra cost of the lots its closures cut (years, events, CAUSE_FIELDS), with
    ``by_event``."""


CAUSE_FIELDS = ("late_t", "tonne_days_late", "undelivered_t", "extra_cost_usd")
"""The figures :attr:`BlockOutcome.by_event` splits by cause, in its order."""


def run_block(
    fp: FastPlan, occ: Occurrences, *, by_flow: bool = False, by_event: bool = False
) -> BlockOutcome:
    """Every year of ``occ``: the portfolio's late and undelivered tonnes, tonne-days,
    stock-out days (contract-days) and costs, as :func:`simulate_year` gives them
    (``by_flow``: also each flow's; ``by_event``: also, per event, the part of the lots its
    closures cut)."""
    from corridor.risk.intime_kernel import HORIZON_DAYS as KERNEL_HORIZON
    from corridor.risk.intime_kernel import kernel

    assert KERNEL_HORIZON == HORIZON_DAYS
    year_ptr = np.searchsorted(occ.year, np.arange(occ.years + 1)).astype(np.int64)
    shape = (occ.years, len(fp.net.events), len(CAUSE_FIELDS)) if by_event else (0, 0, 0)
    parts = np.zeros(shape)
    per = kernel(
        *(
            year_ptr,
            np.ascontiguousarray(occ.event, dtype=np.int64),
            np.ascontiguousarray(occ.start, dtype=np.float64),
            np.ascontiguousarray(occ.days, dtype=np.float64),
            *fp.arrays,
            parts,
        )
    )
    return BlockOutcome(per.sum(axis=0), per if by_flow else None, parts if by_event else None)
