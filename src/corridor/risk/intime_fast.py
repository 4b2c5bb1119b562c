"""The in-time engine over blocks of years: numpy over every hit lot of many years at once.

Same rules and the same numbers as :func:`corridor.risk.timeline.simulate_year` (the
reference, one year at a time), compiled once per plan (:func:`compile_fast`):

* closures are the event groups of :func:`corridor.risk.intime_stress.event_closures`, with
  a table of which group hits which candidate route;
* a lot no closure touches arrives as planned, so only hit lots are computed; what is due
  at the buyer does not depend on the year and is computed once per contract;
* alternatives that draw on a capacity with no spare at all can never take a tonne and are
  dropped at compile time (so are background claims on such capacities);
* other users' traffic that a closure displaces claims the spare capacity of the crossings
  it spills to first, day by day and closure by closure in the reference's list order
  (the k-th claiming closure of every year at once);
* switched tonnes then take what is left, lot by lot in the reference's order (day, then
  planned route) where a capacity can run out, else all at once; every year of the block
  at once.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from corridor.network.model import Network
from corridor.risk._common import DAYS, FloatArray, IntArray
from corridor.risk.model import EventTable
from corridor.risk.occurrences import draw_event, event_closures
from corridor.risk.timeline import (
    HORIZON_DAYS,
    TimedFlow,
    TimedPlan,
    buyer_stockout_days,
)

_EPS = 1e-9
BoolArray = npt.NDArray[np.bool_]
OUT_FIELDS = (
    "late_t",
    "tonne_days_late",
    "stockout_days",
    "undelivered_t",
    "extra_cost_usd",
    "planning_effect_usd",
    "rerouted_t",
    "waited_t",
)
_F = {name: i for i, name in enumerate(OUT_FIELDS)}


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

    def part(self, a: int, b: int) -> Occurrences:
        """Years ``a`` to ``b - 1``, numbered from 0."""
        lo, hi = np.searchsorted(self.year, [a, b])
        return Occurrences(
            self.year[lo:hi] - a, self.event[lo:hi], self.start[lo:hi], self.days[lo:hi], b - a
        )

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
    table = EventTable.of(net.events)
    parts: list[tuple[IntArray, IntArray, IntArray, IntArray]] = []
    for e in events:
        year, start, days = draw_event(net, table, e, years, seed, chunk)
        keep = year >= 0
        carry = (start + days > DAYS) & (year + 1 < years)
        parts.append((year[keep], np.full(int(keep.sum()), e), start[keep], days[keep]))
        rest = (start[carry] + days[carry] - int(DAYS)).astype(np.int64)
        parts.append((year[carry] + 1, np.full(int(carry.sum()), e), np.zeros_like(rest), rest))
    if not parts:
        z = np.zeros(0, dtype=np.int64)
        return Occurrences(z, z, z, z, years)
    y, e_, s, d = (np.concatenate([p[i] for p in parts]).astype(np.int64) for i in range(4))
    order = np.lexsort((d, s, e_, y))
    return Occurrences(y[order], e_[order], s[order], d[order], years)


# --------------------------------------------------------------------------- compiled plan


@dataclass(frozen=True)
class _Alt:
    index: int
    transit: float
    loss_col: int
    """Column of the route in the flow's hit table."""
    lead: float
    diff: float
    """Cost per tonne against the planned route (premium included)."""
    room: float
    caps: tuple[int, ...]
    cap_spare: tuple[float, ...] = ()


@dataclass(frozen=True)
class _Route:
    index: int
    share: float
    transit: float
    alts: tuple[_Alt, ...]


@dataclass(frozen=True)
class _Flow:
    lot_days: FloatArray
    lot_t: FloatArray
    carry: float
    volume: float
    stock: float
    interval: int
    year_end: float
    routes: tuple[_Route, ...]
    hits: IntArray
    """(groups, candidates) 0/1: closure group g hits candidate j."""
    due_cum: FloatArray
    arrived0: FloatArray
    stockout0: float
    sequential: bool = True
    """Whether lots must take spare capacity one day (and planned route) at a time."""


