"""Build the simulation's inputs from the Network, a route and the resource table.

The result, a :class:`ModelSpec`, is plain data (no Network, no SimPy), so replications can
be shipped to Dask workers and run anywhere with the same numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from corridor.errors import RequestError
from corridor.network import Network
from corridor.routing.route import Route
from corridor.sim._params import SimParams, lognormal

HOURS_PER_DAY = 24.0
_YARD_TEU = "yard_teu_per_day_"
_YARD_T = "yard_t_per_day_"


@dataclass(frozen=True)
class WhatIf:
    """A change to the base case.

    Attributes
    ----------
    handling_factor : float
        Multiplier on the loading/unloading rate (moves per hour) at ``handling_port``: of the
        rail ferries and feeders at a Caspian port, of the container berths at Poti.
    handling_port : str or None
        Port node the factor applies to (None: every Caspian port and every port with
        container berths).
    extra_ferries : int
        Ferries added to the pool.
    customs_cut_hours : float
        Hours taken off every customs, port or border dwell (not below zero).
    second_track : bool
        Dostyk–Moyinty double track: faster trains on its links, doubled gauge-change yards.
    storm_factor : float
        Multiplier on the storm closure days (2 = a season twice as stormy).
    extra_berths : int
        Container berths added at every port whose berths are modelled (Poti).
    """

    handling_factor: float = 1.0
    handling_port: str | None = None
    extra_ferries: int = 0
    customs_cut_hours: float = 0.0
    second_track: bool = False
    storm_factor: float = 1.0
    extra_berths: int = 0

    def check(self) -> None:
        """Raise RequestError on a value that makes no sense."""
        for name in ("handling_factor", "storm_factor", "customs_cut_hours"):
            v = getattr(self, name)
            if not math.isfinite(v) or v < 0 or (name == "handling_factor" and v == 0):
                raise RequestError(f"what-if {name} must be a finite number above zero, got {v}")
        for name in ("extra_ferries", "extra_berths"):
            if getattr(self, name) < 0:
                raise RequestError(f"what-if {name} must be ≥ 0, got {getattr(self, name)}")


@dataclass(frozen=True)
class Stage:
    """One step of a consignment's path.

    ``kind``: travel, customs, handling (lognormal hours ``mu``/``sigma``), yard (a
    gauge-change queue at ``node``), ferry (the port queue at ``node``, the crossing and the
    unloading), feeder (the same with the container feeders, in TEU), consolidate (the
    class 7 charter lot at ``node``), call (the wait at ``node`` for the next call of a
    container liner running every ``hours``, and, where the port's berths are modelled, for
    that liner to get a berth and load).
    """

    kind: str
    node: str
    label: str
    mu: float = -math.inf
    sigma: float = 0.0
    hours: float = 0.0
    """Hours the traced train holds a gauge-change yard (yard stages); hours between two
    calls of the liner (call stages)."""


@dataclass(frozen=True)
class PortSpec:
    node: str
    berths: int
    load_hours: float
    share: float
    """Share of the background trains loaded here."""
    direct_trains_per_hour: float
    customs: tuple[float, float]
    """(mu, sigma) of the port's customs dwell in hours."""


@dataclass(frozen=True)
class YardSpec:
    node: str
    service_hours: float
    """Hours one background train holds the yard."""
    trains_per_hour: float
    rail_hours: tuple[tuple[str, float], ...]
    """Rail time from the yard to each ferry port."""


@dataclass(frozen=True)
class FleetSpec:
    """A second Caspian fleet, the container feeders: boxes without wagons, counted in TEU.

    ``ports`` are the loading ports (their ``load_hours`` the loading of one call, their
    ``direct_trains_per_hour`` the other shippers' container trains); the rest as the ferry
    fields of :class:`ModelSpec`.
    """

    ports: tuple[PortSpec, ...]
    arrival_node: str
    arrival_berths: int
    unload_hours: float
    units: int
    capacity_teu: int
    teu_per_wagon: float
    crossing_hours: float
    sailing_rule: str
    max_hold_hours: float
    headway_hours: float


@dataclass(frozen=True)
class BerthSpec:
    """Container berths at a port of call, shared by the liner and other vessels."""

    node: str
    berths: int
    liner_hours: float
    """Hours the liner holds a berth (moves ÷ rate + berthing)."""
    other_hours: float
    """Hours another container vessel holds a berth."""
    other_calls_per_hour: float


