"""Result objects: routes, route sets and comparisons, with tabular, JSON and GeoJSON faces.

The JSON shape produced by ``to_dict`` is the documented, stable contract of
``corridor routes|compare --format json`` (see ``docs/json.md``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

SCHEMA_VERSION = 1

FAMILY_LABELS = {
    "china": "China",
    "trans_caspian": "Trans-Caspian",
    "russia": "Russia",
    "south": "Iran",
    "domestic": "Kazakhstan",
    "japan": "Japan",
}


@dataclass(frozen=True)
class Leg:
    """One step of a route: a link, a transfer (mode/gauge change) or a dwell on arrival."""

    kind: str
    from_: str
    to: str
    mode: str
    link: str
    distance_km: float
    cost_usd_per_t: float
    days_mean: float
    days_p95: float
    co2e_kg_per_t: float
    parts: dict[str, float]
    what: str
    days_var: float = 0.0
    """Variance of the leg's days (for combining percentiles; not part of the JSON)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": self.from_,
            "to": self.to,
            "mode": self.mode,
            "kind": self.kind,
            "link": self.link or None,
            "what": self.what,
            "distance_km": round(self.distance_km, 1),
            "cost_usd_per_t": round(self.cost_usd_per_t, 2),
            "days_mean": round(self.days_mean, 3),
            "days_p95": round(self.days_p95, 3),
            "co2e_kg_per_t": round(self.co2e_kg_per_t, 3),
            "cost_parts_usd_per_t": {k: round(v, 2) for k, v in self.parts.items() if v},
        }


@dataclass(frozen=True)
class Risk:
    """Exposure of a route to disruption, from the exposures table."""

    annual_probability: float
    disrupted_days_per_year: float
    by_exposure: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {
            "annual_probability": round(self.annual_probability, 4),
            "disrupted_days_per_year": round(self.disrupted_days_per_year, 2),
            "disrupted_days_by_exposure": {k: round(v, 2) for k, v in self.by_exposure.items()},
        }


@dataclass(frozen=True)
class RouteDetail:
    """What a route passes, leg by leg."""

    nodes: tuple[str, ...]
    legs: tuple[Leg, ...]
    countries: tuple[str, ...]
    chokepoints: tuple[str, ...]
    sources: tuple[str, ...]
    geometry: tuple[tuple[tuple[float, float], ...], ...]


@dataclass(frozen=True)
class Route:
    """A route of one commodity from an origin to a destination, fully priced.

    The totals, risk and signature are set when the route is found; its detail (places,
    legs, countries, chokepoints, sources, line) is put together on first use, by
    ``build_detail``: a search prices many candidates that are only ever compared on
    their totals.
    """

    commodity: str
    origin: str
    charges: dict[str, float]
    """Route-level charges not tied to a leg: cargo insurance, penalised exposures."""
    distance_km: float
    cost_usd_per_t: float
    days_mean: float
    days_p95: float
    co2e_kg_per_t: float
    family: str
    risk: Risk
    signature: tuple[tuple[str, str], ...]
    """Gateways passed, each with how the route leaves it; the destination last."""
    build_detail: Callable[[], RouteDetail] = field(compare=False, repr=False)

    @cached_property
    def detail(self) -> RouteDetail:
        return self.build_detail()

    @property
    def nodes(self) -> tuple[str, ...]:
        return self.detail.nodes

    @property
    def legs(self) -> tuple[Leg, ...]:
        return self.detail.legs

    @property
    def countries(self) -> tuple[str, ...]:
        return self.detail.countries

    @property
    def chokepoints(self) -> tuple[str, ...]:
        return self.detail.chokepoints

    @property
    def sources(self) -> tuple[str, ...]:
        return self.detail.sources

    @property
    def geometry(self) -> tuple[tuple[tuple[float, float], ...], ...]:
        return self.detail.geometry

    @property
    def destination(self) -> str:
        return self.signature[-1][0] if self.signature else self.origin

    def __getstate__(self) -> dict[str, Any]:
        """Pickled with its detail built (the builder holds the whole graph)."""
        return {**self.__dict__, "detail": self.detail, "build_detail": _Given(self.detail)}

    @property
    def label(self) -> str:
        """Short human name: family and the gateways passed."""
        gates = " › ".join(g for g, _ in self.signature[:-1])
        if any("CAPE_OF_GOOD_HOPE" in departure.split("/") for _, departure in self.signature):
            gates += " (via the Cape)"
        return f"{FAMILY_LABELS.get(self.family, self.family)}: {gates}" if gates else self.family

    def cost_breakdown(self) -> dict[str, float]:
        """Total cost by component (freight, handling, border, inventory, ...)."""
        out: dict[str, float] = {}
        for leg in self.legs:
            for k, v in leg.parts.items():
                out[k] = out.get(k, 0.0) + v
        for k, v in self.charges.items():
            out[k] = out.get(k, 0.0) + v
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "family": self.family,
            "commodity": self.commodity,
            "nodes": list(self.nodes),
            "legs": [leg.to_dict() for leg in self.legs],
            "charges_usd_per_t": {k: round(v, 2) for k, v in self.charges.items()},
            "totals": {
                "distance_km": round(self.distance_km, 1),
                "cost_usd_per_t": round(self.cost_usd_per_t, 2),
                "days_mean": round(self.days_mean, 2),
                "days_p95": round(self.days_p95, 2),
                "co2e_kg_per_t": round(self.co2e_kg_per_t, 2),
                "cost_breakdown_usd_per_t": {
                    k: round(v, 2) for k, v in self.cost_breakdown().items()
                },
            },
            "countries": list(self.countries),
            "chokepoints": list(self.chokepoints),
            "risk": self.risk.to_dict(),
            "sources": list(self.sources),
        }

    def row(self) -> dict[str, Any]:
        """One flat row for tables and CSV."""
        return {
            "route": self.label,
            "family": self.family,
            "cost_usd_per_t": round(self.cost_usd_per_t, 2),
            "days_mean": round(self.days_mean, 1),
            "days_p95": round(self.days_p95, 1),
            "co2e_kg_per_t": round(self.co2e_kg_per_t, 1),
            "distance_km": round(self.distance_km),
            "countries": "|".join(self.countries),
            "chokepoints": "|".join(self.chokepoints),
            "disruption_probability": round(self.risk.annual_probability, 3),
            "disrupted_days_per_year": round(self.risk.disrupted_days_per_year, 1),
        }

    def geojson_feature(self, rank: int) -> dict[str, Any]:
        return {
            "type": "Feature",
            "geometry": {
                "type": "MultiLineString",
                "coordinates": [[list(p) for p in line] for line in self.geometry],
            },
            "properties": {"rank": rank, **self.row(), "nodes": list(self.nodes)},
        }


