"""Background jobs outlive their server: a real ``corridor serve`` is killed (``kill -9``)
while a stress job runs; a new server on the same store lists that job as interrupted, with
its parameters, and still serves the result of a job that had finished."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from corridor.web.app import create_app
from corridor.web.jobs import PROGRESS_EVERY_S
from corridor.web.security import Settings

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "fixtures" / "tiny"
LOCAL = "http://127.0.0.1"
ORE = {"commodity": "ore", "origin": "MINE", "destination": "DEST"}
# The bundled network, whose many events keep a 10^7-year stress job running for well over
# the few seconds the test needs (on the tiny network it finishes in about two).
REE = {"commodity": "rare_earth_concentrate", "origin": "KZ_ZHANA_KZ", "destination": "JP_YOKOHAMA"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _poll(http: httpx.Client, job_id: str, until: set[str], seconds: float) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = http.get(f"/api/jobs/{job_id}").json()
        if job["status"] in until:
            return job  # type: ignore[no-any-return]
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} never reached {until}")


def test_a_restarted_server_keeps_its_jobs(tmp_path: Path) -> None:
    store, port = tmp_path / "runs.duckdb", _free_port()
    code = "import sys; from corridor.cli import main; sys.argv[0] = 'corridor'; main()"
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            code,
            "serve",
            "--port",
            str(port),
            "--store",
            str(store),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if http.get("/api/health").status_code == 200:
                        break
                except httpx.TransportError:
                    assert time.monotonic() < deadline and server.poll() is None
                    time.sleep(0.1)
            done = http.post("/api/jobs", json={"kind": "routes", "params": {**REE, "k": 2}})
            done_id = done.json()["id"]
            finished = _poll(http, done_id, {"done"}, 30)
            stress = {**REE, "volume": 1000, "years": 10_000_000, "seed": 7}
            running = http.post("/api/jobs", json={"kind": "stress", "params": stress}).json()
            _poll(http, running["id"], {"running"}, 30)
            # until the job reports progress (a fixed sleep was too short on a loaded
            # machine), then one interval of progress writes so it reaches the store
            deadline = time.monotonic() + 60
            while http.get(f"/api/jobs/{running['id']}").json()["progress"] <= 0:
                assert time.monotonic() < deadline, "the stress job never reported progress"
                time.sleep(0.2)
            time.sleep(PROGRESS_EVERY_S + 0.5)
    finally:
        server.send_signal(signal.SIGKILL)
        server.communicate(timeout=30)

    with TestClient(create_app(settings=Settings(store=store)), base_url=LOCAL) as again:
        jobs = {j["id"]: j for j in again.get("/api/jobs").json()["jobs"]}
        assert jobs[running["id"]]["status"] == "interrupted"
        assert jobs[running["id"]]["params"]["years"] == 10_000_000
        assert jobs[running["id"]]["params"]["contracts"] is None
        assert 0 < jobs[running["id"]]["progress"] < 1
        assert "stopped" in jobs[running["id"]]["error"]
        assert again.get(f"/api/jobs/{done_id}").json()["result"] == finished["result"]
        # Forgetting a finished job forgets it in the store too.
        assert again.delete(f"/api/jobs/{done_id}").status_code == 200
    with TestClient(
        create_app(settings=Settings(store=store, data_dir=TINY)), base_url=LOCAL
    ) as third:
        assert third.get(f"/api/jobs/{done_id}").status_code == 404
        assert third.get(f"/api/jobs/{running['id']}").json()["status"] == "interrupted"
