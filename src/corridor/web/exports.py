"""Downloads: every result of the API as CSV, XLSX or Parquet (``corridor.export``).

- ``POST /api/export/{routes|compare|pareto|capacity|plan|exposure}?format=xlsx`` takes the
  body of the matching compute endpoint and answers with the file (computed as that endpoint
  would).
- ``GET /api/export/runs?format=...``: the stored runs; ``GET /api/export/runs/{id}`` one run
  with its tables; ``GET /api/export/jobs/{id}`` a finished job's result (stress, frontier,
  batch compare).

``table=`` picks the table of a CSV or Parquet file (default: the main one); an XLSX holds them
all with a ``sources`` sheet.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from corridor.errors import RequestError
from corridor.export import FORMATS, MEDIA_TYPES, export_bytes
from corridor.network.model import Network
from corridor.web import compute
from corridor.web import schemas as s
from corridor.web.endpoints import ERRORS, Ctx, _job_or_404, _needs, _store_error
from corridor.web.errors import ApiError

# Every export answers a file in the format asked for: the schema says which media types.
_FILE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The result as a file (CSV, XLSX or Parquet)",
        "content": {MEDIA_TYPES[f].split(";")[0]: {} for f in FORMATS},
    }
}
router = APIRouter(
    prefix="/api/export",
    tags=["exports"],
    responses={**ERRORS, **_FILE},
    default_response_class=Response,
)

FormatQ = Annotated[str, Query(alias="format", pattern="^(csv|xlsx|parquet)$")]
TableQ = Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_.\-]{1,64}$")]
LangQ = Annotated[str, Query(pattern="^(en|ja)$", description="Language of XLSX/CSV headers")]


def _file(
    data: Any, fmt: str, net: Network, kind: str, table: str | None, lang: str = "en"
) -> Response:
    try:
        body, name = export_bytes(data, fmt, net, kind, table, lang)
    except RequestError as exc:
        raise ApiError(422, str(exc), "table") from None
    return Response(
        body,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/routes", summary="The k cheapest distinct routes, as a file")
def export_routes(
    body: s.RoutesBody, ctx: Ctx, fmt: FormatQ, table: TableQ = None, lang: LangQ = "en"
) -> Response:
    compute.check_request(ctx.net, body)
    return _file(compute.run_routes(ctx.net, body), fmt, ctx.net, "routes", table, lang)


@router.post("/compare", summary="Best route per family and the premiums, as a file")
def export_compare(
    body: s.CompareBody, ctx: Ctx, fmt: FormatQ, table: TableQ = None, lang: LangQ = "en"
) -> Response:
    compute.check_request(ctx.net, body)
    return _file(compute.run_compare(ctx.net, body), fmt, ctx.net, "compare", table, lang)


@router.post("/pareto", summary="Pareto routes, as a file")
def export_pareto(
    body: s.ParetoBody, ctx: Ctx, fmt: FormatQ, table: TableQ = None, lang: LangQ = "en"
) -> Response:
    compute.check_request(ctx.net, body)
    return _file(compute.run_pareto(ctx.net, body), fmt, ctx.net, "pareto", table, lang)


def _planned(
    check: Callable[[Network, Any], None], run: Callable[[Network, Any, Any], dict[str, Any]]
) -> Callable[[Any, Any], dict[str, Any]]:
    def go(body: Any, ctx: Any) -> dict[str, Any]:
        _needs("planning")
        check(ctx.net, body)
        return run(ctx.net, body, ctx.settings.store)

    return go


_capacity = _planned(compute.check_capacity, compute.run_capacity)
_plan = _planned(compute.check_plan, compute.run_plan)


@router.post("/capacity", summary="Capacity and bottlenecks, as a file")
def export_capacity(
    body: s.CapacityBody, ctx: Ctx, fmt: FormatQ, table: TableQ = None, lang: LangQ = "en"
) -> Response:
    return _file(_capacity(body, ctx), fmt, ctx.net, "capacity", table, lang)


@router.post("/plan", summary="A least-cost plan, as a file")
def export_plan(
    body: s.PlanBody, ctx: Ctx, fmt: FormatQ, table: TableQ = None, lang: LangQ = "en"
) -> Response:
    return _file(_plan(body, ctx), fmt, ctx.net, "plan", table, lang)


@router.post("/exposure", summary="The risk exposure index, as a file")
def export_exposure(
    body: s.ExposureBody, ctx: Ctx, fmt: FormatQ, table: TableQ = None, lang: LangQ = "en"
) -> Response:
    _needs("stress")
    net = ctx.on(body.as_of)
    compute.check_stress(net, body)
    result = compute.run_exposure(net, body, ctx.settings.store)
    return _file(result, fmt, net, "exposure", table, lang)


@router.get("/runs", summary="Stored runs, as a file")
def export_runs(
    ctx: Ctx, fmt: FormatQ, limit: Annotated[int, Query(ge=1, le=500)] = 50, lang: LangQ = "en"
) -> Response:
    _needs("runs")
    from corridor.store import list_runs

    try:
        found = list_runs(store=ctx.settings.store, limit=limit)
    except RequestError as exc:
        raise _store_error(exc) from None
    return _file([r.to_dict() for r in found], fmt, ctx.net, "runs", None, lang)


@router.get("/runs/{run_id}", summary="One stored run with its tables, as a file")
def export_run(
    run_id: str, ctx: Ctx, fmt: FormatQ, table: TableQ = None, lang: LangQ = "en"
) -> Response:
    _needs("runs")
    from corridor.store import get_run

    try:
        record = get_run(run_id, store=ctx.settings.store)
    except RequestError as exc:
        raise _store_error(exc) from None
    data = {**record.to_dict(), **{k: v for k, v in record.tables.items() if v}}
    return _file(data, fmt, ctx.net, record.kind, table, lang)


@router.get("/jobs/{job_id}", summary="A finished job's result, as a file")
def export_job(
    job_id: str, ctx: Ctx, fmt: FormatQ, table: TableQ = None, lang: LangQ = "en"
) -> Response:
    job = _job_or_404(ctx.jobs.get, job_id)
    if job.get("status") != "done" or not job.get("result"):
        raise ApiError(409, f"job '{job_id}' has no result yet (status {job.get('status')})", None)
    return _file(job["result"], fmt, ctx.net, str(job.get("kind") or "job"), table, lang)


__all__ = ["FORMATS", "router"]
