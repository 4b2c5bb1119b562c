"""Routes on the commodity graph: k best distinct routes, the exact Pareto front, diagnosis.

k best routes
    Best-first enumeration of physically simple paths (no place visited twice) in order of
    cost, guided by the exact cost-to-go of the unconstrained graph (one reverse Dijkstra).
    The heuristic is admissible, so complete routes come out in non-decreasing cost, exactly
    as Yen's algorithm would list them. A route is kept only if it is *distinct*: its
    gateway signature — the borders, ports and ferry terminals it passes, each with the mode
    it leaves by and the straits that leg crosses — differs from every route already kept,
    so ten copies of one corridor differing by an inland spur count once, while a Suez and a
    Cape sailing from the same port count twice.

Pareto front
    Multi-objective label setting (Martins) over cost, mean days and CO2e, with the set of
    exposures crossed carried as a bitset: a label dominates another at the same vertex only
    if it is no worse in all three and its exposures are a subset, so the risk objective
    (expected disrupted days, a function of the set) is pruned exactly.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from corridor.costs import Metrics, insurance_usd_per_t, p95_of_sum
from corridor.graph import TRANSFER, CommodityGraph, Edge
from corridor.network import Link
from corridor.results import Leg, Risk, Route

GATEWAY_KINDS = frozenset(
    {"border_crossing", "seaport", "ferry_terminal", "oil_terminal", "destination_port"}
)
MAX_LABELS = 200_000


def cost_to_go(g: CommodityGraph, targets: list[int]) -> np.ndarray:
    """Least cost from every vertex to any of ``targets`` (inf where unreachable)."""
    n = len(g.vertices)
    m = len(g.edges)
    heads = np.fromiter((e.head for e in g.edges), dtype=np.int64, count=m)
    tails = np.fromiter((e.tail for e in g.edges), dtype=np.int64, count=m)
    # sparse zeros are not edges: lift zero costs to a tiny epsilon
    costs = np.maximum(np.fromiter((e.cost for e in g.edges), dtype=float, count=m), 1e-12)
    # parallel edges: keep the cheapest (a CSR matrix would add them up)
    order = np.lexsort((costs, tails, heads))
    heads, tails, costs = heads[order], tails[order], costs[order]
    first = np.ones(m, dtype=bool)
    first[1:] = (heads[1:] != heads[:-1]) | (tails[1:] != tails[:-1])
    reverse = csr_matrix((costs[first], (heads[first], tails[first])), shape=(n, n))
    dist = dijkstra(reverse, directed=True, indices=targets, min_only=True)
    return np.asarray(dist, dtype=float)


def _ends(g: CommodityGraph, origin: str, destination: str) -> tuple[list[int], list[int]]:
    return g.node_vertices.get(origin, []), g.node_vertices.get(destination, [])


class _Partial:
    """A partial route in the best-first search (a linked list back to the origin)."""

    __slots__ = ("cost", "edge", "last_transfer", "mask", "parent", "sig", "vertex", "visited")

    def __init__(
        self,
        cost: float,
        vertex: int,
        parent: _Partial | None,
        edge: int,
        visited: int,
        mask: int,
        last_transfer: bool,
        sig: tuple[tuple[str, str], ...],
    ) -> None:
        self.cost = cost
        self.vertex = vertex
        self.parent = parent
        self.edge = edge
        self.visited = visited
        self.mask = mask
        self.last_transfer = last_transfer
        self.sig = sig

    def edges(self, edges: list[Edge]) -> list[Edge]:
        out: list[Edge] = []
        node: _Partial | None = self
        while node is not None and node.edge >= 0:
            out.append(edges[node.edge])
            node = node.parent
        out.reverse()
        return out


def enumerate_paths(
    g: CommodityGraph,
    origin: str,
    destination: str,
    penalise: Mapping[str, float] | None = None,
    max_labels: int = MAX_LABELS,
    distinct: bool = False,
) -> Iterator[tuple[float, list[Edge], int, tuple[tuple[str, str], ...]]]:
    """Yield (cost, edges, exposure mask, signature) of simple routes in non-decreasing cost.

    The signature is only tracked with ``distinct`` (else empty); it lacks the final
    destination entry that :func:`signature` adds.

    Cost includes penalties, each charged once per exposure crossed. With ``distinct``,
    partial routes that cannot lead to the cheapest route of any gateway signature are
    pruned: a partial route is dropped when an earlier (cheaper) one reached the same
    vertex with the same signature so far, the same transfer state, a subset of its places
    visited and — where penalties apply — no more than its cost once the penalised
    exposures only the later one has crossed are charged to the earlier one. Every
    completion of the later one is then a completion of the earlier one, with the same
    signature, at no lower cost. Stops after ``max_labels`` partial routes.
    """
    sources, targets = _ends(g, origin, destination)
    if not sources or not targets:
        return
    if destination not in g.cost_to_go:
        g.cost_to_go[destination] = cost_to_go(g, targets).tolist()
    h = g.cost_to_go[destination]
    target_set = set(targets)
    adjacency = _adjacency(g)
    node_of = g.vertex_tables[0] if g.vertex_tables else []
    pen_bits = {g.exposure_bit[e]: p for e, p in (penalise or {}).items() if p}
    pen_mask = sum(pen_bits)
    counter = itertools.count()
    heap: list[tuple[float, int, _Partial]] = []
    settled: dict[tuple[int, bool, tuple[tuple[str, str], ...]], list[_Partial]] = {}
    for s in sources:
        if math.isfinite(h[s]):
            start = _Partial(0.0, s, None, -1, 1 << node_of[s], 0, False, ())
            heapq.heappush(heap, (h[s], next(counter), start))
    popped = 0
    edges = g.edges
    push, pop, inf = heapq.heappush, heapq.heappop, math.inf
    while heap and popped < max_labels:
        _, _, p = pop(heap)
        popped += 1
        if distinct:
            key = (p.vertex, p.last_transfer, p.sig)
            earlier = settled.get(key)
            if earlier is None:
                settled[key] = [p]
            elif pen_bits:
                if any(_dominates(q, p, pen_bits, pen_mask) for q in earlier):
                    continue
                earlier.append(p)
            else:  # no penalties: cost order alone makes every earlier one cheaper
                if any(not (q.visited & ~p.visited) for q in earlier):
                    continue
                earlier.append(p)
        if p.vertex in target_set:
            yield p.cost, p.edges(edges), p.mask, p.sig
            continue
        visited, mask, last_transfer = p.visited, p.mask, p.last_transfer
        for ei, head, cost, exposures, is_transfer, bit, gate in adjacency[p.vertex]:
            if is_transfer:
                if last_transfer:
                    continue
            elif visited & bit:
                continue
            hv = h[head]
            if hv == inf:
                continue
            c = p.cost + cost
            fresh = exposures & pen_mask & ~mask
            if fresh:
                c += sum(price for b, price in pen_bits.items() if fresh & b)
            sig = p.sig
            if distinct and gate is not None and gate[0] != origin:
                sig = (*sig, gate)
            child = _Partial(c, head, p, ei, visited | bit, mask | exposures, is_transfer, sig)
            push(heap, (c + hv, next(counter), child))


_Step = tuple[int, int, float, int, bool, int, tuple[str, str] | None]
"""An out-edge as the search reads it: edge index, head vertex, cost, exposures, whether it
is a transfer, bit of the head's place, and the gateway entry it adds to the signature."""


