"""The block engine in time gives the reference's numbers, year by year."""

from __future__ import annotations

import numpy as np
import pytest

from corridor.network.model import Network
from corridor.risk.allocation import from_contracts
from corridor.risk.calendar import Closure, Schedule
from corridor.risk.intime_fast import (
    OUT_FIELDS,
    Occurrences,
    compile_fast,
    run_block,
    sample_block,
)
from corridor.risk.intime_stress import relevant_events, sample_occurrences
from corridor.risk.occurrences import event_closures
from corridor.risk.recovery import Background, Figure, Recovery
from corridor.risk.timeline import TimedFlow, TimedPlan, TimedRoute, simulate_year, timed_plan


@pytest.fixture(scope="module")
def example(bundled: Network):  # type: ignore[no-untyped-def]
    allocation = from_contracts("examples/contracts.yaml", network=bundled)
    plan = timed_plan(allocation, stock_days=30.0)
    return bundled, plan, relevant_events(bundled, [plan])


@pytest.mark.parametrize(("seed", "chunk"), [(7, 2), (1, 0), (3, 5)])
def test_block_draws_are_the_reference_draws(example, seed: int, chunk: int) -> None:  # type: ignore[no-untyped-def]
    # the same random numbers, in (year, event, start, days) order; some years have more
    # than 32 occurrences (sorted by np.sort, the others by insertion)
    net, _, events = example
    occ = sample_block(net, events, 300, seed=seed, chunk=chunk)
    ref = sample_occurrences(net, events, 300, seed, chunk)
    assert occ.keys() == [tuple(sorted(y)) for y in ref]
    assert max(len(y) for y in ref) > 32
    assert all(a.dtype == np.int64 for a in (occ.year, occ.event, occ.start, occ.days))
    assert occ.first(10).keys() == occ.keys()[:10]
    # an event list in another order draws the same occurrences
    assert sample_block(net, events[::-1], 300, seed=seed, chunk=chunk).keys() == occ.keys()


def test_no_events_draw_nothing(example) -> None:  # type: ignore[no-untyped-def]
    net, _, _ = example
    occ = sample_block(net, [], 5, seed=1, chunk=0)
    assert occ.keys() == [()] * 5


def test_block_engine_equals_the_year_by_year_engine(example) -> None:  # type: ignore[no-untyped-def]
    net, plan, events = example
    fast = compile_fast(plan, net)
    occ = sample_block(net, events, 400, seed=7, chunk=0)
    block = run_block(fast, occ)
    keys = occ.keys()
    # the busiest years and a spread of others
    busiest = sorted(range(len(keys)), key=lambda y: -len(keys[y]))[:6]
    sample = sorted(set(busiest) | set(range(0, 400, 10)))
    switched = 0.0
    for y in sample:
        closures = [c for e, s, d in keys[y] for c in event_closures(net, net.events[e], s, d)]
        ref = simulate_year(plan, closures).portfolio
        want = np.array([getattr(ref, k) for k in OUT_FIELDS])
        np.testing.assert_allclose(block.values[:, y], want, rtol=1e-9, atol=1e-6)
        switched += ref.rerouted_t
    assert switched > 0  # the sample does exercise re-routing (and the tanker's capacity)
    assert block.values[OUT_FIELDS.index("stockout_days")].max() > 0


def test_keys_round_trip_through_occurrences(example) -> None:  # type: ignore[no-untyped-def]
    net, plan, events = example
    fast = compile_fast(plan, net)
    occ = sample_block(net, events, 50, seed=1, chunk=0)
    again = type(occ).of_keys(occ.keys())
    np.testing.assert_array_equal(run_block(fast, again).values, run_block(fast, occ).values)


