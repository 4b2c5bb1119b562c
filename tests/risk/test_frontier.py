"""The mean–CVaR frontier: end points, the CVaR arithmetic, monotony, capacities.

On the tiny network the Trans-Caspian route is the cheaper one for ore, and an event closes
Suez (so that route) for the whole year with probability 0.3; the China route is never hit.
Displaced tonnes re-route to China at the cost difference, so the China route has zero
loss: the least-cost end of the frontier must be the all-Trans-Caspian plan and the
least-CVaR end the all-China plan.
"""

from __future__ import annotations

import numpy as np
import pytest

from corridor import risk
from corridor.analysis import default_network
from corridor.errors import RequestError
from corridor.network.model import Network
from corridor.risk import frontier as fr
from tests.risk.test_stress import event, with_events


@pytest.fixture(scope="module")
def two_routes(tiny: Network) -> risk.Allocation:
    from corridor.analysis.queries import routes

    net = with_events(tiny, (event("SUEZ_SHUT", ("SUEZ",), 0.3, 365, 1.0),), l5=None)
    found = {r.family: r for r in routes("ore", "MINE", "DEST", k=5, network=net).routes}
    split = [(found["china"], 500.0), (found["trans_caspian"], 500.0)]
    return risk.from_routes(split, network=net, flow_id="ore")


@pytest.fixture(scope="module")
def result(two_routes: risk.Allocation) -> fr.FrontierResult:
    return fr.frontier(two_routes, scenarios=2_000, seed=4, timing="onset", points=5)


def same(a: fr.FrontierPoint, b: fr.FrontierPoint) -> None:
    assert a.expected_cost_usd_per_year == pytest.approx(b.expected_cost_usd_per_year, rel=1e-7)
    assert a.cvar == pytest.approx(b.cvar, rel=1e-7, abs=1e-6)
    assert [(c, r, round(t, 3)) for c, r, _, t in a.split] == [
        (c, r, round(t, 3)) for c, r, _, t in b.split
    ]


def test_end_points_are_the_single_route_plans(result: fr.FrontierResult):
    all_china = result.reference("all China")
    all_caspian = result.reference("all Trans-Caspian")
    assert all_china is not None and all_caspian is not None
    same(result.points[0], all_caspian)
    same(result.points[-1], all_china)
    assert all_china.cvar == pytest.approx(0.0, abs=1e-6)
    assert all_caspian.cvar > 0


def test_frontier_trades_cost_for_cvar(result: fr.FrontierResult):
    costs = [p.expected_cost_usd_per_year for p in result.points]
    cvars = [p.cvar for p in result.points]
    assert costs == sorted(costs)
    assert cvars == sorted(cvars, reverse=True)
    plan = result.reference("current plan")
    assert plan is not None
    # no split as cheap as the 50/50 plan has a larger CVaR than the frontier's there
    cheaper = [
        p
        for p in result.points
        if p.expected_cost_usd_per_year <= plan.expected_cost_usd_per_year + 1e-6
    ]
    assert min(p.cvar for p in cheaper) <= plan.cvar * (1 + 1e-7)


def test_cvar_of_equally_likely_losses():
    losses = np.array([0.0] * 90 + [300.0] * 8 + [500.0] * 2)
    assert fr.cvar_of(losses, 0.95) == pytest.approx((300.0, 380.0))
    assert fr.cvar_of(losses, 0.99) == pytest.approx((500.0, 500.0))
    # a level between scenarios counts the boundary one in part
    assert fr.cvar_of(np.arange(10.0), 0.85)[1] == pytest.approx((9 + 0.5 * 8) / 1.5)


def test_capacities_bind_the_split(tiny: Network):
    from corridor.analysis.queries import routes

    net = with_events(tiny, (event("SUEZ_SHUT", ("SUEZ",), 0.3, 365, 1.0),), l5=300.0)
    found = {r.family: r for r in routes("ore", "MINE", "DEST", k=5, network=net).routes}
    alloc = risk.from_routes([(found["trans_caspian"], 1000.0)], network=net)
    result = fr.frontier(alloc, scenarios=500, seed=1, timing="onset", points=3)
    for p in result.points:
        assert p.within_capacity
        assert sum(t for _, _, fam, t in p.split if fam == "trans_caspian") <= 300 + 1e-6
    assert not result.reference("current plan").within_capacity  # type: ignore[union-attr]


def test_example_portfolio_frontier_places_the_plans():
    alloc = risk.from_contracts("examples/contracts.yaml", network=default_network())
    result = fr.frontier(alloc, scenarios=1_000, seed=2, points=4)
    names = [p.name for p in result.references]
    assert names == ["current plan", "all China", "all Trans-Caspian"]
    assert result.points[0].cvar > result.points[-1].cvar
    assert any("crude_tengiz" in p.note for p in result.references)  # no China route for crude
    assert result.to_dict()["unit"] == "USD/yr"


@pytest.mark.parametrize(
    "kwargs",
    [{"measure": "euros"}, {"alpha": 1.0}, {"points": 1}, {"scenarios": 10, "alpha": 0.99}],
)
def test_bad_parameters_are_messages(two_routes: risk.Allocation, kwargs: dict[str, object]):
    with pytest.raises(RequestError):
        fr.frontier(two_routes, **kwargs)  # type: ignore[arg-type]
