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

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, overload

import numpy as np

from corridor._derived import Derived, Lazy
from corridor.costs import (
    RAIL_SPEED_SOURCE,
    ZERO,
    Assumptions,
    Metrics,
    arrival_metrics,
    formation_metrics,
    link_metrics,
    rail_days,
    service_of,
    transfer_metrics,
)
from corridor.i18n import Joined, Message, Named, catalogue, family_name
from corridor.network.model import Commodity, Link, Network
from corridor.network.names import place_book, place_name
from corridor.network.regimes import Compliance, compliance

TRANSFER = "transfer"
ALWAYS_FAMILIES = frozenset({"domestic", "japan"})
"""Families whose links a graph limited to some families keeps all the same."""


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


class Edges(Sequence[Edge]):
    """The edges of a commodity graph, made as :class:`Edge` objects when first read.

    The graph keeps its edges as arrays (:attr:`CommodityGraph.tails` and the rest); an
    algorithm that reads only weights and ends never makes the objects, and one that reads
    the edges of a route makes only those.
    """

    __slots__ = ("_g", "_made")

    def __init__(self, g: CommodityGraph) -> None:
        self._g = g
        self._made: list[Edge | None] = [None] * len(g.tails)

    def __len__(self) -> int:
        return len(self._made)

    @overload
    def __getitem__(self, i: int) -> Edge: ...
    @overload
    def __getitem__(self, i: slice) -> list[Edge]: ...
    def __getitem__(self, i: int | slice) -> Edge | list[Edge]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self._made)))]
        e = self._made[i]
        if e is None:
            e = self._made[i] = self._g._make_edge(i if i >= 0 else i + len(self._made))
        return e

    def __iter__(self) -> Iterator[Edge]:
        for i in range(len(self._made)):
            yield self[i]


