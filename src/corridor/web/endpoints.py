"""The REST endpoints: network data, route computations and background jobs.

Compute endpoints are plain (sync) functions, which FastAPI runs on its thread pool, so one
long computation does not hold up other requests. Answers are sent as the library's
``to_dict()`` unchanged; the response models document their shape.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import logging
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

import corridor
import corridor.routing.kbest
from corridor._derived import Derived
from corridor._json import plain
from corridor.errors import RequestError
from corridor.network.model import Network
from corridor.web import schemas as s
from corridor.web.compute import (
    JOB_KINDS,
    check_breakeven,
    check_capacity,
    check_plan,
    check_request,
    check_stress,
    run_breakeven,
    run_capacity,
    run_compare,
    run_exposure,
    run_market,
    run_pareto,
    run_plan,
    run_routes,
)
from corridor.web.errors import ApiError, validation_error
from corridor.web.jobs import JobManager, TooManyJobs, UnknownJob
from corridor.web.security import Settings

try:
    import orjson
except ImportError:  # pragma: no cover - the web extra installs it
    orjson = None  # type: ignore[assignment]

log = logging.getLogger("corridor.web")
ORJSON_OPTIONS = (
    0
    if orjson is None
    else orjson.OPT_NON_STR_KEYS
    | orjson.OPT_SERIALIZE_NUMPY
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
)

TABLES: dict[str, type[BaseModel]] = {
    "nodes": s.NodeOut,
    "links": s.LinkOut,
    "commodities": s.CommodityOut,
    "exposures": s.ExposureOut,
    "events": s.EventOut,
    "emission_factors": s.EmissionFactorOut,
    "sources": s.SourceOut,
}
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": s.ErrorOut} for code in (400, 401, 403, 404, 413, 415, 422, 429, 503)
}


DATES_KEPT = 8
"""Most networks of other days (``as_of``) kept at once."""


@dataclass
class Context:
    """What every endpoint works on: the network, the settings and the job manager.

    ``net`` is the network served (as of the day the server started); ``base`` the same
    tables before any dated state, from which the network of another day (a request's
    ``as_of``) is made, or None when the server was handed an already dated network.
    """

    net: Network
    settings: Settings
    jobs: JobManager
    base: Network | None = None
    _tables: dict[str, bytes] = field(default_factory=dict)
    _dated: dict[dt.date, Network] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def on(self, day: dt.date | None) -> Network:
        """The network of ``day`` (None or the served day: the network served).

        Raises
        ------
        ApiError
            400 when the served network is fixed to one date and ``day`` is another.
        """
        if day is None or day == self.net.as_of:
            return self.net
        if self.base is None:
            served = self.net.as_of.isoformat() if self.net.as_of else "no date"
            raise ApiError(
                400, f"this server's network is fixed to {served}; as_of cannot change it", "as_of"
            )
        from corridor.network.states import network_on

        with self._lock:
            if day not in self._dated:
                if len(self._dated) >= DATES_KEPT:
                    self._dated.pop(next(iter(self._dated)))
                self._dated[day] = network_on(self.base, day)
            return self._dated[day]

    def undated(self) -> Network:
        """The tables before any dated state (the market prices each year on its own)."""
        if self.base is not None:
            return self.base
        if self.net.as_of is None:
            return self.net
        raise ApiError(
            503, f"this server's network is fixed to {self.net.as_of.isoformat()}: the market "
            "model needs the undated tables to price each year", None,
        )  # fmt: skip

    def table_json(self, table: str) -> bytes:
        """A whole table as JSON (built once: the network never changes)."""
        if table not in self._tables:
            rows = [record_dict(r) for r in getattr(self.net, table)]
            self._tables[table] = _dumps(rows)
        return self._tables[table]


async def _context(request: Request) -> Context:
    # async: a plain function would cost every request a trip through the thread pool
    return cast(Context, request.app.state.corridor)


ANSWERS_KEPT = 4096
"""Most computed answers (JSON bytes of routes and compare) kept per network."""


async def _answer(
    net: Network, endpoint: str, body: BaseModel, compute: Callable[[], Any]
) -> Response:
    """The JSON answer of ``endpoint`` to ``body``, computed once per network and body.

    The network never changes, so the same request always has the same answer: a repeated
    one is served from its bytes on the event loop; a new one is computed in the thread
    pool (it may search for a while) and kept with the network (``Network.derived``).
    """
    answers = net.derived.get(("web-answers",), lambda: Derived(ANSWERS_KEPT))
    key = (endpoint, body.model_dump_json())
    data = answers.peek(key)
    if data is None:
        data = await run_in_threadpool(answers.get, key, lambda: _dumps(compute()))
    return Response(data, media_type="application/json")


Ctx = Annotated[Context, Depends(_context)]
router = APIRouter(prefix="/api", responses=ERRORS)


def _dumps(data: Any, default: Callable[[Any], Any] | None = None) -> bytes:
    """Compact UTF-8 JSON: orjson's, about ten times quicker than the standard library's
    on a compare answer (0.1 against 1.4 ms for 24 kB), with the same text for the same
    data but for floats with an exponent (``1e-7``, not ``1e-07``): dates and dataclasses
    go to ``default`` as ``json.dumps`` sends them, numpy numbers are numbers, and
    not-a-number, which ``json.dumps`` writes as ``NaN`` (not JSON), is ``null``. The
    standard library's where orjson is not installed."""
    if orjson is None:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=default)
        return text.encode("utf-8")
    return orjson.dumps(data, default=default, option=ORJSON_OPTIONS)


