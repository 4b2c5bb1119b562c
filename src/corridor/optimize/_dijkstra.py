"""The pricing search's compiled loop: Dijkstra on a CSR graph that stops at its first
target, compiled once with Numba (``cache=True``: later processes load it from the cache).

``scipy.sparse.csgraph.dijkstra`` settles every vertex below its limit; pricing wants one
path to one destination, and with edge costs reduced by the cost to go (see
:class:`corridor.optimize._pricing._Search`) the vertices settled before the destination
are only those on the way to it, cheaper than the answer. A 4-ary heap with stale entries
skipped: shallower than a binary one, it took 2.5-3.1 ms a search on 100,000 links against
3.7-4.9 ms (a heap ordered by cost and then vertex, to make the choice among paths of equal
cost independent of the heap's layout, was slower than either). The distances are the
same sums of the same floats as any Dijkstra's; which of several paths of equal cost is
returned is the heap's choice (on 100,000 links 217 rounds of column generation instead
of 206 with the binary heap, to the same objective, and pricing 15 s CPU instead of 18).
"""

from __future__ import annotations

import numpy as np
from numba import njit

ARITY = 4
"""Children per entry of the search's heap."""


@njit(cache=True, nogil=True)
def first_target(  # pragma: no cover - compiled; tested through the plan
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    start: int,
    is_target: np.ndarray,
    limit: float,
) -> tuple[float, np.ndarray]:
    """The least cost from ``start`` to any vertex with ``is_target`` below ``limit``, and
    the vertices of a path of that cost from ``start`` (inf and an empty path: none)."""
    n = len(indptr) - 1
    dist = np.full(n, np.inf)
    pred = np.full(n, -1, dtype=np.int64)
    heap_d = np.empty(64, dtype=np.float64)
    heap_v = np.empty(64, dtype=np.int64)
    size = 0
    dist[start] = 0.0
    heap_d[0], heap_v[0], size = 0.0, start, 1
    end = -1
    while size:
        d, u = heap_d[0], heap_v[0]
        size -= 1
        if size:  # the last entry sifts down from the root, past the least of the children
            ld, lv = heap_d[size], heap_v[size]
            i = 0
            while True:
                c = ARITY * i + 1
                if c >= size:
                    break
                least, least_d = c, heap_d[c]
                for j in range(c + 1, min(c + ARITY, size)):
                    if heap_d[j] < least_d:
                        least, least_d = j, heap_d[j]
                if least_d >= ld:
                    break
                heap_d[i], heap_v[i] = least_d, heap_v[least]
                i = least
            heap_d[i], heap_v[i] = ld, lv
        if d > dist[u]:  # stale: u was pushed again cheaper (each value is pushed once)
            continue
        if is_target[u]:
            end = u
            break
        for k in range(indptr[u], indptr[u + 1]):
            v = indices[k]
            nd = d + weights[k]
            if nd < dist[v] and nd < limit:
                dist[v] = nd
                pred[v] = u
                if size == len(heap_d):
                    heap_d = np.concatenate((heap_d, np.empty(size, dtype=np.float64)))
                    heap_v = np.concatenate((heap_v, np.empty(size, dtype=np.int64)))
                i = size  # sift up
                size += 1
                while i:
                    p = (i - 1) // ARITY
                    if heap_d[p] <= nd:
                        break
                    heap_d[i], heap_v[i] = heap_d[p], heap_v[p]
                    i = p
                heap_d[i], heap_v[i] = nd, v
    if end < 0:
        return np.inf, np.empty(0, dtype=np.int64)
    steps = 1
    v = end
    while pred[v] >= 0:
        v = pred[v]
        steps += 1
    path = np.empty(steps, dtype=np.int64)
    v = end
    for i in range(steps - 1, -1, -1):
        path[i] = v
        v = pred[v]
    return dist[end], path
