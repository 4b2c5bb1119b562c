"""Per-commodity cost, time, emission and exposure of links, transfers and node arrivals.

Money is USD per tonne of cargo, time is days, emissions are kg CO2e per tonne.

Transit time: every component (a link, a transfer, a dwell) is lognormal, given by its mean
and 95th percentile. Means add. Percentiles do not: the components' variances add (they are
taken as independent), and the sum is approximated by a lognormal with the same mean and
variance (Fenton–Wilkinson), whose 95th percentile is reported. ``tests/test_costs.py``
checks this against a Monte Carlo of the same components.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from corridor.errors import InvalidParameterError
from corridor.network.model import Commodity, Exposure, Link, Network, Node

Z95 = 1.6448536269514722
"""Standard normal 95th percentile."""
SERVICES = ("", "block", "wagonload")
"""Rail service classes (empty: the default of the cargo class)."""
RAIL_SPEED_SOURCE = "est_rail_transit"
"""Rail links whose transit is computed from a speed; service classes recompute them."""


@dataclass(frozen=True)
class Assumptions:
    """Model parameters that are not properties of the network.

    Attributes
    ----------
    carrying_pct_per_year : float
        Cost of capital tied up in cargo in transit, % of cargo value per year. Default 10:
        the midpoint of the 8–12 %/yr in-transit carrying rate estimated in the reference
        sheet (capital and insurance only; 8–15 % capital cost quoted by flair-analytics.com).
    carbon_price_usd_per_t : float
        Price per tonne CO2e added to the cost (default 0: no carbon price).
    insured_value_factor : float
        Insured value as a multiple of cargo value (CIF × 110 %, Incoterms 2020 convention).
    service : str
        Rail service class, ``block`` or ``wagonload`` (``services.csv``); empty: the
        default of the commodity's cargo class.
    """

    carrying_pct_per_year: float = 10.0
    carbon_price_usd_per_t: float = 0.0
    insured_value_factor: float = 1.1
    service: str = ""

    def __post_init__(self) -> None:
        if self.service not in SERVICES:
            raise InvalidParameterError("service", self.service, "block or wagonload")
        for name in ("carrying_pct_per_year", "carbon_price_usd_per_t", "insured_value_factor"):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                raise InvalidParameterError(name, value, "a non-negative, finite number")


ASSUMPTION_SOURCES = {
    "carrying_pct_per_year": "In-transit carrying rate 8–12 %/yr (estimate, reference sheet "
    "gaps_risk_rates_values §4; capital cost 8–15 %/yr, https://flair-analytics.com/blog/"
    "inventory-carrying-cost.html)",
    "insured_value_factor": "Insured value (C + F) × 110 %, Incoterms 2020 convention "
    "(https://www.laojinchuhai.com/en/glossary/marine-insurance)",
    "carbon_price_usd_per_t": "Set by the user (default none)",
}


@dataclass(frozen=True)
class Metrics:
    """Additive metrics of one route component (per tonne of cargo)."""

    cost_usd_per_t: float
    days_mean: float
    days_var: float
    co2e_kg_per_t: float
    distance_km: float

    def __add__(self, other: Metrics) -> Metrics:
        return Metrics(
            self.cost_usd_per_t + other.cost_usd_per_t,
            self.days_mean + other.days_mean,
            self.days_var + other.days_var,
            self.co2e_kg_per_t + other.co2e_kg_per_t,
            self.distance_km + other.distance_km,
        )


ZERO = Metrics(0.0, 0.0, 0.0, 0.0, 0.0)


def lognormal_variance(mean: float, p95: float) -> float:
    """Variance of the lognormal with the given mean and 95th percentile.

    ``ln p95 = mu + z sigma`` and ``ln mean = mu + sigma^2 / 2`` give
    ``sigma = z - sqrt(z^2 - 2 ln(p95 / mean))`` (the root with p95 above the mean). A ratio
    beyond what a lognormal can give (p95/mean > e^(z^2/2) ≈ 3.87) is capped there.
    """
    if mean <= 0 or p95 <= mean:
        return 0.0
    disc = max(Z95 * Z95 - 2.0 * math.log(p95 / mean), 0.0)
    sigma = Z95 - math.sqrt(disc)
    return mean * mean * math.expm1(sigma * sigma)


def p95_of_sum(mean: float, var: float) -> float:
    """95th percentile of a sum of independent lognormals with total mean and variance.

    Fenton–Wilkinson: fit one lognormal to the sum's first two moments.
    """
    if mean <= 0:
        return 0.0
    if var <= 0:
        return mean
    sigma2 = math.log1p(var / (mean * mean))
    mu = math.log(mean) - sigma2 / 2.0
    return math.exp(mu + Z95 * math.sqrt(sigma2))


def inventory_usd_per_t(commodity: Commodity, days: float, a: Assumptions) -> float:
    """Capital cost of cargo value tied up for ``days``."""
    return commodity.value_usd_per_t * a.carrying_pct_per_year / 100.0 * days / 365.0


def war_risk_usd_per_t(commodity: Commodity, exposures: list[Exposure], a: Assumptions) -> float:
    """Cargo war-risk surcharges of the sea areas passed."""
    insured = commodity.value_usd_per_t * a.insured_value_factor
    return sum(e.war_risk_pct for e in exposures) / 100.0 * insured


def insurance_usd_per_t(commodity: Commodity, a: Assumptions) -> float:
    """Marine cargo insurance premium, paid once per shipment."""
    return commodity.insurance_pct / 100.0 * commodity.value_usd_per_t * a.insured_value_factor


def rail_tariff_factor(link: Link, commodity: Commodity) -> float:
    """Multiple of a rail link's tariff for the commodity's cargo group in the one country the
    link runs in (Kazakhstan's 2026 multiples); 1 for other modes and cross-border links."""
    if link.mode != "rail" or len(set(link.countries)) != 1:
        return 1.0
    return commodity.rail_tariff_factors.get(link.countries[0], 1.0)


def link_metrics(
    net: Network, link: Link, commodity: Commodity, a: Assumptions
) -> tuple[Metrics, dict[str, float]]:
    """Metrics of moving one tonne of ``commodity`` along ``link``, with its cost breakdown."""
    freight = link.tariff_usd_per_t + link.tariff_usd_per_tkm * link.distance_km
    freight *= commodity.freight_factor * rail_tariff_factor(link, commodity)
    war = war_risk_usd_per_t(commodity, [net.exposure(c) for c in link.chokepoints], a)
    days, days_p95 = rail_days(net, link, commodity, a)
    inventory = inventory_usd_per_t(commodity, days, a)
    co2e = net.emission_factor(link.emission_factor).co2e_g_per_tkm * link.distance_km / 1000.0
    carbon = a.carbon_price_usd_per_t * co2e / 1000.0
    parts = {"freight": freight, "war_risk": war, "inventory": inventory, "carbon": carbon}
    metrics = Metrics(
        sum(parts.values()),
        days,
        lognormal_variance(days, days_p95),
        co2e,
        link.distance_km,
    )
    return metrics, parts


def service_of(net: Network, commodity: Commodity, a: Assumptions) -> str:
    """The rail service class a shipment uses: the request's, else its cargo class's default."""
    if a.service:
        return a.service
    for row in net.services:
        if not row.scope and commodity.cargo_class in row.default_for:
            return row.service
    return ""


def rail_days(
    net: Network, link: Link, commodity: Commodity, a: Assumptions
) -> tuple[float, float]:
    """Mean and p95 days of ``link`` under the shipment's rail service class.

    Where :func:`rail_timing` gives the service's speed, overhead and p95 factor, the mean
    is distance ÷ speed + overhead and p95 = mean × factor, and the days a state in force or
    a scenario edit added to the link (``added_days``, ``added_days_p95``) come on top, as
    they do on the table figures of any other link.
    """
    timing = rail_timing(net, link, commodity, a)
    if timing is None:
        return link.transit_days, link.transit_days_p95
    speed, overhead, factor = timing
    base = link.distance_km / speed + overhead
    mean = max(base + link.added_days, 0.0)
    return mean, max(base * factor + link.added_days_p95, mean)


def rail_timing(
    net: Network, link: Link, commodity: Commodity, a: Assumptions
) -> tuple[float, float, float] | None:
    """Speed (km/day), overhead per link (days) and p95 factor of ``link``'s rail service
    class, or None where the link keeps its table transit (then ``transit_days`` applies).

    Only rail links whose transit comes from a speed (source ``est_rail_transit``) are
    recomputed. The most specific ``services.csv`` row applies (the link's id, then the
    slowest of its countries, then the service's default row); any other link, or a
    network without service rows, keeps its table figures.
    """
    service = service_of(net, commodity, a)
    if not service or link.mode != "rail":
        return None
    if RAIL_SPEED_SOURCE not in link.sources.get("transit_days", ()):
        return None
    rows = [r for r in net.services if r.service == service]
    named = [r for r in rows if link.id in r.scope]
    local = [r for r in rows if set(r.scope) & set(link.countries) and r.speed_km_per_day]
    default = [r for r in rows if not r.scope]
    if named:
        row = named[0]
    elif local:
        row = min(local, key=lambda r: r.speed_km_per_day or math.inf)
    elif default and default[0].speed_km_per_day:
        row = default[0]
    else:
        return None
    base = next(iter(default), row)
    speed = row.speed_km_per_day or base.speed_km_per_day or 1.0
    overhead = row.link_overhead_days
    if overhead is None:
        overhead = base.link_overhead_days or 0.0
    return speed, overhead, row.p95_factor or base.p95_factor or 1.0


def formation_metrics(
    net: Network, commodity: Commodity, a: Assumptions
) -> tuple[Metrics, dict[str, float]]:
    """Wait for a train to be formed (or to depart) each time cargo is loaded onto rail."""
    service = service_of(net, commodity, a)
    row = next((r for r in net.services if r.service == service and not r.scope), None)
    if row is None or not row.formation_hours:
        return ZERO, {}
    days = row.formation_hours / 24.0
    parts = {"inventory": inventory_usd_per_t(commodity, days, a)}
    var = lognormal_variance(days, row.formation_hours_p95 / 24.0)
    return Metrics(sum(parts.values()), days, var, 0.0, 0.0), parts


def transfer_metrics(
    node: Node, commodity: Commodity, a: Assumptions
) -> tuple[Metrics, dict[str, float]]:
    """Metrics of one mode or gauge change at ``node``."""
    days = node.handling_hours / 24.0
    handling = node.handling_usd_per_t.get(commodity.cargo_class, 0.0)
    parts = {"handling": handling, "inventory": inventory_usd_per_t(commodity, days, a)}
    var = lognormal_variance(days, node.handling_hours_p95 / 24.0)
    return Metrics(sum(parts.values()), days, var, 0.0, 0.0), parts


def arrival_metrics(
    node: Node, commodity: Commodity, a: Assumptions
) -> tuple[Metrics, dict[str, float]]:
    """Metrics of arriving at ``node``: border, customs or port dwell and dues."""
    days = node.dwell_hours / 24.0
    parts = {
        "border": node.border_fee_usd_per_t,
        "inventory": inventory_usd_per_t(commodity, days, a),
    }
    var = lognormal_variance(days, node.dwell_hours_p95 / 24.0)
    return Metrics(sum(parts.values()), days, var, 0.0, 0.0), parts
