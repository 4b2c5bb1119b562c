"""ASGI middleware answering a repeated routes or compare request from its kept bytes.

``POST /api/routes`` and ``POST /api/compare`` are pure: their answer depends on the body
and on the app's network alone, which never changes while the app lives (a request's
``as_of`` is in its body). So once such a request was answered 200, the same body, byte for
byte, gets the same status, headers and bytes again without going through the framework's
routing, dependency injection and validation, which cost about ten times what is left
(the security checks of :class:`~corridor.web.guard.Guard`, which wraps this middleware and
still runs first on every request, and the HTTP parsing). A body not seen before, or any
other request, goes to the application as usual; only 200 answers are kept, so errors are
always computed and never replayed. The store is a bounded LRU: at most
:data:`ANSWERS_KEPT` answers and :data:`BYTES_KEPT` bytes of bodies and answers; bodies
longer than :data:`MAX_KEY_BYTES` are not kept here (the endpoints' own per-network store,
keyed by the validated body, still serves them).
"""

from __future__ import annotations

from collections import OrderedDict

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from corridor.web.guard import replay

PURE_PATHS = frozenset({"/api/routes", "/api/compare"})
"""Paths whose POST answer depends only on the body and the app's network."""
ANSWERS_KEPT = 4096
"""Most answers kept."""
BYTES_KEPT = 64 * 1024 * 1024
"""Most bytes of request bodies and answers kept, together."""
MAX_KEY_BYTES = 4096
"""Longest request body kept (a routes or compare body is about 150 bytes)."""

Key = tuple[str, bytes, bytes]
"""(path, query string, body)."""
Answer = tuple[list[tuple[bytes, bytes]], bytes]
"""(response headers, response body) of a 200 answer."""


class AnswerCache:
    """Serve a 200 answer of a pure POST again for a byte-identical body.

    Parameters
    ----------
    app : ASGI application
        The application behind it (the framework's router).
    paths : frozenset of str
        Paths whose POST answers are pure (default :data:`PURE_PATHS`).
    limit : int
        Most answers kept.
    max_bytes : int
        Most bytes of bodies and answers kept.
    """

    def __init__(
        self,
        app: ASGIApp,
        paths: frozenset[str] = PURE_PATHS,
        limit: int = ANSWERS_KEPT,
        max_bytes: int = BYTES_KEPT,
    ) -> None:
        self.app = app
        self.paths = paths
        self.limit = limit
        self.max_bytes = max_bytes
        self._answers: OrderedDict[Key, Answer] = OrderedDict()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._answers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        key = (scope["path"], scope.get("query_string", b""), body)
        kept = self._answers.get(key)
        if kept is not None:
            self._answers.move_to_end(key)
            headers, content = kept
            start = {"type": "http.response.start", "status": 200, "headers": list(headers)}
            await send(start)
            await send({"type": "http.response.body", "body": content})
            return
        sent = await self._answer(scope, replay(body, receive), send)
        if sent is not None and len(body) <= MAX_KEY_BYTES:
            self._keep(key, sent)

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> Answer | None:
        """Run the application; its answer if it was a 200 sent in whole."""
        start: Message | None = None
        chunks: list[bytes] = []
        complete = False

        async def recording(message: Message) -> None:
            nonlocal start, complete
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                complete = not message.get("more_body", False)
            await send(message)

        await self.app(scope, receive, recording)
        if start is None or start["status"] != 200 or not complete:
            return None
        return [(bytes(k), bytes(v)) for k, v in start.get("headers", ())], b"".join(chunks)

    def _keep(self, key: Key, answer: Answer) -> None:
        size = _size(key, answer)
        if size > self.max_bytes or key in self._answers:
            return
        self._answers[key] = answer
        self._bytes += size
        while len(self._answers) > self.limit or self._bytes > self.max_bytes:
            old_key, old = self._answers.popitem(last=False)
            self._bytes -= _size(old_key, old)


def _size(key: Key, answer: Answer) -> int:
    return len(key[1]) + len(key[2]) + len(answer[1]) + sum(len(k) + len(v) for k, v in answer[0])


async def _read_body(receive: Receive) -> bytes:
    """The whole request body (its size was checked by the guard in front)."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)
