"""Building the planning LP: candidate routes per contract, the model's rows and columns."""

from __future__ import annotations

import itertools
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from corridor.contracts.model import EACH, PORTFOLIO, Contract, Portfolio, Rule
from corridor.costs import Assumptions
from corridor.graph import commodity_graph
from corridor.i18n import Message
from corridor.network.model import Network
from corridor.network.schema import FAMILIES
from corridor.optimize.capacity import Capacity, draws_on
from corridor.optimize.lp import HighsModel, LinearProgram, LpSolution
from corridor.optimize.plan_result import (
    AVOID_COMBINATION,
    Candidate,
)
from corridor.routing.closed import links_touching, outside_families
from corridor.routing.kbest import k_best, release_search_tables, release_shared_steps
from corridor.routing.route import Route


def all_candidates(
    contracts: Sequence[Contract],
    rules: Sequence[Rule],
    net: Network,
    a: Assumptions,
    k: int,
    risk_penalty: float,
) -> tuple[dict[str, list[Candidate]], dict[str, tuple[str, ...]]]:
    """:func:`_candidates` of every contract (by id), and why a pair of each has none.

    The k-best search tables of a contract's graph of more than
    :data:`TABLES_KEPT_MAX_EDGES` edges are released once no later contract has its
    commodity, service class and avoid clause (pricing reads only its costs to go and
    priced pieces; another search builds them again): on 100,000 links a graph's tables
    hold about 80 MB, so ten contracts' tables held at once were more than half the memory
    of the plan. A smaller graph keeps them, for the searches that follow a plan (the
    re-routing candidates of a stress run search the same graphs). Once one is released, so
    are the steps graphs of one topology share.
    """
    cands, reasons = {}, {}
    released = False
    for i, c in enumerate(contracts):
        cands[c.id], reasons[c.id] = _candidates(c, rules, net, a, k, risk_penalty)
        same = (c.commodity, c.service, c.avoid)
        if all((d.commodity, d.service, d.avoid) != same for d in contracts[i + 1 :]):
            g = commodity_graph(net, c.commodity, contract_assumptions(a, c), c.avoid)
            if len(g.tails) > TABLES_KEPT_MAX_EDGES:
                release_search_tables(g)
                released = True
    if released:
        release_shared_steps(net)
    return cands, reasons


TABLES_KEPT_MAX_EDGES = 20_000
"""Graphs up to this many edges keep their search tables after the candidates (a few MB
at most; the bundled network's graphs have a few hundred edges)."""


def _candidates(
    c: Contract,
    rules: Sequence[Rule],
    net: Network,
    a: Assumptions,
    k: int,
    risk_penalty: float,
) -> tuple[list[Candidate], tuple[str, ...]]:
    """Candidate routes of one contract, and why an origin–destination pair has none."""
    from corridor.routing.explain import explain_no_route

    a = contract_assumptions(a, c)
    named = capped_exposures(c, rules)
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


def capped_exposures(c: Contract, rules: Sequence[Rule]) -> list[str]:
    """Exposures a maximum share of ``rules`` caps for contract ``c`` (those it does not
    avoid anyway), sorted: the contract's candidates include the cheapest route avoiding
    each combination of them."""
    return sorted(
        {
            r.target
            for r in rules
            if r.on == "exposure" and r.max_share is not None and r.scope in (EACH, PORTFOLIO, c.id)
        }
        - set(c.avoid)
    )


def contract_assumptions(a: Assumptions, c: Contract) -> Assumptions:
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
    """k best, cheapest per family, cheapest avoiding each combination of ``named``.

    Every search runs on the one graph of the contract's commodity and avoid clause: within
    a family, with the links of the other families closed; avoiding more exposures, with
    the links that touch them closed (:mod:`corridor.routing.closed`), not on a graph built
    for each family and avoid set. The routes are those such graphs give, to the float.
    """
    g = commodity_graph(net, c.commodity, a, c.avoid)
    found = k_best(g, origin, destination, k)
    if not found:
        return []
    for fam in _families_present(net):
        found += k_best(g, origin, destination, 1, closed=outside_families(net, frozenset({fam})))
    for size in range(1, min(AVOID_COMBINATION, len(named)) + 1):
        for combo in itertools.combinations(named, size):
            closed = links_touching(net, frozenset(combo))
            found += k_best(g, origin, destination, 1, closed=closed)
    return found


def _candidate(
    contract: str,
    route: Route,
    net: Network,
    risk_penalty: float,
    uses: dict[str, int] | None = None,
    crossed: tuple[frozenset[str], frozenset[str]] | None = None,
) -> Candidate:
    """The LP's view of a route; ``uses`` (capacity id -> links drawing on it, in route
    order) and ``crossed`` (countries, chokepoints) when known from its edges, else read
    from its detail."""
    if uses is None:
        uses = {}
        cargo_class = net.commodity(route.commodity).cargo_class
        for leg in route.legs:
            if leg.kind != "link" or not leg.link:
                continue
            for cap in draws_on(net, cargo_class, net.link(leg.link), leg.from_):
                uses[cap] = uses.get(cap, 0) + 1
    countries, chokepoints = crossed or (frozenset(route.countries), route.chokepoints)
    ends = {net.node(route.origin).country, net.node(route.destination).country}
    transit = frozenset(x for x in countries if x not in ends) | set(chokepoints)
    risk = risk_penalty * route.risk.disrupted_days_per_year
    families = frozenset(route.family.split("+"))
    return Candidate(contract, route, route.cost_usd_per_t + risk, risk, uses, transit, families)


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
        if self.rule.scope != EACH:
            return self.rule.name
        return Message("share_rule_row", rule=self.rule.name, contract=self.contracts[0])


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


class PlanProgram:
    """A plan's final LP (after column generation), kept loaded in HiGHS: solved again
    with other route costs and capacity figures, it starts from the last basis.

    Attributes
    ----------
    candidates : list of Candidate
        The routes (columns) in order; the contracts' shortfalls follow them.
    capacities : list of Capacity
        The capacities with a row, in row order.
    assumptions : Assumptions
        The plan's cost assumptions (each contract's service class on top).
    """

    def __init__(self, model: _Model, assumptions: Assumptions) -> None:
        self._model = model
        self.candidates = model.candidates
        self.capacities = model.caps
        self.contracts = model.portfolio.contracts
        self.assumptions = assumptions

    def solve(self, costs: np.ndarray, left: np.ndarray) -> LpSolution:
        """The plan with candidate ``j`` at ``costs[j]`` USD/t and capacity ``i`` at
        ``left[i]`` t/yr (the shortfall penalty unchanged)."""
        m = self._model
        n = len(m.candidates)
        m.highs.highs.changeColsCost(n, np.arange(n, dtype=np.int32), np.asarray(costs, float))
        for i, v in enumerate(left):
            m.highs.highs.changeRowBounds(m.cap_row0 + i, -np.inf, float(v))
        return m.highs.solve()

    def capacity_duals(self, sol: LpSolution) -> np.ndarray:
        """USD/yr saved per extra t/yr of each capacity (its shadow price)."""
        m = self._model
        return -np.asarray(sol.row_dual[m.cap_row0 : m.rule_row0])

    def shortfall(self, sol: LpSolution) -> np.ndarray:
        return self._model.shortfall(sol)


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
