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

    Speed comes from doing less, never from giving up exactness: the search moves in steps
    (a transfer with the link after it; a run through places with one way on), drops a
    partial route that an earlier, cheaper one covers, and small graphs keep the costs to
    go of every destination. Routes found sum their totals at once and put their legs
    together when first read.

Pareto front
    Multi-objective label setting (Martins) over cost, mean days and CO2e, with the set of
    exposures crossed carried as a bitset: a label dominates another at the same vertex only
    if it is no worse in all three and its exposures are a subset, so the risk objective
    (expected disrupted days, a function of the set) is pruned exactly.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NamedTuple, overload

from corridor._gc import paused_gc
from corridor.graph import CommodityGraph, Edge
from corridor.network.model import Network
from corridor.routing._index import search_index
from corridor.routing.pricing import (
    _departure,
    _gateways,
    _Pieces,
    _route,
    _step_pieces,
    signature,
)
from corridor.routing.route import Route
from corridor.routing.to_go import (  # noqa: F401  (cost_to_go and the limits: public here too)
    ALL_PAIRS_MAX_VERTICES,
    PLAIN_SEARCH_MAX_VERTICES,
    _all_pairs,
    _cost_to_go,
    _ends,
    _reverse_lists,
    _reverse_matrix,
    cost_to_go,
    costs_to_go,
)

MAX_LABELS = 200_000
MAX_K = 50
"""Most routes one query may ask for."""


_Label = tuple[float, int, float, int, Any, tuple[int, ...], int, int, int]
"""A partial route in the best-first search: (f, seq, cost, vertex, parent label, edges of
its last step, places visited, exposures crossed, signature id)."""


def release_search_tables(g: CommodityGraph) -> None:
    """Drop what the searches of ``g`` built that the next search would build again (steps,
    adjacency, reversed edges, vertex tables, priced steps, closures' tables), keeping its
    costs to go and the priced pieces of its edges."""
    search_index(g).release()


def release_shared_steps(net: Network) -> None:
    """Drop the steps that graphs of one topology share, and how to recost them (kept with
    the network: the next graph of that topology builds them again)."""
    net.derived.drop(lambda key: isinstance(key, tuple) and key[:1] in _SHARED_KEYS)


_SHARED_KEYS = (("kbest-steps",), ("kbest-recipe",))


def index_graph(g: CommodityGraph) -> None:
    """Build the search's tables of ``g`` now rather than on its first search."""
    _steps(g)
    if len(g.vertices) <= PLAIN_SEARCH_MAX_VERTICES:
        _reverse_lists(g)
    _reverse_matrix(g)
    _all_pairs(g)


def _steps_taken(label: _Label) -> list[tuple[int, ...]]:
    """The steps of a partial route (their edge indices), from the origin; the start
    label's empty step is left out."""
    steps: list[tuple[int, ...]] = []
    node: _Label | None = label
    while node is not None:
        if node[5]:
            steps.append(node[5])
        node = node[4]
    steps.reverse()
    return steps


def _path_edges(g: CommodityGraph, label: _Label) -> list[Edge]:
    """The edges of a partial route, from the origin."""
    edges = g.edges
    return [edges[i] for step in _steps_taken(label) for i in step]