@dataclass(frozen=True)
class FastPlan:
    """A :class:`TimedPlan` compiled for blocks of years (picklable)."""

    plan: TimedPlan
    net: Network
    group_event: IntArray
    group_loss: FloatArray
    group_delay: FloatArray
    group_surcharge: FloatArray
    first_group: IntArray
    """Per event index: its first group (groups of an event are contiguous, by loss)."""
    group_count: IntArray
    claims: tuple[tuple[tuple[float, tuple[int, ...]], ...], ...]
    """Per closure group: the other users it displaces, as (tonnes a day, the capacities
    they spill to in order), as :func:`corridor.risk.timeline._claim_background` takes
    them (capacities with no spare, or closed by the group itself, left out)."""
    flows: tuple[_Flow, ...]
    spare: FloatArray


def compile_fast(plan: TimedPlan, net: Network) -> FastPlan:
    """Compile ``plan`` (on ``net``, whose events are sampled) for :func:`run_block`."""
    caps = sorted(plan.spare_t_per_day)
    cap_index = {k: i for i, k in enumerate(caps)}
    spare = np.array([plan.spare_t_per_day[k] for k in caps])
    g_event: list[int] = []
    g_loss: list[float] = []
    g_delay: list[float] = []
    g_sur: list[float] = []
    g_targets: list[frozenset[str]] = []
    first: list[int] = []
    count: list[int] = []
    for e, ev in enumerate(net.events):
        groups = event_closures(net, ev, 0.0, 1.0)
        first.append(len(g_event))
        count.append(len(groups))
        for c in groups:
            g_event.append(e)
            g_loss.append(c.capacity_loss)
            g_delay.append(c.delay_days)
            g_sur.append(c.surcharge_usd_per_t)
            g_targets.append(c.targets)
    claims = tuple(
        _claims(plan, targets, loss, cap_index)
        for targets, loss in zip(g_targets, g_loss, strict=True)
    )
    flows = tuple(_compile_flow(plan, f, g_targets, cap_index, spare) for f in plan.flows)
    flows, claims = _binding(flows, claims, spare)
    return FastPlan(
        plan,
        net,
        np.array(g_event, dtype=np.int64),
        np.array(g_loss),
        np.array(g_delay),
        np.array(g_sur),
        np.array(first, dtype=np.int64),
        np.array(count, dtype=np.int64),
        claims,
        flows,
        spare,
    )


def _claims(
    plan: TimedPlan, targets: frozenset[str], loss: float, cap_index: dict[str, int]
) -> tuple[tuple[float, tuple[int, ...]], ...]:
    """Other users a closure of ``targets`` displaces: (tonnes a day, capacities in order)."""
    out = []
    for cap, bg in plan.recovery.background.items():
        if cap not in plan.capacity_targets or targets.isdisjoint(plan.capacity_targets[cap]):
            continue
        need = loss * bg.used_t_per_year.value / DAYS
        spills = tuple(
            cap_index[t]
            for t in bg.spills_to
            if t in cap_index
            and targets.isdisjoint(plan.capacity_targets[t])
            and plan.spare_t_per_day[t] > 0
        )
        if need > 0 and spills:
            out.append((need, spills))
    return tuple(out)


def _binding(
    flows: tuple[_Flow, ...],
    claims: tuple[tuple[tuple[float, tuple[int, ...]], ...], ...],
    spare: FloatArray,
) -> tuple[tuple[_Flow, ...], tuple[tuple[tuple[float, tuple[int, ...]], ...], ...]]:
    """Keep budgets only for capacities that can run short: those other users' traffic
    claims, or whose switched tonnes on one day can exceed the spare (a lot's share a day
    where the switch is at once, a year's where a lead time piles lots onto one day).
    Any other capacity always takes what it is offered, and is dropped from the
    alternatives; claims are cut after their last capacity still kept."""
    claimed = {t for program in claims for _, targets in program for t in targets}
    demand: dict[int, float] = {}
    for f in flows:
        lot = float(f.lot_t.max()) if len(f.lot_t) else 0.0
        for r in f.routes:
            # a route's lots move at most their cut tonnes onto a capacity, over all its
            # alternatives together
            most: dict[int, float] = {}
            for a in r.alts:
                for c in a.caps:
                    most[c] = max(most.get(c, 0.0), (lot if a.lead == 0 else f.volume) * r.share)
            for c, t in most.items():
                demand[c] = demand.get(c, 0.0) + t
    keep = {c for c, d in demand.items() if c in claimed or d > spare[c] * (1 - 1e-9)}

    def trim(a: _Alt) -> _Alt:
        at = [i for i, c in enumerate(a.caps) if c in keep]
        return replace(
            a, caps=tuple(a.caps[i] for i in at), cap_spare=tuple(a.cap_spare[i] for i in at)
        )

    out = []
    for f in flows:
        routes = tuple(replace(r, alts=tuple(trim(a) for a in r.alts)) for r in f.routes)
        out.append(replace(f, routes=routes, sequential=_sequential(routes)))
    trimmed = []
    for program in claims:
        steps = []
        for need, targets in program:
            last = max((i for i, t in enumerate(targets) if t in keep), default=-1)
            if last >= 0:
                steps.append((need, targets[: last + 1]))
        trimmed.append(tuple(steps))
    return tuple(out), tuple(trimmed)


