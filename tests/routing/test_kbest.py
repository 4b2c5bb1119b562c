"""k best routes, Pareto front and rules, against brute force on small networks."""

from __future__ import annotations

import functools
import itertools
import operator
import pickle

import pytest

from corridor.analysis.queries import compare, pareto, routes
from corridor.costs import Assumptions
from corridor.errors import InvalidParameterError, RequestError
from corridor.graph import TRANSFER, build_graph, commodity_graph
from corridor.network.model import Commodity, Network
from corridor.network.synthetic import synthetic_network
from corridor.routing import kbest as routing
from corridor.routing._index import search_index
from corridor.routing.kbest import _steps, enumerate_paths, k_best
from corridor.routing.pricing import make_route, signature


def _all_routes(g, origin, destination):
    """Every physically simple path, by depth-first search (the brute force)."""
    net = g.net
    found = []

    def dfs(v, edges, visited, last_transfer):
        node = g.vertices[v][0]
        if node == destination:
            found.append(list(edges))
            return
        for ei in g.out[v]:
            e = g.edges[ei]
            head_node = g.vertices[e.head][0]
            is_t = e.kind == TRANSFER
            if is_t and (last_transfer or node == origin):
                continue  # one transfer at a time; a route starts in any mode, not by one
            if not is_t and head_node in visited:
                continue
            edges.append(e)
            dfs(e.head, edges, visited | {head_node}, is_t)
            edges.pop()

    for s in g.node_vertices[origin]:
        dfs(s, [], {origin}, False)
    assert net  # keep the fixture alive
    return found


@pytest.fixture(scope="module")
def small():
    return synthetic_network(14, 30, seed=3)


def test_enumeration_is_in_exact_cost_order(small):
    g = build_graph(small, small.commodity("ore"))
    brute = sorted(sum(e.cost for e in p) for p in _all_routes(g, "N0", "N1"))
    assert len(brute) > 20
    ours = [c for c, *_ in itertools.islice(enumerate_paths(g, "N0", "N1"), len(brute))]
    assert ours == pytest.approx(brute)


def test_k_best_keeps_the_cheapest_of_each_signature(small):
    g = build_graph(small, small.commodity("ore"))
    best: dict = {}
    for p in _all_routes(g, "N0", "N1"):
        sig = signature(g, p, "N0")
        cost = sum(e.cost for e in p)
        best[sig] = min(best.get(sig, float("inf")), cost)
    expected = sorted(best.values())[:8]
    got = k_best(g, "N0", "N1", 8)
    assert [r.signature for r in got] == sorted({r.signature for r in got}, key=lambda s: best[s])
    route_costs = [r.cost_usd_per_t - r.charges["insurance"] for r in got]
    assert route_costs == pytest.approx(expected)
    assert len({r.signature for r in got}) == len(got)


def test_penalties_are_charged_once_per_exposure(small):
    g = build_graph(small, small.commodity("ore"))
    pen = {"KZ": 7.0, "CN": 3.0, "SUEZ": 50.0}
    brute = []
    for p in _all_routes(g, "N0", "N1"):
        mask = 0
        for e in p:
            mask |= e.exposures
        crossed = g.exposures_of(mask)
        brute.append(sum(e.cost for e in p) + sum(pen.get(x, 0) for x in crossed))
    ours = [c for c, *_ in itertools.islice(enumerate_paths(g, "N0", "N1", pen), 15)]
    assert ours == pytest.approx(sorted(brute)[:15])


def test_pareto_front_equals_brute_force(small):
    g = build_graph(small, small.commodity("ore"))
    vectors = set()
    for p in _all_routes(g, "N0", "N1"):
        r = make_route(g, p, "N0")
        vectors.add(
            (
                round(r.cost_usd_per_t, 6),
                round(r.days_mean, 6),
                round(r.co2e_kg_per_t, 6),
                round(r.risk.disrupted_days_per_year, 6),
            )
        )
    front = {
        v
        for v in vectors
        if not any(all(a <= b for a, b in zip(w, v, strict=True)) and w != v for w in vectors)
    }
    got = pareto("ore", "N0", "N1", network=small)
    ours = {
        (
            round(r.cost_usd_per_t, 6),
            round(r.days_mean, 6),
            round(r.co2e_kg_per_t, 6),
            round(r.risk.disrupted_days_per_year, 6),
        )
        for r in got.routes
    }
    assert ours == front


def test_pareto_on_tiny_keeps_both_routes(tiny):
    got = pareto("ore", "MINE", "DEST", network=tiny)
    assert [r.family for r in got.routes] == ["trans_caspian", "china"]


def test_avoid_rule_is_a_hard_filter(tiny):
    rs = routes("ore", "MINE", "DEST", network=tiny, avoid=["CN"])
    assert all("CN" not in r.countries for r in rs.routes)
    rs = routes("ore", "MINE", "DEST", network=tiny, avoid=["SUEZ"])
    assert [r.family for r in rs.routes] == ["china"]