def _json(data: Any, status: int = 200, default: Callable[[Any], Any] | None = None) -> Response:
    return Response(_dumps(data, default), status_code=status, media_type="application/json")


def _installed(*modules: str) -> bool:
    return all(importlib.util.find_spec(m) is not None for m in modules)


FEATURES = {
    "planning": _installed("highspy", "duckdb"),
    "runs": _installed("duckdb"),
    "stress": _installed("highspy", "duckdb"),
    "market": _installed("statsmodels"),
    "simulation": _installed("simpy"),
}
"""What this installation can answer; planning, runs and stress runs need highspy and duckdb,
the market model statsmodels, the queue simulation simpy."""


def _needs(feature: str) -> None:
    if not FEATURES[feature]:
        extra = {"market": "market", "simulation": "sim"}.get(feature, "plan")
        raise ApiError(
            404, f"this server has no {feature} (install the {extra} extra: corridor[{extra}])"
        )


def record_dict(record: Any) -> dict[str, Any]:
    """A network record as JSON-ready data (``from_`` becomes ``from``)."""
    return {k.rstrip("_"): plain(v) for k, v in vars(record).items()}


# --------------------------------------------------------------------------- about


@router.get(
    "/health",
    tags=["about"],
    response_model=s.HealthOut,
    summary="Whether the server is up, and whether requests need a token (always open)",
)
def health(ctx: Ctx) -> Response:
    return _json(
        {
            "status": "ok",
            "token_required": ctx.settings.token_required,
            "reads_need_token": ctx.settings.reads_need_token,
        }
    )


@router.get(
    "/info",
    tags=["about"],
    response_model=s.InfoOut,
    summary="What this server offers and requires",
)
def info(ctx: Ctx) -> Response:
    limits = ctx.settings.limits
    return _json(
        {
            "name": "corridor",
            "version": corridor.__version__,
            "network": ctx.net.origin,
            "token_required": ctx.settings.token_required,
            "reads_need_token": ctx.settings.reads_need_token,
            "job_kinds": list(JOB_KINDS),
            "limits": {
                "max_body_bytes": limits.max_body_bytes,
                "max_k": corridor.routing.kbest.MAX_K,
                "max_list": s.MAX_LIST,
                "max_batch_pairs": s.MAX_BATCH_PAIRS,
                "max_active_jobs": limits.max_active_jobs,
            },
            "features": FEATURES,
        }
    )


# --------------------------------------------------------------------------- network


@router.get(
    "/network", tags=["network"], response_model=s.NetworkOut, summary="What the network holds"
)
def network_summary(ctx: Ctx) -> Response:
    net = ctx.net
    return _json(
        {
            "origin": net.origin,
            "counts": {t: len(getattr(net, t)) for t in TABLES},
            "node_kinds": Counter(n.kind for n in net.nodes),
            "node_countries": Counter(n.country for n in net.nodes),
            "link_modes": Counter(link.mode for link in net.links),
            "link_families": Counter(link.family for link in net.links),
        }
    )


def _table_endpoint(table: str) -> Callable[[Context], Response]:
    def endpoint(ctx: Ctx) -> Response:
        return Response(ctx.table_json(table), media_type="application/json")

    endpoint.__name__ = f"network_{table}"
    return endpoint


for _table, _model in TABLES.items():
    router.add_api_route(
        f"/network/{_table}",
        _table_endpoint(_table),
        response_model=list[_model],  # type: ignore[valid-type]
        tags=["network"],
        summary=f"Every row of {_table}",
    )


