"""Web API under load: POST /api/compare and /api/routes from 16 concurrent clients, on loopback.

The server is the real one (``create_app`` under uvicorn) in its own process. The clients
are asyncio tasks in this one, each on its own kept-alive HTTP/1.1 connection, sending its
next request as soon as the last is answered. They speak HTTP over asyncio streams rather
than through ``httpx.AsyncClient``: on a 2-core machine httpx's connection pool, at 50
connections, spends more CPU than the server and caps the rate near 70 requests/s, which
would measure the client. Every distinct request is first checked, through httpx, to be
answered exactly as the library answers it.

The server runs as ``corridor serve`` does (:mod:`corridor.web.serving`: uvicorn on uvloop
with the httptools parser when installed, one worker process; ``--workers N`` here starts N
on one socket to see what more would give), and the first line says so. The requests cycle
over a few dozen bodies, so after the first round every answer is one already sent, served
from its kept bytes on the event loop (:mod:`corridor.web.answers`); a new body is computed
in the thread pool (about 20 ms for compare: the library's own time).

Reported: requests per second, p50/p90/p99/max latency and the error count (goal: zero
errors), and the server's resident memory before and after each load (growth: goal near
zero once warm). A second load reads the run store (``GET /api/runs``, read-only; a plan
is saved into it first), as a shared server's readers do. Baselines in the same run: the
library call alone (``corridor.analysis.routes`` in this process), one client alone, and
the floor: the same uvicorn and clients in front of an app that sends one fixed answer,
loaded in turns with compare, block by block, so that both see the same machine.
Network: the bundled one if it loads, else ``tests/fixtures/tiny`` (or ``--data DIR``).

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
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from corridor import analysis as api
from corridor.errors import CorridorError
from corridor.network.load import load_network
from corridor.network.model import Network
from corridor.network.states import network_on, today

TINY = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "tiny"


def _network(data: Path | None) -> tuple[Network, Path | None]:
    """The network to serve: ``data``, else the bundled one if valid, else the tiny fixture;
    as it stands today, as the server serves it (its states applied: the tables as written
    have other links, and the answers checked against them did not match)."""
    if data is not None:
        return network_on(load_network(data), today()), data
    try:
        return network_on(load_network(), today()), None
    except CorridorError as exc:
        print(f"bundled network unusable ({str(exc).splitlines()[0]}); using {TINY}")
        return network_on(load_network(TINY), today()), TINY


def _bodies(net: Network) -> list[dict[str, Any]]:
    """Route requests with an answer: every commodity from each of its origins to Japan."""
    ports = [n.id for n in net.nodes if n.country == "JP"]
    dest = "JP_YOKOHAMA" if "JP_YOKOHAMA" in ports else ports[0]
    out = []
    for c in net.commodities:
        for origin in (n.id for n in net.nodes if c.id in n.products):
            for avoid in ([], ["RU"], ["CN"]):
                if not all(net.has("exposures", a) for a in avoid):
                    continue
                body = {
                    "commodity": c.id,
                    "origin": origin,
                    "destination": dest,
                    "k": 5,
                    "avoid": avoid,
                }
                try:
                    api.routes(c.id, origin, dest, k=5, avoid=avoid, network=net)
                except CorridorError:
                    continue
                out.append(body)
    return out


def _serve(data: Path | None, sock: socket.socket, store: Path, ready: Any) -> None:
    """One worker process, in the server's own configuration (``corridor serve``)."""
    import uvicorn

    from corridor.web.app import create_app
    from corridor.web.security import Settings
    from corridor.web.serving import server_config

    app = create_app(settings=Settings(data_dir=data, store=store))
    host, port = sock.getsockname()
    server = uvicorn.Server(server_config(app, host, port, log_level="error"))
    ready.release()
    server.run(sockets=[sock])


