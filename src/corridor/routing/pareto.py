"""Exact Pareto front over cost, mean days, CO2e and risk (multi-objective label setting).

Martins' algorithm: labels are popped in lexicographic order of (cost, days, CO2e); a new
label at a vertex is kept unless a label there is no worse in cost, days and CO2e *and*
crossed a subset of its exposures. Because the risk objective (expected disrupted days per
year) depends only on the set of exposures crossed and grows with it, subset dominance is
exact: no label that could end on the front is ever discarded. Paths that revisit a place
are dropped at the end (they are never better: every edge costs something).
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass

from corridor.graph import TRANSFER, CommodityGraph
from corridor.routing.pricing import make_route, signature
from corridor.routing.route import Route

MAX_PARETO_LABELS = 100_000


@dataclass
class _Label:
    cost: float
    days: float
    co2e: float
    mask: int
    vertex: int
    parent: _Label | None
    edge: int
    last_transfer: bool
    alive: bool = True

    def dominates(self, other: _Label) -> bool:
        return (
            self.cost <= other.cost
            and self.days <= other.days
            and self.co2e <= other.co2e
            and self.mask & ~other.mask == 0
        )


def pareto_front(
    g: CommodityGraph, origin: str, destination: str, max_labels: int = MAX_PARETO_LABELS
) -> tuple[list[Route], list[str]]:
    """Routes on the Pareto front, cheapest first, and notes (e.g. if the label cap was hit)."""
    sources = g.node_vertices.get(origin, [])
    targets = set(g.node_vertices.get(destination, []))
    labels_at: dict[int, list[_Label]] = {}
    heap: list[tuple[float, float, float, int, _Label]] = []
    counter = itertools.count()
    for s in sources:
        lab = _Label(0.0, 0.0, 0.0, 0, s, None, -1, False)
        labels_at.setdefault(s, []).append(lab)
        heapq.heappush(heap, (0.0, 0.0, 0.0, next(counter), lab))
    created = len(sources)
    notes: list[str] = []
    finished: list[_Label] = []
    while heap:
        *_, lab = heapq.heappop(heap)
        if not lab.alive:
            continue
        if lab.vertex in targets:
            finished.append(lab)
            continue
        for ei in g.out[lab.vertex]:
            e = g.edges[ei]
            is_transfer = e.kind == TRANSFER
            if is_transfer and lab.last_transfer:
                continue
            total = e.metrics + e.arrival
            new = _Label(
                lab.cost + e.cost,
                lab.days + total.days_mean,
                lab.co2e + total.co2e_kg_per_t,
                lab.mask | e.exposures,
                e.head,
                lab,
                ei,
                is_transfer,
            )
            here = labels_at.setdefault(e.head, [])
            if any(old.alive and old.dominates(new) for old in here):
                continue
            for old in here:
                if old.alive and new.dominates(old):
                    old.alive = False
            here[:] = [old for old in here if old.alive]
            here.append(new)
            created += 1
            heapq.heappush(heap, (new.cost, new.days, new.co2e, next(counter), new))
        if created > max_labels:
            notes.append(f"label cap {max_labels} reached: the front shown may be incomplete")
            break
    routes: list[Route] = []
    for lab in finished:
        edges = []
        node: _Label | None = lab
        while node is not None and node.edge >= 0:
            edges.append(g.edges[node.edge])
            node = node.parent
        edges.reverse()
        places = [g.vertices[e.head][0] for e in edges if e.kind != TRANSFER]
        if len(set(places)) != len(places) or origin in places:
            continue
        routes.append(make_route(g, edges, origin, None, signature(g, edges, origin)))
    return _non_dominated(routes), notes


def _objectives(r: Route) -> tuple[float, float, float, float]:
    return (r.cost_usd_per_t, r.days_mean, r.co2e_kg_per_t, r.risk.disrupted_days_per_year)


def _non_dominated(routes: list[Route]) -> list[Route]:
    out = []
    for r in routes:
        ro = _objectives(r)
        dominated = False
        for s in routes:
            so = _objectives(s)
            if s is not r and all(a <= b for a, b in zip(so, ro, strict=True)) and so != ro:
                dominated = True
                break
        if not dominated:
            out.append(r)
    out.sort(key=_objectives)
    unique: list[Route] = []
    for r in out:
        if not unique or _objectives(unique[-1]) != _objectives(r):
            unique.append(r)
    return unique