def _sig_tuple(
    sig: int, steps: list[tuple[int, int]], gates: list[tuple[str, str]]
) -> tuple[tuple[str, str], ...]:
    """An interned signature id spelled out as its gateway entries."""
    out: list[tuple[str, str]] = []
    while sig > 0:
        sig, gate = steps[sig]
        out.append(gates[gate])
    out.reverse()
    return tuple(out)


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
    destination entry that :func:`signature` adds. See :func:`_search`.
    """
    for label, sig in _search(g, origin, destination, penalise, max_labels, distinct):
        yield label[2], _path_edges(g, label), label[7], sig


def _search(
    g: CommodityGraph,
    origin: str,
    destination: str,
    penalise: Mapping[str, float] | None,
    max_labels: int,
    distinct: bool,
    closed: frozenset[str] = frozenset(),
) -> Iterator[tuple[_Label, tuple[tuple[str, str], ...]]]:
    """Yield the complete routes in non-decreasing cost, each as its last label and its
    signature (tracked only with ``distinct``).

    A route is a sequence of steps (see :func:`_adjacency`): a link, or a transfer followed
    by a link; it never starts with a transfer (every mode copy of the origin is a start).

    Cost includes penalties, each charged once per exposure crossed. With ``distinct``,
    partial routes that cannot lead to the cheapest route of any gateway signature are
    pruned: a partial route is dropped when an earlier (cheaper) one reached the same
    vertex with the same signature so far, having visited no place the later one could
    still use (:func:`_covers`), and — where penalties apply — at no more than its cost
    once the penalised exposures only the later one has crossed are charged to the
    earlier one. Every completion of the later one is then a completion of the earlier
    one, with the same signature, at no lower cost.
    Stops after ``max_labels`` partial routes. ``closed`` links are not used: the search
    runs as on the graph built without them (:mod:`corridor.routing.closed`).

    A partial route is a flat tuple (see ``_Label``): f is its cost plus the cost to go,
    seq breaks ties first in first out, and sig is an interned signature id. When the
    cheapest child of the partial route just taken is no dearer than the cheapest one
    waiting, it is taken next without a trip through the heap: the order is the same as
    pushing it and popping it again.
    """
    sources, targets = _ends(g, origin, destination)
    if not sources or not targets:
        return
    if closed:
        from corridor.routing.closed import closed_tables

        h, chained = closed_tables(g, closed, destination, targets)
    else:
        h = _cost_to_go(g, destination, targets)
        chained = _steps(g)
    adjacency, gates, exits = chained.to(destination), chained.gates, chained.exits
    node_of = _vertex_tables(g)[0]
    is_target = [False] * len(g.vertices)
    for t in targets:
        is_target[t] = True
    n_vertices = len(g.vertices)
    pen_bits = {g.exposure_bit[e]: p for e, p in (penalise or {}).items() if p}
    pen_mask = sum(pen_bits)
    origin_bit = g.net.node_bits[g.net.node_index[origin]]
    # signatures so far, interned: id -> (parent id, gate id); (parent, gate) -> id
    sig_ids: dict[tuple[int, int], int] = {}
    sig_steps: list[tuple[int, int]] = [(-1, -1)]
    settled: dict[int, list[_Label]] = {}
    seq = 0
    heap: list[_Label] = []
    push, pop, inf = heapq.heappush, heapq.heappop, math.inf
    for s in sources:
        if h[s] != inf:
            seq += 1
            push(heap, (h[s], seq, 0.0, s, None, (), g.net.node_bits[node_of[s]], 0, 0))
    taken = 0
    while heap and taken < max_labels:
        p: _Label | None = pop(heap)
        while p is not None:
            taken += 1
            _, _, cost, v, _, _, visited, mask, sig = p
            if distinct:
                key = sig * n_vertices + v
                earlier = settled.get(key)
                if earlier is None:
                    settled[key] = [p]
                elif pen_bits:
                    if any(_dominates(q, p, pen_bits, pen_mask, exits) for q in earlier):
                        break
                    earlier.append(p)
                else:  # no penalties: cost order alone makes every earlier one cheaper
                    if _any_covers(earlier, visited, exits):
                        break
                    earlier.append(p)
            if is_target[v]:
                yield p, _sig_tuple(sig, sig_steps, gates)
                break
            at_origin = visited == origin_bit
            leaves_gate = distinct and not at_origin
            best: _Label | None = None
            for step, head, price, exposures, via_transfer, bit, gate, more in adjacency[v]:
                if visited & bit or (via_transfer and at_origin):
                    continue
                hv = h[head]
                if hv == inf:
                    continue
                c = cost + price
                if pen_bits:
                    fresh = exposures & pen_mask & ~mask
                    if fresh:
                        c += sum(pen for b, pen in pen_bits.items() if fresh & b)
                s = sig
                if leaves_gate and gate >= 0:
                    s = sig_ids.get((sig, gate), -1)
                    if s < 0:
                        s = sig_ids[(sig, gate)] = len(sig_steps)
                        sig_steps.append((sig, gate))
                if distinct:
                    for later in more:
                        t = sig_ids.get((s, later), -1)
                        if t < 0:
                            t = sig_ids[(s, later)] = len(sig_steps)
                            sig_steps.append((s, later))
                        s = t
                seq += 1
                child = (c + hv, seq, c, head, p, step, visited | bit, mask | exposures, s)
                if best is None:
                    best = child
                elif child[0] < best[0]:
                    push(heap, best)
                    best = child
                else:
                    push(heap, child)
            p = None
            if best is not None:
                if not heap or best[0] <= heap[0][0]:
                    p = best
                else:
                    push(heap, best)


_Step = tuple[tuple[int, ...], int, float, int, bool, int, int, tuple[int, ...]]
"""A step of a route as the search reads it: its edge indices (a link, or a transfer and
a link, possibly followed by more such along a chain), head vertex, cost, exposures,
whether it starts with a transfer, bits of the places it enters, the id of the gateway
entry its first link adds to the signature (-1 for none) and those of any later links."""


def _adjacency(g: CommodityGraph) -> tuple[Sequence[list[_Step]], list[tuple[str, str]]]:
    """The steps out of every vertex, and the gateway entries they name (built once per
    graph).

    A transfer is always followed by a link (never by another transfer, and a route ends
    on arriving at any mode copy of its destination), so the search takes the two as one
    step and never holds a partial route that has just transferred.
    """
    idx = search_index(g)
    if idx.adjacency is None:
        node_of, gateway = _vertex_tables(g)
        bit = g.net.node_bits
        gates: dict[tuple[str, str], int] = {}
        tails, heads = g.tails.tolist(), g.heads.tolist()
        costs, masks = g.costs.tolist(), g.exposure_masks.tolist()
        transfers, edge_links = g.transfers.tolist(), g.edge_links.tolist()
        net_links = g.net.links
        links: list[list[tuple[int, int]]] = []
        for out in g.out:
            row: list[tuple[int, int]] = []
            for ei in out:
                if transfers[ei]:
                    continue
                gate = -1
                if gateway[tails[ei]]:
                    entry = (g.vertices[tails[ei]][0], _departure(net_links[edge_links[ei]]))
                    gate = gates.setdefault(entry, len(gates))
                row.append((ei, gate))
            links.append(row)
        steps: list[list[_Step]] = []
        for v, out in enumerate(g.out):
            row_steps: list[_Step] = []
            for ei in out:
                if not transfers[ei]:
                    continue
                for ej, gate in links[heads[ei]]:
                    head = heads[ej]
                    row_steps.append(
                        (
                            (ei, ej),
                            head,
                            costs[ei] + costs[ej],
                            masks[ei] | masks[ej],
                            True,
                            bit[node_of[head]],
                            gate,
                            (),
                        )
                    )
            direct: list[_Step] = [
                ((ei,), heads[ei], costs[ei], masks[ei], False, bit[node_of[heads[ei]]], gate, ())
                for ei, gate in links[v]
            ]
            steps.append(direct + row_steps)
        idx.adjacency = (steps, list(gates))
    return idx.adjacency


class _Steps(NamedTuple):
    """The search's steps out of every vertex, with chains contracted (see :func:`_steps`)."""

    steps: Sequence[list[_Step]]
    plain: Sequence[list[_Step]]
    """The steps before contraction (:func:`_adjacency`)."""
    gates: list[tuple[str, str]]
    """Gateway entries, by the ids the steps use."""
    inside: set[str]
    """Places inside a chain: a query ending there uses the plain steps."""
    dead_ends: dict[str, list[tuple[int, _Step]]]
    """Steps left out because they end where no way leads on, by that place: put back
    (vertex, step) for a query ending there."""
    exits: list[int]
    """Per place (by network index): the places one step leads to, as a bitset (empty on
    networks of more than :data:`UNUSABLE_CHECK_MAX_PLACES` places)."""
    patched: dict[str, Sequence[list[_Step]]]
    """Steps with those into a dead end put back, by that dead end (filled on use)."""

    def to(self, destination: str) -> Sequence[list[_Step]]:
        """The steps for a query ending at ``destination``."""
        if destination in self.inside:  # a chain would run past it
            return self.plain
        back = self.dead_ends.get(destination)
        if not back:
            return self.steps
        steps = self.patched.get(destination)
        if steps is None:
            steps = self.patched[destination] = _Patched(self.steps, back)
        return steps


