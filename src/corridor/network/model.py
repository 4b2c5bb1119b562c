"""The network's records and the immutable :class:`Network` that holds them."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any

from corridor._derived import Derived
from corridor._json import canonical_json
from corridor.errors import UnknownIdError
from corridor.network.ranges import Range, RangeKey
from corridor.network.regimes import Buyer, Regime
from corridor.network.schema import TABLES

ID_PATTERN = re.compile(r"^[A-Za-z0-9_\-]+$")
DATA_ENV = "CORRIDOR_DATA"

Provenance = Mapping[str, tuple[str, ...]]
"""Column name -> source ids backing that column's figure in one row."""


@dataclass(frozen=True)
class Source:
    id: str
    citation: str
    url: str
    year: int
    kind: str
    method: str


@dataclass(frozen=True)
class EmissionFactor:
    id: str
    mode: str
    vehicle: str
    co2e_g_per_tkm: float
    sources: Provenance
    note: str


@dataclass(frozen=True)
class Exposure:
    """A country or a chokepoint/sea area whose disruption can stop a route."""

    id: str
    kind: str
    name_en: str
    name_ja: str
    lat: float | None
    lon: float | None
    events_per_year: float
    duration_days: float
    capacity_loss: float
    war_risk_pct: float
    sources: Provenance
    note: str

    @property
    def annual_probability(self) -> float:
        """Probability of at least one disruption in a year (Poisson events)."""
        return 1.0 - math.exp(-self.events_per_year)

    @property
    def disrupted_days_per_year(self) -> float:
        """Expected full-closure-equivalent days per year: events × duration × capacity lost."""
        return self.events_per_year * self.duration_days * self.capacity_loss


@dataclass(frozen=True)
class Commodity:
    id: str
    name_en: str
    name_ja: str
    cargo_class: str
    un_number: str
    value_usd_per_t: float
    packaging: str
    allowed_modes: tuple[str, ...]
    insurance_pct: float
    freight_factor: float
    no_route_reason: str
    sources: Provenance
    note: str
    rail_tariff_factors: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    """Country -> multiple of that country's rail tariffs for this commodity's cargo group."""


@dataclass(frozen=True)
class Event:
    """A kind of disruption: what it hits, how often, how long, and how badly."""

    id: str
    name_en: str
    kind: str
    targets: tuple[str, ...]
    events_per_year: float
    duration_days: float
    duration_days_p95: float
    capacity_loss: float
    delay_days: float
    surcharge_usd_per_t: float
    insurance_pct_add: float
    sources: Provenance
    note: str
    name_ja: str = ""

    @property
    def annual_probability(self) -> float:
        """Probability of at least one occurrence in a year."""
        return 1.0 - math.exp(-self.events_per_year)


@dataclass(frozen=True)
class Node:
    id: str
    name_en: str
    name_ja: str
    country: str
    kind: str
    lat: float
    lon: float
    handling_usd_per_t: Mapping[str, float]
    handling_hours: float
    handling_hours_p95: float
    dwell_hours: float
    dwell_hours_p95: float
    border_fee_usd_per_t: float
    gauges_mm: tuple[int, ...]
    cargo_classes: tuple[str, ...]
    products: tuple[str, ...]
    sources: Provenance
    note: str


@dataclass(frozen=True)
class Link:
    id: str
    from_: str
    to: str
    mode: str
    gauge_mm: int | None
    service: str
    family: str
    distance_km: float
    transit_days: float
    transit_days_p95: float
    tariff_usd_per_t: float
    tariff_usd_per_tkm: float
    capacity_t_per_year: float | None
    capacity_group: str
    cargo_classes: tuple[str, ...]
    countries: tuple[str, ...]
    chokepoints: tuple[str, ...]
    season: Mapping[int, float]
    bidirectional: bool
    emission_factor: str
    geometry: tuple[tuple[float, float], ...]
    sources: Provenance
    note: str
    added_days: float = 0.0
    """Days a state or scenario edit added to ``transit_days`` (kept apart so that a transit
    recomputed from a rail service's speed keeps them too)."""
    added_days_p95: float = 0.0
    """Days added to ``transit_days_p95`` likewise."""

    @property
    def mode_key(self) -> str:
        """Mode and gauge: the per-mode copy of a node this link attaches to."""
        return f"rail{self.gauge_mm}" if self.mode == "rail" else self.mode


