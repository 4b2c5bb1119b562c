"""Column generation for planning: solve the restricted LP, price new routes on the duals."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from scipy.sparse import csr_matrix

from corridor.contracts.model import Contract, Portfolio, Rule
from corridor.costs import Assumptions, insurance_usd_per_t
from corridor.graph import CommodityGraph, commodity_graph
from corridor.i18n import Message
from corridor.network.model import Network
from corridor.optimize._master import _Master
from corridor.optimize._model import _candidate, _Clock, _Model, contract_assumptions
from corridor.optimize.capacity import TOL, capacities, capacity_of_link, node_capacities
from corridor.optimize.lp import LpSolution
from corridor.optimize.plan_result import Candidate, RuleCost
from corridor.routing.pricing import crossed, make_route
from corridor.routing.route import Route
from corridor.routing.to_go import _MIN_COST, costs_to_go

DETOURS = 0
"""Routes round the tightest capacity of the cheapest one that pricing offers per contract
and round besides it (see :meth:`_GraphArrays.cheapest`). Measured on the synthetic plan
(benchmarks/bench_plan.py): 3 detours cut the rounds from 57 to 24 at 10,000 links at the
same time, but at 100,000 links from 186 to 97 while pricing took twice as long (each
detour is one more search), so none by default."""


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
    gap: float | None = None
    """Relative optimality gap proven at the last pricing: (objective - Lagrangian lower
    bound) / max(1, objective); None where pricing is not exact."""
    gaps: tuple[float, ...] = ()
    """The gap proven at each round's pricing (exact pricing only)."""

    def note(self, candidates: int) -> str:
        if self.added:
            head = Message(
                "plan_note_added", added=self.added, rounds=self.rounds, candidates=candidates
            )
        else:
            head = Message("plan_note_none", candidates=candidates)
        if not self.converged:
            return Message("plan_note_stopped", head=head)
        if self.exact:
            return Message("plan_note_exact", head=head)
        return Message("plan_note_priced", head=head)


def _solve(
    problem: _Problem,
    cands: dict[str, list[Candidate]],
    max_rounds: int,
    clock: _Clock,
    gap: float = 0.0,
) -> tuple[_Model, LpSolution, _Pricing]:
    """Solve over the candidates; add routes priced by the duals until none improves (or,
    with ``gap`` > 0 and exact pricing, until the proven relative gap is at most ``gap``).

    The LP stays loaded in HiGHS between rounds (:class:`_Master`: new routes are added as
    columns and it re-solves from its last basis); once generation stops, the final LP is
    built once more over the candidates in contract order, as the plan reads it.
    """
    caps = capacities(problem.net)
    exact = _exact(problem.rules)
    model = _Model.build(problem.portfolio, problem.rules, cands, caps, problem.penalty)
    clock.lap("build")
    master = _Master(model, caps)
    added = rounds = 0
    lower: float | None = None
    gaps: list[float] = []
    while True:
        solution = master.solve()
        clock.lap("solve")
        if rounds >= max_rounds:
            converged = False
            break
        new, lower = _price(problem, master, solution)
        clock.lap("pricing")
        if exact:
            gaps.append(_gap(solution.objective, lower))
        if not new or (exact and gaps[-1] <= gap):
            converged = True
            break
        for x in new:
            cands[x.contract].append(x)
        master.add(new)
        added += len(new)
        rounds += 1
        clock.lap("build")
    if added:
        model = _Model.build(problem.portfolio, problem.rules, cands, caps, problem.penalty)
        clock.lap("build")
        solution = model.highs.solve()
        clock.lap("solve")
    proven = _gap(solution.objective, lower) if exact and lower is not None else None
    return model, solution, _Pricing(rounds, added, converged, exact, proven, tuple(gaps))


def _exact(rules: Iterable[Rule]) -> bool:
    """Whether pricing is exact: no family and no minimum-share rules."""
    return not any(r.on == "family" or r.min_share is not None for r in rules)


