"""The compiled risk model: which events hit which routes and capacities, and by how much."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from corridor.costs import Z95, Assumptions, inventory_usd_per_t
from corridor.errors import RequestError
from corridor.network.model import Event, Network
from corridor.routing.route import Route

if TYPE_CHECKING:
    pass
from corridor.risk._common import TIMINGS, FloatArray, IntArray
from corridor.risk.allocation import Allocation
from corridor.risk.targets import _severity, event_link_loss, route_links, route_targets


@dataclass(frozen=True)
class EventTable:
    """The events as arrays: what the sampler needs."""

    ids: tuple[str, ...]
    rate: FloatArray
    """Occurrences per year."""
    log_median: FloatArray
    sigma: FloatArray
    """Lognormal parameters of the duration in days (sigma 0: fixed duration)."""

    @classmethod
    def of(cls, events: Sequence[Event]) -> EventTable:
        rate = np.array([e.events_per_year for e in events], dtype=float)
        median = np.array([e.duration_days for e in events], dtype=float)
        p95 = np.array([max(e.duration_days_p95, e.duration_days) for e in events], dtype=float)
        positive = median > 0
        log_median = np.full(len(events), -np.inf)
        log_median[positive] = np.log(median[positive])
        sigma = np.zeros(len(events))
        sigma[positive] = np.log(p95[positive] / median[positive]) / Z95
        return cls(tuple(e.id for e in events), rate, log_median, sigma)

    @property
    def mean_days(self) -> FloatArray:
        return np.exp(self.log_median + self.sigma**2 / 2)


@dataclass(frozen=True)
class Step:
    """Re-routing of the tonnes one event displaces from one planned route."""

    flow: int
    route: int
    event: int
    alternatives: tuple[int, ...]
    """Surviving candidates, cheapest first."""


@dataclass(frozen=True)
class Effect:
    """Cost and delay an event adds to the tonnes still moving on a route it touches."""

    flow: int
    route: int
    event: int
    usd_per_t: float
    days: float


@dataclass(frozen=True)
class EventWork:
    """What one event does to the allocation: its re-routing steps and its charges."""

    event: int
    steps: range
    """Indices into ``RiskModel.steps``."""
    effects: tuple[Effect, ...]
    capacities: tuple[int, ...]
    """Capacities any of its steps' survivors draw on."""


@dataclass(frozen=True)
class RiskModel:
    """Everything the per-year engine needs, as arrays (picklable, sent to workers).

    Routes are the candidates of every flow, numbered flow by flow; ``loss[e, r]`` is the
    capacity share event ``e`` takes from route ``r``.
    """

    events: EventTable
    timing: str
    route_flow: IntArray
    route_family: IntArray
    route_cost: FloatArray
    route_days: FloatArray
    route_links: tuple[tuple[str, ...], ...]
    planned: FloatArray
    loss: FloatArray
    capacity: FloatArray
    capacity_loss: FloatArray
    uses: tuple[tuple[tuple[int, float], ...], ...]
    """Per route: (capacity index, how many of its links draw on it)."""
    steps: tuple[Step, ...]
    """Every re-routing step, event by event."""
    work: tuple[EventWork, ...]
    flow_ids: tuple[str, ...]
    volumes: FloatArray
    families: tuple[str, ...]
    bounds: FloatArray
    """(2, groups, 2): lower and upper bound of undelivered tonnes (0) and extra cost (1)
    per group (portfolio, flows, families), for the histograms."""

    @property
    def n_routes(self) -> int:
        return len(self.route_cost)

    @property
    def group_ids(self) -> tuple[str, ...]:
        return ("portfolio", *self.flow_ids, *self.families)

    @property
    def group_volumes(self) -> FloatArray:
        fam = np.zeros(len(self.families))
        np.add.at(fam, self.route_family[self.planned > 0], self.planned[self.planned > 0])
        return np.concatenate(([self.volumes.sum()], self.volumes, fam))


