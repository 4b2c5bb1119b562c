"""The FastAPI application: REST API under ``/api``, the offline web page at ``/``, and
OpenAPI documentation at ``/docs`` (Swagger UI served from an installed package, never a CDN).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

import corridor
from corridor.analysis.queries import bundled_network, default_network
from corridor.network.load import load_network
from corridor.network.model import Network
from corridor.network.states import network_on, today
from corridor.web.answers import AnswerCache
from corridor.web.endpoints import Context, router
from corridor.web.errors import install_error_handlers
from corridor.web.exports import router as export_router
from corridor.web.guard import Guard
from corridor.web.jobs import JobManager
from corridor.web.security import Settings

STATIC = Path(str(resources.files("corridor.web").joinpath("static")))
SWAGGER_ASSETS = Path(fastapi_offline.__file__).parent / "static"
DOCS_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>corridor API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/docs-assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs-assets/swagger-ui-bundle.js"></script>
<script src="/static/docs.js"></script>
</body>
</html>
"""


def create_app(network: Network | None = None, settings: Settings | None = None) -> FastAPI:
    """Build the web application.

    Parameters
    ----------
    network : Network, optional
        Network to serve. Default: the tables in ``settings.data_dir``, else
        ``$CORRIDOR_DATA``, else the bundled tables.
    settings : Settings, optional
        Host, tokens, CORS origins and limits (default: loopback, no tokens).

    Returns
    -------
    FastAPI
        The application, ready for uvicorn or a test client.

    Raises
    ------
    ConfigError
        If the settings would expose compute endpoints without a token.
    DataError
        If the network tables are invalid.
    """
    settings = settings or Settings()
    settings.check()
    base = network if network is not None and network.as_of is None else None
    if network is None:
        # The network of the day the server starts (its chronic states, states.csv); a
        # request's as_of gets the network of its day from the undated tables.
        if settings.data_dir:
            base = load_network(settings.data_dir)
            network = network_on(base, today())
        else:
            base = bundled_network()
            network = default_network()
    jobs = JobManager(
        settings.limits.max_active_jobs,
        settings.limits.max_kept_jobs,
        store=settings.store,
        persist=settings.persist_jobs,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        jobs.shutdown()

    app = FastAPI(
        title="corridor",
        version=corridor.__version__,
        description="Routes, costs and risks of moving strategic raw materials from "
        "Kazakhstan to Japan. See docs/api.md for authentication and limits.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.corridor = Context(network, settings, jobs, base)
    install_error_handlers(app)
    app.include_router(router)
    app.include_router(export_router)
    _add_pages(app)
    app.add_middleware(AnswerCache)  # inside the guard: its checks run on every request
    app.add_middleware(Guard, settings=settings)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
    return app


def _add_pages(app: FastAPI) -> None:
    """The web page, its static files, and the API documentation page."""

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(DOCS_PAGE)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/docs-assets", StaticFiles(directory=SWAGGER_ASSETS), name="docs-assets")