def _gap(objective: float, lower: float) -> float:
    return max(0.0, objective - lower) / max(1.0, abs(objective))


def _price(problem: _Problem, master: _Master, sol: LpSolution) -> tuple[list[Candidate], float]:
    """Routes with a negative reduced cost under the current duals (column generation),
    and the Lagrangian lower bound on the optimum over every route these duals prove.

    One search per contract, origin–destination pair (and family of a family rule), on
    edge costs raised by the capacity shadow prices, with each exposure a maximum-share
    row binds charged its dual once. That finds the route of least reduced cost exactly
    when the rules are capacity and maximum-share ones; only routes whose exact reduced
    cost is negative are added. The bound is the LP objective plus, per contract, its
    volume times its least reduced cost where negative (a path search that is not a
    route still bounds it from below); it is only valid when pricing is exact.
    """
    y = sol.row_dual
    prices = master.cap_prices(y)
    out = []
    lower = sol.objective
    for c in problem.portfolio.contracts:
        routes, least = _priced_routes(problem, master, c, prices, y)
        if least is not None:
            lower += c.volume_t_per_year * min(0.0, least)
        for route, links, uses, passes in routes:
            key = (c.id, links)
            if key in master.known:
                continue
            x = _candidate(c.id, route, problem.net, problem.risk_penalty, uses, passes)
            if master.reduced_cost(x, y) < -TOL * max(1.0, x.cost_usd_per_t):
                master.known.add(key)
                out.append(x)
    return out, lower


_Priced = tuple[Route, tuple[str, ...], dict[str, int], tuple[frozenset[str], frozenset[str]]]
"""A priced route, its link ids, the capacities it draws on, what it crosses."""


