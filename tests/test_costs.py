"""Route arithmetic on the tiny network, computed by hand; percentile combination by Monte Carlo."""

from __future__ import annotations

import math

import numpy as np
import pytest

from corridor.analysis.queries import compare, routes
from corridor.costs import Assumptions, lognormal_variance, p95_of_sum

VALUE = 1000.0  # ore, USD/t
CARRY = 0.10 / 365  # 10 %/yr per day


def _china(rs):
    return next(r for r in rs.routes if r.family == "china")


def _caspian(rs):
    return next(r for r in rs.routes if r.family == "trans_caspian")


def test_china_route_by_hand(tiny):
    r = _china(routes("ore", "MINE", "DEST", network=tiny))
    # road 100 km x 0.1 + transfer 3 + rail 1000 km x 0.02 + border fee 5 + gauge change 10
    # + rail 3000 km x 0.03 + port transfer 8 + sea 15 + Japan dues 2 + insurance 0.1 % x 1.1
    cash = 10 + 3 + 20 + 5 + 10 + 90 + 8 + 15 + 2 + 1.1
    days = 1 + 6 / 24 + 1.25 + 40 / 24 + 24 / 24 + 4 + 24 / 24 + 12 / 24 + 4 + 24 / 24
    assert r.days_mean == pytest.approx(days)
    assert r.cost_usd_per_t == pytest.approx(cash + VALUE * CARRY * days)
    assert r.co2e_kg_per_t == pytest.approx(100 * 0.1 + 1000 * 0.03 + 3000 * 0.03 + 2000 * 0.01)
    assert r.distance_km == 6100
    assert r.nodes == ("MINE", "HUB", "BORDER_A", "PORT_C", "DEST")
    assert r.countries == ("KZ", "CN", "JP")


def test_caspian_route_by_hand_with_war_risk(tiny):
    r = _caspian(routes("ore", "MINE", "DEST", network=tiny))
    war = 0.05 / 100 * VALUE * 1.1  # SUEZ war-risk surcharge on the insured value
    cash = 10 + 3 + 60 + 12 + 40 + war + 2 + 1.1
    days = 1 + 0.25 + 4 + 1 + 0.5 + 30 + 1
    assert r.cost_usd_per_t == pytest.approx(cash + VALUE * CARRY * days)
    assert r.cost_breakdown()["war_risk"] == pytest.approx(war)
    assert r.chokepoints == ("SUEZ",)


def test_totals_are_the_sum_of_legs_and_charges(tiny):
    for r in routes("ore", "MINE", "DEST", network=tiny).routes:
        assert r.cost_usd_per_t == pytest.approx(
            sum(leg.cost_usd_per_t for leg in r.legs) + sum(r.charges.values())
        )
        assert r.days_mean == pytest.approx(sum(leg.days_mean for leg in r.legs))
        assert r.distance_km == pytest.approx(sum(leg.distance_km for leg in r.legs))
        assert sum(r.cost_breakdown().values()) == pytest.approx(r.cost_usd_per_t)


def test_transfers_appear_exactly_where_mode_or_gauge_changes(tiny):
    r = _china(routes("ore", "MINE", "DEST", network=tiny))
    transfers = [(leg.from_, leg.what.split(" at ")[0]) for leg in r.legs if leg.kind == "transfer"]
    assert transfers == [
        ("HUB", "road → rail1520"),
        ("BORDER_A", "rail1520 → rail1435"),
        ("PORT_C", "rail1435 → sea"),
    ]
    handling = [leg.parts["handling"] for leg in r.legs if leg.kind == "transfer"]
    assert handling == [3, 10, 8]
    dwell = [leg.from_ for leg in r.legs if leg.kind == "dwell"]
    assert dwell == ["BORDER_A", "PORT_C", "DEST"]


def test_class7_handling_and_freight_factor(tiny):
    r = routes("uoc", "MINE", "DEST", network=tiny).routes[0]
    handling = [leg.parts["handling"] for leg in r.legs if leg.kind == "transfer"]
    assert handling == [6, 20, 16]
    freight = sum(leg.parts.get("freight", 0) for leg in r.legs)
    assert freight == pytest.approx(1.5 * (10 + 20 + 90 + 15))
    assert r.charges["insurance"] == pytest.approx(0.4 / 100 * 100_000 * 1.1)


def test_carbon_price_adds_cost_per_tonne_co2e(tiny):
    base = _china(routes("ore", "MINE", "DEST", network=tiny))
    priced = _china(
        routes(
            "ore", "MINE", "DEST", network=tiny, assumptions=Assumptions(carbon_price_usd_per_t=100)
        )
    )
    assert priced.cost_usd_per_t - base.cost_usd_per_t == pytest.approx(150 / 1000 * 100)


def test_lognormal_variance_round_trip():
    var = lognormal_variance(10.0, 15.0)
    sigma2 = math.log1p(var / 100)
    mu = math.log(10) - sigma2 / 2
    assert math.exp(mu + 1.6448536269514722 * math.sqrt(sigma2)) == pytest.approx(15.0)
    assert lognormal_variance(5.0, 5.0) == 0
    assert p95_of_sum(7.0, 0.0) == 7.0


@pytest.mark.parametrize("commodity", ["ore", "uoc"])
def test_route_p95_matches_monte_carlo_of_its_components(tiny, commodity):
    rng = np.random.default_rng(7)
    for r in routes(commodity, "MINE", "DEST", network=tiny).routes:
        total = np.zeros(400_000)
        for leg in r.legs:
            if leg.days_var == 0:
                total += leg.days_mean
                continue
            sigma2 = math.log1p(leg.days_var / leg.days_mean**2)
            mu = math.log(leg.days_mean) - sigma2 / 2
            total += rng.lognormal(mu, math.sqrt(sigma2), total.size)
        assert total.mean() == pytest.approx(r.days_mean, rel=0.005)
        assert np.percentile(total, 95) == pytest.approx(r.days_p95, rel=0.02)
        # and the naive sum of p95s overstates it
        assert sum(leg.days_p95 for leg in r.legs) > r.days_p95


def test_premium_is_cheapest_avoiding_minus_cheapest(tiny):
    c = compare(
        "ore", "MINE", "DEST", network=tiny, volume=5000, penalise={"GE": 100}
    )  # penalty makes China the cheapest
    assert c.cheapest.family == "china"
    avoid_cn = c.premium[0]
    assert avoid_cn.route is not None and avoid_cn.route.family == "trans_caspian"
    assert avoid_cn.premium_usd_per_t == pytest.approx(
        avoid_cn.route.cost_usd_per_t - c.cheapest.cost_usd_per_t
    )
    assert avoid_cn.premium_usd_per_year == pytest.approx(avoid_cn.premium_usd_per_t * 5000)
    assert avoid_cn.extra_days == pytest.approx(avoid_cn.route.days_mean - c.cheapest.days_mean)
    assert avoid_cn.risk_change_probability == pytest.approx(
        avoid_cn.route.risk.annual_probability - c.cheapest.risk.annual_probability
    )
    assert avoid_cn.route.charges["penalty"] == 100