def compile_model(
    allocation: Allocation, timing: str = "stationary", *, every_route: bool = False
) -> RiskModel:
    """Turn an allocation and its network's events into the arrays of a :class:`RiskModel`.

    Parameters
    ----------
    allocation : Allocation
        What to stress.
    timing : str
        'stationary' or 'onset' (see the module docstring).
    every_route : bool
        Re-routing steps for every candidate route, not only planned ones (the frontier
        prices a tonne on any candidate).
    """
    from corridor.optimize.capacity import capacities, capacity_of_link

    if timing not in TIMINGS:
        raise RequestError(f"timing must be one of {', '.join(TIMINGS)}, not '{timing}'")
    net, a = allocation.network, allocation.assumptions
    routes = [(fi, r) for fi, f in enumerate(allocation.flows) for r in f.candidates]
    caps = list(capacities(net).values())
    cap_index = {c.id: i for i, c in enumerate(caps)}
    by_link = capacity_of_link(net)
    families = tuple(sorted({r.family for f in allocation.flows for r, t in f.planned if t > 0}))
    loss, touch = _route_losses(net, [r for _, r in routes])
    planned = _planned_vector(allocation)
    uses = tuple(_uses(r, net, cap_index) for _, r in routes)
    rule_caps, uses = _rule_capacities(allocation, routes, uses, len(caps))
    steps = _steps(allocation, loss, planned, uses, every_route)
    effects = _effects(allocation, touch, loss, planned, a, every_route)
    model = RiskModel(
        events=EventTable.of(net.events),
        timing=timing,
        route_flow=np.array([fi for fi, _ in routes], dtype=np.int64),
        route_family=np.array([_family_index(families, r) for _, r in routes], dtype=np.int64),
        route_cost=np.array([r.cost_usd_per_t for _, r in routes]),
        route_days=np.array([r.days_mean for _, r in routes]),
        route_links=tuple(route_links(r) for _, r in routes),
        planned=planned,
        loss=loss,
        capacity=np.array([c.capacity_t_per_year for c in caps] + rule_caps),
        capacity_loss=np.hstack(
            (_capacity_losses(net, caps, by_link), np.zeros((len(net.events), len(rule_caps))))
        ),
        uses=uses,
        steps=steps,
        work=_work(len(net.events), steps, effects, uses),
        flow_ids=tuple(f.id for f in allocation.flows),
        volumes=np.array([f.volume_t_per_year for f in allocation.flows]),
        families=families,
        bounds=np.zeros((2, 1, 2)),
    )
    return replace(model, bounds=_bounds(model))


def _family_index(families: tuple[str, ...], route: Route) -> int:
    return families.index(route.family) if route.family in families else -1


def _route_losses(net: Network, routes: Sequence[Route]) -> tuple[FloatArray, npt.NDArray[Any]]:
    loss = np.zeros((len(net.events), len(routes)))
    touch = np.zeros((len(net.events), len(routes)), dtype=bool)
    for j, route in enumerate(routes):
        targets = route_targets(route)
        for e, event in enumerate(net.events):
            touch[e, j], loss[e, j] = _severity(net, event, targets)
    return loss, touch


def _capacity_losses(net: Network, caps: Sequence[Any], by_link: Mapping[str, str]) -> FloatArray:
    out = np.zeros((len(net.events), len(caps)))
    index = {c.id: i for i, c in enumerate(caps)}
    for e, event in enumerate(net.events):
        for link, share in event_link_loss(net, event).items():
            k = by_link.get(link)
            if k is not None:
                out[e, index[k]] = max(out[e, index[k]], share)
    return out


def _planned_vector(allocation: Allocation) -> FloatArray:
    out: list[float] = []
    for f in allocation.flows:
        tonnes = {route_links(r): t for r, t in f.planned}
        out += [tonnes.get(route_links(r), 0.0) for r in f.candidates]
    return np.array(out)


def _uses(
    route: Route, net: Network, cap_index: Mapping[str, int]
) -> tuple[tuple[int, float], ...]:
    """Capacity index -> how many of the route's steps draw on it (links, groups, the
    capacities of the nodes it leaves)."""
    from corridor.optimize.capacity import draws_on

    cargo_class = net.commodity(route.commodity).cargo_class
    counts: dict[int, float] = {}
    for leg in route.legs:
        if leg.kind != "link" or not leg.link:
            continue
        for cap in draws_on(net, cargo_class, net.link(leg.link), leg.from_):
            k = cap_index[cap]
            counts[k] = counts.get(k, 0.0) + 1.0
    return tuple(sorted(counts.items()))


def _rule_capacities(
    allocation: Allocation,
    routes: Sequence[tuple[int, Route]],
    uses: tuple[tuple[tuple[int, float], ...], ...],
    first: int,
) -> tuple[list[float], tuple[tuple[tuple[int, float], ...], ...]]:
    """Maximum-share rules as capacities: a rule's scope may put at most ``max_share`` of
    its volume through the target, in a disruption as in the plan (re-routing that broke a
    rule would count the rule's cost as a disruption's saving).

    Returns the rules' tonnes per year, numbered from ``first``, and each route's uses with
    the rules it counts against added (once per route).
    """
    from corridor.contracts.model import EACH, PORTFOLIO

    net = allocation.network
    ids = [f.id for f in allocation.flows]
    volumes = {f.id: f.volume_t_per_year for f in allocation.flows}
    tonnes: list[float] = []
    extra: list[list[tuple[int, float]]] = [[] for _ in routes]
    for rule in allocation.rules:
        if rule.max_share is None:
            continue
        if rule.scope == EACH:
            scopes = [[i] for i in ids]
        elif rule.scope == PORTFOLIO:
            scopes = [ids]
        else:
            scopes = [[rule.scope]] if rule.scope in volumes else []
        for scope in scopes:
            k = first + len(tonnes)
            tonnes.append(rule.max_share * sum(volumes[i] for i in scope))
            for j, (fi, route) in enumerate(routes):
                if ids[fi] in scope and _counts_against(net, route, rule.on, rule.target):
                    extra[j].append((k, 1.0))
    return tonnes, tuple(tuple(u) + tuple(x) for u, x in zip(uses, extra, strict=True))


