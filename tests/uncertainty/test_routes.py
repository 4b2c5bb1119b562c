"""routes --uncertainty: bands of the listed routes and the chance their order holds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import corridor
from corridor.errors import InvalidParameterError
from corridor.network import load_network
from corridor.uncertainty.routes import route_bands

from .conftest import write_ranges


def test_bands_and_order_of_two_routes_against_paper(tiny_copy: Path):
    # TC = tc0 + (t − 40) with t ~ U(20, 100); China fixed: TC stays first while
    # t < 40 + (cn − tc0), a share (40 + (cn − tc0) − 20) / 80 of the draws
    write_ranges(tiny_copy, [["links", "L6", "tariff_usd_per_t", "20", "100"]])
    net = load_network(tiny_copy)
    found = corridor.routes("ore", "MINE", "DEST", k=2, network=net).routes
    tc0, cn = (r.cost_usd_per_t for r in found)
    u = route_bands(net, found, samples=2048, seed=1, assumption_ranges=())
    assert u.bands[0].p5 == pytest.approx(tc0 - 40 + 24, abs=0.3)
    assert u.bands[0].p95 == pytest.approx(tc0 - 40 + 96, abs=0.3)
    assert u.bands[1].p5 == u.bands[1].p95 == pytest.approx(cn)
    first = (40 + (cn - tc0) - 20) / 80
    assert u.p_cheapest[0] == pytest.approx(first, abs=0.005)
    assert sum(u.p_cheapest) == pytest.approx(1.0)
    assert u.p_order_kept == pytest.approx(first, abs=0.005)


def test_routes_json_and_table_carry_the_bands(tiny_copy: Path):
    write_ranges(tiny_copy, [["links", "L6", "tariff_usd_per_t", "20", "100"]])
    env = {**os.environ, "CORRIDOR_DATA": str(tiny_copy)}
    args = [sys.executable, "-m", "corridor", "routes", "--commodity", "ore", "--origin",
            "MINE", "--destination", "DEST", "--k", "2", "--uncertainty", "256"]  # fmt: skip
    p = subprocess.run([*args, "--format", "json"], capture_output=True, text=True, env=env)
    assert p.returncode == 0, p.stderr
    u = json.loads(p.stdout)["uncertainty"]
    assert len(u["routes"]) == 2 and 0 < u["p_order_kept"] < 1
    p = subprocess.run(args, capture_output=True, text=True, env=env)
    assert p.returncode == 0, p.stderr
    assert "P(cheapest of these)" in p.stdout and "P(the order above holds)" in p.stdout
    p = subprocess.run([*args[:-1], "0.5"], capture_output=True, text=True, env=env)
    assert p.returncode == 2 and "Traceback" not in p.stderr


def test_bad_counts_are_refused(tiny):
    found = corridor.routes("ore", "MINE", "DEST", k=1, network=tiny).routes
    with pytest.raises(InvalidParameterError, match="uncertainty must be a whole number of draws"):
        route_bands(tiny, found, samples=0)
    with pytest.raises(ValueError, match="no routes"):
        route_bands(tiny, [], samples=10)
