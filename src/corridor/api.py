"""The Python face of corridor: ``routes``, ``compare`` and ``pareto``.

The CLI, the report and the web API call these functions and nothing deeper, so every face
returns the same numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from functools import lru_cache

from corridor.costs import Assumptions
from corridor.errors import RequestError
from corridor.graph import CommodityGraph, build_graph
from corridor.network import Network, load_network
from corridor.pareto import pareto_front
from corridor.results import FAMILY_LABELS, Alternative, Comparison, Request, Route, RouteSet
from corridor.routing import k_best
from corridor.states import network_on, today

FAMILIES = ("china", "trans_caspian", "russia", "south")
PREMIUM_RULES = (
    ("avoid China", ("CN",)),
    ("avoid Russia", ("RU",)),
    ("avoid China and Russia", ("CN", "RU")),
)
MAX_K = 50


def default_network(as_of: dt.date | None = None) -> Network:
    """The bundled network as it stands on a date (loaded once per process and date).

    Parameters
    ----------
    as_of : date, optional
        The day whose chronic states (``states.csv``) apply; default: today
        (:func:`corridor.states.today`).
    """
    return _bundled_on(as_of or today())


@lru_cache(maxsize=8)
def _bundled_on(day: dt.date) -> Network:
    return network_on(_bundled(), day)


@lru_cache(maxsize=1)
def _bundled() -> Network:
    return load_network()


def _graph(
    net: Network,
    commodity: str,
    assumptions: Assumptions,
    avoid: Iterable[str] = (),
    families: Iterable[str] = (),
) -> CommodityGraph:
    return _cached_graph(net, commodity, assumptions, frozenset(avoid), frozenset(families))


@lru_cache(maxsize=256)
def _cached_graph(
    net: Network,
    commodity: str,
    assumptions: Assumptions,
    avoid: frozenset[str],
    families: frozenset[str],
) -> CommodityGraph:
    return build_graph(net, net.commodity(commodity), assumptions, avoid, families)


def _check_request(
    net: Network,
    commodity: str,
    origin: str,
    destination: str,
    avoid: Iterable[str],
    penalise: Mapping[str, float],
    k: int,
    volume: float | None,
) -> None:
    net.commodity(commodity)
    net.node(origin)
    net.node(destination)
    if origin == destination:
        raise RequestError("origin and destination are the same place")
    for e in (*avoid, *penalise):
        net.exposure(e)
    for e, price in penalise.items():
        if not price >= 0:
            raise RequestError(f"penalty for {e} must be a non-negative USD per tonne")
    if not 1 <= k <= MAX_K:
        raise RequestError(f"k must be between 1 and {MAX_K}, not {k}")
    if volume is not None and not volume > 0:
        raise RequestError(f"volume must be a positive number of tonnes per year, not {volume}")


def routes(
    commodity: str,
    origin: str,
    destination: str,
    *,
    k: int = 5,
    avoid: Iterable[str] = (),
    penalise: Mapping[str, float] | None = None,
    volume: float | None = None,
    assumptions: Assumptions | None = None,
    network: Network | None = None,
) -> RouteSet:
    """The ``k`` cheapest genuinely different routes for one commodity.

    Parameters
    ----------
    commodity, origin, destination : ids in the network tables.
    k : number of routes (1–50).
    avoid : country or chokepoint ids no route may touch (hard filter).
    penalise : exposure id -> USD per tonne added to routes that cross it.
    volume : annual tonnes (used by ``compare`` for the premium per year).

    Raises
    ------
    RequestError
        Unknown ids, bad numbers, or no route — naming what blocks it.
    """
    net = network or default_network()
    a = assumptions or Assumptions()
    avoid, pen = tuple(avoid), dict(penalise or {})
    _check_request(net, commodity, origin, destination, avoid, pen, k, volume)
    g = _graph(net, commodity, a, avoid)
    found = k_best(g, origin, destination, k, pen)
    if not found:
        raise RequestError(explain_no_route(net, commodity, origin, destination, avoid, a))
    request = Request(commodity, origin, destination, avoid, tuple(pen.items()), volume, k)
    return RouteSet(request, tuple(found))


def compare(
    commodity: str,
    origin: str,
    destination: str,
    *,
    avoid: Iterable[str] = (),
    penalise: Mapping[str, float] | None = None,
    volume: float | None = None,
    assumptions: Assumptions | None = None,
    network: Network | None = None,
) -> Comparison:
    """Cheapest route of each family, and the strategic premium of avoiding China/Russia.

    The premium compares the cheapest route overall with the cheapest route avoiding China,
    avoiding Russia, and avoiding both: USD per tonne, USD per year (with ``volume``), extra
    days, and the change in annual disruption probability and expected disrupted days.
    """
    net = network or default_network()
    a = assumptions or Assumptions()
    avoid, pen = tuple(avoid), dict(penalise or {})
    _check_request(net, commodity, origin, destination, avoid, pen, 1, volume)
    best: list[Route] = []
    unavailable: dict[str, str] = {}
    for fam in FAMILIES:
        g = _graph(net, commodity, a, avoid, (fam,))
        found = k_best(g, origin, destination, 1, pen)
        if found:
            best.append(found[0])
        else:
            unavailable[fam] = explain_no_route(
                net, commodity, origin, destination, avoid, a, families=(fam,)
            )
    overall = k_best(_graph(net, commodity, a, avoid), origin, destination, 1, pen)
    if not overall:
        raise RequestError(explain_no_route(net, commodity, origin, destination, avoid, a))
    cheapest = overall[0]
    alternatives = []
    for name, extra in PREMIUM_RULES:
        rule_avoid = tuple(dict.fromkeys((*avoid, *extra)))
        found = k_best(
            _graph(net, commodity, a, rule_avoid),
            origin,
            destination,
            1,
            pen,
        )
        alternatives.append(
            _alternative(
                name,
                extra,
                cheapest,
                found[0] if found else None,
                volume,
                net,
                commodity,
                origin,
                destination,
                rule_avoid,
                a,
            )
        )
    shown = {r.signature for r in best}
    extra_routes = [cheapest] + [alt.route for alt in alternatives if alt.route is not None]
    for r in extra_routes:
        if r.signature not in shown:
            best.append(r)
            shown.add(r.signature)
    best.sort(key=lambda r: r.cost_usd_per_t)
    request = Request(commodity, origin, destination, avoid, tuple(pen.items()), volume, 1)
    return Comparison(request, tuple(best), unavailable, tuple(alternatives))


def _alternative(
    name: str,
    extra: tuple[str, ...],
    cheapest: Route,
    route: Route | None,
    volume: float | None,
    net: Network,
    commodity: str,
    origin: str,
    destination: str,
    avoid: tuple[str, ...],
    a: Assumptions,
) -> Alternative:
    if route is None:
        reason = explain_no_route(net, commodity, origin, destination, avoid, a)
        return Alternative(name, extra, None, reason, None, None, None, None, None, None)
    premium = route.cost_usd_per_t - cheapest.cost_usd_per_t
    return Alternative(
        name=name,
        avoid=extra,
        route=route,
        reason="",
        premium_usd_per_t=premium,
        premium_usd_per_year=premium * volume if volume else None,
        extra_days=route.days_mean - cheapest.days_mean,
        extra_days_p95=route.days_p95 - cheapest.days_p95,
        risk_change_probability=route.risk.annual_probability - cheapest.risk.annual_probability,
        risk_change_days_per_year=(
            route.risk.disrupted_days_per_year - cheapest.risk.disrupted_days_per_year
        ),
    )


def pareto(
    commodity: str,
    origin: str,
    destination: str,
    *,
    avoid: Iterable[str] = (),
    assumptions: Assumptions | None = None,
    network: Network | None = None,
) -> RouteSet:
    """The exact Pareto front over cost, mean days, CO2e and expected disrupted days."""
    net = network or default_network()
    a = assumptions or Assumptions()
    avoid = tuple(avoid)
    _check_request(net, commodity, origin, destination, avoid, {}, 1, None)
    g = _graph(net, commodity, a, avoid)
    front, notes = pareto_front(g, origin, destination)
    if not front:
        raise RequestError(explain_no_route(net, commodity, origin, destination, avoid, a))
    request = Request(commodity, origin, destination, avoid, (), None, len(front))
    return RouteSet(request, tuple(front), tuple(notes))


def explain_no_route(
    net: Network,
    commodity: str,
    origin: str,
    destination: str,
    avoid: Iterable[str],
    a: Assumptions,
    families: Iterable[str] = (),
) -> str:
    """Say what stops every route: the commodity's nature, an avoid rule, or a missing link."""
    avoid = tuple(avoid)
    fams = tuple(families)
    c = net.commodity(commodity)
    what = f"no route for {commodity} from {origin} to {destination}"
    if fams:
        what += " in the " + ", ".join(FAMILY_LABELS.get(f, f) for f in fams) + " family"
    if c.no_route_reason:
        return f"{what}: {c.no_route_reason}"
    for role, place in (("origin", origin), ("destination", destination)):
        if net.node(place).country in avoid:
            return f"{what}: the {role} {place} is in {net.node(place).country}, which is avoided"
    if avoid:
        free = k_best(_graph(net, commodity, a, (), fams), origin, destination, 1)
        if free:
            needed = [
                x
                for x in avoid
                if k_best(
                    _graph(net, commodity, a, tuple(y for y in avoid if y != x), fams),
                    origin,
                    destination,
                    1,
                )
            ]
            crossed = [x for x in avoid if x in (*free[0].countries, *free[0].chokepoints)]
            if len(needed) == 1:
                return (
                    f"{what}: every route crosses {needed[0]}; without avoiding "
                    f"{needed[0]} the cheapest route is {free[0].label}"
                )
            if needed:
                return (
                    f"{what}: every route crosses at least one of {', '.join(needed)}; "
                    "dropping any one of these avoid rules leaves a route (the cheapest "
                    f"without them is {free[0].label})"
                )
            return (
                f"{what}: the avoid rules {', '.join(avoid)} together block every route "
                f"(the cheapest route without them crosses {', '.join(crossed)})"
            )
    g = _graph(net, commodity, a, avoid, fams)
    blocks = _frontier(net, g, origin, frozenset(fams))
    if blocks:
        return f"{what}: " + _summarise(blocks)
    if fams:
        return f"{what}: no links of this family connect them"
    return f"{what}: the network has no connection between them"


