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


def test_capacity_plan_and_stress_bodies_take_uncertainty(tiny_copy: Path):
    from dataclasses import replace

    from corridor.analysis.capacity_bands import capacity_bands
    from tests.risk.test_stress import HAND_EVENTS
    from tests.web.test_api import wait_for

    write_ranges(
        tiny_copy,
        [
            ["links", "L3", "capacity_t_per_year", "300000", "700000"],
            ["links", "L6", "tariff_usd_per_t", "20", "100"],
        ],
    )
    net = replace(load_network(tiny_copy), events=HAND_EVENTS)
    cap = {"commodity": "ore", "origins": ["MINE"], "destinations": ["DEST"]}
    with TestClient(create_app(network=net), base_url="http://127.0.0.1") as c:
        r = c.post("/api/capacity", json={**cap, "families": ["china"], "uncertainty": 64})
        assert r.status_code == 200, r.text
        u = r.json()["uncertainty"]
        lib = capacity_bands("ore", ["MINE"], ["DEST"], families=["china"], network=net,
                             samples=64)  # fmt: skip
        assert u["bands_t_per_year"] == lib.to_dict()["bands_t_per_year"]
        assert u["sensitivity"]["drivers"][0]["factor"] == "links/L3/capacity_t_per_year"
        assert "uncertainty" not in c.post("/api/capacity", json=cap).json()
        assert c.post("/api/capacity", json={**cap, "uncertainty": 2_001}).status_code == 422
        contract = {"id": "c1", "commodity": "ore", "origins": ["MINE"],
                    "destinations": ["DEST"], "volume_t_per_year": 1000}  # fmt: skip
        r = c.post("/api/plan", json={"contracts": [contract], "uncertainty": 16})
        assert r.status_code == 200, r.text
        u = r.json()["uncertainty"]
        assert u["samples"] == 16 and "total_cost_usd_per_year" in u["bands"]
        assert "penalty_driven_shadow_prices" in u
        params = {"commodity": "ore", "origin": "MINE", "destination": "DEST", "volume": 1000,
                  "years": 500, "uncertainty": 4}  # fmt: skip
        job = c.post("/api/jobs", json={"kind": "stress", "params": params})
        assert job.status_code == 202, job.text
        done = wait_for(c, job.json()["id"], timeout=120)
        assert done["status"] == "done", done["error"]
        u = done["result"]["uncertainty"]
        assert u["samples"] == 4 and u["years_per_draw"] == 500
        assert "cvar_extra_cost_usd" in u["bands"]
        bad = c.post("/api/jobs", json={"kind": "stress", "params": {**params, "uncertainty": 401}})
        assert bad.status_code == 422
