"""Bands, flip probabilities and Sobol' indices against values computed on paper.

On the tiny network the Trans-Caspian route costs C_TC and the China route C_CN (both read
from a plain comparison); a tariff drawn uniformly on [lo, hi] shifts one route's cost by
(t − t0) × freight factor (1 for ``ore``), so its percentiles and the chance the ranking
flips follow by hand.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import corridor
from corridor.costs import Assumptions
from corridor.errors import InvalidParameterError
from corridor.graph import build_graph, commodity_graph
from corridor.network import Network, load_network
from corridor.uncertainty.compare import UncertainComparison, compare_bands
from corridor.uncertainty.costmodel import cost_model
from corridor.uncertainty.propagate import prepare, rebuilt_headlines, verify
from corridor.uncertainty.sampling import unit_draws

from .conftest import write_ranges

FAMILIES = ("china", "trans_caspian")
NO_GE = (("avoid Georgia", ("GE",)),)


def _bands(net: Network, rules=NO_GE, samples: int = 2048, **kw) -> UncertainComparison:
    a = Assumptions()
    return compare_bands(
        net,
        "MINE",
        "DEST",
        lambda av, fams: build_graph(net, net.commodity("ore"), a, av, fams),
        FAMILIES,
        rules,
        samples=samples,
        seed=3,
        assumption_ranges=(),
        **kw,
    )


def _stated(net: Network) -> dict[str, float]:
    cmp = corridor.compare("ore", "MINE", "DEST", network=net)
    return {r.family: r.cost_usd_per_t for r in cmp.routes}


def test_one_uniform_tariff_band_flip_and_sobol_index(tiny_copy: Path):
    write_ranges(tiny_copy, [["links", "L6", "tariff_usd_per_t", "20", "100"]])
    net = load_network(tiny_copy)
    cost = _stated(net)
    tc0, cn = cost["trans_caspian"], cost["china"]  # 138.99 and 168.39
    u = _bands(net, rules=(("avoid China", ("CN",)),))
    band = u.bands["cost:trans_caspian"]
    # TC = tc0 + (t − 40), t ~ U(20, 100): P5 at t = 24, P95 at t = 96
    assert band.p5 == pytest.approx(tc0 - 40 + 24, abs=0.3)
    assert band.p50 == pytest.approx(tc0 - 40 + 60, abs=0.3)
    assert band.p95 == pytest.approx(tc0 - 40 + 96, abs=0.3)
    assert u.bands["cost:china"].p5 == u.bands["cost:china"].p95 == pytest.approx(cn)
    # Trans-Caspian stays cheaper while t < 40 + (cn − tc0)
    flip = (40 + (cn - tc0) - 20) / 80
    assert u.probabilities["Trans-Caspian cheaper than China"] == pytest.approx(flip, abs=0.005)
    # premium of avoiding China = max(0, t − 40 − (cn − tc0)): P95 at t = 96
    prem = u.bands["premium:avoid China"]
    assert prem.p50 == 0.0
    assert prem.p95 == pytest.approx(96 - 40 - (cn - tc0), abs=0.3)
    assert u.probabilities["premium of avoid China > USD 0/t"] == pytest.approx(1 - flip, abs=0.005)
    (d,) = u.drivers
    assert d.factor == "links/L6/tariff_usd_per_t"
    assert d.s1 == pytest.approx(1.0, abs=0.03)
    assert d.st == pytest.approx(1.0, abs=0.03)
    assert d.narrowing == pytest.approx(1.0)  # pinned, nothing is left to vary
    assert (d.at_low, d.at_high) == pytest.approx((0.0, 100 - 40 - (cn - tc0)))


def test_two_independent_tariffs_split_the_variance_as_theory_says(tiny_copy: Path):
    # premium of avoiding Georgia = C_CN − C_TC, additive in the China tariffs:
    # L4 fixed tariff U(5, 25) adds U(−10, 10); L3 0.025..0.035 USD/t-km × 3000 km adds
    # U(−15, 15); the premium stays positive, so S_i = var_i / (var_1 + var_2)
    write_ranges(
        tiny_copy,
        [
            ["links", "L4", "tariff_usd_per_t", "5", "25"],
            ["links", "L3", "tariff_usd_per_tkm", "0.025", "0.035"],
        ],
    )
    u = _bands(load_network(tiny_copy), samples=4096)
    s = {d.factor: d for d in u.drivers}
    var4, var3 = 20.0**2 / 12, 30.0**2 / 12
    assert s["links/L4/tariff_usd_per_t"].s1 == pytest.approx(var4 / (var3 + var4), abs=0.03)
    assert s["links/L3/tariff_usd_per_tkm"].s1 == pytest.approx(var3 / (var3 + var4), abs=0.03)
    assert sum(d.s1 for d in u.drivers) == pytest.approx(1.0, abs=0.03)
    for d in u.drivers:
        assert d.st == pytest.approx(d.s1, abs=0.03)  # no interactions in a sum
    assert u.drivers[0].factor == "links/L3/tariff_usd_per_tkm"
    assert u.improve_first[0].factor == "links/L3/tariff_usd_per_tkm"


def test_figures_of_one_factor_move_together(tiny_copy: Path):
    # both sea tariffs rest on one assumption: drawn at one quantile, C_CN − C_TC moves by
    # (t4 − 15) − (t6 − 40) = −10 + 20u − (−20 + 40u) = 10 − 20u, a band of width 18 (P5..P95)
    write_ranges(
        tiny_copy,
        [
            ["links", "L4", "tariff_usd_per_t", "5", "25", "uniform", "sea"],
            ["links", "L6", "tariff_usd_per_t", "20", "60", "uniform", "sea"],
        ],
    )
    u = _bands(load_network(tiny_copy))
    prem = u.bands["premium:avoid Georgia"]
    assert prem.p95 - prem.p5 == pytest.approx(18.0, abs=0.2)
    assert u.factors == 1 and u.figures == 2


def test_cost_terms_reproduce_every_candidate_route(tiny):
    a = Assumptions(carbon_price_usd_per_t=80.0)
    p = prepare(
        tiny,
        "MINE",
        "DEST",
        lambda av, fams: build_graph(tiny, tiny.commodity("uoc"), a, av, fams),
        FAMILIES,
        NO_GE,
        penalise={"CN": 25.0},
        assumptions=a,
    )
    model = cost_model(tiny, a, p.routes)
    got = model.costs(model.base[None, :])[0]
    assert got == pytest.approx([r.cost_usd_per_t for r in p.routes], rel=1e-12)


def test_fast_draws_agree_with_a_full_rebuild_on_the_bundled_network():
    net = load_network()
    a = Assumptions(carbon_price_usd_per_t=50.0)
    p = prepare(
        net,
        "KZ_ZHANA_KZ",
        "JP_YOKOHAMA",
        lambda av, fams: commodity_graph(net, "rare_earth_concentrate", a, av, fams),
        ("china", "trans_caspian"),
        (("avoid China", ("CN",)),),
        penalise={"RU": 40.0},
        assumptions=a,
    )
    x = p.draws(unit_draws(4, len(p.factors), seed=5))
    fast = p.headlines(x)
    slow = rebuilt_headlines(p, {k: float(x[0, i]) for i, k in enumerate(p.model.keys, 1)})
    for key, value in slow.items():
        assert fast[key][0] == pytest.approx(value, abs=1e-6), key
    assert verify(p, x, range(1, 4)) < 1e-6


def test_bad_sample_counts_and_seeds_are_refused(tiny):
    with pytest.raises(InvalidParameterError, match="uncertainty must be a whole number of draws"):
        _bands(tiny, samples=0)
    with pytest.raises(InvalidParameterError, match="seed must be a non-negative whole number"):
        compare_bands(
            tiny,
            "MINE",
            "DEST",
            lambda av, f: build_graph(tiny, tiny.commodity("ore"), Assumptions(), av, f),
            FAMILIES,
            NO_GE,
            samples=10,
            seed=-1,
        )


def test_same_seed_same_bands_and_draws_stay_in_their_ranges(tiny_copy: Path):
    write_ranges(tiny_copy, [["links", "L6", "tariff_usd_per_t", "20", "100", "triangular"]])
    net = load_network(tiny_copy)
    one, two = _bands(net, samples=300), _bands(net, samples=300)
    assert one.to_dict() == two.to_dict()
    u = unit_draws(300, 1, seed=1)
    assert u.shape == (300, 1) and np.all((u >= 0) & (u < 1))
