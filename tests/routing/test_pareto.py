"""The Pareto front on a three-route network computed on paper."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from corridor.costs import Assumptions
from corridor.graph import build_graph
from corridor.network.load import load_network
from corridor.routing.pareto import pareto_front

TINY = Path(__file__).parents[1] / "fixtures" / "tiny"
NODE = "{id},{id},,KZ,{kind},45,67,0,0,0,0,0,0,0,0,0,,container,{products},hand,"
LINK = (
    "{id},{a},{b},road,,truck,domestic,{km},{days},{days},0,{tkm},,,container,KZ,,,yes,ef_road,,"
    "hand,"
)
# Three routes from A to B, one road link each way through X, Y or Z (100 g CO2e/tkm):
#   via X: 2 x 100 km at 0.10 USD/tkm, 5 days each: 20 USD/t, 10 days, 20 kg CO2e/t
#   via Y: 2 x 100 km at 0.20 USD/tkm, 1 day each:  40 USD/t,  2 days, 20 kg CO2e/t
#   via Z: 2 x 150 km at 0.15 USD/tkm, 6 days each: 45 USD/t, 12 days, 30 kg CO2e/t
# X is cheapest, Y fastest; Z is worse than X on all three, so the front is X then Y.
ROUTES = {"X": (100, 5, 0.10), "Y": (100, 1, 0.20), "Z": (150, 6, 0.15)}


@pytest.fixture(scope="module")
def three(tmp_path_factory):
    d = tmp_path_factory.mktemp("three")
    for f in ("emission_factors.csv", "exposures.csv", "sources.csv"):
        shutil.copy(TINY / f, d / f)
    header = (TINY / "commodities.csv").read_text().splitlines()[0]
    ore = "ore,Ore,,container,,1000,containers,road,0,1,,hand,"
    (d / "commodities.csv").write_text(f"{header}\n{ore}\n")
    nodes = [(TINY / "nodes.csv").read_text().splitlines()[0]]
    nodes.append(NODE.format(id="A", kind="production_site", products="ore"))
    nodes += [NODE.format(id=v, kind="rail_hub", products="") for v in ROUTES]
    nodes.append(NODE.format(id="B", kind="destination_port", products=""))
    links = [(TINY / "links.csv").read_text().splitlines()[0]]
    for v, (km, days, tkm) in ROUTES.items():
        links.append(LINK.format(id=f"A{v}", a="A", b=v, km=km, days=days, tkm=tkm))
        links.append(LINK.format(id=f"{v}B", a=v, b="B", km=km, days=days, tkm=tkm))
    (d / "nodes.csv").write_text("\n".join(nodes) + "\n")
    (d / "links.csv").write_text("\n".join(links) + "\n")
    return load_network(d)


def test_the_front_is_the_two_routes_computed_on_paper(three):
    g = build_graph(three, three.commodity("ore"), Assumptions(carrying_pct_per_year=0))
    front, notes = pareto_front(g, "A", "B")
    assert notes == []
    assert [r.nodes for r in front] == [("A", "X", "B"), ("A", "Y", "B")]
    totals = [(r.cost_usd_per_t, r.days_mean, r.co2e_kg_per_t) for r in front]
    assert totals == [pytest.approx((20, 10, 20)), pytest.approx((40, 2, 20))]


def test_a_carrying_cost_can_bring_a_dominated_route_back(three):
    # at 1,000 USD/t and 2,000 %/yr a day in transit costs 1000 * 20 / 365 = 54.8 USD/t:
    # X now costs 20 + 10 days = 568 USD/t, Y 40 + 2 days = 150, Z 45 + 12 days = 702:
    # Y is cheapest and fastest and emits no more than X, so it alone is on the front
    g = build_graph(three, three.commodity("ore"), Assumptions(carrying_pct_per_year=2000))
    front, _ = pareto_front(g, "A", "B")
    assert [r.nodes for r in front] == [("A", "Y", "B")]
    day = 1000 * 20 / 365
    assert front[0].cost_usd_per_t == pytest.approx(40 + 2 * day)


def test_the_label_cap_is_said_in_a_note(three):
    g = build_graph(three, three.commodity("ore"), Assumptions(carrying_pct_per_year=0))
    front, notes = pareto_front(g, "A", "B", max_labels=2)
    assert notes and "label" in notes[0]
    assert len(front) <= 2