def test_avoid_rule_that_leaves_nothing_names_the_block(tiny):
    with pytest.raises(RequestError, match="every route crosses China; without avoiding China"):
        routes("uoc", "MINE", "DEST", network=tiny, avoid=["CN"])
    with pytest.raises(RequestError, match="every route crosses at least one of China, Suez Canal"):
        routes("ore", "MINE", "DEST", network=tiny, avoid=["CN", "SUEZ"])
    in_japan = "the destination Destination is in Japan, which is avoided"
    with pytest.raises(RequestError, match=in_japan):
        routes("ore", "MINE", "DEST", network=tiny, avoid=["JP"])


def test_class7_only_where_accepted(tiny):
    rs = routes("uoc", "MINE", "DEST", network=tiny, k=5)
    assert [r.family for r in rs.routes] == ["china"]  # PORT_W does not accept class 7
    c = compare("uoc", "MINE", "DEST", network=tiny)
    assert "node Port W does not accept class 7 cargo" in c.unavailable["trans_caspian"]


def test_no_physical_route_says_why(tiny):
    with pytest.raises(RequestError, match="no gas pipeline or LNG terminal"):
        routes("gas", "MINE", "DEST", network=tiny)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"commodity": "copper"}, "unknown commodity 'copper'"),
        ({"origin": "MINEE"}, "did you mean MINE"),
        ({"destination": "MINE"}, "origin and destination are the same"),
        ({"avoid": ["ATLANTIS"]}, "unknown exposure 'ATLANTIS'"),
        ({"k": 0}, "k must be between 1 and 50"),
        ({"k": 10_000}, "k must be between 1 and 50"),
        ({"volume": -5.0}, "volume must be a positive number"),
        ({"penalise": {"CN": -1.0}}, "non-negative"),
    ],
)
def test_bad_requests_are_named(tiny, kwargs, message):
    args = {"commodity": "ore", "origin": "MINE", "destination": "DEST"} | kwargs
    with pytest.raises(RequestError, match=message):
        routes(
            args.pop("commodity"), args.pop("origin"), args.pop("destination"), network=tiny, **args
        )


@pytest.mark.parametrize("value", [-1, float("nan"), float("inf")])
def test_negative_or_infinite_assumptions_are_refused(value):
    with pytest.raises(InvalidParameterError, match="carrying_pct_per_year") as e:
        Assumptions(carrying_pct_per_year=value)
    assert e.value.field == "carrying_pct_per_year"


def test_json_contract(tiny):
    d = compare("ore", "MINE", "DEST", network=tiny, volume=100).to_dict()
    assert d["schema_version"] == 1
    route = d["routes"][0]
    assert set(route) >= {"nodes", "legs", "totals", "countries", "chokepoints", "sources"}
    assert set(route["legs"][0]) >= {
        "from",
        "to",
        "mode",
        "distance_km",
        "cost_usd_per_t",
        "days_mean",
    }
    assert set(route["totals"]) >= {
        "distance_km",
        "cost_usd_per_t",
        "days_mean",
        "days_p95",
        "co2e_kg_per_t",
    }
    assert [p["name"] for p in d["premium"]] == [
        "avoid China",
        "avoid Russia",
        "avoid China and Russia",
    ]
    assert route["sources"] == ["hand"]


def test_geojson_and_frame(tiny):
    rs = routes("ore", "MINE", "DEST", network=tiny)
    gj = rs.to_geojson()
    assert gj["type"] == "FeatureCollection"
    assert len(gj["features"]) == len(rs.routes)
    first = gj["features"][0]["geometry"]["coordinates"][0][0]
    assert first == [67.0, 45.0]  # MINE (lon, lat)
    frame = rs.to_frame()
    assert list(frame["cost_usd_per_t"]) == [round(r.cost_usd_per_t, 2) for r in rs.routes]


@pytest.mark.parametrize("pen", [{}, {"KZ": 7.0, "CN": 3.0, "SUEZ": 50.0}])
@pytest.mark.parametrize(
    ("nodes", "links", "seed"), [(16, 17, 1), (18, 20, 2), (14, 30, 3), (20, 30, 4)]
)
def test_k_best_to_every_destination_equals_brute_force(nodes, links, seed, pen):
    """Chains contracted, dead ends dropped and put back: every destination of sparse and
    dense networks gets exactly the cheapest route of each of its best signatures."""
    net = synthetic_network(nodes, links, seed=seed)
    g = build_graph(net, net.commodity("ore"))
    for destination in (n.id for n in net.nodes if n.id != "N0"):
        best: dict = {}
        for p in _all_routes(g, "N0", destination):
            sig = signature(g, p, "N0")
            crossed = g.exposures_of(functools.reduce(operator.or_, (e.exposures for e in p)))
            cost = sum(e.cost for e in p) + sum(pen.get(x, 0.0) for x in crossed)
            best[sig] = min(best.get(sig, float("inf")), cost)
        expected = sorted(best.items(), key=lambda kv: kv[1])[:6]
        got = k_best(g, "N0", destination, 6, penalise=pen)
        assert [r.signature for r in got] == [s for s, _ in expected], destination
        costs = [r.cost_usd_per_t - r.charges["insurance"] for r in got]
        assert costs == pytest.approx([c for _, c in expected]), destination


