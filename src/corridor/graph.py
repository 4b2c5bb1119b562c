"""The commodity view: an expanded graph whose edges carry every cost a route incurs.

Each node has one copy (vertex) per mode and gauge of its usable incident links. A link is
an edge between copies of the same mode; a **transfer** (mode or gauge change) is an edge
between two copies of one node; the dwell and dues of **arriving** at a node are added to
the edges that arrive there. One shortest-path search then prices transfers, gauge changes
and borders without special cases (the "virtual network" of NODUS).

Avoid rules, and the exposures a buyer's sanctions regimes exclude, are applied here as hard
filters; the reason each element was left out is kept, so that a request with no route can say
what blocks it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from corridor._derived import Derived
from corridor.costs import (
    ZERO,
    Assumptions,
    Metrics,
    arrival_metrics,
    formation_metrics,
    link_metrics,
    transfer_metrics,
)
from corridor.i18n import Joined, Message, Named
from corridor.network.model import Commodity, Link, Network, Node
from corridor.network.names import place_name
from corridor.network.regimes import Compliance, compliance

TRANSFER = "transfer"


@dataclass(frozen=True, slots=True)
class Edge:
    """One edge of the expanded graph.

    ``kind`` is ``"link"`` (then ``link`` and ``forward`` say which link, which way) or
    ``"transfer"`` (a mode/gauge change at ``node``). ``parts`` is the cost breakdown.
    """

    tail: int
    head: int
    kind: str
    node: str
    link: Link | None
    forward: bool
    metrics: Metrics
    parts: dict[str, float]
    arrival: Metrics
    arrival_parts: dict[str, float]
    exposures: int
    cost: float
    """Cost of the edge and of arriving at its head (USD/t), the search weight."""


@dataclass
class CommodityGraph:
    """Expanded graph of one commodity under one set of rules."""

    net: Network
    commodity: Commodity
    assumptions: Assumptions
    vertices: list[tuple[str, str]] = field(default_factory=list)
    vertex_id: dict[tuple[str, str], int] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    out: list[list[int]] = field(default_factory=list)
    node_vertices: dict[str, list[int]] = field(default_factory=dict)
    exposure_bit: dict[str, int] = field(default_factory=dict)
    excluded: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Link id -> (rule, why) it is not in this graph; rule is commodity, family, avoid or
    regime."""
    derived: Derived = field(default_factory=Derived, compare=False, repr=False)
    """What algorithms derive from this graph (search index, arrays), kept with it."""

    def vertex(self, node_id: str, mode_key: str) -> int:
        key = (node_id, mode_key)
        vid = self.vertex_id.get(key)
        if vid is None:
            vid = len(self.vertices)
            self.vertices.append(key)
            self.vertex_id[key] = vid
            self.out.append([])
            self.node_vertices.setdefault(node_id, []).append(vid)
        return vid

    def mask(self, exposure_ids: Iterable[str]) -> int:
        m = 0
        for e in exposure_ids:
            m |= self.exposure_bit[e]
        return m

    def exposures_of(self, mask: int) -> list[str]:
        return [e for e, bit in self.exposure_bit.items() if mask & bit]


def link_exclusion(
    link: Link,
    commodity: Commodity,
    net: Network,
    avoid: frozenset[str],
    families: frozenset[str],
    blocked: Mapping[str, str] | None = None,
) -> tuple[str, str] | None:
    """Which rule keeps ``link`` from carrying ``commodity``, and why; None if none does.

    ``blocked`` maps exposure ids a buyer's regimes exclude to the reason (the regime).
    """
    if families and link.family not in families:
        return "family", Message("why_family", link=link.id, family=link.family)
    if commodity.cargo_class not in link.cargo_classes:
        return "commodity", Message("why_cargo", link=link.id, cargo=commodity.cargo_class)
    if link.mode not in commodity.allowed_modes:
        what = Named(commodity.id, commodity.name_ja)
        return "commodity", Message("why_mode", commodity=what, mode=link.mode, link=link.id)
    for end in (link.from_, link.to):
        node = net.node(end)
        if commodity.cargo_class not in node.cargo_classes:
            where = Named(end, place_name(node, "ja"))
            return "commodity", Message("why_node", node=where, cargo=commodity.cargo_class)
    ends = (net.node(link.from_).country, net.node(link.to).country)
    hit = [e for e in (*link.countries, *link.chokepoints) if e in avoid]
    hit += [c for c in ends if c in avoid]
    if hit:
        names = Joined(", ", [_exposure(net, e) for e in sorted(set(hit))])
        return "avoid", Message("why_avoid", link=link.id, hit=names)
    if blocked:
        for e in dict.fromkeys((*link.countries, *link.chokepoints, *ends)):
            if e in blocked:
                why = Message(
                    "why_regime", link=link.id, exposure=_exposure(net, e), regime=blocked[e]
                )
                return "regime", why
    return None


def _exposure(net: Network, exposure: str) -> Named:
    """An exposure id that reads as its Japanese name in Japanese."""
    ja = net.exposure(exposure).name_ja if net.has("exposures", exposure) else ""
    return Named(exposure, ja)


def buyer_compliance(net: Network, commodity: str, buyer: str | None = None) -> Compliance:
    """What the buyer's regimes in force today mean for routes of ``commodity`` (see
    :func:`corridor.network.regimes.compliance`; ``None`` is the default profile), kept with
    the network.

    Raises
    ------
    RequestError
        For an unknown buyer id or commodity.
    """
    cargo = net.commodity(commodity).cargo_class
    return net.derived.get(
        ("compliance", cargo, buyer),
        lambda: compliance(net.regimes, net.buyer_profiles(), buyer, cargo),
    )