def _steps(g: CommodityGraph) -> _Steps:
    """:func:`_adjacency` with chains contracted (built once per graph).

    Where a step enters a place that offers exactly one way on other than straight back
    — a border crossing or a junction-free stretch of line — the search has no choice to
    make there: it carries on along the chain in the same step, collecting the edges,
    costs, exposures, places and gateway entries it passes. Any other way on from such a
    place would lead back to a place already visited, so no route is lost. A step into a
    place with no way on but back (a spur to another mine) is dropped. A query whose
    destination lies inside a chain or at such a dead end uses the plain steps.
    """
    idx = search_index(g)
    if idx.steps is not None:
        return idx.steps
    topology = _topology(g)
    key = ("kbest-steps", topology)
    shared = g.net.derived.peek(key)
    with paused_gc():  # millions of tuples, none in a cycle: collecting would only rescan
        if shared is not None:
            idx.steps = _recosted(shared, g, topology)
            idx.adjacency = (idx.steps.plain, idx.steps.gates)
        else:
            idx.steps = g.net.derived.get(key, lambda: _contract(g, *_adjacency(g)))
    return idx.steps


def _topology(g: CommodityGraph) -> str:
    """A digest of what :func:`_steps` reads from ``g`` other than its costs: graphs of one
    network with the same digest (commodities of one class under the same rules) have the
    same steps, only priced differently."""
    import hashlib

    import numpy as np

    digest = hashlib.blake2b(digest_size=16)
    for a in (g.tails, g.heads, g.transfers, g.edge_links, g.exposure_masks):
        digest.update(a.dtype.str.encode())
        digest.update(a.tobytes())
    for table in _vertex_tables(g):
        digest.update(np.asarray(table, dtype=np.int64).tobytes())
    return digest.hexdigest()


