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
    group of links, see :mod:`corridor.capacity`) carries at most its figure, summed over
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

import itertools
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from corridor.capacity import (
    FAMILIES,
    TOL,
    Capacity,
    HighsModel,
    LinearProgram,
    LpSolution,
    capacities,
    draws_on,
)
from corridor.contracts import EACH, PORTFOLIO, Contract, Portfolio, Rule, check_portfolio
from corridor.costs import Assumptions
from corridor.errors import RequestError
from corridor.graph import CommodityGraph, Edge
from corridor.network import Network
from corridor.results import Route
from corridor.routing import k_best, make_route

SCHEMA_VERSION = 1
MAX_K = 50
AVOID_COMBINATION = 3
"""Largest number of rule exposures avoided together when generating candidates."""
MAX_ROUNDS = 50
"""Default limit on rounds of column generation."""


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Candidate:
    """A route a contract may use, with what the LP needs to know about it."""

    contract: str
    route: Route
    cost_usd_per_t: float
    risk_usd_per_t: float
    uses: Mapping[str, int]
    """Capacity id -> how many of the route's links draw on it."""
    transit: frozenset[str]
    """Exposures crossed other than the countries of the route's own ends."""
    families: frozenset[str]


@dataclass(frozen=True)
class RouteFlow:
    """Tonnes per year of one contract on one route."""

    contract: str
    route: Route
    t_per_year: float
    cost_usd_per_t: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "contract": self.contract,
            "commodity": self.route.commodity,
            "origin": self.route.origin,
            "destination": self.route.destination,
            "route": self.route.label,
            "family": self.route.family,
            "t_per_year": round(self.t_per_year, 1),
            "cost_usd_per_t": round(self.cost_usd_per_t, 2),
            "cost_usd_per_year": round(self.cost_usd_per_t * self.t_per_year),
            "countries": list(self.route.countries),
            "chokepoints": list(self.route.chokepoints),
            "links": _links(self.route),
        }


@dataclass(frozen=True)
class Utilisation:
    """Use of one capacity by the plan, and what one more tonne of it is worth."""

    capacity: Capacity
    used_t_per_year: float
    shadow_price_usd_per_t: float

    @property
    def binding(self) -> bool:
        return self.shadow_price_usd_per_t > TOL

    def to_dict(self) -> dict[str, Any]:
        cap = self.capacity.capacity_t_per_year
        return {
            "id": self.capacity.id,
            "kind": self.capacity.kind,
            "name": self.capacity.name,
            "capacity_t_per_year": round(cap, 1),
            "total_t_per_year": round(self.capacity.total, 1),
            "used_by_others_t_per_year": None
            if self.capacity.used_t_per_year is None
            else round(self.capacity.used_t_per_year, 1),
            "year": self.capacity.year,
            "used_t_per_year": round(self.used_t_per_year, 1),
            "utilisation": round(self.used_t_per_year / cap, 4) if cap > 0 else None,
            "shadow_price_usd_per_t": round(self.shadow_price_usd_per_t, 2),
            "binding": self.binding,
            "links": list(self.capacity.links),
            "sources": list(self.capacity.sources),
            "note": self.capacity.note,
        }


@dataclass(frozen=True)
class Binding:
    """A constraint that binds, with its dual in plain units.

    ``shadow_price`` is USD per year saved per extra tonne per year (capacities) or per
    percentage point the share bound is relaxed (rules).
    """

    kind: str
    id: str
    description: str
    shadow_price: float
    unit: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "description": self.description,
            "shadow_price": round(self.shadow_price, 2),
            "unit": self.unit,
        }


@dataclass(frozen=True)
class Shortfall:
    """A contract the plan cannot fully deliver, and why."""

    contract: str
    volume_t_per_year: float
    short_t_per_year: float
    causes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "contract": self.contract,
            "volume_t_per_year": round(self.volume_t_per_year, 1),
            "delivered_t_per_year": round(self.volume_t_per_year - self.short_t_per_year, 1),
            "short_t_per_year": round(self.short_t_per_year, 1),
            "causes": list(self.causes),
        }


@dataclass(frozen=True)
class RuleCost:
    """The plan with and without one rule (everything else unchanged)."""

    rule: Rule
    cost_with_usd_per_year: float
    cost_without_usd_per_year: float
    short_with_t_per_year: float
    short_without_t_per_year: float

    @property
    def cost_usd_per_year(self) -> float:
        """Shipping cost the rule adds (negative if dropping it costs more, e.g. by
        delivering tonnes it held back)."""
        return self.cost_with_usd_per_year - self.cost_without_usd_per_year

    @property
    def short_t_per_year(self) -> float:
        """Tonnes per year the rule leaves undelivered."""
        return self.short_with_t_per_year - self.short_without_t_per_year

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule.name,
            "cost_usd_per_year": round(self.cost_usd_per_year),
            "cost_with_usd_per_year": round(self.cost_with_usd_per_year),
            "cost_without_usd_per_year": round(self.cost_without_usd_per_year),
            "short_t_per_year": round(self.short_t_per_year, 1),
        }


