"""Model validation: the model beside published route-level figures.

``data/validation.csv`` holds published figures (end-to-end days, through-rates, corridor
volumes and capacities, line speeds), each marked

``calibration``
    the figure was used to derive an input, so agreeing with it proves nothing; it is shown
    to make the circle visible;
``validation``
    the figure was never used to derive an input (a test checks that no row of any network
    table, and no source's method, cites its source): agreeing with it is evidence.

Each row has a ``query`` saying what the model computes for it:

``route:COMMODITY:ORIGIN:DESTINATION:VIA|VIA``
    the cheapest route from origin to destination passing every ``VIA`` node (of the 20
    cheapest); metrics ``days_mean``, ``days_p95``, ``rail_usd_per_feu`` (rail freight
    per tonne × 26.5 t per FEU);
``capacity_total:ID|ID`` / ``capacity_used:ID|ID``
    the sum of the capacities' totals (all users) or of their use by other traffic;
``link_speed:ID|ID`` or ``link_speed:CC``
    distance-weighted speed (km/day) of a block container train on the links, or on the
    rail links within a country;
``sim:COMMODITY:ORIGIN:DESTINATION``
    the discrete-event simulation of the Caspian queues (:mod:`corridor.sim`) of 10,000 t on
    that route: metrics ``days_mean``, ``days_p95`` and ``throughput:NAME`` (t/yr through a
    port or fleet of the simulation, e.g. ``throughput:KZ_KURYK``). Computed only when a
    number of replications is given (it takes about 0.1 s a replication).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from corridor.errors import Problem, RequestError
from corridor.i18n import Joined, Message, Named
from corridor.network.model import Network

if TYPE_CHECKING:
    from corridor.sim.result import SimResult

USES = ("calibration", "validation")
FEU_T = 26.5
"""Tonnes per FEU in the through-rate derivation of est_rail_tariff_cr."""
SEARCH_K = 20


class ValidationTableError(RequestError):
    """The validation table is malformed (lists file, row and field)."""


@dataclass(frozen=True)
class Published:
    """One published figure of ``validation.csv``."""

    id: str
    figure: str
    use: str
    query: str
    metric: str
    low: float
    high: float
    unit: str
    year: int
    source: str
    note: str
    figure_ja: str = ""
    """The figure in Japanese (optional column; empty: show the English)."""


@dataclass(frozen=True)
class Check:
    """A published figure and the model's value for it."""

    published: Published
    model: float | None
    detail: str

    @property
    def inside(self) -> bool | None:
        """Whether the model falls inside the published range (None: no model value)."""
        if self.model is None:
            return None
        p = self.published
        return p.low * (1 - 1e-9) <= self.model <= p.high * (1 + 1e-9)

    def to_dict(self) -> dict[str, Any]:
        p = self.published
        return {
            "id": p.id,
            "figure": p.figure,
            "use": p.use,
            "low": p.low,
            "high": p.high,
            "unit": p.unit,
            "year": p.year,
            "source": p.source,
            "model": None if self.model is None else round(self.model, 2),
            "inside": self.inside,
            "detail": self.detail,
            "note": p.note,
        }


def load_published(text: str | None = None, name: str = "validation.csv") -> list[Published]:
    """The published figures (the bundled table unless ``text`` is given).

    Raises
    ------
    ValidationTableError
        Naming the file, row and field of every malformed cell.
    """
    if text is None:
        text = resources.files("corridor").joinpath("data/validation.csv").read_text("utf-8")
    problems: list[Problem] = []
    out = []
    for line, row in enumerate(csv.DictReader(text.splitlines()), start=2):
        values: dict[str, Any] = {}
        for key in ("id", "figure", "use", "query", "metric", "unit", "source"):
            values[key] = (row.get(key) or "").strip()
            if not values[key]:
                problems.append(Problem(name, line, key, Message("val_empty")))
        if values["use"] and values["use"] not in USES:
            choices = Joined(" or ", USES, "・")
            why = Message("val_not_use", value=values["use"], choices=choices)
            problems.append(Problem(name, line, "use", why))
        for key in ("low", "high", "year"):
            try:
                values[key] = float(row.get(key) or "")
            except ValueError:
                why = Message("val_not_number", value=row.get(key))
                problems.append(Problem(name, line, key, why))
        if not problems:
            if values["low"] > values["high"]:
                problems.append(Problem(name, line, "high", Message("val_below_low")))
            values["year"] = int(values["year"])
            values["note"] = (row.get("note") or "").strip()
            values["figure_ja"] = (row.get("figure_ja") or "").strip()
            out.append(Published(**values))
    if problems:
        lines = Joined("\n", [_problem(p) for p in problems])
        raise ValidationTableError(
            Message("val_table_problems", n=len(problems), name=name, lines=lines)
        )
    return out