def commodity_graph(
    net: Network,
    commodity: str,
    assumptions: Assumptions | None = None,
    avoid: Iterable[str] = (),
    families: Iterable[str] = (),
    buyer: str | None = None,
    blocked: Mapping[str, str] | None = None,
) -> CommodityGraph:
    """The expanded graph of ``commodity`` on ``net`` under these rules, built once and kept
    with the network (see :func:`build_graph` for the parameters).

    The links the buyer's excluding regimes forbid are left out (``buyer`` None: the default
    profile); ``blocked`` gives those exclusions directly instead (exposure id -> why).
    """
    a = assumptions or Assumptions()
    if blocked is None:
        blocked = buyer_compliance(net, commodity, buyer).excluded
    rules = frozenset(blocked.items())
    key = ("graph", commodity, a, frozenset(avoid), frozenset(families), rules)
    return net.derived.get(
        key, lambda: build_graph(net, net.commodity(commodity), a, avoid, families, dict(rules))
    )


def build_graph(
    net: Network,
    commodity: Commodity,
    assumptions: Assumptions | None = None,
    avoid: Iterable[str] = (),
    families: Iterable[str] = (),
    blocked: Mapping[str, str] | None = None,
) -> CommodityGraph:
    """Build the expanded graph of ``commodity`` on ``net``.

    Parameters
    ----------
    avoid : ids of exposures (countries, chokepoints) no route may touch.
    families : if given, only links of these route families (plus ``domestic``) are used.
    blocked : exposure id -> why a buyer's regime excludes it (:mod:`corridor.network.regimes`);
        links touching one are left out, like an avoided exposure.
    """
    # Building makes two objects per edge and no garbage: the cyclic collector, run every
    # few hundred allocations, would rescan them all (40 % of the time at 100,000 links).
    paused = gc.isenabled()
    gc.disable()
    try:
        return _build(net, commodity, assumptions, avoid, families, blocked)
    finally:
        if paused:
            gc.enable()


def _build(
    net: Network,
    commodity: Commodity,
    assumptions: Assumptions | None,
    avoid: Iterable[str],
    families: Iterable[str],
    blocked: Mapping[str, str] | None,
) -> CommodityGraph:
    a = assumptions or Assumptions()
    avoid_set = frozenset(avoid)
    fam = frozenset(families) | {"domestic", "japan"} if families else frozenset()
    g = CommodityGraph(net, commodity, a)
    for i, e in enumerate(x.id for x in net.exposures):
        g.exposure_bit[e] = 1 << i
    usable: list[Link] = []
    for link in net.links:
        why = link_exclusion(link, commodity, net, avoid_set, fam, blocked)
        if why is None:
            usable.append(link)
        else:
            g.excluded[link.id] = why
    arrivals: dict[str, tuple[Metrics, dict[str, float]]] = {}

    def arrival(node: Node) -> tuple[Metrics, dict[str, float]]:
        if node.id not in arrivals:
            arrivals[node.id] = arrival_metrics(node, commodity, a)
        return arrivals[node.id]

    for link in usable:
        metrics, parts = link_metrics(net, link, commodity, a)
        ends = [(link.from_, link.to, True)]
        if link.bidirectional:
            ends.append((link.to, link.from_, False))
        for tail_id, head_id, forward in ends:
            tail = g.vertex(tail_id, link.mode_key)
            head = g.vertex(head_id, link.mode_key)
            head_node = net.node(head_id)
            arr, arr_parts = arrival(head_node)
            exposures = g.mask(
                (*link.countries, *link.chokepoints, net.node(tail_id).country, head_node.country)
            )
            g.out[tail].append(len(g.edges))
            g.edges.append(
                Edge(
                    tail,
                    head,
                    "link",
                    head_id,
                    link,
                    forward,
                    metrics,
                    parts,
                    arr,
                    arr_parts,
                    exposures,
                    metrics.cost_usd_per_t + arr.cost_usd_per_t,
                )
            )
    forming, forming_parts = formation_metrics(net, commodity, a)
    for node_id, vids in list(g.node_vertices.items()):
        if len(vids) < 2:
            continue
        node = net.node(node_id)
        plain, plain_parts = transfer_metrics(node, commodity, a)
        bit = g.mask((node.country,))
        for u in vids:
            for v in vids:
                if u != v:
                    # Loading onto rail from another mode waits for a train (services.csv
                    # formation); a gauge change moves a train's load onto a waiting train.
                    onto_rail = g.vertices[v][1].startswith("rail") and not g.vertices[u][
                        1
                    ].startswith("rail")
                    metrics = plain + forming if onto_rail else plain
                    parts = _merged(plain_parts, forming_parts) if onto_rail else plain_parts
                    g.out[u].append(len(g.edges))
                    g.edges.append(
                        Edge(
                            u,
                            v,
                            TRANSFER,
                            node_id,
                            None,
                            True,
                            metrics,
                            parts,
                            ZERO,
                            {},
                            bit,
                            metrics.cost_usd_per_t,
                        )
                    )
    return g


def _merged(a: dict[str, float], b: dict[str, float]) -> dict[str, float]:
    out = dict(a)
    for k, v in b.items():
        out[k] = out.get(k, 0.0) + v
    return out
