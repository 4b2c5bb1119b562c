"""Risk-aware planning in time: the mean–CVaR frontier of family splits on the in-time loss.

Plans
    Shares of each contract's volume between the China and the Trans-Caspian route
    families, in steps (default 10 %), each family's share on its cheapest candidate route
    (a contract with only one of the families keeps its planned routes). The same shares
    apply to every contract.

Years (common random numbers)
    Every plan is run on the *same* simulated years: the occurrences of the union of the
    events touching a route any of the plans may use, planned or alternative
    (:func:`relevant_events`), drawn once per chunk by
    :func:`corridor.risk.intime_fast.sample_block` and run by
    :func:`corridor.risk.intime_fast.run_block` (the numbers of
    :func:`corridor.risk.timeline.simulate_year`). A per-plan event set would leave out,
    for one plan, events that close the other plan's routes (its alternatives), and bias
    the comparison.

Loss, USD per year
    ``stockout``: stock-out days (contract-days) × a value per stock-out day + extra cost.
    ``undelivered``: tonnes not delivered in the year × a value per tonne + extra cost.
    Extra cost is the engine's: never negative (spot premium, dearer re-routing, carrying
    cost of delay, surcharges).

Frontier
    Each plan's expected cost is its shipping cost in a year without disruption plus its
    mean loss; the frontier is the plans no other plan beats on both expected cost and
    CVaR of the loss, from the least cost to the least CVaR. The all-China, the
    all-Trans-Caspian and the 70/30 split, and the current plan, are evaluated on the
    same years and placed against it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from corridor.errors import RequestError
from corridor.i18n import Joined, Message, Named, family_name
from corridor.network.model import Network
from corridor.risk import _common
from corridor.risk._common import FloatArray
from corridor.risk.allocation import Allocation
from corridor.risk.calendar import DEFAULT_STOCK_DAYS, Closure
from corridor.risk.frontier import (
    FrontierPoint,
    FrontierResult,
    check_cvar_sample,
    cvar_of,
    split_label,
)
from corridor.risk.intime_fast import OUT_FIELDS, compile_fast, run_block, sample_block
from corridor.risk.intime_stress import relevant_events as _relevant
from corridor.risk.timeline import TimedPlan, simulate_year, timed_plan
from corridor.routing.route import FAMILY_LABELS

LOSSES = ("stockout", "undelivered")
DEFAULT_YEARS = 4_000
DEFAULT_STEP = 0.1
PAIR = ("china", "trans_caspian")
REFERENCE_NAMES = ("all China", "all Trans-Caspian", "70/30 China/Trans-Caspian")

DEFAULT_USD_PER_STOCKOUT_DAY = 100_000.0
"""Estimate: what a buyer loses for a day without the input (docs/risk.md#risk-aware-planning).

Method: a stock-out day idles the buyer's processing of the day's input; its cost is put at
3× the cargo value of a day's consumption of the REE 5,000 t/yr case (5,000 / 365 t at
USD 2,663/t, commodities.csv ``value_usd_per_t`` = USD 36,500 a day; 3× = USD 109,000),
rounded to USD 100,000. Range 1×–10×: USD 36,500–365,000 a day. Not sourced: no public
figure of a Japanese separation plant's downtime cost exists."""
STOCKOUT_DAY_RANGE = (36_500.0, 365_000.0)

_F = {name: i for i, name in enumerate(OUT_FIELDS)}


# --------------------------------------------------------------------------- plans


def split_allocation(allocation: Allocation, china_share: float, name: str) -> Allocation:
    """``allocation`` with each contract's volume split ``china_share`` / ``1 − china_share``
    between its cheapest China and cheapest Trans-Caspian candidate (contracts without both
    families keep their planned routes)."""
    flows = []
    for f in allocation.flows:
        best = {fam: next((r for r in f.candidates if r.family == fam), None) for fam in PAIR}
        a, b = best[PAIR[0]], best[PAIR[1]]
        shares = ((a, china_share), (b, 1.0 - china_share))
        if any(r is None and s > 1e-12 for r, s in shares):
            flows.append(f)
            continue
        planned = tuple((r, f.volume_t_per_year * s) for r, s in shares if r is not None and s > 0)
        flows.append(replace(f, planned=planned))
    return replace(allocation, flows=tuple(flows), name=name, basis="family split")