@dataclass(eq=False)
class CommodityGraph:
    """Expanded graph of one commodity under one set of rules.

    Edges are arrays, one entry per edge: ``tails``, ``heads``, ``costs`` (the search
    weight, USD/t), ``exposure_masks`` (bits of :attr:`exposure_bit`), ``edge_links``
    (index into ``net.links``; -1 for a transfer), ``forwards`` and ``transfers`` (bool);
    :attr:`edges` reads them as :class:`Edge` objects.
    """

    net: Network
    commodity: Commodity
    assumptions: Assumptions
    vertices: list[tuple[str, str]]
    vertex_id: dict[tuple[str, str], int]
    node_vertices: dict[str, list[int]]
    exposure_bit: dict[str, int]
    excluded: Mapping[str, tuple[str, str]]
    """Link id -> (rule, why) it is not in this graph; rule is commodity, family, avoid or
    regime (each reason written when first read)."""
    tails: np.ndarray
    heads: np.ndarray
    costs: np.ndarray
    exposure_masks: np.ndarray
    edge_links: np.ndarray
    forwards: np.ndarray
    transfers: np.ndarray
    edge_nodes: np.ndarray
    """Node index of each edge: a link's head, a transfer's node."""
    onto_rail: np.ndarray
    """Per edge: a transfer that loads onto rail (and waits for a train to be formed)."""
    transfer_costs: dict[int, tuple[Metrics, dict[str, float]]]
    """Node index -> metrics and parts of one plain mode or gauge change there."""
    derived: Derived = field(default_factory=Derived, compare=False, repr=False)
    """What algorithms derive from this graph (search index, arrays), kept with it."""
    edges: Edges = field(init=False, repr=False)
    _out: list[list[int]] | None = field(default=None, init=False, repr=False)
    _links: dict[int, tuple[Metrics, dict[str, float]]] = field(
        default_factory=dict, init=False, repr=False
    )
    _arrivals: dict[int, tuple[Metrics, dict[str, float]]] = field(
        default_factory=dict, init=False, repr=False
    )

    def __post_init__(self) -> None:
        self.edges = Edges(self)
        for a in (self.tails, self.heads, self.costs, self.exposure_masks, self.edge_links):
            a.setflags(write=False)  # shared with every algorithm that reads the graph

    @property
    def out(self) -> list[list[int]]:
        """Per vertex, the indices of its out-edges in increasing order (made once)."""
        if self._out is None:
            order = np.argsort(self.tails, kind="stable")
            bounds = np.searchsorted(self.tails[order], np.arange(len(self.vertices) + 1))
            ids, b = order.tolist(), bounds.tolist()
            self._out = [ids[b[v] : b[v + 1]] for v in range(len(self.vertices))]
        return self._out

    def mask(self, exposure_ids: Iterable[str]) -> int:
        m = 0
        for e in exposure_ids:
            m |= self.exposure_bit[e]
        return m

    def exposures_of(self, mask: int) -> list[str]:
        return [e for e, bit in self.exposure_bit.items() if mask & bit]

    def _make_edge(self, i: int) -> Edge:
        net, c, a = self.net, self.commodity, self.assumptions
        node = net.nodes[int(self.edge_nodes[i])]
        tail, head = int(self.tails[i]), int(self.heads[i])
        exposures, cost = int(self.exposure_masks[i]), float(self.costs[i])
        if self.transfers[i]:
            plain, plain_parts = self.transfer_costs[int(self.edge_nodes[i])]
            metrics, parts = plain, plain_parts
            if self.onto_rail[i]:
                forming, forming_parts = formation_metrics(net, c, a)
                metrics, parts = plain + forming, _merged(plain_parts, forming_parts)
            return Edge(
                tail, head, TRANSFER, node.id, None, True, metrics, parts, ZERO, {}, exposures, cost
            )
        li = int(self.edge_links[i])
        link = net.links[li]
        if li not in self._links:
            self._links[li] = link_metrics(net, link, c, a)
        metrics, parts = self._links[li]
        ni = int(self.edge_nodes[i])
        if ni not in self._arrivals:
            self._arrivals[ni] = arrival_metrics(node, c, a)
        arr, arr_parts = self._arrivals[ni]
        return Edge(
            tail,
            head,
            "link",
            node.id,
            link,
            bool(self.forwards[i]),
            metrics,
            parts,
            arr,
            arr_parts,
            exposures,
            cost,
        )


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
        family = Named(family_name(link.family), family_name(link.family, "ja"))
        return "family", Message("why_family", link=link_text(net, link), family=family)
    cargo = cargo_text(commodity.cargo_class)
    if commodity.cargo_class not in link.cargo_classes:
        return "commodity", Message("why_cargo", link=link_text(net, link), cargo=cargo)
    if link.mode not in commodity.allowed_modes:
        what = Named(commodity.name_en or commodity.id, commodity.name_ja)
        mode = Message(f"mode_{link.mode}")
        return "commodity", Message(
            "why_mode", commodity=what, mode=mode, link=link_text(net, link)
        )
    for end in (link.from_, link.to):
        node = net.node(end)
        if commodity.cargo_class not in node.cargo_classes:
            where = Named(place_name(node), place_name(node, "ja"))
            return "commodity", Message("why_node", node=where, cargo=cargo)
    ends = (net.node(link.from_).country, net.node(link.to).country)
    hit = [e for e in (*link.countries, *link.chokepoints) if e in avoid]
    hit += [c for c in ends if c in avoid]
    if hit:
        names = Joined(", ", [exposure_text(net, e) for e in sorted(set(hit))], "、")
        return "avoid", Message("why_avoid", link=link_text(net, link), hit=names)
    if blocked:
        for e in dict.fromkeys((*link.countries, *link.chokepoints, *ends)):
            if e in blocked:
                why = Message(
                    "why_regime",
                    link=link_text(net, link),
                    exposure=exposure_text(net, e),
                    regime=blocked[e],
                )
                return "regime", why
    return None


def _why_out(rules: tuple[Any, ...], link: Link) -> tuple[str, str]:
    """The rule that keeps ``link`` out of a graph built under ``rules`` (:func:`link_exclusion`'s
    arguments after the link), and why."""
    why = link_exclusion(link, *rules)
    if why is None:  # pragma: no cover - the arrays and the rules disagree
        raise RuntimeError(f"link {link.id}: left out of the graph by no rule")
    return why