def _priced_routes(
    problem: _Problem, master: _Master, c: Contract, prices: np.ndarray, y: np.ndarray
) -> tuple[list[_Priced], float | None]:
    """The route of least priced cost per origin–destination pair (and family rule), and
    a lower bound on the least reduced cost of the contract's routes (None: no path).

    Each route comes with its link ids, the capacities it draws on and the countries and
    chokepoints it crosses, read off its edges (its detail is built only when read)."""
    model = master.model
    penalties: dict[str, float] = {}
    families: set[str | None] = {None}
    shares = 0.0  # the -share * dual part every route of the contract gets
    for i, rr in enumerate(model.rule_rows, model.rule_row0):
        if c.id not in rr.contracts:
            continue
        share = rr.rule.max_share if rr.bound == "max" else rr.rule.min_share
        shares += (share or 0.0) * float(y[i])
        if rr.rule.on == "family":
            families.add(rr.rule.target)
        elif rr.bound == "max" and -y[i] > TOL:
            penalties[rr.rule.target] = penalties.get(rr.rule.target, 0.0) - float(y[i])
    a = contract_assumptions(problem.assumptions, c)
    exact = _exact(problem.rules)
    out = []
    least: float | None = None
    for o, d in itertools.product(c.origins, c.destinations):
        ends = {problem.net.node(o).country, problem.net.node(d).country}
        pen = {e: p for e, p in penalties.items() if e not in ends}
        for fam in families:
            key = (problem.net, c.commodity, a, c.avoid, (fam,) if fam else ())
            arrays = _GraphArrays.of(*key)
            # what a route's reduced cost adds to its priced cost; no route whose priced
            # cost exceeds minus that can improve, so the search stops there
            insurance = insurance_usd_per_t(arrays.graph.commodity, arrays.graph.assumptions)
            offset = insurance - float(y[model._rows[0][c.id]]) + shares
            limit = -offset if exact else np.inf
            if limit <= 0:  # every route of the pair has a reduced cost >= 0
                continue
            found = arrays.cheapest(o, d, prices, pen, master.searches, DETOURS, limit)
            if found is None:  # no path (or none below the limit): reduced costs >= 0
                continue
            total, paths = found
            if fam is None:
                least = total + offset if least is None else min(least, total + offset)
            g = commodity_graph(*key)
            ids = _link_ids(problem.net)
            for path in paths:
                edges = [g.edges[i] for i in path]
                at = g.edge_links[path]  # a link's index, -1 for a transfer
                links = tuple([ids[i] for i in at[at >= 0].tolist()])
                route = make_route(g, edges, o)
                out.append((route, links, arrays.draws(path), crossed(g, edges)))
    return out, least


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
    capacity_pos: np.ndarray
    bottleneck: np.ndarray
    """Per edge: the least figure (t/yr) of the capacities it draws on (inf for none)."""
    """Per capacity of ``capacity_ids``: its position among every capacity of the network
    (sorted by id, the order of :meth:`_Master.cap_prices`)."""
    places: np.ndarray
    """Per vertex: index of its node."""
    capped: np.ndarray
    """The edges that draw on a capacity."""
    capped_capacity: csr_matrix
    """Their rows of ``capacity``."""
    capped_pairs: np.ndarray
    """Their pairs (without parallel edges; else empty)."""
    draw_start: np.ndarray
    """Per edge: where its capacities start in ``draw_caps``, plus the end."""
    draw_caps: np.ndarray
    """The capacities of each edge (``capacity_ids`` positions) in the order
    :func:`~corridor.optimize.capacity.draws_on` gives them."""
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
        places = np.array([net.node_index[v[0]] for v in g.vertices], dtype=np.int64)
        rows, caps = _draws(net, g, places)
        ids = tuple(sorted(set(caps)))
        index = {cap: i for i, cap in enumerate(ids)}
        every = {cap: i for i, cap in enumerate(sorted(capacities(net)))}
        cols = [index[cap] for cap in caps]
        by_edge = np.argsort(rows, kind="stable")
        tails, heads = g.tails, g.heads
        n = len(g.vertices)
        order = np.lexsort((np.arange(len(tails)), heads, tails))
        keys = tails[order] * n + heads[order]
        first = np.ones(len(keys), dtype=bool)
        first[1:] = keys[1:] != keys[:-1]
        starts = np.flatnonzero(first)
        pair_tail = tails[order][starts]
        capped = np.unique(rows).astype(np.int64)
        capacity = csr_matrix(
            (np.ones(len(rows)), (rows, cols)), shape=(len(g.edges), max(len(ids), 1))
        )
        return _GraphArrays(
            g,
            tails,
            heads,
            g.costs,
            capacity,
            ids,
            np.array([every[cap] for cap in ids], dtype=np.int64),
            _bottleneck(net, len(g.edges), rows, caps),
            places,
            capped,
            capacity[capped],
            np.argsort(order)[capped] if len(starts) == len(keys) else np.zeros(0, np.int64),
            np.searchsorted(rows[by_edge], np.arange(len(g.edges) + 1)),
            np.asarray(cols, dtype=np.int64)[by_edge],
            order,
            np.append(starts, len(keys)),
            keys[starts],
            heads[order][starts],
            np.searchsorted(pair_tail, np.arange(n + 1)),
        )

    @cached_property
    def capped_costs(self) -> np.ndarray:
        """The costs of the edges that draw on a capacity (``costs[capped]``)."""
        return np.asarray(self.costs[self.capped])

    def draws(self, path: list[int]) -> dict[str, int]:
        """Capacity id -> how many edges of ``path`` draw on it, in the order of
        :func:`~corridor.optimize._model._candidate`'s ``uses``."""
        out: dict[str, int] = {}
        at = np.asarray(path, dtype=np.int64)
        lo, hi = self.draw_start[at], self.draw_start[at + 1]
        for i in np.flatnonzero(hi > lo).tolist():
            for j in self.draw_caps[lo[i] : hi[i]].tolist():
                cap = self.capacity_ids[j]
                out[cap] = out.get(cap, 0) + 1
        return out

    def touching(self, exposure: str) -> np.ndarray:
        bit = self.graph.exposure_bit[exposure]
        return np.asarray((self.graph.exposure_masks & bit) != 0, dtype=bool)

    def cheapest(
        self,
        origin: str,
        destination: str,
        prices: np.ndarray,
        penalties: Mapping[str, float],
        searches: MutableMapping[tuple[int, str, str], _Search | None] | None = None,
        detours: int = 0,
        limit: float = np.inf,
    ) -> tuple[float, list[list[int]]] | None:
        """Least-cost physically simple path with capacity prices on its edges and each
        penalised exposure charged once (exactly: the best over every subset of penalised
        exposures allowed).

        ``prices`` holds USD/t per use of every capacity of the network, in id order;
        ``searches`` keeps the search of each graph and origin–destination pair between
        calls (only its weights change). Returns the least priced cost over every path,
        with the path's edge indices of the least-cost route among them (none when each path
        found passes a place twice and so is not a route), then up to ``detours`` more
        routes (without penalties only): each the cheapest once the tightest capacity of
        the route before it is barred, so one round offers a contract routes round several
        bottlenecks. None when there is no path at all, or none of priced cost below
        ``limit`` (the search stops there).
        """
        search = self._search(origin, destination, searches)
        if search is None:
            return None
        price = np.zeros(self.capacity.shape[1])
        price[: len(self.capacity_ids)] = prices[self.capacity_pos]
        if not penalties and not detours and search.base is not None:
            # no parallel edges: only the edges that draw on a capacity change cost
            raised = self.capped_costs + self.capped_capacity @ price
            found = self._path(search, search.run_raised(raised, self.capped_pairs, limit))
            if found is None:
                return None
            return found[0], [] if found[1] is None else [found[1]]
        costs = self.costs + self.capacity @ price
        touch = {e: self.touching(e) for e in penalties}
        least: float | None = None
        best: tuple[float, list[int]] | None = None
        for size in range(len(touch) + 1):
            for allowed_set in itertools.combinations(sorted(touch), size):
                allowed = None
                for e, hits in touch.items():
                    if e not in allowed_set:
                        allowed = ~hits if allowed is None else allowed & ~hits
                found = self._shortest(search, costs, allowed, limit)
                if found is None:
                    continue
                total = found[0] + sum(penalties[e] for e in allowed_set)
                least = total if least is None else min(least, total)
                if found[1] is not None and (best is None or total < best[0]):
                    best = (total, found[1])
        if least is None:
            return None
        if best is None:
            return least, []
        paths = [best[1]]
        if detours and not penalties:
            paths += self._detours(search, costs, best[1], detours, limit)
        return least, paths

    def _detours(
        self, search: _Search, costs: np.ndarray, path: list[int], n: int, limit: float
    ) -> list[list[int]]:
        out: list[list[int]] = []
        barred = costs.copy()
        for _ in range(n):
            tight = self.bottleneck[path]
            if not np.isfinite(tight).any():
                break
            barred[path[int(np.argmin(tight))]] = np.inf
            found = self._shortest(search, barred, None, limit)
            if found is None or found[1] is None:
                break
            path = found[1]
            out.append(path)
        return out

    def _search(
        self,
        origin: str,
        destination: str,
        searches: MutableMapping[tuple[int, str, str], _Search | None] | None,
    ) -> _Search | None:
        """The search from ``origin`` to ``destination``, kept in ``searches`` (one per
        plan, so threads planning at once never share one); None when there is no path."""
        key = (id(self), origin, destination)
        if searches is not None and key in searches:
            return searches[key]
        found = _Search.build(self, origin, destination)
        if searches is not None:
            searches[key] = found
        return found

    def _shortest(
        self,
        search: _Search,
        costs: np.ndarray,
        allowed: np.ndarray | None,
        limit: float = np.inf,
    ) -> tuple[float, list[int] | None] | None:
        # the CSR structure is kept; per call only its weights: the cheapest allowed edge
        # of each (tail, head) pair (a barred one costs inf, which no search relaxes)
        sorted_costs = (costs if allowed is None else np.where(allowed, costs, np.inf))[self.order]
        if len(self.pair_head) < len(sorted_costs):
            cheapest = np.minimum.reduceat(sorted_costs, self.pair_start[:-1])
        else:  # no parallel edges: each pair is its edge
            cheapest = sorted_costs
        return self._path(search, search.run(cheapest, limit), sorted_costs, cheapest)

    def _path(
        self,
        search: _Search,
        found: tuple[float, list[int]] | None,
        sorted_costs: np.ndarray | None = None,
        cheapest: np.ndarray | None = None,
    ) -> tuple[float, list[int] | None] | None:
        """A search's least cost and its path as edge indices (None: it passes a place
        twice), the first of the cheapest parallel edges of each step (costs given where
        there are parallel edges)."""
        if found is None:
            return None
        total, path = found
        places = self.places[path]
        stops = places[np.r_[True, places[1:] != places[:-1]]]
        if len(np.unique(stops)) < len(stops):
            return total, None
        at = np.asarray(path, dtype=np.int64)
        pair = np.searchsorted(self.pair_key, at[:-1] * len(self.places) + at[1:])
        lo, hi = self.pair_start[pair], self.pair_start[pair + 1]
        picks = lo.copy()
        for i in np.flatnonzero(hi - lo > 1).tolist():
            # the first (lowest index) of the cheapest parallel edges, as a sort would keep
            assert sorted_costs is not None and cheapest is not None
            span = sorted_costs[lo[i] : hi[i]]
            picks[i] = lo[i] + int(np.argmax(span == cheapest[pair[i]]))
        return total, self.order[picks].tolist()


