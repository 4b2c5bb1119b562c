"""How many tonnes a year a corridor can carry, and which capacities bind.

Capacities
    A link's ``capacity_t_per_year`` is scaled by its seasonal factors (the mean over the
    twelve months, a month not listed counting 1). Links that name the same
    ``capacity_group`` (a ferry fleet, a rail section drawn as several links) share **one**
    capacity: the smallest figure given among them, as the note of the group says. A
    bidirectional link's two directions share its capacity. Links with no figure are not
    limited.

Maximum flow
    :func:`max_flow` solves a linear program in HiGHS on the commodity graph (the same
    expanded graph the routes come from, so a link the commodity cannot use carries
    nothing): maximise the tonnes reaching any destination from any origin, subject to
    flow conservation and the capacities above. The capacities whose rows have a positive
    dual form a minimum cut: the binding bottleneck set. A second solve, with the maximum
    held, gives the cheapest way to carry it (the flows reported per link).

The small LP plumbing shared with :mod:`corridor.optimize.planning` (:class:`LinearProgram`,
:class:`HighsModel`) lives here too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from corridor.network.model import Link, Network

TOL = 1e-6
"""Relative tolerance for 'binding' and for duals that count as non-zero."""


# --------------------------------------------------------------------------- capacities


@dataclass(frozen=True)
class Capacity:
    """One physical capacity: a single link, or a group of links sharing one figure.

    Attributes
    ----------
    id : str
        The link id, or the ``capacity_group`` id.
    kind : str
        ``"link"`` or ``"group"``.
    name : str
        What it is, in words (service and places).
    links : tuple of str
        Links that draw on it.
    capacity_t_per_year : float
        Usable tonnes per year, seasonal factors applied.
    sources : tuple of str
        Source ids behind the capacity figure used.
    note : str
        How the figure was derived (seasonal factor, smallest figure of a group).
    """

    id: str
    kind: str
    name: str
    links: tuple[str, ...]
    capacity_t_per_year: float
    sources: tuple[str, ...]
    note: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "name": self.name,
            "links": list(self.links),
            "capacity_t_per_year": round(self.capacity_t_per_year, 1),
            "sources": list(self.sources),
            "note": self.note,
        }


def season_factor(link: Link) -> float:
    """Mean capacity factor over the twelve months (a month not listed counts 1)."""
    return sum(link.season.get(month, 1.0) for month in range(1, 13)) / 12.0


def _link_name(net: Network, link: Link) -> str:
    ends = f"{net.node(link.from_).name_en} – {net.node(link.to).name_en}"
    return f"{link.service or link.mode}, {ends}"


def _effective(link: Link) -> tuple[float, str]:
    """Capacity of one link after seasonal factors, and a note saying how it was scaled."""
    assert link.capacity_t_per_year is not None
    factor = season_factor(link)
    note = f"{link.capacity_t_per_year:,.0f} t/yr × {factor:.0%} mean seasonal factor"
    return link.capacity_t_per_year * factor, note if factor != 1.0 else ""


def capacities(net: Network) -> Mapping[str, Capacity]:
    """Every finite capacity of the network, by id (links first, then groups).

    Parameters
    ----------
    net : Network
        The network (the result is kept with it).

    Returns
    -------
    mapping of str to Capacity
        Links with a figure and no group, and groups with at least one figure.
    """
    return net.derived.get("capacities", lambda: _capacities(net))


def _capacities(net: Network) -> Mapping[str, Capacity]:
    out: dict[str, Capacity] = {}
    groups: dict[str, list[Link]] = {}
    link_ids = {link.id for link in net.links}
    for link in net.links:
        if link.capacity_group:
            groups.setdefault(link.capacity_group, []).append(link)
        elif link.capacity_t_per_year is not None:
            value, note = _effective(link)
            sources = link.sources.get("capacity_t_per_year", ())
            out[link.id] = Capacity(
                link.id, "link", _link_name(net, link), (link.id,), value, sources, note
            )
    for gid, members in groups.items():
        key = f"group:{gid}" if gid in link_ids else gid
        group = _group_capacity(net, key, members)
        if group is not None:
            out[key] = group
    return out


def _group_capacity(net: Network, key: str, members: list[Link]) -> Capacity | None:
    """One capacity for links sharing a group: the smallest figure given among them."""
    figures = [
        (link, *_effective(link)) for link in members if link.capacity_t_per_year is not None
    ]
    if not figures:
        return None
    link, value, scaled = min(figures, key=lambda f: f[1])
    ids = tuple(m.id for m in members)
    note = f"shared by {len(ids)} links; the smallest figure given among them: {link.id} "
    note += scaled or f"{value:,.0f} t/yr"
    if len(figures) > 1:
        note += "; others: " + ", ".join(
            f"{m.id} {v:,.0f} t/yr" for m, v, _ in figures if m != link
        )
    name = "; ".join(_link_name(net, m) for m in members)
    sources = link.sources.get("capacity_t_per_year", ())
    return Capacity(key, "group", name, ids, value, sources, note)


def capacity_of_link(net: Network) -> Mapping[str, str]:
    """Link id -> id of the finite capacity it draws on (links without one are absent)."""
    return net.derived.get(
        "capacity_of_link",
        lambda: {link: cap.id for cap in capacities(net).values() for link in cap.links},
    )


# --------------------------------------------------------------------------- LP plumbing