def _sequential(routes: tuple[_Route, ...]) -> bool:
    """Whether two lots of a flow may take from one capacity on one day: a capacity that
    an alternative with a lead time uses (cut lots wait and leave together), or that
    alternatives of two planned routes use (their lots of one day). Else every lot takes
    from its own day and all lots can be offered at once."""
    owner: dict[int, int] = {}
    for r in routes:
        for a in r.alts:
            for c in a.caps:
                if a.lead != 0 or owner.setdefault(c, r.index) != r.index:
                    return True
    return False


def _compile_flow(
    plan: TimedPlan,
    flow: TimedFlow,
    g_targets: Sequence[frozenset[str]],
    cap_index: dict[str, int],
    spare: FloatArray,
) -> _Flow:

    days, tonnes = flow.schedule.lots(flow.volume_t_per_year)
    share = np.array(flow.planned_t) / max(flow.volume_t_per_year, _EPS)
    hits = np.array(
        [[0 if t.isdisjoint(r.targets) else 1 for r in flow.routes] for t in g_targets],
        dtype=np.int64,
    ).reshape(len(g_targets), len(flow.routes))
    premium = plan.recovery.spot_premium.value
    routes = []
    due = np.zeros(HORIZON_DAYS)
    for r in np.flatnonzero(share > 0):
        route = flow.routes[r]
        np.add.at(due, _bins(days + route.transit_days), tonnes * share[r])
        alts = []
        for a in range(len(flow.routes)):
            if a == r:
                continue
            alt = flow.routes[a]
            ks = tuple(cap_index[k] for k in alt.capacities if k in cap_index)
            room = min((float(spare[k]) for k in ks), default=np.inf)
            if room <= 0:
                continue  # a crossing with no spare at all: it never takes a tonne
            new = flow.planned_t[a] <= 0
            lead = plan.recovery.lead_days(flow.cargo_class, alt.family) if new else 0.0
            diff = alt.cost_usd_per_t * (1.0 + (premium if new else 0.0)) - route.cost_usd_per_t
            spares = tuple(float(spare[k]) for k in ks)
            alts.append(_Alt(a, alt.transit_days, a, lead, diff, room, ks, spares))
        routes.append(_Route(int(r), float(share[r]), route.transit_days, tuple(alts)))
    interval = max(1, round(DAYS / len(days)))
    conv = np.convolve(due, np.full(interval, 1.0 / interval))[: len(due)] if interval > 1 else due
    first = min(flow.routes[r.index].transit_days for r in routes) if routes else 0.0
    stock = flow.stock_days * flow.volume_t_per_year / DAYS
    return _Flow(
        days,
        tonnes,
        flow.carry_usd_per_t_day,
        flow.volume_t_per_year,
        stock + 1e-6 * max(flow.volume_t_per_year, 1.0),
        interval,
        first + DAYS,
        tuple(routes),
        hits,
        np.cumsum(conv),
        due.copy(),
        buyer_stockout_days(due, due.copy(), flow) if routes else 0.0,
    )


# --------------------------------------------------------------------------- a block


@dataclass
class BlockOutcome:
    """Per year of a block: the portfolio's figures (OUT_FIELDS, years)."""

    values: FloatArray
    fallback: int
    """Years sent to the reference engine (none: every year is computed in blocks)."""
    by_flow: FloatArray | None = None
    """Per flow of the plan (its order): its figures (flows, OUT_FIELDS, years), with
    ``by_flow``."""


