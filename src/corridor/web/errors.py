"""Every error the API returns has one shape: ``{"error": {"message", "field"}}``.

``field`` names the part of the request at fault (``origin``, ``params.k``, ``id``,
``Authorization``...) or is null. No stack trace ever reaches a client: unexpected
exceptions are logged on the server and answered with a plain 500.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from corridor.errors import CorridorError, DataError, RequestError, SolverError

log = logging.getLogger("corridor.web")


class ApiError(Exception):
    """An answer other than success, with its HTTP status and the field at fault.

    Parameters
    ----------
    status : int
        HTTP status code (4xx).
    message : str
        What is wrong, in words a user can act on.
    field : str, optional
        The request field (dotted path), path parameter or header at fault.
    headers : dict, optional
        Extra response headers (``WWW-Authenticate``, ``Retry-After``).
    """

    def __init__(
        self,
        status: int,
        message: str,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.headers = headers


def error_response(
    status: int, message: str, field: str | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    """The JSON error body with ``status``."""
    body = {"error": {"message": message, "field": field}}
    return JSONResponse(body, status_code=status, headers=headers)


def validation_error(errors: Sequence[Any], prefix: str = "") -> ApiError:
    """Turn pydantic's error list into one 422 naming the first field at fault.

    Parameters
    ----------
    errors : sequence of dict
        Pydantic's errors, each ``loc`` relative to the object validated.
    prefix : str
        Dotted path to put before each field (``"params"`` for a job's parameters).
    """
    first = errors[0]
    loc = [str(p) for p in first.get("loc", ())]
    if first.get("type") == "json_invalid":
        return ApiError(422, "request body is not valid JSON", None)
    if first.get("type") == "missing" and not loc:
        return ApiError(422, "request body is missing (send a JSON object)", None)
    field = ".".join(([prefix] if prefix else []) + loc) or None
    message = str(first.get("msg", "invalid value"))
    if field:
        message = f"{field}: {message}"
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem(s))"
    return ApiError(422, message, field)


def install_error_handlers(app: FastAPI) -> None:
    """Answer every failure with the JSON error shape, never a traceback."""

    async def api_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return error_response(exc.status, exc.message, exc.field, exc.headers)

    async def invalid_request(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        # The first element of each location says where: "body", "query", "path".
        errors = [{**e, "loc": tuple(e.get("loc", ()))[1:]} for e in exc.errors()]
        err = validation_error(errors)
        return error_response(err.status, err.message, err.field)

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        message = str(exc.detail) if exc.status_code != 404 else f"no such path: {request.url.path}"
        return error_response(exc.status_code, message, None, dict(exc.headers or {}))

    async def corridor_error(request: Request, exc: Exception) -> JSONResponse:
        # The one place library errors become HTTP statuses: a request the library cannot
        # answer is the client's (422, naming its field); bad tables or a failed solve are not.
        if isinstance(exc, RequestError):
            return error_response(422, str(exc), exc.field)
        if isinstance(exc, SolverError):
            log.error("solver failed answering %s %s: %s", request.method, request.url.path, exc)
            return error_response(500, "the solver failed on this request", None)
        return error_response(500 if isinstance(exc, DataError) else 422, str(exc), None)

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("internal error answering %s %s", request.method, request.url.path)
        return error_response(500, "internal error (the server log has the details)", None)

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(CorridorError, corridor_error)
    app.add_exception_handler(Exception, unexpected)
