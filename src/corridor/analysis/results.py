"""What the analysis functions return: a set of routes, a comparison with its premiums."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from corridor.i18n import localise, values_of
from corridor.network.regimes import DEFAULT_BUYER, RegimeFlag
from corridor.routing.route import SCHEMA_VERSION, Route

if TYPE_CHECKING:
    import pandas as pd

    from corridor.risk.measures import ComparedMeasures
    from corridor.uncertainty.compare import UncertainComparison
    from corridor.uncertainty.routes import RouteBands


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
    buyer: str = DEFAULT_BUYER

    def to_dict(self) -> dict[str, Any]:
        return {
            "buyer": self.buyer,
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
    compliance: tuple[tuple[RegimeFlag, ...], ...] = ()
    """Per route (same order): the regimes it meets for the request's buyer."""
    uncertainty: RouteBands | None = None
    """Cost bands of the routes over joint draws of the estimates, when asked for."""

    def flags(self, index: int) -> tuple[RegimeFlag, ...]:
        """Regimes met by the route at ``index`` (none if not computed)."""
        return self.compliance[index] if index < len(self.compliance) else ()

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([r.row() for r in self.routes], index=range(1, len(self.routes) + 1))

    def to_geojson(self) -> dict[str, Any]:
        return {
            "type": "FeatureCollection",
            "features": [r.geojson_feature(i) for i, r in enumerate(self.routes, 1)],
        }

    def to_dict(self) -> dict[str, Any]:
        routes = []
        for i, r in enumerate(self.routes):
            d = r.to_dict()
            d["compliance"] = [f.to_dict() for f in self.flags(i)]
            routes.append(d)
        return {
            "schema_version": SCHEMA_VERSION,
            "request": self.request.to_dict(),
            "routes": routes,
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
            "reason_ja": localise(self.reason, "ja") or None,
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
    compliance: tuple[tuple[RegimeFlag, ...], ...] = ()
    """Per route (same order): the regimes it meets for the request's buyer."""
    uncertainty: UncertainComparison | None = None
    """Bands over joint draws of the estimates, when asked for."""
    measures: ComparedMeasures | None = None
    """Risk measures per route (aligned with ``routes``), shared exposures apart."""

    def flags(self, index: int) -> tuple[RegimeFlag, ...]:
        """Regimes met by the route at ``index`` (none if not computed)."""
        return self.compliance[index] if index < len(self.compliance) else ()

    def route_flags(self, route: Route) -> tuple[RegimeFlag, ...]:
        """Regimes met by ``route`` (one of :attr:`routes`, matched by its signature)."""
        for i, r in enumerate(self.routes):
            if r.signature == route.signature:
                return self.flags(i)
        return ()

    @property
    def cheapest(self) -> Route:
        return min(self.routes, key=lambda r: r.cost_usd_per_t)

    def to_frame(self) -> pd.DataFrame:
        return RouteSet(self.request, self.routes).to_frame()

    def to_geojson(self) -> dict[str, Any]:
        return RouteSet(self.request, self.routes).to_geojson()

    def to_dict(self) -> dict[str, Any]:
        out = RouteSet(self.request, self.routes, self.notes, self.compliance).to_dict()
        out["unavailable"] = dict(self.unavailable)
        out["unavailable_ja"] = {f: localise(why, "ja") for f, why in self.unavailable.items()}
        links = {
            f: list(dict.fromkeys(values_of(why, "link_id"))) for f, why in self.unavailable.items()
        }
        if any(links.values()):  # the links a reason names by place, by id
            out["unavailable_links"] = {f: ids for f, ids in links.items() if ids}
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
        if self.measures is not None:
            out["risk_measures"] = self.measures.to_dict()
            for d in premium:
                d["risk_measures_change"] = self._measure_change(d["route_index"])
        return out

    def _measure_change(self, index: int | None) -> dict[str, float] | None:
        """A premium route's measures less the cheapest route's (None without a route)."""
        if index is None or self.measures is None:
            return None
        at = {r.signature: i for i, r in enumerate(self.routes)}[self.cheapest.signature]
        mine, base = self.measures.routes[index].to_dict(), self.measures.routes[at].to_dict()
        return {k: round(mine[k] - base[k], 4) for k in mine if k != "events"}
