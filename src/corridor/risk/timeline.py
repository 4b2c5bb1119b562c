"""A year in time: dated closures against scheduled lots, recovery with friction, the buyer's stock.

Rules (``docs/risk.md``, "Disruptions in time")
    * Each lot of a contract leaves on its day, split over the planned routes in the plan's
      shares, and is due at the buyer ``transit_days`` later.
    * A lot leaving while a closure hits its route loses ``capacity_loss`` of its tonnes
      (the worst closure active that day); the rest goes through with the closure's delay
      and surcharge.
    * Cut tonnes either **wait** for the route to reopen, or **switch** to a candidate route
      not wholly closed on the day they would leave (a partly cut one takes only its open
      share of them, with its delay). A route the plan already uses takes them
      at once at its contract cost; any other only after the switching lead time (counted
      from the closure's start) and at the spot premium. A switch is taken only when it
      reaches the buyer sooner than waiting; candidates are tried cheapest first.
    * **Shared spare capacity**: each capacity has, per day, its figure less other users'
      traffic (``risk_recovery.csv``) less the plan's own tonnes. Traffic of other users
      that a closure displaces claims the spare capacity of the crossings it spills to
      *first* (in the order listed), for every day of the closure; the contract's switched
      tonnes take what is left on their departure day, and the rest waits.
    * The buyer consumes the annual volume evenly and holds a safety stock of
      ``stock_days`` of consumption on top of the plan's deliveries. A **stock-out day** is
      a day at whose middle the tonnes due by then, less those arrived, exceed the stock;
      a lot falls due evenly over its interval from its planned arrival (a quarterly lot
      over 91 days, a daily one on its day).
    * Extra cost of a disruption is never negative: a switch to a route cheaper than the
      planned one costs 0 and its saving is reported apart as a **planning effect**. Delay
      is priced as in-transit inventory (the cargo's carrying cost).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from corridor.costs import inventory_usd_per_t
from corridor.risk._common import DAYS, FloatArray, IntArray
from corridor.risk.allocation import Allocation
from corridor.risk.calendar import DEFAULT_STOCK_DAYS, Closure, Schedule
from corridor.risk.recovery import Recovery, recovery_of
from corridor.risk.targets import link_targets, route_links, route_targets

if TYPE_CHECKING:
    from corridor.optimize.capacity import Capacity

HORIZON_DAYS = int(3 * DAYS)
"""A year's lots, their closures (up to 730 days) and transit all end within it."""
_EPS = 1e-9


@dataclass(frozen=True)
class TimedRoute:
    """A candidate route as the calendar sees it."""

    label: str
    family: str
    cost_usd_per_t: float
    transit_days: float
    targets: frozenset[str]
    capacities: tuple[str, ...]


@dataclass(frozen=True)
class TimedFlow:
    """One contract: its lots, its routes (planned tonnes per candidate) and its stock."""

    id: str
    cargo_class: str
    volume_t_per_year: float
    carry_usd_per_t_day: float
    routes: tuple[TimedRoute, ...]
    planned_t: tuple[float, ...]
    stock_days: float
    schedule: Schedule


@dataclass(frozen=True)
class TimedPlan:
    """Everything a year in time needs; build it with :func:`timed_plan`."""

    flows: tuple[TimedFlow, ...]
    spare_t_per_day: Mapping[str, float]
    capacity_targets: Mapping[str, frozenset[str]]
    recovery: Recovery


