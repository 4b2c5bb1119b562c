"""Disruptions in time: hand-checkable cases of the calendar, recovery and the buyer's stock."""

from __future__ import annotations

from dataclasses import replace

import pytest

from corridor.errors import RequestError
from corridor.network.model import Network
from corridor.risk.calendar import Closure, Schedule
from corridor.risk.recovery import Background, Figure, Recovery, recovery_of
from corridor.risk.timeline import TimedFlow, TimedPlan, TimedRoute, simulate_year

VOLUME = 365.0  # one tonne a day: tonnes and days read alike


def _route(
    name: str, family: str, cost: float, days: float, caps: tuple[str, ...] = ()
) -> TimedRoute:
    return TimedRoute(name, family, cost, days, frozenset({name}), caps)


def _recovery(lead_days: float = 10.0, premium: float = 0.0, background: float = 0.0) -> Recovery:
    fig = Figure(lead_days, lead_days, lead_days, ("test",))
    bg = {}
    if background:
        bg["CAP_A"] = Background(
            "CAP_A", Figure(background, background, background, ("t",)), ("CAP_B",)
        )
    return Recovery({("general", "*"): fig}, Figure(premium, premium, premium, ("t",)), bg)


def _plan(
    routes: tuple[TimedRoute, ...],
    planned: tuple[float, ...],
    stock_days: float,
    recovery: Recovery | None = None,
    spare: dict[str, float] | None = None,
) -> TimedPlan:
    flow = TimedFlow("c", "bulk", VOLUME, 0.0, routes, planned, stock_days, Schedule("even"))
    targets = {k: frozenset({k}) for k in spare or {}}
    return TimedPlan((flow,), spare or {}, targets, recovery or _recovery())


def test_one_route_one_closure_one_stock() -> None:
    # 1 t/day on one route (10 d transit), closed from day 100 for 60 days, 30-day stock.
    # Lots of days 100..159 wait and all arrive on day 170 instead of 110..169: the backlog
    # on day 110 + k is k + 1 t, above the 30 t stock for k = 30..59 -> 30 stock-out days.
    # Tonne-days: sum of (60 - j) for j = 0..59 = 1830; 60 t late.
    plan = _plan((_route("A", "china", 100.0, 10.0),), (VOLUME,), 30.0)
    out = simulate_year(plan, [Closure(frozenset({"A"}), 100, 60)]).contracts["c"]
    assert out.stockout_days == 30
    assert out.late_t == pytest.approx(60.0)
    assert out.tonne_days_late == pytest.approx(1830.0)
    assert out.undelivered_t == 0
    assert out.extra_cost_usd == 0  # no carrying cost in this case, nothing re-routed
    # Stock covering the closure: no stock-out; a shorter closure: closure - stock days.
    assert (
        simulate_year(
            _plan(plan.flows[0].routes, (VOLUME,), 60.0), [Closure(frozenset({"A"}), 100, 60)]
        ).portfolio.stockout_days
        == 0
    )
    assert simulate_year(plan, [Closure(frozenset({"A"}), 100, 45)]).portfolio.stockout_days == 15


def test_partial_closure_and_year_end() -> None:
    # Half the capacity lost: half of each lot waits; backlog grows at 0.5 t/day, so a
    # 10-day stock runs out after 20 days of a 60-day closure: 40 stock-out days.
    plan = _plan((_route("A", "china", 100.0, 10.0),), (VOLUME,), 10.0)
    out = simulate_year(plan, [Closure(frozenset({"A"}), 100, 60, capacity_loss=0.5)]).portfolio
    assert out.stockout_days == 40
    assert out.late_t == pytest.approx(30.0)
    # A closure from day 350 for 30 days runs into the next year: lots of days 350..364
    # arrive on day 390, after the delivery year's end (day 375) -> 15 t undelivered.
    late = simulate_year(
        _plan(plan.flows[0].routes, (VOLUME,), 0.0), [Closure(frozenset({"A"}), 350, 30)]
    )
    assert late.portfolio.undelivered_t == pytest.approx(15.0)


def _two_routes(share_b: float, lead: float, closure: float, stock: float) -> float:
    routes = (_route("A", "china", 100.0, 10.0), _route("B", "tc", 150.0, 10.0))
    planned = (VOLUME * (1 - share_b), VOLUME * share_b)
    plan = _plan(routes, planned, stock, _recovery(lead_days=lead))
    return simulate_year(plan, [Closure(frozenset({"A"}), 100, closure)]).portfolio.stockout_days


