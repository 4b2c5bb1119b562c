"""Most tonnes per year a commodity can move between places, and the capacities that bind."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from corridor.costs import Assumptions
from corridor.errors import RequestError
from corridor.graph import CommodityGraph
from corridor.i18n import Message, Named
from corridor.network.model import Network
from corridor.network.schema import FAMILIES
from corridor.optimize.capacity import TOL, Capacity, capacities, draws_on
from corridor.optimize.lp import HighsModel, LinearProgram


@dataclass(frozen=True)
class CapacityUse:
    """How much of one capacity a maximum flow uses, and whether it binds.

    Attributes
    ----------
    capacity : Capacity
        The capacity.
    used_t_per_year : float
        Tonnes per year it carries in the cheapest way to carry the maximum.
    marginal_t_per_t : float
        Extra tonnes per year deliverable per extra tonne per year of this capacity (the
        LP dual): 1 for a link of the minimum cut, 0 for a capacity that does not bind.
    """

    capacity: Capacity
    used_t_per_year: float
    marginal_t_per_t: float

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.capacity.to_dict(),
            "used_t_per_year": round(self.used_t_per_year, 1),
            "marginal_t_per_t": round(self.marginal_t_per_t, 4),
        }


@dataclass(frozen=True)
class CapacityRequest:
    """What a capacity analysis asks (ids checked against the network)."""

    commodity: str
    origins: tuple[str, ...]
    destinations: tuple[str, ...]
    avoid: tuple[str, ...] = ()
    families: tuple[str, ...] = ()

    def check(self, net: Network) -> None:
        """Raise RequestError naming the first unknown or contradictory id."""
        net.commodity(self.commodity)
        if not self.origins or not self.destinations:
            raise RequestError("give at least one origin and one destination")
        for node in (*self.origins, *self.destinations):
            net.node(node)
        both = sorted(set(self.origins) & set(self.destinations))
        if both:
            raise RequestError(f"{', '.join(both)}: a place cannot be origin and destination")
        for e in self.avoid:
            net.exposure(e)
        for f in self.families:
            if f not in FAMILIES:
                raise RequestError(f"unknown route family '{f}' (one of {', '.join(FAMILIES)})")

    def to_dict(self) -> dict[str, Any]:
        return {
            "commodity": self.commodity,
            "origins": list(self.origins),
            "destinations": list(self.destinations),
            "avoid": list(self.avoid),
            "families": list(self.families),
        }


@dataclass(frozen=True)
class CapacityResult:
    """Maximum tonnes per year from the origins to the destinations, and what limits it.

    Attributes
    ----------
    request : CapacityRequest
        What was asked.
    max_t_per_year : float or None
        The maximum; None when no capacity figure limits the corridor (see ``reason``).
    reason : str
        Why there is no maximum (empty otherwise).
    bottlenecks : tuple of CapacityUse
        The binding bottleneck set (a minimum cut; others of equal size may exist):
        capacities with a positive dual, largest first. Their capacities times their
        marginals add up to the maximum.
    flows : mapping of str to float
        Link id -> tonnes per year in the cheapest way to carry the maximum (both
        directions added).
    utilisation : tuple of CapacityUse
        Every finite capacity the commodity can use, with its flow.
    data_version : str
        Hash of the network tables the answer was computed on.
    """

    request: CapacityRequest
    max_t_per_year: float | None
    reason: str
    bottlenecks: tuple[CapacityUse, ...]
    flows: Mapping[str, float]
    utilisation: tuple[CapacityUse, ...]
    data_version: str
    network: Network = field(repr=False, compare=False)
    kind: str = "capacity"
    total_t_per_year: float | None = None
    """The maximum if no other traffic used the capacities (the corridor's total)."""

    @property
    def parameters(self) -> dict[str, Any]:
        return self.request.to_dict()

    def headline(self) -> dict[str, float | None]:
        return {"max_t_per_year": self.max_t_per_year}

    def summary(self) -> str:
        """One sentence: the maximum and what binds, or why there is no maximum."""
        if self.max_t_per_year is None:
            return self.reason
        r = self.request
        names = "; ".join(
            f"{b.capacity.id} ({b.capacity.name}, figure of {b.capacity.year or 'unknown year'})"
            for b in self.bottlenecks
        )
        total = self.total_t_per_year
        of = f" (of {total:,.0f} t/yr in total, other traffic included)" if total else ""
        return (
            f"at most {self.max_t_per_year:,.0f} t/yr of {r.commodity} left for this user "
            f"from {', '.join(r.origins)} to {', '.join(r.destinations)}{of}; binding: {names}"
        )

    def to_dict(self) -> dict[str, Any]:
        mx = self.max_t_per_year
        return {
            "kind": self.kind,
            "request": self.request.to_dict(),
            "max_t_per_year": None if mx is None else round(mx, 1),
            "total_t_per_year": None
            if self.total_t_per_year is None
            else round(self.total_t_per_year, 1),
            "as_of": None if self.network.as_of is None else self.network.as_of.isoformat(),
            "unbounded_reason": self.reason or None,
            "summary": self.summary(),
            "bottlenecks": [b.to_dict() for b in self.bottlenecks],
            "flows": [{"link": k, "t_per_year": round(v, 1)} for k, v in self.flows.items()],
            "utilisation": [u.to_dict() for u in self.utilisation],
            "data_version": self.data_version,
        }

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        """Rows of the result tables kept by the run store."""
        return {
            "link_flows": [
                {"link": k, "commodity": self.request.commodity, "t_per_year": v}
                for k, v in self.flows.items()
            ],
            "utilisation": [
                {
                    "capacity": u.capacity.id,
                    "name": u.capacity.name,
                    "capacity_t_per_year": u.capacity.capacity_t_per_year,
                    "used_t_per_year": u.used_t_per_year,
                    "shadow_price": u.marginal_t_per_t,
                    "shadow_unit": "t/yr per t/yr",
                }
                for u in self.utilisation
            ],
        }


def max_flow(
    commodity: str,
    origins: str | Iterable[str],
    destinations: str | Iterable[str],
    *,
    avoid: Iterable[str] = (),
    families: Iterable[str] = (),
    network: Network,
    assumptions: Assumptions | None = None,
) -> CapacityResult:
    """The most tonnes per year of ``commodity`` the network can carry, and what binds.

    Parameters
    ----------
    commodity : str
        Commodity id.
    origins, destinations : str or iterable of str
        Node ids; flow may leave any origin and reach any destination.
    avoid : iterable of str
        Country or chokepoint ids no flow may touch (hard filter, as for routes).
    families : iterable of str
        Route families to use (``domestic`` and ``japan`` links are always allowed).
    network : Network, optional
        Default: the bundled network.
    assumptions : Assumptions, optional
        Prices the links, which decides the cheapest way to carry the maximum.

    Returns
    -------
    CapacityResult
        The maximum, the minimum cut with each capacity's figure and sources, and the
        flow per link; or, if some path has no capacity figure at all, no maximum and a
        sentence naming that path.

    Raises
    ------
    RequestError
        Unknown ids, or no route at all (naming what blocks it).
    """
    net = network
    a = assumptions or Assumptions()
    req = CapacityRequest(
        commodity, _ids(origins), _ids(destinations), tuple(avoid), tuple(families)
    )
    g, draws, src, dst, reason = _setup(req, net, a)
    if reason:
        return CapacityResult(req, None, reason, (), {}, (), net.data_version, net)
    caps = [capacities(net)[c] for c in sorted({c for ids in draws.values() for c in ids})]
    flows, value, duals = _solve_max_flow(g, src, sorted(dst), caps, draws)
    util = tuple(
        CapacityUse(c, _used(g, flows, draws, c.id), float(duals[i])) for i, c in enumerate(caps)
    )
    cut = sorted(
        (u for u in util if u.marginal_t_per_t > TOL),
        key=lambda u: -u.marginal_t_per_t * u.capacity.capacity_t_per_year,
    )
    gross = [replace(c, capacity_t_per_year=c.total) for c in caps]
    total = _solve_max_flow(g, src, sorted(dst), gross, draws)[1]
    return CapacityResult(
        req,
        value,
        "",
        tuple(cut),
        _link_flows(g, flows),
        util,
        net.data_version,
        net,
        total_t_per_year=total,
    )


def _setup(
    req: CapacityRequest, net: Network, a: Assumptions
) -> tuple[CommodityGraph, dict[int, tuple[str, ...]], list[int], set[int], str]:
    """The graph, the capacities its edges draw on, the source and destination vertices,
    and why no figure limits the corridor (empty if one does)."""
    from corridor.graph import commodity_graph

    req.check(net)
    g = commodity_graph(net, req.commodity, a, req.avoid, req.families)
    draws = _edge_draws(g)
    src = [v for o in req.origins for v in g.node_vertices.get(o, [])]
    dst = {v for d in req.destinations for v in g.node_vertices.get(d, [])}
    if _path(g, src, dst, {}) is None:
        _raise_no_route(net, req, a)
    free = _path(g, src, dst, draws)
    reason: str = ""
    if free is not None:
        reason = _unbounded_reason(net, *free)
    return g, draws, src, dst, reason


def _unbounded_reason(net: Network, places: list[str], links: list[str]) -> Message:
    """Why no figure limits the corridor: a path whose links and places have none (its
    places by name in Japanese)."""
    from corridor.network.names import place_name

    path = Named(" → ".join(places), " → ".join(place_name(net.node(p), "ja") for p in places))
    return Message("cap_unbounded", path=path, links=", ".join(links))


@dataclass
class MaxFlowProgram:
    """The maximum-flow LP of one request, kept loaded in HiGHS to be solved again with
    other capacity figures (the graph and its rows stay; only the capacity bounds move,
    and HiGHS starts from the last basis).

    Attributes
    ----------
    capacities : tuple of str
        Ids of the capacity rows, in row order.
    """

    capacities: tuple[str, ...]
    highs: HighsModel
    row0: int

    def solve(self, left: Sequence[float]) -> tuple[float, np.ndarray]:
        """The maximum with capacity ``i`` at ``left[i]`` t/yr, and each capacity's
        marginal (t/yr delivered per t/yr of it; positive where it binds)."""
        for i, v in enumerate(left):
            self.highs.highs.changeRowBounds(self.row0 + i, -np.inf, float(v))
        sol = self.highs.solve()
        return sol.objective, np.abs(sol.row_dual[self.row0 :])


def max_flow_program(
    request: CapacityRequest, network: Network, assumptions: Assumptions | None = None
) -> MaxFlowProgram | None:
    """The re-solvable LP of :func:`max_flow` (None when no figure limits the corridor).

    Raises
    ------
    RequestError
        As :func:`max_flow`.
    """
    g, draws, src, dst, reason = _setup(request, network, assumptions or Assumptions())
    if reason:
        return None
    ids = tuple(sorted({c for x in draws.values() for c in x}))
    caps = [capacities(network)[c] for c in ids]
    lp = _flow_lp(g, src, sorted(dst), caps, draws)[0]
    return MaxFlowProgram(ids, HighsModel(lp), len(g.vertices))


def _edge_draws(g: CommodityGraph) -> dict[int, tuple[str, ...]]:
    """Edge index -> capacities it draws on (edges drawing on none are absent)."""
    out: dict[int, tuple[str, ...]] = {}
    cls = g.commodity.cargo_class
    for j, e in enumerate(g.edges):
        if e.link is not None:
            ids = draws_on(g.net, cls, e.link, g.vertices[e.tail][0])
            if ids:
                out[j] = ids
    return out


def _used(
    g: CommodityGraph, flows: np.ndarray, draws: Mapping[int, tuple[str, ...]], cap: str
) -> float:
    return float(sum(flows[j] for j, ids in draws.items() if cap in ids))


def _link_flows(g: CommodityGraph, x: np.ndarray) -> dict[str, float]:
    flows: dict[str, float] = {}
    for j, e in enumerate(g.edges):
        if e.link is not None and x[j] > TOL:
            flows[e.link.id] = flows.get(e.link.id, 0.0) + float(x[j])
    return flows


def _ids(value: str | Iterable[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(dict.fromkeys(value))


def _raise_no_route(net: Network, req: CapacityRequest, a: Assumptions) -> None:
    from corridor.routing.explain import explain_no_route

    reasons = [
        explain_no_route(net, req.commodity, o, d, req.avoid, a, req.families)
        for o in req.origins
        for d in req.destinations
    ]
    raise RequestError("; ".join(dict.fromkeys(reasons)))


def _path(
    g: CommodityGraph, src: list[int], dst: set[int], blocked: Mapping[int, object]
) -> tuple[list[str], list[str]] | None:
    """A path from a source to a destination avoiding the edges in ``blocked``, if any.

    Returns the places passed and the links used (breadth first: fewest edges).
    """
    parent: dict[int, int | None] = dict.fromkeys(src)
    todo = deque(src)
    while todo:
        v = todo.popleft()
        if v in dst:
            return _unwind(g, parent, v)
        for ei in g.out[v]:
            if ei in blocked:
                continue
            e = g.edges[ei]
            if e.head not in parent:
                parent[e.head] = ei
                todo.append(e.head)
    return None


def _unwind(
    g: CommodityGraph, parent: Mapping[int, int | None], v: int
) -> tuple[list[str], list[str]]:
    places = [g.vertices[v][0]]
    links: list[str] = []
    ei = parent[v]
    while ei is not None:
        e = g.edges[ei]
        if e.link is not None:
            links.append(e.link.id)
            places.append(g.vertices[e.tail][0])
        ei = parent[e.tail]
    return list(reversed(places)), list(reversed(links))


def _solve_max_flow(
    g: CommodityGraph,
    src: list[int],
    dst: list[int],
    caps: Sequence[Capacity],
    draws: Mapping[int, tuple[str, ...]],
) -> tuple[np.ndarray, float, np.ndarray]:
    """Maximise delivered tonnes, then carry that maximum at least cost.

    Columns: one per edge, one supply per origin vertex, one delivery per destination
    vertex. Rows: conservation at every vertex, then one row per capacity (both
    directions of a link, every link of a group and every edge leaving a limited node
    draw on the same row).
    Returns (edge flows, maximum, capacity duals of the first solve).
    """
    lp, (rows, cols, vals, bounds, delivery, n_ends) = _flow_lp(g, src, dst, caps, draws)
    first = HighsModel(lp).solve()
    # Second solve: the same maximum at least cost, so the flows are ones a user would plan.
    cheapest = LinearProgram.from_triplets(
        [e.cost for e in g.edges] + [0.0] * n_ends,
        [*rows, *([len(bounds)] * len(dst))],
        [*cols, *delivery],
        [*vals, *([1.0] * len(dst))],
        [*bounds, (first.objective, np.inf)],
    )
    x = HighsModel(cheapest).solve().x[: len(g.edges)]
    return x, first.objective, np.abs(first.row_dual[len(g.vertices) :])


_Parts = tuple[list[int], list[int], list[float], list[tuple[float, float]], list[int], int]


def _flow_lp(
    g: CommodityGraph,
    src: list[int],
    dst: list[int],
    caps: Sequence[Capacity],
    draws: Mapping[int, tuple[str, ...]],
) -> tuple[LinearProgram, _Parts]:
    """The first LP of :func:`_solve_max_flow` (maximise delivered tonnes), and its parts."""
    n_edges, n_vertices = len(g.edges), len(g.vertices)
    cap_row = {c.id: n_vertices + i for i, c in enumerate(caps)}
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for j, e in enumerate(g.edges):
        rows += [e.tail, e.head]
        cols += [j, j]
        vals += [-1.0, 1.0]
        for cap in draws.get(j, ()):
            rows.append(cap_row[cap])
            cols.append(j)
            vals.append(1.0)
    ends = [(v, 1.0) for v in src] + [(v, -1.0) for v in dst]
    for k, (v, sign) in enumerate(ends):
        rows.append(v)
        cols.append(n_edges + k)
        vals.append(sign)
    delivery = list(range(n_edges + len(src), n_edges + len(ends)))
    gain = [0.0] * (n_edges + len(src)) + [1.0] * len(dst)
    bounds = [(0.0, 0.0)] * n_vertices + [(-np.inf, c.capacity_t_per_year) for c in caps]
    lp = LinearProgram.from_triplets(gain, rows, cols, vals, bounds, maximise=True)
    return lp, (rows, cols, vals, bounds, delivery, len(ends))
