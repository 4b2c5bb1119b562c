"""Request and response bodies of the REST API (pydantic models).

Request bodies forbid unknown fields and bound every number and list, so a request can
neither name a file nor ask for unbounded work. Response models describe exactly what the
library's ``to_dict()`` returns (``docs/json.md``); the API sends that dictionary as it is,
and the tests validate it against these models.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from corridor.risk._common import DEFAULT_K as RISK_K
from corridor.risk._common import MAX_YEARS
from corridor.routing.kbest import MAX_K
from corridor.validate import (
    MAX_CARBON_PRICE_USD_PER_T,
    MAX_PENALTY_USD_PER_T,
    MAX_VOLUME_T_PER_YEAR,
)

MAX_LIST = 16
"""Most ids in one ``avoid`` list, ``penalise`` map, or batch ``origins``/``destinations``."""
MAX_BATCH_PAIRS = 100
"""Most origin–destination pairs in one batch job."""
MAX_UNCERTAINTY_SAMPLES = 10_000
"""Joint draws of the estimates one request may ask for (about 20 s on one core)."""

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9_\-]+$", min_length=1, max_length=64),
    Field(description="An id from the network tables (letters, digits, '_' and '-')."),
]
Penalty = Annotated[float, Field(ge=0, le=MAX_PENALTY_USD_PER_T)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class ParetoBody(_Body):
    """Body of ``POST /api/pareto``."""

    commodity: Id
    origin: Id
    destination: Id
    avoid: list[Id] = Field(
        default_factory=list,
        max_length=MAX_LIST,
        description="Country or chokepoint ids no route may touch (hard filter).",
    )
    carbon_price: float = Field(
        0.0, ge=0, le=MAX_CARBON_PRICE_USD_PER_T, description="USD per t CO2e added to cost."
    )
    buyer: Id | None = Field(
        None,
        description="Buyer profile whose sanctions regimes exclude, flag or condition routes "
        "(buyers table; default JP where the table has it); 'none' excludes nothing and flags "
        "every regime.",
    )


class CompareBody(ParetoBody):
    """Body of ``POST /api/compare``."""

    penalise: dict[Id, Penalty] = Field(
        default_factory=dict,
        max_length=MAX_LIST,
        description="Exposure id -> USD per tonne added to routes crossing it.",
    )
    volume: float | None = Field(
        None, gt=0, le=MAX_VOLUME_T_PER_YEAR, description="Annual tonnes (premium per year)."
    )
    uncertainty: int = Field(
        default=0,
        ge=0,
        le=MAX_UNCERTAINTY_SAMPLES,
        description="Joint draws of the estimates: P5/P50/P95 bands, ranking flips and "
        "(compare) the drivers of the premium under 'uncertainty' (0: none).",
    )
    uncertainty_seed: int = Field(default=0, ge=0, le=2**31 - 1, description="Seed of those draws.")


class BreakEvenBody(_Body):
    """Body of ``POST /api/breakeven``."""

    commodity: Id
    origin: Id
    destination: Id
    share: float = Field(0.5, gt=0, lt=1, description="Trans-Caspian share to reach.")
    volume: float | None = Field(
        None, gt=0, le=MAX_VOLUME_T_PER_YEAR, description="Annual tonnes (the yearly bill)."
    )
    year: int = Field(2025, ge=1900, le=2100, description="Year whose regimes apply.")
    shortfall: float = Field(
        0.3, ge=0, le=10, description="Cost of a stranded tonne, share of its value."
    )
    kappa: float = Field(1.0, ge=0, le=100, description="Weight on CVaR above the mean.")
    alpha: float = Field(0.95, gt=0, lt=1, description="CVaR level.")


class RoutesBody(CompareBody):
    """Body of ``POST /api/routes``."""

    k: int = Field(5, ge=1, le=MAX_K, description="Number of genuinely different routes.")


class BatchCompareBody(_Body):
    """Parameters of a ``batch_compare`` job: ``compare`` for every origin × destination."""

    commodity: Id
    origins: list[Id] = Field(min_length=1, max_length=MAX_LIST)
    destinations: list[Id] = Field(min_length=1, max_length=MAX_LIST)
    avoid: list[Id] = Field(default_factory=list, max_length=MAX_LIST)
    penalise: dict[Id, Penalty] = Field(default_factory=dict, max_length=MAX_LIST)
    volume: float | None = Field(None, gt=0, le=MAX_VOLUME_T_PER_YEAR)
    carbon_price: float = Field(0.0, ge=0, le=MAX_CARBON_PRICE_USD_PER_T)
    buyer: Id | None = Field(None, description="Buyer profile (see the compare body).")


Family = Literal["china", "trans_caspian", "russia", "south"]
Share = Annotated[float, Field(ge=0, le=1)]


class CapacityBody(_Body):
    """Body of ``POST /api/capacity``."""

    commodity: Id
    origins: list[Id] = Field(min_length=1, max_length=MAX_LIST)
    destinations: list[Id] = Field(min_length=1, max_length=MAX_LIST)
    avoid: list[Id] = Field(default_factory=list, max_length=MAX_LIST)
    families: list[Family] = Field(
        default_factory=list, max_length=4, description="Route families to use (default all)."
    )


class ContractBody(_Body):
    """One contract of a plan: an annual volume to deliver."""

    id: Id
    commodity: Id
    origins: list[Id] = Field(min_length=1, max_length=MAX_LIST)
    destinations: list[Id] = Field(min_length=1, max_length=MAX_LIST)
    volume_t_per_year: float = Field(gt=0, le=MAX_VOLUME_T_PER_YEAR)
    avoid: list[Id] = Field(default_factory=list, max_length=MAX_LIST)


class RuleBody(_Body):
    """A diversification rule: a bound on the share of tonnes through an exposure or family."""

    on: Literal["exposure", "family"]
    target: Id
    max_share: Share | None = None
    min_share: Share | None = None
    scope: Id = Field(
        "each_contract", description="each_contract, portfolio, or one contract's id."
    )


class PlanBody(_Body):
    """Body of ``POST /api/plan`` (and parameters of a ``plan`` job)."""

    contracts: list[ContractBody] = Field(min_length=1, max_length=MAX_LIST)
    rules: list[RuleBody] = Field(default_factory=list, max_length=MAX_LIST)
    k: int = Field(12, ge=1, le=MAX_K, description="Candidate routes per origin-destination.")
    carbon_price: float = Field(0.0, ge=0, le=MAX_CARBON_PRICE_USD_PER_T)
    risk_penalty: float = Field(
        0.0, ge=0, le=MAX_PENALTY_USD_PER_T, description="USD/t per disrupted day per year."
    )


MAX_STRESS_YEARS = MAX_YEARS
"""Most simulated years in one stress job (the command line's cap too)."""
WEB_STRESS_YEARS = 20_000
"""Simulated years of a stress job that does not say."""
MAX_SEED = 2**63 - 1


class StressBody(_Body):
    """Parameters of a ``stress`` job: a Monte Carlo stress test (``docs/risk.md``).

    Either one route choice (``commodity``, ``origin``, ``destination``, ``volume``: the
    whole volume on the cheapest route, as ``corridor stress --single-route``) or
    ``contracts`` (and ``rules``), planned first as by a ``plan`` job.
    """

    commodity: Id | None = None
    origin: Id | None = None
    destination: Id | None = None
    volume: float | None = Field(None, gt=0, le=MAX_VOLUME_T_PER_YEAR, description="t/yr.")
    avoid: list[Id] = Field(
        default_factory=list,
        max_length=MAX_LIST,
        description="Exposures neither the route nor re-routing may use.",
    )
    contracts: list[ContractBody] | None = Field(None, min_length=1, max_length=MAX_LIST)
    rules: list[RuleBody] = Field(default_factory=list, max_length=MAX_LIST)
    k: int = Field(
        RISK_K, ge=1, le=MAX_K, description="Re-routing candidates per origin-destination."
    )
    years: int = Field(WEB_STRESS_YEARS, ge=1, le=MAX_STRESS_YEARS, description="Simulated years.")
    seed: int = Field(0, ge=0, le=MAX_SEED, description="Same seed, same numbers.")


MAX_WEB_REPLICATIONS = 500
"""Most simulation replications one job may ask for (about a minute on one core)."""


class SimulateBody(_Body):
    """Parameters of a ``simulate`` job: the SimPy model of the Caspian queues (``docs/sim.md``).

    The cargo (``volume`` tonnes over the horizon) is traced on the cheapest route of
    ``commodity`` from ``origin`` to ``destination`` that crosses the Caspian on a rail ferry;
    any what-if field away from its default adds a second run with the same seed and the
    change against the base, as ``corridor simulate`` with its what-if options.
    """

    commodity: Id
    origin: Id
    destination: Id
    volume: float = Field(gt=0, le=MAX_VOLUME_T_PER_YEAR, description="t over the horizon.")
    replications: int = Field(20, ge=1, le=MAX_WEB_REPLICATIONS, description="Replications.")
    seed: int = Field(0, ge=0, le=MAX_SEED, description="Same seed, same numbers.")
    horizon_days: float = Field(365.0, ge=30, le=730, description="Simulated days.")
    extra_ferries: int = Field(0, ge=0, le=20, description="What-if: ferries added to the pool.")
    customs_cut_hours: float = Field(
        0.0, ge=0, le=240, description="What-if: hours off every customs, port or border dwell."
    )
    handling_factor: float = Field(
        1.0, gt=0, le=10, description="What-if: ferry loading rate multiplier."
    )
    handling_port: Id | None = Field(
        None, description="Port node of handling_factor (default: every rail-ferry port)."
    )
    second_track: bool = Field(False, description="What-if: Dostyk–Moyinty double track.")
    storm_factor: float = Field(1.0, ge=0, le=10, description="What-if: storm days ×.")


JobKindName = Literal[
    "routes", "compare", "pareto", "batch_compare", "capacity", "plan", "stress", "simulate"
]


class JobBody(_Body):
    """Body of ``POST /api/jobs``: a job kind and its parameters.

    ``params`` is the body of ``POST /api/routes``, ``/api/compare``, ``/api/pareto``,
    ``/api/capacity`` or ``/api/plan`` for those kinds, a :class:`BatchCompareBody` for
    ``batch_compare``, a :class:`StressBody` for ``stress`` and a :class:`SimulateBody` for
    ``simulate``.
    """

    kind: JobKindName
    params: dict[str, Any] = Field(default_factory=dict, max_length=32)


# --------------------------------------------------------------------------- responses


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ErrorDetail(_Out):
    message: str
    field: str | None


class ErrorOut(_Out):
    """Every 4xx/5xx answer."""

    error: ErrorDetail


class LegOut(_Out):
    from_: str = Field(alias="from")
    to: str
    mode: str
    kind: Literal["link", "transfer", "dwell"]
    link: str | None
    what: str
    distance_km: float
    cost_usd_per_t: float
    days_mean: float
    days_p95: float
    co2e_kg_per_t: float
    cost_parts_usd_per_t: dict[str, float]


class TotalsOut(_Out):
    distance_km: float
    cost_usd_per_t: float
    days_mean: float
    days_p95: float
    co2e_kg_per_t: float
    cost_breakdown_usd_per_t: dict[str, float]


class RiskOut(_Out):
    annual_probability: float
    disrupted_days_per_year: float
    disrupted_days_by_exposure: dict[str, float]


class ConditionOut(_Out):
    kind: str
    where: str
    text: str
    text_ja: str


class RegimeFlagOut(_Out):
    regime: str
    name: str
    name_ja: str
    effect: Literal["exclude", "flag", "condition", "penalty"]
    binding: bool
    touches: list[str]
    restricts: list[str]
    penalty_usd_per_t: float
    lead_time_days: float | None
    lead_time_days_p95: float | None


class RouteOut(_Out):
    label: str
    label_ja: str
    gateways: list[str]
    family: str
    commodity: str
    nodes: list[str]
    legs: list[LegOut]
    charges_usd_per_t: dict[str, float]
    totals: TotalsOut
    countries: list[str]
    chokepoints: list[str]
    risk: RiskOut
    conditions: list[ConditionOut]
    sources: list[str]
    compliance: list[RegimeFlagOut]


class RequestOut(_Out):
    buyer: str
    commodity: str
    origin: str
    destination: str
    avoid: list[str]
    penalise_usd_per_t: dict[str, float]
    volume_t_per_year: float | None
    k: int


class RouteSetOut(_Out):
    """Answer of ``POST /api/routes`` and ``/api/pareto`` (``RouteSet.to_dict()``)."""

    schema_version: int
    request: RequestOut
    routes: list[RouteOut]
    notes: list[str]


class PremiumOut(_Out):
    name: str
    avoid: list[str]
    route: str | None
    route_index: int | None
    reason: str | None
    cost_usd_per_t: float | None
    days_mean: float | None
    premium_usd_per_t: float | None
    premium_usd_per_year: float | None
    extra_days: float | None
    extra_days_p95: float | None
    risk_change_probability: float | None
    risk_change_disrupted_days_per_year: float | None
    risk_measures_change: dict[str, float] | None = None


class MeasuresOut(_Out):
    """``corridor.risk.measures.Measures.to_dict()`` (docs/risk.md, comparison measures)."""

    p_interruption_over_30d_30pct: float
    expected_tonne_days_per_t: float
    expected_stockout_days: float
    events: list[str]


class ComparedMeasuresOut(_Out):
    stock_days: float
    definitions: str
    routes: list[MeasuresOut]
    shared: MeasuresOut


class ComparisonOut(RouteSetOut):
    """Answer of ``POST /api/compare`` (``Comparison.to_dict()``)."""

    unavailable: dict[str, str]
    premium: list[PremiumOut]
    risk_measures: ComparedMeasuresOut | None = None


Provenance = dict[str, list[str]]


class NodeOut(_Out):
    id: str
    name_en: str
    name_ja: str
    country: str
    kind: str
    lat: float
    lon: float
    handling_usd_per_t: dict[str, float]
    handling_hours: float
    handling_hours_p95: float
    dwell_hours: float
    dwell_hours_p95: float
    border_fee_usd_per_t: float
    gauges_mm: list[int]
    cargo_classes: list[str]
    products: list[str]
    sources: Provenance
    note: str


class LinkOut(_Out):
    id: str
    from_: str = Field(alias="from")
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
    cargo_classes: list[str]
    countries: list[str]
    chokepoints: list[str]
    season: dict[str, float]
    bidirectional: bool
    emission_factor: str
    geometry: list[list[float]]
    sources: Provenance
    note: str


class CommodityOut(_Out):
    id: str
    name_en: str
    name_ja: str
    cargo_class: str
    un_number: str
    value_usd_per_t: float
    packaging: str
    allowed_modes: list[str]
    insurance_pct: float
    freight_factor: float
    no_route_reason: str
    sources: Provenance
    note: str
    rail_tariff_factors: dict[str, float]


class ExposureOut(_Out):
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


class EmissionFactorOut(_Out):
    id: str
    mode: str
    vehicle: str
    co2e_g_per_tkm: float
    sources: Provenance
    note: str


class SourceOut(_Out):
    id: str
    citation: str
    url: str
    year: int
    kind: str
    method: str


class RecordOut(_Out):
    """One record of any table, with the sources behind its figures resolved."""

    table: str
    id: str
    record: dict[str, Any]
    sources: Provenance = Field(description="Column -> ids of the sources behind its figure.")
    source_details: list[SourceOut]


class NetworkOut(_Out):
    """Answer of ``GET /api/network``: what the network holds."""

    origin: str
    counts: dict[str, int]
    node_kinds: dict[str, int]
    node_countries: dict[str, int]
    link_modes: dict[str, int]
    link_families: dict[str, int]


class LimitsOut(_Out):
    max_body_bytes: int
    max_k: int
    max_list: int
    max_batch_pairs: int
    max_active_jobs: int


class InfoOut(_Out):
    """Answer of ``GET /api/info``: what this server offers and requires."""

    name: str
    version: str
    network: str
    token_required: bool
    reads_need_token: bool
    job_kinds: list[str]
    limits: LimitsOut
    features: dict[str, bool]


class HealthOut(_Out):
    """Answer of ``GET /api/health`` (open without a token)."""

    status: Literal["ok"]
    token_required: bool = Field(description="POST and DELETE requests need a token.")
    reads_need_token: bool = Field(
        description="Every request but the page, its files, the docs and this one needs a token."
    )


JobStatusName = Literal["queued", "running", "done", "failed", "cancelled", "interrupted"]


class JobOut(_Out):
    """A background job: status and progress, with its result once done."""

    id: str
    kind: str
    params: dict[str, Any]
    status: JobStatusName
    progress: float = Field(ge=0, le=1)
    cancel_requested: bool
    created: float = Field(description="Unix time.")
    started: float | None
    finished: float | None
    error: str | None
    result: dict[str, Any] | None = Field(
        None, description="The job's answer (only in GET /api/jobs/{id}, once done)."
    )


class JobListOut(_Out):
    jobs: list[JobOut]


class RunOut(BaseModel):
    """A stored capacity or plan run (``corridor.store.RunRecord.to_dict()``)."""

    id: str
    kind: str
    created_at: str
    status: str
    inputs_hash: str
    data_version: str
    parameters: dict[str, Any]
    headline: dict[str, Any]
    result: dict[str, Any] | None = None
    tables: dict[str, list[dict[str, Any]]] | None = None


class RunListOut(_Out):
    runs: list[RunOut]