def timed_plan(
    allocation: Allocation,
    *,
    stock_days: float | Mapping[str, float] = DEFAULT_STOCK_DAYS,
    schedules: Mapping[str, Schedule] | None = None,
    recovery: Recovery | None = None,
) -> TimedPlan:
    """Compile an allocation for :func:`simulate_year`.

    Parameters
    ----------
    allocation : Allocation
        The split to test (its network should already reflect any chronic state in force).
    stock_days : float or mapping of contract id to float
        Buyer's safety stock in days of consumption (default 30), for contracts that do
        not give their own (``stock_days`` of the contract wins).
    schedules : mapping of contract id to Schedule, optional
        Default: class-7 cargo in four charter lots a year, the rest evenly.
    recovery : Recovery, optional
        Lead times, spot premium and background traffic (default: the network's
        ``risk_recovery`` table).
    """
    from corridor.optimize.capacity import capacities, capacity_of_link

    net = allocation.network
    rec = recovery or recovery_of(net)
    by_link = capacity_of_link(net)
    flows = []
    for f in allocation.flows:
        commodity = net.commodity(f.commodity)
        routes = tuple(_timed_route(r, by_link) for r in f.candidates)
        planned = {route_links(r): t for r, t in f.planned}
        stock = stock_days if isinstance(stock_days, int | float) else stock_days[f.id]
        if f.stock_days is not None:  # the contract's own figure wins over the run's default
            stock = f.stock_days
        if not 0 <= stock <= 3650:
            raise ValueError(f"contract {f.id}: stock_days must be within 0–3650, not {stock}")
        flows.append(
            TimedFlow(
                f.id,
                commodity.cargo_class,
                f.volume_t_per_year,
                inventory_usd_per_t(commodity, 1.0, allocation.assumptions),
                routes,
                tuple(planned.get(route_links(r), 0.0) for r in f.candidates),
                float(stock),
                (schedules or {}).get(f.id) or Schedule.default(commodity.cargo_class),
            )
        )
    caps = capacities(net)
    spare = {k: _spare(k, c, rec, flows) for k, c in caps.items()}
    cap_targets = {
        k: frozenset().union(*(link_targets(net, net.link(x)) for x in c.links))
        for k, c in caps.items()
    }
    return TimedPlan(tuple(flows), spare, cap_targets, rec)


def _timed_route(route: Any, by_link: Mapping[str, str]) -> TimedRoute:
    links = [leg.link for leg in route.legs if leg.kind == "link" and leg.link]
    caps = tuple(dict.fromkeys(by_link[x] for x in links if x in by_link))
    return TimedRoute(
        route.label,
        route.family,
        route.cost_usd_per_t,
        route.days_mean,
        route_targets(route),
        caps,
    )


def _spare(cap: str, c: Capacity, rec: Recovery, flows: Sequence[TimedFlow]) -> float:
    """Tonnes a day left on a capacity for re-routed cargo: the figure less other users'
    traffic, less this plan's own tonnes. Where ``capacities.csv`` records the use by
    other traffic, ``c.capacity_t_per_year`` is already net of it (it must not be taken off
    twice); elsewhere the recovery table's background figure stands for it."""
    used = 0.0
    if c.used_t_per_year is None and cap in rec.background:
        used = rec.background[cap].used_t_per_year.value
    figure = c.capacity_t_per_year
    own = sum(
        t for f in flows for r, t in zip(f.routes, f.planned_t, strict=True) if cap in r.capacities
    )
    return max(figure - used - own, 0.0) / DAYS


# --------------------------------------------------------------------------- outcomes


@dataclass
class YearOutcome:
    """What one year's closures did to one contract (or a sum of contracts)."""

    late_t: float = 0.0
    tonne_days_late: float = 0.0
    stockout_days: float = 0.0
    undelivered_t: float = 0.0
    extra_cost_usd: float = 0.0
    planning_effect_usd: float = 0.0
    rerouted_t: float = 0.0
    waited_t: float = 0.0

    def add(self, other: YearOutcome) -> None:
        for name, value in vars(other).items():
            setattr(self, name, getattr(self, name) + value)

    def to_dict(self) -> dict[str, float]:
        return {k: round(float(v), 6) for k, v in vars(self).items()}


@dataclass
class TimedResult:
    """Per contract, per route family (of the planned route) and for the portfolio."""

    contracts: dict[str, YearOutcome]
    families: dict[str, YearOutcome]
    portfolio: YearOutcome = field(default_factory=YearOutcome)

    def to_dict(self) -> dict[str, Any]:
        return {
            "portfolio": self.portfolio.to_dict(),
            "contracts": {k: v.to_dict() for k, v in self.contracts.items()},
            "families": {k: v.to_dict() for k, v in self.families.items()},
        }


# --------------------------------------------------------------------------- the year