SIM_VOLUME_T = 10_000.0
"""Tonnes of the traced cargo in a ``sim:`` check."""


def validate_model(
    network: Network | None = None,
    published: list[Published] | None = None,
    *,
    replications: int = 0,
    seed: int = 0,
) -> list[Check]:
    """The model's value beside every published figure.

    Parameters
    ----------
    network : Network, optional
        Default: the bundled network as of today.
    published : list of Published, optional
        Default: the bundled ``validation.csv``.
    replications, seed : int
        Replications and seed of the simulation for ``sim:`` rows; with 0 replications
        those rows get no model value.
    """
    from corridor.analysis.queries import default_network

    net = network or default_network()
    rows = published if published is not None else load_published()
    if replications:
        from corridor.sim.run import check_runs  # the simulation is an extra (SimPy)

        check_runs(replications, seed)
    sims: dict[str, SimResult] = {}
    return [_check(net, p, sims, replications, seed) for p in rows]


def _check(
    net: Network, p: Published, sims: dict[str, SimResult], replications: int, seed: int
) -> Check:
    kind, _, rest = p.query.partition(":")
    try:
        if kind == "sim":
            return _sim_check(net, p, rest, sims, replications, seed)
        if kind == "route":
            return _route_check(net, p, rest)
        if kind in ("capacity_total", "capacity_used"):
            return _capacity_check(net, p, kind, rest.split("|"))
        if kind == "link_speed":
            return _speed_check(net, p, rest.split("|"))
    except RequestError as exc:
        error = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
        return Check(p, None, Message("val_no_answer", error=error))
    return Check(p, None, Message("val_unknown_query", kind=kind))


def _sim_check(
    net: Network,
    p: Published,
    rest: str,
    sims: dict[str, SimResult],
    replications: int,
    seed: int,
) -> Check:
    if not replications:
        return Check(p, None, Message("val_cli_not_simulated"))
    if rest not in sims:
        from corridor.sim.run import simulate

        commodity, origin, destination = [*rest.split(":"), "", "", ""][:3]
        sims[rest] = simulate(
            net, commodity, origin, destination, SIM_VOLUME_T, replications=replications, seed=seed
        )
    r = sims[rest]
    route = Joined(" → ", [_place(net, n) for n in r.route_nodes])
    detail = Message("val_sim_detail", n=r.replications, seed=r.seed, route=route)
    if p.metric == "days_mean":
        ci = f"{r.end_to_end_days.half_width:.1f}"
        return Check(p, r.end_to_end_days.mean, Message("val_sim_ci", detail=detail, ci=ci))
    if p.metric == "days_p95":
        return Check(p, r.p95_days, detail)
    name = p.metric.removeprefix("throughput:")
    if p.metric.startswith("throughput:") and name in r.throughput_t_per_year:
        return Check(p, r.throughput_t_per_year[name].mean, detail)
    return Check(p, None, Message("val_sim_no_metric", metric=p.metric))


