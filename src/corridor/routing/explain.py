"""Why no route exists: what each avoid rule, cargo class or mode leaves out."""

from __future__ import annotations

from collections.abc import Iterable

from corridor.costs import Assumptions
from corridor.graph import CommodityGraph, commodity_graph
from corridor.network.model import Network
from corridor.routing.kbest import k_best
from corridor.routing.route import FAMILY_LABELS


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
        free = k_best(commodity_graph(net, commodity, a, (), fams), origin, destination, 1)
        if free:
            needed = [
                x
                for x in avoid
                if k_best(
                    commodity_graph(net, commodity, a, tuple(y for y in avoid if y != x), fams),
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
    g = commodity_graph(net, commodity, a, avoid, fams)
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
