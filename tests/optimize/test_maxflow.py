"""Capacity analysis: hand-checkable networks, groups, seasons, and an independent max flow.

The helpers at the top build small networks in Python (tests of planning and the run
store use them too): every cost is chosen so that a route's USD/t is the sum of its link
tariffs (cargo value 0: no insurance or inventory cost; no handling, dues or dwell).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

import networkx as nx
import numpy as np
import pytest

from corridor.errors import RequestError
from corridor.network.model import Commodity, EmissionFactor, Exposure, Link, Network, Node, Source
from corridor.network.synthetic import synthetic_network
from corridor.optimize.capacity import capacities
from corridor.optimize.maxflow import max_flow

NO_SOURCES: Mapping[str, tuple[str, ...]] = MappingProxyType({})
EXPOSURES = ("KZ", "CN", "GE", "JP", "RU", "SUEZ")


def node(node_id: str, country: str, kind: str = "border_crossing") -> Node:
    return Node(
        node_id,
        f"Place {node_id}",
        "",
        country,
        kind,
        40.0,
        60.0,
        MappingProxyType({"container": 0.0, "liquid": 0.0}),
        0.0,
        0.0,
        0.0,
        0.0,
        0.0,
        (1520,),
        ("container", "liquid"),
        (),
        NO_SOURCES,
        "",
    )


def link(
    link_id: str,
    a: str,
    b: str,
    tariff: float,
    countries: tuple[str, ...],
    *,
    family: str = "domestic",
    mode: str = "rail",
    cap: float | None = None,
    group: str = "",
    season: Mapping[int, float] | None = None,
    cargo: tuple[str, ...] = ("container",),
    chokepoints: tuple[str, ...] = (),
) -> Link:
    sources = MappingProxyType({"capacity_t_per_year": (f"src_{link_id}",)}) if cap else NO_SOURCES
    return Link(
        link_id,
        a,
        b,
        mode,
        1520 if mode == "rail" else None,
        mode,
        family,
        100.0,
        1.0,
        1.0,
        tariff,
        0.0,
        cap,
        group,
        cargo,
        countries,
        chokepoints,
        MappingProxyType(dict(season or {})),
        True,
        f"ef_{mode}",
        ((60.0, 40.0), (62.0, 41.0)),
        sources,
        "",
    )


def commodity(commodity_id: str, cargo: str = "container", factor: float = 1.0) -> Commodity:
    return Commodity(
        commodity_id,
        commodity_id,
        "",
        cargo,
        "",
        0.0,
        "bags",
        ("rail", "sea", "pipeline"),
        0.0,
        factor,
        "",
        NO_SOURCES,
        "",
    )


def network(
    nodes: Iterable[Node], links: Iterable[Link], commodities: Iterable[Commodity] = ()
) -> Network:
    """A network with the test exposures, emission factors and one source per capacity."""
    links = tuple(links)
    exposures = tuple(
        Exposure(e, kind, e, "", None, None, 0.1, 1.0, 1.0, 0.0, NO_SOURCES, "")
        for e, kind in ((x, "country" if len(x) == 2 else "chokepoint") for x in EXPOSURES)
    )
    factors = tuple(
        EmissionFactor(f"ef_{m}", m, m, 10.0, NO_SOURCES, "") for m in ("rail", "sea", "pipeline")
    )
    sources = [Source("hand", "hand-made", "", 2026, "estimated", "chosen by hand")]
    sources += [
        Source(s, f"capacity of {lk.id}", "", 2026, "estimated", "by hand")
        for lk in links
        for s in lk.sources.get("capacity_t_per_year", ())
    ]
    goods = tuple(commodities) or (commodity("ore"),)
    return Network(tuple(nodes), links, goods, exposures, factors, tuple(sources), "test")


def two_routes(
    cap_china: float | None = 600.0, cap_caspian: float | None = None, **extra: Commodity
) -> Network:
    """O → A (China) → D costs 100 USD/t; O → B (Georgia) → D costs 150 USD/t."""
    nodes = [node("O", "KZ", "production_site"), node("A", "CN"), node("B", "GE")]
    nodes.append(node("D", "JP", "destination_port"))
    links = [
        link("OA", "O", "A", 50, ("KZ", "CN"), family="china", cap=cap_china),
        link("AD", "A", "D", 50, ("CN", "JP"), family="china", mode="sea"),
        link("OB", "O", "B", 75, ("KZ", "GE"), family="trans_caspian", cap=cap_caspian),
        link("BD", "B", "D", 75, ("GE", "JP"), family="trans_caspian", mode="sea"),
    ]
    return network(nodes, links, (commodity("ore"), *extra.values()))


# --------------------------------------------------------------------------- tests


def test_tiny_fixture_binds_at_the_chinese_rail_section(tiny):
    # uoc cannot use PORT_W (no class 7), so only L2 (1 Mt) then L3 (0.5 Mt) lead to DEST.
    r = max_flow("uoc", "MINE", "DEST", network=tiny)
    assert r.max_t_per_year == pytest.approx(500_000)
    assert [b.capacity.id for b in r.bottlenecks] == ["L3"]
    assert r.bottlenecks[0].capacity.sources == ("hand",)
    assert r.flows == pytest.approx({"L1": 5e5, "L2": 5e5, "L3": 5e5, "L4": 5e5})
    assert "L3" in r.summary() and "500,000 t/yr" in r.summary()


def test_a_path_without_capacity_figures_is_reported_not_infinite(tiny):
    r = max_flow("ore", "MINE", "DEST", network=tiny)
    assert r.max_t_per_year is None
    assert r.reason.startswith("no capacity figure limits this corridor")
    assert "MINE → HUB → PORT_W → DEST" in r.reason and "L5" in r.reason
    assert "inf" not in str(r.to_dict()["max_t_per_year"])


def test_family_filter_and_no_route_reason(tiny):
    r = max_flow("ore", "MINE", "DEST", families=["china"], network=tiny)
    assert r.max_t_per_year == pytest.approx(500_000)
    with pytest.raises(RequestError, match="no gas pipeline"):
        max_flow("gas", "MINE", "DEST", network=tiny)
    with pytest.raises(RequestError, match="unknown node 'NOWHERE'"):
        max_flow("ore", "NOWHERE", "DEST", network=tiny)
    with pytest.raises(RequestError, match="unknown route family"):
        max_flow("ore", "MINE", "DEST", families=["arctic"], network=tiny)


def test_group_shares_the_smallest_capacity_and_seasons_scale_it():
    # Two parallel links in one group (figures 800 and 300) and a third, seasonal link.
    nodes = [node("O", "KZ", "production_site"), node("A", "KZ"), node("B", "KZ")]
    nodes.append(node("D", "JP", "destination_port"))
    half_in_winter = {1: 0.5, 2: 0.5, 12: 0.5}  # mean factor 10.5 / 12 = 0.875
    links = [
        link("OA", "O", "A", 1, ("KZ",), cap=800, group="fleet"),
        link("OB", "O", "B", 1, ("KZ",), cap=300, group="fleet"),
        link("AD", "A", "D", 1, ("KZ", "JP"), cap=1000, season=half_in_winter),
        link("BD", "B", "D", 1, ("KZ", "JP")),
    ]
    net = network(nodes, links)
    caps = capacities(net)
    assert caps["fleet"].capacity_t_per_year == 300
    assert caps["fleet"].links == ("OA", "OB")
    assert "smallest figure" in caps["fleet"].note and "OB" in caps["fleet"].note
    assert caps["AD"].capacity_t_per_year == pytest.approx(875)
    r = max_flow("ore", "O", "D", network=net)
    assert r.max_t_per_year == pytest.approx(300)
    assert [b.capacity.id for b in r.bottlenecks] == ["fleet"]
    assert r.bottlenecks[0].capacity.sources == ("src_OB",)


def _with_capacities(net: Network, seed: int) -> Network:
    rng = np.random.default_rng(seed)
    links = tuple(
        Link(**{**vars(lk), "capacity_t_per_year": float(rng.integers(1, 50)) * 1000})
        for lk in net.links
    )
    return Network(
        net.nodes,
        links,
        net.commodities,
        net.exposures,
        net.emission_factors,
        net.sources,
        net.origin,
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_max_flow_equals_networkx_and_the_cut_adds_up(seed):
    net = _with_capacities(synthetic_network(40, 110, seed=seed), seed)
    origins, destinations = ["N0", "N5"], ["N1", "N7"]
    r = max_flow("ore", origins, destinations, network=net)
    g = nx.DiGraph()
    for lk in net.links:  # an undirected link of capacity c is two arcs of capacity c
        g.add_edge(lk.from_, lk.to, capacity=lk.capacity_t_per_year)
        g.add_edge(lk.to, lk.from_, capacity=lk.capacity_t_per_year)
    for o in origins:
        g.add_edge("SOURCE", o)  # no capacity attribute: unbounded
    for d in destinations:
        g.add_edge(d, "SINK")
    expected, _ = nx.maximum_flow(g, "SOURCE", "SINK")
    assert r.max_t_per_year == pytest.approx(expected)
    cut = sum(b.capacity.capacity_t_per_year * b.marginal_t_per_t for b in r.bottlenecks)
    assert cut == pytest.approx(expected)
    for u in r.utilisation:
        assert u.used_t_per_year <= u.capacity.capacity_t_per_year * (1 + 1e-9)
    for b in r.bottlenecks:  # a cut link runs full
        assert b.used_t_per_year == pytest.approx(b.capacity.capacity_t_per_year)


def test_to_dict_is_json_ready(tiny):
    import json

    d = json.loads(json.dumps(max_flow("uoc", "MINE", "DEST", network=tiny).to_dict()))
    assert d["max_t_per_year"] == 500000.0
    assert d["bottlenecks"][0]["id"] == "L3"
    assert d["bottlenecks"][0]["sources"] == ["hand"]
    assert {"link": "L3", "t_per_year": 500000.0} in d["flows"]


def test_the_trans_caspian_route_is_limited_by_the_caspian_crossing():
    from corridor.analysis.queries import default_network

    net = default_network()
    r = max_flow(
        "uranium_ore_concentrate",
        "KZ_NORTH_KHARASAN",
        "JP_YOKOHAMA",
        families=["trans_caspian"],
        network=net,
    )
    assert r.max_t_per_year is not None and r.bottlenecks
    for b in r.bottlenecks:
        assert all("CASPIAN" in net.link(k).chokepoints for k in b.capacity.links)
        assert b.capacity.sources
