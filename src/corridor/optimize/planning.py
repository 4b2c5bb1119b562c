"""Volume planning: split contract volumes over routes at least cost, under capacities and rules.

The model is a path-based multi-commodity linear program solved in HiGHS.

Candidates
    For every contract and every origin–destination pair of it: the ``k`` cheapest distinct
    routes (:func:`corridor.routing.k_best`), the cheapest route of each route family, and
    the cheapest route under each combination (up to three at a time) of the exposures that
    share rules name — all under the contract's own avoid clause. **The LP optimises over
    these candidates**, not over every path of the network.

Column generation
    After each solve, the duals price every route: a route's reduced cost is its cost plus
    the shadow prices of the capacities it uses and the duals of the share rules it enters,
    minus its contract's marginal cost. One cheapest-path search per contract on link costs
    raised by those prices finds the route of least reduced cost; if it is negative, the
    route joins the candidates and the LP is solved again (at most ``max_rounds`` times).
    With capacity and maximum-share rules only, the search is exact, so a plan whose
    generation converged is optimal over **every** route of the network (the benchmark
    checks this against the arc-based LP). Family and minimum-share rules are priced
    through each family's cheapest route only; the notes say which case applies.

Variables
    Tonnes per year on each candidate route of each contract, and the shortfall of each
    contract.

Constraints
    Each contract's routes plus its shortfall carry its volume. Each capacity (a link or a
    group of links, see :mod:`corridor.optimize.capacity`) carries at most its figure, summed over
    every contract and commodity whose routes use it: a rail section carries all cargo that
    crosses it, an oil pipeline only the crude whose routes run through it. Share rules:
    the tonnes whose routes cross an exposure in transit (or belong to a family) are at
    most (at least) the given share of the tonnes shipped in the rule's scope — each
    contract, the whole portfolio, or one contract.

Objective
    Route cost (USD/t, with any carbon price of the assumptions) plus a risk penalty (USD/t
    per expected disrupted day per year of the route) times tonnes, plus a high penalty per
    tonne not delivered. The penalty makes an impossible plan still solve: the shortfall of
    each contract is reported with the capacities and rules that cause it.

Shadow prices
    ``shadow_price_usd_per_t`` of a capacity is the cost saved per year by one more tonne per
    year of it (minus the HiGHS row dual), positive when the capacity binds. When a contract
    falls short, the prices of the capacities that stop it include the shortfall penalty.
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import ParamSpec

from corridor._gc import paused_gc
from corridor.contracts.io import check_portfolio
from corridor.contracts.model import Contract, Portfolio, Rule
from corridor.costs import Assumptions
from corridor.errors import RequestError
from corridor.network.model import Network
from corridor.optimize._model import PlanProgram, _Clock, all_candidates
from corridor.optimize._pricing import _Pricing, _Problem, _rule_costs, _solve
from corridor.optimize._readout import _Extras, _result
from corridor.optimize.lp import LpSolution
from corridor.optimize.plan_result import (
    MAX_ROUNDS,
    PlanResult,
)
from corridor.routing.kbest import MAX_K

P = ParamSpec("P")


def plan_and_program(
    contracts: Portfolio | Sequence[Contract] | str | Path,
    *,
    rules: Iterable[Rule] = (),
    assumptions: Assumptions | None = None,
    network: Network,
    k: int = 12,
    carbon_price: float | None = None,
    risk_penalty: float = 0.0,
    shortfall_penalty: float | None = None,
    max_rounds: int = MAX_ROUNDS,
) -> tuple[PlanResult, PlanProgram]:
    """The least-cost split of contract volumes over routes, under capacities and rules.

    The LP optimises over candidate routes: per contract and origin–destination pair, the
    ``k`` cheapest distinct routes, the cheapest route of each family and the cheapest route
    avoiding each combination of the exposures that rules name, plus the routes column
    generation adds (see the module docstring for the full model).

    Parameters
    ----------
    contracts : Portfolio, sequence of Contract, or path
        The contracts (a path is read with :func:`corridor.contracts.load_contracts`).
    rules : iterable of Rule
        Share rules added to the portfolio's own (e.g. from the command line).
    assumptions : Assumptions, optional
        Cost assumptions (default :class:`~corridor.costs.Assumptions`).
    network : Network, optional
        Default: the bundled network.
    k : int
        Distinct cheapest routes per origin–destination pair (1–50).
    carbon_price : float, optional
        USD per t CO2e; overrides the assumptions' carbon price when given.
    risk_penalty : float
        USD per tonne per expected disrupted day per year of a route (default 0).
    shortfall_penalty : float, optional
        USD per tonne not delivered; default ten times the dearest candidate route plus
        1,000, so every tonne that can be delivered is.
    max_rounds : int
        Rounds of column generation (0: the first candidates only).

    Returns
    -------
    PlanResult, PlanProgram
        The plan, and its final LP kept loaded to be re-solved with other route costs and
        capacity figures (the bands of ``plan --uncertainty``); :func:`plan` returns the
        plan alone.

    Raises
    ------
    RequestError
        Invalid contracts or rules (:class:`~corridor.contracts.ContractError`, every
        problem listed) or parameters. A plan that cannot deliver every tonne is not an
        error: its shortfalls say by how much and why.
    """
    result, program, _, _ = _plan(
        contracts,
        rules,
        assumptions,
        network,
        k,
        carbon_price,
        risk_penalty,
        shortfall_penalty,
        max_rounds,
    )
    return result, program


@paused_gc()  # on 100,000 links collections took 3 of 34 s CPU (candidates 10.7 -> 6.3 s)
def _plan(
    contracts: Portfolio | Sequence[Contract] | str | Path,
    rules: Iterable[Rule],
    assumptions: Assumptions | None,
    net: Network,
    k: int,
    carbon_price: float | None,
    risk_penalty: float,
    shortfall_penalty: float | None,
    max_rounds: int,
    gap: float = 0.0,
) -> tuple[PlanResult, PlanProgram, _Pricing, LpSolution]:
    """:func:`plan_and_program`, with how column generation ended and the final solution
    (for the benchmark); ``gap`` > 0 stops generation once the proven relative gap is at
    most ``gap`` (see :func:`~corridor.optimize._pricing._solve`). Cyclic garbage collection
    is paused meanwhile (:func:`corridor._gc.paused_gc`)."""
    a = _assumptions(assumptions, carbon_price, k, max_rounds, risk_penalty, shortfall_penalty)
    portfolio = _portfolio(contracts, rules, net)
    all_rules = (*portfolio.rules, *(r for c in portfolio.contracts for r in c.clauses))
    clock = _Clock()
    cands, reasons = all_candidates(portfolio.contracts, all_rules, net, a, k, risk_penalty)
    clock.lap("candidates")
    dearest = max((x.cost_usd_per_t for xs in cands.values() for x in xs), default=0.0)
    penalty = shortfall_penalty if shortfall_penalty is not None else 10 * dearest + 1000
    model, solution, pricing = _solve(
        _Problem(portfolio, all_rules, net, a, penalty, risk_penalty), cands, max_rounds, clock, gap
    )
    relaxed = _rule_costs(model, solution)
    clock.lap("rule_costs")
    settings = {
        "k": k,
        "carbon_price_usd_per_t": a.carbon_price_usd_per_t,
        "risk_penalty_usd_per_t_per_day": risk_penalty,
        "shortfall_penalty_usd_per_t": penalty,
        "max_rounds": max_rounds,
        "assumptions": vars(a),
    }
    result = _result(
        model,
        solution,
        _Extras(portfolio, tuple(all_rules), settings, reasons, relaxed, pricing),
        clock.laps,
        net,
    )
    return result, PlanProgram(model, a), pricing, solution


def _plan_only(
    f: Callable[P, tuple[PlanResult, PlanProgram]],
) -> Callable[P, PlanResult]:
    @functools.wraps(f)
    def plan(*args: P.args, **kwargs: P.kwargs) -> PlanResult:
        return f(*args, **kwargs)[0]

    plan.__doc__ = (f.__doc__ or "").replace("PlanResult, PlanProgram", "PlanResult", 1)
    plan.__name__ = plan.__qualname__ = "plan"
    sig = inspect.signature(f).replace(return_annotation="PlanResult")
    plan.__signature__ = sig  # type: ignore[attr-defined]
    return plan


plan = _plan_only(plan_and_program)
"""The least-cost split of contract volumes over routes (:func:`plan_and_program`, the
plan alone)."""


def _assumptions(
    a: Assumptions | None,
    carbon_price: float | None,
    k: int,
    max_rounds: int,
    risk_penalty: float,
    shortfall_penalty: float | None,
) -> Assumptions:
    if not 1 <= k <= MAX_K:
        raise RequestError(f"k must be between 1 and {MAX_K}, not {k}")
    if max_rounds < 0:
        raise RequestError(f"max_rounds must be 0 or more, not {max_rounds}")
    for name, value in (
        ("risk penalty", risk_penalty),
        ("carbon price", carbon_price or 0.0),
        ("shortfall penalty", 1.0 if shortfall_penalty is None else shortfall_penalty),
    ):
        if not (math.isfinite(value) and value >= 0):
            raise RequestError(f"the {name} must be a non-negative number, not {value}")
    a = a or Assumptions()
    return a if carbon_price is None else replace(a, carbon_price_usd_per_t=carbon_price)


def _portfolio(
    contracts: Portfolio | Sequence[Contract] | str | Path, rules: Iterable[Rule], net: Network
) -> Portfolio:
    from corridor.contracts.io import load_contracts

    if isinstance(contracts, str | Path):
        portfolio = load_contracts(contracts, net)
    elif isinstance(contracts, Portfolio):
        portfolio = contracts
    else:
        portfolio = Portfolio(tuple(contracts))
    portfolio = replace(portfolio, rules=(*portfolio.rules, *rules))
    if not portfolio.contracts:
        raise RequestError("there are no contracts to plan")
    check_portfolio(portfolio, net)
    return portfolio


# --------------------------------------------------------------------------- candidates
