"""Column generation for planning: solve the restricted LP, price new routes on the duals."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from corridor.contracts.model import Contract, Portfolio, Rule
from corridor.costs import Assumptions
from corridor.graph import CommodityGraph, Edge, commodity_graph
from corridor.network.model import Network
from corridor.optimize._model import _candidate, _Clock, _Model, contract_assumptions
from corridor.optimize.capacity import TOL, capacities, capacity_of_link, node_capacities
from corridor.optimize.lp import LpSolution
from corridor.optimize.plan_result import Candidate, RuleCost, _links
from corridor.routing.pricing import make_route
from corridor.routing.route import Route


@dataclass(frozen=True)
class _Problem:
    """What stays fixed while columns are generated."""

    portfolio: Portfolio
    rules: tuple[Rule, ...]
    net: Network
    assumptions: Assumptions
    penalty: float
    risk_penalty: float


@dataclass(frozen=True)
class _Pricing:
    """How column generation ended."""

    rounds: int
    added: int
    converged: bool
    exact: bool
    """Pricing is exact without family and minimum-share rules (see :func:`_price`)."""

    def note(self, candidates: int) -> str:
        if self.added:
            head = (
                f"column generation added {self.added} route(s) in {self.rounds} round(s) "
                f"({candidates} candidate routes in all)"
            )
        else:
            head = f"no route outside the {candidates} candidate routes would lower the cost"
        if not self.converged:
            return head + "; stopped at max_rounds: a route outside them might cost less"
        if self.exact:
            return head + ": the plan is optimal over every route of the network"
        return head + (
            " as priced (family and minimum-share rules are priced through each family's "
            "cheapest route only): the plan is optimal over its candidates"
        )


def _solve(
    problem: _Problem, cands: dict[str, list[Candidate]], max_rounds: int, clock: _Clock
) -> tuple[_Model, LpSolution, _Pricing]:
    """Solve over the candidates; add routes priced by the duals until none improves."""
    caps = capacities(problem.net)
    exact = not any(r.on == "family" or r.min_share is not None for r in problem.rules)
    added = 0
    for rounds in itertools.count():
        model = _Model.build(problem.portfolio, problem.rules, cands, caps, problem.penalty)
        clock.lap("build")
        solution = model.highs.solve()
        clock.lap("solve")
        new = _price(problem, model, solution) if rounds < max_rounds else None
        clock.lap("pricing")
        if not new:
            return model, solution, _Pricing(rounds, added, new is not None, exact)
        for x in new:
            cands[x.contract].append(x)
        added += len(new)
    raise AssertionError("unreachable")


def _price(problem: _Problem, model: _Model, sol: LpSolution) -> list[Candidate]:
    """Routes with a negative reduced cost under the current duals (column generation).

    One search per contract, origin–destination pair (and family of a family rule), on
    edge costs raised by the capacity shadow prices, with each exposure a maximum-share
    row binds charged its dual once. That finds the route of least reduced cost exactly
    when the rules are capacity and maximum-share ones; only routes whose exact reduced
    cost is negative are added.
    """
    y = sol.row_dual
    prices = {
        cap.id: -float(y[model.cap_row0 + i])
        for i, cap in enumerate(model.caps)
        if -y[model.cap_row0 + i] > TOL
    }
    known = {(x.contract, tuple(_links(x.route))) for x in model.candidates}
    out = []
    for c in problem.portfolio.contracts:
        for route in _priced_routes(problem, model, c, prices, y):
            x = _candidate(c.id, route, problem.net, problem.risk_penalty)
            key = (c.id, tuple(_links(route)))
            if key not in known and model.reduced_cost(x, y) < -TOL * max(1.0, x.cost_usd_per_t):
                known.add(key)
                out.append(x)
    return out


def _priced_routes(
    problem: _Problem, model: _Model, c: Contract, prices: Mapping[str, float], y: np.ndarray
) -> list[Route]:
    """The route of least priced cost per origin–destination pair (and family rule)."""
    penalties: dict[str, float] = {}
    families: set[str | None] = {None}
    for i, rr in enumerate(model.rule_rows, model.rule_row0):
        if c.id not in rr.contracts:
            continue
        if rr.rule.on == "family":
            families.add(rr.rule.target)
        elif rr.bound == "max" and -y[i] > TOL:
            penalties[rr.rule.target] = penalties.get(rr.rule.target, 0.0) - float(y[i])
    out = []
    for o, d in itertools.product(c.origins, c.destinations):
        ends = {problem.net.node(o).country, problem.net.node(d).country}
        pen = {e: p for e, p in penalties.items() if e not in ends}
        a = contract_assumptions(problem.assumptions, c)
        for fam in families:
            key = (problem.net, c.commodity, a, c.avoid, (fam,) if fam else ())
            edges = _GraphArrays.of(*key).cheapest(o, d, prices, pen)
            if edges is not None:
                out.append(make_route(commodity_graph(*key), edges, o))
    return out


@dataclass(frozen=True)
class _GraphArrays:
    """A commodity graph as arrays, for shortest paths under shadow prices."""

    graph: CommodityGraph
    tails: np.ndarray
    heads: np.ndarray
    costs: np.ndarray
    capacity: csr_matrix
    """Edges × capacities: 1 where the edge draws on the capacity (``capacity_ids`` order)."""
    capacity_ids: tuple[str, ...]
    places: np.ndarray
    """Per vertex: index of its node."""
    order: np.ndarray
    """Edge indices sorted by (tail, head, index): parallel edges side by side."""
    pair_start: np.ndarray
    """Where each distinct (tail, head) pair starts in ``order``, plus the end."""
    pair_key: np.ndarray
    """Per pair: tail * vertices + head (sorted), to find the pair of a step."""
    pair_head: np.ndarray
    indptr: np.ndarray
    """The pairs as the index arrays of a CSR matrix (rows: tails); only the costs change
    from one pricing to the next."""

    @staticmethod
    def of(
        net: Network,
        commodity: str,
        a: Assumptions,
        avoid: tuple[str, ...],
        families: tuple[str, ...],
    ) -> _GraphArrays:
        """The arrays of a commodity graph, built once and kept with the graph."""
        g = commodity_graph(net, commodity, a, avoid, families)
        return g.derived.get(_GraphArrays, lambda: _GraphArrays._build(net, g))

    @staticmethod
    def _build(net: Network, g: CommodityGraph) -> _GraphArrays:
        cls = g.commodity.cargo_class
        # what draws_on gives each edge, with the node part looked up once per node and mode
        own_of, at_nodes = capacity_of_link(net), node_capacities(net)
        at: dict[tuple[str, str], tuple[str, ...]] = {}
        draws: list[tuple[str, ...]] = []
        for li, tail in zip(g.edge_links.tolist(), g.tails.tolist(), strict=True):
            if li < 0:
                draws.append(())
                continue
            link, node = net.links[li], g.vertices[tail][0]
            extra = at.get((node, link.mode))
            if extra is None:
                extra = at[node, link.mode] = tuple(
                    c.id for c in at_nodes.get(node, ()) if c.counts(cls, link.mode)
                )
            own = own_of.get(link.id)
            draws.append(extra if own is None else (own, *extra))
        ids = tuple(sorted({cap for d in draws for cap in d}))
        index = {cap: i for i, cap in enumerate(ids)}
        rows = [j for j, d in enumerate(draws) for _ in d]
        cols = [index[cap] for d in draws for cap in d]
        tails, heads = g.tails, g.heads
        n = len(g.vertices)
        order = np.lexsort((np.arange(len(tails)), heads, tails))
        keys = tails[order] * n + heads[order]
        first = np.ones(len(keys), dtype=bool)
        first[1:] = keys[1:] != keys[:-1]
        starts = np.flatnonzero(first)
        pair_tail = tails[order][starts]
        return _GraphArrays(
            g,
            tails,
            heads,
            g.costs,
            csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(g.edges), max(len(ids), 1))),
            ids,
            np.array([net.node_index[v[0]] for v in g.vertices], dtype=np.int64),
            order,
            np.append(starts, len(keys)),
            keys[starts],
            heads[order][starts],
            np.searchsorted(pair_tail, np.arange(n + 1)),
        )

    def touching(self, exposure: str) -> np.ndarray:
        bit = self.graph.exposure_bit[exposure]
        return np.asarray((self.graph.exposure_masks & bit) != 0, dtype=bool)

    def cheapest(
        self,
        origin: str,
        destination: str,
        prices: Mapping[str, float],
        penalties: Mapping[str, float],
    ) -> list[Edge] | None:
        """Least-cost physically simple path with capacity prices on its edges and each
        penalised exposure charged once (exactly: the best over every subset of penalised
        exposures allowed).

        Returns the path's edges, or None when there is none (a shortest path that passes
        a place twice is not a route and is skipped too).
        """
        g = self.graph
        src = g.node_vertices.get(origin, [])
        dst = g.node_vertices.get(destination, [])
        if not src or not dst:
            return None
        price = np.zeros(self.capacity.shape[1])
        price[: len(self.capacity_ids)] = [prices.get(cap, 0.0) for cap in self.capacity_ids]
        costs = self.costs + self.capacity @ price
        touch = {e: self.touching(e) for e in penalties}
        best: tuple[float, list[int]] | None = None
        for size in range(len(touch) + 1):
            for allowed_set in itertools.combinations(sorted(touch), size):
                allowed = np.ones(len(costs), dtype=bool)
                for e, hits in touch.items():
                    if e not in allowed_set:
                        allowed &= ~hits
                found = self._shortest(costs, allowed, src, dst)
                if found is not None:
                    total = found[0] + sum(penalties[e] for e in allowed_set)
                    if best is None or total < best[0]:
                        best = (total, found[1])
        return None if best is None else [g.edges[i] for i in best[1]]

    def _shortest(
        self, costs: np.ndarray, allowed: np.ndarray, src: list[int], dst: list[int]
    ) -> tuple[float, list[int]] | None:
        # the CSR structure is kept; per call only its costs: the cheapest allowed edge of
        # each (tail, head) pair (a barred one costs inf, which no search relaxes)
        sorted_costs = np.where(allowed, costs, np.inf)[self.order]
        cheapest = np.minimum.reduceat(sorted_costs, self.pair_start[:-1])
        n = len(self.places)
        # sparse zeros are not edges: lift free edges to a negligible cost
        mat = csr_matrix((np.maximum(cheapest, 1e-12), self.pair_head, self.indptr), shape=(n, n))
        dist, pred, _ = dijkstra(mat, indices=src, return_predecessors=True, min_only=True)
        end = min(dst, key=lambda v: dist[v])
        if not np.isfinite(dist[end]):
            return None
        path = [end]
        while pred[path[-1]] >= 0:
            path.append(int(pred[path[-1]]))
        path.reverse()
        places = [int(self.places[v]) for v in path]
        stops = [p for i, p in enumerate(places) if i == 0 or p != places[i - 1]]
        if len(set(stops)) < len(stops):
            return None
        edges = []
        for u, v in itertools.pairwise(path):
            pair = int(np.searchsorted(self.pair_key, u * n + v))
            lo, hi = int(self.pair_start[pair]), int(self.pair_start[pair + 1])
            # the first (lowest index) of the cheapest parallel edges, as a sort would keep
            at = lo + int(np.argmax(sorted_costs[lo:hi] == cheapest[pair]))
            edges.append(int(self.order[at]))
        return float(dist[end]), edges


@dataclass(frozen=True)
class _Relaxed:
    """The plan re-solved without each rule, and without all of them."""

    costs: list[RuleCost]
    short_without: Mapping[int, np.ndarray]
    """id(rule) -> shortfall per contract without that rule."""
    full_without_rules: frozenset[str]
    """Capacities that bind even with every rule dropped."""


def _rule_costs(model: _Model, base: LpSolution) -> _Relaxed:
    """Re-solve without each rule (its rows freed), then without all; restore them after."""
    out = []
    short_without: dict[int, np.ndarray] = {}
    for rule in dict.fromkeys(rr.rule for rr in model.rule_rows):
        relaxed = _without(model, model.rows_of(rule))
        short_without[id(rule)] = model.shortfall(relaxed)
        out.append(
            RuleCost(
                rule,
                model.shipping_cost(base),
                model.shipping_cost(relaxed),
                float(model.shortfall(base).sum()),
                float(model.shortfall(relaxed).sum()),
            )
        )
    free = _without(model, range(model.rule_row0, model.rule_row0 + len(model.rule_rows)))
    full = frozenset(
        cap.id for i, cap in enumerate(model.caps) if -free.row_dual[model.cap_row0 + i] > TOL
    )
    return _Relaxed(out, short_without, full)


def _without(model: _Model, rows: Iterable[int]) -> LpSolution:
    rows = list(rows)
    model.highs.set_row_bounds(rows, -np.inf, np.inf)
    try:
        return model.highs.solve()
    finally:
        model.highs.restore_row_bounds(rows)


# --------------------------------------------------------------------------- reading out
