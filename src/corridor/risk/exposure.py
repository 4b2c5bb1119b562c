"""The risk exposure index: which single node, link or chokepoint the plan cannot do without.

After Simchi-Levi et al., "Identifying risks and mitigating disruptions in the automotive
supply chain", Interfaces 45(5), 2015. For every element a plan's routes use (a node other
than a contract's own origin or destination, a link, a chokepoint or sea area, a transit
country):

TTR (time to recover)
    How long the element stays lost. From ``events.csv`` when events name it and cut at
    least half its capacity (:data:`MAJOR_LOSS`; a sanction closes the countries it names):
    the longest such event's median duration (or its 95th percentile with ``ttr="p95"``),
    the range running from the shortest median to the longest 95th percentile. Otherwise
    from the network's ``risk_ttr`` table by kind of element (estimates with a range and sources).
TTS (time to survive)
    The longest closure of the element, starting on ``start_day``, that the buyer's stock
    rides out without a single stock-out day in any contract, in whole days, found by
    bisection on :func:`corridor.risk.timeline.simulate_year` (so recovery, lead times,
    shared spare capacity and the stock act as in the what-if in time). ``None``: the buyer
    survives a closure of :data:`MAX_DAYS` days (alternatives take over in time).
Impact
    The year of :func:`~corridor.risk.timeline.simulate_year` with the element wholly
    closed for TTR days from ``start_day``: stock-out days (contract-days), late and
    undelivered tonnes, extra cost.
Index
    The chosen impact over the largest among the elements (the worst is 1). Ranked, the
    list shows the single points of failure: an element whose TTS is shorter than its TTR
    is one (``single_point``).

Elements that cut the same candidate routes and capacities share their TTS; with the same
TTR they share their impact too, and are listed once (``same``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from corridor.errors import RequestError
from corridor.network.model import Event, Network
from corridor.network.names import place_name
from corridor.risk._common import DAYS
from corridor.risk.allocation import Allocation
from corridor.risk.calendar import DEFAULT_STOCK_DAYS, Closure
from corridor.risk.recovery import Figure, figure
from corridor.risk.targets import route_links, target_loss
from corridor.risk.timeline import TimedPlan, YearOutcome, simulate_year, timed_plan

MEASURES = ("stockout", "late", "usd")
"""What the index ranks: stock-out days, late tonnes or extra cost (USD) if lost for TTR."""
TTR_STATISTICS = ("median", "p95")
MAJOR_LOSS = 0.5
MAX_DAYS = int(2 * DAYS)
"""Longest closure the calendar follows (730 days)."""
SCHEMA_VERSION = 1
_FIELD = {"stockout": "stockout_days", "late": "late_t", "usd": "extra_cost_usd"}


@dataclass(frozen=True)
class Element:
    """A node, link or exposure a plan's routes use."""

    id: str
    type: str
    """'node', 'link' or 'exposure'."""
    kind: str
    """The node's kind, the link's mode or the exposure's kind."""
    name: str
    name_ja: str = ""
    """The name in Japanese ('' where the tables give none)."""


@dataclass(frozen=True)
class TimeToRecover:
    """Days an element stays lost, with its range and where the figure comes from."""

    days: float
    low: float
    high: float
    basis: str
    sources: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "days": self.days,
            "low": self.low,
            "high": self.high,
            "basis": self.basis,
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class ExposureRow:
    """One element (or several equivalent ones) with TTR, TTS, impact and index."""

    element: Element
    same: tuple[str, ...]
    ttr: TimeToRecover
    tts_days: float | None
    """None: survives a closure of :data:`MAX_DAYS` days."""
    first_out: str
    """The contract that runs out first when the closure outlasts TTS ('' if none)."""
    contracts: tuple[str, ...]
    planned_t_per_year: float
    impact: YearOutcome
    index: float

    @property
    def single_point(self) -> bool:
        """The buyer cannot ride out the element's recovery: TTS < TTR."""
        return self.tts_days is not None and self.tts_days < self.ttr.days

    def to_dict(self) -> dict[str, Any]:
        return {
            "element": self.element.id,
            "type": self.element.type,
            "kind": self.element.kind,
            "name": self.element.name,
            "name_ja": self.element.name_ja,
            "same": list(self.same),
            "ttr": self.ttr.to_dict(),
            "tts_days": self.tts_days,
            "survives": self.tts_days is None,
            "single_point_of_failure": self.single_point,
            "first_out": self.first_out or None,
            "contracts": list(self.contracts),
            "planned_t_per_year": self.planned_t_per_year,
            "impact": self.impact.to_dict(),
            "index": self.index,
        }


