"""What a stress test returns: per-group risk, tails, drivers and concentration."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from corridor.network.model import Network

if TYPE_CHECKING:
    pass
from corridor.risk import _common
from corridor.risk._common import SCHEMA_VERSION, FloatArray, IntArray
from corridor.risk.allocation import Allocation


@dataclass(frozen=True)
class Tail:
    """Mean and tail of one simulated quantity (per year)."""

    mean: float
    std_error: float
    var: Mapping[float, float]
    cvar: Mapping[float, float]
    resolution: float
    """Histogram bin width: VaR is exact to within it."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "mean": self.mean,
            "std_error": self.std_error,
            **{f"var_{_pct(q)}": v for q, v in self.var.items()},
            **{f"cvar_{_pct(q)}": v for q, v in self.cvar.items()},
            "resolution": self.resolution,
        }


def _pct(q: float) -> str:
    return f"{q * 100:g}".replace(".", "_")


@dataclass(frozen=True)
class GroupRisk:
    """Risk of the portfolio, one contract or one route family."""

    id: str
    kind: str
    volume_t_per_year: float
    undelivered: Tail
    extra_cost: Tail
    p_loss_over: Mapping[float, float]
    """Share of annual volume -> probability of losing more than it in a year."""

    @property
    def delivered_share(self) -> float:
        """Mean share of the annual volume delivered."""
        if self.volume_t_per_year <= 0:
            return 1.0
        return 1.0 - self.undelivered.mean / self.volume_t_per_year

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "volume_t_per_year": self.volume_t_per_year,
            "delivered_share": self.delivered_share,
            "undelivered_t": self.undelivered.to_dict(),
            "extra_cost_usd": self.extra_cost.to_dict(),
            "p_loss_over": {f"{q:g}": p for q, p in self.p_loss_over.items()},
        }


@dataclass(frozen=True)
class Driver:
    """One event's share of the tail: its mean contribution in the worst years."""

    event: str
    name: str
    undelivered_t: Mapping[float, float]
    """Level -> tonnes of the CVaR of undelivered tonnes that come from this event."""
    extra_cost_usd: Mapping[float, float]
    mean_undelivered_t: float
    mean_extra_cost_usd: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "name": self.name,
            **{f"cvar_{_pct(q)}_undelivered_t": v for q, v in self.undelivered_t.items()},
            **{f"cvar_{_pct(q)}_extra_cost_usd": v for q, v in self.extra_cost_usd.items()},
            "mean_undelivered_t": self.mean_undelivered_t,
            "mean_extra_cost_usd": self.mean_extra_cost_usd,
        }


@dataclass(frozen=True)
class Concentration:
    """How concentrated the plan is: shares of tonnes by transit country and by family.

    ``country_share`` is the share of planned tonnes crossing each transit country (a
    tonne may cross several); the HHI (0–10,000) is over those crossings normalised to 1.
    """

    country_share: Mapping[str, float]
    hhi_countries: float
    family_share: Mapping[str, float]
    hhi_families: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "transit_country_share": dict(self.country_share),
            "hhi_transit_countries": self.hhi_countries,
            "family_share": dict(self.family_share),
            "hhi_families": self.hhi_families,
        }


def concentration(allocation: Allocation) -> Concentration:
    """HHI of the planned tonnes by transit country and by route family."""
    net = allocation.network
    crossings: dict[str, float] = {}
    families: dict[str, float] = {}
    total = 0.0
    for f in allocation.flows:
        for route, t in f.planned:
            ends = {net.node(route.origin).country, net.node(route.destination).country}
            for c in dict.fromkeys(x for x in route.countries if x not in ends):
                crossings[c] = crossings.get(c, 0.0) + t
            families[route.family] = families.get(route.family, 0.0) + t
            total += t
    return Concentration(
        {c: t / total for c, t in sorted(crossings.items(), key=lambda kv: -kv[1])}
        if total
        else {},
        _hhi(crossings.values()),
        {k: t / total for k, t in sorted(families.items(), key=lambda kv: -kv[1])} if total else {},
        _hhi(families.values()),
    )


def _hhi(values: Iterable[float]) -> float:
    v = np.array(list(values), dtype=float)
    if v.sum() <= 0:
        return 0.0
    s = v / v.sum()
    return float(10_000 * (s * s).sum())