def _recosted(shared: _Steps, g: CommodityGraph, topology: str) -> _Steps:
    """The steps of another graph with the topology of ``g``, priced with the costs of
    ``g``: each step's cost summed over its pieces (a link, or a transfer and a link) from
    the first, as :func:`_contract_row` adds them, so the floats are the same as a build's."""
    import numpy as np

    recipe = g.net.derived.get(("kbest-recipe", topology), lambda: _Recipe.of(shared, g))
    costs = g.costs
    piece = costs[recipe.first] + np.where(recipe.second >= 0, costs[recipe.second], 0.0)
    total = np.empty(len(recipe.flat))
    bounds = recipe.bounds
    for k in range(len(bounds) - 1):
        span = slice(bounds[k], bounds[k + 1])
        steps, pieces = recipe.step_by_position[span], recipe.piece_by_position[span]
        if k == 0:
            total[steps] = piece[pieces]
        else:
            total[steps] += piece[pieces]
    cut = recipe.rows
    n = len(shared.steps)
    dead = iter(_priced(recipe.flat[cut[-1] :], total[cut[-1] :]))
    return _Steps(
        _Rows(recipe.flat, cut, total, 0, n),
        _Rows(recipe.flat, cut, total, n, len(cut) - 1 - n),
        shared.gates,
        shared.inside,
        {p: [(v, next(dead)) for v, _ in back] for p, back in shared.dead_ends.items()},
        shared.exits,
        {},
    )