class _Budget:
    """Spare tonnes a day left on one capacity in each year of a block: a row of days for
    each year that claims or takes some (the others have the whole spare)."""

    def __init__(self, spare: float, n: int) -> None:
        self.spare = spare
        self.slot = np.full(n, -1, dtype=np.int64)
        self.rows = np.zeros((0, HORIZON_DAYS))

    def slots(self, years: IntArray) -> IntArray:
        """Rows of ``years`` (unique), made for those that have none yet."""
        new = np.unique(years[self.slot[years] < 0])
        if len(new):
            self.slot[new] = np.arange(len(self.rows), len(self.rows) + len(new))
            fresh = np.full((len(new), HORIZON_DAYS), self.spare)
            self.rows = np.concatenate((self.rows, fresh)) if len(self.rows) else fresh
        return self.slot[years]


Budgets = dict[int, _Budget]


SUB_YEARS = 2048
"""Years computed together: larger blocks of per-lot arrays outgrow the caches (the
example ran at half the speed per year with 16,384 at once)."""


def run_block(fp: FastPlan, occ: Occurrences, *, by_flow: bool = False) -> BlockOutcome:
    """Every year of ``occ``: the portfolio's late and undelivered tonnes, tonne-days,
    stock-out days (contract-days) and costs, as :func:`simulate_year` gives them
    (``by_flow``: also each flow's)."""
    if occ.years <= SUB_YEARS:
        return _run(fp, occ, by_flow)
    parts = [
        _run(fp, occ.part(a, min(a + SUB_YEARS, occ.years)), by_flow)
        for a in range(0, occ.years, SUB_YEARS)
    ]
    per = [p.by_flow for p in parts if p.by_flow is not None]
    return BlockOutcome(
        np.concatenate([p.values for p in parts], axis=1),
        sum(p.fallback for p in parts),
        np.concatenate(per, axis=2) if by_flow else None,
    )


def _run(fp: FastPlan, occ: Occurrences, by_flow: bool) -> BlockOutcome:
    """:func:`run_block` on one part of a block."""
    n = occ.years
    out = np.zeros((len(OUT_FIELDS), n))
    # Closures: one row per (occurrence, group), in the reference's list order.
    reps = fp.group_count[occ.event]
    c_year = np.repeat(occ.year, reps)
    offs = np.arange(int(reps.sum())) - np.repeat(np.cumsum(reps) - reps, reps)
    c_group = np.repeat(fp.first_group[occ.event], reps) + offs
    c_start = np.repeat(occ.start, reps).astype(float)
    c_end = c_start + np.repeat(occ.days, reps)
    budget: Budgets = {}
    _claim_background(fp, n, (c_year, c_group, c_start, c_end), budget)
    per = np.zeros((len(fp.flows), len(OUT_FIELDS), n)) if by_flow else None
    for i, flow in enumerate(fp.flows):
        before = out.copy() if per is not None else None
        _flow_block(fp, flow, n, (c_year, c_group, c_start, c_end), out, budget)
        if per is not None and before is not None:
            per[i] = out - before
    return BlockOutcome(out, 0, per)


def _claim_background(
    fp: FastPlan,
    n: int,
    closures: tuple[IntArray, IntArray, FloatArray, FloatArray],
    budget: Budgets,
) -> None:
    """Other users displaced by each closure take spare capacity first, day by day
    (:func:`corridor.risk.timeline._claim_background`): the k-th claiming closure of every
    year at once, k = 0, 1, ...; within one k, rows are of different years."""
    c_year, c_group, c_start, c_end = closures
    has = np.array([bool(p) for p in fp.claims], dtype=bool)
    rows = np.flatnonzero(has[c_group]) if len(c_group) else np.zeros(0, dtype=np.int64)
    if not len(rows):
        return
    year = c_year[rows]
    first_of_year = np.searchsorted(year, year, "left")
    rank = np.arange(len(rows)) - first_of_year
    first = c_start[rows].astype(np.int64)
    last = np.minimum(np.ceil(c_end[rows]).astype(np.int64), HORIZON_DAYS)
    for k in range(int(rank.max()) + 1):
        at_k = rank == k
        for g in np.unique(c_group[rows[at_k]]).tolist():
            sel = np.flatnonzero(at_k & (c_group[rows] == g))
            length = last[sel] - first[sel]
            y = np.repeat(year[sel], length)
            day = np.repeat(first[sel], length) + (
                np.arange(int(length.sum())) - np.repeat(np.cumsum(length) - length, length)
            )
            for need_per_day, targets in fp.claims[g]:
                need = np.full(len(day), need_per_day)
                for t in targets:
                    if t not in budget:
                        budget[t] = _Budget(float(fp.spare[t]), n)
                    b = budget[t]
                    s = b.slots(y)
                    taken = np.minimum(need, b.rows[s, day])
                    b.rows[s, day] -= taken
                    need -= taken