def _adjacency(g: CommodityGraph) -> list[list[_Step]]:
    """Out-edges of every vertex as plain tuples (built once per graph)."""
    if g.adjacency is None:
        node_of, gateway = _vertex_tables(g)
        steps: list[list[_Step]] = []
        for out in g.out:
            row: list[_Step] = []
            for ei in out:
                e = g.edges[ei]
                gate = None
                if e.kind != TRANSFER and gateway[e.tail] and e.link is not None:
                    gate = (g.vertices[e.tail][0], _departure(e.link))
                row.append(
                    (
                        ei,
                        e.head,
                        e.cost,
                        e.exposures,
                        e.kind == TRANSFER,
                        1 << node_of[e.head],
                        gate,
                    )
                )
            steps.append(row)
        g.adjacency = steps
    return g.adjacency


def _vertex_tables(g: CommodityGraph) -> tuple[list[int], list[bool]]:
    """Per vertex: index of its place in the network, and whether that place is a gateway."""
    if g.vertex_tables is None:
        index = g.net.node_index
        g.vertex_tables = (
            [index[v[0]] for v in g.vertices],
            [g.net.node(v[0]).kind in GATEWAY_KINDS for v in g.vertices],
        )
    return g.vertex_tables


def _dominates(q: _Partial, p: _Partial, pen_bits: dict[int, float], pen_mask: int) -> bool:
    """Whether every completion of ``p`` is matched, no dearer, by one of ``q``."""
    if q.visited & ~p.visited:
        return False
    extra = p.mask & pen_mask & ~q.mask
    if not extra:
        return q.cost <= p.cost
    return q.cost + sum(price for b, price in pen_bits.items() if extra & b) <= p.cost