def simulate_year(plan: TimedPlan, closures: Sequence[Closure]) -> TimedResult:
    """Run one year of ``plan`` under dated ``closures``, deterministically.

    Portfolio and family stock-out days are contract-days (summed over contracts).
    """
    budget = {k: np.full(HORIZON_DAYS, v) for k, v in plan.spare_t_per_day.items()}
    _claim_background(plan, closures, budget)
    result = TimedResult({}, {})
    for flow in plan.flows:
        per_family: dict[str, YearOutcome] = {}
        due, arrived = np.zeros(HORIZON_DAYS), np.zeros(HORIZON_DAYS)
        days, tonnes = flow.schedule.lots(flow.volume_t_per_year)
        share = np.array(flow.planned_t) / max(flow.volume_t_per_year, _EPS)
        hit_lots: list[tuple[float, int, float]] = []
        by_route = [[c for c in closures if _hits(c, r.targets)] for r in flow.routes]
        for r in np.flatnonzero(share > 0):
            route = flow.routes[r]
            per_family.setdefault(route.family, YearOutcome())
            hit = np.zeros(len(days), dtype=bool)
            for c in by_route[r]:
                hit |= (days >= c.start_day) & (days < c.end_day)
            # Lots no closure touches arrive as planned: booked at once.
            on_time = arrival_bins(days[~hit] + route.transit_days)
            np.add.at(due, on_time, tonnes[~hit] * share[r])
            np.add.at(arrived, on_time, tonnes[~hit] * share[r])
            hit_lots += [
                (float(d), int(r), float(t * share[r]))
                for d, t in zip(days[hit], tonnes[hit], strict=True)
            ]
        for day, j, lot in sorted(hit_lots):
            out = per_family[flow.routes[j].family]
            _ship(plan, flow, j, day, lot, by_route, budget, out, (due, arrived))
        total = YearOutcome()
        for fam, out in per_family.items():
            total.add(out)
            result.families.setdefault(fam, YearOutcome()).add(out)
        total.stockout_days = buyer_stockout_days(due, arrived, flow)
        for fam in per_family:
            result.families[fam].stockout_days += total.stockout_days * _share_of(flow, fam)
        result.contracts[flow.id] = total
        result.portfolio.add(total)
    return result


def _share_of(flow: TimedFlow, family: str) -> float:
    """Share of the flow's planned tonnes on ``family`` (to split its stock-out days)."""
    on = sum(t for r, t in zip(flow.routes, flow.planned_t, strict=True) if r.family == family)
    return on / max(sum(flow.planned_t), _EPS)


def _hits(closure: Closure, targets: frozenset[str]) -> bool:
    return not closure.targets.isdisjoint(targets)


def _claim_background(
    plan: TimedPlan, closures: Sequence[Closure], budget: dict[str, FloatArray]
) -> None:
    """Other users displaced by each closure take spare capacity first, day by day."""
    for c in closures:
        first, last = int(c.start_day), min(int(np.ceil(c.end_day)), HORIZON_DAYS)
        for cap, bg in plan.recovery.background.items():
            if cap not in plan.capacity_targets or not _hits(c, plan.capacity_targets[cap]):
                continue
            need = np.full(last - first, c.capacity_loss * bg.used_t_per_year.value / DAYS)
            for target in bg.spills_to:
                if target not in budget or _hits(c, plan.capacity_targets[target]):
                    continue
                taken = np.minimum(need, budget[target][first:last])
                budget[target][first:last] -= taken
                need -= taken


def _ship(
    plan: TimedPlan,
    flow: TimedFlow,
    r: int,
    day: float,
    tonnes: float,
    by_route: Sequence[Sequence[Closure]],
    budget: dict[str, FloatArray],
    out: YearOutcome,
    series: tuple[FloatArray, FloatArray],
) -> None:
    """One lot's tonnes on one planned route: through, switched or waiting."""
    due, arrived = series
    route = flow.routes[r]
    planned_arrival = day + route.transit_days
    hitting = [c for c in by_route[r] if c.start_day <= day < c.start_day + c.days]
    _book(due, planned_arrival, tonnes)
    if not hitting:
        _book(arrived, planned_arrival, tonnes)
        return
    worst = max(hitting, key=lambda c: (c.capacity_loss, c.end_day))
    cut = tonnes * worst.capacity_loss
    through = tonnes - cut
    if through > 0:
        _arrive(flow, through, planned_arrival, planned_arrival + worst.delay_days, out, arrived)
        out.extra_cost_usd += through * worst.surcharge_usd_per_t
    wait_arrival = worst.end_day + route.transit_days
    for a in _alternatives(flow, r):
        if cut <= _EPS:
            break
        alt = flow.routes[a]
        new = flow.planned_t[a] <= 0
        lead = plan.recovery.lead_days(flow.cargo_class, alt.family) if new else 0.0
        leave = max(day, worst.start_day + lead)
        there = [c for c in by_route[a] if c.start_day <= leave < c.start_day + c.days]
        loss = max((c.capacity_loss for c in there), default=0.0)
        arrival = leave + alt.transit_days + max((c.delay_days for c in there), default=0.0)
        if arrival >= wait_arrival or loss >= 1.0:
            continue
        # A partly cut alternative takes only its open share of what it is offered.
        moved = _take(budget, alt.capacities, int(leave), cut * (1.0 - loss))
        if moved <= _EPS:
            continue
        cut -= moved
        premium = plan.recovery.spot_premium.value if new else 0.0
        difference = alt.cost_usd_per_t * (1.0 + premium) - route.cost_usd_per_t
        out.extra_cost_usd += moved * max(difference, 0.0)
        out.planning_effect_usd += moved * min(difference, 0.0)
        out.rerouted_t += moved
        _arrive(flow, moved, planned_arrival, arrival, out, arrived)
    if cut > _EPS:
        out.waited_t += cut
        _arrive(flow, cut, planned_arrival, wait_arrival, out, arrived)