def _flow_block(
    fp: FastPlan,
    flow: _Flow,
    n: int,
    closures: tuple[IntArray, IntArray, FloatArray, FloatArray],
    out: FloatArray,
    budget: Budgets,
) -> None:
    c_year, c_group, c_start, c_end = closures
    mine = flow.hits[c_group].any(axis=1) if len(c_group) else np.zeros(0, dtype=bool)
    if not mine.any() or not flow.routes:
        out[_F["stockout_days"]] += flow.stockout0
        return
    idx = np.flatnonzero(mine)
    yr, grp, st, en = c_year[idx], c_group[idx], c_start[idx], c_end[idx]
    hit_years = np.unique(yr)
    padded = (yr, grp, st, en)
    lots = [_route_lots(fp, flow, route, hit_years, padded) for route in flow.routes]
    _fill(flow, lots, budget, n)
    rows = [_finish(flow, route, lot) for route, lot in zip(flow.routes, lots, strict=True)]
    _tally_flow(flow, n, hit_years, rows, out)


def _route_lots(
    fp: FastPlan,
    flow: _Flow,
    route: _Route,
    hit_years: IntArray,
    closures: tuple[IntArray, IntArray, FloatArray, FloatArray],
) -> dict[str, Any]:
    """Hit lots of one planned route over the block's years, and what each alternative
    offers them (all but the capacity they find, which depends on the order).

    ``closures`` are the flow's, sorted by year and in the reference's order within it.
    """
    yr, grp, st, en = closures
    days = flow.lot_days
    n_lots = len(days)
    mine = np.flatnonzero(flow.hits[grp, route.index])
    lo = np.searchsorted(days, st[mine], "left")
    hi = np.searchsorted(days, en[mine], "left")
    reps = hi - lo
    row = np.repeat(mine, reps)
    lot_i = np.repeat(lo, reps) + (
        np.arange(int(reps.sum())) - np.repeat(np.cumsum(reps) - reps, reps)
    )
    key = yr[row] * n_lots + lot_i
    # The worst closure of a lot: most capacity lost, then latest end, then first listed.
    order = np.lexsort((-row, en[row], fp.group_loss[grp[row]], key))
    key, row = key[order], row[order]
    last = np.flatnonzero(np.append(np.diff(key) != 0, True)) if len(key) else key
    key, worst_row = key[last], row[last]
    year = key // n_lots
    li = key % n_lots
    worst = grp[worst_row]
    day = days[li]
    tonnes = flow.lot_t[li] * route.share
    cut = tonnes * fp.group_loss[worst]
    wait = en[worst_row] + route.transit
    lot: dict[str, Any] = {
        "year": year,
        "lot": li,
        "day": day,
        "tonnes": tonnes,
        "planned": day + route.transit,
        "cut": cut,
        "through": tonnes - cut,
        "delay": fp.group_delay[worst],
        "surcharge": fp.group_surcharge[worst],
        "wait": wait,
        "alts": [],
    }
    worst_start = st[worst_row]
    # Alternatives closed by the same groups and with the same lead see the same state.
    seen: dict[tuple[bytes, float], tuple[FloatArray, FloatArray, FloatArray]] = {}
    for alt in route.alts:
        memo = (flow.hits[:, alt.loss_col].tobytes(), alt.lead)
        if memo not in seen:
            leave = np.maximum(day, worst_start + alt.lead)
            seen[memo] = (leave, *_state_at(fp, flow, alt.loss_col, closures, year, leave))
        leave, a_loss, a_delay = seen[memo]
        arrival = leave + alt.transit + a_delay
        ok = (arrival < wait) & (a_loss < 1.0)
        lot["alts"].append(
            {
                "ok": ok,
                "any": bool(ok.any()),
                "open": 1.0 - a_loss,
                "arrival": arrival,
                "tday": np.minimum(leave.astype(np.int64), HORIZON_DAYS - 1),
                "moved": np.zeros(len(year)),
            }
        )
    return lot


