"""Records of the network (:class:`Node`, :class:`Link`, :class:`Event`, ...) from parsed
cell values (column name -> typed value or None): one constructor per table, shared by the
table loader and the scenario reader."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from corridor.network.model import (
    CapacityRow,
    Event,
    Link,
    Node,
    Provenance,
    ServiceRow,
    State,
    Term,
)
from corridor.network.schema import CARGO_CLASSES


def num(v: Mapping[str, Any], key: str) -> float:
    value = v.get(key)
    return float(value) if value is not None else 0.0


def node_record(v: Mapping[str, Any], sources: Provenance) -> Node:
    """A :class:`Node` from parsed cell values (column name -> typed value or None)."""
    return Node(
        v["id"],
        v["name_en"],
        v.get("name_ja") or "",
        v["country"],
        v["kind"],
        float(v["lat"]),
        float(v["lon"]),
        MappingProxyType(
            {c: num(v, f"handling_usd_per_t_{c}") for c in CARGO_CLASSES if c != "gas"}
        ),
        num(v, "handling_hours"),
        max(num(v, "handling_hours_p95"), num(v, "handling_hours")),
        num(v, "dwell_hours"),
        max(num(v, "dwell_hours_p95"), num(v, "dwell_hours")),
        num(v, "border_fee_usd_per_t"),
        tuple(int(g) for g in v.get("gauges_mm") or ()),
        tuple(v["cargo_classes"]),
        tuple(v.get("products") or ()),
        sources,
        v.get("note") or "",
    )


def link_record(
    v: Mapping[str, Any],
    season: Mapping[int, float],
    geometry: tuple[tuple[float, float], ...],
    sources: Provenance,
) -> Link:
    """A :class:`Link` from parsed cell values, its season factors and its drawn line."""
    return Link(
        v["id"],
        v["from"],
        v["to"],
        v["mode"],
        v.get("gauge_mm"),
        v.get("service") or "",
        v["family"],
        float(v["distance_km"]),
        float(v["transit_days"]),
        max(num(v, "transit_days_p95"), float(v["transit_days"])),
        num(v, "tariff_usd_per_t"),
        num(v, "tariff_usd_per_tkm"),
        v.get("capacity_t_per_year"),
        v.get("capacity_group") or "",
        tuple(v["cargo_classes"]),
        tuple(v["countries"]),
        tuple(v.get("chokepoints") or ()),
        MappingProxyType(dict(season)),
        bool(v["bidirectional"]),
        v["emission_factor"],
        geometry,
        sources,
        v.get("note") or "",
    )


def event_record(v: Mapping[str, Any], sources: Provenance) -> Event:
    """An :class:`Event` from parsed cell values (missing severities are 0)."""
    return Event(
        v["id"],
        v["name_en"],
        v["kind"],
        tuple(v["targets"]),
        float(v["events_per_year"]),
        float(v["duration_days"]),
        max(num(v, "duration_days_p95"), float(v["duration_days"])),
        num(v, "capacity_loss"),
        num(v, "delay_days"),
        num(v, "surcharge_usd_per_t"),
        num(v, "insurance_pct_add"),
        sources,
        v.get("note") or "",
        v.get("name_ja") or "",
    )


def capacity_record(v: Mapping[str, Any], sources: Provenance) -> CapacityRow:
    """A :class:`CapacityRow` from parsed cell values."""
    return CapacityRow(
        v["id"],
        v["element"],
        v["status"],
        v.get("year"),
        v.get("capacity_t_per_year"),
        v.get("used_t_per_year"),
        v.get("used_year"),
        tuple(v.get("cargo_classes") or ()),
        tuple(v.get("modes") or ()),
        sources,
        v.get("note") or "",
    )


def state_record(v: Mapping[str, Any], sources: Provenance) -> State:
    """A :class:`State` from parsed cell values (missing effects are neutral)."""
    factor = v.get("capacity_factor")
    return State(
        v["id"],
        v["name_en"],
        v.get("name_ja") or "",
        v["kind"],
        tuple(v["targets"]),
        v["start"],
        v.get("end"),
        1.0 if factor is None else float(factor),
        num(v, "delay_days"),
        num(v, "surcharge_usd_per_t"),
        sources,
        v.get("note") or "",
        tuple(int(m) for m in v.get("months") or ()),
        num(v, "delay_days_p95") if v.get("delay_days_p95") is not None else num(v, "delay_days"),
    )


def service_record(v: Mapping[str, Any], sources: Provenance) -> ServiceRow:
    """A :class:`ServiceRow` from parsed cell values."""
    formation = num(v, "formation_hours")
    return ServiceRow(
        v["id"],
        v["service"],
        tuple(v.get("default_for") or ()),
        tuple(p.strip() for p in (v.get("scope") or "").split("|") if p.strip()),
        v.get("speed_km_per_day"),
        v.get("link_overhead_days"),
        v.get("p95_factor"),
        formation,
        max(num(v, "formation_hours_p95"), formation),
        sources,
        v.get("note") or "",
    )


def term_record(v: Mapping[str, Any]) -> Term:
    """A :class:`Term` from parsed cell values."""
    return Term(
        v["id"],
        tuple(v.get("applies_to") or ()),
        tuple(v.get("cargo_classes") or ()),
        v["kind"],
        v["text_en"],
        v["text_ja"],
        v["basis"],
    )
