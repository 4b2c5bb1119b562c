"""Routes around closed links on one masked graph equal routes on the network without them."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import pytest

from corridor.analysis import default_network
from corridor.costs import Assumptions
from corridor.graph import build_graph, buyer_compliance, commodity_graph
from corridor.network.synthetic import synthetic_network
from corridor.risk.allocation import closed_links
from corridor.risk.targets import route_links
from corridor.routing import kbest as routing_kbest
from corridor.routing.closed import open_edges, outside_families
from corridor.routing.kbest import k_best
from tests.routing.test_kbest import _all_routes


def _same(a, b):
    """Routes equal in everything a caller reads, to the float."""
    assert [route_links(r) for r in a] == [route_links(r) for r in b]
    for x, y in zip(a, b, strict=True):
        assert x.to_dict() == y.to_dict()
        assert (x.cost_usd_per_t, x.days_mean, x.days_p95, x.co2e_kg_per_t) == (
            y.cost_usd_per_t,
            y.days_mean,
            y.days_p95,
            y.co2e_kg_per_t,
        )
        assert x.signature == y.signature and x.legs == y.legs


def _without(net, closed):
    return replace(net, links=tuple(x for x in net.links if x.id not in closed))


@pytest.mark.parametrize("search", ["plain", "sparse matrix"])
@pytest.mark.parametrize(("nodes", "links", "seed"), [(16, 17, 1), (18, 20, 2), (20, 30, 4)])
def test_closed_links_give_the_routes_of_the_network_without_them(
    nodes, links, seed, search, monkeypatch
):
    """Sparse networks (chains, dead ends) and a denser one, random closures, costs to go
    by either search: the masked search finds the routes the graph built without the links
    finds, and its cheapest one is the cheapest path of the brute force that uses none."""
    if search == "sparse matrix":  # as on graphs too large for the plain search
        monkeypatch.setattr(routing_kbest, "PLAIN_SEARCH_MAX_VERTICES", 0)
    net = synthetic_network(nodes, links, seed=seed)
    g = build_graph(net, net.commodity("ore"))
    rng = random.Random(seed)
    ids = [x.id for x in net.links]
    checked = 0
    for _ in range(12):
        closed = frozenset(rng.sample(ids, rng.randint(1, 3)))
        reduced = _without(net, closed)
        gr = build_graph(reduced, reduced.commodity("ore"))
        for destination in ("N1", "N5", "N9"):
            got = k_best(g, "N0", destination, 4, closed=closed)
            _same(got, k_best(gr, "N0", destination, 4))
            costs = [
                sum(e.cost for e in p)
                for p in _all_routes(g, "N0", destination)
                if not {e.link.id for e in p if e.link is not None} & closed
            ]
            if got:
                plain = got[0].cost_usd_per_t - got[0].charges["insurance"]
                assert plain == pytest.approx(min(costs))
                checked += 1
            else:
                assert not costs
    assert checked > 10


def test_closing_every_way_out_leaves_no_route():
    net = synthetic_network(18, 20, seed=2)
    g = build_graph(net, net.commodity("ore"))
    out = frozenset(x.id for x in net.links if "N0" in (x.from_, x.to))
    assert k_best(g, "N0", "N1", 3)
    assert k_best(g, "N0", "N1", 3, closed=out) == []


def test_transfers_at_copies_only_closed_links_reach_are_masked():
    """A place copy (mode, gauge) that only closed links use is not in the graph built
    without them, so neither are the transfers to and from it."""
    net = default_network()
    g = commodity_graph(net, "rare_earth_oxide", Assumptions())
    rail = {x.id for x in net.links if x.mode == "rail"}
    keep = open_edges(g, frozenset(rail))
    reduced = _without(net, rail)
    gr = build_graph(
        reduced,
        reduced.commodity("rare_earth_oxide"),
        Assumptions(),
        (),
        (),
        buyer_compliance(reduced, "rare_earth_oxide").excluded,
    )
    assert int(keep.sum()) == len(gr.tails)
    assert int((keep & g.transfers).sum()) == int(gr.transfers.sum()) < int(g.transfers.sum())
    assert np.array_equal(np.sort(g.costs[keep]), np.sort(gr.costs))


def test_bundled_routes_around_each_event_equal_the_copies():
    """On the bundled network, the cheapest route and the three best around every event,
    overall and within each family, are those of a network copy without the event's links."""
    net = default_network()
    a = Assumptions()
    compared = 0
    for family in (None, "china", "trans_caspian"):
        families = (family,) if family else ()
        g = commodity_graph(net, "rare_earth_oxide", a, (), families)
        for event in net.events:
            closed = closed_links(net, event)
            if not closed:
                continue
            reduced = _without(net, closed)
            blocked = buyer_compliance(reduced, "rare_earth_oxide").excluded
            gr = build_graph(
                reduced, reduced.commodity("rare_earth_oxide"), a, (), families, blocked
            )
            for k in (1, 3):
                got = k_best(g, "KZ_SARECO", "JP_YOKOHAMA", k, closed=closed)
                _same(got, k_best(gr, "KZ_SARECO", "JP_YOKOHAMA", k))
                compared += len(got)
    assert compared > 40


def test_a_family_is_the_whole_graph_with_the_other_families_closed():
    """The graph limited to one family (domestic and Japanese links kept) and the whole
    graph with every other family's links closed give the same routes."""
    net = default_network()
    a = Assumptions()
    g = commodity_graph(net, "uranium_ore_concentrate", a, ("RU",))
    outside = outside_families(net, frozenset({"china"}))
    assert outside and not {x.family for x in net.links if x.id not in outside} - {
        "china",
        "domestic",
        "japan",
    }
    compared = 0
    for family in ("china", "trans_caspian", "south"):
        only = commodity_graph(net, "uranium_ore_concentrate", a, ("RU",), (family,))
        closed = outside_families(net, frozenset({family}))
        for origin in ("KZ_INKAI", "KZ_NORTH_KHARASAN"):
            got = k_best(g, origin, "JP_YOKOHAMA", 3, closed=closed)
            _same(got, k_best(only, origin, "JP_YOKOHAMA", 3))
            compared += len(got)
    assert compared >= 4


@pytest.mark.parametrize(("nodes", "links", "seed"), [(16, 17, 1), (18, 20, 2), (30, 45, 7)])
def test_a_closure_has_the_tables_of_contracting_every_row_again(nodes, links, seed):
    """Only the rows a closed link touches are filtered and contracted again, and only
    their places' exits recomputed: the tables are those of contracting every open row."""
    from corridor.routing.closed import closure
    from corridor.routing.kbest import _adjacency, _contract

    net = synthetic_network(nodes, links, seed=seed)
    g = build_graph(net, net.commodity("ore"))
    plain, gates = _adjacency(g)
    rng = random.Random(seed)
    ids = [x.id for x in net.links]
    for _ in range(20):
        closed = frozenset(rng.sample(ids, rng.randint(1, 6)))
        c = closure(g, closed)
        ok = c.open_edges.tolist()
        want = _contract(g, [[s for s in row if all(ok[e] for e in s[0])] for row in plain], gates)
        got = c.steps
        assert (got.steps, got.plain, got.inside, got.dead_ends, got.exits) == (
            want.steps,
            want.plain,
            want.inside,
            want.dead_ends,
            want.exits,
        )
        assert got.exits and got.dead_ends  # both kinds of table are exercised