@dataclass(frozen=True)
class _Given:
    """A detail builder that returns a detail already built."""

    detail: RouteDetail

    def __call__(self) -> RouteDetail:
        return self.detail


@dataclass(frozen=True)
class Request:
    """What was asked: kept with results so that outputs say what they answer."""

    commodity: str
    origin: str
    destination: str
    avoid: tuple[str, ...] = ()
    penalise: tuple[tuple[str, float], ...] = ()
    volume_t_per_year: float | None = None
    k: int = 5

    def to_dict(self) -> dict[str, Any]:
        return {
            "commodity": self.commodity,
            "origin": self.origin,
            "destination": self.destination,
            "avoid": list(self.avoid),
            "penalise_usd_per_t": dict(self.penalise),
            "volume_t_per_year": self.volume_t_per_year,
            "k": self.k,
        }


@dataclass(frozen=True)
class RouteSet:
    """Ranked routes answering one request."""

    request: Request
    routes: tuple[Route, ...]
    notes: tuple[str, ...] = ()
    uncertainty: Any = None
    """Cost bands of the routes over joint draws of the estimates (a
    :class:`corridor.uncertainty.routes.RouteBands`), when asked for."""

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([r.row() for r in self.routes], index=range(1, len(self.routes) + 1))

    def to_geojson(self) -> dict[str, Any]:
        return {
            "type": "FeatureCollection",
            "features": [r.geojson_feature(i) for i, r in enumerate(self.routes, 1)],
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "request": self.request.to_dict(),
            "routes": [r.to_dict() for r in self.routes],
            "notes": list(self.notes),
            **({"uncertainty": self.uncertainty.to_dict()} if self.uncertainty else {}),
        }


@dataclass(frozen=True)
class Alternative:
    """Cheapest route under one avoid rule, against the cheapest route overall."""

    name: str
    avoid: tuple[str, ...]
    route: Route | None
    reason: str
    premium_usd_per_t: float | None
    premium_usd_per_year: float | None
    extra_days: float | None
    extra_days_p95: float | None
    risk_change_probability: float | None
    risk_change_days_per_year: float | None

    def to_dict(self) -> dict[str, Any]:
        def r(x: float | None, n: int = 2) -> float | None:
            return None if x is None else round(x, n)

        return {
            "name": self.name,
            "avoid": list(self.avoid),
            "route": self.route.label if self.route else None,
            "route_index": None,
            "reason": self.reason or None,
            "cost_usd_per_t": r(self.route.cost_usd_per_t) if self.route else None,
            "days_mean": r(self.route.days_mean) if self.route else None,
            "premium_usd_per_t": r(self.premium_usd_per_t),
            "premium_usd_per_year": r(self.premium_usd_per_year, 0),
            "extra_days": r(self.extra_days),
            "extra_days_p95": r(self.extra_days_p95),
            "risk_change_probability": r(self.risk_change_probability, 4),
            "risk_change_disrupted_days_per_year": r(self.risk_change_days_per_year),
        }


@dataclass(frozen=True)
class Comparison:
    """Best route per family plus the strategic premium of avoiding China, Russia or both."""

    request: Request
    routes: tuple[Route, ...]
    unavailable: dict[str, str]
    """Family -> why it has no route for this request."""
    premium: tuple[Alternative, ...]
    notes: tuple[str, ...] = ()
    uncertainty: Any = None
    """Bands over joint draws of the estimates (a
    :class:`corridor.uncertainty.compare.UncertainComparison`), when asked for."""

    @property
    def cheapest(self) -> Route:
        return min(self.routes, key=lambda r: r.cost_usd_per_t)

    def to_frame(self) -> pd.DataFrame:
        return RouteSet(self.request, self.routes).to_frame()

    def to_geojson(self) -> dict[str, Any]:
        return RouteSet(self.request, self.routes).to_geojson()

    def to_dict(self) -> dict[str, Any]:
        out = RouteSet(self.request, self.routes, self.notes).to_dict()
        out["unavailable"] = dict(self.unavailable)
        premium = []
        for alt in self.premium:
            d = alt.to_dict()
            if alt.route is not None:
                d["route_index"] = next(
                    (i for i, r in enumerate(self.routes) if r.signature == alt.route.signature),
                    None,
                )
            premium.append(d)
        out["premium"] = premium
        if self.uncertainty is not None:
            out["uncertainty"] = self.uncertainty.to_dict()
        return out
