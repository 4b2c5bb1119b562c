"""The Monte Carlo engine: sampling, the re-routing rule, metrics, seeds and workers.

The hand-checkable case: 1,000 t/yr of ore on the tiny network, 600 t by China and 400 t by
the Trans-Caspian route (capacity 700 t/yr). Event CN closes China for the whole year with
probability 0.1; event SUEZ halves the Trans-Caspian route for the whole year with
probability 0.2 (onset timing, 365-day durations). By the re-routing rule:

- neither (p 0.72): nothing lost;
- CN only (p 0.08): 600 t displaced, the Trans-Caspian route has 700 − 400 = 300 t spare:
  300 t lost;
- SUEZ only (p 0.18): 200 t displaced to China: nothing lost;
- both (p 0.02): 600 × 0.5 = 300 t move to the half-open Trans-Caspian route, the 200 t it
  loses find China closed: 500 t lost.

So undelivered tonnes are 0 / 300 / 500 with probabilities 0.90 / 0.08 / 0.02: mean 34,
VaR 95 % 300, CVaR 95 % (0.02 × 500 + 0.03 × 300) / 0.05 = 380, VaR and CVaR 99 % 500.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from types import MappingProxyType
from typing import Any

import numpy as np
import pytest

from corridor import risk
from corridor.analysis import default_network
from corridor.network.model import Event, Network
from corridor.risk import _common as risk_common
from corridor.risk import runner as risk_runner
from corridor.risk import sampling as risk_sampling
from tests.oracles.risk_reference import reference_years

YEARS = 200_000


def event(
    eid: str,
    targets: tuple[str, ...],
    probability: float,
    days: float,
    loss: float,
    *,
    p95: float | None = None,
    delay: float = 0.0,
    surcharge: float = 0.0,
    kind: str = "closure",
) -> Event:
    """An event with an annual probability of at least one occurrence."""
    return Event(
        eid,
        eid,
        kind,
        targets,
        -math.log(1.0 - probability),
        days,
        p95 if p95 is not None else days,
        loss,
        delay,
        surcharge,
        0.0,
        MappingProxyType({}),
        "",
    )


def with_events(net: Network, events: tuple[Event, ...], l5: float | None = 700.0) -> Network:
    links = tuple(replace(x, capacity_t_per_year=l5) if x.id == "L5" else x for x in net.links)
    return replace(net, links=links, events=events)


HAND_EVENTS = (
    event("CN_SHUT", ("CN",), 0.1, 365, 1.0),
    event("SUEZ_HALF", ("SUEZ",), 0.2, 365, 0.5),
)


@pytest.fixture(scope="module")
def hand(tiny: Network) -> risk.Allocation:
    net = with_events(tiny, HAND_EVENTS)
    from corridor.analysis.queries import routes

    found = {r.family: r for r in routes("ore", "MINE", "DEST", k=5, network=net).routes}
    split = [(found["china"], 600.0), (found["trans_caspian"], 400.0)]
    return risk.from_routes(split, network=net, flow_id="ore")


@pytest.fixture(scope="module")
def hand_result(hand: risk.Allocation) -> risk.StressResult:
    return risk.stress(hand, years=YEARS, seed=11, timing="onset", thresholds=(0.25, 0.4))


# --------------------------------------------------------------------------- sampling


def test_occurrences_per_year_are_poisson_at_the_stated_rate():
    table = risk.EventTable.of(
        [event("A", ("CN",), 0.3, 10, 1.0, p95=30), event("B", ("CN",), 0.5, 3, 1.0)]
    )
    table = replace(table, rate=np.array([-math.log(0.7), 2.0]))
    shares = risk.sample_shares(table, YEARS, 1, timing="onset")
    p = 0.3  # P(at least one occurrence) = 1 - exp(-rate)
    assert abs((shares[0] > 0).mean() - p) < 4 * math.sqrt(p * (1 - p) / YEARS)
    counts = np.rint(shares[1] * 365 / 3)  # fixed 3-day occurrences: shares count them
    assert abs(counts.mean() - 2.0) < 4 * math.sqrt(2.0 / YEARS)
    assert abs(counts.var() - 2.0) < 0.05


def test_durations_are_lognormal_with_the_stated_median_and_p95():
    table = risk.EventTable.of([event("A", ("CN",), 0.3, 10, 1.0, p95=30)])
    days = risk_sampling._occurrence_days(table, 0, 100_000, np.random.default_rng(2), "onset", 0.0)
    assert np.median(days) == pytest.approx(10, rel=0.02)
    assert np.quantile(days, 0.95) == pytest.approx(30, rel=0.03)


def test_stationary_years_cover_the_long_run_share_of_time():
    table = risk.EventTable.of([event("A", ("CN",), 0.5, 20, 1.0, p95=60)])
    table = replace(table, rate=np.array([0.5]))
    mean_days = float(table.mean_days[0])
    shares = risk.sample_shares(table, YEARS, 3, timing="stationary")
    # expected active share of a year = rate × E[duration] / 365
    assert shares[0].mean() == pytest.approx(0.5 * mean_days / 365, rel=0.02)
    touched = 1 - math.exp(-0.5 * (1 + mean_days / 365))
    assert abs((shares[0] > 0).mean() - touched) < 4 * math.sqrt(touched / YEARS)


# --------------------------------------------------------------------------- the hand case


def test_cvar_of_the_two_route_case_is_known_on_paper(hand_result: risk.StressResult):
    u = hand_result.portfolio.undelivered
    assert u.mean == pytest.approx(34, abs=1.2)
    assert u.var[0.95] == pytest.approx(300, rel=1e-6)
    assert u.cvar[0.95] == pytest.approx(380, abs=6)
    assert u.var[0.99] == pytest.approx(500, rel=1e-6)
    assert u.cvar[0.99] == pytest.approx(500, rel=1e-6)
    p = hand_result.portfolio.p_loss_over
    assert p[0.25] == pytest.approx(0.10, abs=0.004)
    assert p[0.4] == pytest.approx(0.02, abs=0.0016)


def test_extra_cost_of_the_two_route_case(hand: risk.Allocation, hand_result: risk.StressResult):
    delta = _delta(hand)
    assert delta > 0  # China is the dearer route on the tiny network
    # SUEZ alone (p 0.18): 200 t to the dearer China route, an extra cost of 200 delta. CN
    # (p 0.1): 300 t to the cheaper Caspian route: a saving of 300 delta, which is a planning
    # effect and not a (negative) cost of the disruption.
    assert hand_result.portfolio.extra_cost.mean == pytest.approx(36 * delta, rel=0.03)
    assert hand_result.planning_effect_usd_mean["ore"] == pytest.approx(-30 * delta, rel=0.03)
    assert hand_result.to_dict()["contracts"][0]["planning_effect_usd_mean"] < 0


def test_extra_cost_is_never_negative_in_any_year(hand: risk.Allocation):
    model = risk.compile_model(hand, "onset")
    shares = np.array([[0.0, 1.0, 0.0], [1.0, 1.0, 0.0]])  # SUEZ only, both, neither
    out = risk.simulate(model, shares)
    assert out.extra_cost[0].tolist() == pytest.approx([200 * _delta(hand), 0.0, 0.0])
    assert out.planning[0] == pytest.approx(-300 * _delta(hand))
    assert model.bounds[1, :, 0].tolist() == [0.0] * len(model.group_ids)


def _delta(hand: risk.Allocation) -> float:
    china, caspian = (r for r, _ in hand.flows[0].planned)
    return china.cost_usd_per_t - caspian.cost_usd_per_t


def test_rerouting_keeps_to_the_share_rules(hand: risk.Allocation):
    """At most 60 % by the China family: the plan's 600 t already fill it, so in a SUEZ
    year the 200 t the Caspian route loses cannot go to China: 200 t undelivered, not 0."""
    from corridor.contracts.model import Rule

    ruled = replace(hand, rules=(Rule("china", "family", 0.6, None, "each_contract"),))
    shares = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 1.0]])  # SUEZ only, neither, both
    out = risk.simulate(risk.compile_model(ruled, "onset"), shares)
    assert out.undelivered[0].tolist() == pytest.approx([200, 0, 500])
    assert out.extra_cost[0].tolist() == pytest.approx([0.0, 0.0, 0.0])
    loose = replace(hand, rules=(Rule("china", "family", 0.8, None, "each_contract"),))
    out = risk.simulate(risk.compile_model(loose, "onset"), shares)
    assert out.undelivered[0].tolist() == pytest.approx([0, 0, 500])  # 200 t of room
    assert out.extra_cost[0].tolist() == pytest.approx([200 * _delta(hand), 0.0, 0.0])


def test_example_stress_never_shows_a_negative_extra_cost(example: risk.Allocation):
    result = risk.stress(example, years=20_000, seed=3)
    assert result.portfolio.extra_cost.mean > 0
    assert all(c.extra_cost.mean >= 0 for c in result.contracts)
    assert all(v <= 0 for v in result.planning_effect_usd_mean.values())


def test_rerouting_respects_capacity(hand: risk.Allocation):
    model = risk.compile_model(hand, "onset")
    shares = np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0]])  # CN only, both, SUEZ only
    trace: list[risk.Move] = []
    out = risk.simulate(model, shares, trace)
    assert out.undelivered[0].tolist() == pytest.approx([300, 500, 0])
    onto_caspian = sum(m for i, alt, m in trace if model.steps[i].event == 0)
    assert onto_caspian.tolist() == pytest.approx([300, 300, 0])  # never beyond 700 − use
    full = risk.compile_model(replace(hand, network=with_events(hand.network, HAND_EVENTS, 400.0)))
    assert risk.simulate(full, shares).undelivered[0].tolist() == pytest.approx([600, 600, 0])


def test_tail_events_add_up_to_the_cvar(hand_result: risk.StressResult):
    drivers = {d.event: d.undelivered_t[0.95] for d in hand_result.drivers}
    assert sum(drivers.values()) == pytest.approx(hand_result.portfolio.undelivered.cvar[0.95])
    assert drivers["CN_SHUT"] > drivers["SUEZ_HALF"] > 0


# --------------------------------------------------------------------------- reproducibility


def test_same_seed_same_numbers_whatever_the_chunk_order(hand: risk.Allocation, monkeypatch):
    monkeypatch.setattr(risk_common, "CHUNK_YEARS", 1_000)
    model = risk.compile_model(hand)
    whole = risk.run(model, years=5_500, seed=5)
    parts = [
        risk.chunk_tally(model, 5, c, n, risk.THRESHOLDS) for c, n in enumerate([1000] * 5 + [500])
    ]
    folded = risk_runner._InOrder()
    for c in (3, 0, 5, 1, 4, 2):
        folded.add(c, parts[c])
    assert_same(whole, folded.result())
    assert_same(whole, risk.run(model, years=5_500, seed=5))
    longer = risk.sample_years(model, 5, 7_000)
    np.testing.assert_array_equal(risk.sample_years(model, 5, 5_500), longer[:, :5_500])


def test_changing_one_event_leaves_the_others_draws_alone(hand: risk.Allocation):
    model = risk.compile_model(hand)
    busier = replace(model.events, rate=model.events.rate * np.array([3.0, 1.0]))
    before = risk.sample_shares(model.events, 2_000, 9)
    after = risk.sample_shares(busier, 2_000, 9)
    np.testing.assert_array_equal(before[1], after[1])
    assert (after[0] > 0).sum() > (before[0] > 0).sum()


def assert_same(a: risk.Tally, b: risk.Tally) -> None:
    for name in ("sums", "flow_sums", "exceed", "counts", "bin_sums", "attribution"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert a.years == b.years


def test_dask_gives_the_single_process_numbers(hand: risk.Allocation, monkeypatch, dask_client):
    monkeypatch.setattr(risk_common, "CHUNK_YEARS", 2_000)
    model = risk.compile_model(hand)
    single = risk.run(model, years=9_000, seed=8)
    seen: list[int] = []
    spread = risk.run(model, years=9_000, seed=8, client=dask_client, progress=seen.append)
    assert_same(single, spread)
    assert seen[-1] == 9_000


# --------------------------------------------------------------------------- against the plain loop


@pytest.fixture(scope="module")
def example() -> risk.Allocation:
    return risk.from_contracts("examples/contracts.yaml", network=default_network())


def test_vectorised_engine_equals_the_networkx_loop(example: risk.Allocation):
    model = risk.compile_model(example)
    shares = risk.sample_years(model, 3, 40)
    trace: list[risk.Move] = []
    out = risk.simulate(model, shares, trace)
    ref = reference_years(example, model, shares)
    np.testing.assert_allclose(np.array([r.undelivered for r in ref]).T, out.undelivered, atol=1e-6)
    np.testing.assert_allclose(
        np.array([r.extra_cost for r in ref]).T, out.extra_cost, rtol=1e-9, atol=1e-3
    )
    engine: dict[int, list[tuple[int, tuple[str, ...]]]] = {}
    for i, alt, moved in trace:
        for y in np.flatnonzero(moved >= risk.MIN_MOVE_T):
            engine.setdefault(int(y), []).append((i, model.route_links[alt]))
    for y, year in enumerate(ref):
        assert engine.get(y, []) == [(i, links) for i, links, _ in year.moves]
    assert sum(len(r.moves) for r in ref) > 100
    # the benchmark's fair baseline: the same loop keeping what does not change by year
    fair = reference_years(example, model, shares, memoised=True)
    for mine, theirs in zip(fair, ref, strict=True):
        assert mine.moves == theirs.moves
        assert np.array_equal(mine.undelivered, theirs.undelivered)
        assert np.array_equal(mine.extra_cost, theirs.extra_cost)


def test_candidates_include_exposure_distinct_variants():
    # Before the Red Sea regime (states.csv ST_RED_SEA) both the Suez and the Cape variants
    # are open; from December 2023 only the Cape ones are.
    example = risk.from_contracts(
        "examples/contracts.yaml", network=default_network(dt.date(2023, 6, 1))
    )
    crude = next(f for f in example.flows if f.id == "crude_tengiz")
    chokepoints = {
        frozenset(r.chokepoints) for r in crude.candidates if r.family == "trans_caspian"
    }
    assert any("SUEZ" in c for c in chokepoints) and any("SUEZ" not in c for c in chokepoints)


def test_unit_losses_agree_with_the_engine(hand: risk.Allocation):
    net = with_events(hand.network, HAND_EVENTS, None)
    free = replace(hand, network=net)
    model = risk.compile_model(free, every_route=True)
    shares = risk.sample_years(model, 4, 300)
    lost, extra = risk.unit_losses(model, shares)
    out = risk.simulate(risk.compile_model(free), shares)
    np.testing.assert_allclose(model.planned @ lost, out.undelivered[0], atol=1e-9)
    np.testing.assert_allclose(model.planned @ extra, out.extra_cost[0], atol=1e-6)


# --------------------------------------------------------------------------- faces


def test_plan_json_round_trip(example: risk.Allocation, tmp_path):
    from corridor.optimize.planning import plan

    path = tmp_path / "plan.json"
    path.write_text(
        json.dumps(plan("examples/contracts.yaml", network=default_network()).to_dict())
    )
    again = risk.from_plan_json(path, network=default_network())
    for a, b in zip(example.flows, again.flows, strict=True):
        assert [risk.route_links(r) for r, _ in a.planned] == [
            risk.route_links(r) for r, _ in b.planned
        ]


def test_result_is_json_and_storable(hand_result: risk.StressResult, tmp_path):
    from corridor.store import get_run, list_runs, save_run

    text = json.dumps(hand_result.to_dict())
    assert "cvar_95" in text
    run_id = save_run(hand_result, store=tmp_path / "runs.duckdb")
    runs = list_runs(store=tmp_path / "runs.duckdb")
    assert [(r.id, r.kind, r.status) for r in runs] == [(run_id, "stress", "complete")]
    assert get_run(run_id, store=tmp_path / "runs.duckdb").tables["shortfalls"]


CLI = "from corridor.cli import main; main()"


def corridor(*args: str, **kwargs: Any) -> subprocess.Popen[str]:
    """``corridor ARGS`` in a child process (the risk commands registered)."""
    env = {k: v for k, v in os.environ.items() if k != "CORRIDOR_DATA"}
    return subprocess.Popen(
        [sys.executable, "-c", CLI, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        **kwargs,
    )


def test_stress_command_prints_the_table_writes_the_report_and_stores(tmp_path):
    store, report = tmp_path / "runs.duckdb", tmp_path / "risk.html"
    p = corridor(
        "stress",
        "examples/contracts.yaml",
        "--years",
        "20000",
        "--store",
        str(store),
        "--report",
        str(report),
    )
    stdout, stderr = p.communicate(timeout=120)
    assert p.returncode == 0, stderr
    assert "Events that drive the tail" in stdout and "crude_tengiz" in stdout
    assert "years/s" in stderr and "saved as run stress-" in stderr
    html = report.read_text()
    assert html.count("<svg") >= 4 and 'class="frontier"' in html
    assert 'src="http' not in html and "<link" not in html  # nothing loaded: works offline


def test_ctrl_c_stops_cleanly_and_lists_the_run_as_interrupted(tmp_path):
    from corridor.store import list_runs

    store = tmp_path / "runs.duckdb"
    p = corridor("stress", "examples/contracts.yaml", "--years", "10000000", "--store", str(store))
    time.sleep(8)  # planned and simulating (the whole run, at the cap, takes about a minute)
    assert p.poll() is None
    p.send_signal(signal.SIGINT)
    stopping = time.monotonic()
    _, stderr = p.communicate(timeout=60)
    assert time.monotonic() - stopping < 3  # Ctrl+C is honoured at once, not after the run
    assert p.returncode == 130, stderr
    assert "Traceback" not in stderr
    (run,) = list_runs(store=store)
    assert run.kind == "stress" and run.status == "interrupted"
    # On a loaded machine the stop may come while planning (0 years): recorded all the same.
    assert 0 <= run.headline["years_done"] < 10_000_000 and run.parameters["years"] == 10_000_000
    assert f"recorded as interrupted run {run.id}" in stderr


def test_bad_parameters_are_messages(hand: risk.Allocation):
    from corridor.errors import RequestError

    for kwargs in ({"years": 0}, {"seed": -1}, {"timing": "sometimes"}, {"thresholds": (1.5,)}):
        with pytest.raises(RequestError):
            risk.stress(hand, **kwargs)  # type: ignore[arg-type]
