"""SimPy processes of one replication: trains, ferries, storms, the class 7 charter.

:func:`run_replication` is the unit of work: a :class:`~corridor.sim.model.ModelSpec` and a
:class:`numpy.random.SeedSequence` in, a :class:`~corridor.sim.result.Replication` out.
It depends on nothing else, so a Dask worker computes exactly what one process does.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from corridor.sim.model import HOURS_PER_DAY, FleetSpec, ModelSpec, PortSpec, Stage
from corridor.sim.resources import (
    Berth,
    Consignment,
    Consolidation,
    FerryPort,
    LinerBerth,
    Sea,
    Window,
)
from corridor.sim.result import Replication, ResourceStats, summarise_samples

CROSSING = "ferry crossing"
"""Key of the crossing-and-unloading time in ``Replication.node_dwell_hours``."""
LINK = "{fleet} link {port}"
"""Key in ``node_dwell_hours`` of a fleet's (``ferry``, ``feeder``) simulated time from
joining the queue at ``port`` to the last wagon or box unloaded."""
_YEAR_D = 365.0
_NOV_1, _JAN_MAY = 304.0, 151.0
"""Day of year of 1 November; days from 1 January to the end of May."""


class _Fleet:
    """One Caspian fleet (the rail ferries in wagons, the container feeders in TEU): its
    ports' queues and berths, the arrival berths and the tallies of its sailings."""

    def __init__(self, env: simpy.Environment, win: Window, spec: FleetSpec, name: str) -> None:
        self.spec, self.name = spec, name
        unit = "ferry" if name == "ferry" else "feeder"
        self.ports = {
            p.node: FerryPort(env, p.node, p.berths, win, p.share, f"{p.node} {unit} berths")
            for p in spec.ports
        }
        self.port_specs: dict[str, PortSpec] = {p.node: p for p in spec.ports}
        label = f"{spec.arrival_node} {unit} berths"
        self.arrival = Berth(env, spec.arrival_berths, win, label)
        self.sailings = 0
        self.units_sailed = 0
        self.idle_hours = 0.0
        self.series: dict[str, list[float]] = {n: [] for n in self.ports}


def _ferry_fleet(spec: ModelSpec) -> FleetSpec:
    """The rail ferries as a :class:`FleetSpec` (a wagon is the unit of capacity)."""
    return FleetSpec(
        ports=spec.ports,
        arrival_node=spec.arrival_node,
        arrival_berths=spec.arrival_berths,
        unload_hours=spec.unload_hours,
        units=spec.ferry_units,
        capacity_teu=spec.ferry_wagons,
        teu_per_wagon=1.0,
        crossing_hours=spec.crossing_hours,
        sailing_rule=spec.sailing_rule,
        max_hold_hours=spec.max_hold_hours,
        headway_hours=spec.headway_hours,
    )


