"""Time-resolved risk of a project: stock-out days and CVaR, with and without.

Each plan (without the project and with it) is simulated over the same years by the
in-time engine (:mod:`corridor.risk.intime_fast`, the numbers of
:func:`corridor.risk.timeline.simulate_year`), on common random numbers: the same seed and
the same event set, the union of the events that touch a route either plan ships on (each
event's stream is keyed by its id, so a shared event occurs on the same days in both).
The corridor traffic is simulated with the contracts (it shares their capacities in a
disruption) but only the user's contracts are counted.

Per year: the contracts' stock-out days (contract-days, each at its own ``stock_days``
or the default), the value of the supply the buyers lack on those days (days × the
contract's daily tonnes × the commodity's value), the extra cost of disruption and the
undelivered tonnes. The change is reported as the difference of the means (with the
standard error of the paired difference, the Monte Carlo error) and of the CVaR95 (mean
of the worst 5 % of years).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from corridor.errors import RequestError
from corridor.network.model import Network
from corridor.optimize.plan_result import PlanResult
from corridor.risk._common import CHUNK_YEARS, DAYS, FloatArray
from corridor.risk.calendar import DEFAULT_STOCK_DAYS

if TYPE_CHECKING:
    from corridor.risk.intime_fast import Occurrences

DEFAULT_YEARS = 1_000
"""Simulated years per plan: every project of the example in about half a minute of CPU (the
compiled in-time engine runs thousands of years a second; planning the variants takes most of
it); the Monte Carlo error is reported with each change."""
FIELDS = ("stockout_days", "stockout_value_usd", "extra_cost_usd", "undelivered_t")


@dataclass(frozen=True)
class RiskSettings:
    """How the plans are simulated in time."""

    years: int = DEFAULT_YEARS
    seed: int = 0
    stock_days: float = DEFAULT_STOCK_DAYS
    """Buyer's safety stock, days, for contracts that do not give their own."""

    def __post_init__(self) -> None:
        if self.years < 1 or self.seed < 0 or self.stock_days < 0:
            raise RequestError(
                f"years must be ≥ 1, the seed ≥ 0 and the stock days ≥ 0 "
                f"(got {self.years}, {self.seed}, {self.stock_days:g})"
            )

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


@dataclass(frozen=True)
class Prepared:
    """A plan compiled for the in-time engine, and the events touching its routes."""

    fast: Any
    events: frozenset[str]
    count: tuple[bool, ...]
    """Per flow of the plan: counted (a user's contract, not corridor traffic)."""
    daily_value: FloatArray
    """Per flow: daily tonnes × the commodity's value (USD a stock-out day)."""


def _route_key(net: Network) -> tuple[Any, ...]:
    """What the re-routing candidates depend on: every table but the capacities (the
    capacity figures of links included), the projects, sources and recovery."""
    skip = {"capacities", "projects", "sources", "ranges", "risk_ttr", "risk_recovery", "links"}
    skip.add("origin")  # a label of where the tables come from
    tables = tuple(getattr(net, f.name) for f in fields(net) if f.init and f.name not in skip)
    return (*tables, tuple(replace(x, capacity_t_per_year=None) for x in net.links))


Candidates = list[tuple[tuple[Any, ...], dict[str, Any]]]


def prepare(
    result: PlanResult,
    traffic: frozenset[str],
    settings: RiskSettings,
    known: Candidates | None = None,
) -> Prepared:
    """Compile the plan ``result`` (on its own network) for :func:`simulate`. ``known``:
    re-routing candidates found on earlier networks (reused where only capacities differ,
    and extended with this network's)."""
    from corridor.costs import Assumptions
    from corridor.risk.allocation import from_plan, od_candidates
    from corridor.risk.intime_fast import compile_fast
    from corridor.risk.intime_stress import relevant_events
    from corridor.risk.timeline import timed_plan

    net = result.network
    candidates = None
    if known is not None:
        key = _route_key(net)
        candidates = next((c for k, c in known if k == key), None)
        if candidates is None:
            a = Assumptions(**result.settings["assumptions"])
            candidates = {c.id: od_candidates(net, a, c) for c in result.portfolio.contracts}
            known.append((key, candidates))
    alloc = from_plan(result, candidates=candidates)
    alloc = replace(alloc, flows=tuple(f for f in alloc.flows if f.volume_t_per_year > 0))
    plan = timed_plan(alloc, stock_days=settings.stock_days)
    events = frozenset(net.events[e].id for e in relevant_events(net, [plan]))
    count = tuple(f.id not in traffic for f in plan.flows)
    commodity = {f.id: f.commodity for f in alloc.flows}
    value = np.array(
        [
            f.volume_t_per_year / DAYS * net.commodity(commodity[f.id]).value_usd_per_t
            for f in plan.flows
        ]
    )
    return Prepared(compile_fast(plan, net), events, count, value)