def _state_at(
    fp: FastPlan,
    flow: _Flow,
    col: int,
    closures: tuple[IntArray, IntArray, FloatArray, FloatArray],
    year: IntArray,
    at: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Most capacity lost and longest delay of the closures on a route at given times."""
    yr, grp, st, en = closures
    on = np.flatnonzero(flow.hits[grp, col])
    loss, delay = np.zeros(len(year)), np.zeros(len(year))
    if not len(on):
        return loss, delay
    oy = yr[on]
    lo = np.searchsorted(oy, year, "left")
    counts = np.searchsorted(oy, year, "right") - lo
    q = np.flatnonzero(counts)
    if not len(q):
        return loss, delay
    cq = counts[q]
    # One pair per (query, closure of its year on the route); pairs of a query are adjacent.
    starts = np.cumsum(cq) - cq
    c = on[np.repeat(lo[q], cq) + (np.arange(int(cq.sum())) - np.repeat(starts, cq))]
    t = np.repeat(at[q], cq)
    active = (st[c] <= t) & (t < en[c])
    g = grp[c]
    loss[q] = np.maximum.reduceat(np.where(active, fp.group_loss[g], 0.0), starts)
    delay[q] = np.maximum.reduceat(np.where(active, fp.group_delay[g], 0.0), starts)
    return loss, delay


def _fill(flow: _Flow, lots: list[dict[str, Any]], budget: Budgets, n: int) -> None:
    """Switched tonnes, lot by lot in the reference's order (day, then planned route) where
    a capacity can run out, else all at once."""
    years = np.unique(np.concatenate([lot["year"] for lot in lots]))
    for route in flow.routes:
        for alt in route.alts:
            for c in alt.caps:
                if c not in budget:
                    budget[c] = _Budget(alt_room(flow, c), n)
                budget[c].slots(years)
    if not flow.sequential:
        for route, lot in zip(flow.routes, lots, strict=True):
            _offer(route, lot, slice(None), budget)
        return
    keys = []
    for j, lot in enumerate(lots):
        keys.append((lot["day"], np.full(len(lot["day"]), j), np.arange(len(lot["day"]))))
    day = np.concatenate([k[0] for k in keys])
    which = np.concatenate([k[1] for k in keys])
    row = np.concatenate([k[2] for k in keys])
    order = np.lexsort((which, day))
    day, which, row = day[order], which[order], row[order]
    cuts = np.flatnonzero(np.diff(day) != 0) + 1
    cuts = np.union1d(cuts, np.flatnonzero(np.diff(which) != 0) + 1)
    bounds = np.concatenate(([0], cuts, [len(day)])).astype(np.int64)
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        if hi <= lo:
            continue
        j = int(which[lo])
        _offer(flow.routes[j], lots[j], row[lo:hi], budget)


def alt_room(flow: _Flow, cap: int) -> float:
    for r in flow.routes:
        for a in r.alts:
            if cap in a.caps:
                return a.cap_spare[a.caps.index(cap)]
    raise KeyError(cap)


def _offer(route: _Route, lot: dict[str, Any], rows: slice | IntArray, budget: Budgets) -> None:
    """Rows of one planned route's hit lots (at most one per year) try its alternatives."""
    cut = lot["cut"][rows].copy()
    year = lot["year"][rows]
    for alt, offer in zip(route.alts, lot["alts"], strict=True):
        if not offer["any"]:
            continue
        live = cut > _EPS
        if not live.any():
            break
        x = cut * offer["open"][rows]
        if alt.caps:
            tday = offer["tday"][rows]
            at = [(budget[c].rows, budget[c].slot[year]) for c in alt.caps]
            room = np.min([b[s, tday] for b, s in at], axis=0)
            took = np.minimum(x, np.maximum(room, 0.0))
            took = np.where(live & offer["ok"][rows], took, 0.0)
            for b, s in at:
                b[s, tday] -= took
        else:
            took = np.where(live & offer["ok"][rows], x, 0.0)
        moved = np.where(took > _EPS, took, 0.0)
        offer["moved"][rows] = moved
        cut -= moved
    if "left" not in lot:
        lot["left"] = lot["cut"].copy()
    lot["left"][rows] = cut


def _finish(flow: _Flow, route: _Route, lot: dict[str, Any]) -> dict[str, Any]:
    """Costs, delays and arrivals of one planned route's hit lots."""
    m = len(lot["year"])
    planned = lot["planned"]
    through = lot["through"]
    extra = np.where(through > 0, through * lot["surcharge"], 0.0)
    planning = np.zeros(m)
    rerouted = np.zeros(m)
    arrivals = [(np.where(through > 0, through, 0.0), planned + lot["delay"])]
    for alt, offer in zip(route.alts, lot["alts"], strict=True):
        moved = offer["moved"]
        extra += moved * max(alt.diff, 0.0)
        planning += moved * min(alt.diff, 0.0)
        rerouted += moved
        arrivals.append((moved, np.where(moved > 0, offer["arrival"], planned)))
    left = lot.get("left", lot["cut"])
    waited = np.where(left > _EPS, left, 0.0)
    arrivals.append((waited, lot["wait"]))
    late_t, tdays, undelivered = np.zeros(m), np.zeros(m), np.zeros(m)
    for t, at in arrivals:
        delay = at - planned
        late = (delay > _EPS) & (t > 0)
        late_t += np.where(late, t, 0.0)
        tdays += np.where(late, t * delay, 0.0)
        extra += np.where(late, t * delay * flow.carry, 0.0)
        undelivered += np.where(late & (at >= flow.year_end) & (flow.year_end > planned), t, 0.0)
    return {
        "year": lot["year"],
        "planned": planned,
        "tonnes": lot["tonnes"],
        "extra": extra,
        "planning": planning,
        "rerouted": rerouted,
        "waited": waited,
        "late": late_t,
        "tdays": tdays,
        "undelivered": undelivered,
        "arr_t": np.concatenate([t for t, _ in arrivals]),
        "arr_at": np.concatenate([at for _, at in arrivals]),
        "arr_year": np.tile(lot["year"], len(arrivals)),
    }


def _tally_flow(
    flow: _Flow,
    n: int,
    hit_years: IntArray,
    rows: list[dict[str, Any]],
    out: FloatArray,
) -> None:
    for res in rows:
        y = res["year"].astype(np.int64)
        for name, key in (
            ("late_t", "late"),
            ("tonne_days_late", "tdays"),
            ("undelivered_t", "undelivered"),
            ("extra_cost_usd", "extra"),
            ("planning_effect_usd", "planning"),
            ("rerouted_t", "rerouted"),
            ("waited_t", "waited"),
        ):
            out[_F[name]] += np.bincount(y, weights=res[key], minlength=n)
    # Stock-out: arrivals of the hit years, from the undisturbed series.
    stock = np.full(n, flow.stockout0)
    years = _may_run_short(flow, n, hit_years, rows)
    h = len(years)
    if not h:
        out[_F["stockout_days"]] += stock
        return
    slot = np.full(n, -1, dtype=np.int64)
    slot[years] = np.arange(h)
    arrived = np.tile(flow.arrived0, (h, 1))
    flat = arrived.ravel()
    for res in rows:
        s = slot[res["year"]]
        on = s >= 0
        pb = _bins(res["planned"][on])
        np.add.at(flat, s[on] * HORIZON_DAYS + pb, -res["tonnes"][on])
        s = slot[res["arr_year"]]
        on = s >= 0
        ab = _bins(res["arr_at"][on])
        np.add.at(flat, s[on] * HORIZON_DAYS + ab, res["arr_t"][on])
    backlog = flow.due_cum[None, :] - np.cumsum(arrived, axis=1)
    stock[years] = np.count_nonzero(backlog > flow.stock, axis=1).astype(float)
    out[_F["stockout_days"]] += stock


def _may_run_short(
    flow: _Flow, n: int, hit_years: IntArray, rows: list[dict[str, Any]]
) -> IntArray:
    """Hit years whose stock-out days must be counted day by day.

    On a day, the backlog exceeds the undisturbed one by at most the tonnes whose arrival
    falls on a later day than planned. Where the undisturbed backlog never exceeds the
    stock (no stock-out days without closures) and its peak plus those tonnes stays below
    it, the year has no stock-out day either.
    """
    if flow.stockout0 > 0:
        return hit_years
    slow = np.zeros(n)
    for res in rows:
        k = len(res["arr_t"]) // max(len(res["planned"]), 1)
        later = _bins(res["arr_at"]) > np.tile(_bins(res["planned"]), k)
        slow += np.bincount(
            res["arr_year"], weights=np.where(later, res["arr_t"], 0.0), minlength=n
        )
    peak = float(np.max(flow.due_cum - np.cumsum(flow.arrived0)))
    room = flow.stock - peak - 1e-9 * max(flow.volume, 1.0)
    return hit_years[slow[hit_years] >= room]


def _bins(days: FloatArray | IntArray) -> IntArray:
    return np.minimum(
        np.ceil(np.asarray(days, dtype=float) - 0.5).astype(np.int64), HORIZON_DAYS - 1
    )