@dataclass(frozen=True)
class ModelSpec:
    """Everything one replication needs, as numbers."""

    stages: tuple[Stage, ...]
    ports: tuple[PortSpec, ...]
    arrival_node: str
    arrival_berths: int
    unload_hours: float
    yards: tuple[YardSpec, ...]
    ferry_units: int
    ferry_wagons: int
    crossing_hours: float
    sailing_rule: str
    max_hold_hours: float
    headway_hours: float
    storm_share_nov_dec: float
    storm_days_jan_may: float
    storm_event_days: tuple[float, float]
    class7_lot_t: float
    class7_consignments_per_hour: float
    class7_consignment_t: float
    shipments: int
    shipment_wagons: int
    shipment_t: float
    train_wagons: int
    wagon_t: float
    warmup_hours: float
    horizon_hours: float
    drain_hours: float
    arrivals: str = "poisson"
    route_nodes: tuple[str, ...] = field(default=())
    feeder: FleetSpec | None = None
    call_berths: tuple[BerthSpec, ...] = ()


def pick_route(
    routes: tuple[Route, ...], net: Network, feeder_links: frozenset[str] = frozenset()
) -> Route:
    """The cheapest of ``routes`` that crosses the Caspian on a rail ferry or on one of
    ``feeder_links`` (the container feeders)."""
    for r in routes:
        for leg in r.detail.legs:
            if leg.kind == "link" and (
                net.link(leg.link).mode == "ferry" or leg.link in feeder_links
            ):
                return r
    raise RequestError(
        "none of the cheapest routes crosses the Caspian on a rail ferry or a container "
        "feeder; the simulation models those queues (try a Kazakh origin and a destination "
        "west of the Caspian)"
    )


def feeder_links(p: SimParams) -> frozenset[str]:
    """The container-feeder links the simulation sails as a fleet."""
    return frozenset(filter(None, p.text("feeder_links").split("|")))


def build_model(
    net: Network,
    route: Route,
    params: SimParams,
    volume_t: float,
    *,
    whatif: WhatIf | None = None,
    horizon_days: float = 365.0,
    warmup_days: float = 30.0,
) -> ModelSpec:
    """Turn a route and the resource table into a :class:`ModelSpec`.

    Parameters
    ----------
    net : Network
        Links give transit times, nodes give handling and dwell.
    route : Route
        The traced cargo's route (it must use a ``ferry`` link).
    params : SimParams
        The resource table.
    volume_t : float
        Tonnes of the traced cargo over the horizon, shipped as evenly spaced trains.
    whatif : WhatIf, optional
        A change to the base case.
    horizon_days, warmup_days : float
        Measured period and the warm-up before it (the warm-up ends on 1 January).
    """
    w = whatif or WhatIf()
    w.check()
    if not math.isfinite(volume_t) or volume_t <= 0:
        raise RequestError(f"volume must be a positive number of tonnes, got {volume_t}")
    if not math.isfinite(horizon_days) or not 1 <= horizon_days <= 3660:
        raise RequestError(f"horizon must be 1–3,660 days, got {horizon_days}")
    p = params
    fast = set(p.text("second_track_links").split("|")) if w.second_track else set()
    ratio = p.num("second_track_speed_ratio")
    ferry_links = [lk for lk in net.links if lk.mode == "ferry"]
    ports_ids = list(dict.fromkeys(lk.from_ for lk in ferry_links))
    arrival = ferry_links[0].to
    wagon_t, train_wagons = p.num("wagon_t"), int(p.num("train_wagons"))
    train_t = wagon_t * train_wagons
    year_h = 365.0 * HOURS_PER_DAY
    china_trains = p.num("china_europe_teu_per_year") / (train_wagons * p.num("teu_per_wagon"))
    direct_trains = max(0.0, p.num("background_t_per_year") / train_t - china_trains)
    shares = _port_shares(ports_ids, p.num("aktau_share"))
    ports = tuple(
        PortSpec(
            node=n,
            berths=p.berths(n),
            load_hours=_handling(net, n, w),
            share=shares[n],
            direct_trains_per_hour=direct_trains * shares[n] / year_h,
            customs=_customs(net, n, w),
        )
        for n in ports_ids
    )
    yards = _yards(net, p, w, fast, ratio, china_trains / year_h, ports_ids)
    shipments = max(1, math.ceil(volume_t / train_t))
    if shipments > 5000:
        raise RequestError(
            f"volume {volume_t:,.0f} t is {shipments:,} trains; the traced cargo is limited "
            "to 5,000 trains (about 10 Mt) per horizon"
        )
    shipment_wagons = max(1, math.ceil(volume_t / shipments / wagon_t))
    train = (volume_t / shipments, shipment_wagons)
    feeder = _feeder(net, p, w, train_t)
    fleet_nodes = set(ports_ids) | {arrival}
    if feeder is not None:
        fleet_nodes |= {q.node for q in feeder.ports} | {feeder.arrival_node}
    stages = _stages(net, route, p, w, fast, ratio, fleet_nodes, train)
    storm = w.storm_factor
    return ModelSpec(
        stages=stages,
        ports=ports,
        arrival_node=arrival,
        arrival_berths=p.berths(arrival),
        unload_hours=_handling(net, arrival, w),
        yards=yards,
        ferry_units=int(p.num("ferry_units")) + w.extra_ferries,
        ferry_wagons=max(1, int(p.num("ferry_capacity_wagons") * p.num("low_water_load_factor"))),
        crossing_hours=p.num("ferry_crossing_hours"),
        sailing_rule=p.text("ferry_sailing_rule"),
        max_hold_hours=p.num("ferry_max_hold_hours"),
        headway_hours=p.num("ferry_headway_hours"),
        storm_share_nov_dec=min(1.0, p.num("storm_closed_share_nov_dec") * storm),
        storm_days_jan_may=p.num("storm_days_jan_may") * storm,
        storm_event_days=p.ranges.get("storm_event_days", (p.num("storm_event_days"),) * 2),
        class7_lot_t=p.num("class7_lot_t"),
        class7_consignments_per_hour=p.num("class7_background_t_per_year")
        / p.num("class7_consignment_t")
        / year_h,
        class7_consignment_t=p.num("class7_consignment_t"),
        shipments=shipments,
        shipment_wagons=shipment_wagons,
        shipment_t=volume_t / shipments,
        train_wagons=train_wagons,
        wagon_t=wagon_t,
        warmup_hours=warmup_days * HOURS_PER_DAY,
        horizon_hours=horizon_days * HOURS_PER_DAY,
        drain_hours=180.0 * HOURS_PER_DAY,
        route_nodes=route.detail.nodes,
        feeder=feeder,
        call_berths=_call_berths(p, w),
    )


