"""Each market year priced on the network of that year: later states never leak back."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from corridor.analysis.market import calibrated, dated_route_costs
from corridor.analysis.queries import bundled_network, default_network
from corridor.errors import RequestError
from corridor.market import generalised_cost_inputs, load_market_data
from corridor.network.model import State

REQUEST = ("containerised_cargo", "KZ_DOSTYK", "JP_YOKOHAMA")


@pytest.fixture(scope="module")
def net():
    return bundled_network()


def _gc(costs_of, year, known_on=None):
    regimes = load_market_data().regimes
    inputs = generalised_cost_inputs(year, costs_of(year, known_on), regimes, as_of=known_on)
    return {f: x.generalised_usd_per_t for f, x in inputs.items()}


def test_a_state_dated_after_a_year_does_not_change_that_year(net):
    # Caspian crossings 30 days slower from 1 March 2025
    slow = State(
        "ST_TEST_SLOW", "test", "", "works", ("CASPIAN",), dt.date(2025, 3, 1), None,
        1.0, 30.0, 0.0, {}, "", (), 30.0,
    )  # fmt: skip
    plus = dataclasses.replace(net, states=(*net.states, slow))
    base, later = dated_route_costs(net, *REQUEST), dated_route_costs(plus, *REQUEST)
    assert _gc(later, 2024) == _gc(base, 2024)
    assert _gc(later, 2025)["trans_caspian"] > _gc(base, 2025)["trans_caspian"] + 50
    assert _gc(later, 2025)["china"] == pytest.approx(_gc(base, 2025)["china"])
    # a forecaster on 1 January 2025 did not know of it either
    known = dt.date(2025, 1, 1)
    assert _gc(later, 2025, known) == _gc(base, 2025, known)


def test_the_red_sea_closure_does_not_reach_back_before_december_2023(net):
    costs = dated_route_costs(net, *REQUEST)
    y22, y24 = costs(2022)["trans_caspian"], costs(2024)["trans_caspian"]
    assert "BAB_EL_MANDEB" in y22.exposures and "CAPE_OF_GOOD_HOPE" not in y22.exposures
    assert "CAPE_OF_GOOD_HOPE" in y24.exposures and "BAB_EL_MANDEB" not in y24.exposures
    assert y24.days_mean > y22.days_mean + 10  # round the Cape
    # 2024 as known on 1 December 2023: no diversion yet
    early = costs(2024, dt.date(2023, 12, 1))["trans_caspian"]
    assert "CAPE_OF_GOOD_HOPE" not in early.exposures
    # 2023: the Cape for its last 17 days only
    y23 = costs(2023)["trans_caspian"]
    assert y22.days_mean < y23.days_mean < y22.days_mean + (y24.days_mean - y22.days_mean) / 10


def test_the_market_needs_the_undated_network():
    with pytest.raises(RequestError, match="undated network"):
        calibrated(default_network())