def simulate(
    p: Prepared,
    events: frozenset[str],
    settings: RiskSettings,
    occurrences: Occurrences | None = None,
) -> dict[str, FloatArray]:
    """Per year, the counted contracts' FIELDS under the occurrences of ``events`` (drawn
    from the seed, or the given ``occurrences``: one block of its years)."""
    from corridor.risk.intime_fast import OUT_FIELDS, run_block, sample_block

    if occurrences is not None:
        settings = replace(settings, years=occurrences.years)

    net = p.fast.net
    index = sorted(e for e, ev in enumerate(net.events) if ev.id in events)
    years = settings.years
    out = {k: np.zeros(years) for k in FIELDS}
    mask = np.array(p.count, dtype=bool)
    col = {k: OUT_FIELDS.index(k) for k in ("stockout_days", "extra_cost_usd", "undelivered_t")}
    done = 0
    for chunk in range(-(-years // CHUNK_YEARS)):
        n = min(CHUNK_YEARS, years - done)
        occ = (
            occurrences
            if occurrences is not None
            else sample_block(net, index, CHUNK_YEARS, settings.seed, chunk).first(n)
        )
        per = run_block(p.fast, occ, by_flow=True).by_flow
        assert per is not None
        mine = per[mask]
        sl = slice(done, done + n)
        for k, c in col.items():
            out[k][sl] = mine[:, c, :].sum(axis=0)
        out["stockout_value_usd"][sl] = p.daily_value[mask] @ mine[:, col["stockout_days"], :]
        done += n
    return out


def cvar(values: FloatArray, level: float = 0.95) -> float:
    """Mean of the worst ``1 − level`` share of years (as :class:`InTimeStress`)."""
    ordered = np.sort(values)
    tail = max(1, round((1 - level) * len(ordered)))
    return float(ordered[-tail:].mean())


@dataclass(frozen=True)
class RiskChange:
    """With minus without, over the same simulated years."""

    years: int
    without: dict[str, float]
    """Field -> mean a year without the project (``cvar95_<field>`` too)."""
    with_: dict[str, float]
    stderr: dict[str, float]
    """Field -> standard error of the mean change (paired years)."""

    def change(self, name: str) -> float:
        return self.with_[name] - self.without[name]

    def to_dict(self) -> dict[str, Any]:
        keys = [*FIELDS, *(f"cvar95_{k}" for k in FIELDS)]
        return {
            "years": self.years,
            "without": {k: self.without[k] for k in keys},
            "with": {k: self.with_[k] for k in keys},
            "change": {k: self.change(k) for k in keys},
            "stderr_of_change": dict(self.stderr),
        }


def _summary(values: dict[str, FloatArray]) -> dict[str, float]:
    return {
        **{k: float(v.mean()) for k, v in values.items()},
        **{f"cvar95_{k}": cvar(v) for k, v in values.items()},
    }


def risk_change(
    base: Prepared,
    edited: Prepared,
    settings: RiskSettings,
    cache: dict[frozenset[str], dict[str, FloatArray]] | None = None,
) -> RiskChange:
    """Simulate both plans on the union of their events (``cache``: the base plan's years
    by event set, reused across projects)."""
    events = base.events | edited.events
    if cache is not None and events in cache:
        before = cache[events]
    else:
        before = simulate(base, events, settings)
        if cache is not None:
            cache[events] = before
    after = simulate(edited, events, settings)
    n = settings.years
    stderr = {
        k: float(np.std(after[k] - before[k], ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
        for k in FIELDS
    }
    return RiskChange(n, _summary(before), _summary(after), stderr)
