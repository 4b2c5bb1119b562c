"""Pricing a route from the edges it takes: legs, totals, exposures and sources.

The search sums totals only; a route's detail (places, legs, countries, sources, line) is
merged from its pieces when first read. Pieces are kept per edge and per search step in the
graph's :class:`~corridor.routing._index.SearchIndex`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import partial, reduce
from itertools import chain
from operator import or_

from corridor.costs import Metrics, insurance_usd_per_t, p95_of_sum
from corridor.graph import TRANSFER, CommodityGraph, Edge
from corridor.i18n import localise
from corridor.network.model import Link, Network
from corridor.network.names import (
    PlaceBook,
    dwell_text,
    place_book,
    service_text,
    transfer_text,
)
from corridor.routing._index import SourceBits, search_index, source_bits
from corridor.routing.route import Leg, Risk, Route, RouteDetail

GATEWAY_KINDS = frozenset(
    {"border_crossing", "seaport", "ferry_terminal", "oil_terminal", "destination_port"}
)
"""Kinds of place a route's signature names: where genuinely different routes part."""


@dataclass(frozen=True, slots=True)
class _Pieces:
    """What an edge, or a run of edges, contributes to a route: its legs and their sums,
    provenance, the places it arrives at and the lines it draws."""

    legs: tuple[Leg, ...]
    totals: tuple[float, float, float, float, float]
    """Sums over the legs: cost, days, variance of the days, CO2e, distance."""
    sources: int
    """Source ids behind the figures, as a bitset over :func:`_source_bits`' numbering."""
    nodes: tuple[str, ...]
    """Places arrived at by link, in order."""
    countries: tuple[str, ...]
    chokepoints: tuple[str, ...]
    geometry: tuple[tuple[tuple[float, float], ...], ...]
    """One line per link."""
    families: frozenset[str]
    """Route families of the links, less ``domestic`` and ``japan``."""


_NOT_A_FAMILY = frozenset({"domestic", "japan"})


def _merge(pieces: list[_Pieces], sources: int = 0, country: tuple[str, ...] = ()) -> _Pieces:
    """The pieces of a run of edges, one after the other (plus ``sources`` and a
    ``country`` of departure)."""
    return _Pieces(
        tuple(chain.from_iterable([p.legs for p in pieces])),
        _totals(pieces),
        reduce(or_, [p.sources for p in pieces], sources),
        tuple(chain.from_iterable([p.nodes for p in pieces])),
        tuple(dict.fromkeys(chain(country, *[p.countries for p in pieces]))),
        tuple(dict.fromkeys(chain.from_iterable([p.chokepoints for p in pieces]))),
        tuple(chain.from_iterable([p.geometry for p in pieces])),
        frozenset().union(*[p.families for p in pieces]),
    )


def _totals(pieces: list[_Pieces]) -> tuple[float, float, float, float, float]:
    """The sums of pieces' totals: cost, days, variance of the days, CO2e, distance."""
    if not pieces:
        return (0.0, 0.0, 0.0, 0.0, 0.0)
    cost, days, var, co2e, km = [sum(x) for x in zip(*[p.totals for p in pieces], strict=True)]
    return cost, days, var, co2e, km


def _step_pieces(g: CommodityGraph, step: tuple[int, ...]) -> _Pieces:
    """:func:`_pieces` of one step of the search (cached by its edge indices)."""
    known = search_index(g).step_pieces
    cached = known.get(step)
    if cached is None:
        edges = g.edges
        cached = known[step] = _merge([_pieces(g, edges[i]) for i in step])
    return cached


def _edge_pieces(g: CommodityGraph, edges: list[Edge]) -> list[_Pieces]:
    """:func:`_pieces` of each edge (the graph's cache looked up once)."""
    known = search_index(g).edge_pieces
    return [known.get(id(e)) or _pieces(g, e) for e in edges]