def _start_server(
    data: Path | None, store: Path, workers: int = 1
) -> tuple[list[multiprocessing.Process], str]:
    """``workers`` server processes on one listening socket (as ``corridor serve --workers``)."""
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted connections only when the
    # listening socket says TCP, and without it every answer waits out a delayed ACK (~40 ms).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(2048)  # before the workers run: a connection waits in the backlog
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    spawn = multiprocessing.get_context("spawn")
    ready = spawn.Semaphore(0)
    procs = [spawn.Process(target=_serve, args=(data, sock, store, ready)) for _ in range(workers)]
    for proc in procs:
        proc.start()
    sock.close()
    deadline = time.monotonic() + 60
    for _ in procs:
        if not ready.acquire(timeout=max(deadline - time.monotonic(), 0)):
            _stop(procs)
            raise SystemExit("the server did not start")
    while True:
        try:
            if httpx.get(base + "/api/info", timeout=1).status_code == 200:
                return procs, base
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or not all(p.is_alive() for p in procs):
            _stop(procs)
            raise SystemExit("the server did not start")
        time.sleep(0.1)


def _stop(procs: list[multiprocessing.Process]) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        proc.join(10)


def _rss_mb(pid: int | None) -> float:
    """Resident memory of a process, MB (Linux ``/proc``; NaN elsewhere)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return float("nan")
    kb = next(int(ln.split()[1]) for ln in status.splitlines() if ln.startswith("VmRSS:"))
    return kb / 1024


def _get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()


def _request(body: dict[str, Any], endpoint: str = "routes") -> bytes:
    data = json.dumps(body).encode()
    head = (
        f"POST /api/{endpoint} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
    )
    return head.encode() + data


def _call(endpoint: str, b: dict[str, Any], net: Network) -> dict[str, Any]:
    """The library's answer to the body of ``POST /api/<endpoint>``."""
    if endpoint == "compare":
        return api.compare(
            b["commodity"], b["origin"], b["destination"], avoid=b["avoid"], network=net
        ).to_dict()
    return api.routes(
        b["commodity"], b["origin"], b["destination"], k=b["k"], avoid=b["avoid"], network=net
    ).to_dict()


def _compare_body(b: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in b.items() if k != "k"}


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
    port: int, requests_: list[bytes], clients: int, seconds: float
) -> tuple[list[float], Counter[str], float]:
    latencies: list[float] = []
    outcomes: Counter[str] = Counter()
    requests = itertools.cycle(requests_)
    t0 = time.perf_counter()
    until = t0 + seconds
    await asyncio.gather(
        *(_client(port, requests, until, latencies, outcomes) for _ in range(clients))
    )
    return latencies, outcomes, time.perf_counter() - t0


def _verify(base: str, net: Network, bodies: list[dict[str, Any]], endpoint: str) -> int:
    """Answers that differ from the library's for the same request (goal: none)."""
    wrong = 0
    with httpx.Client(base_url=base) as http:
        for b in bodies:
            expected = json.loads(json.dumps(_call(endpoint, b, net)))
            got = http.post(f"/api/{endpoint}", json=b).json()
            if got != expected:
                wrong += 1
                if wrong == 1:
                    diff = sorted(k for k in {*got, *expected} if got.get(k) != expected.get(k))
                    print(f"  {endpoint} {b}: fields differ {diff}")
    return wrong


def _ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)] * 1000


def _library_ms(
    net: Network, bodies: list[dict[str, Any]], endpoint: str, repeat: int = 200
) -> float:
    times = []
    for body in itertools.islice(itertools.cycle(bodies), repeat):
        t0 = time.perf_counter()
        _call(endpoint, body, net)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def _report(name: str, latencies: list[float], outcomes: Counter[str], elapsed: float) -> int:
    errors = sum(n for k, n in outcomes.items() if k != "200")
    print(
        f"{name:<22} {len(latencies):>8,} req {len(latencies) / elapsed:>9,.0f} req/s   "
        f"p50 {_ms(latencies, 0.50):7.2f} ms  p90 {_ms(latencies, 0.90):7.2f} ms  "
        f"p99 {_ms(latencies, 0.99):7.2f} ms  max {_ms(latencies, 1.0):7.2f} ms   "
        f"errors {errors}" + (f" {dict(outcomes)}" if errors else "")
    )
    return errors