def _summarise(reasons: list[str]) -> str:
    """Join reasons; many links refused for one reason become one sentence."""
    suffixes = {r.split(" ", 2)[2] for r in reasons if r.startswith("link ")}
    if len(reasons) > 3 and len(suffixes) == 1 and all(r.startswith("link ") for r in reasons):
        ids = [r.split(" ", 2)[1] for r in reasons]
        verb = suffixes.pop().replace("does not carry", "carry")
        return f"none of {len(ids)} links ({', '.join(ids[:4])}, ...) {verb}"
    return "; ".join(reasons[:6])


def _frontier(net: Network, g: CommodityGraph, origin: str, families: frozenset[str]) -> list[str]:
    """Reasons links leaving the region reachable from ``origin`` were excluded.

    With a family filter, the family's own links are named first: they are the ones that
    distinguish it (a domestic link that refuses the cargo blocks every family alike).
    """
    seen = {origin}
    todo = [origin]
    adjacency: dict[str, list[str]] = {}
    for e in g.edges:
        adjacency.setdefault(g.vertices[e.tail][0], []).append(g.vertices[e.head][0])
    while todo:
        n = todo.pop()
        for m in adjacency.get(n, ()):
            if m not in seen:
                seen.add(m)
                todo.append(m)
    reasons: list[str] = []
    for link in net.links:
        rule, why = g.excluded.get(link.id, ("", ""))
        leaves = (link.from_ in seen) != (link.to in seen)
        outward = link.from_ in seen or link.bidirectional
        if rule in ("commodity", "avoid") and leaves and outward and why not in reasons:
            reasons.append(why)
    own = [
        why
        for link in net.links
        if link.family in families
        for rule, why in (g.excluded.get(link.id, ("", "")),)
        if rule in ("commodity", "avoid")
    ]
    if own:
        return list(dict.fromkeys(own))
    return reasons
