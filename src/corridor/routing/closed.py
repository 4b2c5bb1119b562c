"""Routes around closed links: one commodity graph with its edges masked, not a copy per closure.

A disruption closes links; the cheapest route around it is the cheapest route on the graph
that the network without those links would build. That graph is the commodity graph less
the closed links' edges and less the transfers at any copy of a place (a mode or gauge) that
no open link reaches any more, since the build makes a copy only for the links that use it.
So instead of copying the network, building its graph and indexing that for every closure,
the search of :func:`corridor.routing.kbest.k_best` reads the one graph with a mask: its
steps with the masked edges left out and chains contracted again over what is left, and its
costs to go over the open edges. The steps, their edges, costs and pieces are those the
graph built without the links would have, so the routes found are the same, to the float.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from corridor.graph import ALWAYS_FAMILIES, CommodityGraph
from corridor.network.model import Network
from corridor.routing._index import search_index

if TYPE_CHECKING:
    from corridor.routing.kbest import _Steps


@dataclass(eq=False)
class Closure:
    """The search's tables of a graph with some links closed (see the module docstring)."""

    open_edges: np.ndarray
    """Per edge of the graph: whether the graph without the closed links has it."""
    steps: _Steps
    """The steps out of every vertex over the open edges, chains contracted
    (:class:`corridor.routing.kbest._Steps`)."""
    cost_to_go: dict[str, list[float]] = field(default_factory=dict)
    """Destination node id -> least cost from every vertex to it over the open edges."""


def link_positions(net: Network) -> Mapping[str, int]:
    """Link id -> position in ``net.links`` (made once per network)."""
    return net.derived.get(("link positions",), lambda: {x.id: i for i, x in enumerate(net.links)})


def outside_families(net: Network, families: frozenset[str]) -> frozenset[str]:
    """Ids of the links a graph limited to ``families`` leaves out (those of any other
    family than these and :data:`corridor.graph.ALWAYS_FAMILIES`; made once per network):
    closing them on the whole graph gives that graph's routes."""
    keep = families | ALWAYS_FAMILIES
    return net.derived.get(
        ("links outside", families),
        lambda: frozenset(x.id for x in net.links if x.family not in keep),
    )


def links_touching(net: Network, exposures: frozenset[str]) -> frozenset[str]:
    """Ids of the links an avoid rule on ``exposures`` leaves out (those whose countries or
    chokepoints, or the country of either end, include one; made once per network): closing
    them on a graph that avoids fewer exposures gives the routes of the graph that avoids
    these too (:func:`corridor.graph.link_exclusion`)."""

    def touching() -> frozenset[str]:
        country = {x.id: x.country for x in net.nodes}
        return frozenset(
            x.id
            for x in net.links
            if not exposures.isdisjoint(
                (*x.countries, *x.chokepoints, country[x.from_], country[x.to])
            )
        )

    return net.derived.get(("links touching", exposures), touching)


def open_edges(g: CommodityGraph, closed: frozenset[str]) -> np.ndarray:
    """Per edge of ``g``: whether the graph of the network without the ``closed`` links
    would have it (the links' own edges go, and the transfers at copies of a place that
    only closed links reach)."""
    where = link_positions(g.net)
    shut = np.zeros(len(where) + 1, dtype=bool)  # the last entry: a transfer's link, -1
    shut[[where[x] for x in closed if x in where]] = True
    keep: np.ndarray = ~g.transfers & ~shut[g.edge_links]
    alive = np.zeros(len(g.vertices), dtype=bool)
    alive[g.tails[keep]] = True
    alive[g.heads[keep]] = True
    keep |= g.transfers & alive[g.tails] & alive[g.heads]
    return keep


def closure(g: CommodityGraph, closed: frozenset[str]) -> Closure:
    """The tables of ``g`` with the ``closed`` links closed (made once per graph and set
    of links, the last :data:`corridor.routing._index.CLOSURES_KEPT` kept)."""
    return search_index(g).closures.get(closed, lambda: _make(g, closed))


def _make(g: CommodityGraph, closed: frozenset[str]) -> Closure:
    """The closure's tables. Only the rows with a step over a closed edge lose steps, only
    the rows whose chains read one of those are contracted again, and only the exits of
    their places change; the others are those of the whole graph."""
    from corridor.routing.kbest import _adjacency, _contract_row, _Steps, _steps

    keep = open_edges(g, closed)
    plain, gates = _adjacency(g)
    whole, w = _steps(g), _whole(g)
    ok = keep.tolist()
    changed = sorted({v for e in np.flatnonzero(~keep).tolist() for v in w.rows_using[e]})
    rows = list(plain)
    for v in changed:
        rows[v] = [s for s in plain[v] if all(ok[e] for e in s[0])]
    redo = {u for v in changed for u in w.readers[v]}
    place = _place(g)
    nodes = g.net.nodes
    inside: set[int] = set()
    dead_ends: dict[str, list[tuple[int, Any]]] = {}
    chained = []
    for v, (_, dead, passed) in enumerate(w.walks):
        if v in redo:
            out, dead = _contract_row(rows, place, v, inside)
        else:
            out = whole.steps[v]
            inside |= passed
        for at, step in dead:
            dead_ends.setdefault(nodes[at].id, []).append((v, step))
        chained.append(out)
    exits = list(whole.exits)
    for p in {place[v] for v in changed} if exits else ():
        exits[p] = 0
        for u in w.place_vertices[p]:
            for x in rows[u]:
                exits[p] |= x[5]
    inside_ids = {nodes[i].id for i in inside}
    return Closure(keep, _Steps(chained, rows, gates, inside_ids, dead_ends, exits, {}))


