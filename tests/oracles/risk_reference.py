"""Reference implementation of one simulated year (a plain per-year loop on NetworkX)."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from corridor.costs import inventory_usd_per_t
from corridor.routing.route import Route

if TYPE_CHECKING:
    pass
from corridor.risk._common import MIN_MOVE_T, FloatArray
from corridor.risk.allocation import Allocation, Flow, route_links
from corridor.risk.model import RiskModel, _severity, event_link_loss, route_targets


@dataclass(frozen=True)
class ReferenceYear:
    """One year by the plain loop: per-flow results and the route chosen at each move."""

    undelivered: FloatArray
    extra_cost: FloatArray
    moves: tuple[tuple[int, tuple[str, ...], float], ...]
    """(step index, links of the route, tonnes) for every move of at least 1e-6 t."""


def reference_years(
    allocation: Allocation, model: RiskModel, shares: FloatArray, *, memoised: bool = False
) -> list[ReferenceYear]:
    """The re-routing rule applied year by year, with NetworkX shortest paths.

    A deliberately plain implementation to check :func:`simulate` against: Python loops over
    years, planned routes and events; exposure and capacities are recomputed from the
    network; the first survivor of each displaced lot is found by Dijkstra (``networkx``)
    on the commodity graph without the event's links and priced with
    :func:`corridor.routing.make_route`; what it cannot take goes on through the other
    surviving candidates in cost order. ``model`` is used only for the order of the steps.

    Parameters
    ----------
    allocation : Allocation
        The allocation ``model`` was compiled from.
    model : RiskModel
        For the order of the steps.
    shares : array (events, years)
        Event shares of the years to run.
    memoised : bool
        Keep what does not depend on the year (the order of survivors per flow and event,
        found by Dijkstra; each planned route's charge per event) from year to year: the
        same loop, as a careful hand would write it (the fair baseline of
        ``benchmarks/bench_risk.py``).
    """
    checker = reference_loop(allocation, model, memoised=memoised)
    return [checker.year(shares[:, y]) for y in range(shares.shape[1])]


def reference_loop(allocation: Allocation, model: RiskModel, *, memoised: bool = False) -> Any:
    """The loop of :func:`reference_years`, to run year by year with ``.year(shares)``
    (a memoised one keeps what it learnt between calls)."""
    return (_Memoised if memoised else _Reference)(allocation, model)


class _Reference:
    def __init__(self, allocation: Allocation, model: RiskModel) -> None:
        from corridor.optimize.capacity import capacities, capacity_of_link

        net = allocation.network
        self.allocation, self.model, self.net = allocation, model, net
        self.finders = [_PathFinder(allocation, f) for f in allocation.flows]
        self.cap_of = capacity_of_link(net)
        self.caps = capacities(net)
        self.link_loss = [event_link_loss(net, ev) for ev in net.events]
        self.routes = [r for f in allocation.flows for r in f.candidates]
        self.severity: dict[tuple[str, ...], list[float]] = {}
        # Maximum-share rules bound re-routing as they bound the plan: (key, tonnes, ids).
        ids = [f.id for f in allocation.flows]
        volume = {f.id: f.volume_t_per_year for f in allocation.flows}
        self.rules: list[tuple[str, float, Any, set[str]]] = []
        for i, rule in enumerate(allocation.rules):
            if rule.max_share is None:
                continue
            groups = {"each_contract": [[x] for x in ids], "portfolio": [ids]}.get(
                rule.scope, [[rule.scope]] if rule.scope in volume else []
            )
            for g in groups:
                cap = rule.max_share * sum(volume[x] for x in g)
                self.rules.append((f"rule {i} {g}", cap, rule, set(g)))

    def loss(self, route: Route) -> list[float]:
        key = route_links(route)
        if key not in self.severity:
            targets = route_targets(route)
            self.severity[key] = [_severity(self.net, ev, targets)[1] for ev in self.net.events]
        return self.severity[key]

    def raw(self, route: Route, s: FloatArray) -> float:
        return sum(float(s[e]) * x for e, x in enumerate(self.loss(route)) if x)

    def rule_uses(self, fi: int, route: Route) -> dict[str, int]:
        fid = self.allocation.flows[fi].id
        ends = {self.net.node(route.origin).country, self.net.node(route.destination).country}
        transit = ({*route.countries} - ends) | set(route.chokepoints)
        out = {}
        for key, _, rule, group in self.rules:
            through = rule.target in (route.family.split("+") if rule.on == "family" else transit)
            if fid in group and through:
                out[key] = 1
        return out

    def uses(self, route: Route) -> dict[str, int]:
        out: dict[str, int] = {}
        for link in route_links(route):
            if link in self.cap_of:
                out[self.cap_of[link]] = out.get(self.cap_of[link], 0) + 1
        return out

    def spare(self, s: FloatArray) -> dict[str, float]:
        out = {}
        for cid, cap in self.caps.items():
            lost = 0.0
            for e, hit in enumerate(self.link_loss):
                worst = max((hit[link] for link in cap.links if link in hit), default=0.0)
                lost += float(s[e]) * worst
            out[cid] = cap.capacity_t_per_year * max(1.0 - lost, 0.0)
        for key, cap, _, _ in self.rules:
            out[key] = cap
        for fi, f in enumerate(self.allocation.flows):
            for route, t in f.planned:
                for cid, times in {**self.uses(route), **self.rule_uses(fi, route)}.items():
                    out[cid] -= times * t * (1.0 - min(self.raw(route, s), 1.0))
        return {k: max(v, 0.0) for k, v in out.items()}

    def year(self, s: FloatArray) -> ReferenceYear:
        flows = len(self.allocation.flows)
        undelivered, extra = np.zeros(flows), np.zeros(flows)
        spare = self.spare(s)
        moves: list[tuple[int, tuple[str, ...], float]] = []
        for i, step in enumerate(self.model.steps):
            route, e = self.routes[step.route], step.event
            t = self.model.planned[step.route]
            displaced = t * self.loss(route)[e] * float(s[e]) / max(self.raw(route, s), 1.0)
            moved = 0.0
            for alt in self.order(step.flow, e):
                move = displaced * (1.0 - min(self.raw(alt, s), 1.0)) - moved
                use = {**self.uses(alt), **self.rule_uses(step.flow, alt)}
                for cid, times in use.items():
                    move = min(move, spare[cid] / times)
                move = max(move, 0.0)
                for cid, times in use.items():
                    spare[cid] -= move * times
                extra[step.flow] += move * max(alt.cost_usd_per_t - route.cost_usd_per_t, 0.0)
                moved += move
                if move >= MIN_MOVE_T:
                    moves.append((i, route_links(alt), move))
            undelivered[step.flow] += displaced - moved
        for fi, f in enumerate(self.allocation.flows):
            extra[fi] += self.charges(f, s)
        return ReferenceYear(undelivered, extra, tuple(moves))

    def order(self, flow: int, e: int) -> list[Route]:
        """Shortest surviving path first, then the other surviving candidates by cost."""
        blocked = {link for link, loss in self.link_loss[e].items() if loss > 0}
        first = self.finders[flow].cheapest(blocked)
        rest = [r for r in self.allocation.flows[flow].candidates if self.loss(r)[e] == 0]
        if first is None:
            return rest
        return [first] + [r for r in rest if route_links(r) != route_links(first)]

    def charges(self, flow: Flow, s: FloatArray) -> float:
        total = 0.0
        for t, e, keep, usd in self.charge_terms(flow):
            total += t * float(s[e]) * keep * usd
        return total

    def charge_terms(self, flow: Flow) -> list[tuple[float, int, float, float]]:
        """(tonnes, event, 1 - loss, USD/t) of each event touching a planned route of
        ``flow``, recomputed from the network."""
        net, a = self.net, self.allocation.assumptions
        commodity = net.commodity(flow.commodity)
        insured = commodity.value_usd_per_t * a.insured_value_factor
        terms = []
        for route, t in flow.planned:
            targets = route_targets(route)
            for e, ev in enumerate(net.events):
                touched, loss = _severity(net, ev, targets)
                if touched:
                    usd = ev.surcharge_usd_per_t + ev.insurance_pct_add / 100.0 * insured
                    usd += inventory_usd_per_t(commodity, ev.delay_days, a)
                    terms.append((t, e, 1.0 - loss, usd))
        return terms


class _Memoised(_Reference):
    """:class:`_Reference` keeping what does not depend on the year: the same arithmetic in
    the same order, so the same numbers."""

    def __init__(self, allocation: Allocation, model: RiskModel) -> None:
        super().__init__(allocation, model)
        self.orders: dict[tuple[int, int], list[Route]] = {}
        self.terms: dict[str, list[tuple[float, int, float, float]]] = {}

    def order(self, flow: int, e: int) -> list[Route]:
        key = (flow, e)
        if key not in self.orders:
            self.orders[key] = super().order(flow, e)
        return self.orders[key]

    def charge_terms(self, flow: Flow) -> list[tuple[float, int, float, float]]:
        if flow.id not in self.terms:
            self.terms[flow.id] = super().charge_terms(flow)
        return self.terms[flow.id]


class _PathFinder:
    """Cheapest surviving route of one flow: Dijkstra on a NetworkX copy of its graph."""

    def __init__(self, allocation: Allocation, flow: Flow) -> None:
        import networkx as nx

        from corridor.graph import commodity_graph

        self.g = commodity_graph(
            allocation.network, flow.commodity, allocation.assumptions, flow.avoid
        )
        self.graph = nx.MultiDiGraph()
        for i, e in enumerate(self.g.edges):
            self.graph.add_edge(e.tail, e.head, key=i, cost=e.cost)
        self.origin_of: dict[int, str] = {}
        for o in {r.origin for r in flow.candidates}:
            for v in self.g.node_vertices.get(o, []):
                self.graph.add_edge("source", v, key=-1, cost=0.0)
                self.origin_of[v] = o
        for d in {r.destination for r in flow.candidates}:
            for v in self.g.node_vertices.get(d, []):
                self.graph.add_edge(v, "sink", key=-1, cost=0.0)

    def cheapest(self, blocked: set[str]) -> Route | None:
        import networkx as nx

        from corridor.routing.pricing import make_route

        def weight(u: Any, v: Any, parallel: Mapping[int, Mapping[str, float]]) -> float | None:
            ok = [d["cost"] for k, d in parallel.items() if not self._blocked(k, blocked)]
            return min(ok) if ok else None

        try:
            path = nx.dijkstra_path(self.graph, "source", "sink", weight=weight)
        except nx.NetworkXNoPath:
            return None
        inner = path[1:-1]
        edges = [self._edge(u, v, blocked) for u, v in itertools.pairwise(inner)]
        return make_route(self.g, edges, self.origin_of[inner[0]])

    def _blocked(self, key: int, blocked: set[str]) -> bool:
        if key < 0:
            return False
        link = self.g.edges[key].link
        return link is not None and link.id in blocked

    def _edge(self, u: int, v: int, blocked: set[str]) -> Any:
        keys = [k for k in self.graph[u][v] if not self._blocked(k, blocked)]
        return self.g.edges[min(keys, key=lambda k: self.g.edges[k].cost)]