def test_displaced_traffic_years_equal_the_reference_by_contract(example) -> None:  # type: ignore[no-untyped-def]
    # years in which a closure sends other users onto the crossings the contracts switch to
    net, plan, events = example
    occ = sample_block(net, events, 400, seed=7, chunk=0)
    block = run_block(compile_fast(plan, net), occ, by_flow=True)
    assert block.by_flow is not None
    keys = occ.keys()
    claimed = [k for k in plan.recovery.background if k in plan.capacity_targets]

    def closures(y: int) -> list[Closure]:
        return [c for e, s, d in keys[y] for c in event_closures(net, net.events[e], s, d)]

    claiming = [
        y
        for y in range(len(keys))
        if any(
            not c.targets.isdisjoint(plan.capacity_targets[k]) for c in closures(y) for k in claimed
        )
    ]
    assert len(claiming) > 100
    for y in claiming[:15]:
        ref = simulate_year(plan, closures(y))
        for i, f in enumerate(plan.flows):
            want = np.array([getattr(ref.contracts[f.id], k) for k in OUT_FIELDS])
            np.testing.assert_allclose(block.by_flow[i, :, y], want, rtol=1e-9, atol=1e-6)


def test_displaced_background_leaves_the_contract_only_the_rest(bundled: Network) -> None:
    # One contract of 1 t/day (365 lots) planned on A (10 d), which a Caspian storm closes
    # wholly; B (10 d, not planned, no lead time) draws on CAP_B with 3 t/day spare. The
    # storm displaces other users' 4 t/day from CAP_A onto CAP_C (1.5 t/day spare) first,
    # then CAP_B: CAP_C takes 1.5, CAP_B 2.5, so 0.5 t/day is left for the contract.
    # Year 0, one storm on days 100..159: each lot's 1 t splits 0.5 switched, 0.5 waiting
    # (for day 160) -> 30 t re-routed, 30 t waited.
    # Year 1, a second storm on days 130..139 as well: its claim takes CAP_B's last
    # 0.5 t/day on those days (CAP_C has none left), so those 10 lots all wait:
    # 0.5 x 50 = 25 t re-routed, 35 t waited.
    storm = next(e for e, ev in enumerate(bundled.events) if ev.id == "EV_CASPIAN_STORM")
    (group,) = event_closures(bundled, bundled.events[storm], 0.0, 1.0)
    assert group.capacity_loss == 1.0 and group.delay_days == 0
    caspian = group.targets
    routes = (
        TimedRoute("A", "china", 100.0, 10.0, caspian, ("CAP_A",)),
        TimedRoute("B", "tc", 150.0, 10.0, frozenset({"B"}), ("CAP_B",)),
    )
    flow = TimedFlow("c", "bulk", 365.0, 0.0, routes, (365.0, 0.0), 30.0, Schedule("even"))
    fig = Figure(0.0, 0.0, 0.0, ("test",))
    used = Figure(4 * 365.0, 4 * 365.0, 4 * 365.0, ("test",))
    recovery = Recovery(
        {("general", "*"): fig}, fig, {"CAP_A": Background("CAP_A", used, ("CAP_C", "CAP_B"))}
    )
    plan = TimedPlan(
        (flow,),
        {"CAP_A": 10.0, "CAP_B": 3.0, "CAP_C": 1.5},
        {"CAP_A": caspian, "CAP_B": frozenset({"B"}), "CAP_C": frozenset({"C"})},
        recovery,
    )
    keys = [((storm, 100, 60),), ((storm, 100, 60), (storm, 130, 10))]
    block = run_block(compile_fast(plan, bundled), Occurrences.of_keys(keys))
    got = dict(zip(OUT_FIELDS, block.values, strict=True))
    np.testing.assert_allclose(got["rerouted_t"], [30.0, 25.0])
    np.testing.assert_allclose(got["waited_t"], [30.0, 35.0])
    # switched tonnes pay B's USD 50/t more; nothing is late by the switch (same transit)
    np.testing.assert_allclose(got["extra_cost_usd"], [30.0 * 50.0, 25.0 * 50.0])
    for y, key in enumerate(keys):
        closures = [c for e, s, d in key for c in event_closures(bundled, bundled.events[e], s, d)]
        ref = simulate_year(plan, closures).portfolio
        want = np.array([getattr(ref, k) for k in OUT_FIELDS])
        np.testing.assert_allclose(block.values[:, y], want, rtol=1e-9, atol=1e-6)


