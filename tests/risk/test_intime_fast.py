"""The block engine in time gives the reference's numbers, year by year."""

from __future__ import annotations

import numpy as np
import pytest

from corridor.network.model import Network
from corridor.risk.allocation import from_contracts
from corridor.risk.intime_fast import OUT_FIELDS, compile_fast, run_block, sample_block
from corridor.risk.intime_stress import event_closures, relevant_events, sample_occurrences
from corridor.risk.timeline import simulate_year, timed_plan


@pytest.fixture(scope="module")
def example(bundled: Network):  # type: ignore[no-untyped-def]
    allocation = from_contracts("examples/contracts.yaml", network=bundled)
    plan = timed_plan(allocation, stock_days=30.0)
    return bundled, plan, relevant_events(bundled, [plan])


def test_block_draws_are_the_reference_draws(example) -> None:  # type: ignore[no-untyped-def]
    net, _, events = example
    occ = sample_block(net, events, 300, seed=7, chunk=2)
    assert occ.keys() == [tuple(sorted(y)) for y in sample_occurrences(net, events, 300, 7, 2)]
    assert occ.first(10).keys() == occ.keys()[:10]


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