def _departure(link: Link) -> str:
    """How a route leaves a gateway: the mode, and the straits or sea areas of that link
    (so a Suez and a Cape sailing from the same port are different routes)."""
    return "/".join((link.mode, *link.chokepoints))


def signature(g: CommodityGraph, edges: list[Edge], origin: str) -> tuple[tuple[str, str], ...]:
    """Gateways passed, each with how the route leaves it (the destination last)."""
    sig: list[tuple[str, str]] = []
    for e in edges:
        if e.kind != "link" or e.link is None:
            continue
        tail_node = g.vertices[e.tail][0]
        if tail_node != origin and g.net.node(tail_node).kind in GATEWAY_KINDS:
            sig.append((tail_node, _departure(e.link)))
    if edges:
        sig.append((g.vertices[edges[-1].head][0], "end"))
    return tuple(sig)


def k_best(
    g: CommodityGraph,
    origin: str,
    destination: str,
    k: int,
    penalise: Mapping[str, float] | None = None,
    distinct: bool = True,
    max_labels: int = MAX_LABELS,
) -> list[Route]:
    """The ``k`` cheapest routes, distinct by gateway signature unless ``distinct`` is False."""
    out: list[Route] = []
    seen: set[tuple[tuple[str, str], ...]] = set()
    paths = enumerate_paths(g, origin, destination, penalise, max_labels, distinct)
    end = ((destination, "end"),)
    for _, edges, _, partial in paths:
        sig = partial + end if distinct else signature(g, edges, origin)
        if distinct and sig in seen:
            continue
        seen.add(sig)
        out.append(make_route(g, edges, origin, penalise, sig))
        if len(out) >= k:
            break
    return out


@dataclass(frozen=True)
class _Pieces:
    """What one edge contributes to a route: legs, their sums, provenance, places, line."""

    legs: tuple[Leg, ...]
    totals: tuple[float, float, float, float, float]
    """Sums over the legs: cost, days, days variance, CO2e, distance."""
    sources: int
    """Source ids behind the figures, as a bitset over :func:`_source_bits`' numbering."""
    countries: tuple[str, ...]
    chokepoints: tuple[str, ...]
    geometry: tuple[tuple[float, float], ...] | None


def _pieces(g: CommodityGraph, e: Edge) -> _Pieces:
    cached: _Pieces | None = g.pieces.get(id(e))
    if cached is not None:
        return cached
    net = g.net
    node = net.node(e.node)
    if e.kind == TRANSFER:
        modes = f"{g.vertices[e.tail][1]} → {g.vertices[e.head][1]}"
        legs = [
            _leg(
                "transfer", e.node, "transfer", "", e.metrics, e.parts, f"{modes} at {node.name_en}"
            )
        ]
        sources = _row_sources(node.sources, ("handling",))
        places: tuple[str, ...] = ()
        chokepoints: tuple[str, ...] = ()
        geometry = None
    else:
        link = e.link
        assert link is not None
        legs = [
            _leg(
                "link",
                g.vertices[e.tail][0],
                link.mode,
                link.id,
                e.metrics,
                e.parts,
                link.service or link.mode,
                to=e.node,
            )
        ]
        sources = {s for ids in link.sources.values() for s in ids}
        factor = net.emission_factor(link.emission_factor)
        sources.update(s for ids in factor.sources.values() for s in ids)
        if e.arrival.cost_usd_per_t or e.arrival.days_mean:
            what = "border crossing" if node.kind == "border_crossing" else "port/customs dwell"
            legs.append(
                _leg(
                    "dwell",
                    e.node,
                    "dwell",
                    "",
                    e.arrival,
                    e.arrival_parts,
                    f"{what} at {node.name_en}",
                )
            )
            sources.update(_row_sources(node.sources, ("dwell", "border_fee")))
        places = (*link.countries, node.country)
        chokepoints = link.chokepoints
        geometry = link.geometry if e.forward else tuple(reversed(link.geometry))
    totals = (
        sum(leg.cost_usd_per_t for leg in legs),
        sum(leg.days_mean for leg in legs),
        sum(leg.days_var for leg in legs),
        sum(leg.co2e_kg_per_t for leg in legs),
        sum(leg.distance_km for leg in legs),
    )
    out = _Pieces(tuple(legs), totals, _source_bits(g, sources), places, chokepoints, geometry)
    g.pieces[id(e)] = out
    return out


@dataclass(frozen=True)
class _Exposed:
    """What a set of exposures means for a route: records, sources and risk."""

    ids: tuple[str, ...]
    sources: int
    risk: Risk