def _route_check(net: Network, p: Published, rest: str) -> Check:
    from corridor.analysis.queries import routes

    commodity, origin, destination, *via_part = rest.split(":")
    via = [v for v in (via_part[0] if via_part else "").split("|") if v]
    found = routes(commodity, origin, destination, k=SEARCH_K, network=net).routes
    passing = [r for r in found if all(v in r.nodes for v in via)]
    if not passing:
        through = Joined(", ", [_place(net, v) for v in via], "、")
        return Check(p, None, Message("val_no_route_through", via=through, k=SEARCH_K))
    r = passing[0]
    if p.metric == "days_mean":
        value = r.days_mean
    elif p.metric == "days_p95":
        value = r.days_p95
    elif p.metric == "rail_usd_per_feu":
        rail = [leg for leg in r.legs if leg.kind == "link" and leg.mode == "rail"]
        value = sum(leg.parts.get("freight", 0.0) for leg in rail) * FEU_T
    else:
        return Check(p, None, Message("val_unknown_metric", metric=p.metric))
    places = Joined(" › ", [_place(net, place) for place, _ in r.signature])
    detail = Message(
        "val_cli_route_detail",
        origin=_place(net, origin),
        gateways=places,
        mean=f"{r.days_mean:.1f}",
        p95=f"{r.days_p95:.1f}",
    )
    return Check(p, value, detail)


def _capacity_check(net: Network, p: Published, kind: str, ids: list[str]) -> Check:
    from corridor.optimize.capacity import capacities

    caps = capacities(net)
    missing = [i for i in ids if i not in caps]
    if missing:
        return Check(p, None, Message("val_no_capacity", ids=", ".join(missing)))
    if kind == "capacity_total":
        value = sum(caps[i].total for i in ids)
    else:
        value = sum(caps[i].used_t_per_year or 0.0 for i in ids)
    return Check(p, value, Joined(" + ", [_capacity(net, i) for i in ids]))


def _speed_check(net: Network, p: Published, ids: list[str]) -> Check:
    """Speed of a block container train on the links (the class the quoted speeds are of)."""
    from corridor.costs import Assumptions, rail_days

    if len(ids) == 1 and len(ids[0]) == 2:
        links = [link for link in net.links if link.mode == "rail" and link.countries == (ids[0],)]
    else:
        links = [net.link(i) for i in ids]
    box = next(c for c in net.commodities if c.cargo_class == "container")
    block = Assumptions(service="block")
    days = sum(rail_days(net, link, box, block)[0] for link in links)
    km = sum(link.distance_km for link in links)
    if not days:
        return Check(p, None, Message("val_no_links"))
    detail = Message("val_cli_speed_detail", n=len(links), km=f"{km:,.0f}", days=f"{days:.1f}")
    return Check(p, km / days, detail)


def circular_sources(net: Network, published: list[Published]) -> dict[str, list[str]]:
    """Validation sources that some input cites: source id -> where (should be empty)."""
    wanted = {p.source for p in published if p.use == "validation"}
    out: dict[str, list[str]] = {}
    from corridor.network.schema import TABLES

    for table in TABLES:
        for record in getattr(net, table):
            cited = getattr(record, "sources", None) or {}
            pairs = cited.items() if isinstance(cited, Mapping) else [("sources", cited)]
            for col, ids in pairs:
                for sid in set(ids) & wanted:
                    out.setdefault(sid, []).append(f"{table}.{record.id}.{col}")
    for src in net.sources:
        for sid in wanted - {src.id}:
            if sid in src.method:
                out.setdefault(sid, []).append(f"sources.{src.id}.method")
    return out


def _place(net: Network, node_id: str) -> Named:
    """A node id, with its Japanese name for a face that localises."""
    from corridor.network.names import place_name

    if not net.has("nodes", node_id):
        return Named(node_id)
    node = net.node(node_id)
    return Named(node_id, place_name(node, "ja") if node.name_ja else "")


def _problem(p: Problem) -> Message:
    """One problem of the validation table as a line of the error, in the reader's language."""
    return Message("val_table_problem", file=p.file, row=p.row, column=p.column, message=p.message)


def _capacity(net: Network, capacity: str) -> Named:
    """A capacity id, with its element's Japanese name for a face that localises."""
    from corridor.optimize.capacity import capacities
    from corridor.uncertainty.labels import element_name

    cap = capacities(net).get(capacity)
    element = capacity if cap is None else (cap.node or capacity)
    return Named(capacity, element_name(net, element, "ja"))