# 2,000 years of the example (seed 1, chunk 0): per contract, the sums over the years of
# OUT_FIELDS as the lot-by-lot kernel gave them (commit 8973835, whose years the tests above
# check against simulate_year). A faster kernel must give the same tallies.
PINNED_2000 = {
    "reo_sareco": [276073.76665348886, 731354.1233510533, 0.0, 1870.22551341114,
                   25308717.050762415, -49115018.54447215, 304222.0336449415, 12691.390994858546],
    "ree_concentrate_zhana": [2696054.7410958894, 7778290.424883947, 0.0, 21010.437392550564,
                              50893021.890481696, -54424330.13736981, 1212684.8478582657,
                              182705.56310063956],
    "uoc_kharasan": [659905.1640000001, 11350514.254829798, 5352.0, 13973.508000000002,
                     624572993.8003511, -480095073.3213041, 164917.34100000001, 152481.249],
    "uoc_inkai": [139929.0, 2406809.638428711, 5375.0, 2963.0, 132437021.58616437,
                  -101801330.22080237, 34969.75, 32332.75],
    "crude_tengiz": [254798893.15068477, 3374538601.513632, 8694.0, 8318932.000000002,
                     7464460435.089892, -1546373835.6139631, 171878347.0684932,
                     45360611.83561647],
}  # fmt: skip


def test_two_thousand_years_keep_their_tallies(example) -> None:  # type: ignore[no-untyped-def]
    net, plan, events = example
    block = run_block(compile_fast(plan, net), sample_block(net, events, 2000, 1, 0), by_flow=True)
    assert block.by_flow is not None
    assert [f.id for f in plan.flows] == list(PINNED_2000)
    np.testing.assert_allclose(
        block.by_flow.sum(axis=2), np.array(list(PINNED_2000.values())), rtol=1e-9, atol=1e-9
    )


def test_the_longest_closure_holds_its_lots_until_it_ends(bundled: Network) -> None:
    # One contract of 1 t/day (lots on days 0..364) on its only route A (10 d), closed
    # wholly by a Caspian storm. Year 0: days 364..1093, the longest closure (730 days from
    # the year's last day: the hit lots are found by whole day up to the horizon's end):
    # lot 364 waits for day 1094, 730 t-days late. Year 1: days 300..1029: lots 300..364
    # wait for day 1030, 65 x 1030 - (300 + 364) x 65 / 2 = 45,370 t-days. Year 2: days
    # 100..159: lots 100..159 wait for day 160, 60 x 160 - 7,770 = 1,830 t-days.
    storm = next(e for e, ev in enumerate(bundled.events) if ev.id == "EV_CASPIAN_STORM")
    (group,) = event_closures(bundled, bundled.events[storm], 0.0, 1.0)
    route = TimedRoute("A", "china", 100.0, 10.0, group.targets, ("CAP_A",))
    flow = TimedFlow("c", "bulk", 365.0, 0.0, (route,), (365.0,), 30.0, Schedule("even"))
    fig = Figure(0.0, 0.0, 0.0, ("test",))
    recovery = Recovery({("general", "*"): fig}, fig, {})
    plan = TimedPlan((flow,), {"CAP_A": 10.0}, {"CAP_A": group.targets}, recovery)
    keys = [((storm, 364, 730),), ((storm, 300, 730),), ((storm, 100, 60),)]
    block = run_block(compile_fast(plan, bundled), Occurrences.of_keys(keys))
    got = dict(zip(OUT_FIELDS, block.values, strict=True))
    np.testing.assert_allclose(got["waited_t"], [1.0, 65.0, 60.0])
    np.testing.assert_allclose(got["late_t"], [1.0, 65.0, 60.0])
    np.testing.assert_allclose(got["tonne_days_late"], [730.0, 45370.0, 1830.0])
    for y, key in enumerate(keys):
        closures = [c for e, s, d in key for c in event_closures(bundled, bundled.events[e], s, d)]
        ref = simulate_year(plan, closures).portfolio
        want = np.array([getattr(ref, k) for k in OUT_FIELDS])
        np.testing.assert_allclose(block.values[:, y], want, rtol=1e-12, atol=1e-9)