@dataclass(frozen=True)
class ExposureResult:
    """The ranked exposure index of a plan."""

    allocation: Allocation
    rows: tuple[ExposureRow, ...]
    stock_days: float
    measure: str
    ttr_statistic: str
    start_day: int
    seconds: float
    data_version: str
    scenario: str = ""
    notes: tuple[str, ...] = ()
    kind: str = "exposure"
    ranked_by: str = ""
    """The measure the index ranks: ``measure``, or 'usd' when no element causes any of it."""

    @property
    def parameters(self) -> dict[str, Any]:
        return {
            "allocation": self.allocation.to_dict(),
            "stock_days": self.stock_days,
            "measure": self.measure,
            "ttr": self.ttr_statistic,
            "start_day": self.start_day,
            "scenario": self.scenario,
        }

    def headline(self) -> dict[str, float | None]:
        worst = self.rows[0] if self.rows else None
        return {
            "elements": float(len(self.rows)),
            "single_points_of_failure": float(sum(r.single_point for r in self.rows)),
            "worst_stockout_days": worst.impact.stockout_days if worst else None,
            "worst_extra_cost_usd": worst.impact.extra_cost_usd if worst else None,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": self.kind,
            "parameters": self.parameters,
            "rows": [r.to_dict() for r in self.rows],
            "ranked_by": self.ranked_by or self.measure,
            "seconds": self.seconds,
            "notes": list(self.notes),
            "definitions": "docs/risk.md#exposure-index",
            "data_version": self.data_version,
        }

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        return {}


# --------------------------------------------------------------------------- TTR


def ttr_table_of(net: Network) -> dict[tuple[str, str], Figure]:
    """The network's ``risk_ttr`` table: (element, kind) -> days with range and sources."""
    return {(row.element, row.kind): figure(row) for row in net.risk_ttr}


def time_to_recover(
    net: Network,
    element: Element,
    table: Mapping[tuple[str, str], Figure],
    statistic: str = "median",
) -> TimeToRecover:
    """TTR of one element: from the major events naming it, else from the table."""
    major = [
        ev
        for ev in net.events
        if element.id in ev.targets and target_loss(net, ev, element.id) >= MAJOR_LOSS
    ]
    if major:
        longest = max(major, key=lambda ev: (ev.duration_days, ev.duration_days_p95))
        chosen = longest.duration_days if statistic == "median" else longest.duration_days_p95
        low = min(ev.duration_days for ev in major)
        high = max(ev.duration_days_p95 for ev in major)
        sources = tuple(dict.fromkeys(s for ev in major for s in _event_sources(ev)))
        return TimeToRecover(
            _days(chosen),
            _days(low),
            _days(high),
            "events: " + "+".join(ev.id for ev in major),
            sources,
        )
    figure = table.get((element.type, element.kind)) or table.get((element.type, "*"))
    if figure is None:
        raise RequestError(
            f"risk_ttr.csv has no row for {element.type} {element.kind} (nor {element.type} *)"
        )
    chosen = figure.value if statistic == "median" else figure.high
    basis = (
        f"estimate: {element.type} {element.kind if (element.type, element.kind) in table else '*'}"
    )
    return TimeToRecover(chosen, figure.low, figure.high, basis, figure.sources)


def _days(value: float) -> float:
    return float(min(max(value, 1.0), MAX_DAYS))


def _event_sources(ev: Event) -> list[str]:
    return [
        s for column in ("duration_days", "duration_days_p95") for s in ev.sources.get(column, ())
    ]


# --------------------------------------------------------------------------- elements


def plan_elements(allocation: Allocation) -> dict[str, tuple[Element, dict[str, float]]]:
    """Every element the plan's routes use, with the tonnes each contract sends through it.

    A contract's own origin and destination nodes (and their countries) are left out: no
    route avoids them, and losing them is a production or receiving problem, not transport.
    """
    net = allocation.network
    out: dict[str, tuple[Element, dict[str, float]]] = {}
    for f in allocation.flows:
        for route, tonnes in f.planned:
            if tonnes <= 0:
                continue
            ends = {route.origin, route.destination}
            end_countries = {net.node(n).country for n in ends}
            items = [("node", n) for n in route.nodes if n not in ends]
            items += [("link", x) for x in route_links(route)]
            items += [("exposure", c) for c in route.chokepoints]
            items += [("exposure", c) for c in route.countries if c not in end_countries]
            for kind, eid in dict.fromkeys(items):
                if eid not in out:
                    out[eid] = (_element(net, kind, eid), {})
                through = out[eid][1]
                through[f.id] = through.get(f.id, 0.0) + tonnes
    return out


