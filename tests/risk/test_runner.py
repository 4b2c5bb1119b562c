"""Dask's dashboard: off unless asked for, then on loopback only, with its address told."""

from __future__ import annotations

import importlib.util
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from corridor.cli import app
from corridor.errors import RequestError
from corridor.risk import runner

pytest.importorskip("distributed")
ROOT = Path(__file__).resolve().parents[2]
HAS_BOKEH = importlib.util.find_spec("bokeh") is not None


def _http(cluster: Any) -> tuple[list[tuple[str, int]], int]:
    """Where the scheduler's HTTP server listens, and its port."""
    server = cluster.scheduler.http_server
    return [s.getsockname()[:2] for s in server._sockets.values()], server.port


def _status(port: int, path: str) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
            return int(r.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_a_local_cluster_starts_no_dashboard_by_default():
    """Dask's scheduler always opens an HTTP server (by default on port 8787 with /health,
    /metrics and /info); off means it serves nothing, on a free loopback port."""
    with runner.local_cluster(2) as cluster:
        where, port = _http(cluster)
        assert where and all(host == "127.0.0.1" for host, _ in where), where
        assert port != 8787
        for path in ("/status", "/health", "/metrics", "/info/main/workers.html"):
            assert _status(port, path) == 404, path


def test_dashboard_without_a_local_cluster_is_refused_before_any_work():
    result = CliRunner().invoke(
        app, ["stress", str(ROOT / "examples" / "contracts.yaml"), "--dashboard", "--no-store"]
    )
    assert result.exit_code == 1 and isinstance(result.exception, RequestError)  # main(): 2
    assert "--workers" in str(result.exception)
    with (
        pytest.raises(RequestError, match="a scheduler given by address"),
        runner._dask(None, "tcp://127.0.0.1:1", None, dashboard=print),
    ):
        pass


@pytest.mark.skipif(not HAS_BOKEH, reason="Bokeh (corridor[dashboard]) is not installed")
def test_dashboard_listens_on_loopback_and_its_address_is_told():
    told: list[str] = []
    with runner.local_cluster(2, dashboard=told.append) as cluster:
        where, port = _http(cluster)
        assert all(host == "127.0.0.1" for host, _ in where), where
        assert _status(port, "/status") == 200
    assert told == [f"http://127.0.0.1:{port}/status"], told


@pytest.mark.skipif(HAS_BOKEH, reason="Bokeh is installed: the dashboard starts")
def test_dashboard_without_bokeh_says_what_to_install():
    with pytest.raises(RequestError, match=r"corridor\[dashboard\]"):
        runner.local_cluster(2, dashboard=print)