def _pieces(g: CommodityGraph, e: Edge) -> _Pieces:
    known = search_index(g).edge_pieces
    cached = known.get(id(e))
    if cached is not None:
        return cached
    net = g.net
    node = net.node(e.node)
    if e.kind == TRANSFER:
        modes = (g.vertices[e.tail][1], g.vertices[e.head][1])
        legs = [
            _leg("transfer", e.node, "transfer", "", e.metrics, e.parts, transfer_text(modes, node))
        ]
        out = _Pieces(
            tuple(legs),
            _sums(legs),
            _source_bits(g, _row_sources(node.sources, ("handling",))),
            (),
            (),
            (),
            (),
            frozenset(),
        )
        known[id(e)] = out
        return out
    link = e.link
    assert link is not None
    legs = [
        _leg(
            "link",
            g.vertices[e.tail][0],
            link.mode,
            link.id,
            e.metrics,
            e.parts,
            service_text(link),
            to=e.node,
        )
    ]
    sources = {s for ids in link.sources.values() for s in ids}
    factor = net.emission_factor(link.emission_factor)
    sources.update(s for ids in factor.sources.values() for s in ids)
    if e.arrival.cost_usd_per_t or e.arrival.days_mean:
        legs.append(
            _leg("dwell", e.node, "dwell", "", e.arrival, e.arrival_parts, dwell_text(node))
        )
        sources.update(_row_sources(node.sources, ("dwell", "border_fee")))
    out = _Pieces(
        tuple(legs),
        _sums(legs),
        _source_bits(g, sources),
        (e.node,),
        (*link.countries, node.country),
        link.chokepoints,
        (link.geometry if e.forward else tuple(reversed(link.geometry)),),
        frozenset({link.family}) - _NOT_A_FAMILY,
    )
    known[id(e)] = out
    return out


def _sums(legs: list[Leg]) -> tuple[float, float, float, float, float]:
    return (
        sum(leg.cost_usd_per_t for leg in legs),
        sum(leg.days_mean for leg in legs),
        sum(leg.days_var for leg in legs),
        sum(leg.co2e_kg_per_t for leg in legs),
        sum(leg.distance_km for leg in legs),
    )


@dataclass(frozen=True)
class _Exposed:
    """What a set of exposures means for a route: records, sources and risk."""

    ids: tuple[str, ...]
    sources: int
    risk: Risk


def _exposed(g: CommodityGraph, mask: int) -> _Exposed:
    known = search_index(g).exposed
    cached = known.get(mask)
    if cached is not None:
        return cached
    exposures = [g.net.exposure(x) for x in g.exposures_of(mask)]
    sources = _source_bits(g, (s for x in exposures for ids in x.sources.values() for s in ids))
    by_exposure = {x.id: x.disrupted_days_per_year for x in exposures}
    rate = sum(x.events_per_year for x in exposures)
    risk = Risk(1.0 - math.exp(-rate), sum(by_exposure.values()), by_exposure)
    out = _Exposed(tuple(x.id for x in exposures), sources, risk)
    known[mask] = out
    return out


def make_route(
    g: CommodityGraph,
    edges: list[Edge],
    origin: str,
    penalise: Mapping[str, float] | None = None,
    sig: tuple[tuple[str, str], ...] | None = None,
) -> Route:
    """Price a path of the commodity graph into a :class:`Route`."""
    return _route(
        g,
        _edge_pieces(g, edges),
        origin,
        reduce(or_, [e.exposures for e in edges], 0),
        penalise,
        sig if sig is not None else signature(g, edges, origin),
    )


def crossed(g: CommodityGraph, edges: list[Edge]) -> tuple[frozenset[str], frozenset[str]]:
    """The countries (less the origin's) and the chokepoints a path of edges crosses, as
    its route's detail lists them, without building the detail."""
    pieces = _edge_pieces(g, edges)
    return (
        frozenset(chain.from_iterable(p.countries for p in pieces)),
        frozenset(chain.from_iterable(p.chokepoints for p in pieces)),
    )


def _route(
    g: CommodityGraph,
    pieces: list[_Pieces],
    origin: str,
    mask: int,
    penalise: Mapping[str, float] | None,
    sig: tuple[tuple[str, str], ...],
) -> Route:
    """A :class:`Route` from the pieces of its edges or steps and the exposures crossed.

    Only the totals are summed here; the detail is merged when first read.
    """
    insurance = _commodity_terms(g)[1]
    exposed = _exposed(g, mask)
    cost, days, var, co2e, km = _totals(pieces)
    families = frozenset().union(*[p.families for p in pieces])
    charges = {"insurance": insurance}
    penalty = sum(penalise.get(x, 0.0) for x in exposed.ids) if penalise else 0.0
    if penalty:
        charges["penalty"] = penalty
    return Route(
        commodity=g.commodity.id,
        origin=origin,
        charges=charges,
        distance_km=km,
        cost_usd_per_t=cost + sum(charges.values()),
        days_mean=days,
        days_p95=p95_of_sum(days, var),
        co2e_kg_per_t=co2e,
        family="+".join(sorted(families)) or "domestic",
        risk=exposed.risk,
        signature=sig,
        build_detail=partial(
            _detail,
            pieces,
            origin,
            g.net.node(origin).country,
            _commodity_terms(g)[0] | exposed.sources,
            source_bits(g.net),
            place_book(g.net),
            g.commodity.cargo_class,
        ),
    )