Block = tuple[list[float], int, list[float]]
"""Every latency, the error count, and the requests/s of each block."""


def _blocks(
    ports: dict[str, int], requests_: list[bytes], clients: int, seconds: float
) -> dict[str, Block]:
    """The load on each server of ``ports`` (name: port) in three blocks of a third of
    ``seconds``, the servers taking turns block by block (so that each sees the same load
    from the rest of the machine), after one second of warm-up each (every worker process
    computes its own answers once)."""
    for port in ports.values():
        asyncio.run(_load(port, requests_, clients, 1.0))
    runs: dict[str, list[tuple[list[float], Counter[str], float]]] = {name: [] for name in ports}
    for _ in range(3):
        for name, port in ports.items():
            runs[name].append(asyncio.run(_load(port, requests_, clients, seconds / 3)))
    out = {}
    for name, blocks in runs.items():
        latencies = [t for lat, _, _ in blocks for t in lat]
        outcomes = sum((o for _, o, _ in blocks), Counter[str]())
        rates = [len(lat) / elapsed for lat, _, elapsed in blocks]
        errors = _report(name, latencies, outcomes, sum(e for _, _, e in blocks))
        out[name] = (latencies, errors, rates)
    return out


def _serve_floor(sock: socket.socket, answer: bytes, ready: Any) -> None:
    """The floor: an ASGI app that sends ``answer`` to every request, on the same uvicorn
    configuration, so that what is left is HTTP, the event loop and the clients."""
    import uvicorn

    from corridor.web.serving import server_config

    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(answer))]

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": answer})

    host, port = sock.getsockname()
    server = uvicorn.Server(server_config(app, host, port, log_level="error", lifespan="off"))
    ready.release()
    server.run(sockets=[sock])


def _start_floor(answer: bytes, workers: int) -> tuple[list[multiprocessing.Process], int]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(2048)
    spawn = multiprocessing.get_context("spawn")
    ready = spawn.Semaphore(0)
    procs = [spawn.Process(target=_serve_floor, args=(sock, answer, ready)) for _ in range(workers)]
    for proc in procs:
        proc.start()
    port = sock.getsockname()[1]
    sock.close()
    for _ in procs:
        if not ready.acquire(timeout=60):
            _stop(procs)
            raise SystemExit("the floor server did not start")
    return procs, port