@router.get(
    "/network/{table}/{record_id}",
    tags=["network"],
    response_model=s.RecordOut,
    summary="One record with the sources behind its figures",
)
def network_record(table: str, record_id: str, ctx: Ctx) -> Response:
    net = ctx.net
    if table not in TABLES:
        raise ApiError(404, f"no table '{table}' (tables: {', '.join(TABLES)})", "table")
    if not net.has(table, record_id):
        near = [i for i in net.similar_ids(record_id) if net.has(table, i)]
        hint = f" (did you mean {', '.join(near)}?)" if near else ""
        raise ApiError(404, f"no row of {table} has the id '{record_id}'{hint}", "record_id")
    fields = record_dict(net.record(table, record_id))
    provenance = fields.pop("sources", {}) if table != "sources" else {}
    used = sorted({sid for ids in provenance.values() for sid in ids})
    return _json(
        {
            "table": table,
            "id": record_id,
            "record": fields,
            "sources": provenance,
            "source_details": [record_dict(net.source(sid)) for sid in used],
        }
    )


@cache
def _countries() -> bytes:
    asset = resources.files("corridor.report").joinpath("assets/countries.json")
    return asset.read_bytes()


@router.get(
    "/geo/countries", tags=["network"], summary="Country outlines (Natural Earth, public domain)"
)
def countries() -> Response:
    """``{"source", "bbox", "countries": [{"id", "iso2", "name", "rings": [[[lon, lat]]]}]}``."""
    return Response(
        _countries(), media_type="application/json", headers={"Cache-Control": "max-age=86400"}
    )


# --------------------------------------------------------------------------- compute


@router.post(
    "/routes",
    tags=["routes"],
    response_model=s.RouteSetOut,
    summary="The k cheapest distinct routes",
)
async def routes(body: s.RoutesBody, ctx: Ctx) -> Response:
    net = ctx.on(body.as_of)
    check_request(net, body)
    return await _answer(net, "routes", body, lambda: run_routes(net, body))


@router.post(
    "/compare",
    tags=["routes"],
    response_model=s.ComparisonOut,
    summary="Best route per family and the premium of avoiding China or Russia",
)
async def compare(body: s.CompareBody, ctx: Ctx) -> Response:
    net = ctx.on(body.as_of)
    check_request(net, body)
    return await _answer(net, "compare", body, lambda: run_compare(net, body))


@router.post(
    "/pareto",
    tags=["routes"],
    response_model=s.RouteSetOut,
    summary="Routes not beaten on cost, time, CO2e and disruption risk at once",
)
def pareto(body: s.ParetoBody, ctx: Ctx) -> Response:
    net = ctx.on(body.as_of)
    check_request(net, body)
    return _json(run_pareto(net, body))


@router.post(
    "/capacity",
    tags=["capacity and plans"],
    summary="Most tonnes per year the network can carry, and the bottlenecks",
)
def capacity(body: s.CapacityBody, ctx: Ctx) -> Response:
    """``corridor.optimize.max_flow(...).to_dict()``; the run is kept in the run store."""
    _needs("planning")
    net = ctx.on(body.as_of)
    check_capacity(net, body)
    return _json(run_capacity(net, body, ctx.settings.store))


@router.post(
    "/plan",
    tags=["capacity and plans"],
    summary="Least-cost split of contract volumes under capacities and rules",
)
def plan(body: s.PlanBody, ctx: Ctx) -> Response:
    """``corridor.optimize.plan(...).to_dict()``; the run is kept in the run store."""
    _needs("planning")
    net = ctx.on(body.as_of)
    check_plan(net, body)
    return _json(run_plan(net, body, ctx.settings.store))


@router.post(
    "/exposure",
    tags=["risk"],
    response_model=s.ExposureResultOut,
    summary="Risk exposure index: time to recover against time to survive, per element",
)
def exposure(body: s.ExposureBody, ctx: Ctx) -> Response:
    """``corridor exposure --format json`` for this body; the run is kept in the run store."""
    _needs("stress")
    net = ctx.on(body.as_of)
    check_stress(net, body)
    return _json(run_exposure(net, body, ctx.settings.store))


@router.get(
    "/market",
    tags=["market"],
    summary="Route-choice model estimated on observed corridor volumes, and its backtest",
)
def market(ctx: Ctx) -> Response:
    """The calibration (``corridor market --format json``) with ``backtest`` added."""
    _needs("market")
    return _json(run_market(ctx.undated(), ctx.settings.data_dir))