class _Model:
    """State of one replication."""

    def __init__(self, spec: ModelSpec, rng: np.random.Generator) -> None:
        self.spec, self.rng = spec, rng
        self.env = simpy.Environment()
        start = spec.warmup_hours
        self.window = Window(start, start + spec.horizon_hours)
        env, win = self.env, self.window
        self.fleet = _Fleet(env, win, _ferry_fleet(spec), "ferry")
        self.feeder = _Fleet(env, win, spec.feeder, "feeder") if spec.feeder else None
        self.ports = self.fleet.ports
        self.port_specs = self.fleet.port_specs
        self.arrival = self.fleet.arrival
        self.yards: dict[str, Berth] = {}
        self.yard_specs = {y.node: y for y in spec.yards}
        self.sea = Sea(self._storms())
        self.charter = Consolidation(env, spec.class7_lot_t, win)
        self.next_id = 0
        self.traced_rng: dict[int, np.random.Generator] = {}
        """Each traced train draws its delays from its own stream (child of the replication's
        seed and its index), so a what-if run with the same seed gives it the same delays
        and only the queues differ (common random numbers that survive the divergence of
        the shared stream)."""
        self.seed: np.random.SeedSequence | None = None
        self.traced_done = 0
        self.finished: list[Consignment] = []
        self.background: list[Consignment] = []
        # the liner's timetable at each port of call: its first call, drawn once
        calls = {(st.node, st.hours) for st in spec.stages if st.kind == "call"}
        self.first_call = {node: float(rng.uniform(0.0, h)) for node, h in sorted(calls)}
        self.liners = {
            b.node: LinerBerth(env, b.berths, win, f"{b.node} container berths")
            for b in spec.call_berths
            if b.node in self.first_call
        }
        self.berth_series: dict[str, list[float]] = {n: [] for n in self.liners}

    # ------------------------------------------------------------------ helpers

    def draw(self, mu: float, sigma: float, rng: np.random.Generator | None = None) -> float:
        if mu == -math.inf:
            return 0.0
        return math.exp(mu) if sigma == 0 else float((rng or self.rng).lognormal(mu, sigma))

    def gap(self, per_hour: float) -> float:
        if self.spec.arrivals == "regular":
            return 1.0 / per_hour
        return float(self.rng.exponential(1.0 / per_hour))

    def consignment(self, kind: str, wagons: int, tonnes: float) -> Consignment:
        self.next_id += 1
        return Consignment(self.next_id, kind, wagons, tonnes, self.env.now)

    def _storms(self) -> list[tuple[float, float]]:
        """Closure intervals over the whole run, drawn season by season."""
        s = self.spec
        end_h = s.warmup_hours + s.horizon_hours + s.drain_hours
        lo, hi = s.storm_event_days
        mean_days = (lo + hi) / 2.0
        out: list[tuple[float, float]] = []
        # the clock's 0 is the warm-up's start; the warm-up ends on 1 January of year 0
        year0_h = s.warmup_hours
        first = -math.ceil(s.warmup_hours / (_YEAR_D * HOURS_PER_DAY))
        last = math.ceil(end_h / (_YEAR_D * HOURS_PER_DAY))
        for year in range(first, last + 1):
            base = year0_h + year * _YEAR_D * HOURS_PER_DAY
            seasons = (
                (_NOV_1, _YEAR_D - _NOV_1, s.storm_share_nov_dec * (_YEAR_D - _NOV_1)),
                (0.0, _JAN_MAY, s.storm_days_jan_may),
            )
            for start_d, length_d, closed_d in seasons:
                count = self.rng.poisson(closed_d / mean_days) if closed_d > 0 else 0
                for _ in range(count):
                    at = start_d + self.rng.uniform(0.0, length_d)
                    days = self.rng.uniform(lo, hi)
                    a = base + at * HOURS_PER_DAY
                    out.append((max(0.0, a), a + days * HOURS_PER_DAY))
        return out

    def wait_open(self) -> Generator[simpy.Event, Any, None]:
        until = self.sea.closed_until(self.env.now)
        while until is not None:
            yield self.env.timeout(until - self.env.now)
            until = self.sea.closed_until(self.env.now)

    # ------------------------------------------------------------------ trains

    def walk(self, c: Consignment, stages: tuple[Stage, ...]) -> Generator[simpy.Event, Any, None]:
        env = self.env
        for st in stages:
            t0 = env.now
            if st.kind in ("ferry", "feeder"):
                fleet = self.fleet if st.kind == "ferry" else self.feeder
                assert fleet is not None
                units = max(1, round(c.wagons * fleet.spec.teu_per_wagon))
                fleet.ports[st.node].join(c, units)
                assert c.done is not None
                yield c.done
                c.record(f"wait for {st.kind} at {st.node}", st.node, t0, c.last_sailing_h)
                c.record(st.label, st.node, c.last_sailing_h, env.now)
                continue
            if st.kind == "yard":
                yield from self.yard(st.node).serve(st.hours)
            elif st.kind == "consolidate":
                yield self.charter.join(c.tonnes)
            elif st.kind == "call" and st.node in self.liners:
                yield self.liners[st.node].board()
            elif st.kind == "call":
                yield env.timeout(self.until_call(st.node, st.hours))
            else:
                yield env.timeout(self.draw(st.mu, st.sigma, self.traced_rng.get(c.id)))
            c.record(st.label, st.node, t0, env.now)
        c.end_h = env.now
        self.finished.append(c)
        if c.kind == "traced":
            self.traced_done += 1

    def until_call(self, node: str, headway_h: float) -> float:
        """Hours from now to the liner's next call at ``node`` (calls every ``headway_h``)."""
        since = (self.env.now - self.first_call[node]) % headway_h
        return 0.0 if since == 0 else headway_h - since

    def yard(self, node: str) -> Berth:
        """The gauge-change yard at ``node`` (one line: trains change gauge one at a time)."""
        if node not in self.yards:
            self.yards[node] = Berth(self.env, 1, self.window, f"{node} gauge-change yard")
        return self.yards[node]

    def user_trains(self) -> Generator[simpy.Event, Any, None]:
        s = self.spec
        spacing = s.horizon_hours / s.shipments
        yield self.env.timeout(s.warmup_hours + spacing / 2.0)
        for i in range(s.shipments):
            c = self.consignment("traced", s.shipment_wagons, s.shipment_t)
            if self.seed is not None:
                key = (*self.seed.spawn_key, 2**31, i)
                self.traced_rng[c.id] = np.random.default_rng(
                    np.random.SeedSequence(self.seed.entropy, spawn_key=key)
                )
            self.env.process(self.walk(c, s.stages))
            if i + 1 < s.shipments:
                yield self.env.timeout(spacing)

    def direct_trains(self, node: str, fleet: _Fleet) -> Generator[simpy.Event, Any, None]:
        """Background trains reaching a port of ``fleet`` from Kazakh origins."""
        p = fleet.port_specs[node]
        if p.direct_trains_per_hour <= 0:
            return
        kind = "ferry" if fleet is self.fleet else "feeder"
        stages = (
            Stage("customs", node, f"dwell at {node}", *p.customs),
            Stage(kind, node, f"{kind} {node} → {fleet.spec.arrival_node}"),
        )
        while True:
            yield self.env.timeout(self.gap(p.direct_trains_per_hour))
            label = "background" if kind == "ferry" else "feeder background"
            c = self.consignment(label, self.spec.train_wagons, self._train_t())
            self.background.append(c)
            self.env.process(self.walk(c, stages))

    def china_trains(self, node: str) -> Generator[simpy.Event, Any, None]:
        """China–Europe trains: gauge change at the yard, rail to a port, the ferry."""
        y = self.yard_specs[node]
        if y.trains_per_hour <= 0 or not y.rail_hours:
            return
        ports = [n for n, _ in y.rail_hours]
        weights = np.array([self.ports[n].share for n in ports])
        weights = weights / weights.sum()
        while True:
            yield self.env.timeout(self.gap(y.trains_per_hour))
            port = ports[int(self.rng.choice(len(ports), p=weights))]
            rail_h = dict(y.rail_hours)[port]
            ps = self.port_specs[port]
            stages = (
                Stage("yard", node, f"gauge change at {node}", hours=y.service_hours),
                Stage("travel", node, f"rail {node} → {port}", math.log(rail_h), 0.0),
                Stage("customs", port, f"dwell at {port}", *ps.customs),
                Stage("ferry", port, f"ferry {port} → {self.spec.arrival_node}"),
            )
            c = self.consignment("china", self.spec.train_wagons, self._train_t())
            self.background.append(c)
            self.env.process(self.walk(c, stages))

    def class7_lots(self) -> Generator[simpy.Event, Any, None]:
        s = self.spec
        if s.class7_consignments_per_hour <= 0:
            return
        while True:
            yield self.env.timeout(self.gap(s.class7_consignments_per_hour))
            self.charter.join(s.class7_consignment_t)

    def liner(self, node: str, headway_h: float, hours: float) -> Generator[simpy.Event, Any, None]:
        """The liner calls every ``headway_h`` from its first call, queues for a berth,
        takes the cargo waiting at its berthing and leaves ``hours`` later."""
        yield self.env.timeout(self.first_call[node])
        while True:
            self.env.process(self.liners[node].call(hours))
            yield self.env.timeout(headway_h)

    def other_vessels(
        self, node: str, per_hour: float, hours: float
    ) -> Generator[simpy.Event, Any, None]:
        """Other container vessels calling at ``node`` (Poisson): they hold berths too."""
        if per_hour <= 0:
            return
        berth = self.liners[node].berth
        while True:
            yield self.env.timeout(self.gap(per_hour))
            self.env.process(berth.serve(hours))

    def _train_t(self) -> float:
        return self.spec.train_wagons * self.spec.wagon_t

    # ------------------------------------------------------------------ ferries

    def ferry(self, k: int, fleet: _Fleet) -> Generator[simpy.Event, Any, None]:
        """Vessel ``k`` of ``fleet``: to the port most in need, load, cross, unload, back."""
        s, env = fleet.spec, self.env
        # start spread over one crossing so that the pool does not move in lockstep
        yield env.timeout(s.crossing_hours * k / max(1, s.units))
        while True:
            port = max(
                fleet.ports.values(),
                key=lambda p: (p.queued_wagons - p.inbound * s.capacity_teu, p.share),
            )
            port.inbound += 1
            yield from self._held(self.wait_open(), fleet)
            yield env.timeout(s.crossing_hours)
            req = yield from self._held(port.berth.acquire(), fleet)
            load = yield from self._load(port, fleet)
            port.inbound -= 1
            yield env.timeout(fleet.port_specs[port.node].load_hours)
            yield from self._held(self.wait_open(), fleet)
            port.berth.release(req)
            sailed = env.now
            if self.window.contains(sailed):
                fleet.sailings += 1
                fleet.units_sailed += sum(n for _, n in load)
                port.loaded_t += sum(n * c.tonnes / c.units for c, n in load)
            for c, _ in load:
                c.last_sailing_h = sailed
            yield env.timeout(s.crossing_hours)
            req = yield from self._held(fleet.arrival.acquire(), fleet)
            yield env.timeout(s.unload_hours)
            fleet.arrival.release(req)
            for c, n in load:
                c.remaining -= n
                if c.remaining == 0 and c.done is not None:
                    c.done.succeed()

    def _held(
        self, waiting: Generator[simpy.Event, Any, Any], fleet: _Fleet
    ) -> Generator[simpy.Event, Any, Any]:
        """Run ``waiting`` (a berth queue, a storm) and count its hours as idle time."""
        t0 = self.env.now
        value = yield from waiting
        fleet.idle_hours += self.window.overlap(t0, self.env.now)
        return value

    def _load(
        self, port: FerryPort, fleet: _Fleet
    ) -> Generator[simpy.Event, Any, list[tuple[Any, int]]]:
        """Take wagons (or TEU) until the sailing rule says go."""
        s, env = fleet.spec, self.env
        load: list[tuple[Any, int]] = []
        room = s.capacity_teu
        t_idle = env.now
        if s.sailing_rule == "timetable":
            depart = (math.floor(env.now / s.headway_hours) + 1) * s.headway_hours
            while env.now < depart and room > 0:
                got = port.take(room)
                load += got
                room -= sum(n for _, n in got)
                if room > 0:
                    yield env.any_of([port.arrival(), env.timeout(depart - env.now)])
        else:
            deadline = math.inf
            while room > 0:
                got = port.take(room)
                if got and deadline == math.inf:
                    deadline = env.now + s.max_hold_hours
                load += got
                room -= sum(n for _, n in got)
                if room == 0 or env.now >= deadline:
                    break
                wait = [port.arrival()] + ([env.timeout(deadline - env.now)] if load else [])
                yield env.any_of(wait)
        fleet.idle_hours += self.window.overlap(t_idle, env.now)
        return load

    def sampler(self) -> Generator[simpy.Event, Any, None]:
        yield self.env.timeout(self.window.start_h)
        fleets = [f for f in (self.fleet, self.feeder) if f is not None]
        while self.env.now < self.window.end_h:
            for f in fleets:
                for n, p in f.ports.items():
                    f.series[n].append(float(p.queued_wagons))
            for n, lb in self.liners.items():
                self.berth_series[n].append(float(lb.berth.queue.level))
            yield self.env.timeout(HOURS_PER_DAY)