@dataclass(frozen=True)
class CapacityRow:
    """A row of ``capacities.csv``: one dated, sourced capacity and its use by others."""

    id: str
    element: str
    status: str
    year: int | None
    capacity_t_per_year: float | None
    used_t_per_year: float | None
    used_year: int | None
    cargo_classes: tuple[str, ...]
    modes: tuple[str, ...]
    sources: Provenance
    note: str


@dataclass(frozen=True)
class State:
    """A chronic condition of the network that holds between two dates (``states.csv``)."""

    id: str
    name_en: str
    name_ja: str
    kind: str
    targets: tuple[str, ...]
    start: dt.date
    end: dt.date | None
    capacity_factor: float
    delay_days: float
    surcharge_usd_per_t: float
    sources: Provenance
    note: str
    months: tuple[int, ...] = ()
    delay_days_p95: float = 0.0

    def holds_on(self, day: dt.date) -> bool:
        """Whether the state is in force on ``day`` (both ends and its months included)."""
        in_range = self.start <= day and (self.end is None or day <= self.end)
        return in_range and (not self.months or day.month in self.months)


@dataclass(frozen=True)
class ServiceRow:
    """A row of ``services.csv``: speed, spread and formation of a rail service class."""

    id: str
    service: str
    default_for: tuple[str, ...]
    scope: tuple[str, ...]
    speed_km_per_day: float | None
    link_overhead_days: float | None
    p95_factor: float | None
    formation_hours: float
    formation_hours_p95: float
    sources: Provenance
    note: str


@dataclass(frozen=True)
class Project:
    """A row of ``projects.csv``: an investment, its cost, timing and effect as scenario edits.

    ``edits`` holds the edit entries as written (``commission:CAP_ID``,
    ``expand:TARGET:PERCENT``, ``delay:TARGET:DAYS``, ``tariff:TARGET:FACTOR``,
    ``add:FILE``); :func:`corridor.network.projects.project_scenario` turns them into a
    scenario.
    """

    id: str
    name_en: str
    name_ja: str
    kind: str
    status: str
    as_of: dt.date
    capex_usd: float
    capex_low_usd: float
    capex_high_usd: float
    opex_usd_per_year: float
    lead_years: float
    lifetime_years: float
    edits: tuple[str, ...]
    effect_low: float
    effect_high: float
    sources: Provenance
    note: str
    sim_whatif: tuple[tuple[str, str], ...] = ()
    """The project as a what-if of the queue simulation: (field, value) pairs of
    :class:`corridor.sim.model.WhatIf`; empty when it changes no simulated queue."""


@dataclass(frozen=True)
class Term:
    """A row of ``terms.csv``: how a place handles a cargo class (charter only, an assumed
    acceptance). Permissions a state gives are regimes with effect ``condition``."""

    id: str
    applies_to: tuple[str, ...]
    cargo_classes: tuple[str, ...]
    kind: str
    text_en: str
    text_ja: str
    basis: str


@dataclass(frozen=True)
class RecoverTimeRow:
    """A row of ``risk_ttr.csv``: days an element of a kind typically stays lost."""

    id: str
    element: str
    """'node', 'link' or 'exposure'."""
    kind: str
    """The node's kind, the link's mode or the exposure's kind ('*': any other)."""
    value: float
    low: float
    high: float
    sources: Provenance
    note: str = ""


@dataclass(frozen=True)
class RecoveryRow:
    """A row of ``risk_recovery.csv``: a switching lead time, the spot premium, or other
    users' traffic on a capacity and where it goes when that capacity closes."""

    id: str
    kind: str
    """'lead_time', 'spot_premium' or 'background'."""
    key: str
    to: tuple[str, ...]
    value: float
    low: float
    high: float
    unit: str
    sources: Provenance
    note: str = ""


