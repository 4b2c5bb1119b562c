"""How many tonnes a year a corridor can carry, and which capacities bind.

Capacities
    A link's ``capacity_t_per_year`` is scaled by its seasonal factors (the mean over the
    twelve months, a month not listed counting 1). Links that name the same
    ``capacity_group`` (a ferry fleet, a rail section drawn as several links) share **one**
    capacity: the smallest figure given among them, as the note of the group says. A
    bidirectional link's two directions share its capacity. Links with no figure are not
    limited. ``capacities.csv`` dates each figure, may replace it, gives its use by other
    traffic (what is left for the user is the total less that use) and adds node
    capacities, which count the tonnes *leaving* a node (of some cargo classes and modes).

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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from corridor.network.model import CapacityRow, Link, Network

TOL = 1e-6
"""Relative tolerance for 'binding' and for duals that count as non-zero."""


# --------------------------------------------------------------------------- capacities


@dataclass(frozen=True)
class Capacity:
    """One physical capacity: a link, a group of links sharing one figure, or a node.

    Attributes
    ----------
    id : str
        The link id, the ``capacity_group`` id, or (nodes) the ``capacities.csv`` row id.
    kind : str
        ``"link"``, ``"group"`` or ``"node"``.
    name : str
        What it is, in words (service and places).
    links : tuple of str
        Links that draw on it (for a node: none; tonnes leaving the node draw on it).
    capacity_t_per_year : float
        Tonnes per year **left for the user**: the total less the use by other traffic.
    sources : tuple of str
        Source ids behind the capacity figure (and the use figure) used.
    note : str
        How the figure was derived (seasonal factor, smallest figure of a group, states).
    total_t_per_year : float or None
        Capacity for all users after seasonal factors and states (None: the same as
        ``capacity_t_per_year``, no use by others is recorded).
    used_t_per_year : float or None
        Current use by other traffic (None: not known, counted as 0).
    year, used_year : int or None
        Years the capacity and the use figures refer to.
    status : str
        ``operating`` (the default network uses only these), ``under_construction`` or
        ``planned`` (switched on by :func:`commission`).
    node : str
        For a node capacity, the node whose departing tonnes count.
    cargo_classes, modes : tuple of str
        For a node capacity, the cargo classes and departing modes that count (empty: all).
    """

    id: str
    kind: str
    name: str
    links: tuple[str, ...]
    capacity_t_per_year: float
    sources: tuple[str, ...]
    note: str
    total_t_per_year: float | None = None
    used_t_per_year: float | None = None
    year: int | None = None
    used_year: int | None = None
    status: str = "operating"
    node: str = ""
    cargo_classes: tuple[str, ...] = ()
    modes: tuple[str, ...] = ()

    @property
    def total(self) -> float:
        """Capacity for all users, t/yr."""
        return self.capacity_t_per_year if self.total_t_per_year is None else self.total_t_per_year

    def counts(self, cargo_class: str, mode: str) -> bool:
        """Whether tonnes of this class leaving by this mode draw on a node capacity."""
        return (not self.cargo_classes or cargo_class in self.cargo_classes) and (
            not self.modes or mode in self.modes
        )

    def to_dict(self) -> dict[str, Any]:
        used = self.used_t_per_year
        return {
            "id": self.id,
            "kind": self.kind,
            "name": self.name,
            "links": list(self.links),
            "node": self.node or None,
            "capacity_t_per_year": round(self.capacity_t_per_year, 1),
            "total_t_per_year": round(self.total, 1),
            "used_by_others_t_per_year": None if used is None else round(used, 1),
            "year": self.year,
            "used_year": self.used_year,
            "status": self.status,
            "cargo_classes": list(self.cargo_classes),
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
    """Every finite operating capacity of the network, by id (links, groups, then nodes).

    A link or group figure comes from ``links.csv`` (scaled by seasonal factors) or, where
    an operating ``capacities.csv`` row gives one, from that row; the row adds the year,
    the use by other traffic and its sources. What is left for the user is the total less
    that use (never below 0).

    Parameters
    ----------
    net : Network
        The network (results are cached per network object).

    Returns
    -------
    mapping of str to Capacity
        Links with a figure and no group, groups with at least one figure, node rows.
    """
    return net.derived.get("capacities", lambda: _capacities(net))


def _capacities(net: Network) -> Mapping[str, Capacity]:
    out: dict[str, Capacity] = {}
    groups: dict[str, list[Link]] = {}
    link_ids = {link.id for link in net.links}
    for link in net.links:
        if link.capacity_group:
            groups.setdefault(link.capacity_group, []).append(link)
    operating = [r for r in net.capacities if r.status == "operating"]
    rows = {r.element: r for r in operating if r.element in link_ids or r.element in groups}
    for link in net.links:
        if not link.capacity_group and (link.capacity_t_per_year is not None or link.id in rows):
            out[link.id] = _dated(_single(net, link), rows.get(link.id), net)
    for gid, members in groups.items():
        key = f"group:{gid}" if gid in link_ids else gid
        group = _group_capacity(net, key, members, rows.get(gid))
        if group is not None:
            out[key] = _dated(group, rows.get(gid), net)
    for row in operating:
        if row.element not in rows and net.has("nodes", row.element):
            out[row.id] = _node_capacity(net, row)
    return out


def _single(net: Network, link: Link) -> Capacity:
    if link.capacity_t_per_year is None:
        return Capacity(link.id, "link", _link_name(net, link), (link.id,), 0.0, (), "")
    value, note = _effective(link)
    sources = link.sources.get("capacity_t_per_year", ())
    return Capacity(link.id, "link", _link_name(net, link), (link.id,), value, sources, note)


def _group_capacity(
    net: Network, key: str, members: list[Link], row: CapacityRow | None
) -> Capacity | None:
    """One capacity for links sharing a group: the smallest figure given among them."""
    figures = [
        (link, *_effective(link)) for link in members if link.capacity_t_per_year is not None
    ]
    ids = tuple(m.id for m in members)
    name = "; ".join(_link_name(net, m) for m in members)
    if not figures:
        return None if row is None else Capacity(key, "group", name, ids, 0.0, (), "")
    link, value, scaled = min(figures, key=lambda f: f[1])
    note = f"shared by {len(ids)} links; the smallest figure given among them: {link.id} "
    note += scaled or f"{value:,.0f} t/yr"
    if len(figures) > 1:
        note += "; others: " + ", ".join(
            f"{m.id} {v:,.0f} t/yr" for m, v, _ in figures if m != link
        )
    sources = link.sources.get("capacity_t_per_year", ())
    return Capacity(key, "group", name, ids, value, sources, note)


def _states_note(net: Network, element: str, links: Iterable[str]) -> str:
    """The dated states that scale this capacity on the network's date, in words."""
    from corridor.network.states import states_on

    hit = {element, *links}
    names = [
        f"includes × {s.capacity_factor:g} for {s.id} (since {s.start.isoformat()})"
        for s in states_on(net)
        if s.capacity_factor != 1.0 and (hit & set(s.targets))
    ]
    return "; ".join(names)