def run_replication(spec: ModelSpec, seed: np.random.SeedSequence) -> Replication:
    """Simulate the warm-up, the horizon and the drain of the traced cargo, once.

    Parameters
    ----------
    spec : ModelSpec
        The model, as built by :func:`corridor.sim.model.build_model`.
    seed : numpy.random.SeedSequence
        This replication's seed (one child of the run's SeedSequence).
    """
    m = _Model(spec, np.random.default_rng(seed))
    m.seed = seed
    env = m.env
    fleets = [f for f in (m.fleet, m.feeder) if f is not None]
    for f in fleets:
        for n in f.ports:
            env.process(m.direct_trains(n, f))
        for k in range(f.spec.units):
            env.process(m.ferry(k, f))
    for y in spec.yards:
        m.yard(y.node)
        env.process(m.china_trains(y.node))
    calls = {st.node: st.hours for st in spec.stages if st.kind == "call"}
    for b in spec.call_berths:
        if b.node in m.liners:
            env.process(m.liner(b.node, calls[b.node], b.liner_hours))
            env.process(m.other_vessels(b.node, b.other_calls_per_hour, b.other_hours))
    env.process(m.class7_lots())
    env.process(m.sampler())
    env.process(m.user_trains())
    end = spec.warmup_hours + spec.horizon_hours
    env.run(until=end)
    deadline = end + spec.drain_hours
    while env.peek() < deadline and m.traced_done < spec.shipments:
        env.step()
    return _collect(m)


