"""What an event hits: the links, routes and capacities each event's targets name, and the loss."""

from __future__ import annotations

from typing import TYPE_CHECKING

from corridor.network.model import Event, Link, Network
from corridor.routing.route import Route

if TYPE_CHECKING:
    pass


def target_loss(net: Network, event: Event, target: str) -> float:
    """Capacity share ``event`` takes from ``target``: its capacity_loss, or 1 for a
    country a sanction names."""
    sanctioned = event.kind == "sanction" and net.has("exposures", target)
    if sanctioned and net.exposure(target).kind == "country":
        return 1.0
    return event.capacity_loss


def link_targets(net: Network, link: Link) -> frozenset[str]:
    """Everything on a link an event can name: the link, its ends, countries, chokepoints."""
    ends = (link.from_, link.to)
    countries = (net.node(n).country for n in ends)
    return frozenset((link.id, *ends, *countries, *link.countries, *link.chokepoints))


def route_targets(route: Route) -> frozenset[str]:
    """Everything on a route an event can name."""
    return frozenset((*route.countries, *route.chokepoints, *route.nodes, *route_links(route)))


def _severity(net: Network, event: Event, targets: frozenset[str]) -> tuple[bool, float]:
    """Whether ``event`` touches any of ``targets``, and its worst capacity loss there."""
    hit = [target_loss(net, event, t) for t in event.targets if t in targets]
    return bool(hit), max(hit, default=0.0)


def event_link_loss(net: Network, event: Event) -> dict[str, float]:
    """Link id -> capacity share ``event`` takes from it (links it touches only)."""
    named = set(event.targets)
    out = {}
    for link, targets in zip(net.links, _all_link_targets(net), strict=True):
        if named.isdisjoint(targets):
            continue
        touched, loss = _severity(net, event, targets)
        if touched:
            out[link.id] = loss
    return out


def _all_link_targets(net: Network) -> list[frozenset[str]]:
    """:func:`link_targets` of every link of ``net``, in order (made once per network)."""
    return net.derived.get(("link targets",), lambda: [link_targets(net, x) for x in net.links])


# --------------------------------------------------------------------------- the compiled model


def route_links(route: Route) -> tuple[str, ...]:
    """The link ids of a route, in order (its identity)."""
    return tuple(leg.link for leg in route.legs if leg.kind == "link" and leg.link)