@dataclass(frozen=True)
class _Search:
    """Cheapest paths from one origin to one destination of a graph as costs change.

    A Dijkstra search on each pair's cheapest edge, with its cost reduced by the cost to
    go ``h`` of the graph's own edge costs (without prices): ``cost + h(head) - h(tail)``,
    never negative since prices only add to costs. The search
    (:func:`corridor.optimize._dijkstra.first_target`) then settles first the places on
    the way to the destination (as A* would) and stops at its first vertex (or at the
    limit, below which a route must cost to improve the plan). A vertex after the
    graph's starts the search: an arc to each vertex of the origin costs its ``h`` less
    the least of them, so every path keeps its true cost less that least ``h_start``.
    """

    matrix: csr_matrix
    shift: np.ndarray
    """Per pair: h(head) - h(tail) (inf where either cannot reach the destination)."""
    base: np.ndarray | None
    """Without parallel edges: the weights of the pairs without prices (None with)."""
    pairs: int
    h_start: float
    is_target: np.ndarray
    """Per vertex (the start last): whether it is one of the destination's."""
    raised_at: list[tuple[np.ndarray, np.ndarray] | None] = field(default_factory=lambda: [None])
    """The pairs :meth:`run_raised` last wrote and their ``shift``, the others holding
    ``base`` (None: the weights are not known to hold ``base`` elsewhere, as after
    :meth:`run`)."""

    @staticmethod
    def build(arrays: _GraphArrays, origin: str, destination: str) -> _Search | None:
        g = arrays.graph
        src = sorted(set(g.node_vertices.get(origin, [])))
        dst = g.node_vertices.get(destination, [])
        if not src or not dst:
            return None
        h = np.asarray(costs_to_go(g, destination), dtype=float)
        start = h[src]
        h_start = float(start.min())
        if not np.isfinite(h_start):
            return None
        n = len(arrays.places)
        tail = np.repeat(np.arange(n), np.diff(arrays.indptr))
        head = arrays.pair_head
        with np.errstate(invalid="ignore"):
            shift = h[head] - h[tail]
        shift[~(np.isfinite(h[head]) & np.isfinite(h[tail]))] = np.inf
        pairs = len(head)
        data = np.concatenate([np.ones(pairs), np.maximum(start - h_start, _MIN_COST)])
        indices = np.concatenate([head, src])
        indptr = np.append(arrays.indptr, pairs + len(src))
        matrix = csr_matrix((data, indices, indptr), shape=(n + 1, n + 1))
        base = None
        if pairs == len(arrays.costs):
            base = np.maximum(arrays.costs[arrays.order] + shift, _MIN_COST)
        is_target = np.zeros(n + 1, dtype=bool)
        is_target[dst] = True
        return _Search(matrix, shift, base, pairs, h_start, is_target)

    def run(self, cheapest: np.ndarray, limit: float) -> tuple[float, list[int]] | None:
        """The least cost to the destination with ``cheapest`` per pair, and a path of
        it (vertices from the origin); None when there is no path below ``limit``."""
        if limit - self.h_start <= 0:
            return None
        # sparse zeros are not edges: lift free edges to a negligible cost
        self.matrix.data[: self.pairs] = np.maximum(cheapest + self.shift, _MIN_COST)
        self.raised_at[0] = None
        return self._run(limit)

    def run_raised(
        self, raised: np.ndarray, at: np.ndarray, limit: float
    ) -> tuple[float, list[int]] | None:
        """:meth:`run` where only pairs ``at`` cost other than without prices: ``raised``
        (no parallel edges; the same floats as :meth:`run` gets). The other pairs are only
        written again when the last search wrote other ones."""
        if limit - self.h_start <= 0:
            return None
        assert self.base is not None
        data = self.matrix.data
        last = self.raised_at[0]
        if last is None or last[0] is not at:
            data[: self.pairs] = self.base
            last = self.raised_at[0] = (at, self.shift[at])
        data[at] = np.maximum(raised + last[1], _MIN_COST)
        return self._run(limit)

    def _run(self, limit: float) -> tuple[float, list[int]] | None:
        from corridor.optimize._dijkstra import first_target  # Numba loads on first use

        m = self.matrix
        start = m.shape[0] - 1
        dist, path = first_target(
            m.indptr, m.indices, m.data, start, self.is_target, limit - self.h_start
        )
        if not np.isfinite(dist):
            return None
        return float(dist) + self.h_start, path[1:].tolist()  # the start before the origin


