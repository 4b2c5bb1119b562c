"""The planner's candidates on one graph with links closed equal those of a graph built per
family and avoid set (tests/oracles/plan_candidates.py), to the float."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace

import pytest

from corridor.analysis import default_network
from corridor.contracts.io import load_contracts
from corridor.contracts.model import Contract
from corridor.costs import Assumptions
from corridor.network.model import Network
from corridor.network.schema import FAMILIES
from corridor.network.synthetic import CHOKEPOINTS, COUNTRIES, synthetic_network
from corridor.optimize._model import _pair_routes, capped_exposures, contract_assumptions
from tests.optimize.test_maxflow import two_routes
from tests.optimize.test_planning import EXAMPLE, three_routes
from tests.oracles.plan_candidates import reference_pair_routes
from tests.routing.test_closed import _same


def _compare(net: Network, contracts: list[Contract], named: list[str] | None, k: int) -> int:
    """Every pair's candidates, each way on its own fresh copy of ``net`` (nothing shared);
    the number of routes compared."""
    new, old = replace(net), replace(net)
    compared = 0
    for c in contracts:
        a = contract_assumptions(Assumptions(), c)
        caps = named if named is not None else []
        for o, d in itertools.product(c.origins, c.destinations):
            got = _pair_routes(new, c, o, d, a, k, caps)
            _same(got, reference_pair_routes(old, c, o, d, a, k, caps))
            compared += len(got)
    return compared


def test_the_example_portfolio_has_the_candidates_of_a_graph_per_family_and_avoid_set():
    net = default_network()
    portfolio = load_contracts(EXAMPLE, net)
    rules = (*portfolio.rules, *(r for c in portfolio.contracts for r in c.clauses))
    contracts = list(portfolio.contracts)
    assert any(capped_exposures(c, rules) for c in contracts)  # some avoid combinations
    compared = 0
    for c in contracts:
        compared += _compare(net, [c], capped_exposures(c, rules), 12)
    assert compared > 60


def test_bundled_network_with_three_capped_exposures_at_once():
    """Combinations of up to three capped exposures (countries, chokepoints, a sea), on a
    contract that avoids Russia itself and one that avoids nothing."""
    net = default_network()
    uoc = Contract("u", "uranium_ore_concentrate", ("KZ_INKAI",), ("JP_YOKOHAMA",), 500)
    reo = Contract("r", "rare_earth_oxide", ("KZ_SARECO",), ("JP_YOKOHAMA", "JP_KOBE"), 1500)
    capped = ["CASPIAN", "CN", "MALACCA", "RU", "SUNDA"]
    assert _compare(net, [replace(uoc, avoid=("RU",)), reo], capped, 4) > 40


@pytest.mark.parametrize(("nodes", "links", "seed"), [(16, 20, 1), (20, 30, 4), (30, 45, 7)])
def test_synthetic_networks_with_random_families_and_capped_exposures(nodes, links, seed):
    """Links of random families, random avoid clauses and capped exposures (countries
    and chokepoints): the closed searches find the routes of the graphs built for each."""
    base = synthetic_network(nodes, links, seed=seed)
    rng = random.Random(seed)
    families = (*FAMILIES, "domestic")
    net = replace(base, links=tuple(replace(x, family=rng.choice(families)) for x in base.links))
    exposures = [e for e in (*COUNTRIES, *CHOKEPOINTS) if e not in ("KZ", "JP")]
    compared = 0
    for _ in range(4):
        avoid = tuple(rng.sample(exposures, rng.randint(0, 1)))
        capped = sorted(rng.sample([e for e in exposures if e not in avoid], rng.randint(1, 4)))
        c = Contract("c", "ore", ("N0",), ("N1", "N5"), 1000, avoid=avoid)
        compared += _compare(net, [c], capped, 3)
    assert compared > 10


def test_small_hand_networks():
    """Two routes (via China, via Georgia): both best, one per family, one avoiding each
    of China and Georgia, none avoiding both; avoiding China, only the Georgian one."""
    ore = Contract("c1", "ore", ("O",), ("D",), 1000)
    assert _compare(two_routes(), [ore], ["CN", "GE"], 3) == 2 + 2 + 1 + 1
    assert _compare(two_routes(), [replace(ore, avoid=("CN",))], ["GE"], 3) == 1 + 1
    assert _compare(three_routes(), [ore], [], 2) == 2
    # Links that name no country: an exposure is touched through the country of an end.
    net = two_routes()
    bare = replace(net, links=tuple(replace(x, countries=()) for x in net.links))
    assert _compare(bare, [ore], ["CN", "GE"], 3) == 2 + 2 + 1 + 1