def _dated(cap: Capacity, row: CapacityRow | None, net: Network) -> Capacity:
    """A link or group capacity with its row's year, override and use by other traffic."""
    if row is None:
        states = _states_note(net, cap.id, cap.links)
        return replace(cap, note="; ".join(p for p in (cap.note, states) if p)) if states else cap
    total = cap.capacity_t_per_year
    note, sources = cap.note, cap.sources
    if row.capacity_t_per_year is not None:
        total = row.capacity_t_per_year
        sources = row.sources.get("capacity_t_per_year", ())
        note = f"{total:,.0f} t/yr from capacities.csv {row.id} (replaces the links.csv figure)"
    return _with_use(replace(cap, note=note, sources=sources), total, row, net)


def _node_capacity(net: Network, row: CapacityRow) -> Capacity:
    node = net.node(row.element)
    what = "/".join(row.cargo_classes) or "all cargo"
    by = f" leaving by {'/'.join(row.modes)}" if row.modes else " leaving"
    name = f"{node.name_en}: {what}{by}"
    total = float(row.capacity_t_per_year or 0.0)
    cap = Capacity(
        row.id,
        "node",
        name,
        (),
        total,
        row.sources.get("capacity_t_per_year", ()),
        "",
        node=node.id,
        cargo_classes=row.cargo_classes,
        modes=row.modes,
    )
    return _with_use(cap, total, row, net)


def _with_use(cap: Capacity, total: float, row: CapacityRow, net: Network) -> Capacity:
    used = row.used_t_per_year
    left = max(total - (used or 0.0), 0.0)
    parts = [p for p in (cap.note, _states_note(net, row.element, cap.links)) if p]
    if used is None:
        parts.append("use by other traffic not known (counted 0)")
    else:
        parts.append(f"{used:,.0f} t/yr used by other traffic ({row.used_year or row.year})")
        if used > total:
            parts.append("current use exceeds the capacity after season and states: none left")
    extra = row.sources.get("used_t_per_year", ())
    return replace(
        cap,
        capacity_t_per_year=left,
        total_t_per_year=total,
        used_t_per_year=used,
        year=row.year,
        used_year=row.used_year,
        sources=tuple(dict.fromkeys((*cap.sources, *extra))),
        note="; ".join(parts),
    )


def capacity_of_link(net: Network) -> Mapping[str, str]:
    """Link id -> id of the link or group capacity it draws on (absent: none)."""
    return net.derived.get(
        "capacity_of_link",
        lambda: {link: cap.id for cap in capacities(net).values() for link in cap.links},
    )


def node_capacities(net: Network) -> Mapping[str, tuple[Capacity, ...]]:
    """Node id -> the node capacities that tonnes leaving it may draw on."""

    def build() -> Mapping[str, tuple[Capacity, ...]]:
        out: dict[str, list[Capacity]] = {}
        for cap in capacities(net).values():
            if cap.kind == "node":
                out.setdefault(cap.node, []).append(cap)
        return {k: tuple(v) for k, v in out.items()}

    return net.derived.get("node_capacities", build)


def draws_on(net: Network, cargo_class: str, link: Link, tail: str) -> tuple[str, ...]:
    """Capacity ids drawn on by a tonne of ``cargo_class`` moving on ``link`` out of ``tail``.

    The link's own (or its group's) capacity, and every capacity of the node it leaves
    that counts this cargo class and mode.
    """
    own = capacity_of_link(net).get(link.id)
    out = [own] if own is not None else []
    out += [c.id for c in node_capacities(net).get(tail, ()) if c.counts(cargo_class, link.mode)]
    return tuple(out)


# --------------------------------------------------------------------------- LP plumbing