def _element(net: Network, type_: str, eid: str) -> Element:
    if type_ == "node":
        node = net.node(eid)
        return Element(eid, "node", node.kind, node.name_en, place_name(node, "ja"))
    if type_ == "link":
        link = net.link(eid)
        a, b = net.node(link.from_), net.node(link.to)
        name = f"{a.name_en} – {b.name_en}"
        return Element(
            eid, "link", link.mode, name, f"{place_name(a, 'ja')} – {place_name(b, 'ja')}"
        )
    exposure = net.exposure(eid)
    return Element(eid, "exposure", exposure.kind, exposure.name_en, exposure.name_ja)


# --------------------------------------------------------------------------- the index


def exposure_index(
    allocation: Allocation,
    *,
    stock_days: float = DEFAULT_STOCK_DAYS,
    measure: str = "usd",
    ttr: str = "median",
    start_day: int = 0,
    scenario: str = "",
    ttr_table: Mapping[tuple[str, str], Figure] | None = None,
) -> ExposureResult:
    """TTR, TTS, impact and the risk exposure index of every element a plan uses, ranked.

    Parameters
    ----------
    allocation : Allocation
        The plan (:func:`corridor.risk.from_contracts`); its network should carry the dated
        states in force.
    stock_days : float
        Buyer's safety stock in days of consumption for contracts that give none.
    measure : str
        What the index ranks: 'usd' (extra cost of the disruption, the default),
        'stockout' (stock-out days) or 'late' (late tonnes). When no element causes any
        of it, the index falls back on extra cost (noted).
    ttr : str
        'median' (typical recovery) or 'p95' (a bad case).
    start_day : int
        Day of the year (0 = 1 January) the element is lost.
    scenario : str
        Name of a scenario applied to the network (recorded).
    ttr_table : mapping, optional
        Default: the network's ``risk_ttr`` table (``risk_ttr.csv``).

    Returns
    -------
    ExposureResult
        Rows ranked by index (then extra cost), the worst first.

    Raises
    ------
    RequestError
        Bad parameters.
    """
    if measure not in MEASURES:
        raise RequestError(f"measure must be one of {', '.join(MEASURES)}, not '{measure}'")
    if ttr not in TTR_STATISTICS:
        raise RequestError(f"ttr must be one of {', '.join(TTR_STATISTICS)}, not '{ttr}'")
    if not 0 <= stock_days <= 3650:
        raise RequestError(f"stock days must be within 0–3650, not {stock_days}")
    if not 0 <= start_day < DAYS:
        raise RequestError(f"the start day must be a day of the year 0–364, not {start_day}")
    started = time.perf_counter()
    net = allocation.network
    plan = timed_plan(allocation, stock_days=stock_days)
    table = ttr_table if ttr_table is not None else ttr_table_of(net)
    items = [
        (element, time_to_recover(net, element, table, ttr), through)
        for element, through in plan_elements(allocation).values()
    ]
    rows, notes = rank_exposures(plan, items, measure=measure, start_day=start_day)
    # As _ranked: a measure no element causes falls back on extra cost.
    caused = max((getattr(r.impact, _FIELD[measure]) for r in rows), default=0.0)
    return ExposureResult(
        allocation,
        tuple(rows),
        stock_days,
        measure,
        ttr,
        start_day,
        time.perf_counter() - started,
        net.data_version,
        scenario,
        tuple(notes),
        ranked_by=measure if caused > 0 else "usd",
    )


def rank_exposures(
    plan: TimedPlan,
    items: Sequence[tuple[Element, TimeToRecover, Mapping[str, float]]],
    *,
    measure: str = "usd",
    start_day: int = 0,
) -> tuple[list[ExposureRow], list[str]]:
    """TTS, impact and index of each element (with its TTR and the tonnes each contract
    sends through it), ranked worst first, and notes on the ranking."""
    survive: dict[Any, tuple[float | None, str]] = {}
    impacts: dict[Any, YearOutcome] = {}
    grouped: dict[Any, list[tuple[Element, TimeToRecover, Mapping[str, float]]]] = {}
    for element, recover, through in items:
        key = _signature(plan, element.id)
        grouped.setdefault((key, recover.days), []).append((element, recover, through))
        sub = _affected(plan, key)
        if key not in survive:
            survive[key] = _time_to_survive(sub, element.id, start_day)
        if (key, recover.days) not in impacts:
            impacts[key, recover.days] = _year(sub, element.id, start_day, recover.days).portfolio
    rows = [
        _row(members, survive[key], impacts[key, days]) for (key, days), members in grouped.items()
    ]
    return _ranked(rows, measure)