def link_text(net: Network, link: Link) -> Message:
    """A link as people name it, its ends and mode ("Bolashak → Bereket by rail"); its id
    is kept as the value ``link_id`` (see :func:`corridor.i18n.values_of`)."""
    names = place_book(net).names
    return Message(
        "link_between",
        a=Named(*names[link.from_]),
        b=Named(*names[link.to]),
        mode=Message(f"mode_{link.mode}"),
        link_id=link.id,
    )


def cargo_text(cargo_class: str) -> Named:
    """A cargo class by name ("class 7"; its Japanese name in Japanese)."""
    key = f"cargo_{cargo_class}"
    return Named(catalogue("en").get(key, cargo_class), catalogue("ja").get(key, ""))


def exposure_text(net: Network, exposure: str) -> Named:
    """A country or chokepoint by name, in English and in Japanese (the id if unnamed)."""
    if not net.has("exposures", exposure):
        return Named(exposure)
    e = net.exposure(exposure)
    return Named(e.name_en or exposure, e.name_ja)


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
    return _build(net, commodity, assumptions, avoid, families, blocked)


@dataclass(frozen=True, eq=False)
class _Tables:
    """The columns of the link and node tables a graph build reads, made once per network."""

    frm: np.ndarray
    to: np.ndarray
    mode: np.ndarray
    modes: tuple[str, ...]
    mode_key: np.ndarray
    mode_keys: tuple[str, ...]
    family: np.ndarray
    families: tuple[str, ...]
    bidirectional: np.ndarray
    freight: np.ndarray
    """Tariff plus tariff per t-km times distance (USD/t, before the commodity's factors)."""
    war_pct: np.ndarray
    """Sum of the war-risk rates (%) of the link's chokepoints."""
    transit: np.ndarray
    co2e: np.ndarray
    """kg CO2e per tonne along the link."""
    exposures: np.ndarray
    """Bits of the link's countries and chokepoints and of its two ends' countries."""
    rail_country: np.ndarray
    """Index into ``countries`` of a rail link within one country (tariff multiples), -1
    for any other link."""
    countries: tuple[str, ...]
    speed_sourced: np.ndarray
    """Rail links whose transit comes from a speed (service classes recompute it)."""
    node_border: np.ndarray
    node_dwell_days: np.ndarray
    cargo: dict[str, tuple[np.ndarray, np.ndarray]]
    """Cargo class -> (links, nodes) that carry it (filled as classes are asked)."""
    timed: dict[str, np.ndarray]
    """Rail service class -> mean transit days of every link under it (filled as asked)."""


def _tables(net: Network) -> _Tables:
    return net.derived.get(("graph tables",), lambda: _make_tables(net))


def _codes(values: list[str]) -> tuple[np.ndarray, tuple[str, ...]]:
    names: dict[str, int] = {}
    codes = np.fromiter((names.setdefault(v, len(names)) for v in values), np.int64, len(values))
    return codes, tuple(names)


def _make_tables(net: Network) -> _Tables:
    links, index = net.links, net.node_index
    n = len(links)
    bit = {e.id: 1 << i for i, e in enumerate(net.exposures)}
    dtype: Any = np.int64 if len(bit) < 63 else object
    country_bit = np.array([bit[x.country] for x in net.nodes], dtype=dtype)
    frm = np.fromiter((index[x.from_] for x in links), np.int64, n)
    to = np.fromiter((index[x.to] for x in links), np.int64, n)
    own = np.empty(n, dtype=dtype)
    for i, x in enumerate(links):
        m = 0
        for e in x.countries:
            m |= bit[e]
        for e in x.chokepoints:
            m |= bit[e]
        own[i] = m
    mode, modes = _codes([x.mode for x in links])
    mode_key, mode_keys = _codes([x.mode_key for x in links])
    family, families = _codes([x.family for x in links])
    one = [x.countries[0] if x.mode == "rail" and len(set(x.countries)) == 1 else "" for x in links]
    rail_country, countries = _codes(one)
    if "" in countries:
        blank = countries.index("")
        rail_country[rail_country == blank] = -1
    war = {e.id: e.war_risk_pct for e in net.exposures}
    ef = {e.id: e.co2e_g_per_tkm for e in net.emission_factors}
    f = np.fromiter(
        (x.tariff_usd_per_t + x.tariff_usd_per_tkm * x.distance_km for x in links), float, n
    )
    return _Tables(
        frm,
        to,
        mode,
        modes,
        mode_key,
        mode_keys,
        family,
        families,
        np.fromiter((x.bidirectional for x in links), bool, n),
        f,
        np.fromiter((sum(war[c] for c in x.chokepoints) for x in links), float, n),
        np.fromiter((x.transit_days for x in links), float, n),
        np.fromiter((ef[x.emission_factor] * x.distance_km / 1000.0 for x in links), float, n),
        own | country_bit[frm] | country_bit[to],
        rail_country,
        countries,
        np.fromiter(
            (
                x.mode == "rail" and RAIL_SPEED_SOURCE in x.sources.get("transit_days", ())
                for x in links
            ),
            bool,
            n,
        ),
        np.fromiter((x.border_fee_usd_per_t for x in net.nodes), float, len(net.nodes)),
        np.fromiter((x.dwell_hours / 24.0 for x in net.nodes), float, len(net.nodes)),
        {},
        {},
    )


