"""Costs to go on the commodity graph: the least cost from every vertex to a destination,
which guides the k-best search (an exact, admissible heuristic), kept by the graph.

Small graphs are searched in plain Python, larger ones with ``scipy.sparse.csgraph``; both
give the same floats. From a graph's second destination on, small graphs answer from a
table of all pairs.
"""

from __future__ import annotations

import heapq
import math
from typing import Any

from corridor.graph import CommodityGraph
from corridor.routing._index import search_index


def cost_to_go(g: CommodityGraph, targets: list[int]) -> list[float]:
    """Least cost from every vertex to any of ``targets`` (inf where unreachable).

    Small graphs are searched in plain Python (a binary heap over the reversed edges), which
    is quicker than loading a sparse-matrix library for them; larger ones in
    ``scipy.sparse.csgraph``. Both settle every vertex at the least of its neighbours' sums
    ``d[head] + cost``, so they give the same floats.
    """
    if len(g.vertices) <= PLAIN_SEARCH_MAX_VERTICES:
        return _plain_dijkstra(_reverse_lists(g), targets)
    from scipy.sparse.csgraph import dijkstra

    dist = dijkstra(_reverse_matrix(g), directed=True, indices=targets, min_only=True)
    return [float(x) for x in dist]


ALL_PAIRS_MAX_VERTICES = 500
"""Graphs up to this size keep the least cost between every pair of vertices (8 MB at
most) once a second destination is asked, so that a query to a new destination reads its
costs to go instead of running a search of its own."""
PLAIN_SEARCH_MAX_VERTICES = 2_000
"""Graphs up to this size find their costs to go in plain Python (see :func:`cost_to_go`)."""
_MIN_COST = 1e-12
"""Zero edge costs are lifted to this, as a sparse matrix must (its zeros are not edges),
so both searches add the same numbers."""


def costs_to_go(g: CommodityGraph, destination: str) -> list[float]:
    """Least cost from every vertex to ``destination`` (inf where unreachable), kept by
    the graph (the costs to go that guide its searches)."""
    return _cost_to_go(g, destination, _ends(g, destination, destination)[1])


def _cost_to_go(g: CommodityGraph, destination: str, targets: list[int]) -> list[float]:
    """:func:`cost_to_go` of a destination, kept by the graph.

    The first destination of a graph gets a search of its own; from the second on, small
    graphs answer from the table of all pairs (built then, once).
    """
    idx = search_index(g)
    h = idx.cost_to_go.get(destination)
    if h is None:
        pairs = _all_pairs(g) if idx.cost_to_go or idx.all_pairs is not None else None
        if pairs is None:
            h = cost_to_go(g, targets)
        else:
            h = (
                list(map(min, *(pairs[t] for t in targets)))
                if len(targets) > 1
                else pairs[targets[0]]
            )
        idx.cost_to_go[destination] = h
    return h


def _all_pairs(g: CommodityGraph) -> list[list[float]] | None:
    """Least cost from every vertex (the items of a row) to every vertex (the rows), for
    graphs of at most :data:`ALL_PAIRS_MAX_VERTICES` vertices (built once per graph; None
    for larger ones)."""
    if len(g.vertices) > ALL_PAIRS_MAX_VERTICES:
        return None
    idx = search_index(g)
    if idx.all_pairs is None:
        from scipy.sparse.csgraph import dijkstra

        idx.all_pairs = dijkstra(_reverse_matrix(g), directed=True).tolist()
    return idx.all_pairs


def _plain_dijkstra(reverse: list[list[tuple[int, float]]], targets: list[int]) -> list[float]:
    """Least cost from every vertex to the nearest of ``targets`` over ``reverse`` (per
    vertex: its in-edges as (tail, cost))."""
    inf = math.inf
    dist = [inf] * len(reverse)
    heap = [(0.0, t) for t in dict.fromkeys(targets)]
    for t in targets:
        dist[t] = 0.0
    push, pop = heapq.heappush, heapq.heappop
    done = [False] * len(reverse)
    while heap:
        d, v = pop(heap)
        if done[v]:
            continue
        done[v] = True
        for u, cost in reverse[v]:
            nd = d + cost
            if nd < dist[u]:
                dist[u] = nd
                push(heap, (nd, u))
    return dist


def _reverse_lists(g: CommodityGraph) -> list[list[tuple[int, float]]]:
    """Per vertex, its in-edges as (tail, cost), costs lifted as in :func:`_reverse_matrix`
    (built once per graph)."""
    idx = search_index(g)
    if idx.reverse_lists is None:
        import numpy as np

        rev: list[list[tuple[int, float]]] = [[] for _ in g.vertices]
        costs = np.maximum(g.costs, _MIN_COST).tolist()
        for head, tail, cost in zip(g.heads.tolist(), g.tails.tolist(), costs, strict=True):
            rev[head].append((tail, cost))
        idx.reverse_lists = rev
    return idx.reverse_lists


def _reverse_matrix(g: CommodityGraph) -> Any:
    """The graph reversed, as a sparse matrix of edge costs (built once per graph)."""
    idx = search_index(g)
    m = idx.reverse_matrix
    if m is None:
        import numpy as np
        from scipy.sparse import csr_matrix

        n, count = len(g.vertices), len(g.tails)
        heads, tails = g.heads, g.tails
        # sparse zeros are not edges: lift zero costs to a tiny epsilon
        costs = np.maximum(g.costs, _MIN_COST)
        # parallel edges: keep the cheapest (a CSR matrix would add them up)
        order = np.lexsort((costs, tails, heads))
        heads, tails, costs = heads[order], tails[order], costs[order]
        first = np.ones(count, dtype=bool)
        first[1:] = (heads[1:] != heads[:-1]) | (tails[1:] != tails[:-1])
        m = csr_matrix((costs[first], (heads[first], tails[first])), shape=(n, n))
        idx.reverse_matrix = m
    return m


def _ends(g: CommodityGraph, origin: str, destination: str) -> tuple[list[int], list[int]]:
    return g.node_vertices.get(origin, []), g.node_vertices.get(destination, [])
