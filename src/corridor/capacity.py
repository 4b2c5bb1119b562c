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

The small LP plumbing shared with :mod:`corridor.planning` (:class:`LinearProgram`,
:class:`HighsModel`) lives here too.
"""

from __future__ import annotations

import os
import sys
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from typing import Any

import highspy
import numpy as np
from scipy.sparse import coo_matrix, csc_matrix

from corridor.costs import Assumptions
from corridor.errors import RequestError
from corridor.graph import CommodityGraph
from corridor.network import CapacityRow, Link, Network

FAMILIES = ("china", "trans_caspian", "russia", "south")
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


@lru_cache(maxsize=16)
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
    from corridor.states import states_on

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


@lru_cache(maxsize=16)
def capacity_of_link(net: Network) -> Mapping[str, str]:
    """Link id -> id of the link or group capacity it draws on (absent: none)."""
    return {link: cap.id for cap in capacities(net).values() for link in cap.links}


@lru_cache(maxsize=16)
def node_capacities(net: Network) -> Mapping[str, tuple[Capacity, ...]]:
    """Node id -> the node capacities that tonnes leaving it may draw on."""
    out: dict[str, list[Capacity]] = {}
    for cap in capacities(net).values():
        if cap.kind == "node":
            out.setdefault(cap.node, []).append(cap)
    return {k: tuple(v) for k, v in out.items()}


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


@dataclass
class LinearProgram:
    """A linear program in matrix form: optimise ``cost @ x`` subject to bounds.

    ``row_lower <= matrix @ x <= row_upper`` and ``col_lower <= x <= col_upper``; use
    ``numpy.inf`` for a missing bound. The same arrays can be handed to any solver (the
    benchmark builds the identical model in PuLP).
    """

    cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    matrix: csc_matrix
    row_lower: np.ndarray
    row_upper: np.ndarray
    maximise: bool = False

    @classmethod
    def from_triplets(
        cls,
        cost: Sequence[float],
        rows: Sequence[int],
        cols: Sequence[int],
        values: Sequence[float],
        row_bounds: Sequence[tuple[float, float]],
        col_upper: Sequence[float] | None = None,
        maximise: bool = False,
    ) -> LinearProgram:
        """Build from (row, col, value) entries; columns are non-negative."""
        n, m = len(cost), len(row_bounds)
        mat = coo_matrix((values, (rows, cols)), shape=(m, n)).tocsc()
        bounds = np.asarray(row_bounds, dtype=float).reshape(m, 2)
        upper = np.full(n, np.inf) if col_upper is None else np.asarray(col_upper, dtype=float)
        return cls(
            np.asarray(cost, dtype=float),
            np.zeros(n),
            upper,
            mat,
            bounds[:, 0].copy(),
            bounds[:, 1].copy(),
            maximise,
        )


@dataclass(frozen=True)
class LpSolution:
    """Optimal values and duals of a :class:`LinearProgram`.

    ``row_dual`` follows HiGHS: the change of the objective per unit increase of the
    row's active bound.
    """

    objective: float
    x: np.ndarray
    row_dual: np.ndarray
    row_value: np.ndarray


@cache
def _silence_banner() -> None:
    """HiGHS prints a banner to stdout at the first ``Highs()`` of a process.

    Standard output must stay clean for ``--format json``, so the first instance is made
    with the process's stdout briefly pointed at /dev/null.
    """
    sys.stdout.flush()
    saved = os.dup(1)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        highspy.Highs()  # type: ignore[no-untyped-call]
    finally:
        os.dup2(saved, 1)
        os.close(null)
        os.close(saved)


class HighsModel:
    """A :class:`LinearProgram` loaded into HiGHS; row bounds can change between solves."""

    def __init__(self, lp: LinearProgram) -> None:
        _silence_banner()
        self.lp = lp
        self.highs = highspy.Highs()  # type: ignore[no-untyped-call]
        self.highs.setOptionValue("output_flag", False)
        model = highspy.HighsLp()
        model.num_col_ = len(lp.cost)
        model.num_row_ = len(lp.row_lower)
        model.col_cost_ = lp.cost
        model.col_lower_ = lp.col_lower
        model.col_upper_ = lp.col_upper
        model.row_lower_ = lp.row_lower
        model.row_upper_ = lp.row_upper
        model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        model.a_matrix_.start_ = lp.matrix.indptr
        model.a_matrix_.index_ = lp.matrix.indices
        model.a_matrix_.value_ = lp.matrix.data
        if lp.maximise:
            model.sense_ = highspy.ObjSense.kMaximize
        self.highs.passModel(model)

    def set_row_bounds(self, rows: Iterable[int], lower: float, upper: float) -> None:
        for r in rows:
            self.highs.changeRowBounds(int(r), lower, upper)

    def restore_row_bounds(self, rows: Iterable[int]) -> None:
        for r in rows:
            self.highs.changeRowBounds(int(r), self.lp.row_lower[r], self.lp.row_upper[r])

    def solve(self) -> LpSolution:
        """Solve; raise RuntimeError unless HiGHS reports an optimum."""
        self.highs.run()
        status = self.highs.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"HiGHS: {self.highs.modelStatusToString(status)}")
        sol = self.highs.getSolution()
        return LpSolution(
            float(self.highs.getInfo().objective_function_value),
            np.asarray(sol.col_value, dtype=float),
            np.asarray(sol.row_dual, dtype=float),
            np.asarray(sol.row_value, dtype=float),
        )


# --------------------------------------------------------------------------- max flow


@dataclass(frozen=True)
class CapacityUse:
    """How much of one capacity a maximum flow uses, and whether it binds.

    Attributes
    ----------
    capacity : Capacity
        The capacity.
    used_t_per_year : float
        Tonnes per year it carries in the cheapest way to carry the maximum.
    marginal_t_per_t : float
        Extra tonnes per year deliverable per extra tonne per year of this capacity (the
        LP dual): 1 for a link of the minimum cut, 0 for a capacity that does not bind.
    """

    capacity: Capacity
    used_t_per_year: float
    marginal_t_per_t: float

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.capacity.to_dict(),
            "used_t_per_year": round(self.used_t_per_year, 1),
            "marginal_t_per_t": round(self.marginal_t_per_t, 4),
        }


@dataclass(frozen=True)
class CapacityRequest:
    """What a capacity analysis asks (ids checked against the network)."""

    commodity: str
    origins: tuple[str, ...]
    destinations: tuple[str, ...]
    avoid: tuple[str, ...] = ()
    families: tuple[str, ...] = ()

    def check(self, net: Network) -> None:
        """Raise RequestError naming the first unknown or contradictory id."""
        net.commodity(self.commodity)
        if not self.origins or not self.destinations:
            raise RequestError("give at least one origin and one destination")
        for node in (*self.origins, *self.destinations):
            net.node(node)
        both = sorted(set(self.origins) & set(self.destinations))
        if both:
            raise RequestError(f"{', '.join(both)}: a place cannot be origin and destination")
        for e in self.avoid:
            net.exposure(e)
        for f in self.families:
            if f not in FAMILIES:
                raise RequestError(f"unknown route family '{f}' (one of {', '.join(FAMILIES)})")

    def to_dict(self) -> dict[str, Any]:
        return {
            "commodity": self.commodity,
            "origins": list(self.origins),
            "destinations": list(self.destinations),
            "avoid": list(self.avoid),
            "families": list(self.families),
        }


@dataclass(frozen=True)
class CapacityResult:
    """Maximum tonnes per year from the origins to the destinations, and what limits it.

    Attributes
    ----------
    request : CapacityRequest
        What was asked.
    max_t_per_year : float or None
        The maximum; None when no capacity figure limits the corridor (see ``reason``).
    reason : str
        Why there is no maximum (empty otherwise).
    bottlenecks : tuple of CapacityUse
        The binding bottleneck set (a minimum cut; others of equal size may exist):
        capacities with a positive dual, largest first. Their capacities times their
        marginals add up to the maximum.
    flows : mapping of str to float
        Link id -> tonnes per year in the cheapest way to carry the maximum (both
        directions added).
    utilisation : tuple of CapacityUse
        Every finite capacity the commodity can use, with its flow.
    data_version : str
        Hash of the network tables the answer was computed on.
    """

    request: CapacityRequest
    max_t_per_year: float | None
    reason: str
    bottlenecks: tuple[CapacityUse, ...]
    flows: Mapping[str, float]
    utilisation: tuple[CapacityUse, ...]
    data_version: str
    network: Network = field(repr=False, compare=False)
    kind: str = "capacity"
    total_t_per_year: float | None = None
    """The maximum if no other traffic used the capacities (the corridor's total)."""

    @property
    def parameters(self) -> dict[str, Any]:
        return self.request.to_dict()

    def headline(self) -> dict[str, float | None]:
        return {"max_t_per_year": self.max_t_per_year}

    def summary(self) -> str:
        """One sentence: the maximum and what binds, or why there is no maximum."""
        if self.max_t_per_year is None:
            return self.reason
        r = self.request
        names = "; ".join(
            f"{b.capacity.id} ({b.capacity.name}, figure of {b.capacity.year or 'unknown year'})"
            for b in self.bottlenecks
        )
        total = self.total_t_per_year
        of = f" (of {total:,.0f} t/yr in total, other traffic included)" if total else ""
        return (
            f"at most {self.max_t_per_year:,.0f} t/yr of {r.commodity} left for this user "
            f"from {', '.join(r.origins)} to {', '.join(r.destinations)}{of}; binding: {names}"
        )

    def to_dict(self) -> dict[str, Any]:
        mx = self.max_t_per_year
        return {
            "kind": self.kind,
            "request": self.request.to_dict(),
            "max_t_per_year": None if mx is None else round(mx, 1),
            "total_t_per_year": None
            if self.total_t_per_year is None
            else round(self.total_t_per_year, 1),
            "as_of": None if self.network.as_of is None else self.network.as_of.isoformat(),
            "unbounded_reason": self.reason or None,
            "summary": self.summary(),
            "bottlenecks": [b.to_dict() for b in self.bottlenecks],
            "flows": [{"link": k, "t_per_year": round(v, 1)} for k, v in self.flows.items()],
            "utilisation": [u.to_dict() for u in self.utilisation],
            "data_version": self.data_version,
        }

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        """Rows of the result tables kept by the run store."""
        return {
            "link_flows": [
                {"link": k, "commodity": self.request.commodity, "t_per_year": v}
                for k, v in self.flows.items()
            ],
            "utilisation": [
                {
                    "capacity": u.capacity.id,
                    "name": u.capacity.name,
                    "capacity_t_per_year": u.capacity.capacity_t_per_year,
                    "used_t_per_year": u.used_t_per_year,
                    "shadow_price": u.marginal_t_per_t,
                    "shadow_unit": "t/yr per t/yr",
                }
                for u in self.utilisation
            ],
        }


def max_flow(
    commodity: str,
    origins: str | Iterable[str],
    destinations: str | Iterable[str],
    *,
    avoid: Iterable[str] = (),
    families: Iterable[str] = (),
    network: Network | None = None,
    assumptions: Assumptions | None = None,
) -> CapacityResult:
    """The most tonnes per year of ``commodity`` the network can carry, and what binds.

    Parameters
    ----------
    commodity : str
        Commodity id.
    origins, destinations : str or iterable of str
        Node ids; flow may leave any origin and reach any destination.
    avoid : iterable of str
        Country or chokepoint ids no flow may touch (hard filter, as for routes).
    families : iterable of str
        Route families to use (``domestic`` and ``japan`` links are always allowed).
    network : Network, optional
        Default: the bundled network.
    assumptions : Assumptions, optional
        Prices the links, which decides the cheapest way to carry the maximum.

    Returns
    -------
    CapacityResult
        The maximum, the minimum cut with each capacity's figure and sources, and the
        flow per link; or, if some path has no capacity figure at all, no maximum and a
        sentence naming that path.

    Raises
    ------
    RequestError
        Unknown ids, or no route at all (naming what blocks it).
    """
    from corridor.api import _graph, default_network
    from corridor.store import data_version

    net = network or default_network()
    a = assumptions or Assumptions()
    req = CapacityRequest(
        commodity, _ids(origins), _ids(destinations), tuple(avoid), tuple(families)
    )
    req.check(net)
    g = _graph(net, commodity, a, req.avoid, req.families)
    draws = _edge_draws(g)
    src = [v for o in req.origins for v in g.node_vertices.get(o, [])]
    dst = {v for d in req.destinations for v in g.node_vertices.get(d, [])}
    if _path(g, src, dst, {}) is None:
        _raise_no_route(net, req, a)
    free = _path(g, src, dst, draws)
    if free is not None:
        reason = (
            f"no capacity figure limits this corridor: the path {' → '.join(free[0])} uses "
            f"only links and places with no capacity figure ({', '.join(free[1])}); give "
            "those links a capacity_t_per_year (or a capacities.csv row) to get a maximum"
        )
        return CapacityResult(req, None, reason, (), {}, (), data_version(net), net)
    caps = [capacities(net)[c] for c in sorted({c for ids in draws.values() for c in ids})]
    flows, value, duals = _solve_max_flow(g, src, sorted(dst), caps, draws)
    util = tuple(
        CapacityUse(c, _used(g, flows, draws, c.id), float(duals[i])) for i, c in enumerate(caps)
    )
    cut = sorted(
        (u for u in util if u.marginal_t_per_t > TOL),
        key=lambda u: -u.marginal_t_per_t * u.capacity.capacity_t_per_year,
    )
    gross = [replace(c, capacity_t_per_year=c.total) for c in caps]
    total = _solve_max_flow(g, src, sorted(dst), gross, draws)[1]
    return CapacityResult(
        req,
        value,
        "",
        tuple(cut),
        _link_flows(g, flows),
        util,
        data_version(net),
        net,
        total_t_per_year=total,
    )


def _edge_draws(g: CommodityGraph) -> dict[int, tuple[str, ...]]:
    """Edge index -> capacities it draws on (edges drawing on none are absent)."""
    out: dict[int, tuple[str, ...]] = {}
    cls = g.commodity.cargo_class
    for j, e in enumerate(g.edges):
        if e.link is not None:
            ids = draws_on(g.net, cls, e.link, g.vertices[e.tail][0])
            if ids:
                out[j] = ids
    return out


def _used(
    g: CommodityGraph, flows: np.ndarray, draws: Mapping[int, tuple[str, ...]], cap: str
) -> float:
    return float(sum(flows[j] for j, ids in draws.items() if cap in ids))


def _link_flows(g: CommodityGraph, x: np.ndarray) -> dict[str, float]:
    flows: dict[str, float] = {}
    for j, e in enumerate(g.edges):
        if e.link is not None and x[j] > TOL:
            flows[e.link.id] = flows.get(e.link.id, 0.0) + float(x[j])
    return flows


def _ids(value: str | Iterable[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(dict.fromkeys(value))


def _raise_no_route(net: Network, req: CapacityRequest, a: Assumptions) -> None:
    from corridor.api import explain_no_route

    reasons = [
        explain_no_route(net, req.commodity, o, d, req.avoid, a, req.families)
        for o in req.origins
        for d in req.destinations
    ]
    raise RequestError("; ".join(dict.fromkeys(reasons)))


def _path(
    g: CommodityGraph, src: list[int], dst: set[int], blocked: Mapping[int, object]
) -> tuple[list[str], list[str]] | None:
    """A path from a source to a destination avoiding the edges in ``blocked``, if any.

    Returns the places passed and the links used (breadth first: fewest edges).
    """
    parent: dict[int, int | None] = dict.fromkeys(src)
    todo = deque(src)
    while todo:
        v = todo.popleft()
        if v in dst:
            return _unwind(g, parent, v)
        for ei in g.out[v]:
            if ei in blocked:
                continue
            e = g.edges[ei]
            if e.head not in parent:
                parent[e.head] = ei
                todo.append(e.head)
    return None


def _unwind(
    g: CommodityGraph, parent: Mapping[int, int | None], v: int
) -> tuple[list[str], list[str]]:
    places = [g.vertices[v][0]]
    links: list[str] = []
    ei = parent[v]
    while ei is not None:
        e = g.edges[ei]
        if e.link is not None:
            links.append(e.link.id)
            places.append(g.vertices[e.tail][0])
        ei = parent[e.tail]
    return list(reversed(places)), list(reversed(links))


def _solve_max_flow(
    g: CommodityGraph,
    src: list[int],
    dst: list[int],
    caps: Sequence[Capacity],
    draws: Mapping[int, tuple[str, ...]],
) -> tuple[np.ndarray, float, np.ndarray]:
    """Maximise delivered tonnes, then carry that maximum at least cost.

    Columns: one per edge, one supply per origin vertex, one delivery per destination
    vertex. Rows: conservation at every vertex, then one row per capacity (both
    directions of a link, every link of a group and every edge leaving a limited node
    draw on the same row).
    Returns (edge flows, maximum, capacity duals of the first solve).
    """
    n_edges, n_vertices = len(g.edges), len(g.vertices)
    cap_row = {c.id: n_vertices + i for i, c in enumerate(caps)}
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for j, e in enumerate(g.edges):
        rows += [e.tail, e.head]
        cols += [j, j]
        vals += [-1.0, 1.0]
        for cap in draws.get(j, ()):
            rows.append(cap_row[cap])
            cols.append(j)
            vals.append(1.0)
    ends = [(v, 1.0) for v in src] + [(v, -1.0) for v in dst]
    for k, (v, sign) in enumerate(ends):
        rows.append(v)
        cols.append(n_edges + k)
        vals.append(sign)
    delivery = list(range(n_edges + len(src), n_edges + len(ends)))
    gain = [0.0] * (n_edges + len(src)) + [1.0] * len(dst)
    bounds = [(0.0, 0.0)] * n_vertices + [(-np.inf, c.capacity_t_per_year) for c in caps]
    first = HighsModel(
        LinearProgram.from_triplets(gain, rows, cols, vals, bounds, maximise=True)
    ).solve()
    # Second solve: the same maximum at least cost, so the flows are ones a user would plan.
    cheapest = LinearProgram.from_triplets(
        [e.cost for e in g.edges] + [0.0] * len(ends),
        [*rows, *([len(bounds)] * len(dst))],
        [*cols, *delivery],
        [*vals, *([1.0] * len(dst))],
        [*bounds, (first.objective, np.inf)],
    )
    x = HighsModel(cheapest).solve().x[:n_edges]
    return x, first.objective, np.abs(first.row_dual[n_vertices:])
