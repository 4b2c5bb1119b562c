"""Stress in time: reproducible draws, carry-over into the next year, the comparison sentence."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import numpy as np
import pytest

from corridor.network.model import Network
from corridor.risk import _common
from corridor.risk.allocation import Allocation, from_contracts
from corridor.risk.intime_fast import (
    CAUSE_FIELDS,
    OUT_FIELDS,
    Occurrences,
    compile_fast,
    run_block,
)
from corridor.risk.intime_stress import (
    TAIL_BINS,
    InTimeModel,
    InTimeTally,
    _tail_bins,
    comparison_sentence,
    intime_chunk,
    relevant_events,
    sample_occurrences,
    stress_in_time,
)
from corridor.risk.occurrences import event_closures
from corridor.risk.timeline import timed_plan
from corridor.risk.versus import compare_in_time


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
    # At 30 days of stock neither runs out: ranked on delay. The Black Sea war cuts only the
    # split's Trans-Caspian lots, so it narrows the gap the Chinese closures open.
    a, b = (stress_in_time(p, years=150, seed=1, stock_days=30) for p in plans)
    drivers, against = comparison_sentence(a, b, bundled).split("Against it, the other way: ")
    assert "tonne-days of delay comes mostly from" in drivers
    assert "Chinese border regime" in drivers and "Black Sea" not in drivers
    assert against.startswith("War escalation in the Black Sea (-")


# --------------------------------------------------------------------------- chunks, Dask


def assert_same(a: InTimeTally, b: InTimeTally) -> None:
    """Every tally equal, to the bit."""
    for name in ("sums", "counts", "bin_sums", "attributed"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert (a.years, a.distinct_years) == (b.years, b.distinct_years)


@pytest.fixture(scope="module")
def all_china(bundled: Network) -> Allocation:
    return from_contracts("examples/splits/ree_5000_all_china.yaml", network=bundled)


def test_tallies_are_flat_in_years_and_fold_to_the_years(
    all_china: Allocation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_common, "CHUNK_YEARS", 500)
    short = stress_in_time(all_china, years=500, seed=2, stock_days=10)
    long = stress_in_time(all_china, years=3_000, seed=2, stock_days=10)
    assert short.tally.counts.shape == long.tally.counts.shape == (5, TAIL_BINS)
    assert long.tally.counts.sum(axis=1).tolist() == [3_000] * 5
    # The sums of the bins are the sums of the years; the first 500 years are the short run.
    np.testing.assert_allclose(long.tally.bin_sums.sum(axis=1), long.tally.sums)
    plan = timed_plan(all_china, stock_days=10)
    net = all_china.network
    model = InTimeModel(compile_fast(plan, net), tuple(relevant_events(net, [plan])))
    parts = [intime_chunk(model, 2, chunk, 500) for chunk in range(6)]
    assert_same(parts[0], short.tally)
    folded = parts[0]
    for part in parts[1:]:
        folded = folded.merge(part)
    assert_same(folded, long.tally)


# --------------------------------------------------------------------------- by cause


def test_each_lots_delay_goes_to_the_event_that_cut_it(bundled: Network) -> None:
    """Two closures of the China route months apart in one year: each event's part is what
    the year with that event alone gives (the lots of one closure never meet the other);
    an event that cuts no lot of the plan gets nothing."""
    plans = {
        name: timed_plan(
            from_contracts(f"examples/splits/ree_5000_{name}.yaml", network=bundled),
            stock_days=30,
        )
        for name in ("all_china", "split_70_30")
    }
    works, regime, war = (
        bundled.events.index(bundled.event(e))
        for e in ("EV_DOSTYK_WORKS", "EV_CHINA_BORDER_REGIME", "EV_BLACK_SEA_WAR")
    )
    both = ((works, 20, 15), (regime, 150, 40), (war, 200, 30))
    alone = [((works, 20, 15),), ((regime, 150, 40),), ((war, 200, 30),)]
    fast = compile_fast(plans["all_china"], bundled)
    year = run_block(fast, Occurrences.of_keys([both]), by_event=True)
    singles = run_block(fast, Occurrences.of_keys(alone)).values
    assert year.by_event is not None
    for i, e in enumerate((works, regime, war)):
        want = [singles[OUT_FIELDS.index(f), i] for f in CAUSE_FIELDS]
        np.testing.assert_allclose(year.by_event[0, e], want, rtol=1e-12, atol=1e-9)
    assert singles[OUT_FIELDS.index("tonne_days_late"), 0] > 0  # the works delay lots
    assert year.by_event[0, war].tolist() == [0.0] * len(CAUSE_FIELDS)  # all China: no lot
    # On the 70/30 split the same war cuts its Trans-Caspian lots.
    split = run_block(
        compile_fast(plans["split_70_30"], bundled), Occurrences.of_keys([both]), by_event=True
    )
    assert split.by_event is not None
    assert split.by_event[0, war, CAUSE_FIELDS.index("tonne_days_late")] > 0
    # The parts add up to the year's figures.
    for k, f in enumerate(CAUSE_FIELDS):
        assert year.by_event[0, :, k].sum() == pytest.approx(year.values[OUT_FIELDS.index(f), 0])


def test_chunk_attribution_adds_up_and_spares_events_the_plan_never_meets(
    all_china: Allocation,
) -> None:
    plan = timed_plan(all_china, stock_days=30)
    net = all_china.network
    events = tuple(relevant_events(net, [plan]))
    tally = intime_chunk(InTimeModel(compile_fast(plan, net), events), 5, 0, 400)
    np.testing.assert_allclose(tally.attributed.sum(axis=0), tally.sums, rtol=1e-9)
    # The Black Sea war is drawn (it closes the Trans-Caspian alternative) but cuts no lot
    # of an all-China plan: none of its delay or cost is put on it.
    war = events.index(net.events.index(net.event("EV_BLACK_SEA_WAR")))
    assert tally.attributed[war, 1:].tolist() == [0.0] * 4


def test_tail_mean_by_hand() -> None:
    # 20 years: 16 at zero, 2 at 1 day, one at 7 and one at 12.
    values = np.array([[0.0] * 16 + [1.0, 1.0, 7.0, 12.0]])
    bins = _tail_bins(values[0])
    counts = np.bincount(bins, minlength=TAIL_BINS)[None, :]
    sums = np.bincount(bins, weights=values[0], minlength=TAIL_BINS)[None, :]
    t = InTimeTally(20, values.sum(axis=1), counts, sums, np.zeros((0, 1)), 0)
    assert t.tail_mean(0, 0.95) == 12.0  # the worst 1 year
    assert t.tail_mean(0, 0.90) == pytest.approx((12 + 7) / 2)
    assert t.tail_mean(0, 0.80) == pytest.approx((12 + 7 + 1 + 1) / 4)
    assert t.tail_mean(0, 0.75) == pytest.approx((12 + 7 + 1 + 1 + 0) / 5)
    assert bins.tolist()[15:] == [0, bins[16], bins[16], bins[18], bins[19]]
    assert len(set(bins[16:].tolist())) == 3


def test_dask_gives_the_single_process_numbers(
    all_china: Allocation, monkeypatch: pytest.MonkeyPatch, dask_client: Any
) -> None:
    monkeypatch.setattr(_common, "CHUNK_YEARS", 500)  # 6 chunks, folded in order
    single = stress_in_time(all_china, years=3_000, seed=5, stock_days=10)
    seen: list[int] = []
    spread = stress_in_time(
        all_china, years=3_000, seed=5, stock_days=10, client=dask_client, progress=seen.append
    )
    assert_same(single.tally, spread.tally)
    assert single.to_dict() == spread.to_dict()
    assert sorted(seen) == seen and seen[-1] == 3_000 and len(seen) == 6


def test_two_worker_processes_give_the_single_process_numbers(bundled: Network) -> None:
    """The compiled plan pickled to two local worker processes (one chunk each plan)."""
    plans = [
        from_contracts(f"examples/splits/ree_5000_{name}.yaml", network=bundled)
        for name in ("all_china", "split_70_30")
    ]
    single = compare_in_time(*plans, years=2_000, seed=4, stock_days=10)
    spread = compare_in_time(*plans, years=2_000, seed=4, stock_days=10, workers=2)
    for a, b in zip(single.results, spread.results, strict=True):
        assert_same(a.tally, b.tally)
    assert single.summary == spread.summary


@pytest.mark.parametrize("workers", ["0", "-2"])
def test_versus_refuses_fewer_than_one_worker(workers: str) -> None:
    p = subprocess.run(
        [
            sys.executable,
            "-m",
            "corridor",
            "stress",
            "examples/splits/ree_5000_all_china.yaml",
            "--versus",
            "examples/splits/ree_5000_split_70_30.yaml",
            "--years",
            "50",
            "--no-store",
            "--workers",
            workers,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if k != "CORRIDOR_DATA"},
    )
    assert p.returncode == 2, p.stderr
    assert f"the number of workers must be at least 1, not {workers}" in p.stderr
    assert "Traceback" not in p.stderr and p.stdout == ""