@dataclass(frozen=True)
class StressResult:
    """What a stress test found: per year, how much is lost, how dear, and why.

    ``to_dict`` is the JSON of ``corridor stress --format json`` (``docs/risk.md``).
    """

    allocation: Allocation
    years: int
    seed: int
    timing: str
    levels: tuple[float, ...]
    portfolio: GroupRisk
    contracts: tuple[GroupRisk, ...]
    families: tuple[GroupRisk, ...]
    drivers: tuple[Driver, ...]
    concentration: Concentration
    cut_t_mean: Mapping[str, float]
    """Contract -> mean tonnes per year displaced from planned routes (before re-routing)."""
    extra_days_mean: Mapping[str, float]
    """Contract -> mean extra days per tonne of annual volume."""
    planning_effect_usd_mean: Mapping[str, float]
    """Contract -> mean USD per year saved by moving displaced tonnes to a cheaper route
    (≤ 0): a planning effect, reported apart from the extra cost of disruption."""
    histograms: Mapping[str, tuple[FloatArray, IntArray]]
    """'undelivered_t' / 'extra_cost_usd' -> (bin edges, counts) of the portfolio."""
    seconds: float
    data_version: str
    scenario: str = ""
    notes: tuple[str, ...] = ()
    kind: str = "stress"

    @property
    def network(self) -> Network:
        return self.allocation.network

    @property
    def parameters(self) -> dict[str, Any]:
        return stress_parameters(self.allocation, self.years, self.seed, self.timing, self.scenario)

    def headline(self) -> dict[str, float | None]:
        p = self.portfolio
        return {
            "volume_t_per_year": p.volume_t_per_year,
            "expected_undelivered_t": p.undelivered.mean,
            "cvar_95_undelivered_t": p.undelivered.cvar.get(0.95),
            "expected_extra_cost_usd": p.extra_cost.mean,
            "cvar_95_extra_cost_usd": p.extra_cost.cvar.get(0.95),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": self.kind,
            "parameters": self.parameters,
            "portfolio": self.portfolio.to_dict(),
            "contracts": [
                {
                    **c.to_dict(),
                    "cut_t_mean": self.cut_t_mean[c.id],
                    "extra_days_mean": self.extra_days_mean[c.id],
                    "planning_effect_usd_mean": self.planning_effect_usd_mean[c.id],
                }
                for c in self.contracts
            ],
            "families": [f.to_dict() for f in self.families],
            "drivers": [d.to_dict() for d in self.drivers],
            "concentration": self.concentration.to_dict(),
            "distribution": {
                k: {"edges": edges.tolist(), "counts": counts.tolist()}
                for k, (edges, counts) in self.histograms.items()
            },
            "seconds": self.seconds,
            "notes": list(self.notes),
            "data_version": self.data_version,
        }

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        """Rows for the run store: the planned flows and each contract's expected loss."""
        return {
            "route_flows": [
                {
                    "contract": f.id,
                    "commodity": f.commodity,
                    "origin": r.origin,
                    "destination": r.destination,
                    "route": r.label,
                    "family": r.family,
                    "t_per_year": t,
                    "cost_usd_per_t": r.cost_usd_per_t,
                }
                for f in self.allocation.flows
                for r, t in f.planned
            ],
            "shortfalls": [
                {
                    "contract": c.id,
                    "volume_t_per_year": c.volume_t_per_year,
                    "short_t_per_year": c.undelivered.mean,
                    "causes": "expected undelivered t/yr under disruption; "
                    f"CVaR 95 % {c.undelivered.cvar.get(0.95, 0.0):,.0f} t",
                }
                for c in self.contracts
            ],
        }


def stress_parameters(
    allocation: Allocation, years: int, seed: int, timing: str, scenario: str = ""
) -> dict[str, Any]:
    """What a stress run was asked, as the run store keeps it."""
    return {
        "allocation": allocation.to_dict(),
        "years": years,
        "seed": seed,
        "timing": timing,
        "chunk_years": _common.CHUNK_YEARS,
        "scenario": scenario,
        "assumptions": vars(allocation.assumptions),
    }