def _counts_against(net: Network, route: Route, on: str, target: str) -> bool:
    """Whether a route's tonnes count against a share rule (as the plan counts them:
    transit countries and chokepoints, or the route's families)."""
    if on == "family":
        return target in route.family.split("+")
    ends = {net.node(route.origin).country, net.node(route.destination).country}
    return (target in route.countries and target not in ends) or target in route.chokepoints


def _flow_slices(allocation: Allocation) -> list[range]:
    out, start = [], 0
    for f in allocation.flows:
        out.append(range(start, start + len(f.candidates)))
        start += len(f.candidates)
    return out


def _steps(
    allocation: Allocation,
    loss: FloatArray,
    planned: FloatArray,
    uses: Sequence[tuple[tuple[int, float], ...]],
    every_route: bool,
) -> tuple[Step, ...]:
    """The re-routing program: per event, flow and planned route it hits, the survivors
    that can ever take anything, cheapest first."""
    spans = _flow_slices(allocation)
    out = []
    for e in range(loss.shape[0]):
        for fi, span in enumerate(spans):
            survivors = [j for j in span if loss[e, j] == 0]
            useful = _useful(survivors, loss, uses)
            for r in span:
                if loss[e, r] > 0 and (planned[r] > 0 or every_route):
                    out.append(Step(fi, r, e, useful))
    return tuple(out)


def _work(
    events: int,
    steps: Sequence[Step],
    effects: Sequence[Effect],
    uses: Sequence[tuple[tuple[int, float], ...]],
) -> tuple[EventWork, ...]:
    out = []
    start = 0
    for e in range(events):
        stop = start
        while stop < len(steps) and steps[stop].event == e:
            stop += 1
        caps = {k for s in steps[start:stop] for alt in s.alternatives for k, _ in uses[alt]}
        mine = tuple(x for x in effects if x.event == e)
        if stop > start or mine:
            out.append(EventWork(e, range(start, stop), mine, tuple(sorted(caps))))
        start = stop
    return tuple(out)


def _useful(
    survivors: Sequence[int], loss: FloatArray, uses: Sequence[tuple[tuple[int, float], ...]]
) -> tuple[int, ...]:
    """Drop a survivor when a cheaper one is no more exposed to any event and draws on no
    capacity it does not draw on as much: it is open at least as long and full no sooner,
    so under the nested rule the dearer one never takes a tonne."""
    kept: list[int] = []
    for j in survivors:
        need = dict(uses[j])
        dominated = any(
            bool(np.all(loss[:, i] <= loss[:, j]))
            and all(need.get(k, 0.0) >= t for k, t in uses[i])
            for i in kept
        )
        if not dominated:
            kept.append(j)
    return tuple(kept)


def _effects(
    allocation: Allocation,
    touch: npt.NDArray[Any],
    loss: FloatArray,
    planned: FloatArray,
    a: Assumptions,
    every_route: bool,
) -> tuple[Effect, ...]:
    net = allocation.network
    out = []
    for fi, span in enumerate(_flow_slices(allocation)):
        commodity = net.commodity(allocation.flows[fi].commodity)
        insured = commodity.value_usd_per_t * a.insured_value_factor
        for r in span:
            if not (planned[r] > 0 or every_route):
                continue
            for e in np.flatnonzero(touch[:, r]):
                ev = net.events[e]
                usd = ev.surcharge_usd_per_t + ev.insurance_pct_add / 100.0 * insured
                usd += inventory_usd_per_t(commodity, ev.delay_days, a)
                if usd or ev.delay_days:
                    out.append(Effect(fi, r, int(e), usd, ev.delay_days))
    return tuple(out)


def _bounds(model: RiskModel) -> FloatArray:
    """Exact bounds of undelivered tonnes and extra cost per group (histogram ranges);
    extra cost is never negative (a cheaper alternative is a planning effect)."""
    groups = len(model.group_ids)
    hi = np.zeros(groups)
    for r in np.flatnonzero(model.planned > 0):
        alts = [a for s in model.steps if s.route == r for a in s.alternatives]
        delta = model.route_cost[alts] - model.route_cost[r] if alts else np.zeros(1)
        added = sum(x.usd_per_t for w in model.work for x in w.effects if x.route == r)
        up = model.planned[r] * (max(0.0, float(delta.max())) + added)
        for g in _groups_of(model, int(r)):
            hi[g] += up
    tonnes = model.group_volumes
    out = np.zeros((2, groups, 2))
    out[0, :, 1] = np.maximum(tonnes, _planned_by_group(model))
    out[1, :, 1] = hi
    return out


def _groups_of(model: RiskModel, r: int) -> tuple[int, ...]:
    f = int(model.route_flow[r])
    fam = int(model.route_family[r])
    groups = (0, 1 + f)
    return groups + ((1 + len(model.flow_ids) + fam,) if fam >= 0 else ())


def _planned_by_group(model: RiskModel) -> FloatArray:
    out = np.zeros(len(model.group_ids))
    for r in np.flatnonzero(model.planned > 0):
        for g in _groups_of(model, int(r)):
            out[g] += model.planned[r]
    return out


# --------------------------------------------------------------------------- sampling
