"""The result of planning: flows per route, utilisation, binding capacities, rule costs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from corridor.contracts.model import Portfolio, Rule
from corridor.network.model import Network
from corridor.optimize.capacity import TOL, Capacity
from corridor.routing.route import Route

SCHEMA_VERSION = 1
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
            "route_ja": self.route.label_ja,
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
    network: Network = field(repr=False, compare=False)
    kind: str = "plan"

    @property
    def data_version(self) -> str:
        """The version of the network's data (:attr:`Network.data_version`), hashed when
        first read, once per network: on 100,000 links the hash takes about 4 s, more
        than a tenth of the plan, which does not need it."""
        return self.network.data_version

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

    def penalty_driven(self, use: Utilisation) -> bool:
        """Whether a capacity's shadow price comes from the shortfall penalty.

        A dual that only reflects cheaper against dearer routes is at most the dearest route's
        cost; above that, with a contract short, it is the penalty (less a route cost) that the
        missing tonne would have avoided, not a market value of capacity.
        """
        dearest = max((f.cost_usd_per_t for f in self.flows), default=0.0)
        return self.shortfall_t_per_year > TOL and use.shadow_price_usd_per_t > dearest

    def penalty_note(self) -> str:
        """The note that explains penalty-driven shadow prices ("" when there are none)."""
        driven = [u.capacity.id for u in self.utilisation if self.penalty_driven(u)]
        if not driven:
            return ""
        penalty = float(self.settings.get("shortfall_penalty_usd_per_t", 0.0))
        return (
            f"shadow prices of {', '.join(driven)} come from the shortfall penalty of "
            f"USD {penalty:,.0f}/t (a contract falls short): they measure the penalty avoided "
            "by one more tonne, not what a tonne of capacity is worth"
        )

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
            "utilisation": [
                {**u.to_dict(), "shadow_price_from_shortfall_penalty": self.penalty_driven(u)}
                for u in self.utilisation
            ],
            "binding_constraints": [b.to_dict() for b in self.bindings],
            "shortfalls": [s.to_dict() for s in self.shortfalls],
            "rule_costs": [r.to_dict() for r in self.rule_costs],
            "cost_breakdown_usd_per_year": {
                k: round(v) for k, v in self.cost_breakdown.items() if round(v)
            },
            "notes": [*self.notes, *filter(None, [self.penalty_note()])],
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
