"""``corridor serve``: the web application and REST API, registered on :data:`corridor.cli.app`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from corridor.cli._app import DataOpt, app, err
from corridor.errors import CorridorError


@app.command("serve")
def serve_cmd(
    host: Annotated[
        str,
        typer.Option("--host", help="Address to listen on; beyond loopback, a token is required."),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
    data: DataOpt = None,
    token_file: Annotated[
        Path | None,
        typer.Option(
            "--token-file",
            help="File of access tokens, one per line (or set CORRIDOR_TOKENS=tok1,tok2).",
        ),
    ] = None,
    store: Annotated[
        Path | None,
        typer.Option(
            "--store",
            help="Run store file for capacity and plan runs "
            "(default: $CORRIDOR_STORE, else runs.duckdb in the user data folder).",
        ),
    ] = None,
    require_token: Annotated[
        bool,
        typer.Option(
            "--require-token",
            help="Every request but the page, its files and /api/health needs a token, even "
            "on loopback: for a server behind a reverse proxy (see docs/api.md).",
        ),
    ] = False,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option(
            "--cors-origin", help="Allow web pages from this origin to call the API (repeatable)."
        ),
    ] = None,
) -> None:
    """Serve the web page and the REST API (open http://HOST:PORT/; API docs at /docs)."""
    try:
        import uvicorn

        from corridor.web.app import create_app
        from corridor.web.security import Settings, load_tokens
        from corridor.web.serving import server_options
    except ImportError as exc:
        raise CorridorError(
            f"the web server needs the 'web' extra ({exc.name} is missing): "
            'pip install "corridor[web]"'
        ) from None
    settings = Settings(
        host=host,
        tokens=load_tokens(token_file, os.environ),
        cors_origins=tuple(cors_origin or ()),
        data_dir=data,
        store=store,
        require_token=require_token,
    )
    application = create_app(settings=settings)
    shown = f"[{host}]" if ":" in host else host
    err.print(f"corridor: serving on http://{shown}:{port}/ (API docs at /docs); Ctrl+C stops")
    if settings.reads_need_token:
        err.print(f"access tokens: {len(settings.tokens)} configured; every API request needs one")
    elif settings.token_required:
        err.print(f"access tokens: {len(settings.tokens)} configured; POST and DELETE need one")
    uvicorn.run(application, host=host, port=port, **server_options())
