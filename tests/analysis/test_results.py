"""Results of the analysis functions: their JSON, tables and pickles (tiny network)."""

from __future__ import annotations

import json
import pickle

import pytest

from corridor.analysis.queries import compare, routes
from corridor.analysis.results import Alternative, Request, RouteSet
from corridor.web import schemas

ORE = ("ore", "MINE", "DEST")


def test_a_route_set_survives_json_and_matches_its_model(tiny):
    rs = routes(*ORE, k=2, network=tiny)
    d = rs.to_dict()
    assert json.loads(json.dumps(d)) == d
    schemas.RouteSetOut.model_validate(d)
    assert [r["nodes"] for r in d["routes"]] == [list(r.nodes) for r in rs.routes]
    assert d["request"] == {
        "buyer": rs.request.buyer,
        "commodity": "ore",
        "origin": "MINE",
        "destination": "DEST",
        "avoid": [],
        "penalise_usd_per_t": {},
        "volume_t_per_year": None,
        "k": 2,
    }


def test_a_pickled_route_set_keeps_its_routes_and_detail(tiny):
    rs = routes(*ORE, k=2, network=tiny)
    back = pickle.loads(pickle.dumps(rs))
    assert back.to_dict() == rs.to_dict()
    assert back.routes[0].legs == rs.routes[0].legs


def test_a_comparison_points_each_premium_at_its_route(tiny):
    c = compare(*ORE, volume=1000, network=tiny)
    d = c.to_dict()
    schemas.ComparisonOut.model_validate(d)
    assert c.cheapest.cost_usd_per_t == min(r.cost_usd_per_t for r in c.routes)
    assert any(p["route_index"] is not None for p in d["premium"])
    for p in d["premium"]:
        if p["route_index"] is not None:
            route = d["routes"][p["route_index"]]
            assert p["route"] == route["label"]
            cheapest = c.cheapest.cost_usd_per_t
            assert p["premium_usd_per_t"] == pytest.approx(
                route["totals"]["cost_usd_per_t"] - cheapest, abs=0.01
            )
            assert p["premium_usd_per_year"] == pytest.approx(p["premium_usd_per_t"] * 1000, abs=6)


def test_a_premium_without_route_says_why():
    alt = Alternative("avoid CN", ("CN",), None, "no route", *([None] * 6))
    assert alt.to_dict()["route"] is None and alt.to_dict()["reason"] == "no route"
    assert alt.to_dict()["cost_usd_per_t"] is None


def test_the_table_has_one_row_per_route(tiny):
    rs = routes(*ORE, k=2, network=tiny)
    frame = rs.to_frame()
    assert list(frame.index) == [1, 2]
    assert list(frame["cost_usd_per_t"]) == [round(r.cost_usd_per_t, 2) for r in rs.routes]
    empty = RouteSet(Request(*ORE), ())
    assert empty.to_dict()["routes"] == [] and empty.flags(0) == ()