def _carries(net: Network, t: _Tables, cargo: str) -> tuple[np.ndarray, np.ndarray]:
    """Links and nodes that carry ``cargo``."""
    if cargo not in t.cargo:
        t.cargo[cargo] = (
            np.fromiter((cargo in x.cargo_classes for x in net.links), bool, len(net.links)),
            np.fromiter((cargo in x.cargo_classes for x in net.nodes), bool, len(net.nodes)),
        )
    return t.cargo[cargo]


def _transit(net: Network, t: _Tables, c: Commodity, a: Assumptions) -> np.ndarray:
    """Mean transit days of every link under the shipment's rail service class (made once
    per class: they depend on it alone)."""
    service = service_of(net, c, a)
    if not service:
        return t.transit
    if service not in t.timed:
        days = t.transit.copy()
        for i in np.flatnonzero(t.speed_sourced).tolist():
            days[i] = rail_days(net, net.links[i], c, a)[0]
        t.timed[service] = days
    return t.timed[service]


def _bits_of(ids: Iterable[str], bit: Mapping[str, int]) -> int:
    m = 0
    for e in ids:
        m |= bit.get(e, 0)
    return m


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
    fam = frozenset(families) | ALWAYS_FAMILIES if families else frozenset()
    t = _tables(net)
    c = commodity
    bit = {e.id: 1 << i for i, e in enumerate(net.exposures)}
    # which links a rule leaves out, over the table; each one's reason from link_exclusion
    link_ok, node_ok = _carries(net, t, c.cargo_class)
    bad = ~link_ok | ~node_ok[t.frm] | ~node_ok[t.to]
    bad |= ~np.isin(t.mode, [i for i, m in enumerate(t.modes) if m in c.allowed_modes])
    if fam:
        bad |= ~np.isin(t.family, [i for i, f in enumerate(t.families) if f in fam])
    hit = _bits_of(avoid_set, bit) | _bits_of(blocked or (), bit)
    if hit:
        bad |= (t.exposures & hit) != 0
    left_out = [net.links[i] for i in np.flatnonzero(bad).tolist()]
    # The links left out, each with its rule and reason written when first read (a search
    # reads none; a route that cannot be found a few); which are out is the build's, the
    # reasons follow the same rules (tests/graph holds the two to the same links).
    rules = (c, net, avoid_set, fam, dict(blocked or {}))
    excluded = Lazy({x.id: x for x in left_out}, partial(_why_out, rules))
    use = np.flatnonzero(~bad)
    # link costs (the operations of link_metrics, in its order, so the same floats)
    rtf = np.ones(len(use))
    rc = t.rail_country[use]
    if len(t.countries):
        factors = np.array([c.rail_tariff_factors.get(x, 1.0) for x in t.countries])
        rtf[rc >= 0] = factors[rc[rc >= 0]]
    freight = t.freight[use] * (c.freight_factor * rtf)
    war = t.war_pct[use] / 100.0 * (c.value_usd_per_t * a.insured_value_factor)
    days = _transit(net, t, c, a)[use]
    carry = c.value_usd_per_t * a.carrying_pct_per_year / 100.0
    inventory = carry * days / 365.0
    carbon = a.carbon_price_usd_per_t * t.co2e[use] / 1000.0
    link_cost = freight + war + inventory + carbon
    arrival_cost = t.node_border + carry * t.node_dwell_days / 365.0
    # vertices: one per (node, mode key), numbered in the order links first reach them
    n_keys = len(t.mode_keys)
    mk = t.mode_key[use]
    frm, to = t.frm[use], t.to[use]
    seq = np.column_stack((frm * n_keys + mk, to * n_keys + mk)).ravel()
    keys, first, inverse = np.unique(seq, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty(len(keys), dtype=np.int64)
    rank[order] = np.arange(len(keys))
    ends = rank[inverse.ravel()].reshape(-1, 2)
    v_key = keys[order]
    v_node, v_mode = (v_key // n_keys).tolist(), (v_key % n_keys).tolist()
    node_ids = [x.id for x in net.nodes]
    vertices = [(node_ids[i], t.mode_keys[m]) for i, m in zip(v_node, v_mode, strict=True)]
    node_vertices: dict[str, list[int]] = {}
    for v, (nid, _) in enumerate(vertices):
        node_vertices.setdefault(nid, []).append(v)
    # link edges: each usable link forward, then back if it is two-way
    two_way = t.bidirectional[use]
    keep = np.column_stack((np.ones(len(use), bool), two_way)).ravel()
    tails = np.column_stack((ends[:, 0], ends[:, 1])).ravel()[keep]
    heads = np.column_stack((ends[:, 1], ends[:, 0])).ravel()[keep]
    head_node = np.column_stack((to, frm)).ravel()[keep]
    costs = np.repeat(link_cost, 2)[keep] + arrival_cost[head_node]
    masks = np.repeat(t.exposures[use], 2)[keep]
    edge_links = np.repeat(use, 2)[keep]
    forwards = np.tile(np.array([True, False]), len(use))[keep]
    # transfers between the copies of a node
    tr_tail: list[int] = []
    tr_head: list[int] = []
    tr_node: list[int] = []
    tr_cost: list[float] = []
    tr_mask: list[int] = []
    tr_rail: list[bool] = []
    transfer_costs: dict[int, tuple[Metrics, dict[str, float]]] = {}
    forming, _ = formation_metrics(net, c, a)
    index = net.node_index
    for node_id, vids in node_vertices.items():
        if len(vids) < 2:
            continue
        ni = index[node_id]
        node = net.nodes[ni]
        transfer_costs[ni] = transfer_metrics(node, c, a)
        plain = transfer_costs[ni][0]
        nbit = bit[node.country]
        for u in vids:
            for v in vids:
                if u != v:
                    # Loading onto rail from another mode waits for a train (services.csv
                    # formation); a gauge change moves a train's load onto a waiting train.
                    onto = vertices[v][1].startswith("rail") and not vertices[u][1].startswith(
                        "rail"
                    )
                    tr_tail.append(u)
                    tr_head.append(v)
                    tr_node.append(ni)
                    tr_cost.append((plain + forming if onto else plain).cost_usd_per_t)
                    tr_mask.append(nbit)
                    tr_rail.append(onto)
    n_link, n_tr = len(tails), len(tr_tail)
    return CommodityGraph(
        net,
        c,
        a,
        vertices,
        {key: v for v, key in enumerate(vertices)},
        node_vertices,
        bit,
        excluded,
        np.concatenate((tails, np.array(tr_tail, dtype=np.int64))),
        np.concatenate((heads, np.array(tr_head, dtype=np.int64))),
        np.concatenate((costs, np.array(tr_cost, dtype=float))),
        np.concatenate((masks, np.array(tr_mask, dtype=masks.dtype))),
        np.concatenate((edge_links, np.full(n_tr, -1, dtype=np.int64))),
        np.concatenate((forwards, np.ones(n_tr, bool))),
        np.concatenate((np.zeros(n_link, bool), np.ones(n_tr, bool))),
        np.concatenate((head_node, np.array(tr_node, dtype=np.int64))),
        np.concatenate((np.zeros(n_link, bool), np.array(tr_rail, dtype=bool))),
        transfer_costs,
    )


def _merged(a: dict[str, float], b: dict[str, float]) -> dict[str, float]:
    out = dict(a)
    for k, v in b.items():
        out[k] = out.get(k, 0.0) + v
    return out
