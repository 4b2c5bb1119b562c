"""Stress in time: simulated years of dated event occurrences against a plan, and a comparison.

Each event occurs as a Poisson process (``events_per_year``); an occurrence starts on a
uniform day of its year and lasts a lognormal number of days (capped at 730); one that runs
past 31 December carries into the next year from 1 January. Starts and durations are rounded
to whole days, so that a year's closures are a small key: years with the same closures are
computed once (memoised route choice). Each year is then run by
:func:`corridor.risk.timeline.simulate_year` with a full buyer's stock at its start.

An event's targets are grouped by their loss (a sanction closes the countries it names and
leaves its sea areas open): one closure per group. Insurance add-ons are not priced here.

Each event's random stream is keyed by the seed, the chunk of years and the event id
(:func:`corridor.risk.sampling.event_stream`), so a seed gives the same years whatever the
number of chunks or workers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from corridor.errors import RequestError
from corridor.i18n import Joined, Message, Named
from corridor.network.model import Network
from corridor.risk import _common
from corridor.risk._common import DAYS, FloatArray
from corridor.risk.allocation import Allocation
from corridor.risk.calendar import DEFAULT_STOCK_DAYS
from corridor.risk.intime_fast import OUT_FIELDS, compile_fast, run_block, sample_block
from corridor.risk.model import EventTable
from corridor.risk.occurrences import draw_event, event_closures
from corridor.risk.timeline import TimedPlan, YearOutcome, simulate_year, timed_plan

FIELDS = ("stockout_days", "late_t", "tonne_days_late", "undelivered_t", "extra_cost_usd")
DEFAULT_YEARS = 5_000
_Key = tuple[tuple[int, int, int], ...]


def sample_occurrences(
    net: Network, events: Sequence[int], years: int, seed: int, chunk: int
) -> list[list[tuple[int, int, int]]]:
    """Per year of the chunk: (event index, start day, days) of the occurrences in force."""
    table = EventTable.of(net.events)
    out: list[list[tuple[int, int, int]]] = [[] for _ in range(years)]
    for e in events:
        year, start, days = draw_event(net, table, e, years, seed, chunk)
        for y, s, d in zip(year.tolist(), start.tolist(), days.tolist(), strict=True):
            if y >= 0:
                out[y].append((e, s, d))
            if s + d > DAYS and y + 1 < years:
                out[y + 1].append((e, 0, int(s + d - int(DAYS))))
    return out


@dataclass(frozen=True)
class InTimeStress:
    """Simulated years of a plan in time: per-year portfolio figures and per-event shares."""

    name: str
    years: int
    seed: int
    stock_days: float
    portfolio: dict[str, FloatArray]
    """Field -> per-year values (stock-out days are contract-days)."""
    by_event: dict[str, dict[str, float]]
    """Event id -> field -> mean per year attributed to it."""
    distinct_years: int

    def mean(self, name: str) -> float:
        return float(self.portfolio[name].mean())

    def cvar(self, name: str, level: float = 0.95) -> float:
        """Mean of the worst ``1 − level`` share of years."""
        values = np.sort(self.portfolio[name])
        tail = max(1, round((1 - level) * len(values)))
        return float(values[-tail:].mean())

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "years": self.years,
            "seed": self.seed,
            "stock_days": self.stock_days,
            "distinct_years": self.distinct_years,
            **{f"mean_{k}": self.mean(k) for k in FIELDS},
            **{f"cvar95_{k}": self.cvar(k) for k in FIELDS},
            "by_event": self.by_event,
        }


def stress_in_time(
    allocation: Allocation,
    *,
    years: int = DEFAULT_YEARS,
    seed: int = 0,
    stock_days: float = DEFAULT_STOCK_DAYS,
    progress: Callable[[int], None] | None = None,
    events: Sequence[int] | None = None,
) -> InTimeStress:
    """Simulate ``years`` years of the network's events against ``allocation`` in time.

    ``events`` (indices into ``network.events``) are the events drawn; by default those
    touching any candidate route of the plan (:func:`relevant_events`). Two plans compared
    on the same years must be given the same set: each event's occurrences come from its
    own random stream, so the same set means the same years."""
    if years < 1 or seed < 0:
        raise RequestError(f"years must be ≥ 1 and the seed ≥ 0 (got {years}, {seed})")
    net = allocation.network
    plan = timed_plan(allocation, stock_days=stock_days)
    events = sorted(events) if events is not None else relevant_events(net, [plan])
    fast = compile_fast(plan, net)
    values = {k: np.zeros(years) for k in FIELDS}
    attributed = {net.events[e].id: dict.fromkeys(FIELDS, 0.0) for e in events}
    seen: set[_Key] = set()
    done = 0
    for chunk, n in enumerate(_chunks(years)):
        # A chunk always draws its full CHUNK_YEARS: its first n years do not depend on n.
        occ = sample_block(net, events, _common.CHUNK_YEARS, seed, chunk).first(n)
        block = run_block(fast, occ).values
        keys = occ.keys()
        memo: dict[_Key, YearOutcome] = {(): YearOutcome()}
        needed = [
            (i, key)
            for i, key in enumerate(keys)
            if key
            and block[OUT_FIELDS.index("stockout_days"), i] > 0
            and len({x[0] for x in key}) > 1
        ]
        rest = sorted(
            {tuple(x for x in key if x[0] != e) for _, key in needed for e in {x[0] for x in key}}
        )
        if rest:
            sub = run_block(fast, occ.of_keys(rest)).values
            for j, r in enumerate(rest):
                memo[r] = YearOutcome(**dict(zip(OUT_FIELDS, sub[:, j].tolist(), strict=True)))
        for i, key in enumerate(keys):
            if not key:
                continue
            seen.add(key)
            outcome = YearOutcome(**dict(zip(OUT_FIELDS, block[:, i].tolist(), strict=True)))
            for name in FIELDS:
                values[name][done + i] = getattr(outcome, name)
            _attribute(net, plan, key, outcome, memo, attributed)
        done += n
        if progress is not None:
            progress(done)
    distinct = len(seen)
    means = {k: {f: v / years for f, v in d.items()} for k, d in attributed.items()}
    return InTimeStress(allocation.name, years, seed, stock_days, values, means, distinct)


def _chunks(years: int) -> list[int]:
    full, rest = divmod(years, _common.CHUNK_YEARS)
    return [_common.CHUNK_YEARS] * full + ([rest] if rest else [])


def relevant_events(net: Network, plans: Sequence[TimedPlan]) -> list[int]:
    """Events that touch a route any of ``plans`` may use: its planned routes *and* the
    alternatives it switches to (an event on an alternative only, such as sanctions closing
    the northern route that China's cut tonnes would take, changes the year's outcome).
    Others cannot change an outcome and are not drawn."""
    targets = [r.targets for plan in plans for f in plan.flows for r in f.routes]
    return [
        e
        for e, ev in enumerate(net.events)
        if any(not set(ev.targets).isdisjoint(t) for t in targets)
    ]


def _year(net: Network, plan: TimedPlan, key: _Key) -> YearOutcome:
    closures = [c for e, s, d in key for c in event_closures(net, net.events[e], s, d)]
    return simulate_year(plan, closures).portfolio


def _attribute(
    net: Network,
    plan: TimedPlan,
    key: _Key,
    outcome: YearOutcome,
    memo: dict[_Key, YearOutcome],
    attributed: dict[str, dict[str, float]],
) -> None:
    """Split a year's figures over its events.

    Stock-out days go by each event's marginal effect (the year without it, memoised),
    scaled to add up to the year's; other figures, and stock-out days no single event
    explains, in proportion to closure days × loss.
    """
    weight: dict[str, float] = {}
    for e, _, d in key:
        ev = net.events[e]
        weight[ev.id] = weight.get(ev.id, 0.0) + d * max(ev.capacity_loss, 0.05)
    share = {eid: w / sum(weight.values()) for eid, w in weight.items()}
    stockout = dict(share)
    if outcome.stockout_days > 0 and len(weight) > 1:
        marginal = {}
        for eid in weight:
            rest: _Key = tuple(x for x in key if net.events[x[0]].id != eid)
            if rest not in memo:
                memo[rest] = _year(net, plan, rest)
            marginal[eid] = max(outcome.stockout_days - memo[rest].stockout_days, 0.0)
        if sum(marginal.values()) > 0:
            stockout = {eid: m / sum(marginal.values()) for eid, m in marginal.items()}
    for eid in weight:
        for name in FIELDS:
            part = stockout[eid] if name == "stockout_days" else share[eid]
            attributed[eid][name] += getattr(outcome, name) * part


def comparison_sentence(a: InTimeStress, b: InTimeStress, net: Network) -> str:
    """Which of two plans protects the buyer more, by how much and why, in quotable words.

    Plans are ranked on expected stock-out days, then (a tie, e.g. none at this stock) on
    expected tonne-days of delay.
    """

    def rank(r: InTimeStress) -> tuple[float, float]:
        return (round(r.mean("stockout_days"), 2), r.mean("tonne_days_late"))

    better, worse = (b, a) if rank(b) < rank(a) else (a, b)
    measure = "stockout_days" if rank(better)[0] < rank(worse)[0] else "tonne_days_late"
    lo, hi = better.mean(measure), worse.mean(measure)
    unit = Message("versus_unit_stockout" if measure == "stockout_days" else "versus_unit_late")
    parts: list[str] = [
        Message(
            "versus_head",
            years=f"{a.years:,}",
            seed=a.seed,
            stock=f"{a.stock_days:g}",
            better=better.name,
            worse=worse.name,
            lo=f"{lo:,.2f}",
            unit=unit,
            hi=f"{hi:,.2f}",
            fewer=f"{hi - lo:,.2f}",
            less=f"{(hi - lo) / hi if hi else 0.0:.0%}",
        )
    ]
    if measure != "stockout_days":
        parts.append(Message("versus_both", days=f"{better.mean('stockout_days'):.2f}"))
    parts.append(
        Message(
            "versus_body",
            late_a=f"{better.mean('late_t'):,.0f}",
            late_b=f"{worse.mean('late_t'):,.0f}",
            cvar_a=f"{better.cvar('stockout_days'):.1f}",
            cvar_b=f"{worse.cvar('stockout_days'):.1f}",
            usd_a=f"{better.mean('extra_cost_usd'):,.0f}",
            usd_b=f"{worse.mean('extra_cost_usd'):,.0f}",
        )
    )
    diffs = sorted(
        (
            worse.by_event.get(eid, {}).get(measure, 0.0)
            - better.by_event.get(eid, {}).get(measure, 0.0),
            eid,
        )
        for eid in set(worse.by_event) | set(better.by_event)
    )[::-1]
    named = [
        Joined("", [Named(net.event(eid).name_en, net.event(eid).name_ja), f" ({d:+,.2f})"])
        for d, eid in diffs[:3]
        if d > 0.005
    ]
    if named:
        parts.append(Message("versus_drivers", unit=unit, names=Joined("; ", named)))
    return Joined("", parts)
