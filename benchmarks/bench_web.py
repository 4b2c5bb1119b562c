"""Web API under load: POST /api/routes (or /api/compare) from concurrent clients, on loopback.

The server is the real one (``create_app`` under uvicorn) in its own process. The clients
are asyncio tasks in this one, each on its own kept-alive HTTP/1.1 connection, sending its
next request as soon as the last is answered. They speak HTTP over asyncio streams rather
than through ``httpx.AsyncClient``: on a 2-core machine httpx's connection pool, at 50
connections, spends more CPU than the server and caps the rate near 70 requests/s, which
would measure the client. Every distinct request is first checked, through httpx, to be
answered exactly as the library answers it.

Reported: requests per second, p50/p90/p99/max latency and the error count (goal: zero
errors). Baselines in the same run: the library call alone (``corridor.analysis.routes`` in this
process) and one client alone. Network: the bundled one if it loads, else
``tests/fixtures/tiny`` (or ``--data DIR``).

Goal (issue #19): ``--endpoint compare --clients 16`` serves at least 300 requests/s with
p99 at most 100 ms. The server is one uvicorn worker process, one asyncio event loop; the
endpoints are plain functions run in its thread pool, and a computed answer is kept per
network and request body (``Network.derived``), so a repeated request is served from its
bytes. The load average of the machine over the run is printed beside the figures.

Run: ``python benchmarks/bench_web.py`` (``--seconds 5`` for a quick look).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import multiprocessing
import os
import socket
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from corridor import analysis as api
from corridor.errors import CorridorError
from corridor.network.load import load_network
from corridor.network.model import Network

TINY = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "tiny"


def _network(data: Path | None) -> tuple[Network, Path | None]:
    """The network to serve: ``data``, else the bundled one if valid, else the tiny fixture."""
    if data is not None:
        return load_network(data), data
    try:
        return load_network(), None
    except CorridorError as exc:
        print(f"bundled network unusable ({str(exc).splitlines()[0]}); using {TINY}")
        return load_network(TINY), TINY


def _call(endpoint: str, net: Network, body: dict[str, Any]) -> dict[str, Any]:
    """The library's answer to ``body`` (what the endpoint must return)."""
    if endpoint == "compare":
        return api.compare(
            body["commodity"],
            body["origin"],
            body["destination"],
            avoid=body["avoid"],
            network=net,
        ).to_dict()
    return api.routes(
        body["commodity"],
        body["origin"],
        body["destination"],
        k=body["k"],
        avoid=body["avoid"],
        network=net,
    ).to_dict()


def _bodies(net: Network, endpoint: str) -> list[dict[str, Any]]:
    """Requests with an answer: every commodity from each of its origins to Japan."""
    ports = [n.id for n in net.nodes if n.country == "JP"]
    dest = "JP_YOKOHAMA" if "JP_YOKOHAMA" in ports else ports[0]
    out = []
    for c in net.commodities:
        for origin in (n.id for n in net.nodes if c.id in n.products):
            for avoid in ([], ["RU"], ["CN"]):
                if not all(net.has("exposures", a) for a in avoid):
                    continue
                body: dict[str, Any] = {
                    "commodity": c.id,
                    "origin": origin,
                    "destination": dest,
                    "avoid": avoid,
                }
                if endpoint == "routes":
                    body["k"] = 5
                try:
                    _call(endpoint, net, body)
                except CorridorError:
                    continue
                out.append(body)
    return out


def _serve(data: Path | None, sock: socket.socket) -> None:
    import uvicorn

    from corridor.web.app import create_app
    from corridor.web.security import Settings

    app = create_app(settings=Settings(data_dir=data))
    config = uvicorn.Config(app, log_level="error", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])


def _start_server(data: Path | None) -> tuple[multiprocessing.Process, str]:
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted connections only when the
    # listening socket says TCP, and without it every answer waits out a delayed ACK (~40 ms).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    proc = multiprocessing.get_context("spawn").Process(target=_serve, args=(data, sock))
    proc.start()
    sock.close()
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(base + "/api/info", timeout=1).status_code == 200:
                return proc, base
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or not proc.is_alive():
            proc.terminate()
            raise SystemExit("the server did not start")
        time.sleep(0.1)


