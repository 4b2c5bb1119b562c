"""The commodity view on the tiny network (tests/fixtures/tiny), checked on paper."""

from __future__ import annotations

import pytest

from corridor.costs import Assumptions
from corridor.graph import TRANSFER, build_graph, commodity_graph


def _transfer(g, node, from_mode, to_mode):
    for e in g.edges:
        ends = (g.vertices[e.tail], g.vertices[e.head])
        if e.kind == TRANSFER and ends == ((node, from_mode), (node, to_mode)):
            return e
    raise AssertionError(f"no transfer {from_mode} -> {to_mode} at {node}")


def test_nodes_get_one_vertex_per_mode_they_serve(tiny):
    g = build_graph(tiny, tiny.commodity("ore"))
    modes = {node: sorted(m for n, m in g.vertices if n == node) for node, _ in g.vertices}
    # HUB is reached by road (L1) and by 1520 mm rail (L2, L5); BORDER_A changes gauge
    assert modes["HUB"] == ["rail1520", "road"]
    assert modes["BORDER_A"] == ["rail1435", "rail1520"]
    assert modes["MINE"] == ["road"]
    assert modes["DEST"] == ["sea"]


def test_a_transfer_edge_costs_the_handling_and_the_cargo_time(tiny):
    g = build_graph(tiny, tiny.commodity("ore"))
    e = _transfer(g, "HUB", "road", "rail1520")
    # HUB: container handling 3 USD/t over 6 h; ore is worth 1,000 USD/t, carried at 10 %/yr
    inventory = 1000 * 0.10 * (6 / 24) / 365
    assert e.metrics.days_mean == pytest.approx(0.25)
    assert e.parts["handling"] == pytest.approx(3.0)
    assert e.parts["inventory"] == pytest.approx(inventory)
    assert e.cost == pytest.approx(3.0 + inventory)
    assert e.metrics.distance_km == 0 and e.metrics.co2e_kg_per_t == 0


def test_a_gauge_change_is_a_transfer_with_its_own_time(tiny):
    g = build_graph(tiny, tiny.commodity("ore"), Assumptions(carrying_pct_per_year=0))
    e = _transfer(g, "BORDER_A", "rail1520", "rail1435")
    # BORDER_A: 10 USD/t, 24 h mean and 48 h p95 -> one day with a spread
    assert e.cost == pytest.approx(10.0)
    assert e.metrics.days_mean == pytest.approx(1.0)
    assert e.metrics.days_var > 0


def test_a_link_edge_prices_tariff_distance_and_emissions(tiny):
    g = build_graph(tiny, tiny.commodity("ore"), Assumptions(carrying_pct_per_year=0))
    (l3,) = [e for e in g.edges if e.link is not None and e.link.id == "L3" and e.forward]
    # 3,000 km at 0.03 USD/tkm; 30 g CO2e/tkm; four days
    assert l3.metrics.cost_usd_per_t == pytest.approx(90.0)
    assert l3.metrics.co2e_kg_per_t == pytest.approx(90.0)
    assert l3.metrics.days_mean == pytest.approx(4.0)
    assert l3.metrics.distance_km == pytest.approx(3000)


def test_a_cargo_class_a_link_does_not_take_has_no_edge(tiny):
    # PORT_W takes containers only: class-7 cargo cannot be handled there
    g = build_graph(tiny, tiny.commodity("uoc"))
    assert not [e for e in g.edges if e.kind == TRANSFER and e.node == "PORT_W"]


def test_commodity_graph_is_kept_with_its_network(tiny):
    a = commodity_graph(tiny, "ore")
    assert commodity_graph(tiny, "ore") is a
    assert commodity_graph(tiny, "ore", avoid=("CN",)) is not a


def test_the_links_left_out_are_those_a_rule_keeps_out_with_its_reason(tiny):
    """Which links a graph leaves out comes from the table's columns, why from
    link_exclusion link by link (written when read): on every commodity, with families,
    avoid rules and a buyer's regimes, the two name the same links, in table order."""
    from corridor.analysis import default_network
    from corridor.graph import buyer_compliance, link_exclusion

    bundled = default_network()
    cases = [(tiny, c.id, (), (), None) for c in tiny.commodities]
    cases += [(tiny, "ore", ("CN",), (), None)]
    for c in bundled.commodities:
        blocked = buyer_compliance(bundled, c.id).excluded
        cases += [
            (bundled, c.id, (), (), None),
            (bundled, c.id, ("RU", "IR"), (), blocked),
            (bundled, c.id, ("CASPIAN",), ("china", "trans_caspian"), blocked),
        ]
    reasons = 0
    for net, commodity, avoid, families, blocked in cases:
        c = net.commodity(commodity)
        g = build_graph(net, c, Assumptions(), avoid, families, blocked)
        fam = frozenset(families) | {"domestic", "japan"} if families else frozenset()
        want = {
            x.id: why
            for x in net.links
            if (why := link_exclusion(x, c, net, frozenset(avoid), fam, blocked)) is not None
        }
        assert list(g.excluded) == list(want) and len(g.excluded) == len(want)
        assert dict(g.excluded) == want and "NO_SUCH_LINK" not in g.excluded
        used = {int(i) for i in g.edge_links if i >= 0}
        assert {x.id for i, x in enumerate(net.links) if i not in used} == set(want)
        reasons += len(want)
    assert reasons > 500
    with pytest.raises(KeyError):
        g.excluded["NO_SUCH_LINK"]