@dataclass(frozen=True)
class PlanResult:
    """The least-cost plan: flows, costs, capacity use, binding constraints, shortfalls.

    ``to_dict`` is the JSON contract of ``corridor plan --format json``
    (``docs/plan-json.md``).
    """

    portfolio: Portfolio
    rules: tuple[Rule, ...]
    settings: Mapping[str, Any]
    flows: tuple[RouteFlow, ...]
    link_flows: Mapping[str, Mapping[str, float]]
    """Link id -> commodity -> tonnes per year."""
    utilisation: tuple[Utilisation, ...]
    bindings: tuple[Binding, ...]
    shortfalls: tuple[Shortfall, ...]
    rule_costs: tuple[RuleCost, ...]
    cost_breakdown: Mapping[str, float]
    """Component -> USD per year (freight, handling, ..., risk_penalty)."""
    candidates: int
    timings: Mapping[str, float]
    """Seconds spent finding candidates, building the LP, solving it, re-solving per rule."""
    notes: tuple[str, ...]
    data_version: str
    network: Network = field(repr=False, compare=False)
    kind: str = "plan"

    @property
    def total_cost_usd_per_year(self) -> float:
        """Cost of the tonnes delivered (the shortfall penalty is not a cost)."""
        return sum(f.cost_usd_per_t * f.t_per_year for f in self.flows)

    @property
    def shortfall_t_per_year(self) -> float:
        return sum(s.short_t_per_year for s in self.shortfalls)

    @property
    def parameters(self) -> dict[str, Any]:
        return {"contracts": self.portfolio.to_dict(), **self.settings}

    def headline(self) -> dict[str, float | None]:
        volume = sum(c.volume_t_per_year for c in self.portfolio.contracts)
        return {
            "total_cost_usd_per_year": self.total_cost_usd_per_year,
            "volume_t_per_year": volume,
            "delivered_t_per_year": volume - self.shortfall_t_per_year,
            "shortfall_t_per_year": self.shortfall_t_per_year,
            "binding_capacities": float(sum(u.binding for u in self.utilisation)),
        }

    def contract_rows(self) -> list[dict[str, Any]]:
        """One summary row per contract."""
        short = {s.contract: s.short_t_per_year for s in self.shortfalls}
        rows = []
        for c in self.portfolio.contracts:
            flows = [f for f in self.flows if f.contract == c.id]
            cost = sum(f.cost_usd_per_t * f.t_per_year for f in flows)
            shipped = sum(f.t_per_year for f in flows)
            rows.append(
                {
                    "contract": c.id,
                    "commodity": c.commodity,
                    "volume_t_per_year": c.volume_t_per_year,
                    "delivered_t_per_year": round(shipped, 1),
                    "short_t_per_year": round(short.get(c.id, 0.0), 1),
                    "cost_usd_per_year": round(cost),
                    "mean_cost_usd_per_t": round(cost / shipped, 2) if shipped else None,
                    "routes_used": len(flows),
                    "illustrative": c.illustrative,
                }
            )
        return rows

    def to_dict(self) -> dict[str, Any]:
        head = self.headline()
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": self.kind,
            "parameters": self.parameters,
            "summary": {
                "total_cost_usd_per_year": round(self.total_cost_usd_per_year),
                "volume_t_per_year": head["volume_t_per_year"],
                "delivered_t_per_year": round(head["delivered_t_per_year"] or 0.0, 1),
                "shortfall_t_per_year": round(self.shortfall_t_per_year, 1),
                "candidate_routes": self.candidates,
                "seconds": {k: round(v, 4) for k, v in self.timings.items()},
            },
            "contracts": self.contract_rows(),
            "flows": [f.to_dict() for f in self.flows],
            "link_flows": [
                {
                    "link": link,
                    "t_per_year": round(sum(by.values()), 1),
                    "by_commodity": {k: round(v, 1) for k, v in by.items()},
                }
                for link, by in self.link_flows.items()
            ],
            "utilisation": [u.to_dict() for u in self.utilisation],
            "binding_constraints": [b.to_dict() for b in self.bindings],
            "shortfalls": [s.to_dict() for s in self.shortfalls],
            "rule_costs": [r.to_dict() for r in self.rule_costs],
            "cost_breakdown_usd_per_year": {
                k: round(v) for k, v in self.cost_breakdown.items() if round(v)
            },
            "notes": list(self.notes),
            "data_version": self.data_version,
        }

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        """Rows of the result tables kept by the run store."""
        return {
            "route_flows": [
                {
                    "contract": f.contract,
                    "commodity": f.route.commodity,
                    "origin": f.route.origin,
                    "destination": f.route.destination,
                    "route": f.route.label,
                    "family": f.route.family,
                    "t_per_year": f.t_per_year,
                    "cost_usd_per_t": f.cost_usd_per_t,
                }
                for f in self.flows
            ],
            "link_flows": [
                {"link": link, "commodity": c, "t_per_year": t}
                for link, by in self.link_flows.items()
                for c, t in by.items()
            ],
            "utilisation": [
                {
                    "capacity": u.capacity.id,
                    "name": u.capacity.name,
                    "capacity_t_per_year": u.capacity.capacity_t_per_year,
                    "used_t_per_year": u.used_t_per_year,
                    "shadow_price": u.shadow_price_usd_per_t,
                    "shadow_unit": "USD/yr per t/yr",
                }
                for u in self.utilisation
            ],
            "shortfalls": [
                {
                    "contract": s.contract,
                    "volume_t_per_year": s.volume_t_per_year,
                    "short_t_per_year": s.short_t_per_year,
                    "causes": "; ".join(s.causes),
                }
                for s in self.shortfalls
            ],
        }


