"""The REST API's uncertainty fields on /api/compare and /api/routes."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridor.network import load_network

from .conftest import write_ranges

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

from corridor.web.app import create_app

BODY = {"commodity": "ore", "origin": "MINE", "destination": "DEST"}


def test_compare_and_routes_bodies_take_uncertainty(tiny_copy: Path):
    write_ranges(tiny_copy, [["links", "L6", "tariff_usd_per_t", "20", "100"]])
    with TestClient(create_app(network=load_network(tiny_copy)), base_url="http://127.0.0.1") as c:
        r = c.post("/api/compare", json={**BODY, "uncertainty": 64, "uncertainty_seed": 3})
        assert r.status_code == 200, r.text
        u = r.json()["uncertainty"]
        assert u["samples"] == 64 and u["seed"] == 3
        assert "Trans-Caspian cheaper than China" in u["probabilities"]
        r = c.post("/api/routes", json={**BODY, "k": 2, "uncertainty": 64})
        assert r.status_code == 200, r.text
        assert len(r.json()["uncertainty"]["routes"]) == 2
        assert "uncertainty" not in c.post("/api/compare", json=BODY).json()
        for bad in (-1, 10_001, 2.5):
            r = c.post("/api/compare", json={**BODY, "uncertainty": bad})
            assert r.status_code == 422, (bad, r.text)
