"""A route and its detail: legs, totals, exposures and the sources of its figures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from corridor.i18n import family_name, t
from corridor.network.names import Condition

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
    """What the leg is: "freight train", "border crossing at Dostyk border station (…)"."""
    days_var: float = 0.0
    """Variance of the leg's days (for combining percentiles; not part of the JSON)."""
    what_ja: str = ""
    """What the leg is, in Japanese ("貨物列車"; its English text where it has none)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": self.from_,
            "to": self.to,
            "mode": self.mode,
            "kind": self.kind,
            "link": self.link or None,
            "what": self.what,
            "what_ja": self.what_ja or self.what,
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
    names: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Node id -> short place name in English and Japanese, for every node passed."""
    conditions: tuple[Condition, ...] = ()
    """Approvals, charters and seasons the route is subject to (regimes with effect
    ``condition``, terms.csv and the links' season column)."""


@dataclass(frozen=True)
class _Given:
    """A detail builder that returns a detail already built."""

    detail: RouteDetail

    def __call__(self) -> RouteDetail:
        return self.detail


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
        """Short human name: family and the gateways passed, by place name in English."""
        return self.label_in("en")

    @property
    def label_ja(self) -> str:
        """The label in Japanese (English place names where a node has no ``name_ja``)."""
        return self.label_in("ja")

    @property
    def gateways(self) -> tuple[str, ...]:
        """Ids of the gateways the label names, in route order."""
        return tuple(g for g, _ in self.signature[:-1])

    @property
    def conditions(self) -> tuple[Condition, ...]:
        return self.detail.conditions

    def label_in(self, lang: str) -> str:
        """The label in ``lang``: "China: Dostyk → Alashankou → Lianyungang"."""
        names = self.detail.names
        pick = 1 if lang == "ja" else 0
        gates = " → ".join(names[g][pick] if g in names else g for g in self.gateways)
        if any("CAPE_OF_GOOD_HOPE" in departure.split("/") for _, departure in self.signature):
            gates += t("via_cape", lang)
        family = family_name(self.family, lang)
        return f"{family}: {gates}" if gates else family

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
            "label_ja": self.label_ja,
            "gateways": list(self.gateways),
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
            "conditions": [c.to_dict() for c in self.conditions],
            "sources": list(self.sources),
        }

    def row(self) -> dict[str, Any]:
        """One flat row for tables and CSV."""
        return {
            "route": self.label,
            "gateways": "|".join(self.gateways),
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
            "conditions": "; ".join(c.text_en for c in self.conditions),
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