def _detail(
    pieces: list[_Pieces],
    origin: str,
    country: str,
    sources: int,
    table: SourceBits,
    book: PlaceBook,
    cargo_class: str,
) -> RouteDetail:
    """The detail of a route: its pieces merged, with the origin and the sources of the
    commodity's terms and of the exposures crossed (no graph needed: a route found on a
    scenario network does not keep that network's graphs alive)."""
    whole = _merge(pieces, sources, (country,))
    nodes = (origin, *whole.nodes)
    links = tuple(leg.link for leg in whole.legs if leg.link)
    return RouteDetail(
        nodes,
        whole.legs,
        whole.countries,
        whole.chokepoints,
        table.sorted_ids(whole.sources),
        whole.geometry,
        {n: book.names[n] for n in nodes if n in book.names},
        book.conditions(cargo_class, nodes, links, (*whole.countries, *whole.chokepoints)),
    )


def _commodity_terms(g: CommodityGraph) -> tuple[int, float]:
    """What every route of the commodity carries: the sources of its value, insurance and
    freight terms (as a bitset), and its cargo insurance (USD/t)."""
    idx = search_index(g)
    if idx.commodity_terms is None:
        prov = _row_sources(g.commodity.sources, ("value", "insurance", "freight"))
        idx.commodity_terms = (
            _source_bits(g, prov),
            insurance_usd_per_t(g.commodity, g.assumptions),
        )
    return idx.commodity_terms


def _source_bits(g: CommodityGraph, ids: Iterable[str]) -> int:
    """Source ids as a bitset (one bit per row of the sources table), so routes OR them."""
    return source_bits(g.net).bits(ids)


def _row_sources(prov: Mapping[str, tuple[str, ...]], prefixes: tuple[str, ...]) -> set[str]:
    return {s for col, ids in prov.items() if col.startswith(prefixes) for s in ids}


def _leg(
    kind: str,
    at: str,
    mode: str,
    link: str,
    m: Metrics,
    parts: dict[str, float],
    what: str,
    to: str | None = None,
) -> Leg:
    return Leg(
        kind,
        at,
        to or at,
        mode,
        link,
        m.distance_km,
        sum(parts.values()),
        m.days_mean,
        p95_of_sum(m.days_mean, m.days_var),
        m.co2e_kg_per_t,
        dict(parts),
        str(what),
        m.days_var,
        str(localise(what, "ja")),
    )


def _departure(link: Link) -> str:
    """How a route leaves a gateway: the mode, and the straits or sea areas of that link
    (so a Suez and a Cape sailing from the same port are different routes)."""
    return "/".join((link.mode, *link.chokepoints))


def signature(g: CommodityGraph, edges: list[Edge], origin: str) -> tuple[tuple[str, str], ...]:
    """Gateways passed, each with how the route leaves it (the destination last)."""
    sig: list[tuple[str, str]] = []
    gateway, vertices = _gateways(g.net), g.vertices
    for e in edges:
        if e.kind != "link" or e.link is None:
            continue
        tail_node = vertices[e.tail][0]
        if tail_node != origin and gateway[tail_node]:
            sig.append((tail_node, _departure(e.link)))
    if edges:
        sig.append((g.vertices[edges[-1].head][0], "end"))
    return tuple(sig)


def _gateways(net: Network) -> dict[str, bool]:
    """Node id -> whether its kind is one of :data:`GATEWAY_KINDS` (kept with the network:
    a signature of a route on 100,000 links looks up a few hundred places)."""
    return net.derived.get(
        "signature-gateways", lambda: {n.id: n.kind in GATEWAY_KINDS for n in net.nodes}
    )
