"""ASGI middleware enforcing :mod:`corridor.web.security` before any endpoint runs.

In order: the ``Host`` header (well formed; loopback names on a loopback server), the bearer
token (every request but the public paths when reads need it, else POST and DELETE), the
content type (POST bodies are JSON) and the body size. Every response also carries
headers that keep the page self-contained (a Content-Security-Policy allowing nothing from
other origins) and unframeable.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from corridor.web.errors import error_response
from corridor.web.security import Settings, host_allowed, is_public, token_problem

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
}
TOKEN_MESSAGES = {
    "missing": "this server needs an access token for this request: "
    "send the header 'Authorization: Bearer <token>'",
    "malformed": "the Authorization header must be 'Bearer <token>'",
    "invalid": "the access token is not valid",
}


class Guard:
    """Refuse requests that break the server's rules, before any endpoint sees them.

    Parameters
    ----------
    app : ASGI application
        The application to protect.
    settings : Settings
        Host, tokens and limits.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = _with_security_headers(send)
        refusal = self._refusal(scope)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        if scope["method"] in WRITE_METHODS:
            limit = self.settings.limits.max_body_bytes
            body = await _read_body(receive, limit)
            if body is None:
                too_big = error_response(413, f"request body is larger than {limit} bytes")
                await too_big(scope, receive, send)
                return
            receive = replay(body, receive)
        await self.app(scope, receive, send)

    def _refusal(self, scope: Scope) -> ASGIApp | None:
        headers = Headers(scope=scope)
        if not host_allowed(headers.get("host"), self.settings):
            shown = headers.get("host", "")[:100]
            message = f"the Host header '{shown}' is not a well-formed host[:port]"
            if self.settings.loopback:
                message = (
                    "this server answers only requests addressed to loopback "
                    f"(127.0.0.1, localhost, [::1]), not '{shown}'"
                )
            return error_response(400, message, "Host")
        method = scope["method"]
        needs_token = (self.settings.reads_need_token and not is_public(scope["path"])) or (
            method in WRITE_METHODS and self.settings.token_required
        )
        if needs_token:
            problem = token_problem(headers.get("authorization"), self.settings.tokens)
            if problem is not None:
                status = 401 if problem == "missing" else 403
                return error_response(
                    status,
                    TOKEN_MESSAGES[problem],
                    "Authorization",
                    {"WWW-Authenticate": 'Bearer realm="corridor"'},
                )
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if method == "POST" and content_type != "application/json":
            return error_response(
                415,
                "send the request body as JSON (Content-Type: application/json)",
                "Content-Type",
            )
        length = headers.get("content-length", "0")
        if length.isdigit() and int(length) > self.settings.limits.max_body_bytes:
            return error_response(
                413, f"request body is larger than {self.settings.limits.max_body_bytes} bytes"
            )
        return None


_SECURITY_RAW = tuple(
    (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in SECURITY_HEADERS.items()
)


def _with_security_headers(send: Send) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            # A new list (the answer's own may be kept for a repeat); a header the answer
            # set itself is left as it is.
            headers = list(message.get("headers", ()))
            present = {name.lower() for name, _ in headers}
            headers += [h for h in _SECURITY_RAW if h[0] not in present]
            message["headers"] = headers
        await send(message)

    return wrapped


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole request body, or None as soon as it exceeds ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands over the buffered body, then waits as the original does."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