def _exposed(g: CommodityGraph, mask: int) -> _Exposed:
    key = ("mask", mask)
    cached: _Exposed | None = g.pieces.get(key)
    if cached is not None:
        return cached
    exposures = [g.net.exposure(x) for x in g.exposures_of(mask)]
    sources = _source_bits(g, (s for x in exposures for ids in x.sources.values() for s in ids))
    by_exposure = {x.id: x.disrupted_days_per_year for x in exposures}
    rate = sum(x.events_per_year for x in exposures)
    risk = Risk(1.0 - math.exp(-rate), sum(by_exposure.values()), by_exposure)
    out = _Exposed(tuple(x.id for x in exposures), sources, risk)
    g.pieces[key] = out
    return out


def make_route(
    g: CommodityGraph,
    edges: list[Edge],
    origin: str,
    penalise: Mapping[str, float] | None = None,
    sig: tuple[tuple[str, str], ...] | None = None,
) -> Route:
    """Price a path of the commodity graph into a :class:`Route`."""
    net, commodity = g.net, g.commodity
    legs: list[Leg] = []
    nodes = [origin]
    geometry = []
    mask = 0
    sources = _source_bits(g, _row_sources(commodity.sources, ("value", "insurance", "freight")))
    countries: dict[str, None] = {net.node(origin).country: None}
    chokepoints: dict[str, None] = {}
    cost = days = var = co2e = km = 0.0
    families: set[str] = set()
    for e in edges:
        mask |= e.exposures
        piece = _pieces(g, e)
        legs.extend(piece.legs)
        sources |= piece.sources
        c, d, v, co, k = piece.totals
        cost, days, var, co2e, km = cost + c, days + d, var + v, co2e + co, km + k
        if piece.geometry is not None:
            assert e.link is not None
            families.add(e.link.family)
            nodes.append(e.node)
            geometry.append(piece.geometry)
            countries.update(dict.fromkeys(piece.countries))
            chokepoints.update(dict.fromkeys(piece.chokepoints))
    exposed = _exposed(g, mask)
    sources |= exposed.sources
    charges = {"insurance": insurance_usd_per_t(commodity, g.assumptions)}
    penalty = sum((penalise or {}).get(x, 0.0) for x in exposed.ids)
    if penalty:
        charges["penalty"] = penalty
    return Route(
        commodity=commodity.id,
        nodes=tuple(nodes),
        legs=tuple(legs),
        charges=charges,
        distance_km=km,
        cost_usd_per_t=cost + sum(charges.values()),
        days_mean=days,
        days_p95=p95_of_sum(days, var),
        co2e_kg_per_t=co2e,
        countries=tuple(countries),
        chokepoints=tuple(chokepoints),
        family="+".join(sorted(families - {"domestic", "japan"})) or "domestic",
        risk=exposed.risk,
        sources=_source_ids(g, sources),
        geometry=tuple(geometry),
        signature=sig if sig is not None else signature(g, edges, origin),
    )


def _source_bits(g: CommodityGraph, ids: Iterable[str]) -> int:
    """Source ids as a bitset (one bit per row of the sources table), so routes OR them."""
    numbering: dict[str, int] | None = g.pieces.get("source-numbering")
    if numbering is None:
        numbering = {x.id: i for i, x in enumerate(g.net.sources)}
        g.pieces["source-numbering"] = numbering
    bits = 0
    for sid in ids:
        bits |= 1 << numbering[sid]
    return bits


def _source_ids(g: CommodityGraph, bits: int) -> tuple[str, ...]:
    """The sorted source ids of a bitset (cached per bitset)."""
    key = ("source-ids", bits)
    cached: tuple[str, ...] | None = g.pieces.get(key)
    if cached is None:
        cached = tuple(sorted(x.id for i, x in enumerate(g.net.sources) if bits >> i & 1))
        g.pieces[key] = cached
    return cached


def _row_sources(prov: Mapping[str, tuple[str, ...]], prefixes: tuple[str, ...]) -> set[str]:
    return {s for col, ids in prov.items() if col.startswith(prefixes) for s in ids}


def _leg(
    kind: str,
    at: str,
    mode: str,
    link: str,
    m: Metrics,
    parts: dict[str, float],
    what: str,
    to: str | None = None,
) -> Leg:
    return Leg(
        kind,
        at,
        to or at,
        mode,
        link,
        m.distance_km,
        sum(parts.values()),
        m.days_mean,
        p95_of_sum(m.days_mean, m.days_var),
        m.co2e_kg_per_t,
        dict(parts),
        what,
        m.days_var,
    )
