"""Chronic states: conditions in force between two dates, applied to the network of a day.

A state (``states.csv``) is not a random event: while it holds, the network *is* different.
:func:`network_on` returns the network of one day with every state in force applied:

``closure``
    The targets' links are removed, so routes take the alternatives the tables hold (the
    Red Sea regime removes the links through Suez and Bab-el-Mandeb; their via-Cape
    variants carry the Cape's distance, time and cost).
``low_water``, ``works``, ``regime``
    The capacity of the targets' links and of the node capacities at target nodes is
    multiplied by ``capacity_factor``; ``delay_days`` is added to the targets' links'
    transit (mean and p95) and ``surcharge_usd_per_t`` to their tariff.

Capacity rows are dated too: an operating row on a link or group with a figure of a later
year than the day's is left out (the links.csv figure stands).

A target is an exposure (every link crossing that chokepoint or country, or touching a node
of that country), a link, or a node (its capacities; a closure also removes every link that
starts or ends there). The events table keeps only sudden interruptions; it must not
describe a state again (a test checks this).

:func:`commission` puts planned or under-construction capacities (``capacities.csv``) in
service: the what-if of an investment (scenario edit ``commission: CAP_ID``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace
from types import MappingProxyType

from corridor.errors import RequestError
from corridor.i18n import Message
from corridor.network.model import CapacityRow, Link, Network, State
from corridor.network.ranges import Range, RangeKey

TODAY_ENV = "CORRIDOR_TODAY"


def today() -> dt.date:
    """The date used when none is given: ``$CORRIDOR_TODAY`` (YYYY-MM-DD) if set, else today."""
    import os

    text = os.environ.get(TODAY_ENV)
    return dt.date.fromisoformat(text) if text else dt.date.today()


def parse_date(text: str) -> dt.date:
    """A date from ``YYYY-MM-DD``, with a message naming the expected form otherwise.

    Raises
    ------
    ValueError
        When ``text`` is not an ISO date.
    """
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(Message("prob_not_date", value=text)) from None


def states_on(net: Network, day: dt.date | None = None) -> tuple[State, ...]:
    """States in force on ``day`` (default: the date the network was set to, else none)."""
    when = day or net.as_of
    if when is None:
        return ()
    return tuple(s for s in net.states if s.holds_on(when))


def network_on(net: Network, day: dt.date) -> Network:
    """The network as it stands on ``day``: every state in force applied.

    Parameters
    ----------
    net : Network
        A network whose states have not been applied yet (``net.as_of`` is None).
    day : date
        The day.

    Returns
    -------
    Network
        A copy with the states' effects and ``as_of`` set; ``net`` itself is unchanged.

    Raises
    ------
    ValueError
        If ``net`` already has a date (states would be applied twice).
    """
    if net.as_of is not None:
        raise ValueError(f"the network is already set to {net.as_of.isoformat()}")
    active = [s for s in net.states if s.holds_on(day)]
    links = list(net.links)
    rows = [r for r in net.capacities if _known_on(net, r, day)]
    ranges = dict(net.ranges)
    for state in active:
        hit = _hit_links(net, links, state.targets, state.kind == "closure")
        if state.kind == "closure":
            links = [link for link in links if link.id not in hit]
            continue
        links = [_scaled(link, state) if link.id in hit else link for link in links]
        scaled = [_scaled_row(net, r, state, hit) for r in rows]
        for before, after in zip(rows, scaled, strict=True):
            r = ranges.get(("capacities", before.id, "capacity_t_per_year"))
            if after is not before and r is not None:
                f = state.capacity_factor
                ranges[r.key] = replace(r, low=r.low * f, high=r.high * f)
        rows = scaled
        _shift_ranges(ranges, state, hit)
    origin = Message("net_origin_as_of", base=net.origin, day=day.isoformat())
    return replace(
        net,
        links=tuple(links),
        capacities=tuple(rows),
        ranges=MappingProxyType(ranges),
        as_of=day,
        origin=origin,
    )


def _known_on(net: Network, row: CapacityRow, day: dt.date) -> bool:
    """Whether a capacity row applies on ``day``: an operating row on a link or capacity
    group whose figure is of a later year than ``day``'s (a terminal extended since) does
    not, and the links.csv figure stands in for it, without the later year's use by other
    traffic. A node's row is kept whatever its year, for no earlier figure is sourced."""
    if row.status != "operating" or row.year is None or row.year <= day.year:
        return True
    return row.capacity_t_per_year is None or net.has("nodes", row.element)