@dataclass(frozen=True, eq=False)
class Network:
    """The validated corridor network: immutable tables with id maps.

    Build it with :func:`load_network`; derive what-if variants with
    :func:`dataclasses.replace` rather than mutating. Equality and hashing are by identity,
    so results computed for one network can be cached against it.
    """

    nodes: tuple[Node, ...]
    links: tuple[Link, ...]
    commodities: tuple[Commodity, ...]
    exposures: tuple[Exposure, ...]
    emission_factors: tuple[EmissionFactor, ...]
    sources: tuple[Source, ...]
    origin: str = "bundled"
    events: tuple[Event, ...] = ()
    regimes: tuple[Regime, ...] = ()
    buyers: tuple[Buyer, ...] = ()
    ranges: Mapping[RangeKey, Range] = field(default_factory=lambda: MappingProxyType({}))
    """(table, record id, column) -> plausible range of that figure (the ``ranges`` table)."""
    capacities: tuple[CapacityRow, ...] = ()
    states: tuple[State, ...] = ()
    services: tuple[ServiceRow, ...] = ()
    terms: tuple[Term, ...] = ()
    risk_ttr: tuple[RecoverTimeRow, ...] = ()
    risk_recovery: tuple[RecoveryRow, ...] = ()
    projects: tuple[Project, ...] = ()
    as_of: dt.date | None = None
    """Date whose states have been applied (:func:`corridor.network.states.network_on`);
    None: the tables as written."""
    _index: dict[str, dict[str, Any]] = field(init=False, compare=False, repr=False)
    derived: Derived = field(init=False, compare=False, repr=False)
    """What is computed from this network (graphs, capacities, its data version), kept with it
    and dropped with it; not pickled."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "derived", Derived())
        # init=False: dataclasses.replace() builds a fresh index for the copy
        index = {name: {r.id: r for r in getattr(self, name)} for name in TABLES}
        object.__setattr__(self, "_index", index)

    def node(self, node_id: str) -> Node:
        return self._get("nodes", node_id, "node")  # type: ignore[no-any-return]

    def link(self, link_id: str) -> Link:
        return self._get("links", link_id, "link")  # type: ignore[no-any-return]

    def commodity(self, commodity_id: str) -> Commodity:
        return self._get("commodities", commodity_id, "commodity")  # type: ignore[no-any-return]

    def exposure(self, exposure_id: str) -> Exposure:
        return self._get("exposures", exposure_id, "exposure")  # type: ignore[no-any-return]

    def event(self, event_id: str) -> Event:
        return self._get("events", event_id, "event")  # type: ignore[no-any-return]

    def emission_factor(self, factor_id: str) -> EmissionFactor:
        return self._get("emission_factors", factor_id, "emission factor")  # type: ignore[no-any-return]

    def source(self, source_id: str) -> Source:
        return self._get("sources", source_id, "source")  # type: ignore[no-any-return]

    def buyer_profiles(self) -> Mapping[str, Buyer]:
        """Buyer profiles by id."""
        return MappingProxyType(self._index["buyers"])

    def has(self, table: str, record_id: str) -> bool:
        return record_id in self._index[table]

    def record(self, table: str, record_id: str) -> Any:
        """The row of ``table`` with this id (KeyError if absent)."""
        return self._index[table][record_id]

    def similar_ids(self, wanted: str) -> list[str]:
        """Ids of any table that look like ``wanted`` (for 'did you mean' hints)."""
        return _close_ids(wanted, (i for ids in self._index.values() for i in ids))

    def _get(self, table: str, record_id: str, what: str) -> Any:
        try:
            return self._index[table][record_id]
        except KeyError:
            near = tuple(_close_ids(record_id, self._index[table]))
            raise UnknownIdError(table, record_id, what, near) from None

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "derived"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        object.__setattr__(self, "derived", Derived())

    @property
    def data_version(self) -> str:
        """SHA-256 of the network's tables (every row of every table, canonically written)
        and of its estimate ranges (bands drawn from them are results of the data too),
        computed once per network."""
        return self.derived.get("data_version", self._hash_tables)

    def _hash_tables(self) -> str:
        digest = hashlib.sha256()
        for table in TABLES:
            for record in getattr(self, table):
                digest.update(canonical_json(record).encode())
                digest.update(b"\n")
        digest.update(b"ranges\n")
        for key in sorted(self.ranges):
            digest.update(canonical_json(self.ranges[key]).encode())
            digest.update(b"\n")
        return digest.hexdigest()

    @cached_property
    def node_index(self) -> Mapping[str, int]:
        """Node id -> position in :attr:`nodes` (for array-based algorithms)."""
        return MappingProxyType({n.id: i for i, n in enumerate(self.nodes)})

    @cached_property
    def node_bits(self) -> tuple[int, ...]:
        """Node position -> ``1 << position``: sets of places as integers, one object per
        place shared by every search on this network (on a large network each is long)."""
        return tuple(1 << i for i in range(len(self.nodes)))

    def families(self) -> dict[str, list[Link]]:
        """Links grouped by route family."""
        out: dict[str, list[Link]] = {}
        for link in self.links:
            out.setdefault(link.family, []).append(link)
        return out


def _close_ids(wanted: str, ids: Iterable[str]) -> list[str]:
    import difflib

    return difflib.get_close_matches(wanted, list(ids), n=3, cutoff=0.6)


# --------------------------------------------------------------------------- loading