def _memory(procs: list[multiprocessing.Process]) -> float:
    return sum(_rss_mb(p.pid) for p in procs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="load duration")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument("--data", type=Path, default=None, help="network tables folder")
    args = parser.parse_args()
    load0 = os.getloadavg()
    net, data = _network(args.data)
    bodies = {"routes": _bodies(net)}
    if not bodies["routes"]:
        raise SystemExit("no route request on this network has an answer")
    bodies["compare"] = [_compare_body(b) for b in bodies["routes"]]
    print(
        f"network: {net.origin} ({len(net.nodes)} nodes, {len(net.links)} "
        f"links); {len(bodies['routes'])} distinct route (k=5) and compare requests, cycled"
    )
    from corridor.web.serving import describe, server_config

    print(
        f"server: uvicorn, {describe(server_config(None, '127.0.0.1', 0, workers=args.workers))}; "
        "a routes or compare answer already sent for the same body bytes is sent again from "
        "the loop (corridor.web.answers), a new body is computed in the thread pool"
    )
    library = {e: _library_ms(net, b, e) for e, b in bodies.items()}
    for e, ms in library.items():
        print(f"library call alone (baseline), {e}: median {ms:.2f} ms per query")
    store = Path(tempfile.mkdtemp(prefix="corridor-bench-web-")) / "runs.duckdb"
    procs, base = _start_server(data, store, args.workers)
    port = int(base.rsplit(":", 1)[1])
    verdicts = []
    try:
        wrong = 0
        for e, b in bodies.items():
            bad = _verify(base, net, b, e)
            print(f"answers equal to the library's ({e}): {len(b) - bad} of {len(b)}")
            wrong += bad
        routes = [_request(b) for b in bodies["routes"]]
        one = asyncio.run(_load(port, routes, 1, min(args.seconds, 5.0)))
        _report("1 client (routes)", *one)
        print(f"  1 client's p50 is {_ms(one[0], 0.5) / library['routes']:.1f}x the library call")
        answer = httpx.post(base + "/api/compare", json=bodies["compare"][0]).content
        floor_procs, floor_port = _start_floor(answer, args.workers)
        warm = _memory(procs)
        errors = 0
        try:
            for e in ("compare", "routes"):
                requests_ = [_request(b, e) for b in bodies[e]]
                name = f"{e}, {args.clients} clients"
                ports = {name: port} | (
                    {"floor (fixed answer)": floor_port} if e == "compare" else {}
                )
                blocks = _blocks(ports, requests_, args.clients, args.seconds)
                lat, err, rates = blocks[name]
                best, median = max(rates), statistics.median(rates)
                errors += err
                own = 1000 / library[e]  # the library's calls per second, one thread
                print(
                    f"  requests/s best {best:,.0f}, median {median:,.0f} of 3 blocks; ratio to "
                    f"the library's {own:,.0f} calls/s: best {best / own:.2f}x, "
                    f"median {median / own:.2f}x"
                )
                if e == "compare":
                    floor = blocks["floor (fixed answer)"][2]
                    turns = [c / f for c, f in zip(rates, floor, strict=True)]
                    print(
                        "  ratio to the floor (the same uvicorn and clients, an app sending one "
                        f"fixed answer; block by block): best {max(turns):.2f}x, "
                        f"median {statistics.median(turns):.2f}x"
                    )
                    p99 = _ms(lat, 0.99)
                    ok = median >= 300 and p99 <= 100 and not err
                    verdicts.append(
                        f"goal (compare at {args.clients} connections >= 300 req/s, p99 <= 100 "
                        f"ms): {'met' if ok else 'NOT MET'} (median {median:,.0f} req/s, "
                        f"p99 {p99:.1f} ms)"
                    )
        finally:
            _stop(floor_procs)
        after = _memory(procs)
        print(f"  server memory: {warm:.1f} MB warm, {after:.1f} MB after (+{after - warm:.1f} MB)")
        _save_a_plan(base, bodies["routes"][0])
        runs = [_get("/api/runs?limit=50")]
        asyncio.run(_load(port, runs, args.clients, 1.0))  # warm: the store opened once
        before = _memory(procs)
        reads = asyncio.run(_load(port, runs, args.clients, args.seconds))
        errors += _report(f"GET /api/runs, {args.clients} clients", *reads)
        last = _memory(procs)
        print(
            f"  server memory: {before:.1f} MB warm, {last:.1f} MB after (+{last - before:.1f} MB)"
        )
    finally:
        _stop(procs)
    for v in verdicts:
        print(v)
    print(f"load average 1/5/15 min: before {load0}, after {os.getloadavg()}")
    return 1 if errors or wrong else 0


def _save_a_plan(base: str, body: dict[str, Any]) -> None:
    """One plan in the store, so that the readers read a run (its answer is not timed)."""
    contract = {
        "id": "bench",
        "commodity": body["commodity"],
        "origins": [body["origin"]],
        "destinations": [body["destination"]],
        "volume_t_per_year": 1000,
    }
    answer = httpx.post(base + "/api/plan", json={"contracts": [contract]}, timeout=120)
    print(f"plan saved for the readers: HTTP {answer.status_code}")


if __name__ == "__main__":
    sys.exit(main())