def _shift_ranges(ranges: dict[RangeKey, Range], state: State, hit: set[str]) -> None:
    """Move the ranges of the hit links' figures with them: the uncertainty is in the
    figure without the state, the state's delay, surcharge or capacity factor applies on
    top (a draw of a winter crossing keeps its weather wait)."""
    shifts = {
        "transit_days": (state.delay_days, 1.0),
        "transit_days_p95": (state.delay_days_p95, 1.0),
        "tariff_usd_per_t": (state.surcharge_usd_per_t, 1.0),
        "capacity_t_per_year": (0.0, state.capacity_factor),
    }
    for link_id in hit:
        for column, (add, times) in shifts.items():
            r = ranges.get(("links", link_id, column))
            if r is not None and (add or times != 1.0):
                ranges[r.key] = replace(r, low=r.low * times + add, high=r.high * times + add)


def _hit_links(
    net: Network, links: Iterable[Link], targets: tuple[str, ...], closure: bool
) -> set[str]:
    """Ids of the links a state's targets reach (a node target reaches the links touching
    it only when it closes the node; otherwise it scales the node's own capacities)."""
    wanted = set(targets)
    out = set()
    for link in links:
        ends = {link.from_, link.to}
        countries = {net.node(n).country for n in ends}
        crossed = {link.id, *link.chokepoints, *link.countries, *countries}
        if closure:
            crossed |= ends
        if crossed & wanted:
            out.add(link.id)
    return out


def _scaled(link: Link, state: State) -> Link:
    cap = link.capacity_t_per_year
    return replace(
        link,
        capacity_t_per_year=None if cap is None else cap * state.capacity_factor,
        transit_days=link.transit_days + state.delay_days,
        transit_days_p95=max(
            link.transit_days_p95 + state.delay_days_p95, link.transit_days + state.delay_days
        ),
        tariff_usd_per_t=link.tariff_usd_per_t + state.surcharge_usd_per_t,
        added_days=link.added_days + state.delay_days,
        added_days_p95=link.added_days_p95 + state.delay_days_p95,
    )


def _scaled_row(net: Network, row: CapacityRow, state: State, hit: set[str]) -> CapacityRow:
    """A capacity row scaled when the state targets its node, or its link or group while the
    row's own figure replaces the links.csv one (the links were scaled already otherwise)."""
    if row.capacity_t_per_year is None:
        return row
    members = {link.id for link in net.links if row.element in (link.id, link.capacity_group)}
    on_node = net.has("nodes", row.element) and row.element in state.targets
    if not on_node and not (members and members <= hit):
        return row
    return replace(row, capacity_t_per_year=row.capacity_t_per_year * state.capacity_factor)


def commission(net: Network, row_ids: Iterable[str]) -> Network:
    """The network with planned or under-construction capacity rows put in service.

    Each named row becomes operating and replaces the operating row of its element (the
    investment studies' what-if: "the second Dostyk track is built").

    Raises
    ------
    RequestError
        For an unknown row id, or a row that is already operating.
    """
    by_id = {r.id: r for r in net.capacities}
    chosen = []
    for rid in row_ids:
        row = by_id.get(rid)
        if row is None:
            raise RequestError(f"unknown capacity row '{rid}' (capacities.csv)")
        if row.status == "operating":
            raise RequestError(f"capacity row '{rid}' is already operating")
        chosen.append(row)
    elements = {(r.element, r.cargo_classes) for r in chosen}
    keep = [
        r
        for r in net.capacities
        if r.status != "operating" or (r.element, r.cargo_classes) not in elements
    ]
    keep = [r for r in keep if r not in chosen]
    current = {(r.element, r.cargo_classes): r for r in net.capacities if r.status == "operating"}
    for r in chosen:
        old = current.get((r.element, r.cargo_classes))
        if r.used_t_per_year is None and old is not None:
            # Other traffic does not vanish when the line is doubled: keep its use figure.
            sources = {**r.sources, "used_t_per_year": old.sources.get("used_t_per_year", ())}
            r = replace(
                r,
                used_t_per_year=old.used_t_per_year,
                used_year=old.used_year,
                sources=MappingProxyType(sources),
            )
        year = r.year if r.year is not None or old is None else old.year
        keep.append(replace(r, status="operating", year=year))
    return replace(net, capacities=tuple(keep))
