"""Column generation on a kept LP: the gap its Lagrangian bound proves, and the answer it
reaches, against hand calculations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from corridor.costs import Assumptions, insurance_usd_per_t
from corridor.graph import commodity_graph
from corridor.optimize import _model, _pricing, planning
from corridor.optimize._dijkstra import first_target
from corridor.optimize.plan_result import MAX_ROUNDS
from corridor.routing._index import search_index
from corridor.routing.kbest import k_best
from tests.optimize.test_planning import ore, three_routes

PENALTY = 1_000.0


def generate(net, volume: float, max_rounds: int, gap: float = 0.0):
    portfolio = planning._portfolio([ore(volume)], (), net)
    a = Assumptions()
    cands = {c.id: _model._candidates(c, (), net, a, 1, 0.0)[0] for c in portfolio.contracts}
    problem = _pricing._Problem(portfolio, (), net, a, PENALTY, 0.0)
    return _pricing._solve(problem, cands, max_rounds, _model._Clock(), gap)


def test_the_first_bound_is_the_hand_lagrangian_bound():
    # Round 0 holds the USD 100 route only: 400 t on it, 600 t short at USD 1,000.
    # Duals: volume 1,000 (the shortfall is basic), the OX1 row 100 + i - 1,000; the
    # USD 120 route then has reduced cost 120 + i - 1,000 (i: the cargo insurance, USD/t,
    # 0 for this ore), so the bound is z + 1,000 * (120 + i - 1,000).
    net = three_routes()
    i = insurance_usd_per_t(net.commodity("ore"), Assumptions())
    _, sol, pricing = generate(net, 1000, MAX_ROUNDS)
    z0 = 400 * (100 + i) + 600 * PENALTY
    lower = z0 + 1000 * (120 + i - PENALTY)
    assert pricing.gaps[0] == pytest.approx((z0 - lower) / z0)
    # the optimum: 400 t at 100, 400 t at 120, 200 t at 150; nothing short, gap closed
    assert sol.objective == pytest.approx(400 * 100 + 400 * 120 + 200 * 150 + 1000 * i)
    assert lower <= sol.objective
    assert pricing.converged and pricing.exact and pricing.gap == pytest.approx(0, abs=1e-12)


def test_a_gap_target_stops_generation_early_and_states_the_gap():
    net = three_routes()
    exact = generate(net, 1000, MAX_ROUNDS)
    loose = generate(net, 1000, MAX_ROUNDS, gap=10.0)  # any first bound is within 1,000 %
    assert loose[2].added == 0 and loose[2].converged
    assert loose[2].gap == pytest.approx(loose[2].gaps[0]) and loose[2].gap > 0
    assert loose[1].objective > exact[1].objective


def test_stopping_at_max_rounds_is_not_convergence():
    _, _, pricing = generate(three_routes(), 1000, 0)
    assert not pricing.converged and pricing.gap is None and pricing.gaps == ()


def test_the_search_tables_are_released_after_the_candidates_and_built_again(monkeypatch):
    # Pricing keeps the costs to go; a later search builds the steps again, same routes.
    # (Released as on a graph of more edges than TABLES_KEPT_MAX_EDGES.)
    monkeypatch.setattr(_model, "TABLES_KEPT_MAX_EDGES", 0)
    net, a = three_routes(), Assumptions()
    i = insurance_usd_per_t(net.commodity("ore"), a)
    g = commodity_graph(net, "ore", a)
    cands, _ = _model.all_candidates([ore(10, "a"), ore(20, "b")], (), net, a, 3, 0.0)
    expected = [100 + i, 120 + i, 150 + i]
    for c in ("a", "b"):
        assert [x.cost_usd_per_t for x in cands[c]] == pytest.approx(expected)
    assert search_index(g).steps is None and search_index(g).step_pieces == {}
    assert set(search_index(g).cost_to_go) == {"D"}
    shared = [k for k in net.derived._values if isinstance(k, tuple) and k[0] == "kbest-steps"]
    assert shared == []
    assert [r.cost_usd_per_t for r in k_best(g, "O", "D", 3)] == pytest.approx(expected)
    assert search_index(g).steps is not None


def test_the_compiled_search_stops_at_the_first_target_and_below_its_limit():
    # 0 -> 1 -> 2 -> 3 costs 1 + 1 + 1; 0 -> 2 directly costs 4; vertex 4 is a dearer target
    m = csr_matrix(([1.0, 4.0, 1.0, 1.0, 9.0], ([0, 0, 1, 2, 0], [1, 2, 2, 3, 4])), shape=(5, 5))
    targets = np.array([False, False, False, True, True])
    dist, path = first_target(m.indptr, m.indices, m.data, 0, targets, np.inf)
    assert dist == 3.0 and path.tolist() == [0, 1, 2, 3]
    dist, path = first_target(m.indptr, m.indices, m.data, 0, targets, 2.5)
    assert dist == np.inf and path.tolist() == []


def test_a_small_graph_keeps_its_search_tables_after_the_candidates():
    net, a = three_routes(), Assumptions()
    g = commodity_graph(net, "ore", a)
    assert len(g.tails) <= _model.TABLES_KEPT_MAX_EDGES
    _model.all_candidates([ore(10, "a")], (), net, a, 3, 0.0)
    steps = search_index(g).steps
    assert steps is not None and search_index(g).step_pieces
    k_best(g, "O", "D", 3)
    assert search_index(g).steps is steps  # the same tables, not built again