def _priced(flat: Sequence[_Step], total: Any) -> list[_Step]:
    """``flat``'s steps with the costs ``total`` (an array) instead of their own."""
    return [
        (x[0], x[1], c, x[3], x[4], x[5], x[6], x[7])
        for x, c in zip(flat, total.tolist(), strict=True)
    ]


class _LazyRows(Sequence[list[_Step]]):
    """Rows of steps per vertex that a subclass makes in :meth:`_row` when read."""

    __slots__ = ()

    def _row(self, v: int) -> list[_Step]:
        raise NotImplementedError

    @overload
    def __getitem__(self, v: int) -> list[_Step]: ...
    @overload
    def __getitem__(self, v: slice) -> list[list[_Step]]: ...
    def __getitem__(self, v: int | slice) -> list[_Step] | list[list[_Step]]:
        if isinstance(v, slice):
            return [self._row(i) for i in range(*v.indices(len(self)))]
        return self._row(v)


class _Rows(_LazyRows):
    """The recosted steps out of each vertex (:func:`_recosted`), each row made when a
    search first reads it: a search guided by exact costs to go reads few of them, and a
    graph of 100,000 links has about two million steps (80 MB as tuples)."""

    __slots__ = ("_cut", "_first", "_flat", "_made", "_total")

    def __init__(self, flat: list[_Step], cut: list[int], total: Any, first: int, n: int):
        self._flat, self._cut, self._total, self._first = flat, cut, total, first
        self._made: list[list[_Step] | None] = [None] * n

    def __len__(self) -> int:
        return len(self._made)

    def _row(self, v: int) -> list[_Step]:
        row = self._made[v]
        if row is None:
            at = self._first + v
            lo, hi = self._cut[at], self._cut[at + 1]
            row = self._made[v] = _priced(self._flat[lo:hi], self._total[lo:hi])
        return row


class _Patched(_LazyRows):
    """Rows with steps into a dead end put back (:meth:`_Steps.to`), the others read
    from the rows underneath as they are."""

    __slots__ = ("_extra", "_rows")

    def __init__(self, rows: Sequence[list[_Step]], back: list[tuple[int, _Step]]):
        self._rows = rows
        self._extra: dict[int, list[_Step]] = {}
        for v, step in back:
            self._extra.setdefault(v, []).append(step)

    def __len__(self) -> int:
        return len(self._rows)

    def _row(self, v: int) -> list[_Step]:
        extra = self._extra.get(v)
        return self._rows[v] if extra is None else [*self._rows[v], *extra]