def _kept(allocation: Allocation, china_share: float) -> list[str]:
    """Contracts whose planned routes a split keeps (a family missing)."""
    out = []
    for f in allocation.flows:
        fams = {r.family for r in f.candidates}
        need = [PAIR[0]] if china_share > 0 else []
        need += [PAIR[1]] if china_share < 1 else []
        if any(x not in fams for x in need):
            out.append(f.id)
    return out


def split_name(china_share: float) -> str:
    if china_share >= 1 - 1e-9:
        return "all China"
    if china_share <= 1e-9:
        return "all Trans-Caspian"
    c = round(100 * china_share)
    return f"{c}/{100 - c} China/Trans-Caspian"


def relevant_events(net: Network, plans: Sequence[TimedPlan]) -> list[int]:
    """Indices of the events drawn for every plan: the union over ``plans`` of the events
    touching a route any of them may use (the rule of ``stress --versus``,
    :func:`corridor.risk.intime_stress.relevant_events`), so that all plans see the same
    years."""
    return _relevant(net, plans)


# --------------------------------------------------------------------------- years


def simulate_plans(
    net: Network,
    plans: Sequence[TimedPlan],
    years: int,
    seed: int,
    progress: Callable[[int], None] | None = None,
) -> list[FloatArray]:
    """Per plan, its figures (OUT_FIELDS × years) on the same simulated years."""
    events = relevant_events(net, plans)
    fast = [compile_fast(p, net) for p in plans]
    out = [np.zeros((len(OUT_FIELDS), years)) for _ in plans]
    done = 0
    full, rest = divmod(years, _common.CHUNK_YEARS)
    for chunk, n in enumerate([_common.CHUNK_YEARS] * full + ([rest] if rest else [])):
        occ = sample_block(net, events, _common.CHUNK_YEARS, seed, chunk).first(n)
        for i, fp in enumerate(fast):
            out[i][:, done : done + n] = run_block(fp, occ).values
        done += n
        if progress is not None:
            progress(done)
    return out


def plans_on_closures(
    plans: Sequence[TimedPlan], years: Sequence[Sequence[Closure]]
) -> list[FloatArray]:
    """Per plan, its figures (OUT_FIELDS × years) for given years of dated closures (the
    reference engine, year by year: hand-checkable cases)."""
    out = []
    for plan in plans:
        cols = [simulate_year(plan, list(c)).portfolio for c in years]
        out.append(np.array([[getattr(y, k) for y in cols] for k in OUT_FIELDS]))
    return out


def loss_per_year(values: FloatArray, loss: str, usd_per_unit: float) -> FloatArray:
    """The chosen loss of every year, USD: stock-out days or undelivered tonnes at
    ``usd_per_unit``, plus extra cost."""
    unit = values[_F["stockout_days"] if loss == "stockout" else _F["undelivered_t"]]
    out: FloatArray = unit * usd_per_unit + values[_F["extra_cost_usd"]]
    return out


def shipping_cost(plan: TimedPlan) -> float:
    """Cost of the plan's routes in a year without disruption, USD."""
    return float(
        sum(
            t * r.cost_usd_per_t
            for f in plan.flows
            for r, t in zip(f.routes, f.planned_t, strict=True)
        )
    )


def plan_point(
    name: str,
    plan: TimedPlan,
    values: FloatArray,
    loss: str,
    usd_per_unit: float,
    alpha: float,
    note: str = "",
    within: bool = True,
) -> FrontierPoint:
    """A plan's expected cost (shipping + mean loss), VaR and CVaR of its loss."""
    losses = loss_per_year(values, loss, usd_per_unit)
    var, cvar = cvar_of(losses, alpha)
    ship = shipping_cost(plan)
    split = tuple(
        (f.id, r.label, r.family, float(t))
        for f in plan.flows
        for r, t in zip(f.routes, f.planned_t, strict=True)
        if t > 1e-6
    )
    short = sum(max(f.volume_t_per_year - sum(f.planned_t), 0.0) for f in plan.flows)
    return FrontierPoint(
        name,
        ship + float(losses.mean()),
        ship,
        cvar,
        var,
        short,
        split,
        within,
        note,
        mean_loss=float(losses.mean()),
        extra={
            "mean_stockout_days": float(values[_F["stockout_days"]].mean()),
            "mean_undelivered_t": float(values[_F["undelivered_t"]].mean()),
            "mean_extra_cost_usd": float(values[_F["extra_cost_usd"]].mean()),
        },
    )