def _links(route: Route) -> list[str]:
    return [leg.link for leg in route.legs if leg.kind == "link" and leg.link]


# --------------------------------------------------------------------------- plan


def plan(
    contracts: Portfolio | Sequence[Contract] | str | Path,
    *,
    rules: Iterable[Rule] = (),
    assumptions: Assumptions | None = None,
    network: Network | None = None,
    k: int = 12,
    carbon_price: float | None = None,
    risk_penalty: float = 0.0,
    shortfall_penalty: float | None = None,
    max_rounds: int = MAX_ROUNDS,
) -> PlanResult:
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
    PlanResult

    Raises
    ------
    RequestError
        Invalid contracts or rules (:class:`~corridor.contracts.ContractError`, every
        problem listed) or parameters. A plan that cannot deliver every tonne is not an
        error: its shortfalls say by how much and why.
    """
    from corridor.api import default_network
    from corridor.store import data_version

    net = network or default_network()
    a = _assumptions(assumptions, carbon_price, k, max_rounds, risk_penalty, shortfall_penalty)
    portfolio = _portfolio(contracts, rules, net)
    all_rules = (*portfolio.rules, *(r for c in portfolio.contracts for r in c.clauses))
    clock = _Clock()
    cands, reasons = {}, {}
    for c in portfolio.contracts:
        cands[c.id], reasons[c.id] = _candidates(c, all_rules, net, a, k, risk_penalty)
    clock.lap("candidates")
    dearest = max((x.cost_usd_per_t for xs in cands.values() for x in xs), default=0.0)
    penalty = shortfall_penalty if shortfall_penalty is not None else 10 * dearest + 1000
    model, solution, pricing = _solve(
        _Problem(portfolio, all_rules, net, a, penalty, risk_penalty), cands, max_rounds, clock
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
    return _result(
        model,
        solution,
        _Extras(portfolio, tuple(all_rules), settings, reasons, relaxed, pricing),
        clock.laps,
        data_version(net),
        net,
    )


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
    from corridor.contracts import load_contracts

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


def _candidates(
    c: Contract,
    rules: Sequence[Rule],
    net: Network,
    a: Assumptions,
    k: int,
    risk_penalty: float,
) -> tuple[list[Candidate], tuple[str, ...]]:
    """Candidate routes of one contract, and why an origin–destination pair has none."""
    from corridor.api import explain_no_route

    a = _contract_assumptions(a, c)
    named = sorted(
        {
            r.target
            for r in rules
            if r.on == "exposure" and r.max_share is not None and r.scope in (EACH, PORTFOLIO, c.id)
        }
        - set(c.avoid)
    )
    routes: dict[tuple[str, str, tuple[tuple[str, str], ...]], Route] = {}
    reasons: list[str] = []
    for o, d in itertools.product(c.origins, c.destinations):
        found = _pair_routes(net, c, o, d, a, k, named)
        if not found:
            reasons.append(explain_no_route(net, c.commodity, o, d, c.avoid, a))
        for route in found:
            routes.setdefault((o, d, route.signature), route)
    out = [_candidate(c.id, r, net, risk_penalty) for r in routes.values()]
    return out, tuple(reasons)


def _contract_assumptions(a: Assumptions, c: Contract) -> Assumptions:
    """The plan's assumptions with the contract's rail service class, if it names one."""
    return replace(a, service=c.service) if c.service else a


def _pair_routes(
    net: Network,
    c: Contract,
    origin: str,
    destination: str,
    a: Assumptions,
    k: int,
    named: Sequence[str],
) -> list[Route]:
    """k best, cheapest per family, cheapest avoiding each combination of ``named``."""
    from corridor.api import _graph

    def best(n: int, avoid: Iterable[str] = (), families: Iterable[str] = ()) -> list[Route]:
        av = tuple(sorted({*c.avoid, *avoid}))
        g = _graph(net, c.commodity, a, av, families)
        return k_best(g, origin, destination, n)

    found = best(k)
    if not found:
        return []
    for fam in _families_present(net):
        found += best(1, families=(fam,))
    for size in range(1, min(AVOID_COMBINATION, len(named)) + 1):
        for combo in itertools.combinations(named, size):
            found += best(1, avoid=combo)
    return found


def _candidate(contract: str, route: Route, net: Network, risk_penalty: float) -> Candidate:
    uses: dict[str, int] = {}
    cargo_class = net.commodity(route.commodity).cargo_class
    for leg in route.legs:
        if leg.kind != "link" or not leg.link:
            continue
        for cap in draws_on(net, cargo_class, net.link(leg.link), leg.from_):
            uses[cap] = uses.get(cap, 0) + 1
    ends = {net.node(route.origin).country, net.node(route.destination).country}
    transit = frozenset(x for x in route.countries if x not in ends) | set(route.chokepoints)
    risk = risk_penalty * route.risk.disrupted_days_per_year
    families = frozenset(route.family.split("+"))
    return Candidate(contract, route, route.cost_usd_per_t + risk, risk, uses, transit, families)


@lru_cache(maxsize=16)
def _families_present(net: Network) -> tuple[str, ...]:
    """Route families that have links in ``net`` (no point asking for the others)."""
    present = {link.family for link in net.links}
    return tuple(f for f in FAMILIES if f in present)


@dataclass
class _Clock:
    """Seconds per step, for ``PlanResult.timings``."""

    laps: dict[str, float] = field(default_factory=dict)
    last: float = field(default_factory=time.perf_counter)

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = self.laps.get(name, 0.0) + now - self.last
        self.last = now


# --------------------------------------------------------------------------- the LP


@dataclass(frozen=True)
class _RuleRow:
    rule: Rule
    contracts: tuple[str, ...]
    bound: str
    """'max' or 'min'."""

    @property
    def description(self) -> str:
        where = f" — contract {self.contracts[0]}" if self.rule.scope == EACH else ""
        return self.rule.name + where


@dataclass
class _Model:
    """The LP, with what each column and row stands for.

    Columns: the candidates, then one shortfall per contract. Rows: one volume per
    contract, one per capacity the candidates use, then the share-rule rows.
    """

    portfolio: Portfolio
    candidates: list[Candidate]
    penalty: float
    caps: list[Capacity]
    rule_rows: list[_RuleRow]
    highs: HighsModel = field(init=False)

    @property
    def n_contracts(self) -> int:
        return len(self.portfolio.contracts)

    @property
    def cap_row0(self) -> int:
        return self.n_contracts

    @property
    def rule_row0(self) -> int:
        return self.n_contracts + len(self.caps)

    @classmethod
    def build(
        cls,
        portfolio: Portfolio,
        rules: Sequence[Rule],
        cands: Mapping[str, list[Candidate]],
        all_caps: Mapping[str, Capacity],
        penalty: float,
    ) -> _Model:
        flat = [x for c in portfolio.contracts for x in cands[c.id]]
        caps = [all_caps[i] for i in sorted({i for x in flat for i in x.uses})]
        model = cls(portfolio, flat, penalty, caps, _rule_rows(portfolio, rules))
        trip = _Triplets()
        for j, x in enumerate(flat):
            for row, value in model.column(x):
                trip.add(row, j, value)
        for i in range(model.n_contracts):
            trip.add(i, len(flat) + i, 1.0)
        volumes = [(c.volume_t_per_year, c.volume_t_per_year) for c in portfolio.contracts]
        bounds = volumes + [(-np.inf, cap.capacity_t_per_year) for cap in caps]
        bounds += [(-np.inf, 0.0) if r.bound == "max" else (0.0, np.inf) for r in model.rule_rows]
        cost = [x.cost_usd_per_t for x in flat] + [penalty] * model.n_contracts
        lp = LinearProgram.from_triplets(cost, trip.rows, trip.cols, trip.vals, bounds)
        model.highs = HighsModel(lp)
        return model

    @cached_property
    def _rows(self) -> tuple[dict[str, int], dict[str, int]]:
        contracts = {c.id: i for i, c in enumerate(self.portfolio.contracts)}
        caps = {cap.id: self.cap_row0 + i for i, cap in enumerate(self.caps)}
        return contracts, caps

    def column(self, x: Candidate) -> list[tuple[int, float]]:
        """The rows a candidate's tonnes enter, with their coefficients.

        A share bound s on a rule row: tonnes through the target count 1 - s, other
        tonnes -s (so the row reads: through - s * all <= 0 for a maximum, >= 0 for a
        minimum). A capacity it does not hold a row for yet (unused so far) is skipped.
        """
        contracts, caps = self._rows
        out = [(contracts[x.contract], 1.0)]
        out += [(caps[c], float(n)) for c, n in x.uses.items() if c in caps]
        for i, rr in enumerate(self.rule_rows, self.rule_row0):
            if x.contract in rr.contracts:
                share = rr.rule.max_share if rr.bound == "max" else rr.rule.min_share
                hit = rr.rule.target in (x.transit if rr.rule.on == "exposure" else x.families)
                coef = float(hit) - (share or 0.0)
                if coef:
                    out.append((i, coef))
        return out

    def reduced_cost(self, x: Candidate, dual: np.ndarray) -> float:
        """USD/t the objective would change by per tonne moved onto ``x`` (< 0: improves).

        Exact when every capacity ``x`` uses has a row; a capacity without a row is unused
        so far, so its price is 0 anyway.
        """
        return x.cost_usd_per_t - sum(v * float(dual[r]) for r, v in self.column(x))

    def rows_of(self, rule: Rule) -> list[int]:
        return [self.rule_row0 + i for i, rr in enumerate(self.rule_rows) if rr.rule is rule]

    def shortfall(self, sol: LpSolution) -> np.ndarray:
        return np.asarray(sol.x[len(self.candidates) :])

    def shipping_cost(self, sol: LpSolution) -> float:
        costs = np.array([x.cost_usd_per_t for x in self.candidates])
        return float(costs @ sol.x[: len(self.candidates)])


@dataclass
class _Triplets:
    rows: list[int] = field(default_factory=list)
    cols: list[int] = field(default_factory=list)
    vals: list[float] = field(default_factory=list)

    def add(self, row: int, col: int, value: float) -> None:
        self.rows.append(row)
        self.cols.append(col)
        self.vals.append(value)


def _rule_rows(portfolio: Portfolio, rules: Sequence[Rule]) -> list[_RuleRow]:
    ids = tuple(c.id for c in portfolio.contracts)
    out = []
    for rule in rules:
        if rule.scope == EACH:
            scopes: list[tuple[str, ...]] = [(i,) for i in ids]
        elif rule.scope == PORTFOLIO:
            scopes = [ids]
        else:
            scopes = [(rule.scope,)]
        bounds = [b for b, v in (("max", rule.max_share), ("min", rule.min_share)) if v is not None]
        out += [_RuleRow(rule, s, b) for s in scopes for b in bounds]
    return out


@dataclass(frozen=True)
class _Problem:
    """What stays fixed while columns are generated."""

    portfolio: Portfolio
    rules: tuple[Rule, ...]
    net: Network
    assumptions: Assumptions
    penalty: float
    risk_penalty: float


@dataclass(frozen=True)
class _Pricing:
    """How column generation ended."""

    rounds: int
    added: int
    converged: bool
    exact: bool
    """Pricing is exact without family and minimum-share rules (see :func:`_price`)."""

    def note(self, candidates: int) -> str:
        if self.added:
            head = (
                f"column generation added {self.added} route(s) in {self.rounds} round(s) "
                f"({candidates} candidate routes in all)"
            )
        else:
            head = f"no route outside the {candidates} candidate routes would lower the cost"
        if not self.converged:
            return head + "; stopped at max_rounds: a route outside them might cost less"
        if self.exact:
            return head + ": the plan is optimal over every route of the network"
        return head + (
            " as priced (family and minimum-share rules are priced through each family's "
            "cheapest route only): the plan is optimal over its candidates"
        )


def _solve(
    problem: _Problem, cands: dict[str, list[Candidate]], max_rounds: int, clock: _Clock
) -> tuple[_Model, LpSolution, _Pricing]:
    """Solve over the candidates; add routes priced by the duals until none improves."""
    caps = capacities(problem.net)
    exact = not any(r.on == "family" or r.min_share is not None for r in problem.rules)
    added = 0
    for rounds in itertools.count():
        model = _Model.build(problem.portfolio, problem.rules, cands, caps, problem.penalty)
        clock.lap("build")
        solution = model.highs.solve()
        clock.lap("solve")
        new = _price(problem, model, solution) if rounds < max_rounds else None
        clock.lap("pricing")
        if not new:
            return model, solution, _Pricing(rounds, added, new is not None, exact)
        for x in new:
            cands[x.contract].append(x)
        added += len(new)
    raise AssertionError("unreachable")


def _price(problem: _Problem, model: _Model, sol: LpSolution) -> list[Candidate]:
    """Routes with a negative reduced cost under the current duals (column generation).

    One search per contract, origin–destination pair (and family of a family rule), on
    edge costs raised by the capacity shadow prices, with each exposure a maximum-share
    row binds charged its dual once. That finds the route of least reduced cost exactly
    when the rules are capacity and maximum-share ones; only routes whose exact reduced
    cost is negative are added.
    """
    y = sol.row_dual
    prices = {
        cap.id: -float(y[model.cap_row0 + i])
        for i, cap in enumerate(model.caps)
        if -y[model.cap_row0 + i] > TOL
    }
    known = {(x.contract, tuple(_links(x.route))) for x in model.candidates}
    out = []
    for c in problem.portfolio.contracts:
        for route in _priced_routes(problem, model, c, prices, y):
            x = _candidate(c.id, route, problem.net, problem.risk_penalty)
            key = (c.id, tuple(_links(route)))
            if key not in known and model.reduced_cost(x, y) < -TOL * max(1.0, x.cost_usd_per_t):
                known.add(key)
                out.append(x)
    return out


def _priced_routes(
    problem: _Problem, model: _Model, c: Contract, prices: Mapping[str, float], y: np.ndarray
) -> list[Route]:
    """The route of least priced cost per origin–destination pair (and family rule)."""
    from corridor.api import _graph

    penalties: dict[str, float] = {}
    families: set[str | None] = {None}
    for i, rr in enumerate(model.rule_rows, model.rule_row0):
        if c.id not in rr.contracts:
            continue
        if rr.rule.on == "family":
            families.add(rr.rule.target)
        elif rr.bound == "max" and -y[i] > TOL:
            penalties[rr.rule.target] = penalties.get(rr.rule.target, 0.0) - float(y[i])
    out = []
    for o, d in itertools.product(c.origins, c.destinations):
        ends = {problem.net.node(o).country, problem.net.node(d).country}
        pen = {e: p for e, p in penalties.items() if e not in ends}
        a = _contract_assumptions(problem.assumptions, c)
        for fam in families:
            key = (problem.net, c.commodity, a, c.avoid, (fam,) if fam else ())
            edges = _GraphArrays.of(*key).cheapest(o, d, prices, pen)
            if edges is not None:
                out.append(make_route(_graph(*key), edges, o))
    return out


@dataclass(frozen=True)
class _GraphArrays:
    """A commodity graph as arrays, for shortest paths under shadow prices."""

    graph: CommodityGraph
    tails: np.ndarray
    heads: np.ndarray
    costs: np.ndarray
    capacity: csr_matrix
    """Edges × capacities: 1 where the edge draws on the capacity (``capacity_ids`` order)."""
    capacity_ids: tuple[str, ...]
    places: np.ndarray
    """Per vertex: index of its node."""

    @staticmethod
    @lru_cache(maxsize=64)
    def of(
        net: Network,
        commodity: str,
        a: Assumptions,
        avoid: tuple[str, ...],
        families: tuple[str, ...],
    ) -> _GraphArrays:
        from corridor.api import _graph

        g = _graph(net, commodity, a, avoid, families)
        cls = g.commodity.cargo_class
        draws = [
            draws_on(net, cls, e.link, g.vertices[e.tail][0]) if e.link else () for e in g.edges
        ]
        ids = tuple(sorted({cap for d in draws for cap in d}))
        index = {cap: i for i, cap in enumerate(ids)}
        rows = [j for j, d in enumerate(draws) for _ in d]
        cols = [index[cap] for d in draws for cap in d]
        return _GraphArrays(
            g,
            np.array([e.tail for e in g.edges], dtype=np.int64),
            np.array([e.head for e in g.edges], dtype=np.int64),
            np.array([e.cost for e in g.edges], dtype=float),
            csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(g.edges), max(len(ids), 1))),
            ids,
            np.array([net.node_index[v[0]] for v in g.vertices], dtype=np.int64),
        )

    def touching(self, exposure: str) -> np.ndarray:
        bit = self.graph.exposure_bit[exposure]
        return np.array([bool(e.exposures & bit) for e in self.graph.edges], dtype=bool)

    def cheapest(
        self,
        origin: str,
        destination: str,
        prices: Mapping[str, float],
        penalties: Mapping[str, float],
    ) -> list[Edge] | None:
        """Least-cost physically simple path with capacity prices on its edges and each
        penalised exposure charged once (exactly: the best over every subset of penalised
        exposures allowed).

        Returns the path's edges, or None when there is none (a shortest path that passes
        a place twice is not a route and is skipped too).
        """
        g = self.graph
        src = g.node_vertices.get(origin, [])
        dst = g.node_vertices.get(destination, [])
        if not src or not dst:
            return None
        price = np.zeros(self.capacity.shape[1])
        price[: len(self.capacity_ids)] = [prices.get(cap, 0.0) for cap in self.capacity_ids]
        costs = self.costs + self.capacity @ price
        touch = {e: self.touching(e) for e in penalties}
        best: tuple[float, list[int]] | None = None
        for size in range(len(touch) + 1):
            for allowed_set in itertools.combinations(sorted(touch), size):
                allowed = np.ones(len(costs), dtype=bool)
                for e, hits in touch.items():
                    if e not in allowed_set:
                        allowed &= ~hits
                found = self._shortest(costs, allowed, src, dst)
                if found is not None:
                    total = found[0] + sum(penalties[e] for e in allowed_set)
                    if best is None or total < best[0]:
                        best = (total, found[1])
        return None if best is None else [g.edges[i] for i in best[1]]

    def _shortest(
        self, costs: np.ndarray, allowed: np.ndarray, src: list[int], dst: list[int]
    ) -> tuple[float, list[int]] | None:
        idx = np.nonzero(allowed)[0]
        t, h, c = self.tails[idx], self.heads[idx], costs[idx]
        order = np.lexsort((c, h, t))  # parallel edges: keep the cheapest
        t, h, c, idx = t[order], h[order], c[order], idx[order]
        keep = np.ones(len(t), dtype=bool)
        keep[1:] = (t[1:] != t[:-1]) | (h[1:] != h[:-1])
        t, h, c, idx = t[keep], h[keep], c[keep], idx[keep]
        n = len(self.places)
        # sparse zeros are not edges: lift free edges to a negligible cost
        mat = csr_matrix((np.maximum(c, 1e-12), (t, h)), shape=(n, n))
        dist, pred, _ = dijkstra(mat, indices=src, return_predecessors=True, min_only=True)
        end = min(dst, key=lambda v: dist[v])
        if not np.isfinite(dist[end]):
            return None
        path = [end]
        while pred[path[-1]] >= 0:
            path.append(int(pred[path[-1]]))
        path.reverse()
        places = [int(self.places[v]) for v in path]
        stops = [p for i, p in enumerate(places) if i == 0 or p != places[i - 1]]
        if len(set(stops)) < len(stops):
            return None
        keys = t * n + h
        at = np.searchsorted(keys, [u * n + v for u, v in itertools.pairwise(path)])
        return float(dist[end]), [int(i) for i in idx[at]]


@dataclass(frozen=True)
class _Relaxed:
    """The plan re-solved without each rule, and without all of them."""

    costs: list[RuleCost]
    short_without: Mapping[int, np.ndarray]
    """id(rule) -> shortfall per contract without that rule."""
    full_without_rules: frozenset[str]
    """Capacities that bind even with every rule dropped."""


def _rule_costs(model: _Model, base: LpSolution) -> _Relaxed:
    """Re-solve without each rule (its rows freed), then without all; restore them after."""
    out = []
    short_without: dict[int, np.ndarray] = {}
    for rule in dict.fromkeys(rr.rule for rr in model.rule_rows):
        relaxed = _without(model, model.rows_of(rule))
        short_without[id(rule)] = model.shortfall(relaxed)
        out.append(
            RuleCost(
                rule,
                model.shipping_cost(base),
                model.shipping_cost(relaxed),
                float(model.shortfall(base).sum()),
                float(model.shortfall(relaxed).sum()),
            )
        )
    free = _without(model, range(model.rule_row0, model.rule_row0 + len(model.rule_rows)))
    full = frozenset(
        cap.id for i, cap in enumerate(model.caps) if -free.row_dual[model.cap_row0 + i] > TOL
    )
    return _Relaxed(out, short_without, full)


def _without(model: _Model, rows: Iterable[int]) -> LpSolution:
    rows = list(rows)
    model.highs.set_row_bounds(rows, -np.inf, np.inf)
    try:
        return model.highs.solve()
    finally:
        model.highs.restore_row_bounds(rows)


# --------------------------------------------------------------------------- reading out


@dataclass(frozen=True)
class _Extras:
    portfolio: Portfolio
    rules: tuple[Rule, ...]
    settings: Mapping[str, Any]
    reasons: Mapping[str, tuple[str, ...]]
    relaxed: _Relaxed
    pricing: _Pricing


def _result(
    model: _Model,
    sol: LpSolution,
    extras: _Extras,
    timings: Mapping[str, float],
    version: str,
    net: Network,
) -> PlanResult:
    flows = tuple(
        RouteFlow(x.contract, x.route, float(v), x.cost_usd_per_t)
        for x, v in zip(model.candidates, sol.x, strict=False)
        if v > TOL
    )
    util = tuple(
        Utilisation(
            cap, float(sol.row_value[model.cap_row0 + i]), -float(sol.row_dual[i + model.cap_row0])
        )
        for i, cap in enumerate(model.caps)
    )
    bindings = _bindings(model, sol, util)
    shortfalls = _shortfalls(model, sol, extras, util)
    return PlanResult(
        extras.portfolio,
        extras.rules,
        extras.settings,
        flows,
        _link_flows(flows),
        util,
        bindings,
        shortfalls,
        tuple(extras.relaxed.costs),
        _breakdown(model, sol),
        len(model.candidates),
        timings,
        _notes(model, shortfalls, extras.pricing),
        version,
        net,
    )


def _link_flows(flows: Sequence[RouteFlow]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for f in flows:
        for link in _links(f.route):
            by = out.setdefault(link, {})
            by[f.route.commodity] = by.get(f.route.commodity, 0.0) + f.t_per_year
    return out


def _bindings(model: _Model, sol: LpSolution, util: Sequence[Utilisation]) -> tuple[Binding, ...]:
    out = [
        Binding(
            "capacity", u.capacity.id, u.capacity.name, u.shadow_price_usd_per_t, "USD/yr per t/yr"
        )
        for u in util
        if u.binding
    ]
    for i, rr in enumerate(model.rule_rows):
        dual = abs(float(sol.row_dual[model.rule_row0 + i]))
        shipped = sum(
            v for x, v in zip(model.candidates, sol.x, strict=False) if x.contract in rr.contracts
        )
        value = float(dual * shipped / 100.0)
        if value > TOL:
            out.append(
                Binding("rule", rr.rule.name, rr.description, value, "USD/yr per percentage point")
            )
    return tuple(sorted(out, key=lambda b: -b.shadow_price))


def _shortfalls(
    model: _Model, sol: LpSolution, extras: _Extras, util: Sequence[Utilisation]
) -> tuple[Shortfall, ...]:
    out = []
    short = model.shortfall(sol)
    for i, c in enumerate(model.portfolio.contracts):
        if short[i] <= TOL * max(1.0, c.volume_t_per_year):
            continue
        out.append(
            Shortfall(
                c.id,
                c.volume_t_per_year,
                float(short[i]),
                _causes(model, i, c, extras, util, short),
            )
        )
    return tuple(out)


def _causes(
    model: _Model,
    index: int,
    c: Contract,
    extras: _Extras,
    util: Sequence[Utilisation],
    short: np.ndarray,
) -> tuple[str, ...]:
    """Why contract ``c`` falls short: no route, full capacities on its routes, rules."""
    if extras.reasons[c.id] and not any(x.contract == c.id for x in model.candidates):
        return extras.reasons[c.id]
    used = {cap for x in model.candidates if x.contract == c.id for cap in x.uses}
    out = []
    for u in util:
        if u.capacity.id not in used:
            continue
        if u.binding:
            out.append(f"capacity {_capacity_text(u.capacity)} is full")
        elif u.capacity.id in extras.relaxed.full_without_rules:
            out.append(f"capacity {_capacity_text(u.capacity)} would be full without the rules")
    for cost in extras.relaxed.costs:
        freed = short[index] - extras.relaxed.short_without[id(cost.rule)][index]
        if freed > TOL * max(1.0, c.volume_t_per_year):
            out.append(f"rule {cost.rule.name} holds back {freed:,.0f} t/yr")
    return tuple(out) or (extras.reasons[c.id] or ("no candidate route has room",))


def _capacity_text(cap: Capacity) -> str:
    sources = f", sources {', '.join(cap.sources)}" if cap.sources else ""
    return f"{cap.id} ({cap.name}: {cap.capacity_t_per_year:,.0f} t/yr{sources})"


def _breakdown(model: _Model, sol: LpSolution) -> dict[str, float]:
    out: dict[str, float] = {}
    for x, v in zip(model.candidates, sol.x, strict=False):
        if v <= TOL:
            continue
        parts = dict(x.route.cost_breakdown())
        if x.risk_usd_per_t:
            parts["risk_penalty"] = x.risk_usd_per_t
        for k, usd in parts.items():
            out[k] = out.get(k, 0.0) + usd * float(v)
    return out


def _notes(model: _Model, shortfalls: Sequence[Shortfall], pricing: _Pricing) -> tuple[str, ...]:
    notes = [pricing.note(len(model.candidates))]
    notes.append(
        "avoid clauses are hard filters: their cost is the premium `corridor compare` shows"
    )
    if shortfalls:
        notes.append(
            f"some contracts fall short: shadow prices of the capacities that stop them include "
            f"the shortfall penalty of USD {model.penalty:,.0f}/t"
        )
    return tuple(notes)
