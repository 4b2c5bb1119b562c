"""Dated capacities, use by other traffic and node capacities, on the tiny network.

The tiny network (tests/fixtures/tiny) has two routes MINE → DEST: by China (road L1, rail
L2 1 Mt/yr, rail L3 0.5 Mt/yr, sea L4) and by the west (L1, rail L5, port PORT_W, sea L6),
which has no link capacity at all. A node capacity at PORT_W of 300,000 t/yr of which
100,000 t/yr are used by other traffic leaves 200,000 t/yr for the user.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corridor.analysis.queries import default_network, routes
from corridor.cli import app
from corridor.contracts.model import Contract
from corridor.errors import DataError, RequestError
from corridor.network import load_network
from corridor.network.states import commission
from corridor.optimize.capacity import capacities
from corridor.optimize.maxflow import max_flow
from corridor.optimize.planning import plan

TINY = Path(__file__).parents[1] / "fixtures" / "tiny"
HEADER = (
    "id,element,status,year,capacity_t_per_year,used_t_per_year,used_year,"
    "cargo_classes,modes,sources,note\n"
)
PORT_W = "CAP_W,PORT_W,operating,2024,300000,100000,2025,,sea,hand,\n"


def _with_rows(tmp_path: Path, rows: str) -> Path:
    folder = tmp_path / "overlay"
    folder.mkdir(parents=True)
    (folder / "capacities.csv").write_text(HEADER + rows, encoding="utf-8")
    return folder


def test_a_node_capacity_net_of_other_traffic_joins_the_minimum_cut(tmp_path):
    net = load_network(TINY, _with_rows(tmp_path, PORT_W))
    r = max_flow("ore", "MINE", "DEST", network=net)
    # China: L3 500,000; west: PORT_W 300,000 - 100,000 used = 200,000.
    assert r.max_t_per_year == pytest.approx(700_000)
    assert r.total_t_per_year == pytest.approx(800_000)
    cut = {b.capacity.id: b for b in r.bottlenecks}
    assert set(cut) == {"L3", "CAP_W"}
    w = cut["CAP_W"].capacity
    assert (w.kind, w.total, w.used_t_per_year, w.year) == ("node", 300_000, 100_000, 2024)
    assert w.capacity_t_per_year == pytest.approx(200_000)
    assert r.flows["L6"] == pytest.approx(200_000)


def test_a_node_capacity_counts_only_its_classes_and_modes(tmp_path):
    rows = PORT_W.replace(",,sea,", ",class7,sea,")
    net = load_network(TINY, _with_rows(tmp_path, rows))
    # Ore (container class) does not draw on a class-7 capacity: the west is unlimited again.
    assert max_flow("ore", "MINE", "DEST", network=net).max_t_per_year is None
    rows = PORT_W.replace(",,sea,", ",container,rail,")
    net = load_network(TINY, _with_rows(tmp_path / "rail", rows))
    # Only tonnes leaving PORT_W by rail count, and the ore leaves it by sea.
    assert max_flow("ore", "MINE", "DEST", network=net).max_t_per_year is None


def test_the_plan_prices_a_full_port_at_the_route_cost_difference(tmp_path):
    """On paper: 600,000 t/yr; the west route is cheaper but its port has 200,000 t/yr left,
    so 400,000 t/yr go by China and one more tonne of port capacity saves the difference
    between the two route costs."""
    net = load_network(TINY, _with_rows(tmp_path, PORT_W))
    by_family = {
        r.family: r.cost_usd_per_t for r in routes("ore", "MINE", "DEST", k=5, network=net).routes
    }
    assert by_family["trans_caspian"] < by_family["china"]
    result = plan([Contract("c", "ore", ("MINE",), ("DEST",), 600_000)], network=net)
    assert not result.shortfalls
    use = {u.capacity.id: u for u in result.utilisation}
    assert use["CAP_W"].used_t_per_year == pytest.approx(200_000)
    assert use["CAP_W"].shadow_price_usd_per_t == pytest.approx(
        by_family["china"] - by_family["trans_caspian"], rel=1e-6
    )
    assert use["L3"].shadow_price_usd_per_t == pytest.approx(0.0, abs=1e-6)


def test_use_above_the_capacity_leaves_nothing_and_says_so(tmp_path):
    rows = PORT_W.replace("300000,100000", "300000,350000")
    cap = capacities(load_network(TINY, _with_rows(tmp_path, rows)))["CAP_W"]
    assert cap.capacity_t_per_year == 0
    assert "exceeds" in cap.note


def test_commissioning_a_planned_row_replaces_the_operating_one(tmp_path):
    rows = PORT_W + "CAP_W2,PORT_W,planned,2030,900000,,,,sea,hand,\n"
    net = load_network(TINY, _with_rows(tmp_path, rows))
    assert "CAP_W2" not in capacities(net)  # planned rows are never used by default
    built = capacities(commission(net, ["CAP_W2"]))["CAP_W2"]
    # The other traffic stays: 900,000 - 100,000.
    assert (built.total, built.capacity_t_per_year, built.year) == (900_000, 800_000, 2030)
    with pytest.raises(RequestError, match="already operating"):
        commission(net, ["CAP_W"])
    with pytest.raises(RequestError, match="unknown capacity row"):
        commission(net, ["CAP_NONE"])


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ("CAP_X,NOWHERE,operating,2024,1,,,,,hand,\n", "element", "not a link, group or node"),
        ("CAP_X,L3,operating,,,,,,,hand,\n", "year", "needs its year"),
        ("CAP_X,L5,operating,2024,,,,,,hand,\n", "capacity_t_per_year", "no capacity"),
        ("CAP_X,L3,planned,2030,,,,,,hand,\n", "capacity_t_per_year", "needs a figure"),
        ("CAP_X,L3,operating,2024,,,,class7,,hand,\n", "cargo_classes", "only node rows"),
        ("CAP_X,L3,operating,2024,-5,,,,,hand,\n", "capacity_t_per_year", "below the minimum"),
    ],
)
def test_bad_capacity_rows_name_file_row_and_field(tmp_path, row, field, message):
    with pytest.raises(DataError) as info:
        load_network(TINY, _with_rows(tmp_path, row))
    problem = next(p for p in info.value.problems if p.column == field)
    assert problem.file.endswith("capacities.csv") and problem.row == 2
    assert message in problem.message


def test_bundled_trans_caspian_capacity_reports_left_total_binding_and_years():
    r = max_flow(
        "rare_earth_concentrate",
        "KZ_ZHANA_KZ",
        "JP_YOKOHAMA",
        families=["trans_caspian"],
        network=default_network(),
    )
    assert r.max_t_per_year is not None and r.total_t_per_year is not None
    assert r.max_t_per_year < r.total_t_per_year
    assert r.bottlenecks and all(b.capacity.year for b in r.bottlenecks)
    ferry = {b.capacity.id: b.capacity for b in r.bottlenecks}["caspian_rail_ferry_fleet"]
    # 4.5 Mt/yr fleet × mean season (10 months at 1, 2 at 0.5) × low water 0.846 − 1.6 Mt used.
    assert ferry.capacity_t_per_year == pytest.approx(4_500_000 * 11 / 12 * 0.846 - 1_600_000)


def test_bundled_uranium_capacity_is_finite():
    r = max_flow(
        "uranium_ore_concentrate", "KZ_NORTH_KHARASAN", "JP_YOKOHAMA", network=default_network()
    )
    assert r.max_t_per_year is not None
    assert any(b.capacity.kind == "node" for b in r.bottlenecks)


def test_capacity_cli_json_carries_total_year_and_date():
    res = CliRunner().invoke(
        app,
        [
            "capacity",
            "--commodity",
            "rare_earth_concentrate",
            "--origin",
            "KZ_ZHANA_KZ",
            "--destination",
            "JP_YOKOHAMA",
            "--family",
            "trans_caspian",
            "--as-of",
            "2026-12-01",
            "--format",
            "json",
            "--no-store",
        ],
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["as_of"] == "2026-12-01"
    assert doc["total_t_per_year"] > doc["max_t_per_year"] > 0
    assert doc["bottlenecks"][0]["year"] == 2022


def test_a_bad_as_of_date_exits_2():
    args = ["capacity", "--commodity", "ore", "--origin", "A", "--destination", "B"]
    p = subprocess.run(
        [sys.executable, "-m", "corridor", *args, "--as-of", "2026-13-01"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 2, p.stderr
    assert "--as-of" in p.stderr and "YYYY-MM-DD" in p.stderr and "Traceback" not in p.stderr


def test_a_scenario_commissions_a_planned_capacity(tmp_path):
    from corridor.network.scenario import ScenarioError, apply_scenario
    from corridor.network.scenario_io import load_scenario

    net = default_network()
    path = tmp_path / "s.yaml"
    path.write_text("name: n\nedits:\n  - commission: CAP_DOSTYK_2ND_TRACK\n", encoding="utf-8")
    edited = apply_scenario(load_scenario(path, net), net).network
    dostyk = capacities(edited)["L_DOSTYK_ALASHANKOU"]
    assert (dostyk.total, dostyk.used_t_per_year) == (35_000_000, 14_800_000)
    path.write_text("name: n\nedits:\n  - commission: CAP_DOSTYK_BORDER\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"line 3.*not a planned row of capacities.csv"):
        load_scenario(path, net)
