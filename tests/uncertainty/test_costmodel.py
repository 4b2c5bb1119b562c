"""The fast cost model against the graph's own pricing on the bundled network, where rail
service classes time rail links by speed and loading onto rail waits for a train, and on a
dated network whose states shift figures that have ranges."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from corridor.costs import Assumptions, rail_timing
from corridor.graph import commodity_graph
from corridor.network import Network, load_network
from corridor.network.states import network_on
from corridor.uncertainty.propagate import Propagation, prepare, rebuilt_headlines
from corridor.uncertainty.sampling import unit_draws

WINTER = dt.date(2026, 12, 2)
"""A day of the Caspian winter state (November and December): +2 days on the crossings."""


def _prepare(net: Network, a: Assumptions, families: tuple[str, ...]) -> Propagation:
    return prepare(
        net,
        "KZ_ZHANA_KZ",
        "JP_YOKOHAMA",
        lambda av, fams: commodity_graph(net, "rare_earth_concentrate", a, av, fams),
        families,
        (),
        assumptions=a,
        candidates=3,
    )


@pytest.mark.parametrize("service", ["block", "wagonload"])
def test_cost_terms_reproduce_candidates_under_each_rail_service(service: str):
    net = load_network()
    a = Assumptions(service=service)
    p = _prepare(net, a, ("china", "trans_caspian"))
    got = p.model.costs(p.model.base[None, :])[0]
    assert got == pytest.approx([r.cost_usd_per_t for r in p.routes], rel=1e-12)
    # the terms the service classes brought are exercised: a speed-timed rail link, whose
    # table transit is then not a figure of the model, and a load onto rail from the ferry
    c = net.commodity("rare_earth_concentrate")
    timed = {
        leg.link
        for r in p.routes
        for leg in r.legs
        if leg.kind == "link" and rail_timing(net, net.link(leg.link), c, a) is not None
    }
    assert timed
    assert not {("links", link, "transit_days") for link in timed} & set(p.model.keys)
    forming = 72.0 if service == "wagonload" else 24.0  # services.csv formation_hours
    waits = [
        leg.days_mean - net.node(leg.from_).handling_hours / 24.0
        for r in p.routes
        for leg in r.legs
        if leg.kind == "transfer"
    ]
    assert forming / 24.0 == pytest.approx(max(waits))


def test_a_winter_draw_keeps_the_winter_wait_and_agrees_with_a_rebuild():
    net = network_on(load_network(), WINTER)
    p = _prepare(net, Assumptions(), ("trans_caspian",))
    key = ("links", "F_AKTAU_ALAT", "transit_days")
    stated = net.ranges[key]
    base = load_network().ranges[key]
    assert (stated.low, stated.high) == pytest.approx((base.low + 2.0, base.high + 2.0))
    x = p.draws(unit_draws(64, len(p.factors), seed=2))
    drawn = x[:, 1 + p.model.keys.index(key)]
    assert drawn.min() >= base.low + 2.0 and np.ptp(drawn) > 1.0
    fast = p.headlines(x)
    for row in range(2):
        values = {k: float(x[row, i]) for i, k in enumerate(p.model.keys, start=1)}
        for name, value in rebuilt_headlines(p, values).items():
            assert fast[name][row] == pytest.approx(value, abs=1e-6), name
