"""Stress in time: reproducible draws, carry-over into the next year, the comparison sentence."""

from __future__ import annotations

import pytest

from corridor.network.model import Network
from corridor.risk import _common
from corridor.risk.allocation import from_contracts
from corridor.risk.intime_stress import (
    comparison_sentence,
    event_closures,
    sample_occurrences,
    stress_in_time,
)


def test_draws_do_not_depend_on_the_number_of_years(bundled: Network) -> None:
    events = list(range(len(bundled.events)))
    long = sample_occurrences(bundled, events, 400, seed=3, chunk=0)
    again = sample_occurrences(bundled, events, 400, seed=3, chunk=0)
    assert long == again
    assert sample_occurrences(bundled, events, 400, seed=4, chunk=0) != long
    # An occurrence running past 31 December carries into the next year from 1 January.
    for y, occ in enumerate(long[:-1]):
        for e, s, d in occ:
            if s > 0 and s + d > 365:  # carried-in entries start on day 0
                assert (e, 0, s + d - 365) in long[y + 1]


def test_sanction_closes_countries_and_leaves_seas_open(bundled: Network) -> None:
    closures = event_closures(bundled, bundled.event("EV_RUSSIA_SANCTIONS"), 10, 100)
    closed = [c for c in closures if c.capacity_loss == 1.0]
    assert len(closed) == 1 and "RU" in closed[0].targets
    assert all("CASPIAN" not in c.targets or c.capacity_loss < 1 for c in closures)


def test_same_seed_same_numbers_and_a_sentence(
    bundled: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_common, "CHUNK_YEARS", 64)  # several chunks in a fast test
    plans = [
        from_contracts(f"examples/splits/ree_5000_{name}.yaml", network=bundled)
        for name in ("all_china", "split_70_30")
    ]
    a = stress_in_time(plans[0], years=150, seed=1, stock_days=10)
    again = stress_in_time(plans[0], years=150, seed=1, stock_days=10)
    assert a.to_dict() == again.to_dict()
    b = stress_in_time(plans[1], years=150, seed=1, stock_days=10)
    # Every year's attribution adds up to the year's figure.
    total = sum(v["late_t"] for v in a.by_event.values())
    assert total == pytest.approx(a.mean("late_t"))
    text = comparison_sentence(a, b, bundled)
    assert "protects more than" in text and "150 simulated years" in text
    assert "all China" in text and "70/30" in text
