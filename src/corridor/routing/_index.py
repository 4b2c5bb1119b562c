"""What routing derives from a commodity graph, typed and kept with the graph.

The graph is the commodity's data; the search's tables (costs to go, steps with chains
contracted, priced pieces per edge and step, the meaning of each exposure set) belong to
routing and live in one :class:`SearchIndex` in the graph's derived slot. The numbering of
the sources table is per network (:class:`SourceBits`), so a route's detail can be put
together from its pieces without holding the graph.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from corridor._derived import Derived
from corridor.graph import CommodityGraph
from corridor.network.model import Network

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

    from corridor.routing.kbest import _Steps
    from corridor.routing.pricing import _Exposed, _Pieces


@dataclass(eq=False)
class SearchIndex:
    """Routing's tables of one commodity graph, each filled on first use."""

    cost_to_go: dict[str, list[float]] = field(default_factory=dict)
    """Destination node id -> least cost from every vertex to it."""
    all_pairs: list[list[float]] | None = None
    """Least cost between every pair of vertices (small graphs only)."""
    reverse_matrix: csr_matrix | None = None
    reverse_lists: list[list[tuple[int, float]]] | None = None
    """In-edges of every vertex as (tail, cost), for the plain search of small graphs."""
    adjacency: tuple[Sequence[list[Any]], list[tuple[str, str]]] | None = None
    """Steps out of every vertex as plain tuples, and the gateway entries they name."""
    steps: _Steps | None = None
    """The steps with chains of one-way places contracted."""
    vertex_tables: tuple[list[int], list[bool]] | None = None
    """Place index and gateway flag per vertex."""
    edge_pieces: dict[int, _Pieces] = field(default_factory=dict)
    """Priced legs and provenance of each edge (by the edge's identity)."""
    step_pieces: dict[tuple[int, ...], _Pieces] = field(default_factory=dict)
    """The same for each step of the search (by its edge indices)."""
    exposed: dict[int, _Exposed] = field(default_factory=dict)
    """Exposure bitmask -> the exposures' records, sources and risk."""
    commodity_terms: tuple[int, float] | None = None
    """Sources of the commodity's value, insurance and freight terms, and its insurance."""
    closures: Derived = field(default_factory=lambda: Derived(CLOSURES_KEPT))
    """Frozen set of closed link ids -> the search's tables with those links closed
    (:class:`corridor.routing.closed.Closure`; the last :data:`CLOSURES_KEPT` kept), and
    under ``("walks",)`` what contracting the whole graph's steps read."""

    def release(self) -> None:
        """Drop the tables a search builds again on demand (see
        :func:`corridor.routing.kbest.release_search_tables`)."""
        self.reverse_matrix = self.reverse_lists = self.adjacency = None
        self.steps = None
        self.vertex_tables = None
        self.step_pieces = {}
        self.closures = Derived(CLOSURES_KEPT)


CLOSURES_KEPT = 128
"""Closures whose tables a graph keeps (the oldest go first)."""


def search_index(g: CommodityGraph) -> SearchIndex:
    """The search index of ``g`` (made empty on first use, then filled as searches need)."""
    return g.derived.get(SearchIndex, SearchIndex)


class SourceBits:
    """The sources table of one network as bits: routes OR their sources as integers and
    turn them back into sorted ids when their detail is read."""

    def __init__(self, net: Network) -> None:
        self.ids = tuple(x.id for x in net.sources)
        self.numbering = {sid: i for i, sid in enumerate(self.ids)}
        self._sorted: dict[int, tuple[str, ...]] = {}

    def bits(self, ids: Any) -> int:
        out = 0
        for sid in ids:
            out |= 1 << self.numbering[sid]
        return out

    def sorted_ids(self, bits: int) -> tuple[str, ...]:
        cached = self._sorted.get(bits)
        if cached is None:
            cached = tuple(sorted(s for i, s in enumerate(self.ids) if bits >> i & 1))
            self._sorted[bits] = cached
        return cached


def source_bits(net: Network) -> SourceBits:
    """The :class:`SourceBits` of ``net`` (built once per network)."""
    return net.derived.get(SourceBits, lambda: SourceBits(net))