class _Recipe(NamedTuple):
    """How the cost of every step of a :class:`_Steps` is summed from edge costs."""

    flat: list[_Step]
    """The steps: those of every vertex, the plain ones of every vertex, the dead ends."""
    rows: list[int]
    """Where each vertex's row starts in ``flat`` (steps, then plain), plus its end."""
    first: Any
    second: Any
    """Per piece: its first edge, and the link after a transfer (-1 for none)."""
    step_by_position: Any
    piece_by_position: Any
    bounds: list[int]
    """Pieces sorted by their position in their step: the step and piece of each; where
    each position starts."""

    @staticmethod
    def of(shared: _Steps, g: CommodityGraph) -> _Recipe:
        import itertools

        import numpy as np

        flat: list[_Step] = []
        rows = [0]
        for row in itertools.chain(shared.steps, shared.plain):
            flat += row
            rows.append(len(flat))
        flat += [x for back in shared.dead_ends.values() for _, x in back]
        sizes = np.fromiter((len(x[0]) for x in flat), dtype=np.int64, count=len(flat))
        edges = np.fromiter(
            itertools.chain.from_iterable(x[0] for x in flat), dtype=np.int64, count=sizes.sum()
        )
        step_of = np.repeat(np.arange(len(flat)), sizes)
        # a piece starts at a step's first edge and after any edge that is not a transfer
        first_of_step = np.zeros(len(edges), dtype=bool)
        first_of_step[np.cumsum(sizes)[:-1]] = True
        if len(edges):
            first_of_step[0] = True
        is_transfer = np.asarray(g.transfers, dtype=bool)[edges]
        begins = first_of_step.copy()
        begins[1:] |= ~is_transfer[:-1]
        at = np.flatnonzero(begins)
        second = np.where(is_transfer[at], edges[np.minimum(at + 1, len(edges) - 1)], -1)
        count = np.cumsum(begins)
        position = count[at] - count[np.flatnonzero(first_of_step)][step_of[at]]
        order = np.argsort(position, kind="stable")
        bounds = np.searchsorted(position[order], np.arange(position.max(initial=0) + 2))
        return _Recipe(
            flat,
            rows,
            edges[at],
            second,
            step_of[at][order],
            order,
            bounds.tolist(),
        )


def _contract(
    g: CommodityGraph, plain: Sequence[list[_Step]], gates: list[tuple[str, str]]
) -> _Steps:
    """The chains of ``plain`` (the steps out of every vertex of ``g``, or of some of its
    edges) contracted, as :func:`_steps` describes."""
    place = _vertex_tables(g)[0]
    nodes = g.net.nodes
    inside: set[int] = set()
    dead_ends: dict[str, list[tuple[int, _Step]]] = {}
    chained: list[list[_Step]] = []
    for v in range(len(plain)):
        out, dead = _contract_row(plain, place, v, inside)
        for at, step in dead:
            dead_ends.setdefault(nodes[at].id, []).append((v, step))
        chained.append(out)
    return _Steps(
        chained, plain, gates, {nodes[i].id for i in inside}, dead_ends, _exits(g, plain), {}
    )


def _contract_row(
    plain: Sequence[list[_Step]], place: list[int], v: int, inside: set[int]
) -> tuple[list[_Step], list[tuple[int, _Step]]]:
    """The steps out of vertex ``v`` with chains contracted, and those dropped as dead ends
    (with the place each ends at); the places passed inside a chain are added to ``inside``."""
    out: list[_Step] = []
    dead: list[tuple[int, _Step]] = []
    for edges, head, cost, exposures, via_transfer, bits, gate, _ in plain[v]:
        more: list[int] = []
        came_from, passed = place[v], {place[v], place[head]}
        while True:
            onward = [x for x in plain[head] if place[x[1]] != came_from]
            if not onward:  # a dead end (a spur to another mine, say)
                break
            if len(onward) != 1 or place[onward[0][1]] in passed:
                break
            nxt = onward[0]
            inside.add(place[head])
            came_from = place[head]
            edges = edges + nxt[0]
            cost += nxt[2]
            exposures |= nxt[3]
            bits |= nxt[5]
            if nxt[6] >= 0:
                more.append(nxt[6])
            head = nxt[1]
            passed.add(place[head])
        step = (edges, head, cost, exposures, via_transfer, bits, gate, tuple(more))
        if onward:
            out.append(step)
        else:
            dead.append((place[head], step))
    return out, dead


def _exits(g: CommodityGraph, plain: Sequence[list[_Step]]) -> list[int]:
    """Per place: the places one of the ``plain`` steps leads to, as a bitset (empty on
    networks of more than :data:`UNUSABLE_CHECK_MAX_PLACES` places)."""
    place = _vertex_tables(g)[0]
    exits = [0] * len(g.net.nodes) if len(g.net.nodes) <= UNUSABLE_CHECK_MAX_PLACES else []
    for v, row in enumerate(plain if exits else ()):
        for x in row:
            exits[place[v]] |= x[5]
    return exits


