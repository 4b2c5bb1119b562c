"""Request and response bodies of the REST API (pydantic models).

Request bodies forbid unknown fields and bound every number and list, so a request can
neither name a file nor ask for unbounded work. Response models describe exactly what the
library's ``to_dict()`` returns (``docs/json.md``); the API sends that dictionary as it is,
and the tests validate it against these models. Models of library records are derived from
their dataclasses (:func:`corridor.web._derive.model_of`), so a field added to a record
appears in the schema without a second edit.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from corridor import store
from corridor.analysis import results
from corridor.network import model, names, regimes
from corridor.risk import exposure, measures, timeline
from corridor.risk._common import DEFAULT_K as RISK_K
from corridor.risk._common import MAX_YEARS
from corridor.risk.calendar import DEFAULT_STOCK_DAYS
from corridor.routing import route
from corridor.routing.kbest import MAX_K
from corridor.validate import (
    MAX_CARBON_PRICE_USD_PER_T,
    MAX_PENALTY_USD_PER_T,
    MAX_VOLUME_T_PER_YEAR,
)
from corridor.web import _derive, jobs
from corridor.web._derive import model_of

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


EARLIEST_AS_OF = dt.date(2000, 1, 1)
LATEST_AS_OF = dt.date(2100, 12, 31)
AsOfDate = Annotated[dt.date, Field(ge=EARLIEST_AS_OF, le=LATEST_AS_OF)]
ServiceName = Literal["block", "wagonload"]


def _as_of() -> Any:
    return Field(
        None,
        description="The day whose dated states (states.csv) and capacity figures apply, "
        "YYYY-MM-DD from 2000-01-01 to 2100-12-31 (default: the day the server started), as "
        "the command line's --as-of.",
    )


def _service() -> Any:
    return Field(
        None,
        description="Rail service class: block (scheduled block train) or wagonload (default: "
        "block for containers, class 7 and liquids, wagonload for bulk), as --service.",
    )


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
    as_of: AsOfDate | None = _as_of()


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
    service: ServiceName | None = _service()


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
    sanctions_probability: float = Field(
        1.0,
        gt=0,
        le=1,
        description="Yearly chance of the China-route sanctions cost whose break-even is "
        "given (1: a cost in force, USD per tonne).",
    )


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
    service: ServiceName | None = _service()
    as_of: AsOfDate | None = _as_of()


Family = Literal["china", "trans_caspian", "russia", "south"]
Share = Annotated[float, Field(ge=0, le=1)]


MAX_CAPACITY_UNCERTAINTY = 2_000
"""Most draws of a capacity band in one request (one max-flow LP re-solved per draw)."""
MAX_PLAN_UNCERTAINTY = 1_000
"""Most draws of a plan band in one request (the plan's LP re-solved per draw)."""
MAX_STRESS_UNCERTAINTY = 400
"""Most draws of a stress band in one job (a Monte Carlo run per draw: 100 draws ~20 s)."""


def _uncertainty(most: int, what: str) -> Any:
    return Field(
        default=0,
        ge=0,
        le=most,
        description=f"Joint draws of the estimates: P5/P50/P95 bands of {what} and the "
        "drivers (Sobol' indices, tornado ends, improve first) under 'uncertainty' (0: none).",
    )


def _uncertainty_seed() -> Any:
    return Field(default=0, ge=0, le=2**31 - 1, description="Seed of those draws.")


class CapacityBody(_Body):
    """Body of ``POST /api/capacity``."""

    commodity: Id
    origins: list[Id] = Field(min_length=1, max_length=MAX_LIST)
    destinations: list[Id] = Field(min_length=1, max_length=MAX_LIST)
    avoid: list[Id] = Field(default_factory=list, max_length=MAX_LIST)
    families: list[Family] = Field(
        default_factory=list, max_length=4, description="Route families to use (default all)."
    )
    as_of: AsOfDate | None = _as_of()
    uncertainty: int = _uncertainty(
        MAX_CAPACITY_UNCERTAINTY, "the tonnes left for the user, how often each capacity binds"
    )
    uncertainty_seed: int = _uncertainty_seed()


class ContractBody(_Body):
    """One contract of a plan: an annual volume to deliver."""

    id: Id
    commodity: Id
    origins: list[Id] = Field(min_length=1, max_length=MAX_LIST)
    destinations: list[Id] = Field(min_length=1, max_length=MAX_LIST)
    volume_t_per_year: float = Field(gt=0, le=MAX_VOLUME_T_PER_YEAR)
    avoid: list[Id] = Field(default_factory=list, max_length=MAX_LIST)
    stock_days: float | None = Field(
        None, ge=0, le=3650, description="Buyer's safety stock, days of consumption."
    )


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
    service: ServiceName | None = _service()
    as_of: AsOfDate | None = _as_of()
    uncertainty: int = _uncertainty(
        MAX_PLAN_UNCERTAINTY,
        "the cost, shortfall, family shares and shadow prices (those set by the shortfall "
        "penalty listed apart)",
    )
    uncertainty_seed: int = _uncertainty_seed()


MAX_STRESS_YEARS = MAX_YEARS
"""Most simulated years in one stress job (the command line's cap too)."""
WEB_STRESS_YEARS = 20_000
"""Simulated years of a stress job that does not say."""
MAX_SEED = 2**63 - 1


class _AllocationBody(_Body):
    """What a stress job or an exposure request works on.

    Either one route choice (``commodity``, ``origin``, ``destination``, ``volume``: the
    whole volume on the cheapest route, as ``--single-route`` on the command line) or
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
    as_of: AsOfDate | None = _as_of()


class StressBody(_AllocationBody):
    """Parameters of a ``stress`` job: a Monte Carlo stress test (``docs/risk.md``) of one
    route choice or of planned contracts (see the fields)."""

    years: int = Field(WEB_STRESS_YEARS, ge=1, le=MAX_STRESS_YEARS, description="Simulated years.")
    seed: int = Field(0, ge=0, le=MAX_SEED, description="Same seed, same numbers.")
    uncertainty: int = _uncertainty(
        MAX_STRESS_UNCERTAINTY,
        "the expected and CVaR95 extra cost and undelivered tonnes (at most 2,000 years a draw)",
    )
    uncertainty_seed: int = _uncertainty_seed()


class ExposureBody(_AllocationBody):
    """Body of ``POST /api/exposure``: the risk exposure index (``docs/risk.md#exposure-index``)
    of one route choice or of planned contracts."""

    stock_days: float = Field(
        DEFAULT_STOCK_DAYS,
        ge=0,
        le=3650,
        description="Buyer's safety stock, days of consumption (contracts may set their own).",
    )
    measure: Literal["usd", "stockout", "late"] = Field(
        "usd", description="What the index ranks: extra cost, stock-out days or late tonnes."
    )
    ttr: Literal["median", "p95"] = Field("median", description="Time to recover statistic.")
    start_day: int = Field(0, ge=0, le=364, description="Day of the year lost (0 = 1 January).")


MAX_WEB_REPLICATIONS = 500
"""Most simulation replications one job may ask for (about a minute on one core)."""


class SimulateBody(_Body):
    """Parameters of a ``simulate`` job: the SimPy model of the Caspian queues (``docs/sim.md``).

    The cargo (``volume`` tonnes over the horizon) is traced on the cheapest route of
    ``commodity`` from ``origin`` to ``destination`` that crosses the Caspian on a rail ferry
    or a container feeder;
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
    extra_berths: int = Field(
        0, ge=0, le=10, description="What-if: container berths added at Poti."
    )
    customs_cut_hours: float = Field(
        0.0, ge=0, le=240, description="What-if: hours off every customs, port or border dwell."
    )
    handling_factor: float = Field(
        1.0, gt=0, le=10, description="What-if: loading rate multiplier (ferries, feeders, Poti)."
    )
    handling_port: Id | None = Field(
        None, description="Port node of handling_factor (default: every modelled port)."
    )
    second_track: bool = Field(False, description="What-if: Dostyk–Moyinty double track.")
    storm_factor: float = Field(1.0, ge=0, le=10, description="What-if: storm days ×.")


class InvestBody(_Body):
    """Parameters of an ``invest`` job: the projects of ``projects.csv`` evaluated on the
    contracts (and the corridor traffic) and the best set under a budget (``docs/invest.md``)."""

    contracts: list[ContractBody] = Field(min_length=1, max_length=MAX_LIST)
    rules: list[RuleBody] = Field(default_factory=list, max_length=MAX_LIST)
    budget_usd: float | None = Field(None, ge=0, le=1e13, description="USD (default: no limit).")
    projects: list[Id] | None = Field(
        None, min_length=1, max_length=MAX_LIST, description="Project ids (default: all)."
    )
    corridor_traffic: bool = Field(True, description="Plan the corridor traffic growth too.")
    discount_rate: float = Field(0.06, ge=0, lt=1, description="Real discount rate per year.")
    years: int = Field(
        1_000,  # corridor.invest.intime.DEFAULT_YEARS (not imported: it loads the planner)
        ge=0,
        le=20_000,
        description="Simulated years per plan for stock-out days and CVaR (0: not simulated).",
    )


JobKindName = Literal[
    "routes",
    "compare",
    "pareto",
    "batch_compare",
    "capacity",
    "plan",
    "stress",
    "simulate",
    "invest",
]


class JobBody(_Body):
    """Body of ``POST /api/jobs``: a job kind and its parameters.

    ``params`` is the body of ``POST /api/routes``, ``/api/compare``, ``/api/pareto``,
    ``/api/capacity`` or ``/api/plan`` for those kinds, a :class:`BatchCompareBody` for
    ``batch_compare``, a :class:`StressBody` for ``stress``, a :class:`SimulateBody` for
    ``simulate`` and an :class:`InvestBody` for ``invest``.
    """

    kind: JobKindName
    params: dict[str, Any] = Field(default_factory=dict, max_length=32)


# --------------------------------------------------------------------------- responses
# Derived from the library's dataclasses (``_derive.model_of``): what differs between a
# record's fields and its JSON is said here; everything else follows the record.

_Out = _derive.Out


class ErrorDetail(_Out):
    message: str
    field: str | None


class ErrorOut(_Out):
    """Every 4xx/5xx answer."""

    error: ErrorDetail


Provenance = dict[str, list[str]]

# network records: sent as their fields (``endpoints.record_dict``)
NodeOut = model_of(model.Node, "NodeOut")
LinkOut = model_of(model.Link, "LinkOut", types={"season": dict[str, float]})
CommodityOut = model_of(model.Commodity, "CommodityOut")
ExposureOut = model_of(model.Exposure, "ExposureOut")
EventOut = model_of(model.Event, "EventOut")
EmissionFactorOut = model_of(model.EmissionFactor, "EmissionFactorOut")
SourceOut = model_of(model.Source, "SourceOut")

# routes: ``Route.to_dict()`` and its parts
LegOut = model_of(
    route.Leg,
    "LegOut",
    rename={"parts": "cost_parts_usd_per_t"},
    drop=("days_var",),
    types={"kind": Literal["link", "transfer", "dwell"], "link": str | None},
)
RiskOut = model_of(route.Risk, "RiskOut", rename={"by_exposure": "disrupted_days_by_exposure"})
ConditionOut = model_of(names.Condition, "ConditionOut", rename={"text_en": "text"})
RegimeFlagOut = model_of(
    regimes.RegimeFlag,
    "RegimeFlagOut",
    rename={"name_en": "name"},
    types={
        "effect": Literal["exclude", "flag", "condition", "penalty"],
        "lead_time_days": float | None,
        "lead_time_days_p95": float | None,
    },
)
_TOTALS = ("distance_km", "cost_usd_per_t", "days_mean", "days_p95", "co2e_kg_per_t")
TotalsOut = model_of(
    route.Route,
    "TotalsOut",
    keep=_TOTALS,
    extra={"cost_breakdown_usd_per_t": dict[str, float]},
    doc="A route's totals per tonne (``Route.to_dict()['totals']``).",
)
RouteOut = model_of(
    route.Route,
    "RouteOut",
    rename={"charges": "charges_usd_per_t"},
    drop=("origin", "signature", "build_detail", *_TOTALS),
    extra={
        "label": str,
        "label_ja": str,
        "gateways": list[str],
        "nodes": list[str],
        "legs": list[LegOut],  # type: ignore[valid-type]
        "totals": TotalsOut,
        "countries": list[str],
        "chokepoints": list[str],
        "conditions": list[ConditionOut],  # type: ignore[valid-type]
        "sources": list[str],
        "compliance": list[RegimeFlagOut],  # type: ignore[valid-type]
    },
    doc="One route, priced, with its legs, exposures and the regimes it meets.",
)
RequestOut = model_of(
    results.Request, "RequestOut", rename={"penalise": "penalise_usd_per_t"},
    types={"penalise": dict[str, float]},
)  # fmt: skip
_BANDS = (dict[str, Any], Field(None, description="Bands over joint draws of the estimates."))
RouteSetOut = model_of(
    results.RouteSet,
    "RouteSetOut",
    drop=("compliance",),  # each route carries its own
    types={"uncertainty": _BANDS},
    extra={"schema_version": int},
    optional=("uncertainty",),
    doc="Answer of ``POST /api/routes`` and ``/api/pareto`` (``RouteSet.to_dict()``).",
)
PremiumOut = model_of(
    results.Alternative,
    "PremiumOut",
    rename={"risk_change_days_per_year": "risk_change_disrupted_days_per_year"},
    types={"route": str | None, "reason": str | None},  # the route's label; no reason: null
    extra={
        "route_index": int | None,
        "cost_usd_per_t": float | None,
        "days_mean": float | None,
        "risk_measures_change": dict[str, float] | None,
        "reason_ja": (str | None, Field(description="The reason in Japanese (null if none).")),
    },
    optional=("risk_measures_change",),
)
MeasuresOut = model_of(
    measures.Measures,
    "MeasuresOut",
    rename={
        "p_long_interruption": "p_interruption_over_30d_30pct",
        "tonne_days_per_t": "expected_tonne_days_per_t",
        "stockout_days": "expected_stockout_days",
    },
    doc="``corridor.risk.measures.Measures.to_dict()`` (docs/risk.md, comparison measures).",
)
ComparedMeasuresOut = model_of(
    measures.ComparedMeasures, "ComparedMeasuresOut", extra={"definitions": str}
)
ComparisonOut = model_of(
    results.Comparison,
    "ComparisonOut",
    rename={"measures": "risk_measures"},
    drop=("compliance",),
    types={"uncertainty": _BANDS, "measures": ComparedMeasuresOut},
    extra={
        "schema_version": int,
        "unavailable_ja": (
            dict[str, str],
            Field(description="Family -> why it has no route, in Japanese."),
        ),
        "unavailable_links": (
            dict[str, list[str]],
            Field(description="Family -> the ids of the links its reason names by place."),
        ),
    },
    optional=("uncertainty", "measures", "unavailable_links"),
    doc="Answer of ``POST /api/compare`` (``Comparison.to_dict()``).",
)

YearOutcomeOut = model_of(
    timeline.YearOutcome,
    "YearOutcomeOut",
    doc="What a year's closures did (``YearOutcome.to_dict()``; stock-out days are contract-days).",
)
TimeToRecoverOut = model_of(exposure.TimeToRecover, "TimeToRecoverOut")
ExposureRowOut = model_of(
    exposure.ExposureRow,
    "ExposureRowOut",
    types={"element": str, "first_out": str | None},  # the element's id; none runs out: null
    extra={
        "type": Literal["node", "link", "exposure"],
        "kind": str,
        "name": str,
        "name_ja": (str, Field(description="The element's name in Japanese ('' if none).")),
        "survives": bool,
        "single_point_of_failure": bool,
    },
)
ExposureResultOut = model_of(
    exposure.ExposureResult,
    "ExposureResultOut",
    drop=("allocation", "stock_days", "measure", "ttr_statistic", "start_day", "scenario"),
    types={"measure": str, "ranked_by": Literal["usd", "stockout", "late"]},
    extra={
        "schema_version": int,
        "parameters": (dict[str, Any], Field(description="The request, with the allocation.")),
        "definitions": str,
    },
    doc="Answer of ``POST /api/exposure`` (``ExposureResult.to_dict()``), worst first.",
)


class RecordOut(_Out):
    """One record of any table, with the sources behind its figures resolved."""

    table: str
    id: str
    record: dict[str, Any]
    sources: Provenance = Field(description="Column -> ids of the sources behind its figure.")
    source_details: list[SourceOut]  # type: ignore[valid-type]


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

JobOut = model_of(
    jobs.Job,
    "JobOut",
    drop=("cancel", "saved_at"),
    types={
        "status": JobStatusName,
        "progress": (float, Field(ge=0, le=1)),
        "created": (float, Field(description="Unix time.")),
        "result": (
            dict[str, Any] | None,
            Field(None, description="The job's answer (only in GET /api/jobs/{id}, once done)."),
        ),
    },
    extra={"cancel_requested": bool},
    optional=("result",),
    doc="A background job: status and progress, with its result once done.",
)


class JobListOut(_Out):
    jobs: list[JobOut]  # type: ignore[valid-type]


RunOut = model_of(
    store.RunRecord,
    "RunOut",
    types={"created_at": str, "tables": dict[str, list[dict[str, Any]]]},
    optional=("result", "tables"),  # only in GET /api/runs/{id}
    base=BaseModel,
    doc="A stored capacity or plan run (``corridor.store.RunRecord.to_dict()``).",
)


class RunListOut(_Out):
    runs: list[RunOut]  # type: ignore[valid-type]