def _request(endpoint: str, body: dict[str, Any]) -> bytes:
    data = json.dumps(body).encode()
    head = (
        f"POST /api/{endpoint} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(data)}\r\n\r\n"
    )
    return head.encode() + data


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> str:
    """Send one request on a kept-alive connection; read the whole answer; its status."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    length = next(
        int(v) for k, _, v in (ln.partition(":") for ln in lines) if k.lower() == "content-length"
    )
    await reader.readexactly(length)
    return lines[0].split()[1]


async def _client(
    port: int,
    requests: itertools.cycle[bytes],
    until: float,
    latencies: list[float],
    outcomes: Counter[str],
) -> None:
    """One client: a kept-alive connection, the next request as soon as the last is answered."""
    conn = await asyncio.open_connection("127.0.0.1", port)
    while time.perf_counter() < until:
        t0 = time.perf_counter()
        try:
            outcomes[await asyncio.wait_for(_exchange(*conn, next(requests)), 30)] += 1
        except (OSError, asyncio.IncompleteReadError, TimeoutError, StopIteration) as exc:
            outcomes[type(exc).__name__] += 1
            conn[1].close()
            conn = await asyncio.open_connection("127.0.0.1", port)
        latencies.append(time.perf_counter() - t0)
    conn[1].close()


async def _load(
    port: int, endpoint: str, bodies: list[dict[str, Any]], clients: int, seconds: float
) -> tuple[list[float], Counter[str], float]:
    latencies: list[float] = []
    outcomes: Counter[str] = Counter()
    requests = itertools.cycle([_request(endpoint, b) for b in bodies])
    t0 = time.perf_counter()
    until = t0 + seconds
    await asyncio.gather(
        *(_client(port, requests, until, latencies, outcomes) for _ in range(clients))
    )
    return latencies, outcomes, time.perf_counter() - t0


def _verify(base: str, endpoint: str, net: Network, bodies: list[dict[str, Any]]) -> int:
    """Answers that differ from the library's for the same request (goal: none); each
    request is asked twice, so that an answer kept by the server is checked too."""
    wrong = 0
    with httpx.Client(base_url=base) as http:
        for b in bodies:
            expected = json.loads(json.dumps(_call(endpoint, net, b)))
            for _ in range(2):
                wrong += http.post(f"/api/{endpoint}", json=b).json() != expected
    return wrong


def _ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)] * 1000


def _library_ms(
    net: Network, endpoint: str, bodies: list[dict[str, Any]], repeat: int = 200
) -> tuple[float, float]:
    """Best and median ms of the library call with its JSON encoding (graphs built)."""
    times = []
    for body in itertools.islice(itertools.cycle(bodies), repeat):
        t0 = time.perf_counter()
        json.dumps(_call(endpoint, net, body))
        times.append(time.perf_counter() - t0)
    return min(times) * 1000, statistics.median(times) * 1000


def _report(name: str, latencies: list[float], outcomes: Counter[str], elapsed: float) -> int:
    errors = sum(n for k, n in outcomes.items() if k != "200")
    print(
        f"{name:<22} {len(latencies):>8,} req {len(latencies) / elapsed:>9,.0f} req/s   "
        f"p50 {_ms(latencies, 0.50):7.2f} ms  p90 {_ms(latencies, 0.90):7.2f} ms  "
        f"p99 {_ms(latencies, 0.99):7.2f} ms  max {_ms(latencies, 1.0):7.2f} ms   "
        f"errors {errors}" + (f" {dict(outcomes)}" if errors else "")
    )
    return errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="load duration")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients")
    parser.add_argument("--endpoint", choices=("routes", "compare"), default="routes")
    parser.add_argument("--data", type=Path, default=None, help="network tables folder")
    args = parser.parse_args()
    load0 = os.getloadavg()
    net, data = _network(args.data)
    bodies = _bodies(net, args.endpoint)
    if not bodies:
        raise SystemExit("no request on this network has an answer")
    print(
        f"network: {net.origin} ({len(net.nodes)} nodes, {len(net.links)} links); "
        f"{len(bodies)} distinct /api/{args.endpoint} requests, cycled; server: 1 uvicorn "
        "worker, 1 event loop, endpoints in its thread pool"
    )
    lib_best, lib_median = _library_ms(net, args.endpoint, bodies)
    print(
        f"library call + JSON alone (baseline, graphs built): best {lib_best:.2f} ms, "
        f"median {lib_median:.2f} ms per query ({1000 / lib_median:,.0f} per s on one core)"
    )
    proc, base = _start_server(data)
    port = int(base.rsplit(":", 1)[1])
    try:
        wrong = _verify(base, args.endpoint, net, bodies)
        print(f"answers equal to the library's: {2 * len(bodies) - wrong} of {2 * len(bodies)}")
        one = asyncio.run(_load(port, args.endpoint, bodies, 1, min(args.seconds, 5.0)))
        _report("1 client", *one)
        print(
            f"  1 client's p50 is {_ms(one[0], 0.5) / lib_median:.1f}x the library call's "
            f"median ({_ms(one[0], 0.0) / lib_best:.1f}x best to best)"
        )
        many = asyncio.run(_load(port, args.endpoint, bodies, args.clients, args.seconds))
        errors = _report(f"{args.clients} clients, {args.seconds:g} s", *many)
    finally:
        proc.terminate()
        proc.join(10)
    rate, p99 = len(many[0]) / many[2], _ms(many[0], 0.99)
    print(
        f"  {rate * lib_median / 1000:.1f}x the library's one-core rate (median); "
        f"load average 1/5/15 min: before {load0}, after {os.getloadavg()}"
    )
    if args.endpoint == "compare" and args.clients == 16:
        ok = rate >= 300 and p99 <= 100
        print(
            f"goal (>= 300 req/s, p99 <= 100 ms at 16 connections): "
            f"{'met' if ok else 'NOT MET'} ({rate:.0f} req/s, p99 {p99:.1f} ms)"
        )
    return 1 if errors or wrong else 0


if __name__ == "__main__":
    sys.exit(main())
