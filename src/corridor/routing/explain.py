"""Why no route exists: what each avoid rule, regime, cargo class or mode leaves out."""

from __future__ import annotations

from collections.abc import Iterable

from corridor.costs import Assumptions
from corridor.graph import CommodityGraph, buyer_compliance, commodity_graph, exposure_text
from corridor.i18n import Joined, Message, Named, family_name
from corridor.network.model import Network
from corridor.network.names import place_name
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
    ends = {
        "commodity": Named(c.name_en or commodity, c.name_ja),
        "origin": Named(place_name(net.node(origin)), place_name(net.node(origin), "ja")),
        "destination": Named(
            place_name(net.node(destination)), place_name(net.node(destination), "ja")
        ),
    }
    if fams:
        labels = [Named(FAMILY_LABELS.get(f, f), family_name(f, "ja")) for f in fams]
        what = Message("noroute_what_family", **ends, families=Joined(", ", labels, "、"))
    else:
        what = Message("noroute_what", **ends)

    def because(reason: str) -> Message:
        return Message("noroute_because", what=what, reason=reason)

    if c.no_route_reason:
        return because(c.no_route_reason)
    # every exposure the request keeps out -> '' (an avoid rule) or the regime excluding it
    rules = {**buyer_compliance(net, commodity, buyer).excluded, **{x: "" for x in avoid}}

    def name(x: str) -> str:
        # "IR, excluded for buyer JP by …"; in Japanese the regime's bracket follows the name
        return (
            Joined(", ", [exposure_text(net, x), rules[x]], "")
            if rules[x]
            else exposure_text(net, x)
        )

    for role, place in (("origin", origin), ("destination", destination)):
        country = net.node(place).country
        if country in rules:
            where = {
                "role": Message(f"noroute_role_{role}"),
                "place": ends[role],
                "country": exposure_text(net, country),
            }
            if rules[country]:
                return because(Message("noroute_end_regime", **where, regime=rules[country]))
            return because(Message("noroute_end_avoided", **where))

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
            route = Named(free[0].label, free[0].label_ja)
            if len(needed) == 1:
                x = needed[0]
                if rules[x]:
                    return because(Message("noroute_one_regime", name=name(x), route=route))
                one = Message(
                    "noroute_one_avoid", name=name(x), x=exposure_text(net, x), route=route
                )
                return because(one)
            regime = any(rules.values())
            sep = "; " if regime else ", "
            kind = Message("noroute_kind_rules" if regime else "noroute_kind_avoid")
            if needed:
                names = Joined(sep, [name(x) for x in needed], "、")
                return because(Message("noroute_some", names=names, kind=kind, route=route))
            together = Message(
                "noroute_together",
                kind=kind,
                names=Joined(sep, [name(x) for x in rules], "、"),
                crossed=Joined(", ", [exposure_text(net, x) for x in crossed], "、"),
            )
            return because(together)
    g = commodity_graph(net, commodity, a, avoid, fams, buyer)
    blocks = _frontier(net, g, origin, frozenset(fams))
    if blocks:
        return because(_summarise(blocks))
    if fams:
        return because(Message("noroute_no_family_links"))
    return because(Message("noroute_no_connection"))


def _summarise(reasons: list[str]) -> str:
    """Join reasons (one per link; links between the same places read alike and are named
    once); many links refused for one cargo class become one sentence."""
    refused = [r for r in reasons if isinstance(r, Message) and r.key == "why_cargo"]
    cargo = {str(r.values["cargo"]) for r in refused}
    if len(reasons) > 3 and len(cargo) == 1 and len(refused) == len(reasons):
        links = [r.values["link"] for r in refused]
        return Message(
            "noroute_none_of_links",
            n=len(links),
            ids=Joined(", ", list(dict.fromkeys(links))[:4], "、"),
            cargo=refused[0].values["cargo"],
            every=Joined(", ", links),  # not shown: the ids of all of them, for JSON
        )
    return Joined("; ", list(dict.fromkeys(reasons))[:6])


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
        if rule in ("commodity", "avoid", "regime") and leaves and outward:
            reasons.append(why)
    own = [
        why
        for link in net.links
        if link.family in families
        for rule, why in (g.excluded.get(link.id, ("", "")),)
        if rule in ("commodity", "avoid", "regime")
    ]
    return own or reasons