def _feeder(net: Network, p: SimParams, w: WhatIf, train_t: float) -> FleetSpec | None:
    """The container-feeder fleet on the network's feeder links (None: no such link)."""
    links = [net.link(i) for i in sorted(feeder_links(p)) if net.has("links", i)]
    if not links:
        return None
    year_h = 365.0 * HOURS_PER_DAY
    teu_per_wagon = p.num("teu_per_wagon")
    train_teu = p.num("train_wagons") * teu_per_wagon
    origins = list(dict.fromkeys(lk.from_ for lk in links))
    trains = p.num("feeder_background_teu_per_year") / train_teu / year_h / len(origins)
    call_h = p.num("feeder_call_hours")
    ports = tuple(
        PortSpec(
            node=n,
            berths=p.berths(n, "feeder"),
            load_hours=call_h / w.handling_factor if w.handling_port in (None, n) else call_h,
            share=1.0 / len(origins),
            direct_trains_per_hour=trains,
            customs=_customs(net, n, w),
        )
        for n in origins
    )
    arrival = links[0].to
    unload = call_h / w.handling_factor if w.handling_port in (None, arrival) else call_h
    return FleetSpec(
        ports=ports,
        arrival_node=arrival,
        arrival_berths=p.berths(arrival, "feeder"),
        unload_hours=unload,
        units=int(p.num("feeder_units")),
        capacity_teu=max(1, int(p.num("feeder_capacity_teu") * p.num("low_water_load_factor"))),
        teu_per_wagon=teu_per_wagon,
        crossing_hours=p.num("feeder_crossing_hours"),
        sailing_rule=p.text("feeder_sailing_rule"),
        max_hold_hours=p.num("feeder_max_hold_hours"),
        headway_hours=p.num("feeder_headway_hours"),
    )


