"""Why no route exists: what each avoid rule, regime, cargo class or mode leaves out."""

from __future__ import annotations

from collections.abc import Iterable

from corridor.costs import Assumptions
from corridor.graph import CommodityGraph, buyer_compliance, commodity_graph
from corridor.network.model import Network
from corridor.routing.kbest import k_best
from corridor.routing.route import FAMILY_LABELS, Route


def explain_no_route(
    net: Network,
    commodity: str,
    origin: str,
    destination: str,
    avoid: Iterable[str],
    a: Assumptions,
    families: Iterable[str] = (),
    buyer: str | None = None,
) -> str:
    """Say what stops every route: the commodity's nature, an avoid rule, a regime that
    excludes it for the buyer (None: the default profile), or a missing link."""
    avoid = tuple(avoid)
    fams = tuple(families)
    c = net.commodity(commodity)
    what = f"no route for {commodity} from {origin} to {destination}"
    if fams:
        what += " in the " + ", ".join(FAMILY_LABELS.get(f, f) for f in fams) + " family"
    if c.no_route_reason:
        return f"{what}: {c.no_route_reason}"
    # every exposure the request keeps out -> '' (an avoid rule) or the regime excluding it
    rules = {**buyer_compliance(net, commodity, buyer).excluded, **{x: "" for x in avoid}}

    def name(x: str) -> str:
        return f"{x}, {rules[x]}" if rules[x] else x

    for role, place in (("origin", origin), ("destination", destination)):
        country = net.node(place).country
        if country in rules:
            why = f"which is {rules[country]}" if rules[country] else "which is avoided"
            return f"{what}: the {role} {place} is in {country}, {why}"

    def found(dropped: str | None) -> list[Route]:
        keep = {x: why for x, why in rules.items() if x != dropped}
        plain = tuple(x for x, why in keep.items() if not why)
        regimes = {x: why for x, why in keep.items() if why}
        g = commodity_graph(net, commodity, a, plain, fams, blocked=regimes)
        return k_best(g, origin, destination, 1)

    if rules:
        free = k_best(
            commodity_graph(net, commodity, a, (), fams, blocked={}), origin, destination, 1
        )
        if free:
            needed = [x for x in rules if found(x)]
            crossed = [x for x in rules if x in (*free[0].countries, *free[0].chokepoints)]
            if len(needed) == 1:
                x = needed[0]
                lift = "without that regime" if rules[x] else f"without avoiding {x}"
                return (
                    f"{what}: every route crosses {name(x)}; {lift} the cheapest route is "
                    f"{free[0].label}"
                )
            regime = any(rules.values())
            sep, kind = ("; ", "rules") if regime else (", ", "avoid rules")
            if needed:
                return (
                    f"{what}: every route crosses at least one of "
                    f"{sep.join(name(x) for x in needed)}; dropping any one of these {kind} "
                    f"leaves a route (the cheapest without them is {free[0].label})"
                )
            return (
                f"{what}: the {kind} {sep.join(name(x) for x in rules)} together block every "
                f"route (the cheapest route without them crosses {', '.join(crossed)})"
            )
    g = commodity_graph(net, commodity, a, avoid, fams, buyer)
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
        if rule in ("commodity", "avoid", "regime") and leaves and outward and why not in reasons:
            reasons.append(why)
    own = [
        why
        for link in net.links
        if link.family in families
        for rule, why in (g.excluded.get(link.id, ("", "")),)
        if rule in ("commodity", "avoid", "regime")
    ]
    if own:
        return list(dict.fromkeys(own))
    return reasons
