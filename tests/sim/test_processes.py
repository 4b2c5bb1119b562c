"""The ferry model against hand calculations, on a one-port model built by hand."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from corridor.sim.model import ModelSpec, PortSpec
from corridor.sim.processes import run_replication

TRAIN_WAGONS, GAP_H, LOAD_H = 20, 24.0, 3.0


def _spec(**changes: object) -> ModelSpec:
    """One port, one ferry of two trains' wagons, a train every 24 h, no storms."""
    base = ModelSpec(
        stages=(),
        ports=(
            PortSpec(
                node="PORT",
                berths=1,
                load_hours=LOAD_H,
                share=1.0,
                direct_trains_per_hour=1.0 / GAP_H,
                customs=(-math.inf, 0.0),
            ),
        ),
        arrival_node="ALAT",
        arrival_berths=1,
        unload_hours=2.0,
        yards=(),
        ferry_units=1,
        ferry_wagons=2 * TRAIN_WAGONS,
        crossing_hours=5.0,
        sailing_rule="full",
        max_hold_hours=1e6,
        headway_hours=84.0,
        storm_share_nov_dec=0.0,
        storm_days_jan_may=0.0,
        storm_event_days=(3.0, 6.0),
        class7_lot_t=875.0,
        class7_consignments_per_hour=0.0,
        class7_consignment_t=250.0,
        shipments=1,
        shipment_wagons=1,
        shipment_t=50.0,
        train_wagons=TRAIN_WAGONS,
        wagon_t=50.0,
        warmup_hours=10 * 24.0,
        horizon_hours=200 * 24.0,
        drain_hours=24.0,
        arrivals="regular",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_ferry_that_sails_when_full_matches_hand_calculation() -> None:
    """Two trains fill a ferry: the first waits one gap plus loading, the second only the
    loading, so the mean wait is gap/2 + loading = 15 h; the ferry is back (5 + 2 + 5 h)
    long before the next pair starts, so no other wait arises."""
    rep = run_replication(_spec(), np.random.SeedSequence(1))
    queue = rep.resources["PORT wagon queue"]
    assert queue.mean_wait_h == pytest.approx(GAP_H / 2 + LOAD_H, abs=0.1)
    # every sailing is full and carries two trains: 200 days × 1 train/day ÷ 2
    fleet = rep.resources["ferry fleet"]
    assert fleet.load_factor == pytest.approx(1.0)
    assert fleet.served == pytest.approx(100, abs=1)
    assert rep.throughput_t_per_year["PORT"] == pytest.approx(TRAIN_WAGONS * 50.0 * 365.0, rel=0.01)


def test_a_ferry_on_timetable_sails_part_full() -> None:
    """Every 84 h whatever the load: 3.5 trains per sailing on average, capacity 4."""
    spec = _spec(sailing_rule="timetable", ferry_wagons=4 * TRAIN_WAGONS)
    rep = run_replication(spec, np.random.SeedSequence(1))
    assert rep.resources["ferry fleet"].load_factor == pytest.approx(3.5 / 4, abs=0.03)


def test_too_few_ferries_build_a_queue() -> None:
    """A ferry that can carry one train per 45 h cannot clear a train a day: the queue grows."""
    spec = _spec(ferry_wagons=TRAIN_WAGONS, crossing_hours=20.0)
    rep = run_replication(spec, np.random.SeedSequence(1))
    assert rep.resources["PORT wagon queue"].mean_wait_h > 10 * 24
    two = run_replication(replace(spec, ferry_units=2), np.random.SeedSequence(1))
    assert two.resources["PORT wagon queue"].mean_wait_h < 24


def test_storms_hold_the_ferry() -> None:
    calm = run_replication(_spec(), np.random.SeedSequence(3))
    stormy = run_replication(
        _spec(storm_share_nov_dec=0.5, storm_days_jan_may=20.0, horizon_hours=365 * 24.0),
        np.random.SeedSequence(3),
    )
    assert stormy.storm_closed_days > 20
    assert calm.storm_closed_days == 0
    assert (
        stormy.resources["PORT wagon queue"].mean_wait_h
        > calm.resources["PORT wagon queue"].mean_wait_h
    )


def test_cargo_waits_for_the_next_liner_call() -> None:
    """A liner calls every 168 h from a phase drawn once: every traced train leaves on a
    call (departures differ by whole headways), waits less than one headway, and, with 61
    trains 79 h apart (coprime with 168 over the run), waits half a headway on average."""
    from corridor.sim.model import Stage

    call = Stage("call", "GE_POTI", "wait for the liner call at GE_POTI", hours=168.0)
    spec = _spec(stages=(call,), shipments=61, horizon_hours=61 * 79.0, drain_hours=400.0)
    spec = replace(spec, ports=(replace(spec.ports[0], direct_trains_per_hour=0.0),))
    rep = run_replication(spec, np.random.SeedSequence(7))
    waits = [dict(stages)[call.label] for stages in rep.stage_hours]
    assert len(waits) == 61 and all(0 <= w < 168.0 for w in waits)
    arrivals = [spec.warmup_hours + 79.0 / 2 + i * 79.0 for i in range(61)]
    leave = [a + w for a, w in zip(arrivals, waits, strict=True)]
    offsets = [((t - leave[0]) / 168.0) for t in leave]
    assert all(abs(o - round(o)) < 1e-9 for o in offsets)
    # 79 × i mod 168 runs through 61 distinct residues: the mean wait is close to 84 h
    assert np.mean(waits) == pytest.approx(84.0, abs=10.0)


def _feeder_spec(**changes: object) -> ModelSpec:
    """The ferry case of ``_spec`` moved onto a feeder fleet in TEU: the rail ferry gets no
    trains, one feeder of two trains' boxes (2 TEU a wagon) takes them."""
    from corridor.sim.model import FleetSpec

    base = _spec()
    port = replace(base.ports[0], direct_trains_per_hour=0.0)
    feeder = FleetSpec(
        ports=(replace(base.ports[0], node="FPORT"),),
        arrival_node="FALAT",
        arrival_berths=1,
        unload_hours=2.0,
        units=1,
        capacity_teu=2 * TRAIN_WAGONS * 2,
        teu_per_wagon=2.0,
        crossing_hours=5.0,
        sailing_rule="full",
        max_hold_hours=1e6,
        headway_hours=84.0,
    )
    spec = replace(base, ports=(port,), feeder=feeder)
    return replace(spec, **changes)  # type: ignore[arg-type]


def test_a_feeder_that_sails_when_full_matches_hand_calculation() -> None:
    """The ferry hand calculation in TEU: 40 TEU trains, 80 TEU feeder, a train a day:
    mean wait 24/2 + 3 h loading = 15 h, every sailing full, 100 in 200 days."""
    rep = run_replication(_feeder_spec(), np.random.SeedSequence(1))
    queue = rep.resources["FPORT TEU queue (feeders)"]
    assert queue.mean_wait_h == pytest.approx(GAP_H / 2 + LOAD_H, abs=0.1)
    fleet = rep.resources["feeder fleet"]
    assert fleet.load_factor == pytest.approx(1.0)
    assert fleet.served == pytest.approx(100, abs=1)
    tonnes = TRAIN_WAGONS * 50.0 * 365.0
    assert rep.throughput_t_per_year["FPORT feeders"] == pytest.approx(tonnes, rel=0.01)
    assert rep.resources["ferry fleet"].served == 0  # the rail ferry saw no cargo


def _berth_spec(other_per_hour: float, berths: int = 1) -> ModelSpec:
    """A liner every 168 h taking 10 h at one berth; 61 traced trains 79 h apart."""
    from corridor.sim.model import BerthSpec, Stage

    call = Stage("call", "GE_POTI", "wait for the liner call at GE_POTI", hours=168.0)
    berth = BerthSpec("GE_POTI", berths, 10.0, 12.0, other_per_hour)
    spec = _spec(stages=(call,), shipments=61, horizon_hours=61 * 79.0, drain_hours=400.0)
    spec = replace(spec, call_berths=(berth,), arrivals="regular")
    return replace(spec, ports=(replace(spec.ports[0], direct_trains_per_hour=0.0),))


def test_one_berth_liner_alone_adds_its_handling() -> None:
    """No other vessel: the berth is always free, so the wait is the wait for the call plus
    the liner's 10 h at berth, i.e. 10–178 h, about 84 + 10 h on average."""
    rep = run_replication(_berth_spec(0.0), np.random.SeedSequence(7))
    waits = [dict(stages)["wait for the liner call at GE_POTI"] for stages in rep.stage_hours]
    assert len(waits) == 61 and all(10.0 - 1e-9 <= w < 178.0 for w in waits)
    assert np.mean(waits) == pytest.approx(94.0, abs=10.0)
    assert rep.resources["GE_POTI liner"].mean_wait_h == 0.0


def test_one_berth_shared_with_a_vessel_a_day() -> None:
    """Another vessel every 24 h holds the one berth 12 h. The liner's calls (168 h = 7 × 24
    apart) keep one phase against them: it finds the berth busy half the time and then
    waits the rest of that 12 h hold. Over many seeds the mean berth wait is
    0.5 × 12/2 = 3 h (standard error ≈ 0.4 h at 100 seeds)."""
    waits = []
    for seed in range(100):
        rep = run_replication(_berth_spec(1.0 / 24.0), np.random.SeedSequence(seed))
        liner = rep.resources["GE_POTI liner"]
        assert liner.served > 20
        waits.append(liner.mean_wait_h)
    assert np.mean(waits) == pytest.approx(3.0, abs=1.2)
    assert 0.3 < np.mean([w == 0 for w in waits]) < 0.7  # free on arrival about half the time
    two = run_replication(_berth_spec(1.0 / 24.0, berths=2), np.random.SeedSequence(1))
    assert two.resources["GE_POTI liner"].mean_wait_h == 0.0  # a second berth is always free
