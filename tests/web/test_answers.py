"""The serving layer: answers sent again for a byte-identical routes or compare body
(:mod:`corridor.web.answers`), the JSON writer, and the uvicorn configuration."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import warnings
from dataclasses import dataclass

import numpy as np
import pytest

pytest.importorskip("fastapi")

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

from corridor import analysis as api
from corridor.network.load import load_network
from corridor.web import endpoints, serving
from corridor.web.answers import AnswerCache
from corridor.web.app import create_app
from corridor.web.guard import SECURITY_HEADERS
from corridor.web.security import Settings
from tests.conftest import TINY

LOCAL = "http://127.0.0.1"
TOKEN = "tok-" + "y" * 28
ORE = {"commodity": "ore", "origin": "MINE", "destination": "DEST"}


class Echo:
    """An ASGI app that counts its calls and answers ``body`` doubled; 422 for ``b"bad"``,
    and in two pieces for ``b"streamed"``."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, scope, receive, send):
        self.calls += 1
        body = (await receive())["body"]
        status = 422 if body == b"bad" else 200
        headers = [(b"content-type", b"application/json"), (b"x-call", b"%d" % self.calls)]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        if body == b"streamed":
            await send({"type": "http.response.body", "body": b"a", "more_body": True})
        await send({"type": "http.response.body", "body": body * 2})


def post(app, body: bytes, path: str = "/api/compare", method: str = "POST"):
    """One request through ``app``: (status, headers, body)."""
    scope = {"type": "http", "method": method, "path": path, "query_string": b"", "headers": []}
    messages = []

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        messages.append(message)

    asyncio.run(app(scope, receive, send))
    start, *bodies = messages
    return start["status"], dict(start["headers"]), b"".join(m.get("body", b"") for m in bodies)


def test_a_byte_identical_body_is_answered_again_without_the_app():
    inner = Echo()
    cache = AnswerCache(inner)
    first = post(cache, b'{"a":1}')
    again = post(cache, b'{"a":1}')
    assert first == again == (200, {b"content-type": b"application/json", b"x-call": b"1"},
                              b'{"a":1}{"a":1}')  # fmt: skip
    assert inner.calls == 1
    # the same JSON written otherwise is another key: the app answers it (its own store,
    # keyed by the validated body, is what serves it without computing again)
    assert post(cache, b'{"a": 1}')[1][b"x-call"] == b"2"
    assert inner.calls == 2 and len(cache) == 2


def test_errors_other_paths_and_methods_are_never_kept_and_pieces_are_kept_whole():
    inner = Echo()
    cache = AnswerCache(inner)
    for _ in range(2):
        assert post(cache, b"bad")[0] == 422
        post(cache, b"x", path="/api/pareto")
        post(cache, b"x", method="GET")
        assert post(cache, b"streamed")[2] == b"astreamedstreamed"
    assert inner.calls == 7 and len(cache) == 1


def test_the_kept_answers_are_bounded_oldest_first_by_count_and_bytes():
    inner = Echo()
    cache = AnswerCache(inner, limit=2)
    for body in (b"1", b"2", b"1", b"3"):  # "1" used again, so "2" is the oldest
        post(cache, body)
    assert inner.calls == 3
    post(cache, b"2")
    assert inner.calls == 4
    post(cache, b"1")  # evicted by "2" in turn
    assert inner.calls == 5
    # each answer here counts its body, answer and headers: 1 + 2 + (12 + 16 + 6 + 1) = 38
    small = AnswerCache(Echo(), max_bytes=80)
    for body in (b"1", b"2", b"3"):
        post(small, body)
    assert len(small) == 2 and small._bytes == 76
    post(small, b"x" * 40)  # 40 + 80 + 35 = 155 bytes: more than the whole store, not kept
    assert len(small) == 2


def test_a_repeat_still_passes_the_guard_and_carries_its_headers(monkeypatch):
    """On a server with a token, a compare answered once with the token is refused without
    it; the repeat has the first answer's bytes and headers, security headers included,
    and does not call the library."""
    net = load_network(TINY)
    calls = []
    real = api.compare
    monkeypatch.setattr(api, "compare", lambda *a, **k: calls.append(a) or real(*a, **k))
    good = {"Authorization": "Bearer " + TOKEN}
    with TestClient(create_app(net, Settings(tokens=(TOKEN,))), base_url=LOCAL) as c:
        first = c.post("/api/compare", json=ORE, headers=good)
        assert c.post("/api/compare", json=ORE).status_code == 401
        assert c.post("/api/compare", json=ORE, headers={"Host": "evil.example",
                      **good}).status_code == 400  # fmt: skip
        again = c.post("/api/compare", json=ORE, headers=good)
    assert first.status_code == again.status_code == 200 and len(calls) == 1
    assert again.content == first.content
    assert again.json() == json.loads(json.dumps(real(**ORE, network=net).to_dict()))
    for name, value in SECURITY_HEADERS.items():
        assert again.headers[name] == value
    assert again.headers["content-type"] == "application/json"
    assert again.headers["content-length"] == str(len(first.content))


@dataclass
class Point:
    x: int


def test_the_json_writer_matches_the_standard_library_on_the_apis_data():
    data = {
        "name": "名古屋",  # not escaped, as ensure_ascii=False
        "when": dt.date(2026, 12, 2),
        "at": dt.datetime(2026, 12, 2, 17, 30, 5),
        "shares": {1: 0.25, "b": [1e-7, 12345678.5, True, None]},
        "p": Point(3),
    }
    expected = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    # the same text, but for how a float with an exponent is written (1e-07 or 1e-7)
    assert endpoints._dumps(data, default=str).replace(b"1e-7", b"1e-07") == expected.encode()
    assert endpoints._dumps({"t": np.float64(0.5), "n": np.int64(7)}) == b'{"t":0.5,"n":7}'
    if endpoints.orjson is not None:
        assert endpoints._dumps([float("nan")]) == b"[null]"
    with pytest.raises(TypeError):
        endpoints._dumps({"p": Point(3)})  # no default: refused, as json.dumps does


def test_the_server_runs_on_uvloop_and_httptools_when_installed():
    pytest.importorskip("uvloop")
    pytest.importorskip("httptools")
    assert serving.loop_and_parser() == ("uvloop", "httptools")
    config = serving.server_config(None, "127.0.0.1", 8000)
    assert (config.loop, config.http, config.access_log) == ("uvloop", "httptools", False)
    assert serving.describe(config) == (
        "1 worker process, each one event loop (uvloop) with the httptools HTTP parser"
    )