def _call_berths(p: SimParams, w: WhatIf) -> tuple[BerthSpec, ...]:
    """Container berths at the liner ports that have ``ctr_*`` rows (Poti)."""
    out = []
    year_h = 365.0 * HOURS_PER_DAY
    for node in filter(None, p.text("liner_ports").split("|")):
        if not p.has(f"ctr_berths_{node}"):
            continue
        rate = p.num(f"ctr_moves_per_hour_{node}")
        if w.handling_port in (None, node):
            rate *= w.handling_factor
        hours = p.num(f"ctr_moves_per_call_{node}") / rate + p.num(f"ctr_berthing_hours_{node}")
        calls = p.num(f"ctr_calls_per_year_{node}") if p.has(f"ctr_calls_per_year_{node}") else 0
        berths = int(p.num(f"ctr_berths_{node}")) + w.extra_berths
        out.append(BerthSpec(node, berths, hours, hours, calls / year_h))
    return tuple(out)


def _port_shares(ports: list[str], aktau_share: float) -> dict[str, float]:
    if "KZ_AKTAU" not in ports or len(ports) == 1:
        return {n: 1.0 / len(ports) for n in ports}
    rest = (1.0 - aktau_share) / (len(ports) - 1)
    return {n: aktau_share if n == "KZ_AKTAU" else rest for n in ports}


def _handling(net: Network, node: str, w: WhatIf) -> float:
    hours = net.node(node).handling_hours
    if w.handling_port in (None, node):
        hours /= w.handling_factor
    return hours


def _customs(net: Network, node: str, w: WhatIf) -> tuple[float, float]:
    n = net.node(node)
    cut = w.customs_cut_hours
    return lognormal(max(0.0, n.dwell_hours - cut), max(0.0, n.dwell_hours_p95 - cut))


def _yard_hours(p: SimParams, node: str, w: WhatIf, tonnes: float, wagons: int) -> float | None:
    """Hours a train of ``wagons`` holds the gauge-change yard at ``node`` (None: no yard)."""
    factor = p.num("second_track_yard_factor") if w.second_track else 1.0
    if f"{_YARD_TEU}{node}" in p.values:
        per_day = p.num(f"{_YARD_TEU}{node}") * factor
        return wagons * p.num("teu_per_wagon") / per_day * HOURS_PER_DAY
    if f"{_YARD_T}{node}" in p.values:
        return tonnes / p.num(f"{_YARD_T}{node}") * HOURS_PER_DAY
    return None


def _yards(
    net: Network,
    p: SimParams,
    w: WhatIf,
    fast: set[str],
    ratio: float,
    china_per_hour: float,
    ports: list[str],
) -> tuple[YardSpec, ...]:
    """The Dostyk and Altynkol yards with the China–Europe trains they pass to the ports."""
    out = []
    shares = {"KZ_DOSTYK": p.num("dostyk_share"), "KZ_ALTYNKOL": 1.0 - p.num("dostyk_share")}
    train_wagons = int(p.num("train_wagons"))
    for node, share in shares.items():
        if not net.has("nodes", node):
            continue
        hours = _yard_hours(p, node, w, train_wagons * p.num("wagon_t"), train_wagons)
        if hours is None:
            continue
        rail = _rail_hours(net, node, ports, fast, ratio)
        out.append(YardSpec(node, hours, china_per_hour * share, rail))
    return tuple(out)


def _rail_hours(
    net: Network, source: str, targets: list[str], fast: set[str], ratio: float
) -> tuple[tuple[str, float], ...]:
    """Shortest 1520 mm rail time from ``source`` to each target, in hours."""
    ids = [n.id for n in net.nodes]
    index = {n: i for i, n in enumerate(ids)}
    rows, cols, days = [], [], []
    for lk in net.links:
        if lk.mode != "rail" or lk.gauge_mm != 1520:
            continue
        d = lk.transit_days / ratio if lk.id in fast else lk.transit_days
        pairs = [(lk.from_, lk.to)] + ([(lk.to, lk.from_)] if lk.bidirectional else [])
        for a, b in pairs:
            rows.append(index[a])
            cols.append(index[b])
            days.append(max(d, 1e-9))
    graph = csr_matrix((days, (rows, cols)), shape=(len(ids), len(ids)))
    dist = dijkstra(graph, indices=index[source])
    out = []
    for t in targets:
        d = float(dist[index[t]])
        if np.isfinite(d):
            out.append((t, d * HOURS_PER_DAY))
    return tuple(out)