def _alternatives(flow: TimedFlow, r: int) -> list[int]:
    """Other candidates, cheapest first (candidates are stored cheapest first)."""
    return [a for a in range(len(flow.routes)) if a != r]


def _take(budget: dict[str, FloatArray], caps: Sequence[str], day: int, tonnes: float) -> float:
    """Tonnes the capacities ``caps`` can still take on ``day`` (taken from the budget)."""
    day = min(day, HORIZON_DAYS - 1)
    room = min((float(budget[k][day]) for k in caps if k in budget), default=tonnes)
    moved = min(tonnes, max(room, 0.0))
    for k in caps:
        if k in budget:
            budget[k][day] -= moved
    return moved


def _arrive(
    flow: TimedFlow,
    tonnes: float,
    planned: float,
    actual: float,
    out: YearOutcome,
    arrived: FloatArray,
) -> None:
    _book(arrived, actual, tonnes)
    delay = actual - planned
    if delay > _EPS:
        out.late_t += tonnes
        out.tonne_days_late += tonnes * delay
        out.extra_cost_usd += tonnes * delay * flow.carry_usd_per_t_day
        if actual >= year_end(flow) > planned:
            out.undelivered_t += tonnes


def year_end(flow: TimedFlow) -> float:
    """End of the contract's delivery year: a year after its first planned arrival."""
    first = min(r.transit_days for r, t in zip(flow.routes, flow.planned_t, strict=True) if t > 0)
    return first + DAYS


def _book(series: FloatArray, day: float, tonnes: float) -> None:
    series[min(int(np.ceil(day - 0.5)), HORIZON_DAYS - 1)] += tonnes


def arrival_bins(days: FloatArray) -> IntArray:
    """Bins of arrival times, as :func:`_book` places them."""
    return np.minimum(np.ceil(days - 0.5).astype(np.int64), HORIZON_DAYS - 1)


def buyer_stockout_days(due: FloatArray, arrived: FloatArray, flow: TimedFlow) -> float:
    """Days whose middle finds more tonnes due than arrived plus the safety stock.

    ``_book`` puts an arrival at time ``d`` in bin ``ceil(d − 0.5)``: the first day whose
    middle it reaches.
    """
    backlog = np.cumsum(falling_due(due, flow)) - np.cumsum(arrived)
    return float(np.count_nonzero(backlog > stock_threshold(flow)))


def falling_due(due: FloatArray, flow: TimedFlow) -> FloatArray:
    """Tonnes falling due at the buyer per day, from the lots' planned arrivals ``due``.

    A lot is consumed evenly until the next one is due, so what is due by a day is its
    tonnes spread over the lot interval from the planned arrival (one day for even
    shipping): a quarterly charter one day late is one day of consumption short, not
    a quarter's.
    """
    interval = max(1, round(DAYS / len(flow.schedule.lots(1.0)[0])))
    if interval > 1:
        return np.convolve(due, np.full(interval, 1.0 / interval))[: len(due)]
    return due


def stock_threshold(flow: TimedFlow) -> float:
    """Backlog (tonnes) above which the buyer runs short: the safety stock, with a margin
    of a millionth of the annual volume against rounding."""
    stock = flow.stock_days * flow.volume_t_per_year / DAYS
    return stock + 1e-6 * max(flow.volume_t_per_year, 1.0)