_Walk = tuple[set[int], list[tuple[int, Any]], set[int]]


@dataclass(frozen=True, eq=False)
class _Whole:
    """What :func:`_make` reads of the whole graph's steps (made once per graph)."""

    walks: list[_Walk]
    """Per vertex, what contracting its steps read: the vertices whose steps it looked at
    (its own and the head of every link its chains pass), the steps it dropped as dead
    ends (with the place each ends at) and the places inside its chains."""
    rows_using: list[list[int]]
    """Per edge: the vertices with a plain step over it."""
    readers: list[list[int]]
    """Per vertex: the vertices whose contraction reads its steps."""
    place_vertices: list[list[int]]
    """Per place (by network index): its vertices."""


def _whole(g: CommodityGraph) -> _Whole:
    idx = search_index(g)
    return idx.closures.get(("whole",), lambda: _make_whole(g))


def _make_whole(g: CommodityGraph) -> _Whole:
    from corridor.routing.kbest import _adjacency, _steps

    whole = _steps(g)
    plain = _adjacency(g)[0]
    place = _place(g)
    heads, transfers = g.heads.tolist(), g.transfers.tolist()
    dead: list[list[tuple[int, Any]]] = [[] for _ in whole.steps]
    for entries in whole.dead_ends.values():
        for v, step in entries:
            dead[v].append((place[step[1]], step))
    walks: list[_Walk] = []
    readers: list[list[int]] = [[] for _ in whole.steps]
    for v, row in enumerate(whole.steps):
        reads: set[int] = {v}
        passed: set[int] = set()
        for step in (*row, *(s for _, s in dead[v])):
            ends = [heads[e] for e in step[0] if not transfers[e]]
            reads.update(ends)
            passed.update(place[u] for u in ends[:-1])
        walks.append((reads, dead[v], passed))
        for u in reads:
            readers[u].append(v)
    rows_using: list[list[int]] = [[] for _ in heads]
    for v, row in enumerate(plain):
        for e in sorted({e for step in row for e in step[0]}):
            rows_using[e].append(v)
    place_vertices: list[list[int]] = [[] for _ in g.net.nodes]
    for v, p in enumerate(place):
        place_vertices[p].append(v)
    return _Whole(walks, rows_using, readers, place_vertices)


def _place(g: CommodityGraph) -> list[int]:
    from corridor.routing.kbest import _vertex_tables

    return _vertex_tables(g)[0]


def closed_tables(
    g: CommodityGraph, closed: frozenset[str], destination: str, targets: list[int]
) -> tuple[list[float], _Steps]:
    """Costs to go to ``destination`` (whose vertices are ``targets``) and the search's
    steps, on ``g`` with the ``closed`` links closed."""
    c = closure(g, closed)
    h = c.cost_to_go.get(destination)
    if h is None:
        h = c.cost_to_go[destination] = _cost_to_go(g, c.open_edges, targets)
    return h, c.steps


def _cost_to_go(g: CommodityGraph, keep: np.ndarray, targets: list[int]) -> list[float]:
    """:func:`corridor.routing.kbest.cost_to_go` over the open edges: the same search on
    the same edges, in the same order, as on the graph built without the closed links."""
    from corridor.routing.to_go import _MIN_COST, PLAIN_SEARCH_MAX_VERTICES, _plain_dijkstra

    alive = np.zeros(len(g.vertices), dtype=bool)
    alive[g.tails[keep]] = True
    alive[g.heads[keep]] = True
    heads, tails = g.heads[keep], g.tails[keep]
    costs = np.maximum(g.costs[keep], _MIN_COST)
    if int(alive.sum()) <= PLAIN_SEARCH_MAX_VERTICES:
        rev: list[list[tuple[int, float]]] = [[] for _ in g.vertices]
        for head, tail, cost in zip(heads.tolist(), tails.tolist(), costs.tolist(), strict=True):
            rev[head].append((tail, cost))
        return _plain_dijkstra(rev, targets)
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    n = len(g.vertices)
    order = np.lexsort((costs, tails, heads))
    heads, tails, costs = heads[order], tails[order], costs[order]
    first = np.ones(len(heads), dtype=bool)
    first[1:] = (heads[1:] != heads[:-1]) | (tails[1:] != tails[:-1])
    m = csr_matrix((costs[first], (heads[first], tails[first])), shape=(n, n))
    dist = dijkstra(m, directed=True, indices=targets, min_only=True)
    return [float(x) for x in dist]