@pytest.mark.parametrize("closure", [10, 25, 35, 45, 60, 90])
@pytest.mark.parametrize("lead", [0, 5, 20, 40])
def test_diversification_pays_when_the_switch_outlasts_the_stock(closure: int, lead: int) -> None:
    # Route B (same transit) is open. All on A: cut lots wait for the switch to B after
    # the lead time (or for the reopening, if sooner), so the backlog peaks at
    # min(closure, lead) days of consumption. With 30 % already on B, displaced lots move
    # there at once. So diversification saves stock-out days exactly when
    # min(closure, lead) > stock, and then it saves min(closure, lead) - stock of them.
    stock = 20
    single = _two_routes(0.0, lead, closure, stock)
    split = _two_routes(0.3, lead, closure, stock)
    assert split == 0
    assert single == max(min(closure, lead) - stock, 0)
    assert (single > split) == (min(closure, lead) > stock)


def test_extra_cost_is_never_negative_and_planning_effect_apart() -> None:
    # Planned on the dearer route B; A (cheaper, same transit) is where tonnes go when B
    # closes: the saving is a planning effect, the disruption's extra cost stays 0.
    routes = (_route("A", "china", 100.0, 10.0), _route("B", "tc", 150.0, 10.0))
    plan = _plan(routes, (VOLUME * 0.5, VOLUME * 0.5), 30.0)
    out = simulate_year(plan, [Closure(frozenset({"B"}), 100, 60)]).portfolio
    assert out.extra_cost_usd == 0
    assert out.planning_effect_usd == pytest.approx(-30.0 * 50.0)  # 30 t moved, USD 50/t less


def test_spot_premium_on_a_new_route() -> None:
    routes = (_route("A", "china", 100.0, 10.0), _route("B", "tc", 150.0, 10.0))
    plan = _plan(routes, (VOLUME, 0.0), 30.0, _recovery(lead_days=0.0, premium=0.2))
    out = simulate_year(plan, [Closure(frozenset({"A"}), 100, 60)]).portfolio
    assert out.rerouted_t == pytest.approx(60.0)
    assert out.extra_cost_usd == pytest.approx(60.0 * (150.0 * 1.2 - 100.0))


def test_displaced_background_traffic_takes_spare_capacity_first() -> None:
    # B draws on CAP_B with 3 t/day spare. Closing A (CAP_A) displaces other users' traffic
    # of 365 x 2 t/yr = 2 t/day onto CAP_B first, leaving 1 t/day for the contract's 1 t/day
    # (0 lead time): half... all of it fits. With 3 t/day of background, none is left.
    routes = (
        _route("A", "china", 100.0, 10.0, ("CAP_A",)),
        _route("B", "tc", 150.0, 10.0, ("CAP_B",)),
    )
    for background, moved in ((2 * 365.0, 60.0), (2.5 * 365.0, 30.0), (3 * 365.0, 0.0)):
        plan = _plan(
            routes,
            (VOLUME, 0.0),
            30.0,
            _recovery(lead_days=0.0, background=background),
            {"CAP_A": 10.0, "CAP_B": 3.0},
        )
        out = simulate_year(plan, [Closure(frozenset({"A", "CAP_A"}), 100, 60)]).portfolio
        assert out.rerouted_t == pytest.approx(moved)
        assert out.waited_t == pytest.approx(60.0 - moved)


def test_schedules_and_dates() -> None:
    days, tonnes = Schedule("lots", 4).lots(1000.0)
    assert list(days) == [0, 91, 182, 273] and list(tonnes) == [250.0] * 4
    assert len(Schedule("monthly").lots(12.0)[0]) == 12
    assert Schedule.default("class7").lots_per_year == 4
    with pytest.raises(RequestError, match="capacity loss"):
        Closure(frozenset({"A"}), 10, 10, capacity_loss=1.5)
    with pytest.raises(RequestError, match="schedule"):
        Schedule("weekly")


def test_bundled_recovery_table_is_sourced(bundled: Network) -> None:
    rec = recovery_of(bundled)
    assert rec.lead_days("class7", "trans_caspian") > rec.lead_days("bulk", "china")
    assert 0 < rec.spot_premium.value < 1
    for fig in [*rec.lead_times.values(), rec.spot_premium]:
        assert fig.low <= fig.value <= fig.high and fig.sources
    with pytest.raises(RequestError, match=r"no risk_recovery\.csv"):
        recovery_of(replace(bundled, risk_recovery=()))
