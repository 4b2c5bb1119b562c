"""The mean–CVaR frontier on the in-time loss: a split's CVaR on paper, common years, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from corridor import risk
from corridor.cli import app
from corridor.errors import RequestError
from corridor.network.model import Network
from corridor.risk import frontier_intime as fi
from corridor.risk.calendar import Closure, Schedule
from corridor.risk.intime_fast import OUT_FIELDS
from corridor.risk.intime_stress import sample_occurrences
from corridor.risk.occurrences import event_closures
from corridor.risk.timeline import TimedFlow, TimedPlan, simulate_year, timed_plan
from tests.risk.test_stress import event, with_events
from tests.risk.test_timeline import _recovery, _route

VOLUME = 365.0  # one tonne a day


def _plan(share_b: float) -> TimedPlan:
    routes = (_route("A", "china", 100.0, 10.0), _route("B", "trans_caspian", 150.0, 10.0))
    planned = (VOLUME * (1 - share_b), VOLUME * share_b)
    flow = TimedFlow("c", "bulk", VOLUME, 0.0, routes, planned, 20.0, Schedule("even"))
    return TimedPlan((flow,), {}, {}, _recovery(lead_days=40.0))


def test_split_cvar_on_paper() -> None:
    # Two routes, same 10-day transit; A (USD 100/t) closed 60 days from day 100 in one
    # year of 20, a 20-day stock, switching to B (USD 150/t) takes 40 days.
    # All on A: lots of days 100..139 leave on B on day 140 (arrive 150 < 170 by waiting),
    # so the backlog peaks at 40 t: 40 − 20 = 20 stock-out days; all 60 t move to B at
    # USD 50/t more: extra cost USD 3,000. Loss at USD 1,000 a stock-out day: 23,000.
    # 70/30: the 0.7 t/day cut moves at once to B, already in use (no lead time): no
    # stock-out; extra 42 t × 50 = USD 2,100.
    years = [[Closure(frozenset({"A"}), 100, 60)]] + [[] for _ in range(19)]
    single, split = fi.plans_on_closures([_plan(0.0), _plan(0.3)], years)
    assert single[OUT_FIELDS.index("stockout_days"), 0] == 20
    assert split[OUT_FIELDS.index("stockout_days"), 0] == 0
    a = fi.plan_point("all A", _plan(0.0), single, "stockout", 1_000.0, 0.95)
    b = fi.plan_point("70/30", _plan(0.3), split, "stockout", 1_000.0, 0.95)
    # One year in 20 is the worst 5 %: CVaR95 = that year's loss.
    assert a.cvar == pytest.approx(23_000.0)
    assert b.cvar == pytest.approx(2_100.0)
    assert a.mean_loss == pytest.approx(23_000.0 / 20)
    assert b.mean_loss == pytest.approx(2_100.0 / 20)
    # Expected cost = shipping (365 t at 100, or at 0.7 × 100 + 0.3 × 150) + mean loss.
    assert a.expected_cost_usd_per_year == pytest.approx(36_500 + 1_150)
    assert b.expected_cost_usd_per_year == pytest.approx(365 * 115 + 105)
    # At 90 % the tail is two years, the closure year and a quiet one: half the loss.
    assert fi.plan_point("a", _plan(0.0), single, "stockout", 1_000.0, 0.90).cvar == (
        pytest.approx(11_500.0)
    )
    # Undelivered tonnes: none here (all arrive in the year), so the loss is extra cost.
    u = fi.plan_point("u", _plan(0.0), single, "undelivered", 5_000.0, 0.95)
    assert u.cvar == pytest.approx(3_000.0)
    # Neither dominates: both sit on the frontier, the cheaper first.
    assert [p.name for p in fi.efficient([b, a])] == ["all A", "70/30"]
    dearer = fi.plan_point("dear", _plan(0.3), single, "stockout", 1_000.0, 0.95)
    assert [p.name for p in fi.efficient([a, b, dearer])] == ["all A", "70/30"]


HAND_EVENTS = (
    event("CN_SHUT", ("CN",), 0.2, 90, 1.0),
    event("SUEZ_SHUT", ("SUEZ",), 0.2, 90, 1.0),
)


@pytest.fixture(scope="module")
def hand(tiny: Network, bundled: Network) -> risk.Allocation:
    from dataclasses import replace

    from corridor.analysis.queries import routes

    # The bundled lead times and spot premium; no other users' traffic on the tiny network.
    rows = tuple(r for r in bundled.risk_recovery if r.kind != "background")
    net = replace(with_events(tiny, HAND_EVENTS, l5=None), risk_recovery=rows)
    found = {r.family: r for r in routes("ore", "MINE", "DEST", k=5, network=net).routes}
    return risk.from_routes([(found["china"], 1000.0)], network=net, flow_id="ore")


def test_every_plan_is_drawn_on_the_union_of_events(hand: risk.Allocation) -> None:
    net = hand.network
    china = timed_plan(fi.split_allocation(hand, 1.0, "all China"))
    caspian = timed_plan(fi.split_allocation(hand, 0.0, "all Trans-Caspian"))
    both = fi.relevant_events(net, [china, caspian])
    assert [net.events[e].id for e in both] == ["CN_SHUT", "SUEZ_SHUT"]
    # All China on the common years equals the reference engine on the closures of both
    # events: Suez closures shut its alternative, so a draw of the China event alone (the
    # events of its planned route) would give other years.
    years = 300
    got = fi.simulate_plans(net, [china, caspian], years, seed=3)[0]
    occ = sample_occurrences(net, both, 16_384, 3, 0)[:years]
    want = np.array(
        [
            [
                getattr(
                    simulate_year(
                        china,
                        [c for e, s, d in key for c in event_closures(net, net.events[e], s, d)],
                    ).portfolio,
                    k,
                )
                for key in occ
            ]
            for k in OUT_FIELDS
        ]
    )
    np.testing.assert_allclose(got, want, atol=1e-6)
    cn = [e for e in both if net.events[e].id == "CN_SHUT"]
    only = sample_occurrences(net, cn, 16_384, 3, 0)[:years]
    assert sum(map(len, only)) < sum(map(len, occ))


def test_frontier_in_time_places_the_references(hand: risk.Allocation) -> None:
    r = fi.frontier_in_time(hand, years=400, seed=1, step=0.25, usd_per_stockout_day=1_000.0)
    names = [p.name for p in r.references]
    assert names == ["current plan", "all China", "all Trans-Caspian", "70/30 China/Trans-Caspian"]
    assert r.reference("70/30 China/Trans-Caspian").family_share() == pytest.approx(  # type: ignore[union-attr]
        {"china": 0.7, "trans_caspian": 0.3}
    )
    # The current plan is all China: the same figures on the same years.
    assert r.references[0].cvar == r.references[1].cvar
    costs = [p.expected_cost_usd_per_year for p in r.points]
    cvars = [p.cvar for p in r.points]
    assert costs == sorted(costs) and cvars == sorted(cvars, reverse=True)
    assert len(r.evaluated) == 6  # 0, 0.25, 0.5, 0.7, 0.75, 1
    # Diversified splits lose less in the tail than either single family here.
    best = min(r.evaluated, key=lambda p: p.cvar)
    assert 0 < best.family_share().get("china", 0.0) < 1
    doc = r.to_dict()
    assert doc["loss"] == "stockout" and doc["parameters"]["valuation"]["usd_per_stockout_day"]
    assert {"mean_loss", "mean_stockout_days"} <= set(doc["references"][2])
    with pytest.raises(RequestError, match="loss must be one of"):
        fi.frontier_in_time(hand, loss="tonnes", years=100)
    with pytest.raises(RequestError, match="too few"):
        fi.frontier_in_time(hand, years=10)


def test_cli_frontier_loss(tmp_path: Path) -> None:
    runner = CliRunner()
    split = "examples/splits/ree_5000_all_china.yaml"
    base = ["frontier", split, "--scenarios", "200", "--no-store", "--step", "0.5"]
    res = runner.invoke(app, [*base, "--loss", "stockout", "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout[res.stdout.index("{") :])
    assert [p["name"] for p in doc["references"]][1:] == [
        "all China",
        "all Trans-Caspian",
        "70/30 China/Trans-Caspian",
    ]
    report = tmp_path / "f.html"
    res = runner.invoke(app, [*base, "--loss", "undelivered", "--report", str(report)])
    assert res.exit_code == 0, res.output
    assert "70/30 China/Trans-Caspian" in res.stdout and "on frontier" in res.stdout
    assert 'data-name="70/30 China/Trans-Caspian"' in report.read_text()
    bad = subprocess.run(
        [sys.executable, "-m", "corridor", *base, "--loss", "days"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and "--loss must be" in bad.stderr and "Traceback" not in bad.stderr