def _stages(
    net: Network,
    route: Route,
    p: SimParams,
    w: WhatIf,
    fast: set[str],
    ratio: float,
    ferry_nodes: set[str],
    train: tuple[float, int],
) -> tuple[Stage, ...]:
    """The traced cargo's path, leg by leg: queues where the model has them, else delays."""
    out: list[Stage] = []
    cut = w.customs_cut_hours
    legs = route.detail.legs
    commodity = net.commodity(route.commodity)
    liner_ports = set(p.text("liner_ports").split("|"))
    for i, leg in enumerate(legs):
        mean_h, p95_h = leg.days_mean * HOURS_PER_DAY, leg.days_p95 * HOURS_PER_DAY
        if leg.kind == "link":
            link = net.link(leg.link)
            if link.mode == "ferry":
                out.append(Stage("ferry", link.from_, f"ferry {link.from_} → {link.to}"))
                continue
            if link.id in feeder_links(p):
                out.append(Stage("feeder", link.from_, f"feeder {link.from_} → {link.to}"))
                continue
            if link.id in fast:
                mean_h, p95_h = mean_h / ratio, p95_h / ratio
            modelled = _modelled_wait_hours(p, link, out, liner_ports)
            if modelled is not None:
                # the sea leg's time holds a mean wait the simulation now models: take it off
                kind, wait_h, hours = modelled
                if kind == "call":
                    label = f"wait for the liner call at {link.from_}"
                    out.append(Stage("call", link.from_, label, hours=hours))
                mean_h, p95_h = max(1.0, mean_h - wait_h), max(1.0, p95_h - wait_h)
            mu, sigma = lognormal(mean_h, p95_h)
            out.append(Stage("travel", link.id, f"{link.mode} {link.from_} → {link.to}", mu, sigma))
        elif leg.kind == "dwell":
            mu, sigma = lognormal(max(0.0, mean_h - cut), max(0.0, p95_h - cut))
            out.append(Stage("customs", leg.from_, f"dwell at {leg.from_}", mu, sigma))
        elif leg.kind == "transfer":
            if leg.from_ in ferry_nodes and _next_is_ferry_or_after(net, legs, i):
                continue  # the ferry stage holds the berth for loading and unloading
            yard_h = _yard_hours(p, leg.from_, w, *train)
            if yard_h is not None:
                out.append(Stage("yard", leg.from_, f"gauge change at {leg.from_}", hours=yard_h))
                continue
            if commodity.cargo_class == "class7" and _next_is_charter(net, legs, i):
                out.append(Stage("consolidate", leg.from_, f"class 7 lot at {leg.from_}"))
            mu, sigma = lognormal(mean_h, p95_h)
            out.append(Stage("handling", leg.from_, f"transfer at {leg.from_}", mu, sigma))
    return tuple(out)


def _modelled_wait_hours(
    p: SimParams, link: object, stages: list[Stage], liner_ports: set[str]
) -> tuple[str, float, float] | None:
    """The wait a sea link's transit time holds that the simulation models as a queue:
    ``("consolidate", hours, 0)`` after a class 7 lot, ``("call", hours, headway)`` for a
    container liner leaving a port of ``liner_ports``; None otherwise."""
    mode, service, origin = (getattr(link, a) for a in ("mode", "service", "from_"))
    if mode != "sea":
        return None
    if stages and any(st.kind == "consolidate" and st.node == origin for st in stages[-2:]):
        return ("consolidate", p.num("charter_wait_in_link_days") * HOURS_PER_DAY, 0.0)
    if origin in liner_ports and "container" in service:
        wait = p.num("liner_wait_in_link_days") * HOURS_PER_DAY
        return ("call", wait, p.num("liner_headway_hours"))
    return None


def _next_is_ferry_or_after(net: Network, legs: tuple, i: int) -> bool:  # type: ignore[type-arg]
    """Whether leg ``i`` (a transfer) loads onto, or unloads from, a rail ferry or a
    Caspian container feeder (a sea link between two Caspian fleet ports)."""
    links = [j for j in range(len(legs)) if legs[j].kind == "link"]
    before = [j for j in links if j < i]
    after = [j for j in links if j > i]
    near = ([before[-1]] if before else []) + ([after[0]] if after else [])
    return any(
        net.link(legs[j].link).mode == "ferry" or "CASPIAN" in net.link(legs[j].link).chokepoints
        for j in near
    )


def _next_is_charter(net: Network, legs: tuple, i: int) -> bool:  # type: ignore[type-arg]
    for leg in legs[i + 1 :]:
        if leg.kind == "link":
            link = net.link(leg.link)
            return link.mode == "sea" and "charter" in link.service
    return False


def with_arrivals(spec: ModelSpec, arrivals: str) -> ModelSpec:
    """The same model with ``poisson`` or ``regular`` (evenly spaced) background arrivals."""
    return replace(spec, arrivals=arrivals)