def _draws(net: Network, g: CommodityGraph, places: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """What :func:`~corridor.optimize.capacity.draws_on` gives each edge, as (edge, capacity
    id) entries: the link's own capacity, then those of the node it leaves that count the
    commodity's class and the link's mode (``places``: the node index of each vertex)."""
    own_of = capacity_of_link(net)
    links = g.edge_links
    is_link = np.flatnonzero(links >= 0)
    own = _own_capacity(net, own_of)
    hit = is_link[own[links[is_link]] >= 0]
    edges = [hit]
    caps: list[str] = [own_of[net.links[i].id] for i in links[hit].tolist()]
    cls = g.commodity.cargo_class
    if any(node_capacities(net).values()):
        tail_node = places[g.tails[is_link]]
        for node, node_caps in node_capacities(net).items():
            at = is_link[tail_node == net.node_index[node]]
            for cap in node_caps:
                for e in at.tolist():
                    if cap.counts(cls, net.links[int(links[e])].mode):
                        edges.append(np.array([e]))
                        caps.append(cap.id)
    return np.concatenate(edges), caps


def _bottleneck(net: Network, n_edges: int, rows: np.ndarray, caps: list[str]) -> np.ndarray:
    figures = capacities(net)
    out = np.full(n_edges, np.inf)
    np.minimum.at(out, rows, [figures[c].capacity_t_per_year for c in caps])
    return out


def _link_ids(net: Network) -> list[str]:
    """The id of each link of the network, by position (kept with the network)."""
    return net.derived.get("plan-link-ids", lambda: [link.id for link in net.links])


def _own_capacity(net: Network, own_of: Mapping[str, str]) -> np.ndarray:
    """Per link of the network: 0 where it has a capacity of its own (or its group's),
    else -1 (kept with the network)."""

    def build() -> np.ndarray:
        return np.array([0 if link.id in own_of else -1 for link in net.links], dtype=np.int64)

    return net.derived.get("plan-own-capacity", build)


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