def _collect(m: _Model) -> Replication:
    s, win = m.spec, m.window
    years = win.hours / (_YEAR_D * HOURS_PER_DAY)
    traced = [c for c in m.finished if c.kind == "traced"]
    resources: dict[str, ResourceStats] = {}
    everyone = m.background + traced
    throughput: dict[str, float] = {}
    series: dict[str, tuple[float, ...]] = {}
    for f in (m.fleet, m.feeder):
        if f is None:
            continue
        kind = f.name
        queue = "wagon queue" if kind == "ferry" else "TEU queue (feeders)"
        for n, p in f.ports.items():
            resources[p.berth.name] = _berth_stats(p.berth)
            waits = _waits(everyone, n, win, kind)
            resources[f"{n} {queue}"] = ResourceStats(
                utilisation=math.nan,
                mean_queue=p.waiting.mean(),
                max_queue=p.waiting.peak,
                mean_wait_h=_mean(waits),
                served=float(len(waits)),
            )
            throughput[n if kind == "ferry" else f"{n} feeders"] = p.loaded_t / years
            series[n if kind == "ferry" else f"{n} feeders (TEU)"] = tuple(f.series[n])
        resources[f.arrival.name] = _berth_stats(f.arrival)
        fleet_h = win.hours * f.spec.units
        cap = f.spec.capacity_teu
        resources[f"{kind} fleet"] = ResourceStats(
            utilisation=1.0 - f.idle_hours / fleet_h if fleet_h else math.nan,
            mean_queue=math.nan,
            max_queue=math.nan,
            mean_wait_h=math.nan,
            served=float(f.sailings),
            load_factor=f.units_sailed / (f.sailings * cap) if f.sailings else math.nan,
        )
    for y in m.yards.values():
        resources[y.name] = _berth_stats(y)
    for n, lb in m.liners.items():
        resources[lb.berth.name] = _berth_stats(lb.berth)
        resources[f"{n} liner"] = ResourceStats(
            utilisation=math.nan,
            mean_queue=math.nan,
            max_queue=math.nan,
            mean_wait_h=_mean(lb.berth_waits),
            served=float(lb.calls),
        )
        series[f"{n} vessels waiting for a berth"] = tuple(m.berth_series[n])
    resources["class 7 charter at Poti"] = ResourceStats(
        utilisation=math.nan,
        mean_queue=math.nan,
        max_queue=math.nan,
        mean_wait_h=_mean(m.charter.waits),
        served=float(m.charter.charters),
    )
    dwell = {}
    ferried = [c for c in everyone if any(st[0].startswith("wait for ferry") for st in c.stages)]
    for n in m.ports:
        dwell[n] = summarise_samples(_node_hours(ferried, n, win, before_ferry=True))
    dwell[s.arrival_node] = summarise_samples(
        _node_hours(traced, s.arrival_node, win, before_ferry=False)
    )
    dwell[CROSSING] = summarise_samples(
        [
            b - a
            for c in everyone
            for lab, _, a, b in c.stages
            if lab.startswith("ferry ") and win.contains(a)
        ]
    )
    for f in [x for x in (m.fleet, m.feeder) if x is not None]:
        for n in f.ports:
            # the crossing as a link: queue for a slot, loading, crossing, unloading
            hours = _fleet_link_hours(everyone, n, win, f.name)
            dwell[LINK.format(fleet=f.name, port=n)] = summarise_samples(hours)
    china = [c for c in m.finished if c.kind == "china" and win.contains(c.start_h)]
    return Replication(
        total_days=tuple((c.end_h - c.start_h) / HOURS_PER_DAY for c in traced),
        stage_hours=tuple(tuple((lab, b - a) for lab, _, a, b in c.stages) for c in traced),
        traced_timeline=tuple(traced[0].stages) if traced else (),
        unfinished=s.shipments - len(traced),
        resources=resources,
        throughput_t_per_year=throughput,
        node_dwell_hours=dwell,
        china_days=_mean([(c.end_h - c.start_h) / HOURS_PER_DAY for c in china]),
        storm_closed_days=m.sea.closed_hours(win) / HOURS_PER_DAY,
        queue_series=series,
    )