def _vertex_tables(g: CommodityGraph) -> tuple[list[int], list[bool]]:
    """Per vertex: index of its place in the network, and whether that place is a gateway."""
    idx = search_index(g)
    if idx.vertex_tables is None:
        index, gateway = g.net.node_index, _gateways(g.net)
        idx.vertex_tables = (
            [index[v[0]] for v in g.vertices],
            [gateway[v[0]] for v in g.vertices],
        )
    return idx.vertex_tables


UNUSABLE_CHECK_MAX = 8
"""Places only the earlier route visited are checked one by one for being unusable to the
later one only up to this many; past it, the check would cost more than it saves."""
UNUSABLE_CHECK_MAX_PLACES = 1_024
"""Nor on networks of more places: their sets of places visited are long integers, and on
such networks the check seldom succeeds (measured: it slowed a 100,000-link query by half)."""


def _covers(earlier: int, later: int, exits: list[int]) -> bool:
    """Whether a route that visited the places ``earlier`` can go every way on that one
    that visited ``later`` can: the places only it visited are unusable to the other."""
    extra = earlier & ~later
    return not extra or _unusable(extra, later, exits)


def _any_covers(earlier: list[_Label], later: int, exits: list[int]) -> bool:
    """Whether any of the ``earlier`` partial routes :func:`_covers` the places ``later``."""
    for q in earlier:
        extra = q[6] & ~later
        if not extra or _unusable(extra, later, exits):
            return True
    return False


def _unusable(places: int, visited: int, exits: list[int]) -> bool:
    """Whether no way on from ``visited`` can pass any of ``places``: each leads only to
    places already visited, so a route entering one could not leave it (and none is the
    destination, which ends a route before its places are counted). False, to be safe,
    for more than :data:`UNUSABLE_CHECK_MAX` places, or without ``exits``."""
    if not exits or places.bit_count() > UNUSABLE_CHECK_MAX:
        return False
    free = ~visited
    while places:
        low = places & -places
        if exits[low.bit_length() - 1] & free:
            return False
        places ^= low
    return True


def _dominates(
    q: _Label, p: _Label, pen_bits: dict[int, float], pen_mask: int, exits: list[int]
) -> bool:
    """Whether every completion of ``p`` is matched, no dearer, by one of ``q``."""
    if not _covers(q[6], p[6], exits):
        return False
    extra = p[7] & pen_mask & ~q[7]
    if not extra:
        return q[2] <= p[2]
    return q[2] + sum(price for b, price in pen_bits.items() if extra & b) <= p[2]


def k_best(
    g: CommodityGraph,
    origin: str,
    destination: str,
    k: int,
    penalise: Mapping[str, float] | None = None,
    distinct: bool = True,
    max_labels: int = MAX_LABELS,
    closed: frozenset[str] = frozenset(),
) -> list[Route]:
    """The ``k`` cheapest routes, distinct by gateway signature unless ``distinct`` is False.

    ``closed`` (link ids): links the routes may not use, as if the network had no such links
    (a closure masks the one graph instead of building another: see
    :mod:`corridor.routing.closed`).
    """
    out: list[Route] = []
    seen: set[tuple[tuple[str, str], ...]] = set()
    end = ((destination, "end"),)
    found = _search(g, origin, destination, penalise, max_labels, distinct, closed)
    for label, so_far in found:
        if distinct:
            sig = so_far + end
            if sig in seen:
                continue
            seen.add(sig)
        else:
            sig = signature(g, _path_edges(g, label), origin)
        out.append(_route(g, _label_pieces(g, label), origin, label[7], penalise, sig))
        if len(out) >= k:
            break
    return out


def _label_pieces(g: CommodityGraph, label: _Label) -> list[_Pieces]:
    """The pieces of a route's steps, from the origin."""
    cached = search_index(g).step_pieces.get
    return [cached(step) or _step_pieces(g, step) for step in _steps_taken(label)]