def within_capacity(net: Network, plan: TimedPlan) -> bool:
    """Whether the plan's own tonnes fit every capacity left for the user (the figure less
    other traffic, as planning applies it)."""
    from corridor.optimize.capacity import capacities

    for k, c in capacities(net).items():
        own = sum(
            t
            for f in plan.flows
            for r, t in zip(f.routes, f.planned_t, strict=True)
            if k in r.capacities
        )
        if own > c.capacity_t_per_year * (1 + 1e-9) + 1e-6:
            return False
    return True


def efficient(points: Sequence[FrontierPoint]) -> list[FrontierPoint]:
    """Points no other beats on both expected cost and CVaR, least cost first."""
    order = sorted(points, key=lambda p: (p.expected_cost_usd_per_year, p.cvar))
    out: list[FrontierPoint] = []
    for p in order:
        if not out or p.cvar < out[-1].cvar - 1e-9 * max(1.0, abs(out[-1].cvar)):
            out.append(p)
    return out


# --------------------------------------------------------------------------- the frontier


def frontier_in_time(
    allocation: Allocation,
    *,
    loss: str = "stockout",
    years: int = DEFAULT_YEARS,
    seed: int = 0,
    alpha: float = 0.95,
    stock_days: float = DEFAULT_STOCK_DAYS,
    usd_per_stockout_day: float = DEFAULT_USD_PER_STOCKOUT_DAY,
    usd_per_t: float | None = None,
    step: float = DEFAULT_STEP,
    scenario: str = "",
    progress: Callable[[int], None] | None = None,
) -> FrontierResult:
    """The mean–CVaR frontier of China/Trans-Caspian splits on the in-time loss.

    Parameters
    ----------
    allocation : Allocation
        Contracts, their candidate routes and the current split.
    loss : str
        'stockout' (stock-out days at ``usd_per_stockout_day`` + extra cost) or
        'undelivered' (undelivered tonnes at ``usd_per_t`` + extra cost).
    years, seed : int
        Simulated years (the same for every plan) and their seed.
    alpha : float
        CVaR level (0.95: the mean of the worst 5 % of years).
    stock_days : float
        Buyer's safety stock in days of consumption (contracts' own figures win).
    usd_per_stockout_day : float
        Value of one stock-out day of one contract, USD.
    usd_per_t : float, optional
        Value of an undelivered tonne, USD (default: the contracts' cargo value, weighted
        by volume).
    step : float
        Step of the China share between 0 and 1.

    Raises
    ------
    RequestError
        Bad parameters.
    """
    net = allocation.network
    usd = _check(loss, years, alpha, stock_days, usd_per_stockout_day, usd_per_t, step)
    if loss == "undelivered" and usd is None:
        vol = sum(f.volume_t_per_year for f in allocation.flows)
        usd = sum(
            f.volume_t_per_year * net.commodity(f.commodity).value_usd_per_t
            for f in allocation.flows
        ) / max(vol, 1e-9)
    unit_value = float(usd if usd is not None else usd_per_stockout_day)
    started = time.perf_counter()
    grid = sorted({round(x, 9) for x in np.arange(0.0, 1.0 + step / 2, step)} | {0.7})
    allocs = [split_allocation(allocation, s, split_name(s)) for s in grid]
    allocs.append(replace(allocation, name="current plan"))
    timed = [timed_plan(a, stock_days=stock_days) for a in allocs]
    values = simulate_plans(net, timed, years, seed, progress)
    notes_of = [_note(allocation, s) for s in grid] + [""]
    pts = [
        plan_point(a.name, t, v, loss, unit_value, alpha, n, within_capacity(net, t))
        for a, t, v, n in zip(allocs, timed, values, notes_of, strict=True)
    ]
    *grid_pts, current = pts
    by_name = {p.name: p for p in grid_pts}
    refs = (current, *(by_name[n] for n in REFERENCE_NAMES))
    line = efficient(grid_pts)
    return FrontierResult(
        allocation,
        tuple(line),
        refs,
        alpha,
        loss,
        years,
        seed,
        "in time",
        time.perf_counter() - started,
        net.data_version,
        scenario,
        _notes(line, refs, loss, unit_value, stock_days),
        loss=loss,
        valuation=_valuation(loss, unit_value, usd_per_t is None, stock_days),
        evaluated=tuple(grid_pts),
    )