def _signature(plan: TimedPlan, eid: str) -> tuple[Any, ...]:
    """What losing ``eid`` touches: per contract the candidates it cuts, and the capacities
    whose other traffic it displaces."""
    routes = tuple(tuple(i for i, r in enumerate(f.routes) if eid in r.targets) for f in plan.flows)
    caps = tuple(sorted(k for k, t in plan.capacity_targets.items() if eid in t))
    return routes, caps


def _affected(plan: TimedPlan, key: tuple[Any, ...]) -> TimedPlan:
    """The plan cut to the contracts whose planned routes the element cuts (the others'
    lots all go through as planned and use no spare capacity)."""
    hit = key[0]
    flows = tuple(
        f for f, cut in zip(plan.flows, hit, strict=True) if any(f.planned_t[i] > 0 for i in cut)
    )
    return replace(plan, flows=flows)


def _year(plan: TimedPlan, eid: str, start: int, days: float) -> Any:
    return simulate_year(plan, [Closure(frozenset({eid}), float(start), float(days), label=eid)])


def _time_to_survive(plan: TimedPlan, eid: str, start: int) -> tuple[float | None, str]:
    """Longest closure (whole days) with no stock-out, and the contract out first beyond it.

    A closure of D days leaves at most D days of consumption unserved (a switch is taken
    only when it arrives sooner than waiting), so no contract runs out before its stock:
    the search starts there and doubles its step (short probes are cheap), then bisects.
    """
    if not plan.flows:
        return None, ""

    def out_of_stock(days: int) -> str:
        contracts = _year(plan, eid, start, days).contracts
        first = [c for c, o in contracts.items() if o.stockout_days > 0]
        return max(first, key=lambda c: contracts[c].stockout_days) if first else ""

    ok = min(int(min(f.stock_days for f in plan.flows)), MAX_DAYS - 1)
    step, bad, who = 1, 0, ""
    while not bad:
        probe = min(ok + step, MAX_DAYS)
        who = out_of_stock(probe)
        if who:
            bad = probe
        elif probe == MAX_DAYS:
            return None, ""
        else:
            ok, step = probe, 2 * step
    while bad - ok > 1:
        mid = (ok + bad) // 2
        first = out_of_stock(mid)
        if first:
            bad, who = mid, first
        else:
            ok = mid
    return float(ok), who


def _row(
    members: Sequence[tuple[Element, TimeToRecover, Mapping[str, float]]],
    survive: tuple[float | None, str],
    impact: YearOutcome,
) -> ExposureRow:
    # The group is named by its most telling member: an exposure, then a link, then a node.
    order = {"exposure": 0, "link": 1, "node": 2}
    ranked = sorted(members, key=lambda m: (order[m[0].type], m[0].id))
    element, recover, through = ranked[0]
    return ExposureRow(
        element,
        tuple(m[0].id for m in ranked[1:]),
        recover,
        survive[0],
        survive[1],
        tuple(sorted(through)),
        sum(through.values()),
        impact,
        0.0,
    )


def _ranked(rows: list[ExposureRow], measure: str) -> tuple[list[ExposureRow], list[str]]:
    notes = []
    field = _FIELD[measure]
    worst = max((getattr(r.impact, field) for r in rows), default=0.0)
    if worst <= 0 and measure != "usd":
        notes.append(
            f"no element causes any {'stock-out' if measure == 'stockout' else 'late tonne'} "
            "when lost for its TTR: the index ranks extra cost instead"
        )
        field = "extra_cost_usd"
        worst = max((getattr(r.impact, field) for r in rows), default=0.0)
    scored = [
        replace(r, index=getattr(r.impact, field) / worst if worst > 0 else 0.0) for r in rows
    ]
    scored.sort(key=lambda r: (-r.index, -r.impact.extra_cost_usd, r.element.id))
    spof = [r.element.id for r in scored if r.single_point]
    if spof:
        notes.append(
            f"single points of failure (the buyer's stock runs out before they recover): "
            f"{', '.join(spof)}"
        )
    notes.append(
        "TTS: the longest closure from the start day the stock rides out with the plan's "
        "own recovery (lead times, spot premium, shared spare capacity); impact: the year "
        "with the element closed for its TTR"
    )
    return scored, notes