def test_sparse_network_exercises_chains_and_dead_ends():
    """The networks above do contain chains (through gateways too) and dead ends, and some
    destinations lie inside a chain or at a dead end."""
    net = synthetic_network(16, 17, seed=1)
    g = build_graph(net, net.commodity("ore"))
    steps = _steps(g)
    contracted = [s for row in steps.steps for s in row if len(s[0]) > 2 or s[7]]
    assert contracted
    assert any(s[7] for s in contracted)  # a chain passing a gateway
    assert steps.dead_ends and steps.inside


def test_recosted_steps_made_on_reading_give_the_routes_of_their_own_build():
    """A second commodity of one cargo class shares the first one's steps, recosted, each
    vertex's row made when a search first reads it: to every destination (in a chain, at
    a dead end or neither) the same routes as the steps built for that commodity alone."""
    base = synthetic_network(16, 17, seed=1)
    dear = Commodity(**{**vars(base.commodities[0]), "id": "dear", "freight_factor": 1.7})

    def with_goods(*goods: Commodity) -> Network:
        parts = (base.exposures, base.emission_factors, base.sources, base.origin)
        return Network(base.nodes, base.links, goods, *parts)

    shared, alone = with_goods(base.commodities[0], dear), with_goods(dear)
    _steps(commodity_graph(shared, "ore"))
    g, own = commodity_graph(shared, "dear"), commodity_graph(alone, "dear")
    assert isinstance(_steps(g).steps, routing._Rows)
    assert not isinstance(_steps(own).steps, routing._Rows)
    for destination in (n.id for n in base.nodes if n.id != "N0"):
        got, want = k_best(g, "N0", destination, 6), k_best(own, "N0", destination, 6)
        assert [r.signature for r in got] == [r.signature for r in want], destination
        assert [r.cost_usd_per_t for r in got] == [r.cost_usd_per_t for r in want]
    made = sum(row is not None for row in _steps(g).steps._made)
    assert 0 < made <= len(_steps(g).steps)


def test_routes_priced_by_step_equal_routes_priced_by_edge():
    """k_best prices whole search steps; make_route prices edge by edge: same routes."""
    net = synthetic_network(18, 20, seed=2)
    g = build_graph(net, net.commodity("ore"))
    for destination in ("N1", "N5", "N9"):
        for r, (_, edges, _, _) in zip(
            k_best(g, "N0", destination, 5, distinct=False),
            enumerate_paths(g, "N0", destination),
            strict=False,
        ):
            again = make_route(g, edges, "N0")
            assert again.to_dict() == r.to_dict()
            assert again.legs == r.legs and again.sources == r.sources


def test_route_pickles_with_its_detail_and_without_its_graph(small):
    """Routes built lazily still travel (to Dask workers, say) whole: pickling succeeds
    only because the detail builder and its graph (which cannot be pickled) stay home."""
    g = build_graph(small, small.commodity("ore"))
    route = k_best(g, "N0", "N1", 1)[0]
    with pytest.raises(TypeError):
        pickle.dumps(g)
    again = pickle.loads(pickle.dumps(route))
    assert again == route
    assert again.to_dict() == route.to_dict()
    assert again.legs == route.legs and again.geometry == route.geometry


def test_costs_to_go_from_the_all_pairs_table_equal_a_search_per_destination(small, monkeypatch):
    g = build_graph(small, small.commodity("ore"))
    for destination in ("N1", "N4", "N9"):
        targets = g.node_vertices[destination]
        h = routing._cost_to_go(g, destination, targets)
        assert h == routing.cost_to_go(g, targets)
    assert search_index(g).all_pairs is not None  # built at the second destination
    with_table = [r.to_dict() for r in k_best(g, "N0", "N7", 5)]
    monkeypatch.setattr(routing, "ALL_PAIRS_MAX_VERTICES", 0)
    g = build_graph(small, small.commodity("ore"))
    assert [r.to_dict() for r in k_best(g, "N0", "N7", 5)] == with_table
    assert search_index(g).all_pairs is None


def test_plain_search_gives_the_floats_of_the_sparse_matrix_search(small, monkeypatch):
    """The pure-Python costs to go of small graphs equal scipy's to the last bit, so the
    best-first search pops its labels in the same order whichever ran."""
    g = build_graph(small, small.commodity("ore"))
    for destination in ("N1", "N4", "N9"):
        targets = g.node_vertices[destination]
        plain = routing.cost_to_go(g, targets)
        monkeypatch.setattr(routing, "PLAIN_SEARCH_MAX_VERTICES", 0)
        assert routing.cost_to_go(g, targets) == plain
        monkeypatch.setattr(routing, "PLAIN_SEARCH_MAX_VERTICES", 2_000)