@router.post(
    "/breakeven",
    tags=["market"],
    summary="Subsidy, China-route risk and yearly bill at which the Trans-Caspian share is reached",
)
def breakeven(body: s.BreakEvenBody, ctx: Ctx) -> Response:
    """``corridor breakeven --format json`` for this body."""
    _needs("market")
    check_breakeven(ctx.net, body)
    return _json(run_breakeven(ctx.undated(), body, ctx.settings.data_dir))


def _store_error(exc: RequestError) -> ApiError:
    """No such run is a 404 naming the id; a store that cannot be opened (in use by a
    command-line run, unreadable) is a 503 to retry, whose message never shows the file's
    path (the server log has it)."""
    message = str(exc)
    if message.startswith("no run") or "matches several runs" in message:
        return ApiError(404, message, "run_id")
    log.warning("run store: %s", message)
    return ApiError(
        503,
        "the run store is in use or cannot be read just now; try again shortly",
        None,
        {"Retry-After": "5"},
    )


@router.get("/runs", tags=["runs"], response_model=s.RunListOut, summary="Stored runs")
def runs(ctx: Ctx, limit: Annotated[int, Query(ge=1, le=500)] = 50) -> Response:
    _needs("runs")
    from corridor.store import list_runs

    try:
        found = list_runs(store=ctx.settings.store, limit=limit)
    except RequestError as exc:
        raise _store_error(exc) from None
    return _json({"runs": [r.to_dict() for r in found]}, default=str)


@router.get(
    "/runs/{run_id}",
    tags=["runs"],
    response_model=s.RunOut,
    summary="One stored run with its result tables",
)
def run(run_id: str, ctx: Ctx) -> Response:
    _needs("runs")
    from corridor.store import get_run

    try:
        record = get_run(run_id, store=ctx.settings.store)
    except RequestError as exc:
        raise _store_error(exc) from None
    return _json({**record.to_dict(), "tables": record.tables}, default=str)


# --------------------------------------------------------------------------- jobs


def _job_params(body: s.JobBody, ctx: Context) -> tuple[BaseModel, Network]:
    """A job's parameters, validated and checked, and the network of their ``as_of``;
    fields at fault are named ``params.*``."""
    kind = JOB_KINDS[body.kind]
    if kind.needs:
        _needs(kind.needs)
    try:
        params = kind.params.model_validate(body.params)
        net = ctx.on(getattr(params, "as_of", None))
        kind.check(net, params)
    except ValidationError as exc:
        raise validation_error(exc.errors(), prefix="params") from None
    except (ApiError, RequestError) as exc:
        status = exc.status if isinstance(exc, ApiError) else 422
        field = f"params.{exc.field}" if exc.field else None
        raise ApiError(status, str(exc), field) from None
    return params, net


@router.post(
    "/jobs",
    tags=["jobs"],
    response_model=s.JobOut,
    status_code=202,
    summary="Start a background job",
)
def submit_job(body: s.JobBody, ctx: Ctx) -> Response:
    kind = JOB_KINDS[body.kind]
    params, net = _job_params(body, ctx)
    store = ctx.settings.store
    try:
        job = ctx.jobs.submit(
            body.kind, params.model_dump(mode="json"), lambda c: kind.run(net, params, c, store)
        )
    except TooManyJobs:
        raise ApiError(
            429,
            f"{ctx.jobs.max_active} jobs are already queued or running; "
            "wait for one to finish or cancel one",
            None,
            {"Retry-After": "5"},
        ) from None
    return _json(job, status=202)


@router.get(
    "/jobs", tags=["jobs"], response_model=s.JobListOut, summary="Every job kept, newest first"
)
def list_jobs(ctx: Ctx) -> Response:
    return _json({"jobs": ctx.jobs.snapshots()})


def _job_or_404(action: Callable[[str], dict[str, Any]], job_id: str) -> dict[str, Any]:
    try:
        return action(job_id)
    except UnknownJob:
        raise ApiError(404, f"no job has the id '{job_id}'", "job_id") from None


@router.get(
    "/jobs/{job_id}", tags=["jobs"], response_model=s.JobOut, summary="A job's status and result"
)
def get_job(job_id: str, ctx: Ctx) -> Response:
    return _json(_job_or_404(ctx.jobs.get, job_id))


@router.delete(
    "/jobs/{job_id}",
    tags=["jobs"],
    response_model=s.JobOut,
    summary="Cancel a queued or running job (or forget a finished one)",
)
def cancel_job(job_id: str, ctx: Ctx) -> Response:
    return _json(_job_or_404(ctx.jobs.cancel, job_id))