def _note(allocation: Allocation, share: float) -> str:
    kept = _kept(allocation, share)
    return f"planned routes kept for {', '.join(kept)} (a family missing)" if kept else ""


def _valuation(loss: str, value: float, default: bool, stock_days: float) -> dict[str, Any]:
    if loss == "stockout":
        return {
            "usd_per_stockout_day": value,
            "default": value == DEFAULT_USD_PER_STOCKOUT_DAY,
            "range": list(STOCKOUT_DAY_RANGE),
            "stock_days": stock_days,
            "method": "docs/risk.md#risk-aware-planning",
        }
    return {
        "usd_per_t": value,
        "default": default,
        "basis": "cargo value (commodities.csv value_usd_per_t)" if default else "given",
        "stock_days": stock_days,
        "method": "docs/risk.md#risk-aware-planning",
    }


def _check(
    loss: str,
    years: int,
    alpha: float,
    stock_days: float,
    per_day: float,
    per_t: float | None,
    step: float,
) -> float | None:
    if loss not in LOSSES:
        raise RequestError(f"the loss must be one of cost, {', '.join(LOSSES)}, not '{loss}'")
    check_cvar_sample(years, alpha, "years")
    if not 0 <= stock_days <= 3650:
        raise RequestError(f"stock days must be within 0–3650, not {stock_days}")
    if not (np.isfinite(per_day) and per_day >= 0):
        raise RequestError(f"the value of a stock-out day must be ≥ 0 USD, not {per_day}")
    if per_t is not None and not (np.isfinite(per_t) and per_t >= 0):
        raise RequestError(f"the value of an undelivered tonne must be ≥ 0 USD, not {per_t}")
    if not 0 < step <= 0.5:
        raise RequestError(f"the share step must be within (0, 0.5], not {step}")
    return per_t


def _notes(
    line: Sequence[FrontierPoint],
    refs: Sequence[FrontierPoint],
    loss: str,
    value: float,
    stock_days: float,
) -> tuple[str, ...]:
    cheap, safe = line[0], line[-1]
    usd = f"{value:,.0f}"
    what = Message("fit_loss_stockout" if loss == "stockout" else "fit_loss_undelivered", usd=usd)
    notes: list[str] = [
        Message("fit_note_loss", what=what, stock=f"{stock_days:g}"),
        Message(
            "fit_note_premium",
            safe=_fams(safe),
            usd=f"{safe.expected_cost_usd_per_year - cheap.expected_cost_usd_per_year:,.0f}",
            cheap=_fams(cheap),
            cut=f"{cheap.cvar - safe.cvar:,.0f}",
        ),
    ]
    for r in refs:
        on = any(
            abs(r.cvar - p.cvar) < 1e-6 * max(1.0, r.cvar) and r.split == p.split for p in line
        )
        notes.append(
            Message(
                "fit_note_ref_on" if on else "fit_note_ref_off",
                name=Named(r.name, split_label(r.name, "ja")),
                cost=f"{r.expected_cost_usd_per_year:,.0f}",
                cvar=f"{r.cvar:,.0f}",
            )
        )
    return tuple(notes)


def _fams(p: FrontierPoint) -> str:
    return Joined(
        ", ",
        [
            Named(f"{FAMILY_LABELS.get(k, k)} {v:.0%}", f"{family_name(k, 'ja')} {v:.0%}")
            for k, v in p.family_share().items()
        ],
    )