def _berth_stats(b: Berth) -> ResourceStats:
    return ResourceStats(
        utilisation=b.utilisation(),
        mean_queue=b.queue.mean(),
        max_queue=b.queue.peak,
        mean_wait_h=_mean(b.waits),
        served=float(len(b.waits)),
    )


def _waits(cs: list[Consignment], node: str, win: Window, kind: str = "ferry") -> list[float]:
    prefix = f"wait for {kind} at {node}"
    return [b - a for c in cs for lab, _, a, b in c.stages if lab == prefix and win.contains(a)]


def _fleet_link_hours(cs: list[Consignment], node: str, win: Window, kind: str) -> list[float]:
    """Hours from joining the ``kind`` (ferry, feeder) queue at ``node`` to the last wagon
    or box unloaded."""
    out = []
    wait = f"wait for {kind} at {node}"
    for c in cs:
        labs = [(lab, a, b) for lab, _, a, b in c.stages]
        for j, (lab, a, _) in enumerate(labs):
            if lab == wait and win.contains(a) and j + 1 < len(labs):
                out.append(labs[j + 1][2] - a)
    return out


def _node_hours(cs: list[Consignment], node: str, win: Window, before_ferry: bool) -> list[float]:
    """Hours each consignment spent at ``node``: its dwell plus, at a ferry port, the wait
    until its last wagon sailed; at the arrival port, the unloading and the dwell."""
    out = []
    for c in cs:
        hours, first = 0.0, None
        for lab, where, a, b in c.stages:
            at_node = where == node and not lab.startswith("ferry ")
            if before_ferry and at_node:
                hours += b - a
                first = a if first is None else first
            if not before_ferry and at_node and lab.startswith("dwell"):
                hours += b - a
                first = a if first is None else first
        if first is not None and win.contains(first):
            out.append(hours)
    return out


def _mean(values: list[float]) -> float:
    return float(np.mean(values)) if values else math.nan
